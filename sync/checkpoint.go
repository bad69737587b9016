package sync

import (
	"context"
	"maps"
	"slices"
	gosync "sync"
	"time"
)

// checkpointVersion is the format version written in every checkpoint.
const checkpointVersion = 1

// Checkpoint is everything the engine remembers about one customer between
// runs. It is saved after every acknowledged batch, so a crash loses at most
// the batches that were in flight.
type Checkpoint struct {
	Version    int       `json:"version"`
	CustomerID string    `json:"customerId"`
	StartedAt  time.Time `json:"startedAt"`  // first run of the historical sync
	WindowFrom time.Time `json:"windowFrom"` // start of the historical window (zero = all history)
	UpdatedAt  time.Time `json:"updatedAt"`  // last save
	Runs       int64     `json:"runs"`       // Run or RunSlice calls that reached the end of every phase
	// NarrowUntil is set when the daily quota parked the customer: until
	// then (the end of the UTC day after the reset) one batch is kept in
	// flight, so a day's quota finishes batches one after the other instead
	// of being spread over several that all fail and are resent whole. A
	// customer that hits the daily quota is bound by it, not by latency.
	NarrowUntil time.Time `json:"narrowUntil,omitzero"`
	// SweptAt is when the last sweep of the fresh lanes
	// (PhaseCheckpoint.Fresh) that reached the end of every lane ended; the
	// next is due WithFreshLane's interval later.
	SweptAt time.Time `json:"sweptAt,omitzero"`

	Phases map[Phase]*PhaseCheckpoint `json:"phases"`

	// Jobs is the state of every job the engine ever submitted, by
	// externalJobPostingId. It decides CREATE versus UPDATE: batch_create is
	// not idempotent, so a job is never created twice.
	Jobs map[string]JobState `json:"jobs,omitempty"`
	// Tasks are job tasks submitted but not yet seen terminal, by task URN.
	Tasks map[string]PendingTask `json:"tasks,omitempty"`
	// Clearing holds the keys of dead letters to delete from the
	// DeadLetterStore: of records LinkedIn now accepted (or that the ATS
	// deleted, or that a retry found gone or ineligible). They are saved
	// with the counts that go with them, then deleted, and the list
	// emptied and saved; a run that finds keys here (the process stopped
	// in between) deletes them before it starts. So a stop at any point
	// neither loses those counts nor keeps a letter the counts left.
	Clearing []string `json:"clearing,omitempty"`
}

// PhaseCheckpoint is the state of one phase.
type PhaseCheckpoint struct {
	// Cursor is the watermark: every record at or before it is acknowledged
	// by LinkedIn (or dead-lettered, or skipped as ineligible).
	Cursor      Cursor    `json:"cursor"`
	Completed   bool      `json:"completed"` // the historical pass of the phase finished
	CompletedAt time.Time `json:"completedAt,omitzero"`
	// PassFrom is the watermark when the current pass over the stream
	// began; InPass is set until the pass reaches the end of the stream. A
	// pass interrupted by a park, a slice budget or a crash keeps its
	// PassFrom, which decides what counts as a new record (created after
	// it) in the reconciliation.
	PassFrom Cursor `json:"passFrom,omitzero"`
	InPass   bool   `json:"inPass,omitempty"`
	// Held, when set, is a run of records sharing the position just after
	// Cursor that did not fit in one batch: the watermark stays before the
	// run until all of it is committed, and Held names the records of it
	// committed so far, which the next pass does not send again.
	Held *HeldRun `json:"held,omitempty"`
	// Fresh, while the phase's historical pass runs, is its fresh lane:
	// the records changed since the pass began, sent ahead of the backlog
	// (see the package documentation). Cursor then reads the backlog up to
	// Fresh.From only; when it gets there the phase is complete and its
	// watermark becomes the lane's. nil: no lane (a completed phase, or
	// WithFreshLane(0)).
	Fresh *FreshLane `json:"fresh,omitempty"`
	// FutureSent marks the records dated in the future (PhaseReport.Future)
	// the current cycle over the phases sent already, so that the slices
	// of one cycle do not send them again; see FutureMark.
	FutureSent FutureMark `json:"futureSent,omitzero"`

	Done             int64   `json:"done"`         // records processed by the historical pass
	Total            int64   `json:"total"`        // ATS total at the last count
	Incremental      int64   `json:"incremental"`  // records processed after completion
	Acknowledged     int64   `json:"acknowledged"` // distinct records LinkedIn holds, as far as the engine can tell
	DeadLettered     int64   `json:"deadLettered"` // records currently refused (dead letters), recounted from the dead-letter store at each run's start
	Ineligible       int64   `json:"ineligible"`   // records skipped as ineligible
	RecordsPerMinute float64 `json:"recordsPerMinute"`
}

// FutureMark is the last position of a record dated in the future that a
// cycle over the phases committed: the cycle is the one that began when
// the checkpoint's Runs was Runs. Every cycle sends such records again
// until their time comes, but once: a cycle cut into slices (a batch
// budget, a park) skips those up to Pos, as the watermark, which stays
// before them, cannot. Without it a slice of one batch would spend its
// budget on them every time and never reach the phases after them, and a
// runner told that work remains would run such slices back to back. A
// record dated in the future that moves to a position up to Pos within the
// cycle waits for the next one.
type FutureMark struct {
	Runs int64  `json:"runs"`
	Pos  Cursor `json:"pos"`
}

// FreshLane is the state of a phase's fresh lane (PhaseCheckpoint.Fresh).
// Its fields mean what the phase's fields of the same names mean, for the
// part of the stream after From.
type FreshLane struct {
	// From is where the lane begins: the position of the historical
	// pass's start (Checkpoint.StartedAt less the clock skew allowance),
	// or the backlog's watermark if that lay further on when the lane was
	// opened. The backlog reads the records at or before it, the lane
	// those after it.
	From Cursor `json:"from"`
	// Cursor is the lane's watermark: every record after From and at or
	// before it is acknowledged (or dead-lettered, or skipped).
	Cursor Cursor   `json:"cursor"`
	Held   *HeldRun `json:"held,omitempty"`
	// Counted holds a digest of the identity of each record the lane
	// counted as new although a later sweep may read it again: created at
	// or before From (the backlog may have sent it, or not), or dated in
	// the future. Each counts once (Done, Acknowledged). It grows with the
	// number of such records changed during the pass, and goes with the
	// lane when the pass completes.
	Counted []string `json:"counted,omitempty"`
}

// HeldRun is the committed part of a run of records that share one
// stream position (see PhaseCheckpoint.Held).
type HeldRun struct {
	Pos Cursor `json:"pos"`
	// Done holds a digest of the identity of each record of the run
	// committed (a record's kind, parent, id and integration context).
	Done []string `json:"done"`
}

func (h *HeldRun) clone() *HeldRun {
	if h == nil {
		return nil
	}
	return &HeldRun{Pos: h.Pos, Done: slices.Clone(h.Done)}
}

// JobState is what the engine knows about one job on LinkedIn's side.
type JobState struct {
	// State is one of "intent" (a CREATE may have reached LinkedIn: resend
	// as UPDATE), "pending" (a task is in flight), "posted" (listed),
	// "closed", or "failed" (never created: the next change sends CREATE).
	State string `json:"s"`
	// Close is set when the ATS has the job closed but LinkedIn does not yet:
	// it is closed once its CREATE succeeds.
	Close bool `json:"c,omitempty"`
	// Held is set once a task proves LinkedIn holds the job (a successful
	// CREATE, UPDATE, RENEW or CLOSE, or a CREATE refused because the job
	// exists), so it is counted once in the reconciliation however it got
	// there (a CREATE whose answer was lost is resent as UPDATE).
	Held bool `json:"h,omitempty"`
	// Next is an operation LinkedIn is owed for the job ("CREATE", "UPDATE"
	// or "CLOSE"), implied by a task's outcome (CLOSE after the CREATE of a
	// closed job, ...). It is saved with that outcome and cleared once the
	// operation is submitted, so no stop between the two loses it.
	Next string `json:"n,omitempty"`
	// NotBefore delays Next: after an UPDATE found no job although a
	// CREATE whose answer was lost may still be on its way to LinkedIn
	// (state "intent"), the engine looks again (UPDATE) a poll interval
	// later before creating the job; Recheck says it did look once.
	NotBefore time.Time `json:"nb,omitzero"`
	Recheck   bool      `json:"r,omitempty"`
	// Changed is set when the ATS changed the job while one of its tasks
	// was in flight: no second operation is sent then (it could overtake
	// the first, a CLOSE its CREATE); once the task settles, the operation
	// that carries the change is owed (Next).
	Changed bool `json:"ch,omitempty"`
	// Deleted is set when the ATS deleted the job (a Deletion), until the
	// Source yields it again: an operation owed the job then closes it.
	Deleted bool `json:"del,omitempty"`
	// Integration is the deleted job's integration context, from its
	// Deletion: a CLOSE names the job by its id and this alone when the
	// Source no longer has its row (docs/linkedin-api.md §7.1).
	Integration string `json:"ic,omitempty"`
	// Lost counts the tasks of the job in a row that LinkedIn could not
	// read (unknown or expired, or its errors), whose operations were sent
	// again; past maxLostTasks the job is dead-lettered.
	Lost int `json:"l,omitempty"`
}

// The job states.
const (
	jobIntent  = "intent"
	jobPending = "pending"
	jobPosted  = "posted"
	jobClosed  = "closed"
	jobFailed  = "failed"
)

// PendingTask is a submitted job operation waiting for its task to finish.
type PendingTask struct {
	JobID string    `json:"job"`
	Op    string    `json:"op"`
	At    time.Time `json:"at"`
	Prev  string    `json:"prev,omitempty"` // the job's state before submission
	// Unread counts the polls in a row that found LinkedIn failing to read
	// the task (5xx). It is kept here, not per poll loop, so that slices
	// that poll once each still reach maxTaskReadFailures and take the task
	// as lost.
	Unread int `json:"unread,omitempty"`
}

func newCheckpoint(customerID string) *Checkpoint {
	cp := &Checkpoint{Version: checkpointVersion, CustomerID: customerID, Phases: map[Phase]*PhaseCheckpoint{}}
	cp.fill()
	return cp
}

// fill makes every map and phase non-nil.
func (cp *Checkpoint) fill() {
	if cp.Phases == nil {
		cp.Phases = map[Phase]*PhaseCheckpoint{}
	}
	for _, p := range allPhases {
		if cp.Phases[p] == nil {
			cp.Phases[p] = &PhaseCheckpoint{}
		}
	}
	if cp.Jobs == nil {
		cp.Jobs = map[string]JobState{}
	}
	if cp.Tasks == nil {
		cp.Tasks = map[string]PendingTask{}
	}
}

// Clone returns a deep copy, with every map and phase filled. It copies
// the maps rather than encoding the checkpoint, as a store may clone it at
// every commit: a checkpoint that holds 20,000 jobs took tens of
// milliseconds to encode and decode.
func (cp *Checkpoint) Clone() *Checkpoint {
	out := *cp
	out.Phases = make(map[Phase]*PhaseCheckpoint, len(cp.Phases))
	for p, pc := range cp.Phases {
		if pc != nil {
			c := *pc
			c.Held = pc.Held.clone()
			if pc.Fresh != nil {
				f := *pc.Fresh
				f.Held, f.Counted = f.Held.clone(), slices.Clone(f.Counted)
				c.Fresh = &f
			}
			out.Phases[p] = &c
		}
	}
	out.Jobs = maps.Clone(cp.Jobs)
	out.Tasks = maps.Clone(cp.Tasks)
	out.Clearing = slices.Clone(cp.Clearing)
	out.fill()
	return &out
}

// historical reports whether some milestone phase has not completed.
func (cp *Checkpoint) historical() bool {
	for _, p := range Phases() {
		if !cp.Phases[p].Completed {
			return true
		}
	}
	return false
}

// Store keeps one checkpoint per customer. Save must be atomic: after a
// crash, Load returns either the previous or the new checkpoint, never a
// mix. Implementations must be safe for concurrent use by different
// customers; the engine never saves one customer concurrently.
type Store interface {
	// Load returns the customer's checkpoint, or nil and no error when
	// there is none.
	Load(ctx context.Context, customerID string) (*Checkpoint, error)
	// Save replaces the customer's checkpoint. The store must not keep cp:
	// the engine goes on changing it.
	Save(ctx context.Context, customerID string, cp *Checkpoint) error
}

// MemoryStore is a Store in memory, for tests and dry runs. It keeps a
// deep copy of each checkpoint saved and returns deep copies.
type MemoryStore struct {
	mu  gosync.Mutex
	cps map[string]*Checkpoint
}

// NewMemoryStore returns an empty MemoryStore.
func NewMemoryStore() *MemoryStore { return &MemoryStore{cps: map[string]*Checkpoint{}} }

// Load implements Store.
func (s *MemoryStore) Load(ctx context.Context, customerID string) (*Checkpoint, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	cp, ok := s.cps[customerID]
	if !ok {
		return nil, nil
	}
	return cp.Clone(), nil
}

// Save implements Store.
func (s *MemoryStore) Save(ctx context.Context, customerID string, cp *Checkpoint) error {
	if ctx == nil {
		return errNilContext
	}
	c := cp.Clone()
	s.mu.Lock()
	s.cps[customerID] = c
	s.mu.Unlock()
	return nil
}
