package inmail_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rscgo/rscgo/inmail"
	"github.com/rscgo/rscgo/internal/pushq/pushqtest"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

var (
	errATSDown   = errors.New("ATS unavailable")
	errStoreDown = errors.New("cursor store unavailable")
)

// flakySink fails EnsureApplication (after the candidate was created: a
// partial export) the next failures times (always when negative) and can
// hold CreateCandidate until hold is closed.
type flakySink struct {
	*inmail.MemorySink
	mu       sync.Mutex
	failures int
	calls    int // EnsureApplication calls
	hold     chan struct{}
}

func (s *flakySink) EnsureApplication(ctx context.Context, id, job string, o inmail.Origin) (bool, error) {
	s.mu.Lock()
	s.calls++
	fail := s.failures != 0
	if s.failures > 0 {
		s.failures--
	}
	s.mu.Unlock()
	if fail {
		return false, errATSDown
	}
	return s.MemorySink.EnsureApplication(ctx, id, job, o)
}

func (s *flakySink) CreateCandidate(ctx context.Context, n inmail.NewCandidate) (string, error) {
	if s.hold != nil {
		<-s.hold
	}
	return s.MemorySink.CreateCandidate(ctx, n)
}

func (s *flakySink) set(failures int) {
	s.mu.Lock()
	s.failures = failures
	s.mu.Unlock()
}

func (s *flakySink) ensureCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.calls
}

// brittleStore is a CursorStore that fails every Save once saves (when
// not negative) have succeeded, as a process that died there would, and
// every Load and Save while down.
type brittleStore struct {
	inmail.CursorStore
	mu    sync.Mutex
	saves int
	down  bool
}

func (s *brittleStore) Load(ctx context.Context, id string) (inmail.Cursors, error) {
	s.mu.Lock()
	down := s.down
	s.mu.Unlock()
	if down {
		return inmail.Cursors{}, errStoreDown
	}
	return s.CursorStore.Load(ctx, id)
}

func (s *brittleStore) Save(ctx context.Context, id string, c inmail.Cursors) error {
	s.mu.Lock()
	if s.down || s.saves == 0 {
		s.mu.Unlock()
		return errStoreDown
	}
	if s.saves > 0 {
		s.saves--
	}
	s.mu.Unlock()
	return s.CursorStore.Save(ctx, id, c)
}

func (s *brittleStore) setDown(down bool) {
	s.mu.Lock()
	s.down = down
	s.mu.Unlock()
}

// fileStore is a FileCursors in a test directory: what survives a crash.
func fileStore(t *testing.T) *inmail.FileCursors {
	s, err := inmail.NewFileCursors(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// exportCarl exports Carl to J1 and returns the push's request id.
func (w *world) exportCarl(t *testing.T) string {
	t.Helper()
	id, err := w.cust.Export(w.seat, w.members["Carl"], "J1")
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// pushOf returns the push of request id.
func (w *world) pushOf(t *testing.T, id string) rsctest.Push {
	t.Helper()
	for _, p := range w.cust.Pushes() {
		if p.ID == id {
			return p
		}
	}
	t.Fatalf("no push %s", id)
	return rsctest.Push{}
}

// pushStatus delivers the pending pushes and returns the last status the
// callback answered to the push of id.
func (w *world) pushStatus(t *testing.T, h *inmail.PushHandler, id string) int {
	t.Helper()
	w.srv.DeliverPushes(t.Context()) // a refused push is in its LastStatus
	if err := h.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	return w.pushOf(t, id).LastStatus
}

// requests counts the fake's requests whose path contains resource.
func (w *world) requests(resource string) int {
	n := 0
	for _, e := range w.srv.Requests() {
		if strings.Contains(e.Path, resource) {
			n++
		}
	}
	return n
}

// carlExported is the sink after one export of Carl to J1.
func (w *world) carlExported() map[string]summary {
	return map[string]summary{"Carl": {Person: w.members["Carl"], Origin: inmail.OriginExport, Jobs: []string{"J1"},
		Notices: []inmail.NoticeKind{inmail.NoticeExported}}}
}

// checkHandled checks that the export id is in the ATS exactly once,
// attached on LinkedIn, and cleared from r's journal.
// retriedToHandled runs r once, which retries the journaled export id and
// completes it, and checks that the ATS then holds it exactly once.
func (w *world) retriedToHandled(t *testing.T, r *inmail.Retriever, id string) {
	t.Helper()
	rep, err := r.RunOnce(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(inmail.ExportRetryReport{Due: 1, Completed: 1}, rep.Exports); d != "" {
		t.Errorf("RunOnce exports (-want +got):\n%s", d)
	}
	w.checkHandled(t, r, id)
}

func (w *world) checkHandled(t *testing.T, r *inmail.Retriever, id string) {
	t.Helper()
	if d := cmp.Diff(w.carlExported(), summarize(w.sink)); d != "" {
		t.Errorf("sink (-want +got):\n%s", d)
	}
	c, err := r.Cursors(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	type journal struct {
		Exports []string
		Pending map[string]inmail.PendingExport
		Dead    map[string]inmail.DeadExport
		Attach  map[string]string
	}
	if d := cmp.Diff(journal{Exports: []string{id}}, journal{c.Exports, c.PendingExports, c.DeadExports, c.Attaches},
		cmpopts.EquateEmpty()); d != "" {
		t.Errorf("journal (-want +got):\n%s", d)
	}
	if rec, ok := w.cust.Candidate("C1"); !ok || rec.ManualMatchedMember != w.members["Carl"] {
		t.Errorf("LinkedIn's C1 = %+v, %v", rec, ok)
	}
}

// TestExportSurvivesACrash: the process dies after the push was journaled
// and acknowledged, at each later write of the export; a new process's
// RunOnce completes it, once.
func TestExportSurvivesACrash(t *testing.T) {
	for _, tc := range []struct {
		name  string
		saves int // cursor saves that reach the disk before the crash
	}{
		{"after the journal, before processing", 1},
		{"after the attempt was counted", 2},
		{"after the owed attach was saved", 3},
		{"after the attach was cleared, before the journal was", 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w := newWorld(t, true)
				disk := fileStore(t)
				clk := rsctest.NewFakeClock(time.Now())
				dying := &brittleStore{CursorStore: disk, saves: tc.saves}
				r1 := w.retriever(t, w.sink, inmail.WithCursorStore(dying), inmail.WithClock(clk))
				h1 := w.handle(t, r1, inmail.WithExportErrors(func(string, error) {}))
				id := w.exportCarl(t)
				if code := w.pushStatus(t, h1, id); code != http.StatusOK {
					t.Fatalf("push answered %d, want 200", code)
				}

				// The restart: a new process over what reached the disk.
				r2 := w.retriever(t, w.sink, inmail.WithCursorStore(disk), inmail.WithClock(clk))
				clk.Advance(max(inmail.DefaultExportBackoff, inmail.MaxExportAttempt)) // the dead attempt's claim lapses
				w.retriedToHandled(t, r2, id)
			})
		})
	}
}

// TestExportRetriedUntilTheATSHoldsIt: an export whose attempts fail twice
// (the ATS, or LinkedIn's retrieval) is retried by RunOnce once its
// backoff has passed, and ends in the ATS exactly once.
func TestExportRetriedUntilTheATSHoldsIt(t *testing.T) {
	for _, tc := range []struct {
		name       string
		break_, ok func(w *world, s *flakySink)
	}{
		{"the sink fails twice",
			func(_ *world, s *flakySink) { s.set(2) }, func(*world, *flakySink) {}},
		{"LinkedIn's retrieval fails twice",
			func(w *world, _ *flakySink) {
				w.srv.SetFaults(rsctest.Fault{Route: "exportedCandidates", ErrorRate: 1, ErrorStatus: http.StatusBadGateway})
			},
			func(w *world, _ *flakySink) { w.srv.SetFaults() }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w := newWorld(t, true)
				clk := rsctest.NewFakeClock(time.Now())
				sink := &flakySink{MemorySink: w.sink}
				r := w.retriever(t, sink, inmail.WithClock(clk))
				var mu sync.Mutex
				var failed []string
				h := w.handle(t, r, inmail.WithExportErrors(func(id string, err error) {
					mu.Lock()
					failed = append(failed, id)
					mu.Unlock()
				}))
				tc.break_(w, sink)
				id := w.exportCarl(t)
				if code := w.pushStatus(t, h, id); code != http.StatusOK {
					t.Fatalf("push answered %d, want 200", code)
				}
				var reps []inmail.ExportRetryReport
				run := func() {
					rep, err := r.RunOnce(t.Context())
					if (err != nil) != (rep.Exports.Failed > 0) {
						t.Errorf("RunOnce error %v with report %+v", err, rep.Exports)
					}
					reps = append(reps, rep.Exports)
				}
				run() // the retry is not due yet
				clk.Advance(inmail.DefaultExportBackoff)
				run() // attempt 2 fails
				tc.ok(w, sink)
				clk.Advance(2 * inmail.DefaultExportBackoff)
				run() // attempt 3
				want := []inmail.ExportRetryReport{{Pending: 1}, {Due: 1, Failed: 1, Pending: 1}, {Due: 1, Completed: 1}}
				if d := cmp.Diff(want, reps); d != "" {
					t.Errorf("RunOnce exports (-want +got):\n%s", d)
				}
				if d := cmp.Diff([]string{id}, failed); d != "" {
					t.Errorf("push failures (-want +got):\n%s", d)
				}
				w.checkHandled(t, r, id)
			})
		})
	}
}

// TestExportPushNotJournaled: a push the journal cannot store is answered
// 503, so that LinkedIn redelivers it, and nothing is fetched; the
// redelivery, once the store works, is processed.
func TestExportPushNotJournaled(t *testing.T) {
	for _, tc := range []struct {
		name string
		down func(s *brittleStore, r *inmail.Retriever, t *testing.T)
	}{
		{"the store cannot save", func(s *brittleStore, _ *inmail.Retriever, _ *testing.T) { s.saves = 0 }},
		{"the store cannot load", func(s *brittleStore, _ *inmail.Retriever, _ *testing.T) { s.setDown(true) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w := newWorld(t, true)
				store := &brittleStore{CursorStore: inmail.NewMemoryCursors(), saves: -1}
				r := w.retriever(t, w.sink, inmail.WithCursorStore(store))
				h := w.handle(t, r, inmail.WithExportErrors(func(id string, err error) { t.Errorf("export %s: %v", id, err) }))
				tc.down(store, r, t)
				id := w.exportCarl(t)
				if code := w.pushStatus(t, h, id); code != http.StatusServiceUnavailable {
					t.Fatalf("push answered %d, want 503", code)
				}
				if n := w.requests("exportedCandidates"); n != 0 || len(w.sink.Candidates()) != 0 {
					t.Fatalf("an unjournaled push was processed: %d fetches, %d candidates", n, len(w.sink.Candidates()))
				}
				store.mu.Lock()
				store.saves, store.down = -1, false
				store.mu.Unlock()
				if code := w.pushStatus(t, h, id); code != http.StatusOK {
					t.Fatalf("redelivered push answered %d, want 200", code)
				}
				w.checkHandled(t, r, id)
			})
		})
	}
}

// TestExportJournalFull: with MaxPendingExports pending, a new push is
// refused with 503 rather than acknowledged and dropped.
func TestExportJournalFull(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, true)
		full := inmail.Cursors{PendingExports: map[string]inmail.PendingExport{}}
		for i := range inmail.MaxPendingExports {
			full.PendingExports[fmt.Sprintf("old-%d", i)] = inmail.PendingExport{NextAt: time.Now().Add(time.Hour).UnixMilli()}
		}
		store := inmail.NewMemoryCursors()
		if err := store.Save(t.Context(), "acme", full); err != nil {
			t.Fatal(err)
		}
		r := w.retriever(t, w.sink, inmail.WithCursorStore(store))
		h := w.handle(t, r)
		id := w.exportCarl(t)
		if code := w.pushStatus(t, h, id); code != http.StatusServiceUnavailable {
			t.Errorf("push answered %d, want 503", code)
		}
		if err := r.AcceptExport(t.Context(), id); !errors.Is(err, inmail.ErrExportJournalFull) {
			t.Errorf("AcceptExport = %v, want ErrExportJournalFull", err)
		}
	})
}

// TestRetryExportJournalFull: RetryExport does not overfill the journal
// either: with MaxPendingExports pending the dead letter stays.
func TestRetryExportJournalFull(t *testing.T) {
	full := inmail.Cursors{PendingExports: map[string]inmail.PendingExport{},
		DeadExports: map[string]inmail.DeadExport{"dead-1": {RequestID: "dead-1", Reason: "ATS down"}}}
	for i := range inmail.MaxPendingExports {
		full.PendingExports[fmt.Sprintf("old-%d", i)] = inmail.PendingExport{}
	}
	store := inmail.NewMemoryCursors()
	if err := store.Save(t.Context(), "acme", full); err != nil {
		t.Fatal(err)
	}
	w := newWorld(t, true)
	r := w.retriever(t, w.sink, inmail.WithCursorStore(store))
	if err := r.RetryExport(t.Context(), "dead-1"); !errors.Is(err, inmail.ErrExportJournalFull) {
		t.Errorf("RetryExport = %v, want ErrExportJournalFull", err)
	}
	if got, err := r.DeadExports(t.Context()); err != nil || len(got) != 1 || got[0].RequestID != "dead-1" {
		t.Errorf("DeadExports = %+v, %v; want dead-1 kept", got, err)
	}
}

// TestExportDeadLetter: once its attempts are spent an export is a dead
// letter that RunOnce reports, with its id and reason, and stops trying;
// a redelivery does not revive it; RetryExport does.
func TestExportDeadLetter(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, true)
		start := time.Now()
		clk := rsctest.NewFakeClock(start)
		sink := &flakySink{MemorySink: w.sink, failures: -1}
		r := w.retriever(t, sink, inmail.WithClock(clk), inmail.WithExportRetry(3, time.Minute, time.Minute))
		h := w.handle(t, r, inmail.WithExportErrors(func(string, error) {}))
		ctx := t.Context()
		id := w.exportCarl(t)
		if code := w.pushStatus(t, h, id); code != http.StatusOK {
			t.Fatalf("push answered %d, want 200", code)
		}
		var err error
		var rep inmail.RunReport
		for range 2 {
			clk.Advance(time.Minute)
			rep, err = r.RunOnce(ctx)
		}
		want := inmail.DeadExport{RequestID: id, ReceivedAt: start.UnixMilli(), At: start.Add(2 * time.Minute).UnixMilli(), Attempts: 3,
			Reason: fmt.Sprintf("inmail: export %s of %s: %v", id, w.members["Carl"], errATSDown)}
		var dl *inmail.DeadLetterError
		if !errors.As(err, &dl) || !errors.Is(err, errATSDown) {
			t.Fatalf("RunOnce = %v, want a *DeadLetterError wrapping the sink's error", err)
		}
		if d := cmp.Diff(want, dl.DeadExport); d != "" {
			t.Errorf("dead letter (-want +got):\n%s", d)
		}
		if d := cmp.Diff(inmail.ExportRetryReport{Due: 1, DeadLettered: 1, DeadLetters: []inmail.DeadExport{want}}, rep.Exports); d != "" {
			t.Errorf("RunOnce exports (-want +got):\n%s", d)
		}

		// It stays visible and is not attempted again, even when redelivered.
		calls := sink.ensureCalls()
		clk.Advance(time.Hour)
		rep, err = r.RunOnce(ctx)
		if err != nil || !cmp.Equal(rep.Exports, inmail.ExportRetryReport{DeadLetters: []inmail.DeadExport{want}}) {
			t.Errorf("later RunOnce = %+v, %v", rep.Exports, err)
		}
		p := w.pushOf(t, id)
		if code := pushqtest.Post(ctx, h, "/linkedin/callback", p.Signature, p.Body); code != http.StatusOK {
			t.Errorf("redelivered dead letter answered %d, want 200", code)
		}
		if err := h.Wait(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := r.HandleExport(ctx, id); !errors.As(err, &dl) || dl.RequestID != id {
			t.Errorf("HandleExport of a dead letter = %v", err)
		}
		if n := sink.ensureCalls(); n != calls {
			t.Errorf("a dead letter was attempted again (%d sink calls, want %d)", n, calls)
		}
		if got, err := r.DeadExports(ctx); err != nil || !cmp.Equal(got, []inmail.DeadExport{want}) {
			t.Errorf("DeadExports = %+v, %v", got, err)
		}

		// The operator fixes the ATS and retries it.
		if err := r.DismissExport(ctx, "other"); !errors.Is(err, inmail.ErrNotDeadExport) {
			t.Errorf("DismissExport(unknown) = %v", err)
		}
		sink.set(0)
		if err := r.RetryExport(ctx, id); err != nil {
			t.Fatal(err)
		}
		w.retriedToHandled(t, r, id)
	})
}

// TestExportDuplicatePushes: however often LinkedIn pushes one export,
// and whatever the export is doing then, the ATS gets it once and
// LinkedIn's payload is read once per needed attempt.
func TestExportDuplicatePushes(t *testing.T) {
	for _, tc := range []struct {
		name    string
		fetches int
		run     func(t *testing.T, w *world, r *inmail.Retriever, h *inmail.PushHandler, s *flakySink, post func() int)
	}{
		{"redelivered after it was handled", 1, func(t *testing.T, w *world, _ *inmail.Retriever, h *inmail.PushHandler, _ *flakySink, post func() int) {
			if code := w.pushStatus(t, h, w.cust.Pushes()[len(w.cust.Pushes())-1].ID); code != http.StatusOK {
				t.Errorf("push answered %d", code)
			}
			post()
		}},
		{"posted three times at once", 1, func(_ *testing.T, _ *world, _ *inmail.Retriever, _ *inmail.PushHandler, _ *flakySink, post func() int) {
			post()
			post()
			post()
		}},
		{"redelivered while it runs, with RunOnce", 1, func(t *testing.T, _ *world, r *inmail.Retriever, _ *inmail.PushHandler, s *flakySink, post func() int) {
			s.hold = make(chan struct{})
			post()
			synctest.Wait() // the worker holds in CreateCandidate
			post()
			time.Sleep(inmail.DefaultExportBackoff) // the retry is due, but the push holds it
			if rep, err := r.RunOnce(t.Context()); err != nil || !cmp.Equal(rep.Exports, inmail.ExportRetryReport{Pending: 1}) {
				t.Errorf("RunOnce during the export = %+v, %v", rep.Exports, err)
			}
			close(s.hold)
		}},
		{"redelivered after it failed", 2, func(t *testing.T, w *world, _ *inmail.Retriever, h *inmail.PushHandler, s *flakySink, post func() int) {
			s.set(1)
			post()
			if err := h.Wait(t.Context()); err != nil {
				t.Fatal(err)
			}
			post()
			post()
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				w := newWorld(t, true)
				sink := &flakySink{MemorySink: w.sink}
				r := w.retriever(t, sink)
				h := w.handle(t, r, inmail.WithExportErrors(func(string, error) {}))
				id := w.exportCarl(t)
				p := w.pushOf(t, id)
				var codes []int
				post := func() int {
					code := pushqtest.Post(t.Context(), h, "/linkedin/callback", p.Signature, p.Body)
					codes = append(codes, code)
					return code
				}
				tc.run(t, w, r, h, sink, post)
				if err := h.Wait(t.Context()); err != nil {
					t.Fatal(err)
				}
				for _, c := range codes {
					if c != http.StatusOK {
						t.Errorf("push answers %v, want 200 each", codes)
						break
					}
				}
				if n := w.requests("exportedCandidates"); n != tc.fetches {
					t.Errorf("exportedCandidates read %d times, want %d", n, tc.fetches)
				}
				w.checkHandled(t, r, id)
			})
		})
	}
}

// TestExportKillingItsProcess: an export during which the process dies
// every time still reaches its attempt limit and becomes a dead letter
// saying so, instead of being retried forever.
func TestExportKillingItsProcess(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, true)
		disk := inmail.NewMemoryCursors()
		clk := rsctest.NewFakeClock(time.Now())
		retry := inmail.WithExportRetry(1, time.Minute, time.Minute)
		// The process dies after counting the attempt (the second save).
		r1 := w.retriever(t, w.sink, inmail.WithCursorStore(&brittleStore{CursorStore: disk, saves: 2}), inmail.WithClock(clk), retry)
		h1 := w.handle(t, r1, inmail.WithExportErrors(func(string, error) {}))
		id := w.exportCarl(t)
		if code := w.pushStatus(t, h1, id); code != http.StatusOK {
			t.Fatalf("push answered %d, want 200", code)
		}
		r2 := w.retriever(t, w.sink, inmail.WithCursorStore(disk), inmail.WithClock(clk), retry)
		clk.Advance(inmail.MaxExportAttempt) // the dead attempt's claim lapses
		_, err := r2.RunOnce(t.Context())
		var dl *inmail.DeadLetterError
		if !errors.As(err, &dl) {
			t.Fatalf("RunOnce = %v, want a *DeadLetterError", err)
		}
		want := inmail.DeadExport{RequestID: id, ReceivedAt: clk.Now().Add(-inmail.MaxExportAttempt).UnixMilli(), At: clk.Now().UnixMilli(), Attempts: 1,
			Reason: "attempt 1 did not finish (the process stopped during it)"}
		if d := cmp.Diff(want, dl.DeadExport); d != "" {
			t.Errorf("dead letter (-want +got):\n%s", d)
		}
	})
}

// TestSchedulerRetriesExports: the Scheduler's periodic RunOnce completes
// an export whose push failed, once its backoff has passed.
func TestSchedulerRetriesExports(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, true)
		sink := &flakySink{MemorySink: w.sink, failures: 1}
		r := w.retriever(t, sink)
		h := w.handle(t, r, inmail.WithExportErrors(func(string, error) {}))
		id := w.exportCarl(t)
		if code := w.pushStatus(t, h, id); code != http.StatusOK {
			t.Fatalf("push answered %d, want 200", code)
		}
		var mu sync.Mutex
		var reps []inmail.ExportRetryReport
		s, err := inmail.NewScheduler(inmail.WithInterval(10*time.Minute), inmail.WithJitter(0, nil),
			inmail.WithRunReports(func(_ string, rep inmail.RunReport, err error) {
				mu.Lock()
				reps = append(reps, rep.Exports)
				mu.Unlock()
				if err != nil {
					t.Errorf("run: %v", err)
				}
			}))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Add(r); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 25*time.Minute)
		defer cancel()
		if err := s.Run(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Fatal(err)
		}
		mu.Lock()
		defer mu.Unlock()
		want := []inmail.ExportRetryReport{{Pending: 1}, {Due: 1, Completed: 1}, {}}
		if d := cmp.Diff(want, reps); d != "" {
			t.Errorf("scheduled runs (-want +got):\n%s", d)
		}
		w.checkHandled(t, r, id)
	})
}

// Two Retrievers over one CursorStore (the webhook's beside the
// scheduler's): while one attempts an export, the other leaves it alone,
// by a push or by RunOnce, and the ATS gets the candidate once.
func TestExportClaimedAcrossRetrievers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, true)
		store := inmail.NewMemoryCursors()
		sink := &flakySink{MemorySink: w.sink, hold: make(chan struct{})}
		a := w.retriever(t, sink, inmail.WithCursorStore(store))
		b := w.retriever(t, sink, inmail.WithCursorStore(store))
		id := w.exportCarl(t)
		done := make(chan error)
		go func() { _, err := a.HandleExport(t.Context(), id); done <- err }()
		synctest.Wait() // a's attempt waits in CreateCandidate
		res, err := b.HandleExport(t.Context(), id)
		if err != nil || !res.InProgress {
			t.Errorf("b.HandleExport during a's attempt: %+v, %v; want InProgress", res, err)
		}
		time.Sleep(inmail.DefaultExportBackoff + time.Minute) // the backoff has passed, a's claim has not
		rep, err := b.RetryPendingExports(t.Context())
		if err != nil || rep.Due != 0 {
			t.Errorf("b.RetryPendingExports during a's attempt: %+v, %v; want nothing due", rep, err)
		}
		close(sink.hold)
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if n := len(w.sink.Candidates()); n != 1 {
			t.Errorf("%d candidates, want 1", n)
		}
	})
}
