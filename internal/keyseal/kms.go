package keyseal

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kms"

	"github.com/gantry-platform/gantry/internal/platform"
)

// KMSClient is the part of *kms.Client the sealer uses.
type KMSClient interface {
	Encrypt(ctx context.Context, in *kms.EncryptInput, optFns ...func(*kms.Options)) (*kms.EncryptOutput, error)
	Decrypt(ctx context.Context, in *kms.DecryptInput, optFns ...func(*kms.Options)) (*kms.DecryptOutput, error)
}

// KMS seals with an AWS KMS key: the sealed secret is KMS's ciphertext, bound to its owner
// by the encryption context {"gantry:owner": context}, so that KMS opens it only for that
// owner (and CloudTrail names the owner of each decryption).
type KMS struct {
	client KMSClient
	keyID  string
}

var _ platform.Sealer = (*KMS)(nil)

// NewKMS returns a sealer on the KMS key keyID (an id, ARN or alias), reached through client.
func NewKMS(client KMSClient, keyID string) *KMS { return &KMS{client: client, keyID: keyID} }

// encryptionContextKey names the owner in KMS's encryption context.
const encryptionContextKey = "gantry:owner"

// Seal encrypts plaintext under the key, bound to context. Errors are Internal.
func (k *KMS) Seal(ctx context.Context, plaintext []byte, context string) ([]byte, error) {
	out, err := k.client.Encrypt(ctx, &kms.EncryptInput{KeyId: aws.String(k.keyID), Plaintext: plaintext,
		EncryptionContext: map[string]string{encryptionContextKey: context}})
	if err != nil {
		return nil, fmt.Errorf("keyseal: KMS Encrypt: %w", err)
	}
	return out.CiphertextBlob, nil
}

// Open decrypts what Seal sealed under the same context. Errors are Internal.
func (k *KMS) Open(ctx context.Context, sealed []byte, context string) ([]byte, error) {
	out, err := k.client.Decrypt(ctx, &kms.DecryptInput{KeyId: aws.String(k.keyID), CiphertextBlob: sealed,
		EncryptionContext: map[string]string{encryptionContextKey: context}})
	if err != nil {
		return nil, fmt.Errorf("keyseal: KMS Decrypt (owner %s): %w", context, err)
	}
	return out.Plaintext, nil
}
