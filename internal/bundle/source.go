package bundle

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Open loads the bundle at path: a directory, or a file ending in .tar.gz or .tgz.
// Errors are *LoadError values (Invalid) for a broken bundle, NotFound *platform.Error
// values when path does not exist, and I/O errors otherwise.
func Open(p string, limits Limits) (*Bundle, error) {
	info, err := os.Stat(p)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, platform.Errorf(platform.NotFound, "bundle %s does not exist", p)
	}
	if err != nil {
		return nil, err
	}
	if info.IsDir() {
		return LoadDir(p, limits)
	}
	if !strings.HasSuffix(p, ".tar.gz") && !strings.HasSuffix(p, ".tgz") {
		return nil, platform.Errorf(platform.Invalid, "%s: a bundle is a directory or a .tar.gz file", p)
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return LoadTarGz(f, limits)
}

// LoadDir loads the bundle whose root is dir. Symbolic links and other special files are
// problems; reading stops early once the limits are exceeded.
func LoadDir(dir string, limits Limits) (*Bundle, error) {
	files, problems, err := readDir(dir, limits)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, &LoadError{Problems: problems}
	}
	return Load(files, limits)
}

func readDir(dir string, limits Limits) (map[string][]byte, []Problem, error) {
	files := map[string][]byte{}
	var problems []Problem
	var total int64
	count := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			return nil
		}
		if isJunk(rel) {
			return nil
		}
		if !d.Type().IsRegular() {
			problems = append(problems, Problem{File: rel, Message: "is not a regular file (links and special files are not allowed in a bundle)"})
			return nil
		}
		count++
		if count > limits.Files*4 {
			problems = append(problems, Problem{Message: fmt.Sprintf("bundle has more than %d files; the limit is %d", limits.Files*4, limits.Files)})
			return fs.SkipAll
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		total += info.Size()
		if total > limits.BundleBytes {
			problems = append(problems, Problem{Message: fmt.Sprintf("bundle is over %s, the limit", size(limits.BundleBytes))})
			return fs.SkipAll
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		files[rel] = data
		return nil
	})
	return files, problems, err
}

// LoadTarGz loads a bundle from a gzip-compressed tar archive. The bundle may sit at the
// archive's root or inside one top folder (e.g. "v1/"). Unsafe entries (absolute paths,
// "..", links, devices) are problems; reading stops once the limits are exceeded, so a
// decompression bomb costs at most the bundle limit.
func LoadTarGz(r io.Reader, limits Limits) (*Bundle, error) {
	files, problems, err := readTarGz(r, limits)
	if err != nil {
		return nil, err
	}
	if len(problems) > 0 {
		return nil, &LoadError{Problems: problems}
	}
	return Load(stripTopFolder(files), limits)
}

func readTarGz(r io.Reader, limits Limits) (map[string][]byte, []Problem, error) {
	compressed := &io.LimitedReader{R: r, N: limits.BundleBytes + 1}
	zr, err := gzip.NewReader(compressed)
	if err != nil {
		return nil, []Problem{{Message: "not a gzip-compressed tar archive: " + err.Error()}}, nil
	}
	tr := tar.NewReader(&expansion{r: zr, compressed: compressed, limits: limits})
	files := map[string][]byte{}
	var problems []Problem
	var total int64
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			if p, ok := archiveProblem(err, compressed, limits); ok {
				return nil, []Problem{p}, nil
			}
			return nil, append(problems, Problem{Message: "broken tar archive: " + err.Error()}), nil
		}
		name, ok := safeName(h.Name)
		if !ok {
			problems = append(problems, Problem{File: h.Name, Message: "unsafe path in archive (absolute or with ..)"})
			continue
		}
		switch h.Typeflag {
		case tar.TypeDir:
			continue
		case tar.TypeReg:
		case tar.TypeSymlink, tar.TypeLink:
			problems = append(problems, Problem{File: name, Message: "links are not allowed in a bundle"})
			continue
		case tar.TypeXGlobalHeader:
			continue
		default:
			problems = append(problems, Problem{File: name, Message: fmt.Sprintf("unsupported archive entry type %q (only files and folders)", h.Typeflag)})
			continue
		}
		if isJunk(name) {
			continue
		}
		if len(files) >= limits.Files*4 {
			return nil, []Problem{{Message: fmt.Sprintf("archive has more than %d files; the limit is %d", limits.Files*4, limits.Files)}}, nil
		}
		var buf bytes.Buffer
		n, err := io.Copy(&buf, io.LimitReader(tr, limits.BundleBytes-total+1))
		if err != nil {
			if p, ok := archiveProblem(err, compressed, limits); ok {
				return nil, []Problem{p}, nil
			}
			return nil, append(problems, Problem{File: name, Message: "broken tar archive: " + err.Error()}), nil
		}
		total += n
		if total > limits.BundleBytes {
			return nil, []Problem{{Message: fmt.Sprintf("bundle is over %s, the limit", size(limits.BundleBytes))}}, nil
		}
		if _, dup := files[name]; dup {
			problems = append(problems, Problem{File: name, Message: "appears twice in the archive"})
			continue
		}
		files[name] = buf.Bytes()
	}
	return files, problems, nil
}

// archiveProblem turns the error of reading an archive into the problem of a limit it
// crossed: the compressed size, the decompressed size or the ratio; ok is false for other
// errors.
func archiveProblem(err error, compressed *io.LimitedReader, limits Limits) (Problem, bool) {
	var over *expansionError
	switch {
	case errors.As(err, &over):
		return Problem{Message: over.Error()}, true
	case compressed.N <= 0:
		return Problem{Message: fmt.Sprintf("archive is over %s, the limit", size(limits.BundleBytes))}, true
	}
	return Problem{}, false
}

// The decompressed archive's bounds beyond the bundle's own: room for its headers, and
// the size from which its ratio is checked.
const (
	archiveHeaderBytes = 1 << 20
	ratioFloor         = 1 << 20
)

// expansion reads the decompressed archive and stops, with an *expansionError, as soon as
// it grows past limits.BundleBytes+archiveHeaderBytes or past limits.Ratio times the
// compressed bytes read so far (once ratioFloor is decompressed): a decompression bomb
// costs at most a few MB of work.
type expansion struct {
	r          io.Reader         // the decompressed stream
	compressed *io.LimitedReader // the compressed stream, limited to BundleBytes+1
	limits     Limits
	read       int64
	err        error
}

// expansionError is the limit a decompressed archive crossed.
type expansionError struct{ message string }

func (e *expansionError) Error() string { return e.message }

func (e *expansion) Read(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	max := e.limits.BundleBytes + archiveHeaderBytes
	if room := max - e.read + 1; int64(len(p)) > room {
		p = p[:room]
	}
	n, err := e.r.Read(p)
	e.read += int64(n)
	consumed := e.limits.BundleBytes + 1 - e.compressed.N
	switch {
	case e.read > max:
		e.err = &expansionError{fmt.Sprintf("archive expands to more than %s (the %s bundle limit and 1 MB of archive headers), the limit",
			size(max), size(e.limits.BundleBytes))}
	case e.limits.Ratio > 0 && e.read > ratioFloor && e.read > e.limits.Ratio*consumed:
		e.err = &expansionError{fmt.Sprintf("archive expands more than %d times its compressed size (%s from %s so far), the limit against decompression bombs",
			e.limits.Ratio, size(e.read), size(consumed))}
	}
	if e.err != nil {
		return 0, e.err
	}
	return n, err
}

// safeName cleans an archive path; ok is false for absolute paths and paths that climb
// out with "..".
func safeName(name string) (string, bool) {
	if name == "" || strings.HasPrefix(name, "/") || strings.Contains(name, "\\") || filepath.IsAbs(name) {
		return "", false
	}
	for _, seg := range strings.Split(name, "/") {
		if seg == ".." {
			return "", false
		}
	}
	clean := path.Clean(name)
	if clean == "." {
		return clean, true
	}
	return clean, fs.ValidPath(clean)
}

// isJunk reports files archivers add that are no part of a bundle (macOS resource forks).
func isJunk(name string) bool {
	base := path.Base(name)
	return strings.HasPrefix(base, "._") || base == ".DS_Store" || strings.HasPrefix(name, "__MACOSX/")
}

// stripTopFolder moves the files up one level when all of them sit in one top folder and
// none of the bundle's own folders is at the root.
func stripTopFolder(files map[string][]byte) map[string][]byte {
	top := ""
	for p := range files {
		first, _, inDir := strings.Cut(p, "/")
		if !inDir || (top != "" && first != top) {
			return files
		}
		top = first
		switch first {
		case "schema", EnvironmentDir, InstanceDir, PipelineDir:
			return files
		}
	}
	if top == "" {
		return files
	}
	out := make(map[string][]byte, len(files))
	for p, data := range files {
		out[strings.TrimPrefix(p, top+"/")] = data
	}
	return out
}
