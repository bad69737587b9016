package onboarding_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/rscgo/rscgo/onboarding"
)

// encryptedStore is a SecretStore that encrypts client secrets with
// AES-256-GCM under a key the vendor supplies (from a KMS or an
// environment variable, never from the same disk) before handing them to
// another store: a FileSecretStore here, your database in production. The
// reference is the additional data, so a ciphertext copied under another
// reference does not decrypt.
type encryptedStore struct {
	aead  cipher.AEAD
	inner onboarding.SecretStore
}

func newEncryptedStore(key []byte, inner onboarding.SecretStore) (*encryptedStore, error) {
	if len(key) != 32 {
		return nil, errors.New("encryptedStore: the key must be 32 bytes (AES-256)")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &encryptedStore{aead: aead, inner: inner}, nil
}

func (s *encryptedStore) Put(ctx context.Context, ref string, c onboarding.Credentials) error {
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return err
	}
	sealed := s.aead.Seal(nonce, nonce, []byte(c.ClientSecret), []byte(ref))
	c.ClientSecret = "v1:" + base64.StdEncoding.EncodeToString(sealed)
	return s.inner.Put(ctx, ref, c)
}

func (s *encryptedStore) Get(ctx context.Context, ref string) (onboarding.Credentials, error) {
	c, err := s.inner.Get(ctx, ref)
	if err != nil {
		return c, err
	}
	b64, ok := strings.CutPrefix(c.ClientSecret, "v1:")
	sealed, err := base64.StdEncoding.DecodeString(b64)
	if !ok || err != nil || len(sealed) < s.aead.NonceSize() {
		return onboarding.Credentials{}, fmt.Errorf("secret %q is not encrypted by this store", ref)
	}
	n := s.aead.NonceSize()
	plain, err := s.aead.Open(nil, sealed[:n], sealed[n:], []byte(ref))
	if err != nil {
		// Do not wrap: the error says nothing useful and no secret.
		return onboarding.Credentials{}, fmt.Errorf("secret %q does not decrypt with this key", ref)
	}
	c.ClientSecret = string(plain)
	return c, nil
}

func (s *encryptedStore) Delete(ctx context.Context, ref string) error {
	return s.inner.Delete(ctx, ref)
}

// A SecretStore that encrypts client secrets with a key the vendor
// supplies, over a FileSecretStore. Pass it to NewFlow with
// WithSecretStore.
func Example_encryptedSecretStore() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "secrets")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	files, err := onboarding.NewFileSecretStore(filepath.Join(dir, "secrets"))
	if err != nil {
		panic(err)
	}
	key := make([]byte, 32) // in production: from your KMS or an environment variable
	if _, err := rand.Read(key); err != nil {
		panic(err)
	}
	store, err := newEncryptedStore(key, files)
	if err != nil {
		panic(err)
	}
	if err := store.Put(ctx, "rsc/child-app/acme", onboarding.Credentials{ClientID: "86abc", ClientSecret: "s3cr3t"}); err != nil {
		panic(err)
	}
	onDisk, _ := files.Get(ctx, "rsc/child-app/acme")
	fmt.Println("clear text on disk:", strings.Contains(onDisk.ClientSecret, "s3cr3t"))
	c, err := store.Get(ctx, "rsc/child-app/acme")
	fmt.Println(c.ClientID, c.ClientSecret == "s3cr3t", err)
	// Output:
	// clear text on disk: false
	// 86abc true <nil>
}
