package tracker

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/inmail"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

func TestSinkCandidates(t *testing.T) {
	clk := newTestClock()
	db, _ := generateTest(t, GenerateOptions{Candidates: 200, Seed: 4}, WithClock(clk))
	ctx := context.Background()
	sink := newSink(t, db)

	var id, email string
	if err := db.SQL().QueryRow(`SELECT id, email FROM candidates ORDER BY id LIMIT 1 OFFSET 10`).Scan(&id, &email); err != nil {
		t.Fatal(err)
	}
	c, found, err := inmail.FindMatch(ctx, sink, "urn:li:person:nobody", "  "+upper(email)+" ")
	if err != nil || !found || c.ID != id {
		t.Fatalf("FindMatch by email: %+v %v %v, want %s", c, found, err, id)
	}
	if _, err := sink.Candidate(ctx, "C99999999"); !errors.Is(err, inmail.ErrCandidateNotFound) {
		t.Errorf("unknown candidate: %v", err)
	}

	// Link a profile: person URN and URL stored, candidate re-synced once.
	later := testNow.Add(time.Hour)
	clk.Set(later)
	p := inmail.Profile{Person: "urn:li:person:abc", URL: "https://www.linkedin.com/in/abc"}
	for range 2 {
		if err := sink.SetLinkedInProfile(ctx, id, p); err != nil {
			t.Fatal(err)
		}
		clk.Set(later.Add(time.Hour)) // an unchanged link must not bump
	}
	got, err := sink.Candidate(ctx, id)
	if err != nil || got.Person != p.Person || got.ProfileURL != p.URL || !got.UpdatedAt.Equal(later) {
		t.Fatalf("after linking: %+v %v", got, err)
	}
	src := newSource(t, db, Config{IntegrationContext: testOrg})
	recs := collect(t, src.Candidates(ctx, cursorAt(later)))
	if len(recs) != 1 || recs[0].Record.LinkedInProfileURL != p.URL {
		t.Fatalf("re-synced candidates %+v", recs)
	}
	if c, found, _ := inmail.FindMatch(ctx, sink, p.Person, ""); !found || c.ID != id {
		t.Errorf("FindMatch by person: %+v %v", c, found)
	}

	// Create from a stub; again with the same person returns the same id,
	// even when racing.
	nc := inmail.NewCandidate{Person: "urn:li:person:new1", FirstName: "Ann", LastName: "Lee", Headline: "Engineer at Globex",
		Location: "Leeds, England, United Kingdom", Email: "ann.lee@example.com", Origin: inmail.OriginInMailStub, Owner: "U00000001", At: testNow}
	var wg sync.WaitGroup
	ids := make([]string, 8)
	errs := make([]error, 8)
	for i := range ids {
		wg.Go(func() { ids[i], errs[i] = sink.CreateCandidate(ctx, nc) })
	}
	wg.Wait()
	for i := range ids {
		if errs[i] != nil || ids[i] != ids[0] {
			t.Fatalf("concurrent CreateCandidate: ids %v errors %v", ids, errs)
		}
	}
	var city, source, owner string
	db.SQL().QueryRow(`SELECT city, source, owner_id FROM candidates WHERE id = ?`, ids[0]).Scan(&city, &source, &owner)
	if city != "Leeds" || source != "LinkedIn InMail" || owner != "U00000001" {
		t.Errorf("created candidate: city %q source %q owner %q", city, source, owner)
	}
	// An unknown owner is dropped rather than breaking the foreign key.
	if _, err := sink.CreateCandidate(ctx, inmail.NewCandidate{Person: "urn:li:person:new2", FirstName: "Bo", Owner: "nobody"}); err != nil {
		t.Errorf("unknown owner: %v", err)
	}

	// A placement from an export, once.
	var job string
	db.SQL().QueryRow(`SELECT id FROM jobs WHERE status = 'open' ORDER BY id LIMIT 1`).Scan(&job)
	for i, want := range []bool{true, false} {
		created, err := sink.EnsureApplication(ctx, ids[0], job, inmail.OriginExport)
		if err != nil || created != want {
			t.Fatalf("EnsureApplication #%d: created %v err %v", i, created, err)
		}
	}
	if _, err := sink.EnsureApplication(ctx, ids[0], "J99999999", inmail.OriginExport); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown job: %v", err)
	}
	pls := collect(t, src.Applications(ctx, cursorAt(later)))
	if len(pls) != 1 || pls[0].Record.CandidateID != ids[0] || len(pls[0].Stages) != 1 || pls[0].Stages[0].Stage != "Shortlisted" {
		t.Fatalf("exported placement %+v", pls)
	}
}

func TestSinkActivities(t *testing.T) {
	db, _ := generateTest(t, GenerateOptions{Candidates: 50, Seed: 4})
	ctx := context.Background()
	sink := newSink(t, db)
	src := newSource(t, db, Config{IntegrationContext: testOrg})
	before := collect(t, src.Activities(ctx, rscsync.Cursor{}))

	var person, user string
	if err := db.SQL().QueryRow(`SELECT id, linkedin_person_urn FROM users WHERE linkedin_person_urn IS NOT NULL ORDER BY id LIMIT 1`).Scan(&user, &person); err != nil {
		t.Fatal(err)
	}
	if u, ok, err := sink.UserByPerson(ctx, person); err != nil || !ok || u != user {
		t.Errorf("UserByPerson = %q %v %v, want %q", u, ok, err, user)
	}
	if _, ok, _ := sink.UserByPerson(ctx, "urn:li:person:nobody"); ok {
		t.Error("UserByPerson found nobody")
	}

	const cand = "C00000001"
	msg := inmail.Message{ID: "ev1", Conversation: "conv1", Seat: "urn:li:seat:1", User: user, Member: "urn:li:person:m",
		Subject: "Role", Body: "Hi", At: testNow}
	for _, body := range []string{"Hi", "Hi again"} {
		msg.Body = body
		if err := sink.AttachMessage(ctx, cand, msg); err != nil {
			t.Fatal(err)
		}
	}
	note := inmail.Note{ID: "n1", Seat: "urn:li:seat:1", Member: "urn:li:person:m", Text: "Great fit", CreatedAt: testNow, UpdatedAt: testNow}
	if err := sink.UpsertNote(ctx, cand, note); err != nil {
		t.Fatal(err)
	}
	if err := sink.UpsertNote(ctx, cand, note); err != nil {
		t.Fatal(err)
	}
	if err := sink.RecordNotice(ctx, cand, inmail.Notice{ID: "del:m", Kind: inmail.NoticeMemberDeleted, At: testNow,
		Text: "The member closed their LinkedIn account", Member: "urn:li:person:m"}); err != nil {
		t.Fatal(err)
	}
	counts := map[string]int{}
	rows, err := db.SQL().Query(`SELECT kind, body FROM activities WHERE candidate_id = ? AND external_id IS NOT NULL`, cand)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var kind, body string
		rows.Scan(&kind, &body)
		counts[kind]++
		if kind == "inmail" && body != "Hi again" {
			t.Errorf("message not replaced: %q", body)
		}
	}
	rows.Close()
	if fmt.Sprint(counts) != "map[inmail:1 linkedin_notice:1 prospect_note:1]" {
		t.Errorf("activities from LinkedIn: %v", counts)
	}
	if err := sink.DeleteNote(ctx, cand, "n1"); err != nil {
		t.Fatal(err)
	}
	if err := sink.DeleteNote(ctx, cand, "n1"); err != nil {
		t.Errorf("deleting an absent note: %v", err)
	}
	if err := sink.AttachMessage(ctx, "C99999999", msg); !errors.Is(err, inmail.ErrCandidateNotFound) {
		t.Errorf("message on an unknown candidate: %v", err)
	}
	// What came from LinkedIn is never sent back.
	if after := collect(t, src.Activities(ctx, rscsync.Cursor{})); len(after) != len(before) {
		t.Errorf("synced activities went from %d to %d", len(before), len(after))
	}
	tot, _ := src.Totals(ctx, time.Time{})
	if tot.Activities != int64(len(before)) {
		t.Errorf("Totals.Activities = %d, want %d", tot.Activities, len(before))
	}
}

// The inmail Retriever against the fake LinkedIn, writing into Tracker: a
// recruiter exports a member to one of Tracker's jobs, InMails them, and
// the member replies sharing contact information.
func TestSinkWithRetriever(t *testing.T) {
	const org = "urn:li:organization:1"
	clk := rsctest.NewFakeClock(testNow) // LinkedIn's, the Retriever's and Tracker's
	db, _ := generateTest(t, GenerateOptions{Candidates: 100, Seed: 8, Org: org}, WithClock(clk))
	ctx := context.Background()
	srv := rsctest.NewServer(rsctest.WithoutListener(), rsctest.WithClock(clk))
	defer srv.Close()
	cust := srv.AddCustomer(rsctest.CustomerSpec{Organization: org, Contracts: []string{"urn:li:contract:1"}})
	cust.EnableAll()
	cust.SetProductSettings(rsc.ProductSettings{OneClickExport: true, InMailStubProfile: true, ProfileWidget: true})
	recruiter := srv.AddMember(rsctest.MemberSpec{FirstName: "Rita", LastName: "Reed", Email: "rita@agency.example.com"})
	ann := srv.AddMember(rsctest.MemberSpec{FirstName: "Ann", LastName: "Lee", Email: "ann@example.com"})
	seat, err := cust.AddSeat(rsctest.SeatSpec{Member: recruiter.Person})
	if err != nil {
		t.Fatal(err)
	}
	// Map the seat holder to a Tracker user.
	if _, err := db.SQL().Exec(`UPDATE users SET linkedin_person_urn = ? WHERE id = 'U00000001'`, recruiter.Person); err != nil {
		t.Fatal(err)
	}
	client, err := rsc.NewClient(rsc.WithBaseURL(srv.URL()), rsc.WithTokenURL(srv.TokenURL()), rsc.WithTransport(srv.Transport()),
		rsc.WithCredentials(cust.ClientID, cust.ClientSecret), rsc.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}

	// Post Tracker's open jobs as the sync engine would (the first few).
	src := newSource(t, db, Config{IntegrationContext: org})
	var postings []rsc.JobPosting
	for j, err := range src.Jobs(ctx, rscsync.Cursor{}) {
		if err != nil {
			t.Fatal(err)
		}
		if !j.Closed && len(postings) < 3 {
			j.Posting.OperationType = rsc.JobCreate
			postings = append(postings, j.Posting)
		}
	}
	res, err := client.Jobs.Submit(ctx, postings)
	if err != nil || res.Err() != nil {
		t.Fatalf("submit jobs: %v %v", err, res.Err())
	}
	var tasks []string
	for _, it := range res.Items {
		tasks = append(tasks, it.ID)
	}
	if _, err := client.Jobs.WaitTasks(ctx, tasks, time.Second); err != nil {
		t.Fatal(err)
	}

	sink := newSink(t, db)
	r, err := inmail.New(inmail.Config{
		CustomerID: "acme", Client: client, Organization: org, Contracts: []string{"urn:li:contract:1"},
		Sink: sink, State: enabledSince(testNow),
	}, inmail.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	job := postings[0].ExternalJobPostingID
	reqID, err := cust.Export(seat.URN, ann.Person, job)
	if err != nil {
		t.Fatal(err)
	}
	exp, err := r.HandleExport(ctx, reqID)
	if err != nil || len(exp.Items) != 1 || !exp.Items[0].CandidateCreated || !exp.Items[0].ApplicationCreated {
		t.Fatalf("HandleExport: %+v %v", exp, err)
	}
	candID := exp.Items[0].CandidateID
	conv, err := cust.SendInMail(seat.URN, ann.Person, "Role", "Hi Ann")
	if err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	if err := cust.ReplyInMail(conv, "Hi Rita", true); err != nil {
		t.Fatal(err)
	}
	clk.Advance(10 * time.Minute)
	if _, err := r.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}

	c, err := sink.Candidate(ctx, candID)
	if err != nil || c.Person != ann.Person || c.FirstName != "Ann" {
		t.Fatalf("exported candidate %+v %v", c, err)
	}
	var placements, inmails, notices int
	db.SQL().QueryRow(`SELECT COUNT(*) FROM placements WHERE candidate_id = ? AND job_id = ?`, candID, job).Scan(&placements)
	db.SQL().QueryRow(`SELECT COUNT(*) FROM activities WHERE candidate_id = ? AND kind = 'inmail'`, candID).Scan(&inmails)
	db.SQL().QueryRow(`SELECT COUNT(*) FROM activities WHERE candidate_id = ? AND kind = 'linkedin_notice'`, candID).Scan(&notices)
	if placements != 1 || inmails != 2 || notices == 0 {
		t.Errorf("candidate %s: %d placements, %d InMails, %d notices; want 1, 2, >0", candID, placements, inmails, notices)
	}
	var author string
	db.SQL().QueryRow(`SELECT COALESCE(author_id, '') FROM activities WHERE candidate_id = ? AND kind = 'inmail' LIMIT 1`, candID).Scan(&author)
	if author != "U00000001" {
		t.Errorf("InMail author %q, want the mapped user U00000001", author)
	}
}

func upper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// enabledSince is the milestones state of a customer whose integration,
// with both access levels and every setting, is on since at.
func enabledSince(at time.Time) func(context.Context) (milestones.State, error) {
	st := milestones.State{Enabled: true, EnabledAt: at, Settings: milestones.AllSettings(),
		Access: milestones.Access{CompanyLevel: true, ContractLevel: true}}
	return func(context.Context) (milestones.State, error) { return st, nil }
}

// NewSink refuses a nil DB, as NewSource does, rather than returning a
// Sink that panics at its first write.
func TestNewSink(t *testing.T) {
	db, _ := generateTest(t, GenerateOptions{Candidates: 1, Seed: 4})
	for _, tc := range []struct {
		name string
		db   *DB
		want string // error; "" for none
	}{
		{"db", db, ""},
		{"nil DB", nil, "tracker: NewSink: nil DB"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			sink, err := NewSink(tc.db)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Fatalf("NewSink error (-want +got):\n%s", diff)
			}
			if (sink == nil) != (tc.want != "") {
				t.Errorf("NewSink = %v, %v", sink, err)
			}
		})
	}
}
