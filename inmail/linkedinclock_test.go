package inmail_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/inmail"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// skewedClock reads LinkedIn's clock plus a skew: the clock of a host set
// wrong. It sleeps on LinkedIn's clock, so the two move together.
type skewedClock struct {
	li   *rsctest.FakeClock
	skew time.Duration
}

func (c skewedClock) Now() time.Time { return c.li.Now().Add(c.skew) }
func (c skewedClock) Sleep(ctx context.Context, d time.Duration) error {
	return c.li.Sleep(ctx, d)
}

// liT is LinkedIn's time when a skew test's first poll runs.
var liT = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// skewWorld is a customer on the fake, whose clock is LinkedIn's, and
// Retrievers on a host clock skew ahead of it (behind when negative),
// sharing one cursor store and Sink.
type skewWorld struct {
	t          *testing.T
	li         *rsctest.FakeClock
	host       skewedClock
	srv        *rsctest.Server
	cust       *rsctest.Customer
	store      *inmail.MemoryCursors
	sink       *inmail.MemorySink
	ann, rita  string
	seat       string
	annEmail   string
	enabledAt  time.Time
	setupCalls *rsc.Client // a client of LinkedIn's own clock, for the test's set-up
}

func newSkewWorld(t *testing.T, skew time.Duration) *skewWorld {
	t.Helper()
	w := &skewWorld{t: t, li: rsctest.NewFakeClock(liT.Add(-2 * time.Hour)), store: inmail.NewMemoryCursors(),
		sink: inmail.NewMemorySink(), annEmail: "ann@example.com", enabledAt: liT.Add(-365 * 24 * time.Hour)}
	w.host = skewedClock{w.li, skew}
	w.srv = rsctest.NewServer(rsctest.WithoutListener(), rsctest.WithClock(w.li))
	t.Cleanup(w.srv.Close)
	w.cust = w.srv.AddCustomer(rsctest.CustomerSpec{Organization: org, Contracts: []string{contract}})
	w.cust.EnableAll()
	w.ann = w.srv.AddMember(rsctest.MemberSpec{FirstName: "Ann", LastName: "Lee", Email: w.annEmail}).Person
	w.rita = w.srv.AddMember(rsctest.MemberSpec{FirstName: "Rita", LastName: "Recruiter", Email: "rita@ats.example"}).Person
	st, err := w.cust.AddSeat(rsctest.SeatSpec{Member: w.rita})
	if err != nil {
		t.Fatal(err)
	}
	w.seat = st.URN
	w.sink.AddUser("U-rita", w.rita)
	w.setupCalls, err = w.srv.CustomerClient(w.cust, rsc.WithClock(w.li))
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// state: the integration enabled a year ago, Candidate Sync complete.
func (w *skewWorld) state(context.Context) (milestones.State, error) {
	return milestones.State{Enabled: true, EnabledAt: w.enabledAt,
		Access:   milestones.Access{CompanyLevel: true, ContractLevel: true},
		Settings: milestones.AllSettings(),
		Phases:   map[rscsync.Phase]milestones.PhaseProgress{rscsync.PhaseJobs: {Completed: true}, rscsync.PhaseCandidates: {Completed: true}},
	}, nil
}

// retriever returns a Retriever on the host clock with a client of its
// own, which knows nothing of LinkedIn's clock yet.
func (w *skewWorld) retriever() *inmail.Retriever {
	w.t.Helper()
	c, err := w.srv.CustomerClient(w.cust, rsc.WithClock(w.host))
	if err != nil {
		w.t.Fatal(err)
	}
	r, err := inmail.New(inmail.Config{CustomerID: "acme", Client: c, Organization: org, Contracts: []string{contract},
		Sink: w.sink, State: w.state}, inmail.WithClock(w.host), inmail.WithCursorStore(w.store))
	if err != nil {
		w.t.Fatal(err)
	}
	return r
}

// at runs f with LinkedIn's clock at t (a record LinkedIn stamps at t),
// then sets it back.
func (w *skewWorld) at(t time.Time, f func() error) {
	w.t.Helper()
	was := w.li.Now()
	w.li.Set(t)
	err := f()
	w.li.Set(was)
	if err != nil {
		w.t.Fatal(err)
	}
}

// helloAnn gives the ATS a candidate of Ann's and has Rita send her an
// InMail, "hello", at liT-2h; it then sets LinkedIn's clock to liT and
// returns the conversation.
func (w *skewWorld) helloAnn() string {
	w.t.Helper()
	w.sink.AddCandidate(inmail.Candidate{ID: "C-ann", Person: w.ann, FirstName: "Ann", UpdatedAt: liT.Add(-24 * time.Hour)})
	conv, err := w.cust.SendInMail(w.seat, w.ann, "Role", "hello")
	if err != nil {
		w.t.Fatal(err)
	}
	w.li.Set(liT)
	return conv
}

func (w *skewWorld) cursors() inmail.Cursors {
	w.t.Helper()
	c, err := w.store.Load(w.t.Context(), "acme")
	if err != nil {
		w.t.Fatal(err)
	}
	return c
}

// TestInMailWindowsEndOnLinkedInClock: on a host clock ten minutes ahead,
// the windows end at LinkedIn's now minus the lag, whether the client
// knew LinkedIn's time before the poll or learns it from the poll's own
// answers; a reply LinkedIn stamps before the poll but lists after it
// (within the lag), and one LinkedIn stamps within what the host clock
// took for the past, are both read by the next poll. A host clock behind
// LinkedIn's stays the bound.
func TestInMailWindowsEndOnLinkedInClock(t *testing.T) {
	for _, tc := range []struct {
		name     string
		skew     time.Duration
		warm     bool      // the polling client refreshed the seats, so knows LinkedIn's time
		wantNext time.Time // the stream's position after the first poll
	}{
		{"host 10 minutes ahead, LinkedIn's time known", 10 * time.Minute, true, liT.Add(-time.Minute)},
		{"host 10 minutes ahead, told by the poll", 10 * time.Minute, false, liT.Add(-time.Minute)},
		{"host on time", 0, false, liT.Add(-time.Minute)},
		{"host 10 minutes behind", -10 * time.Minute, true, liT.Add(-11 * time.Minute)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newSkewWorld(t, tc.skew)
			ctx := t.Context()
			conv := w.helloAnn()
			r := w.retriever()
			refresher := r
			if !tc.warm {
				refresher = w.retriever()
			}
			if _, err := refresher.RefreshSeats(ctx); err != nil {
				t.Fatal(err)
			}
			if _, err := r.PollInMail(ctx); err != nil {
				t.Fatal(err)
			}
			if got, want := w.cursors().InMail[w.seat].Next, rsc.Millis(tc.wantNext); got != int64(want) {
				t.Errorf("position after the first poll = %v, want %v", time.UnixMilli(got).UTC(), tc.wantNext)
			}
			w.lateAndAfter(lateStream{
				what:  "messages",
				write: func(text string) error { return w.cust.ReplyInMail(conv, text, false) },
				poll:  func() error { _, err := r.PollInMail(ctx); return err },
				texts: func(c inmail.SinkCandidate) []string {
					return texts(c.Messages, func(m inmail.Message) string { return m.Body })
				},
			}, "hello")
		})
	}
}

// TestProspectNotesWindowsEndOnLinkedInClock: prospect notes are read in
// windows that end on LinkedIn's clock too: on a host clock ten minutes
// ahead, a note LinkedIn lists late and one written in what the host took
// for the past are read by the next poll.
func TestProspectNotesWindowsEndOnLinkedInClock(t *testing.T) {
	w := newSkewWorld(t, 10*time.Minute)
	ctx := t.Context()
	w.sink.AddCandidate(inmail.Candidate{ID: "C-ann", Person: w.ann, FirstName: "Ann", UpdatedAt: liT.Add(-24 * time.Hour)})
	if _, err := w.cust.WriteProspectNote(w.seat, w.ann, "first"); err != nil { // at liT-2h
		t.Fatal(err)
	}
	w.li.Set(liT)
	if _, err := w.retriever().RefreshSeats(ctx); err != nil {
		t.Fatal(err)
	}
	r := w.retriever() // its first answers are the poll's
	if _, err := r.PollNotes(ctx); err != nil {
		t.Fatal(err)
	}
	if got, want := w.cursors().Notes[contract].Next, int64(rsc.Millis(liT.Add(-time.Minute))); got != want {
		t.Errorf("position after the first poll = %v, want %v", time.UnixMilli(got).UTC(), time.UnixMilli(want).UTC())
	}
	w.lateAndAfter(lateStream{
		what:  "notes",
		write: func(text string) error { _, err := w.cust.WriteProspectNote(w.seat, w.ann, text); return err },
		poll:  func() error { _, err := r.PollNotes(ctx); return err },
		texts: func(c inmail.SinkCandidate) []string {
			return texts(c.Notes, func(n inmail.Note) string { return n.Text })
		},
	}, "first")
}

// lateStream is a stream of Ann's records, for skewWorld.lateAndAfter.
type lateStream struct {
	what  string                                // what the records are, for errors
	write func(text string) error               // writes a record on LinkedIn
	poll  func() error                          // runs the stream's poll
	texts func(c inmail.SinkCandidate) []string // the ATS's records of the stream
}

// lateAndAfter checks that the poll an hour after liT reads the records
// LinkedIn lists after the first poll (run at liT): one it stamps 30 s
// before that poll but lists only after it, and one five minutes later.
// Ann's records in the ATS must then be first, late and after.
func (w *skewWorld) lateAndAfter(s lateStream, first string) {
	w.t.Helper()
	w.at(liT.Add(-30*time.Second), func() error { return s.write("late") })
	w.li.Advance(5 * time.Minute)
	if err := s.write("after"); err != nil {
		w.t.Fatal(err)
	}
	w.li.Set(liT.Add(time.Hour))
	if err := s.poll(); err != nil {
		w.t.Fatal(err)
	}
	c, _ := w.sink.Get("C-ann")
	if d := cmp.Diff([]string{first, "late", "after"}, s.texts(c)); d != "" {
		w.t.Errorf("Ann's %s (-want +got):\n%s", s.what, d)
	}
}

// texts returns the text of each record.
func texts[T any](records []T, text func(T) string) []string {
	var out []string
	for _, r := range records {
		out = append(out, text(r))
	}
	return out
}

// TestClosedProfilesOnLinkedInClock: the closed-profiles stream reads
// again from 24 hours before each poll's start on LinkedIn's clock. On a
// host clock a day ahead that overlap was gone (a closure LinkedIn lists
// late was passed over); on one two days ahead, so was every closure in
// the day after the poll.
func TestClosedProfilesOnLinkedInClock(t *testing.T) {
	for _, tc := range []struct {
		name     string
		skew     time.Duration
		closedAt time.Time // on LinkedIn's clock; added after the first poll
		wantNext time.Time // the stream's position after the first poll
	}{
		{"host a day ahead, a closure listed late", 24 * time.Hour, liT.Add(-time.Hour), liT.Add(-24 * time.Hour)},
		{"host two days ahead, a closure after the poll", 48 * time.Hour, liT.Add(time.Hour), liT.Add(-24 * time.Hour)},
		{"host on time, a closure listed late", 0, liT.Add(-time.Hour), liT.Add(-24 * time.Hour)},
		{"host a day behind, a closure after the poll", -24 * time.Hour, liT.Add(time.Hour), liT.Add(-48 * time.Hour)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newSkewWorld(t, tc.skew)
			ctx := t.Context()
			w.li.Set(liT)
			w.sink.AddCandidate(inmail.Candidate{ID: "C-ann", Person: w.ann, FirstName: "Ann", Emails: []string{w.annEmail}, UpdatedAt: liT.Add(-24 * time.Hour)})
			res, err := w.setupCalls.Candidates.Upsert(ctx, []rsc.Candidate{{Key: rsc.CandidateKey{IntegrationContext: org, CandidateID: "C-ann"},
				FirstName: "Ann", LastName: "Lee", EmailAddresses: []string{w.annEmail}, ExternalProfileURL: "https://ats.example/c/ann",
				CreatedAt: rsc.Millis(liT.Add(-24 * time.Hour)), LastModifiedAt: rsc.Millis(liT.Add(-24 * time.Hour))}})
			if err != nil || res.Err() != nil {
				t.Fatalf("upsert: %v %v", err, res.Err())
			}
			if _, err := w.retriever().PollDeletions(ctx); err != nil {
				t.Fatal(err)
			}
			if got := w.cursors().Closed.Next; got != int64(rsc.Millis(tc.wantNext)) {
				t.Errorf("position after the first poll = %v, want %v", time.UnixMilli(got).UTC(), tc.wantNext)
			}
			w.at(tc.closedAt, func() error { return w.srv.CloseMemberAccount(w.ann) })
			w.li.Set(liT.Add(26 * time.Hour))
			if _, err := w.retriever().PollDeletions(ctx); err != nil {
				t.Fatal(err)
			}
			c, _ := w.sink.Get("C-ann")
			var got []inmail.NoticeKind
			for _, n := range c.Notices {
				got = append(got, n.Kind)
			}
			if d := cmp.Diff([]inmail.NoticeKind{inmail.NoticeMemberDeleted}, got); d != "" {
				t.Errorf("Ann's notices (-want +got):\n%s", d)
			}
		})
	}
}

// TestClosedMemberTTLOnLinkedInClock: a member who closed their account
// while the ATS held no candidate of theirs is remembered for
// ClosedMemberTTL from the closure on LinkedIn's clock; a host clock a day
// ahead forgot them a day early.
func TestClosedMemberTTLOnLinkedInClock(t *testing.T) {
	for _, tc := range []struct {
		name string
		skew time.Duration
	}{
		{"host a day ahead", 24 * time.Hour},
		{"host on time", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newSkewWorld(t, tc.skew)
			ctx := t.Context()
			closedAt := liT.Add(-inmail.ClosedMemberTTL + 12*time.Hour)
			w.li.Set(closedAt.Add(-time.Hour))
			// LinkedIn holds a candidate of Ann's; the ATS (the Sink) does not.
			res, err := w.setupCalls.Candidates.Upsert(ctx, []rsc.Candidate{{Key: rsc.CandidateKey{IntegrationContext: org, CandidateID: "C-ann"},
				FirstName: "Ann", LastName: "Lee", EmailAddresses: []string{w.annEmail}, ExternalProfileURL: "https://ats.example/c/ann",
				CreatedAt: rsc.Millis(closedAt.Add(-24 * time.Hour)), LastModifiedAt: rsc.Millis(closedAt.Add(-24 * time.Hour))}})
			if err != nil || res.Err() != nil {
				t.Fatalf("upsert: %v %v", err, res.Err())
			}
			w.at(closedAt, func() error { return w.srv.CloseMemberAccount(w.ann) })
			w.li.Set(liT)
			if _, err := w.retriever().PollDeletions(ctx); err != nil {
				t.Fatal(err)
			}
			w.li.Set(liT.Add(time.Hour)) // 11 hours short of the TTL on LinkedIn's clock
			if _, err := w.retriever().PollDeletions(ctx); err != nil {
				t.Fatal(err)
			}
			want := map[string]inmail.ClosedMember{w.ann: {ClosedAt: int64(rsc.Millis(closedAt)), SeenAt: int64(rsc.Millis(liT.Add(tc.skew)))}}
			if d := cmp.Diff(want, w.cursors().ClosedMembers); d != "" {
				t.Errorf("remembered closed members (-want +got):\n%s", d)
			}
		})
	}
}

// staleDates is a caching proxy in front of LinkedIn: while stale is set,
// the next API answer (not the token endpoint's) is a stored one, with
// the Date it was stored with (RFC 9111 keeps the origin's Date).
type staleDates struct {
	next  http.RoundTripper
	stale atomic.Pointer[time.Time]
}

func (p *staleDates) RoundTrip(req *http.Request) (*http.Response, error) {
	resp, err := p.next.RoundTrip(req)
	if err != nil || strings.Contains(req.URL.Path, "/oauth/") {
		return resp, err
	}
	if d := p.stale.Swap(nil); d != nil {
		resp.Header.Set("Date", d.UTC().Format(http.TimeFormat))
	}
	return resp, nil
}

// An answer with a stale Date (a cached answer) does not stall the InMail
// stream: one older than rsc.MaxClockGap is not taken for LinkedIn's clock,
// so the stream never moves back; a younger one moves it back at most that
// far, and the message of the hour is read by the next polls either way.
func TestStaleDateDoesNotStallInMail(t *testing.T) {
	for _, tc := range []struct {
		name      string
		age       time.Duration
		mayGoBack bool
	}{
		{"a year old", 365 * 24 * time.Hour, false},
		{"a day old", 24 * time.Hour, true},
	} {
		t.Run(tc.name, func(t *testing.T) { staleDate(t, tc.age, tc.mayGoBack) })
	}
}

func staleDate(t *testing.T, age time.Duration, mayGoBack bool) {
	w := newSkewWorld(t, 0)
	ctx := t.Context()
	conv := w.helloAnn()
	proxy := &staleDates{next: w.srv.Transport()}
	c, err := w.srv.CustomerClient(w.cust, rsc.WithClock(w.host), rsc.WithTransport(proxy))
	if err != nil {
		t.Fatal(err)
	}
	r, err := inmail.New(inmail.Config{CustomerID: "acme", Client: c, Organization: org, Contracts: []string{contract},
		Sink: w.sink, State: w.state}, inmail.WithClock(w.host), inmail.WithCursorStore(w.store))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.RefreshSeats(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := r.PollInMail(ctx); err != nil { // at liT
		t.Fatal(err)
	}
	first := w.cursors().InMail[w.seat].Next

	w.li.Set(liT.Add(time.Hour))
	old := liT.Add(time.Hour - age)
	proxy.stale.Store(&old) // poll 2's first API answer is an old cached one
	if _, err := r.PollInMail(ctx); err != nil {
		t.Fatal(err)
	}
	second := w.cursors().InMail[w.seat].Next
	if second < first && !mayGoBack {
		t.Errorf("one stale Date moved the stream back from %v to %v", time.UnixMilli(first).UTC(), time.UnixMilli(second).UTC())
	}

	w.li.Set(liT.Add(90 * time.Minute))
	if err := w.cust.ReplyInMail(conv, "new", false); err != nil {
		t.Fatal(err)
	}
	for _, at := range []time.Duration{2 * time.Hour, 3 * time.Hour} { // every answer fresh again
		w.li.Set(liT.Add(at))
		if _, err := r.PollInMail(ctx); err != nil {
			t.Fatal(err)
		}
	}
	cand, _ := w.sink.Get("C-ann")
	var got []string
	for _, m := range cand.Messages {
		got = append(got, m.Body)
	}
	if d := cmp.Diff([]string{"hello", "new"}, got); d != "" {
		t.Errorf("Ann's messages two polls later (-want +got):\n%s", d)
	}
}
