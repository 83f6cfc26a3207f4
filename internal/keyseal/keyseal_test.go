package keyseal_test

import (
	"bytes"
	"path/filepath"
	"testing"

	"github.com/gantry-platform/gantry/internal/keyseal"
)

func TestLocalKey(t *testing.T) {
	path := filepath.Join(t.TempDir(), "key")
	k, err := keyseal.LoadLocalKey(path)
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
	sealed, err := k.Seal(t.Context(), secret, "GKIA1")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, secret) {
		t.Fatal("the sealed secret holds the plaintext")
	}
	again, err := keyseal.LoadLocalKey(path) // the same key file, reloaded
	if err != nil {
		t.Fatal(err)
	}
	plain, err := again.Open(t.Context(), sealed, "GKIA1")
	if err != nil || !bytes.Equal(plain, secret) {
		t.Fatalf("open = %q, %v; want the secret", plain, err)
	}
	if _, err := again.Open(t.Context(), sealed, "GKIA2"); err == nil {
		t.Fatal("a secret sealed for one key opened under another key's context")
	}
	tampered := bytes.Clone(sealed)
	tampered[len(tampered)-1] ^= 1
	if _, err := again.Open(t.Context(), tampered, "GKIA1"); err == nil {
		t.Fatal("a tampered sealed secret opened")
	}
	other, err := keyseal.LoadLocalKey(filepath.Join(t.TempDir(), "other"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := other.Open(t.Context(), sealed, "GKIA1"); err == nil {
		t.Fatal("another key file opened the secret")
	}
}
