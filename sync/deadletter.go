package sync

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"iter"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	gosync "sync"
	"time"
	"unicode/utf8"

	"github.com/rscgo/rscgo/internal/fsutil"
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

	// Escaped says that ID, Parent and Integration hold the record's
	// identifiers escaped (see Escape): one of them is not valid UTF-8 or
	// holds NUL (U+0000), which LinkedIn's API (JSON) and the stores
	// (JSON files, PostgreSQL text) cannot carry. Unescape gives them back.
	Escaped bool `json:"escaped,omitempty"`

	Reason   string `json:"reason"`
	Field    string `json:"field,omitempty"`  // field of a client-side validation failure
	Status   int    `json:"status,omitempty"` // LinkedIn's per-entity or batch status; 0 for client-side refusals
	Attempts int    `json:"attempts"`
	// Requested marks a resync request (RequestResync): not a refusal, but
	// a record an operator asked to send again. Attempts is then 0.
	Requested bool `json:"requested,omitempty"`
	// Held marks the refusal of a record the reconciliation already
	// counted as on LinkedIn (Reconciliation.Acknowledged): an update of
	// a record LinkedIn accepted before, which keeps that version. The
	// record then counts once: not again when LinkedIn accepts it, and
	// out of Acknowledged when the ATS deletes it. Unset for a record
	// LinkedIn never accepted, which counts when it does, as in letters
	// stored before the field existed.
	Held bool `json:"held,omitempty"`

	FirstFailedAt time.Time `json:"firstFailedAt"`
	LastFailedAt  time.Time `json:"lastFailedAt"`
	ModifiedAt    time.Time `json:"modifiedAt,omitzero"` // the record's ATS modification time when it failed
}

// Key identifies the dead letter within a customer: kind/parent/id, such
// as candidate//c1 or stage/a1/s1, after "escaped:" when Escaped and
// "delete:" for a failed deletion.
func (d DeadLetter) Key() string {
	k := string(d.Kind) + "/" + d.Parent + "/" + d.ID
	if d.Escaped {
		k = "escaped:" + k
	}
	if d.Delete {
		k = "delete:" + k
	}
	return k
}

// Escape returns d with ID, Parent and Integration escaped and Escaped
// set when one of them is not valid UTF-8 or holds NUL (U+0000), and d
// itself otherwise. The escape writes NUL, "%", "/" and each byte that is
// not part of valid UTF-8 as "%" and two upper-case hex digits, so that
// every store can keep the dead letter and its Key, which tells it from
// the dead letter of a record whose id is the escaped text. The engine
// stores its dead letters escaped.
func (d DeadLetter) Escape() DeadLetter {
	if d.Escaped || storable(d.ID) && storable(d.Parent) && storable(d.Integration) {
		return d
	}
	d.ID, d.Parent, d.Integration, d.Escaped = escapeID(d.ID), escapeID(d.Parent), escapeID(d.Integration), true
	return d
}

// Unescape returns d with the identifiers Escape escaped given back, and
// Escaped unset; d itself when it is not Escaped. Its Key is then no
// longer the one the store holds it under.
func (d DeadLetter) Unescape() DeadLetter {
	if !d.Escaped {
		return d
	}
	d.ID, _ = unescapeID(d.ID)
	d.Parent, _ = unescapeID(d.Parent)
	d.Integration, _ = unescapeID(d.Integration)
	d.Escaped = false
	return d
}

// storable reports whether s can be kept as it is by JSON and PostgreSQL
// text: valid UTF-8, without NUL.
func storable(s string) bool {
	i := 0
	for i < len(s) && s[i] != 0 && s[i] < utf8.RuneSelf { // the common case: ASCII
		i++
	}
	return i == len(s) || utf8.ValidString(s[i:]) && strings.IndexByte(s[i:], 0) < 0
}

// escapeID writes NUL, "%", "/" and every byte of s that is not part of
// valid UTF-8 as "%XX" (DeadLetter.Escape).
func escapeID(s string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); {
		c := s[i]
		r, size := utf8.DecodeRuneInString(s[i:])
		if c == 0 || c == '%' || c == '/' || r == utf8.RuneError && size == 1 {
			b.WriteByte('%')
			b.WriteByte(hex[c>>4])
			b.WriteByte(hex[c&0xf])
			i++
			continue
		}
		b.WriteString(s[i : i+size])
		i += size
	}
	return b.String()
}

// unescapeID is the inverse of escapeID (a path unescape: escapeID
// escapes every "%"); ok is false, and s returned as it is, when s holds a
// "%" not followed by two hex digits.
func unescapeID(s string) (_ string, ok bool) {
	u, err := url.PathUnescape(s)
	if err != nil {
		return s, false
	}
	return u, true
}

// ParseDeadLetterKey is the inverse of DeadLetter.Key: it returns the
// identity (kind, parent, id, and whether a deletion failed) that key
// names, escaped as the key holds it. A parent holding "/" cannot be told
// from its id (the parent ends at the first "/" after the kind), unless
// the key is escaped.
func ParseDeadLetterKey(key string) (DeadLetter, error) {
	var d DeadLetter
	rest, del := strings.CutPrefix(key, "delete:")
	rest, esc := strings.CutPrefix(rest, "escaped:")
	kind, rest, ok1 := strings.Cut(rest, "/")
	parent, id, ok2 := strings.Cut(rest, "/")
	d.Kind, d.Parent, d.ID, d.Delete, d.Escaped = EntityKind(kind), parent, id, del, esc
	if esc && ok2 {
		_, okp := unescapeID(parent)
		_, oki := unescapeID(id)
		ok2 = okp && oki && !strings.Contains(id, "/")
	}
	if !ok1 || !ok2 || id == "" || !knownKind(d.Kind) {
		return DeadLetter{}, fmt.Errorf("sync: %q is not a dead-letter key (kind/parent/id, such as candidate//c1 or stage/a1/s1)", key)
	}
	if hasParent := d.Kind != KindJob && d.Kind != KindCandidate && d.Kind != KindApplication; hasParent != (parent != "") {
		return DeadLetter{}, fmt.Errorf("sync: dead-letter key %q: a %s has %s parent", key, d.Kind, map[bool]string{true: "a", false: "no"}[hasParent])
	}
	return d, nil
}

// Phase returns the phase that sends records of kind k: stages go with
// their applications, notes and feedback are activities.
func (k EntityKind) Phase() Phase { return kindPhase(k) }

func knownKind(k EntityKind) bool {
	switch k {
	case KindJob, KindCandidate, KindApplication, KindStage, KindCandidateNote, KindApplicationNote, KindInterviewFeedback:
		return true
	}
	return false
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
func (s *MemoryDeadLetters) Put(ctx context.Context, customerID string, d DeadLetter) error {
	if ctx == nil {
		return errNilContext
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.m[customerID] == nil {
		s.m[customerID] = map[string]DeadLetter{}
	}
	s.m[customerID][d.Key()] = d
	return nil
}

// List implements DeadLetterStore.
func (s *MemoryDeadLetters) List(ctx context.Context, customerID string) iter.Seq2[DeadLetter, error] {
	if ctx == nil {
		return nilContextSeq[DeadLetter]()
	}
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
func (s *MemoryDeadLetters) Delete(ctx context.Context, customerID, key string) error {
	if ctx == nil {
		return errNilContext
	}
	s.mu.Lock()
	delete(s.m[customerID], key)
	s.mu.Unlock()
	return nil
}

// FileDeadLetters is a DeadLetterStore keeping one small JSON file per dead
// letter, in a directory per customer (directories 0700, files 0600,
// written crash-safely), beside a small document naming the directory's
// customer.
type FileDeadLetters struct {
	root *fsutil.Dir
	mu   gosync.Mutex
	dirs map[string]*fsutil.Dir // by customer
}

// NewFileDeadLetters returns a FileDeadLetters in dir, creating it if needed.
func NewFileDeadLetters(dir string) (*FileDeadLetters, error) {
	root, err := fsutil.OpenDir(dir)
	if err != nil {
		return nil, fmt.Errorf("sync: NewFileDeadLetters: %w", err)
	}
	return &FileDeadLetters{root: root, dirs: map[string]*fsutil.Dir{}}, nil
}

// custDir opens the customer's directory (created only when create is set;
// nil when it does not exist).
func (s *FileDeadLetters) custDir(customerID string, create bool) (*fsutil.Dir, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if d := s.dirs[customerID]; d != nil {
		return d, nil
	}
	path := filepath.Join(s.root.Path(), strings.TrimSuffix(fsutil.FileName(customerID), ".json"))
	if !create {
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
	}
	// The directory's owner, a document beside it that names the customer
	// (its envelope's key): where case is ignored, customers Acme and acme
	// open one directory, and the owner's document refuses the second
	// (fsutil.Dir refuses another key's document).
	var owner struct{}
	if ok, err := s.root.Load(customerID, &owner); err != nil {
		return nil, fmt.Errorf("sync: dead letters of %q: %w", customerID, err)
	} else if !ok {
		if err := s.root.Save(customerID, owner); err != nil {
			return nil, fmt.Errorf("sync: dead letters of %q: %w", customerID, err)
		}
	}
	d, err := fsutil.OpenDir(path)
	if err != nil {
		return nil, err
	}
	s.dirs[customerID] = d
	return d, nil
}

// Put implements DeadLetterStore.
func (s *FileDeadLetters) Put(ctx context.Context, customerID string, d DeadLetter) error {
	if ctx == nil {
		return errNilContext
	}
	dir, err := s.custDir(customerID, true)
	if err == nil {
		err = dir.Save(d.Key(), d)
	}
	if err != nil {
		return fmt.Errorf("sync: storing a dead letter: %w", err)
	}
	return nil
}

// List implements DeadLetterStore, in Key order. It holds the keys in
// memory, and reads one dead letter at a time.
func (s *FileDeadLetters) List(ctx context.Context, customerID string) iter.Seq2[DeadLetter, error] {
	if ctx == nil {
		return nilContextSeq[DeadLetter]()
	}
	return func(yield func(DeadLetter, error) bool) {
		dir, err := s.custDir(customerID, false)
		if dir == nil && err == nil {
			return
		}
		var keys []string
		if err == nil {
			keys, err = dir.Keys()
		}
		if err != nil {
			yield(DeadLetter{}, fmt.Errorf("sync: listing dead letters: %w", err))
			return
		}
		slices.Sort(keys)
		for _, k := range keys {
			if err := ctx.Err(); err != nil {
				yield(DeadLetter{}, err)
				return
			}
			var d DeadLetter
			ok, err := dir.Load(k, &d)
			if err != nil {
				yield(DeadLetter{}, fmt.Errorf("sync: reading dead letter %q: %w", k, err))
				return
			}
			if ok && !yield(d, nil) { // !ok: deleted meanwhile
				return
			}
		}
	}
}

// Delete implements DeadLetterStore.
func (s *FileDeadLetters) Delete(ctx context.Context, customerID, key string) error {
	if ctx == nil {
		return errNilContext
	}
	dir, err := s.custDir(customerID, false)
	if dir == nil || err != nil {
		return err
	}
	return dir.Delete(key)
}
