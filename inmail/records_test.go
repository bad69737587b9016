package inmail

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/rsc"
)

// refusingSink refuses the writes of some records: an InMail message or a
// note by id, a stub by its notice ("stub:ID"), as an ATS refusing a
// record's content would. A record refused n times is refused that many
// more times (-1: for good).
type refusingSink struct {
	*MemorySink
	mu      sync.Mutex
	refused map[string]int
}

func (s *refusingSink) refuse(id string, times int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refused[id] = times
}

func (s *refusingSink) check(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, ok := s.refused[id]
	if !ok || n == 0 {
		return nil
	}
	if n > 0 {
		s.refused[id] = n - 1
	}
	return errors.New("ATS: 422 refused")
}

func (s *refusingSink) AttachMessage(ctx context.Context, id string, m Message) error {
	if err := s.check(m.ID); err != nil {
		return err
	}
	return s.MemorySink.AttachMessage(ctx, id, m)
}

func (s *refusingSink) UpsertNote(ctx context.Context, id string, n Note) error {
	if err := s.check(n.ID); err != nil {
		return err
	}
	return s.MemorySink.UpsertNote(ctx, id, n)
}

func (s *refusingSink) RecordNotice(ctx context.Context, id string, a Notice) error {
	if err := s.check(a.ID); err != nil {
		return err
	}
	return s.MemorySink.RecordNotice(ctx, id, a)
}

// recordFlow is how the tests of refused records drive one kind of record.
type recordFlow struct {
	kind RecordKind
	// add puts record id, of time t, on the fake LinkedIn; its seat is seat
	// 7, its member ann (for stubs, a member of its own).
	add func(e *env, id string, t time.Time)
	// refusal is what the refusingSink refuses for record id.
	refusal func(id string) string
	poll    func(ctx context.Context, r *Retriever) error
	// delivered are the ids of the records the ATS holds.
	delivered func(s *MemorySink) []string
	// dead is the dead letter of record id of time t.
	dead func(id string, t time.Time) DeadRecord
	// err is the poll's error while record id is refused.
	err func(id string) string
}

// ofAnn returns ids of Ann's candidate C1.
func ofAnn(ids func(c SinkCandidate) []string) func(s *MemorySink) []string {
	return func(s *MemorySink) []string {
		c, _ := s.Get("C1")
		return ids(c)
	}
}

func stubMember(id string) string { return "urn:li:person:" + id }

var recordFlows = []recordFlow{{
	kind: RecordMessage,
	add: func(e *env, id string, t time.Time) {
		e.fake.events = append(e.fake.events, rsc.ConversationEvent{ID: id, Viewer: seat7, Member: ann, Author: ann, CreatedAt: at(t)})
	},
	refusal:   func(id string) string { return id },
	poll:      func(ctx context.Context, r *Retriever) error { _, err := r.PollInMail(ctx); return err },
	delivered: ofAnn(func(c SinkCandidate) []string { return each(c.Messages, func(m Message) string { return m.ID }) }),
	dead: func(id string, t time.Time) DeadRecord {
		return DeadRecord{Kind: RecordMessage, ID: id, Member: ann, Seat: seat7, At: ms(t)}
	},
	err: func(id string) string {
		return "seat urn:li:seat:7: inmail: message " + id + " of urn:li:person:ann: ATS: 422 refused"
	},
}, {
	kind: RecordNote,
	add: func(e *env, id string, t time.Time) {
		e.fake.notes = append(e.fake.notes, rsc.ProspectNote{ID: id, Contract: testContract, Owner: seat7, Member: ann, Note: id,
			Active: true, CreatedAt: at(t), LastModifiedAt: at(t)})
	},
	refusal:   func(id string) string { return id },
	poll:      func(ctx context.Context, r *Retriever) error { _, err := r.PollNotes(ctx); return err },
	delivered: ofAnn(func(c SinkCandidate) []string { return each(c.Notes, func(n Note) string { return n.ID }) }),
	dead: func(id string, t time.Time) DeadRecord {
		return DeadRecord{Kind: RecordNote, ID: id, Member: ann, Seat: seat7, Contract: testContract, At: ms(t)}
	},
	err: func(id string) string {
		return "contract urn:li:contract:1: inmail: note " + id + " of urn:li:person:ann: ATS: 422 refused"
	},
}, {
	kind: RecordStub,
	add: func(e *env, id string, t time.Time) {
		e.fake.stubs = append(e.fake.stubs, rsc.MailStub{ID: id, Contract: testContract, Owner: seat7, Member: stubMember(id),
			FirstName: id, EmailAddress: id + "@example.com", CreatedAt: at(t)})
	},
	refusal: func(id string) string { return "stub:" + id },
	poll:    func(ctx context.Context, r *Retriever) error { _, err := r.PollStubs(ctx); return err },
	delivered: func(s *MemorySink) []string {
		var ids []string
		for _, c := range s.Candidates() {
			for _, n := range c.Notices {
				if n.Kind == NoticeContactShared {
					ids = append(ids, n.ID[len("stub:"):])
				}
			}
		}
		return ids
	},
	dead: func(id string, t time.Time) DeadRecord {
		return DeadRecord{Kind: RecordStub, ID: id, Member: stubMember(id), Seat: seat7, Contract: testContract, At: ms(t)}
	},
	err: func(id string) string {
		return "contract urn:li:contract:1: inmail: stub " + id + " of " + stubMember(id) + ": ATS: 422 refused"
	},
}}

// recordEnv is an env whose Sink is a refusingSink, with seat 7 and Ann's
// candidate C1, gives up on a record after three attempts, and has
// records r1 and r2 of three and two hours ago.
func recordEnv(t *testing.T, f recordFlow, opts ...Option) (*env, *refusingSink, time.Time) {
	e := newEnv(t, append([]Option{WithRecordAttempts(3)}, opts...)...)
	sink := &refusingSink{MemorySink: e.sink, refused: map[string]int{}}
	e.r.cfg.Sink = sink
	e.fake.seats = []rsc.Seat{seat(7, rec7)}
	now := time.Now()
	e.sink.AddCandidate(Candidate{ID: "C1", Person: ann, UpdatedAt: now})
	f.add(e, "r1", now.Add(-3*time.Hour))
	f.add(e, "r2", now.Add(-2*time.Hour))
	return e, sink, now
}

// eachRecordFlow runs f in a synctest bubble for each kind of record, with
// its recordEnv.
func eachRecordFlow(t *testing.T, f func(t *testing.T, f recordFlow, e *env, sink *refusingSink, ctx context.Context, now time.Time)) {
	for _, fl := range recordFlows {
		t.Run(string(fl.kind), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e, sink, now := recordEnv(t, fl)
				f(t, fl, e, sink, t.Context(), now)
			})
		})
	}
}

// A record the ATS refuses for good stops its stream, with an error naming
// it and its member, for WithRecordAttempts polls; then it becomes a dead
// letter, listed by DeadRecords and RunOnce, and the stream goes on.
// RetryRecord writes it once the ATS takes it.
func TestRefusedRecordIsDeadLettered(t *testing.T) {
	eachRecordFlow(t, func(t *testing.T, f recordFlow, e *env, sink *refusingSink, ctx context.Context, now time.Time) {
		sink.refuse(f.refusal("r2"), -1)
		for i := range 2 {
			if err := f.poll(ctx, e.r); err == nil || err.Error() != f.err("r2") {
				t.Fatalf("poll %d: err = %v, want %q", i, err, f.err("r2"))
			}
			if i == 0 {
				e.fake.mu.Lock()
				f.add(e, "r3", time.Now().Add(-time.Minute))
				e.fake.mu.Unlock()
			}
			time.Sleep(30 * time.Minute)
		}
		if d := cmp.Diff([]string{"r1"}, f.delivered(e.sink)); d != "" {
			t.Errorf("delivered while r2 is refused (-want +got):\n%s", d)
		}
		if err := f.poll(ctx, e.r); err != nil { // the third attempt: r2 is given up on
			t.Fatal(err)
		}
		if d := cmp.Diff([]string{"r1", "r3"}, f.delivered(e.sink)); d != "" {
			t.Errorf("delivered after r2 was given up on (-want +got):\n%s", d)
		}
		want := f.dead("r2", now.Add(-2*time.Hour))
		want.Since, want.DeadAt, want.Attempts = ms(now), ms(now.Add(time.Hour)), 3
		want.Reason = f.err("r2")[len("seat urn:li:seat:7: "):]
		if f.kind != RecordMessage {
			want.Reason = f.err("r2")[len("contract urn:li:contract:1: "):]
		}
		dead, err := e.r.DeadRecords(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([]DeadRecord{want}, dead); d != "" {
			t.Errorf("dead records (-want +got):\n%s", d)
		}
		rep, err := e.r.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([]DeadRecord{want}, rep.DeadRecords); d != "" {
			t.Errorf("RunOnce's dead records (-want +got):\n%s", d)
		}
		if err := e.r.RetryRecord(ctx, f.kind, "r2"); err == nil || err.Error() != want.Reason {
			t.Errorf("RetryRecord while refused = %v, want %q", err, want.Reason)
		}
		sink.refuse(f.refusal("r2"), 0)
		if err := e.r.RetryRecord(ctx, f.kind, "r2"); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([]string{"r1", "r2", "r3"}, f.delivered(e.sink)); d != "" {
			t.Errorf("delivered after RetryRecord (-want +got):\n%s", d)
		}
		if dead, err := e.r.DeadRecords(ctx); err != nil || len(dead) != 0 {
			t.Errorf("dead records after RetryRecord = %v, %v", dead, err)
		}
		if err := e.r.RetryRecord(ctx, f.kind, "r2"); !errors.Is(err, ErrNotDeadRecord) {
			t.Errorf("RetryRecord of a record not dead = %v, want ErrNotDeadRecord", err)
		}
	})
}

// A record refused fewer times in a row than WithRecordAttempts is
// written when the ATS takes it, and nothing is given up on.
func TestRecordRefusedForAWhile(t *testing.T) {
	eachRecordFlow(t, func(t *testing.T, f recordFlow, e *env, sink *refusingSink, ctx context.Context, _ time.Time) {
		sink.refuse(f.refusal("r2"), 2)
		var errs []string
		for range 3 {
			if err := f.poll(ctx, e.r); err != nil {
				errs = append(errs, err.Error())
			}
			time.Sleep(30 * time.Minute)
		}
		if d := cmp.Diff([]string{f.err("r2"), f.err("r2")}, errs); d != "" {
			t.Errorf("errors (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]string{"r1", "r2"}, f.delivered(e.sink)); d != "" {
			t.Errorf("delivered (-want +got):\n%s", d)
		}
		c, err := e.r.Cursors(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.DeadRecords) != 0 {
			t.Errorf("dead records = %v, want none", c.DeadRecords)
		}
		for k, s := range *c.streams(streamsOf(f.kind)) {
			if s.Failing != nil {
				t.Errorf("stream %s still failing on %+v", k, s.Failing)
			}
		}
	})
}

// With MaxDeadRecords dead letters held, a refused record is not given up
// on: its stream stays stopped at it, with an error saying so, until
// DismissRecord makes room.
func TestDeadRecordsFull(t *testing.T) {
	f := recordFlows[0]
	synctest.Test(t, func(t *testing.T) {
		store := NewMemoryCursors()
		full := Cursors{DeadRecords: map[string]DeadRecord{}}
		for i := range MaxDeadRecords {
			d := DeadRecord{Kind: RecordNote, ID: fmt.Sprint("old", i)}
			full.DeadRecords[d.key()] = d
		}
		if err := store.Save(t.Context(), custID, full); err != nil {
			t.Fatal(err)
		}
		e, sink, _ := recordEnv(t, f, WithCursorStore(store))
		ctx := t.Context()
		sink.refuse(f.refusal("r2"), -1)
		wantErr := f.err("r2") + "; not given up on after 4 attempts: inmail: record dead letters full"
		var err error
		for range 4 {
			err = f.poll(ctx, e.r)
			time.Sleep(30 * time.Minute)
		}
		if !errors.Is(err, ErrDeadRecordsFull) || err.Error() != wantErr {
			t.Fatalf("err = %v, want %q", err, wantErr)
		}
		if err := e.r.DismissRecord(ctx, RecordNote, "old0"); err != nil {
			t.Fatal(err)
		}
		if err := f.poll(ctx, e.r); err != nil {
			t.Fatal(err)
		}
		dead, err := e.r.DeadRecords(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(dead); n != MaxDeadRecords || dead[len(dead)-1].ID != "r2" {
			t.Errorf("%d dead records, the newest %+v; want %d, r2 the newest", n, dead[len(dead)-1], MaxDeadRecords)
		}
		if err := e.r.DismissRecord(ctx, RecordNote, "old0"); !errors.Is(err, ErrNotDeadRecord) {
			t.Errorf("DismissRecord of a dismissed record = %v, want ErrNotDeadRecord", err)
		}
	})
}

func streamsOf(k RecordKind) streamKind {
	for _, s := range []streamKind{streamsInMail, streamsNotes, streamsStubs} {
		if s.record() == k {
			return s
		}
	}
	panic(k)
}

type slowSink struct {
	*MemorySink
	slow string
}

func (s *slowSink) AttachMessage(ctx context.Context, id string, m Message) error {
	if m.ID == s.slow {
		return fmt.Errorf("ATS: POST /candidates/%s/messages: %w", id, context.DeadlineExceeded)
	}
	return s.MemorySink.AttachMessage(ctx, id, m)
}

// A record whose write runs out of the Sink's own time, while the poll's
// context goes on, is that record's failure: counted, dead-lettered after
// WithRecordAttempts polls, and the stream goes on past it; it does not
// stop the other flows of RunOnce (the closed profiles among them, which
// LinkedIn requires at least every 30 days).
func TestSinkTimeoutIsTheRecordsFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, WithRecordAttempts(3))
		ctx := t.Context()
		e.r.cfg.Sink = &slowSink{MemorySink: e.sink, slow: "r2"}
		e.fake.seats = []rsc.Seat{seat(7, rec7)}
		now := time.Now()
		e.sink.AddCandidate(Candidate{ID: "C1", Person: ann, UpdatedAt: now})
		for i, id := range []string{"r1", "r2", "r3"} {
			e.fake.events = append(e.fake.events, rsc.ConversationEvent{ID: id, Viewer: seat7, Member: ann, Author: ann,
				CreatedAt: at(now.Add(time.Duration(i-3) * time.Hour))})
		}
		e.fake.closed = []rsc.ClosedProfile{{Member: bob, ClosedAt: at(now.Add(-time.Hour))}}
		deletions := false
		for range 10 {
			rep, err := e.r.RunOnce(ctx)
			t.Logf("RunOnce: deletions run %v, err %v", rep.DeletionsRun, err)
			deletions = deletions || rep.DeletionsRun
			time.Sleep(30 * time.Minute)
		}
		c, _ := e.sink.Get("C1")
		if d := cmp.Diff([]string{"r1", "r3"}, each(c.Messages, func(m Message) string { return m.ID })); d != "" {
			t.Errorf("messages after 10 polls (-want +got):\n%s", d)
		}
		if dead, _ := e.r.DeadRecords(ctx); len(dead) != 1 {
			t.Errorf("dead records = %+v, want r2", dead)
		}
		if !deletions {
			t.Errorf("closed profiles never polled in 10 runs")
		}
	})
}

// A record's failure ends when a window is read whole across its time
// without meeting it (LinkedIn lists it later now, edited): the count of
// polls in a row that refused it starts again, so that it is not
// dead-lettered after fewer such polls than WithRecordAttempts.
func TestFailureEndsWhenTheStreamMovesOn(t *testing.T) {
	f := recordFlows[1] // notes
	synctest.Test(t, func(t *testing.T) {
		e, sink, now := recordEnv(t, f, WithRecordAttempts(2))
		ctx := t.Context()
		sink.refuse(f.refusal("r2"), 2) // refused twice, then taken
		if err := f.poll(ctx, e.r); err == nil {
			t.Fatal("first poll: r2 not refused")
		}
		// r2 is edited: LinkedIn lists it at its new time, after this poll's end.
		e.fake.mu.Lock()
		for i := range e.fake.notes {
			if e.fake.notes[i].ID == "r2" {
				e.fake.notes[i].LastModifiedAt = at(now.Add(time.Hour))
			}
		}
		e.fake.mu.Unlock()
		time.Sleep(30 * time.Minute)
		if err := f.poll(ctx, e.r); err != nil {
			t.Fatal(err)
		}
		c, _ := e.r.Cursors(ctx)
		if fl := c.Notes[testContract].Failing; fl != nil {
			t.Errorf("stream moved on, Failing still %+v", *fl)
		}
		time.Sleep(time.Hour)
		err := f.poll(ctx, e.r) // r2 at its new time: its first refusal since the poll that passed it over
		t.Logf("third poll: %v", err)
		time.Sleep(30 * time.Minute)
		if err := f.poll(ctx, e.r); err != nil {
			t.Logf("fourth poll: %v", err)
		}
		if dead, _ := e.r.DeadRecords(ctx); len(dead) != 0 {
			t.Errorf("dead records = %+v after polls in a row [refused, not met, refused, would be taken]", dead)
		}
		if d := cmp.Diff([]string{"r1", "r2"}, f.delivered(e.sink)); d != "" {
			t.Errorf("delivered (-want +got):\n%s", d)
		}
	})
}

// RetryRecord of a stub while the InMail Stub Profile setting is off
// (milestones.ShareContactInfoInMail) fails and keeps the dead letter, as
// its poll would not run; once the setting is on, the retry applies it.
// Before, the stub was matched, not applied, and its dead letter deleted.
func TestRetryStubWhileItsFeatureIsOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		ctx := t.Context()
		now := time.Now()
		e.fake.seats = []rsc.Seat{seat(7, rec7)}
		e.sink.AddCandidate(Candidate{ID: "C1", FirstName: "Ann", Person: ann, UpdatedAt: now.Add(-48 * time.Hour)})
		s := rsc.MailStub{ID: "s1", Contract: testContract, Owner: seat7, Member: ann, FirstName: "Ann",
			EmailAddress: "ann@example.com", CreatedAt: at(now.Add(-3 * time.Hour))}
		e.fake.stubs = []rsc.MailStub{s}
		dead := DeadRecord{Kind: RecordStub, ID: "s1", Member: ann, Seat: seat7, Contract: testContract, At: int64(s.CreatedAt),
			Attempts: 10, Reason: "ATS: 422 refused"}
		if err := e.r.update(ctx, func(c *Cursors) { c.DeadRecords = map[string]DeadRecord{dead.key(): dead} }); err != nil {
			t.Fatal(err)
		}
		e.state.set(func(st *milestones.State) { st.Settings.InMailStubProfile = false })
		err := e.r.RetryRecord(ctx, RecordStub, "s1")
		if err == nil || !strings.Contains(err.Error(), "inmail: stub s1 of urn:li:person:ann: ") {
			t.Fatalf("RetryRecord with the setting off = %v, want the stub's error", err)
		}
		if got, _ := e.r.DeadRecords(ctx); len(got) != 1 {
			t.Errorf("dead records after the refused retry = %+v, want s1's", got)
		}
		if c, _ := e.sink.Get("C1"); len(c.Notices) != 0 {
			t.Errorf("notices written with the setting off: %+v", c.Notices)
		}
		e.state.set(func(st *milestones.State) { st.Settings.InMailStubProfile = true })
		if err := e.r.RetryRecord(ctx, RecordStub, "s1"); err != nil {
			t.Fatal(err)
		}
		c, _ := e.sink.Get("C1")
		if len(c.Notices) != 1 || c.Notices[0].ID != "stub:s1" {
			t.Errorf("C1's notices = %+v, want stub:s1's", c.Notices)
		}
		if got, _ := e.r.DeadRecords(ctx); len(got) != 0 {
			t.Errorf("dead records after the retry = %+v", got)
		}
	})
}

// Two records of one window the ATS refuses for good are both given up on
// and the stream goes on past them. Before, the first, dead-lettered
// already, was written again at every poll of the window and, refused,
// took the stream's failure back from the second, whose count started
// over each time: the second was never given up on and the stream read
// the same window for ever.
func TestTwoRefusedRecordsInOneWindow(t *testing.T) {
	eachRecordFlow(t, func(t *testing.T, f recordFlow, e *env, sink *refusingSink, ctx context.Context, now time.Time) {
		sink.refuse(f.refusal("r1"), -1)
		sink.refuse(f.refusal("r2"), -1)
		e.fake.mu.Lock()
		f.add(e, "r3", now.Add(-time.Hour))
		e.fake.mu.Unlock()
		for range 12 {
			f.poll(ctx, e.r)
			time.Sleep(30 * time.Minute)
		}
		if d := cmp.Diff([]string{"r3"}, f.delivered(e.sink)); d != "" {
			t.Errorf("delivered (-want +got):\n%s", d)
		}
		dead, err := e.r.DeadRecords(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff([]string{"r1", "r2"}, each(dead, func(d DeadRecord) string { return d.ID })); d != "" {
			t.Errorf("dead records (-want +got):\n%s", d)
		}
	})
}
