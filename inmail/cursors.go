package inmail

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/rscgo/rscgo/internal/fsutil"
)

// Cursors is the resumable position of every flow of one customer. Times
// are epoch milliseconds. It holds ids, times and the error text of failed
// export attempts only: never a message body, a note, an email or a
// secret.
type Cursors struct {
	// Seats are the seat holders found by the last seat refresh.
	Seats []SeatHolder `json:"seats,omitempty"`
	// SeatsAt is when the seats were last refreshed.
	SeatsAt int64 `json:"seatsAt,omitempty"`
	// Retiring are the seats a refresh found no longer active, read on
	// until every stream has passed the refresh that removed them.
	Retiring []RetiringSeat `json:"retiring,omitempty"`
	// InMail is the conversationEvents position per seat URN.
	InMail map[string]*Stream `json:"inMail,omitempty"`
	// Stubs is the mailStubs position per contract URN (Next = createdDateStart).
	Stubs map[string]*Stream `json:"stubs,omitempty"`
	// Notes is the prospectNotes position per contract URN (Next is the
	// first millisecond of the next window: cutoffDate Next-1, exclusive).
	Notes map[string]*Stream `json:"notes,omitempty"`
	// Closed is the closed-profiles position (Next = closedSince; Pending
	// holds members whose candidates the milestones did not allow yet, by
	// closure time, and PendingLast when a poll first held each of them:
	// the pending TTL runs from then, so a closure older than the TTL that
	// waits for Candidate Sync to complete is not given up at once).
	Closed *Stream `json:"closed,omitempty"`
	// ClosedAt is when closed profiles were last polled successfully.
	ClosedAt int64 `json:"closedAt,omitempty"`
	// ClosedMembers are members who closed their LinkedIn account, by
	// person URN, for ClosedMemberTTL: a candidate an export or a stub
	// profile brings in later (the ATS held none of theirs, or the
	// customer deleted it on the notice) gets the notice.
	ClosedMembers map[string]ClosedMember `json:"closedMembers,omitempty"`
	// Exports are recently handled export request ids, oldest first.
	Exports []string `json:"exports,omitempty"`
	// PendingExports is the export journal: request ids LinkedIn pushed
	// that the ATS does not hold yet, by request id (see AcceptExport).
	PendingExports map[string]PendingExport `json:"pendingExports,omitempty"`
	// DeadExports are export request ids given up on, by request id, until
	// an operator retries or dismisses them (RetryExport, DismissExport).
	DeadExports map[string]DeadExport `json:"deadExports,omitempty"`
	// DeadRecords are polled records given up on (InMail messages, notes,
	// stub profiles), by kind and id ("message:ID"), until an operator
	// retries or dismisses them (RetryRecord, DismissRecord).
	DeadRecords map[string]DeadRecord `json:"deadRecords,omitempty"`
	// Attaches are person URNs to attach on LinkedIn, by candidate id, for
	// exported candidates LinkedIn did not hold yet.
	Attaches map[string]string `json:"attaches,omitempty"`
}

// streamKind names one of the per-key stream maps of Cursors.
type streamKind int

const (
	streamsInMail streamKind = iota
	streamsNotes
	streamsStubs
)

// streams returns the map of kind.
func (c *Cursors) streams(kind streamKind) *map[string]*Stream {
	switch kind {
	case streamsNotes:
		return &c.Notes
	case streamsStubs:
		return &c.Stubs
	}
	return &c.InMail
}

// Stream is one resumable time cursor.
type Stream struct {
	// Next is the start of the next window (inclusive).
	Next int64 `json:"next"`
	// Pending maps a member (person URN) to the time of their oldest record
	// that could not be attached yet, because no candidate matched or the
	// milestones did not allow it. Those records are fetched again once a
	// candidate matches and is allowed.
	Pending map[string]int64 `json:"pending,omitempty"`
	// PendingLast maps a pending member to the time of their newest such
	// record: the member is given up once that one is older than the
	// pending TTL, not the oldest.
	PendingLast map[string]int64 `json:"pendingLast,omitempty"`
	// Owners are the seats whose records the stream has read up to Next,
	// for the streams read per contract (notes, stubs): a seat that joins
	// later has its history read up to Next on its own first.
	Owners []string `json:"owners,omitempty"`
	// Failing is the record the stream stopped at, its write having
	// failed (nil when none): after WithRecordAttempts polls in a row it
	// becomes a dead letter and the stream goes on.
	Failing *RecordFailure `json:"failing,omitempty"`
}

func (s *Stream) clone() *Stream {
	if s == nil {
		return nil
	}
	out := &Stream{Next: s.Next, Pending: maps.Clone(s.Pending), PendingLast: maps.Clone(s.PendingLast), Owners: slices.Clone(s.Owners)}
	if s.Failing != nil {
		f := *s.Failing
		out.Failing = &f
	}
	return out
}

func (s *Stream) addPending(member string, at int64) {
	if s.Pending == nil {
		s.Pending = map[string]int64{}
	}
	if s.PendingLast == nil {
		s.PendingLast = map[string]int64{}
	}
	if old, ok := s.Pending[member]; !ok || at < old {
		s.Pending[member] = at
	}
	if old, ok := s.PendingLast[member]; !ok || at > old {
		s.PendingLast[member] = at
	}
}

// mergePending adds o's pending members to s, with their oldest and
// newest pending records.
func (s *Stream) mergePending(o *Stream) {
	for m, at := range o.Pending {
		s.addPending(m, at)
		s.addPending(m, max(at, o.PendingLast[m]))
	}
}

// dropPending forgets a pending member.
func (s *Stream) dropPending(member string) {
	delete(s.Pending, member)
	delete(s.PendingLast, member)
}

// Clone returns a deep copy.
func (c Cursors) Clone() Cursors {
	out := c
	out.Seats = slices.Clone(c.Seats)
	out.Retiring = slices.Clone(c.Retiring)
	out.Exports = slices.Clone(c.Exports)
	out.Attaches = maps.Clone(c.Attaches)
	out.PendingExports = maps.Clone(c.PendingExports)
	out.DeadExports = maps.Clone(c.DeadExports)
	out.DeadRecords = maps.Clone(c.DeadRecords)
	out.ClosedMembers = maps.Clone(c.ClosedMembers)
	out.Closed = c.Closed.clone()
	cl := func(m map[string]*Stream) map[string]*Stream {
		if m == nil {
			return nil
		}
		o := make(map[string]*Stream, len(m))
		for k, v := range m {
			o[k] = v.clone()
		}
		return o
	}
	out.InMail, out.Stubs, out.Notes = cl(c.InMail), cl(c.Stubs), cl(c.Notes)
	return out
}

// CursorStore persists Cursors per customer. Implementations must be safe
// for concurrent use.
//
// A Retriever makes every change as a read-modify-write of the document
// the store holds at that moment, never of a copy it read earlier, so the
// changes of another Retriever of the customer (the webhook's, another
// replica's) are kept. Only a store that is also a CursorUpdater makes
// that read-modify-write atomic: over a plain CursorStore, a change that
// another Retriever saves between one Retriever's Load and its Save is
// lost, so a customer must then have one Retriever at a time.
type CursorStore interface {
	// Load returns the customer's cursors (the zero Cursors for an unknown customer).
	Load(ctx context.Context, customerID string) (Cursors, error)
	// Save replaces the customer's cursors durably.
	Save(ctx context.Context, customerID string, c Cursors) error
}

// CursorUpdater is a CursorStore that changes a customer's cursors
// atomically: what makes several Retrievers of one customer, in one
// process or in many, safe over one store. A Retriever uses Update for
// every change when its store has it. MemoryCursors and FileCursors
// implement it within one process; fleet/pgstore's InMailCursors across
// processes.
type CursorUpdater interface {
	CursorStore
	// Update applies f to the customer's cursors as stored now (the zero
	// Cursors for an unknown customer) and, when f reports a change, saves
	// the result durably, with no other change to the customer's cursors
	// in between. It returns the cursors as stored once it is done,
	// changed or not. f may be called more than once (an implementation
	// may retry a conflicting update), each time on a fresh copy of the
	// stored cursors, so it must do no I/O and set its results anew on
	// each call; it runs while the customer's cursors are locked, so it
	// must be quick. Nothing is saved when f reports no change or Update
	// fails.
	Update(ctx context.Context, customerID string, f func(c *Cursors) bool) (Cursors, error)
}

// MemoryCursors is an in-memory CursorStore.
type MemoryCursors struct {
	mu sync.Mutex
	m  map[string]Cursors
}

// NewMemoryCursors returns an empty MemoryCursors.
func NewMemoryCursors() *MemoryCursors { return &MemoryCursors{m: map[string]Cursors{}} }

// Load implements CursorStore.
func (s *MemoryCursors) Load(ctx context.Context, customerID string) (Cursors, error) {
	if err := ctxErr(ctx); err != nil {
		return Cursors{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.m[customerID].Clone(), nil
}

// Save implements CursorStore.
func (s *MemoryCursors) Save(ctx context.Context, customerID string, c Cursors) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[customerID] = c.Clone()
	return nil
}

// Update implements CursorUpdater: f runs under the store's lock.
func (s *MemoryCursors) Update(ctx context.Context, customerID string, f func(c *Cursors) bool) (Cursors, error) {
	if err := ctxErr(ctx); err != nil {
		return Cursors{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.m[customerID].Clone()
	if f(&c) {
		s.m[customerID] = c.Clone()
	}
	return s.m[customerID].Clone(), nil
}

// FileCursors is a CursorStore keeping one JSON document per customer in a
// directory of mode 0700 (tightened if it exists), with files of mode 0600
// saved crash-safely (a crash leaves the old cursors or the new ones).
// Cursors hold ids, person URNs, times and export failure reasons: no
// message, note, email or secret.
//
// A document holding a field this version does not know, written by a
// newer version, is refused (Load fails, and so does every change), not
// read without it: the next Save would drop it, and what it holds.
//
// Its Update (CursorUpdater) and Save are serialised by the FileCursors
// value, within one process only: Retrievers that share one FileCursors
// may serve one customer together, but two FileCursors over one
// directory, in one process or in two, do not lock each other out, and
// a change one of them saves between the other's read and write is lost.
type FileCursors struct {
	mu  sync.Mutex // serialises Update and Save
	dir *fsutil.Dir
}

// NewFileCursors returns a FileCursors keeping its files in dir, creating
// it if needed.
func NewFileCursors(dir string) (*FileCursors, error) {
	d, err := fsutil.OpenDir(dir)
	if err != nil {
		return nil, fmt.Errorf("inmail: cursor store: %w", err)
	}
	return &FileCursors{dir: d}, nil
}

// Load implements CursorStore.
func (f *FileCursors) Load(ctx context.Context, customerID string) (Cursors, error) {
	if err := ctxErr(ctx); err != nil {
		return Cursors{}, err
	}
	if customerID == "" {
		return Cursors{}, errors.New("inmail: empty customer ID")
	}
	var raw json.RawMessage
	if _, err := f.dir.Load(customerID, &raw); err != nil {
		return Cursors{}, fmt.Errorf("inmail: read cursors: %w", err)
	}
	var c Cursors
	if raw == nil {
		return c, nil
	}
	// A field this version does not know was written by a newer one: read
	// without it, it would be dropped by the next Save.
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return Cursors{}, fmt.Errorf("inmail: read cursors of %q (written by a newer version?): %w", customerID, err)
	}
	return c, nil
}

// Save implements CursorStore.
func (f *FileCursors) Save(ctx context.Context, customerID string, c Cursors) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.saveLocked(customerID, c)
}

// saveLocked saves c; callers hold mu.
func (f *FileCursors) saveLocked(customerID string, c Cursors) error {
	if customerID == "" {
		return errors.New("inmail: empty customer ID")
	}
	if err := f.dir.Save(customerID, c); err != nil {
		return fmt.Errorf("inmail: write cursors: %w", err)
	}
	return nil
}

// Update implements CursorUpdater within one process: it reads, applies f
// and saves while holding the FileCursors' lock, which Save takes too.
func (f *FileCursors) Update(ctx context.Context, customerID string, fn func(c *Cursors) bool) (Cursors, error) {
	if ctx == nil {
		return Cursors{}, errNilContext
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	stored, err := f.Load(ctx, customerID)
	if err != nil {
		return Cursors{}, err
	}
	c := stored.Clone()
	if !fn(&c) {
		return stored, nil
	}
	if err := f.saveLocked(customerID, c); err != nil {
		return Cursors{}, err
	}
	return c, nil
}
