package inmail_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rscgo/rscgo/inmail"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// stubReplies makes n new members reply to an InMail of the world's seat
// and share their contact information (a stub each), one every gap (0:
// all in the same millisecond), and returns their person URNs, sorted.
func (w *world) stubReplies(t *testing.T, n int, gap time.Duration) []string {
	t.Helper()
	var people []string
	for range n {
		i := len(w.members)
		m := w.srv.AddMember(rsctest.MemberSpec{FirstName: fmt.Sprintf("M%04d", i), LastName: "Stub", Email: fmt.Sprintf("m%04d@example.com", i)})
		w.members[m.FirstName] = m.Person
		conv, err := w.cust.SendInMail(w.seat, m.Person, "Role at Acme", "Hi")
		if err != nil {
			t.Fatal(err)
		}
		if err := w.cust.ReplyInMail(conv, "Sure, here are my details", true); err != nil {
			t.Fatal(err)
		}
		people = append(people, m.Person)
		time.Sleep(gap)
	}
	slices.Sort(people)
	return people
}

// stubPeople returns the person URNs of the sink's candidates created from
// a stub, sorted.
func stubPeople(s *inmail.MemorySink) []string {
	var out []string
	for _, c := range s.Candidates() {
		if c.Origin == inmail.OriginInMailStub {
			out = append(out, c.Person)
		}
	}
	slices.Sort(out)
	return out
}

// TestStubWindowOverSearchLimit: a stub window holding more stubs than
// LinkedIn's search lists for one query (the fake's limit lowered to 100,
// as LinkedIn's 20,000, docs/linkedin-api.md §2.3, is costly to fill) is
// read in halves, recursively, until each part fits: every stub reaches the
// ATS once and the stream ends at the end of the poll.
func TestStubWindowOverSearchLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, true, rsctest.WithLimits(rsctest.Limits{MailStubsWindow: 100}))
		ctx := t.Context()
		time.Sleep(time.Hour)
		want := w.stubReplies(t, 250, 10*time.Second)
		time.Sleep(5 * time.Minute)
		end := time.Now().Add(-inmail.DefaultLag).UnixMilli()
		rep, err := w.r.PollStubs(ctx)
		if err != nil {
			t.Fatalf("PollStubs: %v", err)
		}
		if d := cmp.Diff(inmail.StubReport{Stubs: 250, Created: 250}, rep); d != "" {
			t.Errorf("report (-want +got):\n%s", d)
		}
		if d := cmp.Diff(want, stubPeople(w.sink)); d != "" {
			t.Errorf("stub candidates (-want +got):\n%s", d)
		}
		c, err := w.r.Cursors(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Stubs[contract].Next; got != end {
			t.Errorf("stub stream at %d, want the poll's end %d", got, end)
		}
	})
}

// TestStubWindowUnsplittable: when a single millisecond holds more stubs
// than the search lists, the poll stops there with a *StubWindowError
// rather than pass them over: the stubs before it are read, the stream
// stays at that millisecond, and the next poll fails there again.
func TestStubWindowUnsplittable(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, true, rsctest.WithLimits(rsctest.Limits{MailStubsWindow: 100}))
		ctx := t.Context()
		time.Sleep(time.Hour)
		before := w.stubReplies(t, 3, time.Minute)
		full := time.Now().UnixMilli()
		w.stubReplies(t, 150, 0) // all in one millisecond
		time.Sleep(time.Minute)
		w.stubReplies(t, 1, 0)
		time.Sleep(5 * time.Minute)
		for poll := range 2 {
			_, err := w.r.PollStubs(ctx)
			var we *inmail.StubWindowError
			if !errors.As(err, &we) {
				t.Fatalf("poll %d: PollStubs = %v, want a *StubWindowError", poll, err)
			}
			want := inmail.StubWindowError{Contract: contract, Start: full, End: full + 1, Listed: 100}
			if d := cmp.Diff(want, *we, cmpopts.IgnoreFields(inmail.StubWindowError{}, "Err")); d != "" {
				t.Errorf("poll %d: error (-want +got):\n%s", poll, d)
			}
			var ae *rsc.APIError
			if !errors.As(err, &ae) || ae.StatusCode != http.StatusBadRequest {
				t.Errorf("poll %d: the error does not carry LinkedIn's 400: %v", poll, err)
			}
			if d := cmp.Diff(before, stubPeople(w.sink)); d != "" {
				t.Errorf("poll %d: stub candidates (-want +got):\n%s", poll, d)
			}
			c, err := w.r.Cursors(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if got := c.Stubs[contract].Next; got != full {
				t.Errorf("poll %d: stub stream at %d, want %d, the millisecond not read", poll, got, full)
			}
		}
	})
}

// slowSink is a MemorySink whose EnsureApplication, while slow, waits for
// its context to end (an ATS too slow for the attempt's deadline).
type slowSink struct {
	*inmail.MemorySink
	mu   sync.Mutex
	slow bool
}

func (s *slowSink) EnsureApplication(ctx context.Context, id, job string, o inmail.Origin) (bool, error) {
	s.mu.Lock()
	slow := s.slow
	s.mu.Unlock()
	if slow {
		<-ctx.Done()
		return false, fmt.Errorf("ATS: %w", ctx.Err())
	}
	return s.MemorySink.EnsureApplication(ctx, id, job, o)
}

func (s *slowSink) setSlow(slow bool) {
	s.mu.Lock()
	s.slow = slow
	s.mu.Unlock()
}

// slowExport is an export of Carl's profile to an ATS too slow for the
// export timeout of a minute, retried on a fake clock.
type slowExport struct {
	start time.Time // when the export was pushed, and clk's start
	clk   *rsctest.FakeClock
	sink  *slowSink // slow until told otherwise
	r     *inmail.Retriever
	id    string // the export's request id
}

// slowExport pushes the export of Carl's profile to a retriever with
// WithExportRetry(3, time.Minute, time.Hour) and opts, whose ATS is slow:
// the push's attempt times out and leaves the export pending.
func (w *world) slowExport(t *testing.T, opts ...inmail.Option) slowExport {
	t.Helper()
	e := slowExport{start: time.Now(), sink: &slowSink{MemorySink: w.sink, slow: true}}
	e.clk = rsctest.NewFakeClock(e.start)
	e.r = w.retriever(t, e.sink, append([]inmail.Option{inmail.WithClock(e.clk), inmail.WithExportRetry(3, time.Minute, time.Hour)}, opts...)...)
	h := w.handle(t, e.r, inmail.WithExportTimeout(time.Minute), inmail.WithExportErrors(func(string, error) {}))
	e.id = w.exportCarl(t)
	if code := w.pushStatus(t, h, e.id); code != http.StatusOK {
		t.Fatalf("push answered %d, want 200", code)
	}
	return e
}

// TestExportTimeoutsAreNotFailures: attempts that run out of time because
// the ATS is slow do not spend the export's attempts: more of them than
// WithExportRetry allows leave it pending, with backoff, and it completes
// once the ATS is fast again.
func TestExportTimeoutsAreNotFailures(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, true)
		ctx := t.Context()
		e := w.slowExport(t) // attempt 1 times out
		start, clk, r, id := e.start, e.clk, e.r, e.id
		for range 5 { // attempts 2 to 6 time out
			clk.Advance(time.Hour)
			ctx, cancel := context.WithTimeout(ctx, time.Minute)
			rep, err := r.RetryPendingExports(ctx)
			cancel()
			var dl *inmail.DeadLetterError
			if !errors.Is(err, context.DeadlineExceeded) || errors.As(err, &dl) {
				t.Fatalf("RetryPendingExports = %v, want the deadline and no dead letter", err)
			}
			if d := cmp.Diff(inmail.ExportRetryReport{Due: 1, Failed: 1, Pending: 1}, rep); d != "" {
				t.Fatalf("RetryPendingExports (-want +got):\n%s", d)
			}
		}
		c, err := r.Cursors(ctx)
		if err != nil {
			t.Fatal(err)
		}
		type journal struct {
			Pending map[string]inmail.PendingExport
			Dead    map[string]inmail.DeadExport
		}
		want := journal{Pending: map[string]inmail.PendingExport{id: {
			ReceivedAt: start.UnixMilli(), Timeouts: 6,
			NextAt:    clk.Now().Add(32 * time.Minute).UnixMilli(), // the backoff of the 6th attempt made
			LastError: fmt.Sprintf("inmail: export %s of %s: ATS: %v", id, w.members["Carl"], context.DeadlineExceeded),
		}}}
		if d := cmp.Diff(want, journal{c.PendingExports, c.DeadExports}, cmpopts.EquateEmpty()); d != "" {
			t.Fatalf("journal after the timeouts (-want +got):\n%s", d)
		}

		// The ATS is fast again: the next due retry brings the export in.
		e.sink.setSlow(false)
		clk.Advance(time.Hour)
		rep, err := r.RetryPendingExports(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(inmail.ExportRetryReport{Due: 1, Completed: 1}, rep); d != "" {
			t.Errorf("RetryPendingExports (-want +got):\n%s", d)
		}
		w.checkHandled(t, r, id)
	})
}

// TestExportTimeoutsBounded: an ATS that is never fast enough does not
// keep an export pending for ever: once WithExportTimeouts attempts ran out
// of time it is a dead letter, saying so.
func TestExportTimeoutsBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, true)
		e := w.slowExport(t, inmail.WithExportTimeouts(2)) // timeout 1
		start, clk, r, id := e.start, e.clk, e.r, e.id
		clk.Advance(time.Hour)
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		rep, err := r.RetryPendingExports(ctx) // timeout 2
		var dl *inmail.DeadLetterError
		if !errors.As(err, &dl) || !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("RetryPendingExports = %v, want a *DeadLetterError wrapping the deadline", err)
		}
		want := inmail.DeadExport{RequestID: id, ReceivedAt: start.UnixMilli(), At: clk.Now().UnixMilli(), Timeouts: 2,
			Reason: fmt.Sprintf("inmail: export %s of %s: ATS: %v", id, w.members["Carl"], context.DeadlineExceeded)}
		if d := cmp.Diff(want, dl.DeadExport); d != "" {
			t.Errorf("dead letter (-want +got):\n%s", d)
		}
		if d := cmp.Diff(inmail.ExportRetryReport{Due: 1, DeadLettered: 1, DeadLetters: []inmail.DeadExport{want}}, rep); d != "" {
			t.Errorf("RetryPendingExports (-want +got):\n%s", d)
		}
	})
}

// TestClockSetBack: the machine's clock runs two days ahead during a
// run, then is set right. Records LinkedIn creates afterwards, dated
// before the positions that run saved, are still read: InMail, stubs,
// notes and a closed account, whose poll is due although its last one
// seems to lie in the future.
func TestClockSetBack(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, true)
		ctx := t.Context()
		m := w.members
		clk := rsctest.NewFakeClock(time.Now().Add(48 * time.Hour))
		r := w.retriever(t, w.sink, inmail.WithClock(clk), inmail.WithDeletionInterval(time.Hour))
		// Carl is an ATS candidate LinkedIn holds (synced with his email).
		carl := w.sink.AddCandidate(inmail.Candidate{FirstName: "Carl", Person: m["Carl"], Emails: []string{"carl@example.com"}, UpdatedAt: time.Now()})
		if err := w.resync(ctx, carl); err != nil {
			t.Fatal(err)
		}
		if _, err := r.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}

		clk.Set(time.Now()) // the clock is set right
		time.Sleep(10 * time.Minute)
		conv := must[string](t)(w.cust.SendInMail(w.seat, m["Ann"], "Role at Acme", "Hi Ann"))
		time.Sleep(time.Minute)
		if err := w.cust.ReplyInMail(conv, "Yes, here are my details", true); err != nil {
			t.Fatal(err)
		}
		must[string](t)(w.cust.WriteProspectNote(w.seat, m["Ann"], "Strong Go background"))
		if err := w.srv.CloseMemberAccount(m["Carl"]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Hour)
		clk.Set(time.Now())
		rep, err := r.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.DeletionsRun {
			t.Error("closed profiles not polled: the last poll seemed to lie in the future")
		}
		want := map[string]summary{
			"Ann": {Person: m["Ann"], Origin: inmail.OriginInMailStub, Emails: []string{"ann@example.com"},
				Messages: []string{"recruiter: Hi Ann", "member: Yes, here are my details"},
				Notes:    []string{"Strong Go background"},
				Notices:  []inmail.NoticeKind{inmail.NoticeContactShared}},
			"Carl": {Person: m["Carl"], Emails: []string{"carl@example.com"}, Notices: []inmail.NoticeKind{inmail.NoticeMemberDeleted}},
		}
		if d := cmp.Diff(want, summarize(w.sink), cmpopts.EquateEmpty()); d != "" {
			t.Errorf("sink (-want +got):\n%s", d)
		}
		// Every position is back behind the clock.
		c, err := r.Cursors(ctx)
		if err != nil {
			t.Fatal(err)
		}
		type positions struct{ InMail, Stubs, Notes, Closed, ClosedAt int64 }
		now := time.Now()
		end := now.Add(-inmail.DefaultLag).UnixMilli()
		wantAt := positions{end, end, end, now.Add(-24 * time.Hour).UnixMilli(), now.UnixMilli()}
		gotAt := positions{c.InMail[w.seat].Next, c.Stubs[contract].Next, c.Notes[contract].Next, c.Closed.Next, c.ClosedAt}
		if d := cmp.Diff(wantAt, gotAt); d != "" {
			t.Errorf("positions (-want +got):\n%s", d)
		}
	})
}

// TestClockSetBackRetriesExports: an export whose retry was scheduled by a
// clock two days ahead is retried once the clock is set right, not two
// days later.
func TestClockSetBackRetriesExports(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, true)
		clk := rsctest.NewFakeClock(time.Now().Add(48 * time.Hour))
		sink := &flakySink{MemorySink: w.sink, failures: 1}
		r := w.retriever(t, sink, inmail.WithClock(clk))
		h := w.handle(t, r, inmail.WithExportErrors(func(string, error) {}))
		id := w.exportCarl(t)
		if code := w.pushStatus(t, h, id); code != http.StatusOK { // the attempt fails
			t.Fatalf("push answered %d, want 200", code)
		}
		clk.Set(time.Now()) // the clock is set right
		w.retriedToHandled(t, r, id)
	})
}

// TestSlowLinkedInDoesNotSpendAttempts: LinkedIn's exportedCandidates is
// slower than the client's attempt timeout (rsc.ErrAttemptTimeout). Such
// attempts, like a slow ATS's, do not spend WithExportRetry's attempts:
// after more of them than it allows, the export is still pending.
func TestSlowLinkedInDoesNotSpendAttempts(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, true)
		ctx := t.Context()
		slow, err := rsc.NewClient(rsc.WithBaseURL(w.srv.URL()), rsc.WithTokenURL(w.srv.TokenURL()),
			rsc.WithHTTPClient(&http.Client{Transport: hangRT{w.srv.Transport()}, Timeout: 10 * time.Second}),
			rsc.WithRetryPolicy(rsc.RetryPolicy{MaxAttempts: 1}),
			rsc.WithCredentials(w.cust.ClientID, w.cust.ClientSecret))
		if err != nil {
			t.Fatal(err)
		}
		w.client = slow
		clk := rsctest.NewFakeClock(time.Now())
		r := w.retriever(t, w.sink, inmail.WithClock(clk), inmail.WithExportRetry(3, time.Minute, time.Hour))
		id := w.exportCarl(t)
		if err := r.AcceptExport(ctx, id); err != nil {
			t.Fatal(err)
		}
		for i := range 4 {
			_, err := r.RetryPendingExports(ctx) // no deadline: only rsc's attempt timeout ends the attempt
			if !errors.Is(err, rsc.ErrAttemptTimeout) {
				t.Fatalf("run %d: %v, want the attempt timeout", i, err)
			}
			var dl *inmail.DeadLetterError
			if errors.As(err, &dl) {
				t.Fatalf("run %d: export dead-lettered after %d attempts and %d timeouts although every attempt ran out of time (LinkedIn slow): %v",
					i, dl.Attempts, dl.Timeouts, err)
			}
			clk.Advance(2 * time.Hour)
		}
	})
}

// hangRT is a network on which LinkedIn's exportedCandidates never answers:
// as net/http does, it returns the request context's error once it ends.
type hangRT struct{ next http.RoundTripper }

func (t hangRT) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.Contains(req.URL.Path, "exportedCandidates") {
		if req.Body != nil {
			req.Body.Close()
		}
		<-req.Context().Done()
		return nil, req.Context().Err()
	}
	return t.next.RoundTrip(req)
}
