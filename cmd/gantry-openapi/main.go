// Command gantry-openapi prints the API's OpenAPI document (api.OpenAPI, built from the
// route table) to standard output: the one source the web console's typed client is
// generated from (web/scripts/gen-api.mjs).
package main

import (
	"encoding/json"
	"fmt"
	"os"

	"github.com/gantry-platform/gantry/internal/api"
)

func main() {
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(api.OpenAPI()); err != nil {
		fmt.Fprintln(os.Stderr, "gantry-openapi:", err)
		os.Exit(1)
	}
}
