package onboarding

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
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
	ClientID     string
	ClientSecret string
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

// SecretStore keeps child application credentials. The onboarding state
// only holds the reference (Contract.SecretRef); implementations may be
// backed by a vault or a KMS. They must be safe for concurrent use.
type SecretStore interface {
	// Put stores creds under ref, replacing what was there.
	Put(ctx context.Context, ref string, creds Credentials) error
	// Get returns the credentials under ref, or an error wrapping
	// ErrSecretNotFound.
	Get(ctx context.Context, ref string) (Credentials, error)
	// Delete removes ref; deleting a missing ref is not an error.
	Delete(ctx context.Context, ref string) error
}

// SecretRef returns the secret store reference of a child application
// identified by its uniqueForeignId.
func SecretRef(foreignID string) string { return "rsc/child-app/" + foreignID }

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
func (s *MemorySecretStore) Put(_ context.Context, ref string, creds Credentials) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[ref] = creds
	return nil
}

// Get implements SecretStore.
func (s *MemorySecretStore) Get(_ context.Context, ref string) (Credentials, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.m[ref]
	if !ok {
		return Credentials{}, fmt.Errorf("onboarding: secret %q: %w", ref, ErrSecretNotFound)
	}
	return c, nil
}

// Delete implements SecretStore.
func (s *MemorySecretStore) Delete(_ context.Context, ref string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, ref)
	return nil
}

// FileSecretStore keeps one file per reference in a directory created with
// mode 0700; files are written atomically with mode 0600. File names are the
// SHA-256 of the reference, so references may contain any character.
type FileSecretStore struct {
	dir string
	mu  sync.Mutex
}

// NewFileSecretStore returns a store in dir, creating it (0700) if needed.
func NewFileSecretStore(dir string) (*FileSecretStore, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("onboarding: secret store: %w", err)
	}
	return &FileSecretStore{dir: dir}, nil
}

type fileSecret struct {
	Ref          string `json:"ref"`
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
}

func (s *FileSecretStore) path(ref string) string {
	sum := sha256.Sum256([]byte(ref))
	return filepath.Join(s.dir, hex.EncodeToString(sum[:])+".json")
}

// Put implements SecretStore.
func (s *FileSecretStore) Put(_ context.Context, ref string, creds Credentials) error {
	b, err := json.Marshal(fileSecret{Ref: ref, ClientID: creds.ClientID, ClientSecret: creds.ClientSecret})
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := fsutil.WriteFile(s.path(ref), b, 0o600); err != nil {
		return fmt.Errorf("onboarding: storing secret %q: %w", ref, err)
	}
	return nil
}

// Get implements SecretStore.
func (s *FileSecretStore) Get(_ context.Context, ref string) (Credentials, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	b, err := os.ReadFile(s.path(ref))
	if errors.Is(err, os.ErrNotExist) {
		return Credentials{}, fmt.Errorf("onboarding: secret %q: %w", ref, ErrSecretNotFound)
	}
	if err != nil {
		return Credentials{}, fmt.Errorf("onboarding: reading secret %q: %w", ref, err)
	}
	var fs fileSecret
	if err := json.Unmarshal(b, &fs); err != nil {
		// Do not wrap: a JSON syntax error may quote part of the file.
		return Credentials{}, fmt.Errorf("onboarding: secret %q is corrupt", ref)
	}
	return Credentials{ClientID: fs.ClientID, ClientSecret: fs.ClientSecret}, nil
}

// Delete implements SecretStore.
func (s *FileSecretStore) Delete(_ context.Context, ref string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := os.Remove(s.path(ref)); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("onboarding: deleting secret %q: %w", ref, err)
	}
	return nil
}
