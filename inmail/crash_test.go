package inmail_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rscgo/rscgo/inmail"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

var errCrash = errors.New("crash test: process crashed")

// crashPlan says where the first incarnation dies. Kinds: "cut" (the Nth
// request never reaches the fake), "lost" (served, answer lost), "cur-before"
// / "cur-after" (the Nth cursor write is not applied / applied, then the
// process dies), "curfail" (the Nth cursor write fails once), "sink-before"
// / "sink-after" (the Nth Sink write), "sinkfail" (the Nth Sink write fails
// once; the process lives on).
type crashPlan struct {
	kind string
	n    int
}

type imWorld struct {
	clk                        *rsctest.FakeClock
	srv                        *rsctest.Server
	cust                       *rsctest.Customer
	cursors                    *inmail.FileCursors
	sink                       *inmail.MemorySink
	seat                       rsctest.Seat
	ann, bob, carl, dan        rsctest.Member
	exportID, noteID           string
	reqs, curWrites, sinkWrite atomic.Int64
	mu                         sync.Mutex
	log                        []string
}

func (w *imWorld) trace(s string) {
	w.mu.Lock()
	w.log = append(w.log, s)
	w.mu.Unlock()
}

type imInc struct {
	w      *imWorld
	plan   crashPlan
	dead   atomic.Bool
	ctx    context.Context
	cancel context.CancelFunc
	client *rsc.Client
	r      *inmail.Retriever
}

func (in *imInc) die() {
	in.w.trace("DIE")
	in.dead.Store(true)
	in.cancel()
}

// hit applies the plan at the Nth event of a kind family.
func (in *imInc) hit(family string, n int64, do func() error) error {
	if in.dead.Load() {
		return errCrash
	}
	if int(n) == in.plan.n {
		switch in.plan.kind {
		case family + "-before", "cut":
			if in.plan.kind == "cut" && family != "req" {
				break
			}
			in.die()
			return errCrash
		case family + "-after", "lost":
			if in.plan.kind == "lost" && family != "req" {
				break
			}
			err := do()
			in.die()
			if err != nil {
				return err
			}
			return errCrash
		case family + "fail":
			return fmt.Errorf("crash test: %s fails once", family)
		}
	}
	return do()
}

type imRT struct{ in *imInc }

func (rt imRT) RoundTrip(req *http.Request) (*http.Response, error) {
	in := rt.in
	if in.dead.Load() {
		return nil, errCrash
	}
	n := in.w.reqs.Add(1)
	in.w.trace(fmt.Sprintf("req %d %s %s", n, req.Method, req.URL.Path))
	var resp *http.Response
	err := in.hit("req", n, func() error {
		var err error
		resp, err = in.w.srv.Transport().RoundTrip(req)
		return err
	})
	if err != nil && resp != nil {
		resp.Body.Close()
		resp = nil
	}
	return resp, err
}

type imCursors struct{ in *imInc }

func (c imCursors) Load(ctx context.Context, id string) (inmail.Cursors, error) {
	if c.in.dead.Load() {
		return inmail.Cursors{}, errCrash
	}
	return c.in.w.cursors.Load(ctx, id)
}

func (c imCursors) Save(ctx context.Context, id string, cur inmail.Cursors) error {
	n := c.in.w.curWrites.Add(1)
	c.in.w.trace(fmt.Sprintf("cursor save %d", n))
	return c.in.hit("cur", n, func() error { return c.in.w.cursors.Save(context.WithoutCancel(ctx), id, cur) })
}

func (c imCursors) Update(ctx context.Context, id string, f func(*inmail.Cursors) bool) (inmail.Cursors, error) {
	if c.in.dead.Load() {
		return inmail.Cursors{}, errCrash
	}
	n := c.in.w.curWrites.Add(1)
	c.in.w.trace(fmt.Sprintf("cursor update %d", n))
	var out inmail.Cursors
	err := c.in.hit("cur", n, func() error {
		var err error
		out, err = c.in.w.cursors.Update(context.WithoutCancel(ctx), id, f)
		return err
	})
	return out, err
}

type imSink struct{ in *imInc }

func (s imSink) read() error {
	if s.in.dead.Load() {
		return errCrash
	}
	return nil
}

func (s imSink) write(what string, do func() error) error {
	if s.in.dead.Load() {
		return errCrash
	}
	n := s.in.w.sinkWrite.Add(1)
	s.in.w.trace(fmt.Sprintf("sink %d %s", n, what))
	return s.in.hit("sink", n, do)
}

func (s imSink) CandidatesByPerson(ctx context.Context, p string) ([]inmail.Candidate, error) {
	if err := s.read(); err != nil {
		return nil, err
	}
	return s.in.w.sink.CandidatesByPerson(ctx, p)
}

func (s imSink) CandidatesByEmail(ctx context.Context, e string) ([]inmail.Candidate, error) {
	if err := s.read(); err != nil {
		return nil, err
	}
	return s.in.w.sink.CandidatesByEmail(ctx, e)
}

func (s imSink) Candidate(ctx context.Context, id string) (inmail.Candidate, error) {
	if err := s.read(); err != nil {
		return inmail.Candidate{}, err
	}
	return s.in.w.sink.Candidate(ctx, id)
}

func (s imSink) UserByPerson(ctx context.Context, p string) (string, bool, error) {
	if err := s.read(); err != nil {
		return "", false, err
	}
	return s.in.w.sink.UserByPerson(ctx, p)
}

func (s imSink) CreateCandidate(ctx context.Context, c inmail.NewCandidate) (string, error) {
	var id string
	err := s.write("CreateCandidate "+c.Person, func() error {
		var err error
		id, err = s.in.w.sink.CreateCandidate(context.WithoutCancel(ctx), c)
		return err
	})
	return id, err
}

func (s imSink) EnsureApplication(ctx context.Context, cid, job string, o inmail.Origin) (bool, error) {
	var created bool
	err := s.write("EnsureApplication "+cid, func() error {
		var err error
		created, err = s.in.w.sink.EnsureApplication(context.WithoutCancel(ctx), cid, job, o)
		return err
	})
	return created, err
}

func (s imSink) AttachMessage(ctx context.Context, cid string, m inmail.Message) error {
	return s.write("AttachMessage "+cid, func() error { return s.in.w.sink.AttachMessage(context.WithoutCancel(ctx), cid, m) })
}

func (s imSink) UpsertNote(ctx context.Context, cid string, n inmail.Note) error {
	return s.write("UpsertNote "+cid, func() error { return s.in.w.sink.UpsertNote(context.WithoutCancel(ctx), cid, n) })
}

func (s imSink) DeleteNote(ctx context.Context, cid, nid string) error {
	return s.write("DeleteNote "+cid, func() error { return s.in.w.sink.DeleteNote(context.WithoutCancel(ctx), cid, nid) })
}

func (s imSink) RecordNotice(ctx context.Context, cid string, a inmail.Notice) error {
	return s.write("RecordNotice "+cid+" "+string(a.Kind), func() error { return s.in.w.sink.RecordNotice(context.WithoutCancel(ctx), cid, a) })
}

func (s imSink) SetLinkedInProfile(ctx context.Context, cid string, p inmail.Profile) error {
	return s.write("SetLinkedInProfile "+cid, func() error { return s.in.w.sink.SetLinkedInProfile(context.WithoutCancel(ctx), cid, p) })
}

var t0 = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

func newIMWorld(t *testing.T) *imWorld {
	t.Helper()
	ctx := context.Background()
	clk := rsctest.NewFakeClock(t0)
	srv := rsctest.NewServer(rsctest.WithoutListener(), rsctest.WithClock(clk))
	t.Cleanup(srv.Close)
	cust := srv.AddCustomer(rsctest.CustomerSpec{Organization: "urn:li:organization:1", Contracts: []string{"urn:li:contract:1"}})
	cust.EnableAll()
	cust.SetProductSettings(rsc.ProductSettings{OneClickExport: true, InMailStubProfile: true, ProfileWidget: true, InATSIndicator: true})
	w := &imWorld{clk: clk, srv: srv, cust: cust, sink: inmail.NewMemorySink()}
	var err error
	if w.cursors, err = inmail.NewFileCursors(t.TempDir()); err != nil {
		t.Fatal(err)
	}
	rita := srv.AddMember(rsctest.MemberSpec{FirstName: "Rita", LastName: "Reed", Email: "rita@ats.example"})
	w.ann = srv.AddMember(rsctest.MemberSpec{FirstName: "Ann", LastName: "Lee", Email: "ann@example.com"})
	w.bob = srv.AddMember(rsctest.MemberSpec{FirstName: "Bob", LastName: "Bee", Email: "bob@example.com", Phone: "+44 20 7946 0000"})
	w.carl = srv.AddMember(rsctest.MemberSpec{FirstName: "Carl", LastName: "Cox", Email: "carl@example.com"})
	w.dan = srv.AddMember(rsctest.MemberSpec{FirstName: "Dan", LastName: "Dee", Email: "dan@example.com"})
	w.sink.AddUser("U-rita", rita.Person)
	w.sink.AddCandidate(inmail.Candidate{ID: "K1", Person: w.carl.Person, FirstName: "Carl", Emails: []string{"carl@example.com"}, UpdatedAt: t0})
	w.sink.AddCandidate(inmail.Candidate{ID: "K2", FirstName: "Dan", Emails: []string{"dan@example.com"}, UpdatedAt: t0})
	if w.seat, err = cust.AddSeat(rsctest.SeatSpec{Member: rita.Person}); err != nil {
		t.Fatal(err)
	}

	setup, err := srv.CustomerClient(cust, rsc.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	syncJobs(ctx, setup, "J1")
	// The ATS synced Dan (K2) to LinkedIn: LinkedIn matches him by email.
	if _, err := setup.Candidates.Upsert(ctx, []rsc.Candidate{lnCandidate("K2", "Dan", "dan@example.com")}); err != nil {
		t.Fatal(err)
	}

	if w.exportID, err = cust.Export(w.seat.URN, w.ann.Person, "J1"); err != nil {
		t.Fatal(err)
	}
	conv, err := cust.SendInMail(w.seat.URN, w.bob.Person, "Role", "Hi Bob")
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	if err := cust.ReplyInMail(conv, "Hi Rita, call me", true); err != nil {
		t.Fatal(err)
	}
	if _, err := cust.SendInMail(w.seat.URN, w.carl.Person, "Role", "Hi Carl"); err != nil {
		t.Fatal(err)
	}
	if w.noteID, err = cust.WriteProspectNote(w.seat.URN, w.carl.Person, "Met Carl at a meetup"); err != nil {
		t.Fatal(err)
	}
	if err := srv.CloseMemberAccount(w.dan.Person); err != nil {
		t.Fatal(err)
	}
	clk.Advance(10 * time.Minute)
	return w
}

func lnCandidate(id, first, email string) rsc.Candidate {
	c := rsc.Candidate{Key: rsc.CandidateKey{IntegrationContext: "urn:li:organization:1", CandidateID: id},
		FirstName: first, ExternalProfileURL: "https://ats.example/c/" + id,
		CreatedAt: rsc.Millis(t0), LastModifiedAt: rsc.Millis(t0)}
	if email != "" {
		c.EmailAddresses = []string{email}
	}
	return c
}

func (w *imWorld) start(t *testing.T, plan crashPlan) *imInc {
	t.Helper()
	in := &imInc{w: w, plan: plan}
	in.ctx, in.cancel = context.WithCancel(context.Background())
	var err error
	in.client, err = rsc.NewClient(rsc.WithBaseURL(w.srv.URL()), rsc.WithTokenURL(w.srv.TokenURL()),
		rsc.WithCredentials(w.cust.ClientID, w.cust.ClientSecret), rsc.WithTransport(imRT{in}), rsc.WithClock(w.clk))
	if err != nil {
		t.Fatal(err)
	}
	sink := imSink{in}
	in.r, err = inmail.New(inmail.Config{
		CustomerID: "acme", Client: in.client, Organization: "urn:li:organization:1", Contracts: []string{"urn:li:contract:1"},
		Sink: sink, State: allEnabled(t0.Add(-24 * time.Hour)),
	}, inmail.WithClock(w.clk), inmail.WithCursorStore(imCursors{in}), inmail.WithLookback(36*time.Hour),
		inmail.WithResync(func(ctx context.Context, id string) error {
			c, err := sink.Candidate(ctx, id)
			if err != nil {
				return err
			}
			_, err = in.client.Candidates.Upsert(ctx, []rsc.Candidate{lnCandidate(id, c.FirstName, "")})
			return err
		}))
	if err != nil {
		t.Fatal(err)
	}
	return in
}

type imOutcome struct {
	Candidates []inmail.SinkCandidate
	LinkedIn   []string
	Pending    []string
	Dead       []string
	DeadRecs   []string
	Attaches   map[string]string
	Handled    int
}

// runIM runs the scenario: LinkedIn's export push (journaled, then
// handled), then RunOnce rounds with the clock moving on. After a crash a
// fresh process takes over the same cursors and ATS; the push is
// redelivered only if it was not acknowledged (not journaled).
func runIM(t *testing.T, plan crashPlan) (imOutcome, []string) {
	t.Helper()
	w := newIMWorld(t)
	in := w.start(t, plan)
	restart := func() { in = w.start(t, crashPlan{}) }

	// The operator's "Refresh Seats" first, so that every flow maps seats.
	for {
		w.trace("op seats")
		_, err := in.r.RefreshSeats(in.ctx)
		if in.dead.Load() {
			restart()
			continue
		}
		if err != nil {
			w.trace("seats failed: " + err.Error())
			continue
		}
		break
	}
	// A push: AcceptExport, then (the answer sent) HandleExport.
	push := func(id string) {
		for {
			w.trace("op accept " + id)
			err := in.r.AcceptExport(in.ctx, id)
			if in.dead.Load() {
				restart() // not acknowledged: LinkedIn redelivers
				continue
			}
			if err != nil {
				w.trace("accept failed: " + err.Error())
				continue // 503: LinkedIn redelivers
			}
			break
		}
		w.trace("op handle " + id)
		if _, err := in.r.HandleExport(in.ctx, id); err != nil {
			w.trace("handle: " + err.Error())
		}
		if in.dead.Load() {
			restart()
		}
	}
	push(w.exportID)
	for round := range 7 {
		if round == 2 {
			// Later on LinkedIn: the note on Carl is deactivated, Carl
			// replies to a new InMail, Bob is exported to J1.
			if err := w.cust.DeactivateProspectNote(w.noteID); err != nil {
				t.Fatal(err)
			}
			conv, err := w.cust.SendInMail(w.seat.URN, w.carl.Person, "Role 2", "Still keen?")
			if err != nil {
				t.Fatal(err)
			}
			if err := w.cust.ReplyInMail(conv, "Yes", false); err != nil {
				t.Fatal(err)
			}
			id2, err := w.cust.Export(w.seat.URN, w.bob.Person, "J1")
			if err != nil {
				t.Fatal(err)
			}
			w.clk.Advance(10 * time.Minute)
			push(id2)
		}
		w.trace(fmt.Sprintf("op run %d", round))
		_, err := in.r.RunOnce(in.ctx)
		if err != nil {
			w.trace("run: " + err.Error())
		}
		if in.dead.Load() {
			restart()
		}
		w.clk.Advance(2 * time.Hour)
	}
	ctx := context.Background()
	cur, err := w.cursors.Load(ctx, "acme")
	if err != nil {
		t.Fatal(err)
	}
	out := imOutcome{Candidates: w.sink.Candidates(), Attaches: cur.Attaches, Handled: len(cur.Exports)}
	for id := range cur.PendingExports {
		out.Pending = append(out.Pending, id)
	}
	for id, d := range cur.DeadExports {
		out.Dead = append(out.Dead, id+": "+d.Reason)
	}
	for id, d := range cur.DeadRecords {
		out.DeadRecs = append(out.DeadRecs, id+": "+d.Reason)
	}
	sort.Strings(out.Pending)
	sort.Strings(out.Dead)
	sort.Strings(out.DeadRecs)
	for _, c := range w.cust.Candidates() {
		out.LinkedIn = append(out.LinkedIn, fmt.Sprintf("%v manual=%s matched=%v", c.Fields["firstName"], c.ManualMatchedMember, c.MatchedMembers))
	}
	sort.Strings(out.LinkedIn)
	sort.Slice(out.Candidates, func(i, j int) bool {
		return out.Candidates[i].Person+out.Candidates[i].FirstName < out.Candidates[j].Person+out.Candidates[j].FirstName
	})
	return out, w.log
}

var imCmp = []cmp.Option{
	cmpopts.IgnoreFields(inmail.Candidate{}, "ID", "UpdatedAt"),
	cmpopts.IgnoreMapEntries(func(k, v string) bool { return true }), // attach map keyed by candidate id
	cmpopts.EquateEmpty(),
	// The fake draws ids from one random source, so they differ between runs
	// whose request sequences differ: compare the records, not their ids.
	cmpopts.IgnoreFields(inmail.Message{}, "ID", "Conversation"),
	cmpopts.IgnoreFields(inmail.Notice{}, "ID"),
	cmpopts.SortSlices(func(a, b inmail.Message) bool {
		return fmt.Sprint(a.At.UnixNano(), a.Subject, a.Body) < fmt.Sprint(b.At.UnixNano(), b.Subject, b.Body)
	}),
	cmpopts.SortSlices(func(a, b inmail.Notice) bool {
		return fmt.Sprint(a.Kind, a.At.UnixNano()) < fmt.Sprint(b.Kind, b.At.UnixNano())
	}),
}

// A crash at any point of the LinkedIn-to-ATS flows (seats refreshed, two
// exports pushed and handled, RunOnce rounds bringing a stub profile,
// InMail, a prospect note later deactivated, a closed account, journaled
// exports and pending attaches) resumes to the end state of an
// uninterrupted run: at every request (never sent, or served with its
// answer lost), at every cursor write and at every Sink write (not
// applied, applied then dead, or failing once), a restarted process over
// the same cursors and ATS creates no candidate, application, message,
// note or notice twice and loses none.
func TestCrashResumeInMail(t *testing.T) {
	base, log := runIM(t, crashPlan{})
	t.Logf("uninterrupted trace:\n%s", strings.Join(log, "\n"))
	if len(base.Candidates) != 4 || base.Handled != 2 || len(base.Pending)+len(base.Dead)+len(base.DeadRecs) != 0 {
		t.Fatalf("baseline: %+v", base)
	}
	var nreq, ncur, nsink int
	for _, l := range log {
		switch {
		case strings.HasPrefix(l, "req "):
			nreq++
		case strings.HasPrefix(l, "cursor "):
			ncur++
		case strings.HasPrefix(l, "sink "):
			nsink++
		}
	}
	t.Logf("uninterrupted: %d requests, %d cursor writes, %d sink writes", nreq, ncur, nsink)
	var plans []crashPlan
	for n := 1; n <= nreq; n++ {
		plans = append(plans, crashPlan{"cut", n}, crashPlan{"lost", n})
	}
	for n := 1; n <= ncur; n++ {
		plans = append(plans, crashPlan{"cur-before", n}, crashPlan{"cur-after", n}, crashPlan{"curfail", n})
	}
	for n := 1; n <= nsink; n++ {
		plans = append(plans, crashPlan{"sink-before", n}, crashPlan{"sink-after", n}, crashPlan{"sinkfail", n})
	}
	for _, p := range plans {
		t.Run(fmt.Sprintf("%s-%d", p.kind, p.n), func(t *testing.T) {
			got, log := runIM(t, p)
			if d := cmp.Diff(base, got, imCmp...); d != "" {
				t.Errorf("end state differs (-uninterrupted +resumed):\n%s\ntrace:\n%s", d, strings.Join(log, "\n"))
			}
		})
	}
}
