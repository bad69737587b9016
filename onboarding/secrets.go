package onboarding

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"sync"

	"github.com/rscgo/rscgo/internal/fsutil"
)

// ErrSecretNotFound is returned by a SecretStore when it holds nothing under
// the reference.
var ErrSecretNotFound = errors.New("onboarding: secret not found")

// Credentials are a child application's OAuth client credentials. The
// secret never appears in String, GoString, JSON or slog output; only a
// SecretStore sees it.
type Credentials struct {
	ClientID     string // the OAuth client id
	ClientSecret string // the OAuth client secret
}

const redacted = "[REDACTED]"

// String never prints the client secret.
func (c Credentials) String() string {
	return fmt.Sprintf("Credentials{ClientID:%s ClientSecret:%s}", c.ClientID, redacted)
}

// GoString never prints the client secret.
func (c Credentials) GoString() string { return c.String() }

// LogValue never logs the client secret.
func (c Credentials) LogValue() slog.Value {
	return slog.GroupValue(slog.String("clientId", c.ClientID), slog.String("clientSecret", redacted))
}

// MarshalJSON never encodes the client secret. Secret stores use their own
// encoding.
func (c Credentials) MarshalJSON() ([]byte, error) {
	return json.Marshal(map[string]string{"clientId": c.ClientID, "clientSecret": redacted})
}

// SecretStore keeps child application credentials: each customer
// instance's client id and client secret, which authenticate as that
// customer to LinkedIn and verify its pushes. The onboarding state holds
// only the reference (Application.SecretRef). Implementations must be safe
// for concurrent use.
//
// In production, keep the secrets in your secret manager: implement
// SecretStore over your vault or cloud KMS (HashiCorp Vault, AWS Secrets
// Manager, Google Secret Manager, Azure Key Vault), so that they are
// encrypted at rest, access-controlled and audited. When they must live in
// your own database or files, encrypt them with a key you keep elsewhere
// (an environment variable or a KMS): the SecretStore example wraps another
// store with AES-GCM. MemorySecretStore loses everything when the process
// ends; FileSecretStore writes the secrets in clear text to files only its
// user can read.
type SecretStore interface {
	// Put stores creds under ref, replacing what was there.
	Put(ctx context.Context, ref string, creds Credentials) error
	// Get returns the credentials under ref, or an error wrapping
	// ErrSecretNotFound.
	Get(ctx context.Context, ref string) (Credentials, error)
	// Delete removes ref; deleting a missing ref is not an error.
	Delete(ctx context.Context, ref string) error
}

// secretRef returns the secret store reference of a child application
// identified by its uniqueForeignId.
func secretRef(foreignID string) string { return "rsc/child-app/" + foreignID }

// MemorySecretStore is an in-memory SecretStore (tests, single process).
type MemorySecretStore struct {
	mu sync.Mutex
	m  map[string]Credentials
}

// NewMemorySecretStore returns an empty in-memory store.
func NewMemorySecretStore() *MemorySecretStore {
	return &MemorySecretStore{m: map[string]Credentials{}}
}

// String describes the store without its contents, so printing it (for
// example with %v in a log line) never shows a secret.
func (s *MemorySecretStore) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return fmt.Sprintf("onboarding.MemorySecretStore{%d entries}", len(s.m))
}

// GoString is String, for %#v.
func (s *MemorySecretStore) GoString() string { return s.String() }

// Put implements SecretStore.
func (s *MemorySecretStore) Put(ctx context.Context, ref string, creds Credentials) error {
	if ctx == nil {
		return errNilContext
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[ref] = creds
	return nil
}

// Get implements SecretStore.
func (s *MemorySecretStore) Get(ctx context.Context, ref string) (Credentials, error) {
	if ctx == nil {
		return Credentials{}, errNilContext
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.m[ref]
	if !ok {
		return Credentials{}, fmt.Errorf("onboarding: secret %q: %w", ref, ErrSecretNotFound)
	}
	return c, nil
}

// Delete implements SecretStore.
func (s *MemorySecretStore) Delete(ctx context.Context, ref string) error {
	if ctx == nil {
		return errNilContext
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, ref)
	return nil
}

// FileSecretStore keeps credentials in files, one per reference, in a
// directory of mode 0700 (tightened if it exists) with files of mode 0600,
// saved crash-safely. The secrets are in clear text on disk: it suits a
// single host whose disk is encrypted and whose other users cannot read the
// service account's files. See SecretStore for production storage.
type FileSecretStore struct {
	dir *fsutil.Dir
}

// NewFileSecretStore returns a store in dir, creating it if needed.
func NewFileSecretStore(dir string) (*FileSecretStore, error) {
	d, err := fsutil.OpenDir(dir)
	if err != nil {
		return nil, fmt.Errorf("onboarding: secret store: %w", err)
	}
	return &FileSecretStore{dir: d}, nil
}

type fileSecret struct {
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
}

// Put implements SecretStore.
func (s *FileSecretStore) Put(ctx context.Context, ref string, creds Credentials) error {
	if ctx == nil {
		return errNilContext
	}
	if err := s.dir.Save(ref, fileSecret(creds)); err != nil {
		return fmt.Errorf("onboarding: storing secret %q: %w", ref, err)
	}
	return nil
}

// Get implements SecretStore.
func (s *FileSecretStore) Get(ctx context.Context, ref string) (Credentials, error) {
	if ctx == nil {
		return Credentials{}, errNilContext
	}
	var fs fileSecret
	found, err := s.dir.Load(ref, &fs)
	if err != nil {
		// Do not wrap: a JSON syntax error may quote part of the file.
		return Credentials{}, fmt.Errorf("onboarding: secret %q is unreadable or corrupt", ref)
	}
	if !found {
		return Credentials{}, fmt.Errorf("onboarding: secret %q: %w", ref, ErrSecretNotFound)
	}
	return Credentials(fs), nil
}

// Delete implements SecretStore.
func (s *FileSecretStore) Delete(ctx context.Context, ref string) error {
	if ctx == nil {
		return errNilContext
	}
	if err := s.dir.Delete(ref); err != nil {
		return fmt.Errorf("onboarding: deleting secret %q: %w", ref, err)
	}
	return nil
}
