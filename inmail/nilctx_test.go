package inmail

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rscgo/rscgo/internal/nilctx"
	"github.com/rscgo/rscgo/milestones"
)

// countingCursors counts the calls that reach a CursorUpdater.
type countingCursors struct {
	*MemoryCursors
	calls atomic.Int64
}

func (s *countingCursors) Load(ctx context.Context, id string) (Cursors, error) {
	s.calls.Add(1)
	return s.MemoryCursors.Load(ctx, id)
}

func (s *countingCursors) Save(ctx context.Context, id string, c Cursors) error {
	s.calls.Add(1)
	return s.MemoryCursors.Save(ctx, id, c)
}

func (s *countingCursors) Update(ctx context.Context, id string, f func(c *Cursors) bool) (Cursors, error) {
	s.calls.Add(1)
	return s.MemoryCursors.Update(ctx, id, f)
}

// countingSink counts the calls that reach a Sink.
type countingSink struct {
	*MemorySink
	calls atomic.Int64
}

func (s *countingSink) CandidatesByPerson(ctx context.Context, person string) ([]Candidate, error) {
	s.calls.Add(1)
	return s.MemorySink.CandidatesByPerson(ctx, person)
}

func (s *countingSink) CandidatesByEmail(ctx context.Context, email string) ([]Candidate, error) {
	s.calls.Add(1)
	return s.MemorySink.CandidatesByEmail(ctx, email)
}

func (s *countingSink) Candidate(ctx context.Context, id string) (Candidate, error) {
	s.calls.Add(1)
	return s.MemorySink.Candidate(ctx, id)
}

func (s *countingSink) CreateCandidate(ctx context.Context, c NewCandidate) (string, error) {
	s.calls.Add(1)
	return s.MemorySink.CreateCandidate(ctx, c)
}

func (s *countingSink) EnsureApplication(ctx context.Context, candidateID, jobID string, origin Origin) (bool, error) {
	s.calls.Add(1)
	return s.MemorySink.EnsureApplication(ctx, candidateID, jobID, origin)
}

func (s *countingSink) AttachMessage(ctx context.Context, candidateID string, m Message) error {
	s.calls.Add(1)
	return s.MemorySink.AttachMessage(ctx, candidateID, m)
}

func (s *countingSink) UpsertNote(ctx context.Context, candidateID string, n Note) error {
	s.calls.Add(1)
	return s.MemorySink.UpsertNote(ctx, candidateID, n)
}

func (s *countingSink) DeleteNote(ctx context.Context, candidateID, noteID string) error {
	s.calls.Add(1)
	return s.MemorySink.DeleteNote(ctx, candidateID, noteID)
}

func (s *countingSink) RecordNotice(ctx context.Context, candidateID string, a Notice) error {
	s.calls.Add(1)
	return s.MemorySink.RecordNotice(ctx, candidateID, a)
}

func (s *countingSink) SetLinkedInProfile(ctx context.Context, candidateID string, p Profile) error {
	s.calls.Add(1)
	return s.MemorySink.SetLinkedInProfile(ctx, candidateID, p)
}

// nilFixture is what the calls of TestNilContext are made on: a Retriever
// over counting stores, a scheduler holding it, its push handler, and
// cursor stores and a sink holding one customer's data.
type nilFixture struct {
	fake       *fakeLI
	stateReads atomic.Int64
	cursors    *countingCursors
	sink       *countingSink
	r          *Retriever
	sched      *Scheduler
	push       *PushHandler
	fc         *FileCursors
	dir        string
}

const nilCust = "cust-1"

func newNilFixture(t *testing.T) *nilFixture {
	t.Helper()
	ctx := t.Context()
	fx := &nilFixture{fake: newFake(t), cursors: &countingCursors{MemoryCursors: NewMemoryCursors()},
		sink: &countingSink{MemorySink: NewMemorySink()}, dir: t.TempDir()}
	fx.sink.AddCandidate(Candidate{ID: "C1", Person: "urn:li:person:1", Emails: []string{"a@example.com"}})
	fx.sink.AddUser("U1", "urn:li:person:9")
	state := fullState(time.Now().Add(-365 * 24 * time.Hour))
	cfg := Config{CustomerID: nilCust, Client: fx.fake.client(t), Organization: testOrg, Contracts: []string{testContract},
		Sink: fx.sink, State: func(ctx context.Context) (milestones.State, error) {
			fx.stateReads.Add(1)
			return state.get(ctx)
		}}
	var err error
	fx.r, err = New(cfg, WithLag(time.Millisecond), WithCursorStore(fx.cursors))
	if err != nil {
		t.Fatal(err)
	}
	held := Cursors{SeatsAt: 1, Seats: []SeatHolder{{Seat: "urn:li:seat:1", Contract: testContract, Member: "urn:li:person:9"}}}
	if err := fx.cursors.MemoryCursors.Save(ctx, nilCust, held); err != nil {
		t.Fatal(err)
	}
	if fx.fc, err = NewFileCursors(filepath.Join(fx.dir, "cursors")); err != nil {
		t.Fatal(err)
	}
	if err := fx.fc.Save(ctx, nilCust, held); err != nil {
		t.Fatal(err)
	}
	if fx.sched, err = NewScheduler(); err != nil {
		t.Fatal(err)
	}
	if err := fx.sched.Add(fx.r); err != nil {
		t.Fatal(err)
	}
	fx.push, err = fx.r.PushHandler(func(context.Context) (string, error) { return "secret", nil })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fx.push.Close)
	return fx
}

// nilSnapshot is everything a call could have touched.
type nilSnapshot struct {
	Requests    int
	StateReads  int64
	CursorCalls int64
	SinkCalls   int64
	Sink        string
	Cursors     string
	Files       []string
}

func (fx *nilFixture) snapshot(t *testing.T) nilSnapshot {
	t.Helper()
	s := nilSnapshot{StateReads: fx.stateReads.Load(), CursorCalls: fx.cursors.calls.Load(), SinkCalls: fx.sink.calls.Load(),
		Sink: fmt.Sprintf("%+v", fx.sink.Candidates())}
	fx.fake.mu.Lock()
	for _, n := range fx.fake.calls {
		s.Requests += n
	}
	fx.fake.mu.Unlock()
	c, err := fx.cursors.MemoryCursors.Load(t.Context(), nilCust)
	if err != nil {
		t.Fatal(err)
	}
	s.Cursors = nilctx.JSON(t, c)
	s.Files = nilctx.Files(t, fx.dir)
	return s
}

// Every function and method of the package that takes a context refuses a
// nil one with "inmail: nil context" before reading the milestones state,
// a store or the Sink, sending a request or starting a goroutine.
func TestNilContext(t *testing.T) {
	t.Parallel()
	one := func(_ any, err error) error { return err }
	two := func(_, _ any, err error) error { return err }
	keep := func(*Cursors) bool { return true }
	for _, tc := range []struct {
		name string
		call func(ctx context.Context, fx *nilFixture) error
	}{
		{"Retriever.RunOnce", func(ctx context.Context, fx *nilFixture) error { return one(fx.r.RunOnce(ctx)) }},
		{"Retriever.RefreshSeats", func(ctx context.Context, fx *nilFixture) error { return one(fx.r.RefreshSeats(ctx)) }},
		{"Retriever.Seats", func(ctx context.Context, fx *nilFixture) error { return one(fx.r.Seats(ctx)) }},
		{"Retriever.Cursors", func(ctx context.Context, fx *nilFixture) error { return one(fx.r.Cursors(ctx)) }},
		{"Retriever.PollStubs", func(ctx context.Context, fx *nilFixture) error { return one(fx.r.PollStubs(ctx)) }},
		{"Retriever.PollInMail", func(ctx context.Context, fx *nilFixture) error { return one(fx.r.PollInMail(ctx)) }},
		{"Retriever.PollNotes", func(ctx context.Context, fx *nilFixture) error { return one(fx.r.PollNotes(ctx)) }},
		{"Retriever.PollDeletions", func(ctx context.Context, fx *nilFixture) error { return one(fx.r.PollDeletions(ctx)) }},
		{"Retriever.HandleExport", func(ctx context.Context, fx *nilFixture) error { return one(fx.r.HandleExport(ctx, "r1")) }},
		{"Retriever.AcceptExport", func(ctx context.Context, fx *nilFixture) error { return fx.r.AcceptExport(ctx, "r1") }},
		{"Retriever.AttachPending", func(ctx context.Context, fx *nilFixture) error { return one(fx.r.AttachPending(ctx)) }},
		{"Retriever.RetryPendingExports", func(ctx context.Context, fx *nilFixture) error {
			return one(fx.r.RetryPendingExports(ctx))
		}},
		{"Retriever.DeadExports", func(ctx context.Context, fx *nilFixture) error { return one(fx.r.DeadExports(ctx)) }},
		{"Retriever.RetryExport", func(ctx context.Context, fx *nilFixture) error { return fx.r.RetryExport(ctx, "r1") }},
		{"Retriever.DismissExport", func(ctx context.Context, fx *nilFixture) error { return fx.r.DismissExport(ctx, "r1") }},
		{"Retriever.DeadRecords", func(ctx context.Context, fx *nilFixture) error { return one(fx.r.DeadRecords(ctx)) }},
		{"Retriever.RetryRecord", func(ctx context.Context, fx *nilFixture) error {
			return fx.r.RetryRecord(ctx, RecordNote, "n1")
		}},
		{"Retriever.DismissRecord", func(ctx context.Context, fx *nilFixture) error {
			return fx.r.DismissRecord(ctx, RecordNote, "n1")
		}},
		{"Retriever.RefreshLinks", func(ctx context.Context, fx *nilFixture) error {
			return one(fx.r.RefreshLinks(ctx, []string{"C1"}))
		}},
		{"Retriever.RefreshQueuedLinks", func(ctx context.Context, fx *nilFixture) error {
			fx.r.QueueLinks("C1")
			return one(fx.r.RefreshQueuedLinks(ctx))
		}},
		{"Scheduler.Run", func(ctx context.Context, fx *nilFixture) error { return fx.sched.Run(ctx) }},
		{"PushHandler.Wait", func(ctx context.Context, fx *nilFixture) error { return fx.push.Wait(ctx) }},
		{"FindMatch", func(ctx context.Context, fx *nilFixture) error {
			return two(FindMatch(ctx, fx.sink, "urn:li:person:1", "a@example.com"))
		}},
		{"MemoryCursors.Load", func(ctx context.Context, fx *nilFixture) error {
			return one(fx.cursors.MemoryCursors.Load(ctx, nilCust))
		}},
		{"MemoryCursors.Save", func(ctx context.Context, fx *nilFixture) error {
			return fx.cursors.MemoryCursors.Save(ctx, nilCust, Cursors{})
		}},
		{"MemoryCursors.Update", func(ctx context.Context, fx *nilFixture) error {
			return one(fx.cursors.MemoryCursors.Update(ctx, nilCust, func(c *Cursors) bool { c.SeatsAt = 2; return true }))
		}},
		{"FileCursors.Load", func(ctx context.Context, fx *nilFixture) error { return one(fx.fc.Load(ctx, nilCust)) }},
		{"FileCursors.Save", func(ctx context.Context, fx *nilFixture) error { return fx.fc.Save(ctx, "cust-2", Cursors{}) }},
		{"FileCursors.Update", func(ctx context.Context, fx *nilFixture) error { return one(fx.fc.Update(ctx, "cust-2", keep)) }},
		{"MemorySink.UserByPerson", func(ctx context.Context, fx *nilFixture) error {
			return two(fx.sink.MemorySink.UserByPerson(ctx, "urn:li:person:9"))
		}},
		{"MemorySink.CandidatesByPerson", func(ctx context.Context, fx *nilFixture) error {
			return one(fx.sink.MemorySink.CandidatesByPerson(ctx, "urn:li:person:1"))
		}},
		{"MemorySink.CandidatesByEmail", func(ctx context.Context, fx *nilFixture) error {
			return one(fx.sink.MemorySink.CandidatesByEmail(ctx, "a@example.com"))
		}},
		{"MemorySink.Candidate", func(ctx context.Context, fx *nilFixture) error {
			return one(fx.sink.MemorySink.Candidate(ctx, "C1"))
		}},
		{"MemorySink.CreateCandidate", func(ctx context.Context, fx *nilFixture) error {
			return one(fx.sink.MemorySink.CreateCandidate(ctx, NewCandidate{Person: "urn:li:person:2"}))
		}},
		{"MemorySink.EnsureApplication", func(ctx context.Context, fx *nilFixture) error {
			return one(fx.sink.MemorySink.EnsureApplication(ctx, "C1", "J1", OriginExport))
		}},
		{"MemorySink.AttachMessage", func(ctx context.Context, fx *nilFixture) error {
			return fx.sink.MemorySink.AttachMessage(ctx, "C1", Message{ID: "m1"})
		}},
		{"MemorySink.UpsertNote", func(ctx context.Context, fx *nilFixture) error {
			return fx.sink.MemorySink.UpsertNote(ctx, "C1", Note{ID: "n1"})
		}},
		{"MemorySink.DeleteNote", func(ctx context.Context, fx *nilFixture) error {
			return fx.sink.MemorySink.DeleteNote(ctx, "C1", "n1")
		}},
		{"MemorySink.RecordNotice", func(ctx context.Context, fx *nilFixture) error {
			return fx.sink.MemorySink.RecordNotice(ctx, "C1", Notice{ID: "a1"})
		}},
		{"MemorySink.SetLinkedInProfile", func(ctx context.Context, fx *nilFixture) error {
			return fx.sink.MemorySink.SetLinkedInProfile(ctx, "C1", Profile{Person: "urn:li:person:3"})
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				fx := newNilFixture(t)
				nilctx.Check(t, "inmail: nil context", func() nilSnapshot { return fx.snapshot(t) }, func(ctx context.Context) error { return tc.call(ctx, fx) })
			})
		})
	}
}
