package sync

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"slices"
	"strings"
	gosync "sync"
	"time"
)

// DeadLetter is a record LinkedIn (or the client-side validation) refused.
// It holds the record's identity and the reason, not its contents: the ATS
// keeps the data, and RetryDeadLetters reads the record again from the
// Source once the ATS data is fixed. Reasons come from LinkedIn's error
// messages and the SDK's validation rules (field names and rules, no values).
type DeadLetter struct {
	Kind   EntityKind `json:"kind"`
	ID     string     `json:"id"`
	Parent string     `json:"parent,omitempty"` // candidate or application id of notes, feedback and stages
	// Delete is set when the failed operation was a deletion.
	Delete bool `json:"delete,omitempty"`
	// Integration is the integration context of a failed deletion.
	Integration string `json:"integration,omitempty"`

	Reason   string `json:"reason"`
	Field    string `json:"field,omitempty"`  // field of a client-side validation failure
	Status   int    `json:"status,omitempty"` // LinkedIn's per-entity or batch status; 0 for client-side refusals
	Attempts int    `json:"attempts"`

	FirstFailedAt time.Time `json:"firstFailedAt"`
	LastFailedAt  time.Time `json:"lastFailedAt"`
	ModifiedAt    time.Time `json:"modifiedAt,omitzero"` // the record's ATS modification time when it failed
}

// Key identifies the dead letter within a customer.
func (d DeadLetter) Key() string {
	k := string(d.Kind) + "/" + d.Parent + "/" + d.ID
	if d.Delete {
		k = "delete:" + k
	}
	return k
}

// DeadLetterStore keeps dead letters per customer. Put replaces a dead
// letter with the same Key.
type DeadLetterStore interface {
	Put(ctx context.Context, customerID string, d DeadLetter) error
	// List yields the customer's dead letters, in Key order.
	List(ctx context.Context, customerID string) iter.Seq2[DeadLetter, error]
	Delete(ctx context.Context, customerID, key string) error
}

// MemoryDeadLetters is a DeadLetterStore in memory.
type MemoryDeadLetters struct {
	mu gosync.Mutex
	m  map[string]map[string]DeadLetter
}

// NewMemoryDeadLetters returns an empty MemoryDeadLetters.
func NewMemoryDeadLetters() *MemoryDeadLetters {
	return &MemoryDeadLetters{m: map[string]map[string]DeadLetter{}}
}

// Put implements DeadLetterStore.
func (s *MemoryDeadLetters) Put(_ context.Context, customerID string, d DeadLetter) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m[customerID] == nil {
		s.m[customerID] = map[string]DeadLetter{}
	}
	s.m[customerID][d.Key()] = d
	return nil
}

// List implements DeadLetterStore.
func (s *MemoryDeadLetters) List(_ context.Context, customerID string) iter.Seq2[DeadLetter, error] {
	s.mu.Lock()
	out := make([]DeadLetter, 0, len(s.m[customerID]))
	for _, d := range s.m[customerID] {
		out = append(out, d)
	}
	s.mu.Unlock()
	slices.SortFunc(out, func(a, b DeadLetter) int { return cmp.Compare(a.Key(), b.Key()) })
	return func(yield func(DeadLetter, error) bool) {
		for _, d := range out {
			if !yield(d, nil) {
				return
			}
		}
	}
}

// Delete implements DeadLetterStore.
func (s *MemoryDeadLetters) Delete(_ context.Context, customerID, key string) error {
	s.mu.Lock()
	delete(s.m[customerID], key)
	s.mu.Unlock()
	return nil
}

// FileDeadLetters is a DeadLetterStore keeping one small JSON file per dead
// letter, in a directory per customer (files 0600, written atomically).
// Listing streams the directory, so memory does not grow with the queue.
type FileDeadLetters struct {
	dir string
}

// NewFileDeadLetters returns a FileDeadLetters in dir, creating it if needed.
func NewFileDeadLetters(dir string) (*FileDeadLetters, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("sync: NewFileDeadLetters: %w", err)
	}
	return &FileDeadLetters{dir: dir}, nil
}

func (s *FileDeadLetters) custDir(customerID string) string {
	return filepath.Join(s.dir, fileName(customerID))
}

func dlFile(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:16]) + ".json"
}

// Put implements DeadLetterStore.
func (s *FileDeadLetters) Put(_ context.Context, customerID string, d DeadLetter) error {
	dir := s.custDir(customerID)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return writeFileAtomic(dir, filepath.Join(dir, dlFile(d.Key())), b, nil)
}

// List implements DeadLetterStore. Dead letters are yielded in file-name
// order, which is stable but not Key order.
func (s *FileDeadLetters) List(ctx context.Context, customerID string) iter.Seq2[DeadLetter, error] {
	return func(yield func(DeadLetter, error) bool) {
		dir := s.custDir(customerID)
		f, err := os.Open(dir)
		if errors.Is(err, fs.ErrNotExist) {
			return
		}
		if err != nil {
			yield(DeadLetter{}, err)
			return
		}
		defer f.Close()
		for {
			if err := ctx.Err(); err != nil {
				yield(DeadLetter{}, err)
				return
			}
			names, err := f.Readdirnames(256)
			slices.Sort(names)
			for _, n := range names {
				if !strings.HasSuffix(n, ".json") || strings.HasPrefix(n, ".") {
					continue
				}
				b, rerr := os.ReadFile(filepath.Join(dir, n))
				if errors.Is(rerr, fs.ErrNotExist) {
					continue // deleted meanwhile
				}
				var d DeadLetter
				if rerr == nil {
					rerr = json.Unmarshal(b, &d)
				}
				if rerr != nil {
					yield(DeadLetter{}, fmt.Errorf("sync: reading dead letter %s: %w", n, rerr))
					return
				}
				if !yield(d, nil) {
					return
				}
			}
			if err != nil {
				return // io.EOF or a read error at the end of the directory
			}
		}
	}
}

// Delete implements DeadLetterStore.
func (s *FileDeadLetters) Delete(_ context.Context, customerID, key string) error {
	err := os.Remove(filepath.Join(s.custDir(customerID), dlFile(key)))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}
