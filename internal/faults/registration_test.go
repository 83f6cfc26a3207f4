//go:build faults

package faults

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"net/http"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/gantry-platform/gantry/internal/platformtest"
)

// TestConcurrentRegistrations: 20 identical registrations at once with one clientToken
// make one version, every caller gets it; 5 registrations that fail validation leave no
// version usable and no blob; in the end the blob store holds exactly one bundle.
func TestConcurrentRegistrations(t *testing.T) {
	data := t.TempDir()
	g := startGantry(t, data, "--in-memory")
	g.postJSON(201, "/v1/environment-templates", map[string]string{"name": "vpc-ecs"})
	bundle := platformtest.TarGz(t, "../../templates/environments/vpc-ecs/v1", nil)
	answers := make([]string, 20)
	statuses := make([]int, 20)
	var wg sync.WaitGroup
	for i := range answers {
		wg.Go(func() {
			status, body := g.do("POST", "/v1/environment-templates/vpc-ecs/versions?clientToken=one-token", g.admin, "application/gzip", bundle)
			var v struct {
				MajorVersion json.Number `json:"majorVersion"`
				MinorVersion json.Number `json:"minorVersion"`
			}
			_ = json.Unmarshal(body, &v)
			statuses[i], answers[i] = status, v.MajorVersion.String()+"."+v.MinorVersion.String()
			if status != http.StatusCreated {
				answers[i] = string(body)
			}
		})
	}
	for i := range 5 {
		wg.Go(func() {
			broken := platformtest.TarGz(t, "../../templates/environments/vpc-ecs/v1", map[string]string{
				"schema/schema.yaml": fmt.Sprintf("schema: [unclosed %d", i)})
			if status, body := g.do("POST", "/v1/environment-templates/vpc-ecs/versions", g.admin, "application/gzip", broken); status != http.StatusBadRequest {
				t.Errorf("a broken bundle answered %d %s, want 400", status, body)
			}
		})
	}
	wg.Wait()
	versions := map[string]int{}
	for i, a := range answers {
		if statuses[i] != http.StatusCreated {
			t.Fatalf("registration %d answered %d %s", i, statuses[i], a)
		}
		versions[a]++
	}
	if len(versions) != 1 {
		t.Fatalf("20 identical registrations with one token made versions %v, want one", versions)
	}
	var bundles []string
	err := filepath.WalkDir(filepath.Join(data, "blobs"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".tar.gz") {
			bundles = append(bundles, path)
		}
		return err
	})
	if err != nil || len(bundles) != 1 {
		t.Fatalf("the blob store holds %d bundles (%v), want 1: %v", len(bundles), err, bundles)
	}
	report("20 identical registrations + 5 broken, at once", fmt.Sprintf("1 version (%s), 1 bundle blob, 5 × 400", strings.Join(slices.Collect(maps.Keys(versions)), "")), 0, checkMemory(t, g))
}
