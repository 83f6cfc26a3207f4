package engine

import (
	"errors"
	"fmt"
	"testing"
)

// A content is made once while it is kept; another content is made anew; a failure is
// not kept; past loadedEntries contents the oldest is made again.
func TestLoadedMakesEachContentOnce(t *testing.T) {
	var l loaded[string]
	made := map[string]int{}
	get := func(content string) string {
		t.Helper()
		v, err := l.get([]byte(content), func() (string, error) { made[content]++; return "made from " + content, nil })
		if err != nil || v != "made from "+content {
			t.Fatalf("get %q = %q, %v", content, v, err)
		}
		return v
	}
	get("a")
	get("a")
	get("b")
	if made["a"] != 1 || made["b"] != 1 {
		t.Fatalf("made %v, want each once", made)
	}
	fail := errors.New("broken")
	if _, err := l.get([]byte("c"), func() (string, error) { return "", fail }); !errors.Is(err, fail) {
		t.Fatalf("a failure: %v", err)
	}
	get("c")
	if made["c"] != 1 {
		t.Fatalf("c made %d times after a failure, want 1", made["c"])
	}
	for i := 0; i < loadedEntries; i++ {
		get(fmt.Sprint("filler ", i))
	}
	get("a")
	if made["a"] != 2 {
		t.Fatalf("a made %d times after %d other contents, want 2 (dropped, made again)", made["a"], loadedEntries)
	}
}
