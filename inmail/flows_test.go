package inmail_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/inmail"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

const (
	org      = "urn:li:organization:100"
	contract = "urn:li:contract:200"
	callback = "https://ats.example/linkedin/callback"
)

// handlerRT routes the fake's push POSTs to an in-process handler.
type handlerRT struct{ h http.Handler }

func (t *handlerRT) RoundTrip(req *http.Request) (*http.Response, error) {
	w := httptest.NewRecorder()
	t.h.ServeHTTP(w, req)
	resp := w.Result()
	resp.Request = req
	return resp, nil
}

type world struct {
	srv     *rsctest.Server
	cust    *rsctest.Customer
	client  *rsc.Client
	sink    *inmail.MemorySink
	r       *inmail.Retriever
	push    *inmail.PushHandler
	rt      *handlerRT // the CALLBACK_URL's route
	seat    string
	enabled time.Time
	members map[string]string // first name -> person URN
}

// newWorld builds a customer on the fake with one recruiter seat, members,
// two synced jobs and a CALLBACK_URL routed to the Retriever. contractLevel
// false leaves the customer with company-level access only; opts configure
// the fake.
func newWorld(t *testing.T, contractLevel bool, opts ...rsctest.Option) *world {
	t.Helper()
	ctx := t.Context()
	rt := &handlerRT{}
	w := &world{members: map[string]string{}}
	w.srv = rsctest.NewServer(append([]rsctest.Option{rsctest.WithoutListener(), rsctest.WithHTTPClient(&http.Client{Transport: rt})}, opts...)...)
	t.Cleanup(w.srv.Close)
	w.cust = w.srv.AddCustomer(rsctest.CustomerSpec{Organization: org, Contracts: []string{contract}})
	w.cust.SetCompanyAccess(true)
	w.cust.SetContractAccess(contractLevel)
	w.cust.SetProductSettings(rsc.ProductSettings{OneClickExport: true, InMailStubProfile: true, InATSIndicator: true, ProfileWidget: true})
	w.enabled = time.Now()
	for _, m := range []rsctest.MemberSpec{
		{FirstName: "Rita", LastName: "Recruiter", Email: "rita@ats.example"},
		{FirstName: "Ann", LastName: "Lee", Email: "ann@example.com", Phone: "+44 20 7946 0000", Headline: "Go engineer"},
		{FirstName: "Bob", LastName: "Stone", Email: "bob@example.com"},
		{FirstName: "Carl", LastName: "Diaz", Email: "carl@example.com", Headline: "SRE"},
		{FirstName: "Dan", LastName: "Wu", Email: "dan@example.com"},
	} {
		w.members[m.FirstName] = w.srv.AddMember(m).Person
	}
	st, err := w.cust.AddSeat(rsctest.SeatSpec{Member: w.members["Rita"]})
	if err != nil {
		t.Fatal(err)
	}
	w.seat = st.URN

	w.client, err = rsc.NewClient(rsc.WithBaseURL(w.srv.URL()), rsc.WithTokenURL(w.srv.TokenURL()),
		rsc.WithTransport(w.srv.Transport()), rsc.WithCredentials(w.cust.ClientID, w.cust.ClientSecret))
	if err != nil {
		t.Fatal(err)
	}
	var jobs []rsc.JobPosting
	for _, id := range []string{"J1", "J2"} {
		jobs = append(jobs, rsc.JobPosting{ExternalJobPostingID: id, OperationType: rsc.JobCreate, IntegrationContext: org,
			CompanyName: "Acme", CompanyApplyURL: "https://ats.example/jobs/" + id, Title: "Engineer " + id,
			Description: strings.Repeat("Build and run the systems that power our hiring platform. ", 3),
			ListedAt:    rsc.Millis(time.Now()), Location: "London, United Kingdom", PosterEmail: "recruiter@example.com", Availability: rsc.AvailabilityPublic,
			WorkplaceTypes: []string{"On-site"}})
	}
	res, err := w.client.Jobs.Submit(ctx, jobs)
	if err != nil || res.Err() != nil {
		t.Fatalf("jobs: %v %v", err, res.Err())
	}
	var tasks []string
	for _, it := range res.Items {
		tasks = append(tasks, it.ID)
	}
	if _, err := w.client.Jobs.WaitTasks(ctx, tasks, time.Second); err != nil {
		t.Fatal(err)
	}
	if res, err := w.client.Integrations.SetConfig(ctx, rsc.IntegrationKey{IntegrationContext: org, Type: rsc.OneClickExport},
		map[rsc.ConfigKey]string{rsc.ConfigCallbackURL: callback}); err != nil || res.Err() != nil {
		t.Fatalf("callback: %v %v", err, res.Err())
	}

	w.rt = rt
	w.sink = inmail.NewMemorySink()
	w.sink.AddUser("U-rita", w.members["Rita"])
	w.r = w.retriever(t, w.sink, inmail.WithDeletionInterval(time.Hour))
	w.push = w.handle(t, w.r, inmail.WithExportErrors(func(id string, err error) { t.Errorf("export %s: %v", id, err) }))
	return w
}

// retriever returns a Retriever of the world's customer writing to sink,
// re-syncing exported candidates to the fake, with opts.
func (w *world) retriever(t *testing.T, sink inmail.Sink, opts ...inmail.Option) *inmail.Retriever {
	t.Helper()
	r, err := inmail.New(inmail.Config{
		CustomerID: "acme", Client: w.client, Organization: org, Contracts: []string{contract},
		Sink: sink, State: w.state,
	}, append([]inmail.Option{inmail.WithResync(w.resync)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// handle routes the customer's CALLBACK_URL to a new push handler of r,
// closed at the end of the test.
func (w *world) handle(t *testing.T, r *inmail.Retriever, opts ...inmail.Option) *inmail.PushHandler {
	t.Helper()
	h, err := r.PushHandler(func(context.Context) (string, error) { return w.cust.ClientSecret, nil }, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	w.rt.h = h
	return h
}

// state mirrors the fake's integrations and settings into a milestones
// State; the historical sync has not completed.
func (w *world) state(context.Context) (milestones.State, error) {
	on := func(ctx, typ string) bool {
		in, ok := w.cust.Integration(ctx, typ)
		return ok && in.Status == rsctest.StatusEnabled
	}
	ps := w.cust.ProductSettings()
	acc := milestones.Access{CompanyLevel: on(org, "ONE_CLICK_EXPORT"), ContractLevel: on(contract, "CSA_API")}
	return milestones.State{Enabled: acc.Any(), EnabledAt: w.enabled, Access: acc,
		Settings: ps}, nil
}

// resync stands in for the sync package: it upserts the candidate.
func (w *world) resync(ctx context.Context, id string) error {
	c, ok := w.sink.Get(id)
	if !ok {
		return inmail.ErrCandidateNotFound
	}
	now := rsc.Millis(time.Now())
	res, err := w.client.Candidates.Upsert(ctx, []rsc.Candidate{{
		Key:       rsc.CandidateKey{IntegrationContext: org, CandidateID: id},
		FirstName: c.FirstName, LastName: c.LastName, EmailAddresses: c.Emails,
		ExternalProfileURL: "https://ats.example/candidates/" + id, LinkedInProfileURL: c.ProfileURL,
		CreatedAt: rsc.Millis(c.UpdatedAt), LastModifiedAt: max(now, rsc.Millis(c.UpdatedAt)),
	}})
	if err != nil {
		return err
	}
	return res.Err()
}

func (w *world) deliver(t *testing.T) {
	t.Helper()
	if _, err := w.srv.DeliverPushes(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := w.push.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
}

// summary is a readable projection of a MemorySink candidate.
type summary struct {
	Person   string
	Origin   inmail.Origin
	Emails   []string
	Jobs     []string
	Messages []string // "member: body" or "recruiter: body"
	Notes    []string
	Notices  []inmail.NoticeKind
}

func summarize(s *inmail.MemorySink) map[string]summary {
	out := map[string]summary{}
	for _, c := range s.Candidates() {
		sm := summary{Person: c.Person, Origin: c.Origin, Emails: c.Emails}
		for _, a := range c.Applications {
			sm.Jobs = append(sm.Jobs, a.JobID)
		}
		for _, m := range c.Messages {
			who := "recruiter"
			if m.FromMember {
				who = "member"
			}
			sm.Messages = append(sm.Messages, who+": "+m.Body)
		}
		for _, n := range c.Notes {
			sm.Notes = append(sm.Notes, n.Text)
		}
		for _, a := range c.Notices {
			sm.Notices = append(sm.Notices, a.Kind)
		}
		out[c.FirstName] = sm
	}
	return out
}

func must[T any](t *testing.T) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

// TestDoneWhen is the acceptance script: a recruiter sends InMails,
// a member replies and shares contact information, another replies without
// sharing, a third never replies; a member is exported to a job twice (and
// the push is replayed); a note is written and another deactivated; the
// exported member deletes their account. The Sink ends with exactly the
// expected candidates, applications and activities, and no duplicates.
func TestDoneWhen(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, true)
		ctx := t.Context()
		m := w.members
		ok := must[string](t)

		// InMails: Ann replies and shares contact info; Bob replies without;
		// Dan never replies.
		convAnn := ok(w.cust.SendInMail(w.seat, m["Ann"], "Role at Acme", "Hi Ann, interested in a Go role?"))
		convBob := ok(w.cust.SendInMail(w.seat, m["Bob"], "Role at Acme", "Hi Bob, open to a chat?"))
		ok(w.cust.SendInMail(w.seat, m["Dan"], "Role at Acme", "Hi Dan, fancy a change?"))
		time.Sleep(time.Hour)
		if err := w.cust.ReplyInMail(convAnn, "Yes! Here are my details.", true); err != nil {
			t.Fatal(err)
		}
		if err := w.cust.ReplyInMail(convBob, "Not right now, thanks.", false); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Minute)
		if _, err := w.r.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}

		// 1-Click Export of Carl to J1, then again to J2; LinkedIn redelivers the first push.
		ok(w.cust.Export(w.seat, m["Carl"], "J1"))
		w.deliver(t)
		ok(w.cust.Export(w.seat, m["Carl"], "J2"))
		w.deliver(t)
		first := w.cust.Pushes()[len(w.cust.Pushes())-2]
		req := httptest.NewRequest(http.MethodPost, "/linkedin/callback", strings.NewReader(string(first.Body)))
		req.Header.Set(rsc.SignatureHeader, first.Signature)
		rec := httptest.NewRecorder()
		w.push.ServeHTTP(rec, req)
		if err := w.push.Wait(t.Context()); err != nil {
			t.Fatal(err)
		}
		if rec.Code != http.StatusOK {
			t.Errorf("replayed push: %d", rec.Code)
		}
		// Exporting Ann (created from her stub) matches her: no duplicate.
		ok(w.cust.Export(w.seat, m["Ann"], "J1"))
		w.deliver(t)

		// Notes: one kept, one deactivated after it synced.
		ok(w.cust.WriteProspectNote(w.seat, m["Ann"], "Strong Go background"))
		gone := ok(w.cust.WriteProspectNote(w.seat, m["Ann"], "Call her on Friday"))
		time.Sleep(10 * time.Minute)
		if _, err := w.r.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		if c := summarize(w.sink)["Ann"]; len(c.Notes) != 2 {
			t.Fatalf("Ann's notes before deactivation = %v", c.Notes)
		}
		if err := w.cust.DeactivateProspectNote(gone); err != nil {
			t.Fatal(err)
		}

		// Carl deletes his LinkedIn account.
		if err := w.srv.CloseMemberAccount(m["Carl"]); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Hour)
		rep, err := w.r.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !rep.DeletionsRun || rep.Deletions.Profiles != 1 {
			t.Errorf("deletions = %+v", rep.Deletions)
		}

		want := map[string]summary{
			"Ann": {
				Person: m["Ann"], Origin: inmail.OriginInMailStub, Emails: []string{"ann@example.com"}, Jobs: []string{"J1"},
				Messages: []string{"recruiter: Hi Ann, interested in a Go role?", "member: Yes! Here are my details."},
				Notes:    []string{"Strong Go background"},
				Notices:  []inmail.NoticeKind{inmail.NoticeContactShared, inmail.NoticeExported},
			},
			"Carl": {
				Person: m["Carl"], Origin: inmail.OriginExport, Jobs: []string{"J1", "J2"},
				Notices: []inmail.NoticeKind{inmail.NoticeExported, inmail.NoticeExported, inmail.NoticeMemberDeleted},
			},
		}
		if d := cmp.Diff(want, summarize(w.sink)); d != "" {
			t.Errorf("sink (-want +got):\n%s", d)
		}
		// LinkedIn holds the exported candidates with the person URN attached.
		for name, c := range map[string]string{"Ann": "C1", "Carl": "C2"} {
			if rec, ok := w.cust.Candidate(c); !ok || rec.ManualMatchedMember != m[name] {
				t.Errorf("LinkedIn candidate %s = %+v, %v", c, rec, ok)
			}
		}
		// Carl's record has his profile link and the exporter as owner.
		if c, _ := w.sink.Get("C2"); c.ProfileURL == "" || c.Owner != "U-rita" {
			t.Errorf("Carl = %+v", c)
		}
	})
}

// TestCompanyLevelAccessOnly: without contract-level access there is no
// InMail history, stub or note (and no call for them), but export works.
func TestCompanyLevelAccessOnly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, false)
		ctx := t.Context()
		conv := must[string](t)(w.cust.SendInMail(w.seat, w.members["Ann"], "Hi", "Hello"))
		time.Sleep(time.Minute)
		if err := w.cust.ReplyInMail(conv, "Sure", true); err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Minute)
		w.srv.ResetRequests()
		rep, err := w.r.RunOnce(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.InMail.SkipReason == "" || rep.Stubs.SkipReason == "" || rep.Notes.SkipReason == "" || rep.Seats.SkipReason == "" {
			t.Errorf("report = %+v", rep)
		}
		for _, e := range w.srv.Requests() {
			for _, res := range []string{"seatsV2", "conversationEvents", "mailStubs", "prospectNotes"} {
				if strings.Contains(e.Path, res) {
					t.Errorf("called %s", e.Path)
				}
			}
		}
		if n := len(w.sink.Candidates()); n != 0 {
			t.Errorf("%d candidates without contract-level access", n)
		}
		must[string](t)(w.cust.Export(w.seat, w.members["Carl"], "J1"))
		w.deliver(t)
		if got := summarize(w.sink)["Carl"].Jobs; !cmp.Equal(got, []string{"J1"}) {
			t.Errorf("export with company-level access: jobs = %v", got)
		}
	})
}

// TestOldCandidateWaitsForCandidateSync: an ATS candidate last modified
// before enablement gets its InMail only once Candidate Sync completes.
func TestOldCandidateWaitsForCandidateSync(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, true)
		ctx := t.Context()
		old := w.sink.AddCandidate(inmail.Candidate{FirstName: "Dan", Person: w.members["Dan"], UpdatedAt: w.enabled.Add(-24 * time.Hour)})
		must[string](t)(w.cust.SendInMail(w.seat, w.members["Dan"], "Hi", "Hello Dan"))
		time.Sleep(5 * time.Minute)
		rep, err := w.r.RunOnce(ctx)
		if err != nil || rep.InMail.Pending != 1 {
			t.Fatalf("run = %+v, %v", rep.InMail, err)
		}
		// The sync engine reports its phases complete.
		done := w.state
		r2cfgState := func(ctx context.Context) (milestones.State, error) {
			st, err := done(ctx)
			st.Phases = map[rscsync.Phase]milestones.PhaseProgress{
				rscsync.PhaseJobs: {Completed: true}, rscsync.PhaseCandidates: {Completed: true}}
			return st, err
		}
		r2, err := inmail.New(inmail.Config{CustomerID: "acme", Client: w.client, Organization: org, Contracts: []string{contract},
			Sink: w.sink, State: r2cfgState}, inmail.WithCursorStore(cursorsOf(t, w.r)))
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Minute)
		if rep, err := r2.PollInMail(ctx); err != nil || rep.Attached != 1 || rep.Replayed != 1 {
			t.Fatalf("after candidate sync = %+v, %v", rep, err)
		}
		if c, _ := w.sink.Get(old); len(c.Messages) != 1 {
			t.Errorf("Dan's messages = %+v", c.Messages)
		}
	})
}

// cursorsOf copies a Retriever's cursors into a new store (a restart).
func cursorsOf(t *testing.T, r *inmail.Retriever) inmail.CursorStore {
	c, err := r.Cursors(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	s := inmail.NewMemoryCursors()
	if err := s.Save(t.Context(), r.CustomerID(), c); err != nil {
		t.Fatal(err)
	}
	return s
}

// A spent daily quota stops only the steps that meet it: the closed
// profiles, on a quota of their own, are still read (LinkedIn requires it
// every 30 days).
func TestDailyQuotaLeavesDeletionsPolled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		w := newWorld(t, true)
		c, err := w.srv.CustomerClient(w.cust, rsc.WithLimits(rsc.Limits{ProspectRequestsPerDay: 1}))
		if err != nil {
			t.Fatal(err)
		}
		r, err := inmail.New(inmail.Config{CustomerID: "acme", Client: c, Organization: org, Contracts: []string{contract},
			Sink: w.sink, State: w.state})
		if err != nil {
			t.Fatal(err)
		}
		rep, err := r.RunOnce(t.Context())
		var rl *rsc.RateLimitError
		if !errors.As(err, &rl) || !rl.Daily {
			t.Errorf("RunOnce: %v, want the prospect quota's daily *RateLimitError among its errors", err)
		}
		if !rep.DeletionsRun {
			t.Error("the closed profiles were not read")
		}
		n := 0
		for _, q := range w.srv.Requests() {
			if strings.Contains(q.Path, "atsPurgedExportedCandidates") {
				n++
			}
		}
		if n != 1 {
			t.Errorf("%d reads of the closed profiles, want 1", n)
		}
	})
}
