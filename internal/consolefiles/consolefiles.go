// Package consolefiles is the one rule of which paths of the web console's origin are its
// built files (web/dist) and which are its client routes, answered with index.html:
// gantry-local applies it in Go, and on AWS a CloudFront function applies the same rule,
// written from it (ViewerRequestFunction).
package consolefiles

import (
	"path"
	"sort"
	"strings"
)

// AssetExtensions are the extensions of the built files. A path under /assets/ or ending
// in one of them is a file (a missing one is a 404); any other path is a client route (a
// route may end in ".0", as a template version's does).
var AssetExtensions = []string{".css", ".html", ".ico", ".js", ".json", ".map", ".png", ".svg", ".txt", ".woff", ".woff2"}

// IsFile reports whether urlPath names a built file rather than a client route.
func IsFile(urlPath string) bool {
	if strings.HasPrefix(urlPath, "/assets/") {
		return true
	}
	ext := path.Ext(urlPath)
	i := sort.SearchStrings(AssetExtensions, ext)
	return ext != "" && i < len(AssetExtensions) && AssetExtensions[i] == ext
}

// ViewerRequestFunction is the code of a CloudFront function (cloudfront-js-2.0) that
// rewrites a client route to /index.html by IsFile's rule and leaves files alone.
func ViewerRequestFunction() string {
	exts := make([]string, len(AssetExtensions))
	for i, e := range AssetExtensions {
		exts[i] = strings.TrimPrefix(e, ".")
	}
	return `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.indexOf('/assets/') === 0 || /\.(` + strings.Join(exts, "|") + `)$/.test(uri)) {
    return request;
  }
  request.uri = '/index.html';
  return request;
}
`
}
