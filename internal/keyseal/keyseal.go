// Package keyseal seals small secrets (access key secrets) at rest. Local mode uses
// LocalKey, AES-256-GCM under a key file of its own; on AWS, KMS seals them (KMS).
package keyseal

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"errors"
	"fmt"
	"os"

	"github.com/gantry-platform/gantry/internal/platform"
)

// LocalKey seals with AES-256-GCM: a random nonce, then the ciphertext; the context is the
// additional data, so a sealed secret opens only for its owner.
type LocalKey struct{ aead cipher.AEAD }

var _ platform.Sealer = (*LocalKey)(nil)

// NewLocalKey returns a sealer using key, which must be 32 bytes.
func NewLocalKey(key []byte) (*LocalKey, error) {
	if len(key) != 32 {
		return nil, fmt.Errorf("keyseal: the key must be 32 bytes, is %d", len(key))
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &LocalKey{aead: aead}, nil
}

// LoadLocalKey reads the key file at path, creating it (mode 0600) with a random key when
// it does not exist.
func LoadLocalKey(path string) (*LocalKey, error) {
	key, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		key = make([]byte, 32)
		if _, err := rand.Read(key); err != nil {
			return nil, err
		}
		if err := os.WriteFile(path, key, 0o600); err != nil {
			return nil, err
		}
	} else if err != nil {
		return nil, err
	}
	return NewLocalKey(key)
}

// Seal encrypts plaintext bound to context.
func (k *LocalKey) Seal(_ context.Context, plaintext []byte, context string) ([]byte, error) {
	nonce := make([]byte, k.aead.NonceSize(), k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return k.aead.Seal(nonce, nonce, plaintext, []byte(context)), nil
}

// Open decrypts what Seal sealed under the same context; Internal when it does not open.
func (k *LocalKey) Open(_ context.Context, sealed []byte, context string) ([]byte, error) {
	n := k.aead.NonceSize()
	if len(sealed) < n+k.aead.Overhead() {
		return nil, platform.Errorf(platform.Internal, "keyseal: sealed secret too short")
	}
	plain, err := k.aead.Open(nil, sealed[:n], sealed[n:], []byte(context))
	if err != nil {
		return nil, platform.Errorf(platform.Internal, "keyseal: the sealed secret does not open under context %q", context)
	}
	return plain, nil
}
