//go:build faults

package faults

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// processesMentioning returns the live processes, other than gantry-local, whose command
// line contains s (a data directory marks the DynamoDB Local of one run).
func processesMentioning(t *testing.T, s string) []int {
	t.Helper()
	paths, err := filepath.Glob("/proc/[0-9]*/cmdline")
	if err != nil {
		t.Fatal(err)
	}
	var pids []int
	for _, path := range paths {
		cmdline, err := os.ReadFile(path)
		if err == nil && bytes.Contains(cmdline, []byte(s)) && !bytes.Contains(cmdline, []byte("gantry-local")) {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(path)))
			pids = append(pids, pid)
		}
	}
	return pids
}
