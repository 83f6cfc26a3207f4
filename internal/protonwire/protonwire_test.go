package protonwire

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// TestShapesAreFresh regenerates the shapes from the committed model through the command
// go generate runs and compares them with shapes_gen.go.
func TestShapesAreFresh(t *testing.T) {
	out := filepath.Join(t.TempDir(), "shapes_gen.go")
	cmd := exec.Command("go", "run", "./gen", "-model", "model/service-2.json.gz", "-out", out)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go run ./gen: %v\n%s", err, msg)
	}
	want, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile("shapes_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("shapes_gen.go differs from what the model generates: run go generate ./internal/protonwire")
	}
	if len(Operations) != 87 {
		t.Fatalf("the model lists %d operations; Proton 2020-07-20 (service/proton v1.40.0) has 87", len(Operations))
	}
}

func TestTimeIsEpochSeconds(t *testing.T) {
	at := time.Date(2026, 12, 6, 3, 0, 0, 250*int(time.Millisecond), time.UTC)
	b, err := json.Marshal(struct {
		At *Time `json:"at,omitempty"`
		No *Time `json:"no,omitempty"`
	}{At: At(at), No: At(time.Time{})})
	if err != nil || string(b) != `{"at":1796526000.25}` {
		t.Fatalf("marshal = %s, %v", b, err)
	}
	var back Time
	if err := json.Unmarshal([]byte("1796526000.25"), &back); err != nil || !time.Time(back).Equal(at) {
		t.Fatalf("unmarshal = %v, %v; want %v", time.Time(back), err, at)
	}
}
