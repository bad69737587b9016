package inmail

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/rsc"
)

// downSink fails CreateCandidate while down.
type downSink struct {
	*MemorySink
	mu   sync.Mutex
	down bool
}

func (s *downSink) CreateCandidate(ctx context.Context, n NewCandidate) (string, error) {
	s.mu.Lock()
	down := s.down
	s.mu.Unlock()
	if down {
		return "", errors.New("ATS unavailable")
	}
	return s.MemorySink.CreateCandidate(ctx, n)
}

func (s *downSink) setDown(down bool) {
	s.mu.Lock()
	s.down = down
	s.mu.Unlock()
}

// noticeKinds returns the kinds of the notices of every candidate, by
// candidate id, in the order the Sink keeps them (by time).
func noticeKinds(s *MemorySink) map[string][]NoticeKind {
	out := map[string][]NoticeKind{}
	for _, c := range s.Candidates() {
		out[c.ID] = nil
		for _, n := range c.Notices {
			out[c.ID] = append(out[c.ID], n.Kind)
		}
	}
	return out
}

// A member who closes their LinkedIn account while the ATS holds no
// candidate of theirs yet gets the NoticeMemberDeleted notice on the
// candidate their export or stub profile brings in later, long after the
// closure was listed, after a restart too.
func TestClosedMemberNoticedOnALaterCandidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		// later brings Ann's candidate into the ATS, days after her
		// closure was polled, with r (or a Retriever restarted over its
		// store).
		later func(t *testing.T, e *env, r *Retriever, ctx context.Context)
		want  map[string][]NoticeKind
	}{{
		name: "export retried after it became a dead letter",
		later: func(t *testing.T, e *env, r *Retriever, ctx context.Context) {
			if err := r.RetryExport(ctx, "r1"); err != nil {
				t.Fatal(err)
			}
			if _, err := r.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		},
		want: map[string][]NoticeKind{"C1": {NoticeExported, NoticeMemberDeleted}},
	}, {
		name: "stub profile",
		later: func(t *testing.T, e *env, r *Retriever, ctx context.Context) {
			if err := r.DismissExport(ctx, "r1"); err != nil {
				t.Fatal(err)
			}
			e.fake.mu.Lock()
			e.fake.stubs = []rsc.MailStub{{ID: "s1", Contract: testContract, Owner: seat7, Member: ann,
				FirstName: "Ann", EmailAddress: "ann@example.com", CreatedAt: at(time.Now())}}
			e.fake.mu.Unlock()
			time.Sleep(time.Hour)
			if _, err := r.PollStubs(ctx); err != nil {
				t.Fatal(err)
			}
		},
		// The notice is recorded as the stub's candidate is matched, before
		// the stub's own notice.
		want: map[string][]NoticeKind{"C1": {NoticeMemberDeleted, NoticeContactShared}},
	}, {
		name: "export retried by a restarted Retriever",
		later: func(t *testing.T, e *env, r *Retriever, ctx context.Context) {
			restarted, err := New(r.cfg, WithLag(time.Millisecond), WithCursorStore(r.opt.cursors), WithExportRetry(3, time.Minute, time.Hour))
			if err != nil {
				t.Fatal(err)
			}
			if err := restarted.RetryExport(ctx, "r1"); err != nil {
				t.Fatal(err)
			}
			if _, err := restarted.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		},
		want: map[string][]NoticeKind{"C1": {NoticeExported, NoticeMemberDeleted}},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				store, err := NewFileCursors(t.TempDir())
				if err != nil {
					t.Fatal(err)
				}
				e := newEnv(t, WithCursorStore(store), WithExportRetry(3, time.Minute, time.Hour))
				ctx := t.Context()
				sink := &downSink{MemorySink: e.sink, down: true}
				e.r.cfg.Sink = sink
				e.fake.seats = []rsc.Seat{seat(7, rec7)}
				now := time.Now()
				e.fake.exports["r1"] = []rsc.ExportedCandidate{exportOf("r1", ann, "J1", now)}
				e.fake.closed = []rsc.ClosedProfile{{Member: ann, ClosedAt: at(now.Add(time.Minute))}}
				if err := e.r.AcceptExport(ctx, "r1"); err != nil {
					t.Fatal(err)
				}
				time.Sleep(2 * time.Minute)
				for range 3 * 4 { // three days of runs with the ATS down: the export becomes a dead letter
					e.r.RunOnce(ctx)
					time.Sleep(6 * time.Hour)
				}
				if dead, err := e.r.DeadExports(ctx); err != nil || len(dead) != 1 {
					t.Fatalf("dead exports = %v, %v; want r1", dead, err)
				}
				sink.setDown(false)
				tc.later(t, e, e.r, ctx)
				if d := cmp.Diff(tc.want, noticeKinds(e.sink)); d != "" {
					t.Errorf("notices (-want +got):\n%s", d)
				}
			})
		})
	}
}

// A remembered closed member is forgotten ClosedMemberTTL after the
// closure, unless an export journaled or dead-lettered before the closure
// was read, or a dead-lettered stub profile of the member, is still held.
func TestClosedMembersForgotten(t *testing.T) {
	const day = int64(24 * time.Hour / time.Millisecond)
	now := 1000 * day
	ttl := ClosedMemberTTL.Milliseconds()
	old := ClosedMember{ClosedAt: now - ttl - 1, SeenAt: now - ttl}
	young := ClosedMember{ClosedAt: now - ttl + 1, SeenAt: now - ttl + 1}
	for _, tc := range []struct {
		name string
		c    Cursors
		want map[string]ClosedMember
	}{
		{"past the TTL", Cursors{}, map[string]ClosedMember{"young": young}},
		{"export journaled before", Cursors{PendingExports: map[string]PendingExport{"r1": {ReceivedAt: old.SeenAt}}},
			map[string]ClosedMember{"old": old, "young": young}},
		{"export dead-lettered before", Cursors{DeadExports: map[string]DeadExport{"r1": {ReceivedAt: old.SeenAt - day}}},
			map[string]ClosedMember{"old": old, "young": young}},
		{"export received after", Cursors{PendingExports: map[string]PendingExport{"r1": {ReceivedAt: old.SeenAt + 1}}},
			map[string]ClosedMember{"young": young}},
		{"dead stub of the member", Cursors{DeadRecords: map[string]DeadRecord{"stub:s1": {Kind: RecordStub, ID: "s1", Member: "old"}}},
			map[string]ClosedMember{"old": old, "young": young}},
		{"dead message of the member", Cursors{DeadRecords: map[string]DeadRecord{"message:e1": {Kind: RecordMessage, ID: "e1", Member: "old"}}},
			map[string]ClosedMember{"young": young}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := tc.c
			c.Closed = &Stream{}
			c.ClosedMembers = map[string]ClosedMember{"old": old, "young": young}
			if unfit := c.rememberClosed(nil, nil, now, 0); unfit != nil {
				t.Errorf("unfit = %v", unfit)
			}
			if d := cmp.Diff(tc.want, c.ClosedMembers); d != "" {
				t.Errorf("closed members (-want +got):\n%s", d)
			}
		})
	}
}

// With MaxClosedMembers remembered, a closed member of whom the ATS holds
// no candidate is not dropped: PollDeletions names them in an error and
// keeps them pending, listed again on every poll, so that the candidate
// their export brings in later gets the notice.
func TestClosedMembersFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		now := time.Now()
		store := NewMemoryCursors()
		full := Cursors{ClosedMembers: map[string]ClosedMember{}}
		for i := range MaxClosedMembers {
			full.ClosedMembers[fmt.Sprint("urn:li:person:m", i)] = ClosedMember{ClosedAt: ms(now), SeenAt: ms(now)}
		}
		if err := store.Save(ctx, custID, full); err != nil {
			t.Fatal(err)
		}
		e := newEnv(t, WithCursorStore(store))
		e.fake.closed = []rsc.ClosedProfile{{Member: ann, ClosedAt: at(now.Add(-time.Minute))}}
		rep, err := e.r.PollDeletions(ctx)
		want := "inmail: closed members urn:li:person:ann kept pending: inmail: remembered closed members full"
		if !errors.Is(err, ErrClosedMembersFull) || err.Error() != want {
			t.Fatalf("PollDeletions = %v, want %q", err, want)
		}
		if d := cmp.Diff(DeletionReport{Profiles: 1}, rep); d != "" {
			t.Errorf("report (-want +got):\n%s", d)
		}
		time.Sleep(72 * time.Hour) // past the overlap: only the pending member lists ann again
		e.fake.exports["r1"] = []rsc.ExportedCandidate{exportOf("r1", ann, "J1", time.Now())}
		if _, err := e.r.HandleExport(ctx, "r1"); err != nil {
			t.Fatal(err)
		}
		rep, err = e.r.PollDeletions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(DeletionReport{Profiles: 1, Notices: 1}, rep); d != "" {
			t.Errorf("report (-want +got):\n%s", d)
		}
		if d := cmp.Diff(map[string][]NoticeKind{"C1": {NoticeMemberDeleted, NoticeExported}}, noticeKinds(e.sink)); d != "" {
			t.Errorf("notices (-want +got):\n%s", d)
		}
	})
}

// hookSink is a Sink that runs hook once, just after its first lookup of
// member's candidates: while a deletion poll runs.
type hookSink struct {
	*MemorySink
	member string
	fired  atomic.Bool
	hook   func()
}

func (s *hookSink) CandidatesByPerson(ctx context.Context, person string) ([]Candidate, error) {
	cs, err := s.MemorySink.CandidatesByPerson(ctx, person)
	if person == s.member && s.fired.CompareAndSwap(false, true) {
		s.hook()
	}
	return cs, err
}

// An export handled while PollDeletions runs (after the poll found no
// candidate of a closed member, before it remembered the member) does not
// lose the member's notice: the poll looks again once it remembered the
// member, and the export looks at the stored cursors after it created the
// candidate.
func TestExportDuringDeletionPollGetsNotice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		e := newEnv(t)
		e.state.set(completeCandidates)
		now := time.Now()
		e.fake.seats = []rsc.Seat{seat(7, rec7)}
		e.fake.exports["r1"] = []rsc.ExportedCandidate{exportOf("r1", ann, "J1", now)}
		e.fake.closed = []rsc.ClosedProfile{{Member: ann, ClosedAt: at(now.Add(-3 * 24 * time.Hour))}}
		var exportErr error
		e.r.cfg.Sink = &hookSink{MemorySink: e.sink, member: ann, hook: func() {
			_, exportErr = e.r.HandleExport(ctx, "r1")
		}}
		if _, err := e.r.PollDeletions(ctx); err != nil {
			t.Fatal(err)
		}
		t.Logf("export: %v", exportErr)
		for range 3 {
			time.Sleep(25 * time.Hour)
			if _, err := e.r.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
		}
		c, _ := e.r.Cursors(ctx)
		t.Logf("closed members: %+v", c.ClosedMembers)
		if d := cmp.Diff(map[string][]NoticeKind{"C1": {NoticeMemberDeleted, NoticeExported}}, noticeKinds(e.sink)); d != "" {
			t.Errorf("notices (-want +got):\n%s", d)
		}
	})
}

// A member who closed their account longer than the pending TTL before the
// first poll, whose candidate only Candidate Sync completed covers, is held,
// and the TTL runs from when the poll first held them, not from the
// closure: the notice reaches the candidate once Candidate Sync completes
// (milestone 3, "a LinkedIn member deleting their profile results in an
// activity: all candidates").
func TestOldClosureHeldUntilCandidateSyncCompletes(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env, ctx context.Context, now time.Time) {
		e.state.set(func(st *milestones.State) { st.EnabledAt = now.Add(-time.Hour) })
		e.sink.AddCandidate(Candidate{ID: "C3", Person: bob, UpdatedAt: now.Add(-400 * 24 * time.Hour)})
		e.fake.closed = []rsc.ClosedProfile{{Member: bob, ClosedAt: at(now.Add(-40 * 24 * time.Hour))}}
		rep, err := e.r.PollDeletions(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Notices != 0 || rep.Pending != 1 {
			t.Fatalf("first poll, before Candidate Sync completed: %+v; want no notice, one member pending", rep)
		}
		time.Sleep(48 * time.Hour)
		e.state.set(completeCandidates)
		if _, err := e.r.PollDeletions(ctx); err != nil {
			t.Fatal(err)
		}
		c, _ := e.sink.Get("C3")
		if len(c.Notices) != 1 || c.Notices[0].Kind != NoticeMemberDeleted {
			t.Errorf("after Candidate Sync completed, C3's activities = %+v; want the member-deleted notice", c.Notices)
		}
	})
}

// A candidate whose deletion notice the ATS refuses for good does not keep
// the notices of other closed members from their candidates: the poll
// goes on past it, keeps its member pending (read again on the next run,
// however long it takes: a deletion notice is never given up on, not even
// after the pending TTL) and returns the error naming it. Before, the poll
// stopped at it, and the notices of the members listed after it were never
// written.
func TestRefusedDeletionNoticeDoesNotStopOthers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, WithPendingTTL(24*time.Hour))
		ctx := t.Context()
		sink := &refusingSink{MemorySink: e.sink, refused: map[string]int{}}
		e.r.cfg.Sink = sink
		now := time.Now()
		e.sink.AddCandidate(Candidate{ID: "C1", Person: ann, UpdatedAt: now})
		e.sink.AddCandidate(Candidate{ID: "C2", Person: bob, UpdatedAt: now})
		annClosed := now.Add(-2 * time.Hour)
		e.fake.closed = []rsc.ClosedProfile{{Member: ann, ClosedAt: at(annClosed)}, {Member: bob, ClosedAt: at(now.Add(-time.Hour))}}
		annNotice := fmt.Sprintf("member-deleted:%s:%d", ann, ms(annClosed))
		sink.refuse(annNotice, -1)
		wantErr := "inmail: record deletion on C1: ATS: 422 refused"
		for i := range 12 { // three days of runs, every 6 hours
			_, err := e.r.RunOnce(ctx)
			if err == nil || !strings.Contains(err.Error(), wantErr) {
				t.Fatalf("run %d: RunOnce = %v, want an error holding %q", i, err, wantErr)
			}
			time.Sleep(6 * time.Hour)
		}
		if d := cmp.Diff(map[string][]NoticeKind{"C1": nil, "C2": {NoticeMemberDeleted}}, noticeKinds(e.sink)); d != "" {
			t.Errorf("notices while C1's is refused (-want +got):\n%s", d)
		}
		sink.refuse(annNotice, 0)
		time.Sleep(24 * time.Hour)
		e.runOnce(t, ctx)
		if d := cmp.Diff(map[string][]NoticeKind{"C1": {NoticeMemberDeleted}, "C2": {NoticeMemberDeleted}}, noticeKinds(e.sink)); d != "" {
			t.Errorf("notices once the ATS takes C1's (-want +got):\n%s", d)
		}
	})
}

// deleteCandidate deletes candidate id from s, as the customer does on a
// deletion notice.
func deleteCandidate(s *MemorySink, id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.cands, id)
	s.order = slices.DeleteFunc(s.order, func(o string) bool { return o == id })
}

// A member closes their account while their export is journaled (its
// first attempt failed) and the ATS holds a candidate of theirs: the
// notice is recorded on it, and the customer deletes it, as the notice
// asks. The export's retry then brings the member into the ATS again,
// and that candidate gets the notice too: the deletion is not undone
// silently. Before, a member was remembered (ClosedMembers) only when
// the ATS held no candidate of theirs, and the new candidate had none.
func TestExportAfterTheDeletedCandidateGetsNotice(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		ctx := t.Context()
		sink := &refusingSink{MemorySink: e.sink, refused: map[string]int{}}
		e.r.cfg.Sink = sink
		e.fake.seats = []rsc.Seat{seat(7, rec7)}
		now := time.Now()
		e.sink.AddCandidate(Candidate{ID: "C1", Person: ann, UpdatedAt: now})
		e.fake.exports["r1"] = []rsc.ExportedCandidate{exportOf("r1", ann, "J1", now)}
		sink.refuse("export:r1:"+ann, 1)
		if _, err := e.r.HandleExport(ctx, "r1"); err == nil {
			t.Fatal("first attempt of r1 did not fail")
		}
		e.fake.closed = []rsc.ClosedProfile{{Member: ann, ClosedAt: at(now.Add(time.Second))}}
		time.Sleep(time.Minute)
		if _, err := e.r.PollDeletions(ctx); err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(map[string][]NoticeKind{"C1": {NoticeMemberDeleted}}, noticeKinds(e.sink)); d != "" {
			t.Fatalf("notices after the poll (-want +got):\n%s", d)
		}
		deleteCandidate(e.sink, "C1")
		time.Sleep(time.Hour)
		rep, err := e.r.RunOnce(ctx) // r1's retry is due
		if err != nil || rep.Exports.Completed != 1 {
			t.Fatalf("RunOnce = %+v, %v; want r1 completed", rep.Exports, err)
		}
		for id, kinds := range noticeKinds(e.sink) {
			if !slices.Contains(kinds, NoticeMemberDeleted) {
				t.Errorf("candidate %s of the closed member brought in again without the deletion notice: %v", id, kinds)
			}
		}
	})
}
