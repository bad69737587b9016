package onboarding

import (
	"context"
	"encoding/json"
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
func (s *MemoryStore) LoadState(ctx context.Context, customerID string) (*FlowState, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	return memLoad[FlowState](&s.mu, s.states, customerID)
}

// SaveState implements StateStore.
func (s *MemoryStore) SaveState(ctx context.Context, st *FlowState) error {
	if ctx == nil {
		return errNilContext
	}
	return memSave(&s.mu, s.states, st.CustomerID, st)
}

// LoadConsent implements ConsentStore.
func (s *MemoryStore) LoadConsent(ctx context.Context, customerID string) (*Consent, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	return memLoad[Consent](&s.mu, s.consent, customerID)
}

// SaveConsent implements ConsentStore.
func (s *MemoryStore) SaveConsent(ctx context.Context, c *Consent) error {
	if ctx == nil {
		return errNilContext
	}
	return memSave(&s.mu, s.consent, c.CustomerID, c)
}

// FileStore keeps one JSON document per customer in dir/state and
// dir/consent, saved crash-safely (a crash leaves the old document or the
// new one) with mode 0600 in directories of mode 0700, tightened if they
// exist. A state holds the customer's ids, contract and organization URNs,
// application client ids and integration status; a consent holds who
// granted or revoked it (an ATS user id or email) and when. Neither holds
// a secret. It serialises access within one process; run one writer process
// per directory.
type FileStore struct {
	state, consent *fsutil.Dir
}

// NewFileStore returns a FileStore in dir, creating it if needed.
func NewFileStore(dir string) (*FileStore, error) {
	state, err := fsutil.OpenDir(filepath.Join(dir, "state"))
	if err != nil {
		return nil, fmt.Errorf("onboarding: file store: %w", err)
	}
	consent, err := fsutil.OpenDir(filepath.Join(dir, "consent"))
	if err != nil {
		return nil, fmt.Errorf("onboarding: file store: %w", err)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, fmt.Errorf("onboarding: file store: %w", err)
	}
	return &FileStore{state: state, consent: consent}, nil
}

func fileLoad[T any](d *fsutil.Dir, kind, key string) (*T, error) {
	v := new(T)
	found, err := d.Load(key, v)
	if err != nil {
		return nil, fmt.Errorf("onboarding: reading %s of %q: %w", kind, key, err)
	}
	if !found {
		return nil, nil
	}
	return v, nil
}

func fileSave(d *fsutil.Dir, kind, key string, v any) error {
	if err := d.Save(key, v); err != nil {
		return fmt.Errorf("onboarding: saving %s of %q: %w", kind, key, err)
	}
	return nil
}

// LoadState implements StateStore.
func (s *FileStore) LoadState(ctx context.Context, customerID string) (*FlowState, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	return fileLoad[FlowState](s.state, "state", customerID)
}

// SaveState implements StateStore.
func (s *FileStore) SaveState(ctx context.Context, st *FlowState) error {
	if ctx == nil {
		return errNilContext
	}
	return fileSave(s.state, "state", st.CustomerID, st)
}

// LoadConsent implements ConsentStore.
func (s *FileStore) LoadConsent(ctx context.Context, customerID string) (*Consent, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	return fileLoad[Consent](s.consent, "consent", customerID)
}

// SaveConsent implements ConsentStore.
func (s *FileStore) SaveConsent(ctx context.Context, c *Consent) error {
	if ctx == nil {
		return errNilContext
	}
	return fileSave(s.consent, "consent", c.CustomerID, c)
}
