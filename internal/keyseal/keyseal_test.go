package keyseal_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

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

// kmsStandIn answers Encrypt and Decrypt as KMS does for one key: Decrypt succeeds only
// with the key and the encryption context Encrypt was given.
type kmsStandIn struct {
	key    string
	sealed map[string]kms.EncryptInput // ciphertext → what was encrypted
}

func (f *kmsStandIn) Encrypt(_ context.Context, in *kms.EncryptInput, _ ...func(*kms.Options)) (*kms.EncryptOutput, error) {
	blob := fmt.Sprintf("blob-%d", len(f.sealed))
	f.sealed[blob] = *in
	return &kms.EncryptOutput{CiphertextBlob: []byte(blob), KeyId: in.KeyId}, nil
}

func (f *kmsStandIn) Decrypt(_ context.Context, in *kms.DecryptInput, _ ...func(*kms.Options)) (*kms.DecryptOutput, error) {
	was, ok := f.sealed[string(in.CiphertextBlob)]
	if !ok || aws.ToString(in.KeyId) != f.key || !maps.Equal(was.EncryptionContext, in.EncryptionContext) {
		return nil, errors.New("InvalidCiphertextException")
	}
	return &kms.DecryptOutput{Plaintext: was.Plaintext}, nil
}

func TestKMS(t *testing.T) {
	client := &kmsStandIn{key: "alias/gantry-access-keys", sealed: map[string]kms.EncryptInput{}}
	k := keyseal.NewKMS(client, "alias/gantry-access-keys")
	sealed, err := k.Seal(t.Context(), []byte("secret"), "GKIA1")
	if err != nil {
		t.Fatal(err)
	}
	if got := client.sealed[string(sealed)]; aws.ToString(got.KeyId) != "alias/gantry-access-keys" || got.EncryptionContext["gantry:owner"] != "GKIA1" {
		t.Fatalf("Encrypt was asked %+v, want the key and the owner in the encryption context", got)
	}
	plain, err := k.Open(t.Context(), sealed, "GKIA1")
	if err != nil || string(plain) != "secret" {
		t.Fatalf("open = %q, %v", plain, err)
	}
	if _, err := k.Open(t.Context(), sealed, "GKIA2"); err == nil {
		t.Fatal("a secret opened under another owner's context")
	}
}
