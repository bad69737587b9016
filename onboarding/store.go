package onboarding

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"

	"github.com/rscgo/rscgo/internal/fsutil"
)

// StateStore persists each customer's onboarding state, so a Flow resumes
// after a crash or after the user leaves the page. MemoryStore and
// FileStore implement it. A FlowState never contains a secret.
type StateStore interface {
	// LoadState returns the customer's state, or nil, nil when there is none.
	LoadState(ctx context.Context, customerID string) (*FlowState, error)
	// SaveState replaces the customer's state.
	SaveState(ctx context.Context, st *FlowState) error
}

// MemoryStore keeps states and consents in memory (tests, one process).
// Values are copied in and out.
type MemoryStore struct {
	mu      sync.Mutex
	states  map[string][]byte
	consent map[string][]byte
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore {
	return &MemoryStore{states: map[string][]byte{}, consent: map[string][]byte{}}
}

func memLoad[T any](mu *sync.Mutex, m map[string][]byte, key string) (*T, error) {
	mu.Lock()
	b, ok := m[key]
	mu.Unlock()
	if !ok {
		return nil, nil
	}
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, err
	}
	return v, nil
}

func memSave(mu *sync.Mutex, m map[string][]byte, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	mu.Lock()
	m[key] = b
	mu.Unlock()
	return nil
}

// LoadState implements StateStore.
func (s *MemoryStore) LoadState(_ context.Context, customerID string) (*FlowState, error) {
	return memLoad[FlowState](&s.mu, s.states, customerID)
}

// SaveState implements StateStore.
func (s *MemoryStore) SaveState(_ context.Context, st *FlowState) error {
	return memSave(&s.mu, s.states, st.CustomerID, st)
}

// LoadConsent implements ConsentStore.
func (s *MemoryStore) LoadConsent(_ context.Context, customerID string) (*Consent, error) {
	return memLoad[Consent](&s.mu, s.consent, customerID)
}

// SaveConsent implements ConsentStore.
func (s *MemoryStore) SaveConsent(_ context.Context, c *Consent) error {
	return memSave(&s.mu, s.consent, c.CustomerID, c)
}

// FileStore keeps one JSON file per customer under dir/state and
// dir/consent, written atomically (temporary file, fsync, rename) with mode
// 0600. It serialises access within one process; run one writer process per
// directory.
type FileStore struct {
	dir string
	mu  sync.Mutex
}

// NewFileStore returns a FileStore in dir, creating it (0700) if needed.
func NewFileStore(dir string) (*FileStore, error) {
	for _, sub := range []string{"state", "consent"} {
		if err := os.MkdirAll(filepath.Join(dir, sub), 0o700); err != nil {
			return nil, fmt.Errorf("onboarding: file store: %w", err)
		}
	}
	return &FileStore{dir: dir}, nil
}

func (s *FileStore) path(kind, key string) string {
	sum := sha256.Sum256([]byte(key))
	return filepath.Join(s.dir, kind, hex.EncodeToString(sum[:16])+".json")
}

func fileLoad[T any](s *FileStore, kind, key string) (*T, error) {
	s.mu.Lock()
	b, err := os.ReadFile(s.path(kind, key))
	s.mu.Unlock()
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("onboarding: reading %s of %q: %w", kind, key, err)
	}
	v := new(T)
	if err := json.Unmarshal(b, v); err != nil {
		return nil, fmt.Errorf("onboarding: %s of %q is corrupt: %w", kind, key, err)
	}
	return v, nil
}

func fileSave(s *FileStore, kind, key string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := fsutil.WriteFile(s.path(kind, key), b, 0o600); err != nil {
		return fmt.Errorf("onboarding: saving %s of %q: %w", kind, key, err)
	}
	return nil
}

// LoadState implements StateStore.
func (s *FileStore) LoadState(_ context.Context, customerID string) (*FlowState, error) {
	return fileLoad[FlowState](s, "state", customerID)
}

// SaveState implements StateStore.
func (s *FileStore) SaveState(_ context.Context, st *FlowState) error {
	return fileSave(s, "state", st.CustomerID, st)
}

// LoadConsent implements ConsentStore.
func (s *FileStore) LoadConsent(_ context.Context, customerID string) (*Consent, error) {
	return fileLoad[Consent](s, "consent", customerID)
}

// SaveConsent implements ConsentStore.
func (s *FileStore) SaveConsent(_ context.Context, c *Consent) error {
	return fileSave(s, "consent", c.CustomerID, c)
}
