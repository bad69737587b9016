package tracker

import (
	"context"
	"errors"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
	"github.com/rscgo/rscgo/sync/sourcetest"
	"github.com/rscgo/rscgo/sync/sqlsource"
)

type (
	jobT       = rscsync.Job
	candT      = rscsync.Candidate
	placementT = rscsync.Application
	activityT  = rscsync.Activity
)

func cursorAt(t time.Time) rscsync.Cursor { return rscsync.Cursor{ModifiedAt: t} }

func collect[T any](t *testing.T, seq iter.Seq2[T, error]) []T {
	t.Helper()
	var out []T
	for r, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

func candPos(c candT) rscsync.Cursor {
	return rscsync.Cursor{ModifiedAt: c.ModifiedAt, ID: c.Record.Key.CandidateID}
}

func TestSourceMapping(t *testing.T) {
	db, _ := generateTest(t, GenerateOptions{Candidates: 400, Seed: 5})
	ctx := context.Background()
	src := newSource(t, db, Config{IntegrationContext: testOrg, BaseURL: "https://acme.tracker.example.com/"})

	cands := collect(t, src.Candidates(ctx, rscsync.Cursor{}))
	if len(cands) != 400 {
		t.Fatalf("%d candidates", len(cands))
	}
	for _, c := range cands {
		r := c.Record
		if r.Key.IntegrationContext != testOrg || r.Key.CandidateID == "" {
			t.Fatalf("key %+v", r.Key)
		}
		if want := "https://acme.tracker.example.com/candidates/" + r.Key.CandidateID; r.ExternalProfileURL != want {
			t.Fatalf("externalProfileUrl %q, want %q", r.ExternalProfileURL, want)
		}
		if r.FirstName == "" || len(r.EmailAddresses) != 1 || r.PhoneNumbers == nil || r.Addresses == nil {
			t.Fatalf("candidate %+v", r)
		}
		if r.CreatedAt <= 0 || r.LastModifiedAt < r.CreatedAt || r.LastModifiedAt.Time() != c.ModifiedAt {
			t.Fatalf("candidate times %+v / %v", r, c.ModifiedAt)
		}
	}

	jobs := collect(t, src.Jobs(ctx, rscsync.Cursor{}))
	var closed int
	for _, j := range jobs {
		p := j.Posting
		if p.IntegrationContext != testOrg || !strings.HasPrefix(p.CompanyApplyURL, "https://acme.tracker.example.com/jobs/") ||
			len(p.Description) < 100 || p.Title == "" || p.Location == "" || p.ListedAt <= 0 ||
			p.ListedAt.Time().After(testNow) || len(p.WorkplaceTypes) != 1 ||
			(p.Availability != rsc.AvailabilityPrivate && p.Availability != rsc.AvailabilityPublic) {
			t.Fatalf("job %+v", p)
		}
		if j.Closed {
			closed++
		}
	}
	if closed == 0 || closed == len(jobs) {
		t.Errorf("%d of %d jobs closed", closed, len(jobs))
	}

	pls := collect(t, src.Applications(ctx, rscsync.Cursor{}))
	var stages int
	for _, p := range pls {
		a := p.Record
		if a.Key.IntegrationContext != testOrg || a.CandidateID == "" || a.JobPostingID == "" || a.JobPostingName == "" ||
			a.FirstName == "" || a.CandidateEmail == "" || a.CreatedAt <= 0 || a.LastModifiedAt < a.CreatedAt {
			t.Fatalf("application %+v", a)
		}
		if len(p.Stages) < 1 || len(p.Stages) > 5 {
			t.Fatalf("placement %s has %d stages", a.Key.ApplicationID, len(p.Stages))
		}
		if !slices.IsSortedFunc(p.Stages, func(x, y rsc.Stage) int { return int(x.CreatedAt - y.CreatedAt) }) {
			t.Fatalf("placement %s: stages out of order: %+v", a.Key.ApplicationID, p.Stages)
		}
		if p.Stages[0].Stage != "Shortlisted" {
			t.Fatalf("placement %s starts at %q", a.Key.ApplicationID, p.Stages[0].Stage)
		}
		last := p.Stages[len(p.Stages)-1].Stage
		if (last == "Rejected") != (a.DispositionReason != "" && a.DispositionReason != "Hired") {
			t.Fatalf("placement %s: last stage %q, disposition %q", a.Key.ApplicationID, last, a.DispositionReason)
		}
		stages += len(p.Stages)
	}
	var want int
	db.SQL().QueryRow(`SELECT COUNT(*) FROM placement_stages`).Scan(&want)
	if stages != want {
		t.Errorf("streamed %d stages, table has %d", stages, want)
	}

	kinds := map[rscsync.EntityKind]int{}
	for _, a := range collect(t, src.Activities(ctx, rscsync.Cursor{})) {
		kinds[a.Kind]++
		switch a.Kind {
		case rscsync.KindCandidateNote:
			if a.Candidate.IntegrationContext != testOrg || a.Candidate.CandidateID == "" || a.Note.Note == "" || a.Note.Author == nil {
				t.Fatalf("candidate note %+v", a)
			}
		case rscsync.KindApplicationNote:
			if a.Application.ApplicationID == "" || a.Note.Note == "" {
				t.Fatalf("application note %+v", a)
			}
		case rscsync.KindInterviewFeedback:
			if a.Application.ApplicationID == "" || len(a.Feedback.Evaluations) < 2 ||
				(a.Feedback.InterviewType != "PHONE_SCREEN" && a.Feedback.InterviewType != "ONSITE") {
				t.Fatalf("feedback %+v", a)
			}
		default:
			t.Fatalf("activity kind %v", a.Kind)
		}
	}
	if len(kinds) != 3 {
		t.Errorf("activity kinds %v", kinds)
	}
}

func TestSourceOrderAndSince(t *testing.T) {
	db, _ := generateTest(t, GenerateOptions{Candidates: 300, Seed: 9})
	ctx := context.Background()
	// Many candidates sharing one millisecond, straddling page boundaries.
	if _, err := db.TouchCandidates(ctx, 40); err != nil {
		t.Fatal(err)
	}
	src := newSource(t, db, Config{IntegrationContext: testOrg, PageSize: 7})
	all := collect(t, src.Candidates(ctx, rscsync.Cursor{}))
	if len(all) != 300 {
		t.Fatalf("streamed %d candidates, want 300", len(all))
	}
	for i := 1; i < len(all); i++ {
		if !candPos(all[i-1]).After(all[i].ModifiedAt, all[i].Record.Key.CandidateID) {
			t.Fatalf("record %d (%v) not after record %d (%v)", i, candPos(all[i]), i-1, candPos(all[i-1]))
		}
	}
	for _, from := range []int{0, 1, 6, 7, 150, 280, 299} {
		got := collect(t, src.Candidates(ctx, candPos(all[from])))
		if len(got) != len(all)-from-1 {
			t.Fatalf("since record %d: %d records, want %d", from, len(got), len(all)-from-1)
		}
		for i := range got {
			if candPos(got[i]) != candPos(all[from+1+i]) {
				t.Fatalf("since record %d: record %d is %v, want %v", from, i, candPos(got[i]), candPos(all[from+1+i]))
			}
		}
	}
	// A cursor inside a millisecond starts at the next one.
	mid := all[100].ModifiedAt
	got := collect(t, src.Candidates(ctx, cursorAt(mid.Add(time.Microsecond))))
	for _, c := range got {
		if !c.ModifiedAt.After(mid) {
			t.Fatalf("cursor %v yielded %v", mid.Add(time.Microsecond), c.ModifiedAt)
		}
	}
	// A cursor after everything yields nothing.
	if got := collect(t, src.Candidates(ctx, cursorAt(testNow.Add(time.Hour)))); len(got) != 0 {
		t.Errorf("%d records after the end", len(got))
	}
}

func TestSourceBreak(t *testing.T) {
	db, _ := generateTest(t, GenerateOptions{Candidates: 100, Seed: 1})
	src := newSource(t, db, Config{IntegrationContext: testOrg, PageSize: 3})
	for _, stopAt := range []int{1, 2, 3, 4, 10} {
		calls := 0
		stopped := false
		src.Applications(context.Background(), rscsync.Cursor{})(func(p placementT, err error) bool {
			if stopped {
				t.Fatalf("stop at %d: yield called after it returned false", stopAt)
			}
			if err != nil {
				t.Fatal(err)
			}
			calls++
			stopped = calls == stopAt
			return !stopped
		})
		if calls != stopAt {
			t.Errorf("stop at %d: %d calls", stopAt, calls)
		}
	}
}

func TestSourceContext(t *testing.T) {
	db, _ := generateTest(t, GenerateOptions{Candidates: 100, Seed: 1})
	src := newSource(t, db, Config{IntegrationContext: testOrg, PageSize: 10})

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var n int
	var gotErr error
	for _, err := range src.Activities(ctx, rscsync.Cursor{}) {
		n++
		gotErr = err
	}
	if n != 1 || !errors.Is(gotErr, context.Canceled) {
		t.Errorf("cancelled context: %d yields, last error %v; want one context.Canceled", n, gotErr)
	}

	ctx, cancel = context.WithCancel(context.Background())
	defer cancel()
	var records, errs int
	for _, err := range src.Candidates(ctx, rscsync.Cursor{}) {
		if err != nil {
			errs++
			if !errors.Is(err, context.Canceled) {
				t.Errorf("error %v", err)
			}
			continue
		}
		if records++; records == 15 {
			cancel()
		}
	}
	if records != 15 || errs != 1 {
		t.Errorf("cancelled mid-stream: %d records, %d errors; want 15 and 1", records, errs)
	}
}

func TestSourceErrorStops(t *testing.T) {
	db, _ := generateTest(t, GenerateOptions{Candidates: 20, Seed: 1})
	src := newSource(t, db, Config{IntegrationContext: testOrg})
	db.Close()
	var n int
	for _, err := range src.Jobs(context.Background(), rscsync.Cursor{}) {
		n++
		if err == nil {
			t.Error("record from a closed database")
		}
	}
	if n != 1 {
		t.Errorf("%d yields, want exactly one error", n)
	}
}

func TestIncrementalAndDeletions(t *testing.T) {
	clk := newTestClock()
	db, _ := generateTest(t, GenerateOptions{Candidates: 300, Seed: 2}, WithClock(clk))
	ctx := context.Background()
	src := newSource(t, db, Config{IntegrationContext: testOrg})
	all := collect(t, src.Candidates(ctx, rscsync.Cursor{}))
	mark := candPos(all[len(all)-1])

	later := testNow.Add(time.Hour)
	clk.Set(later)
	touched, err := db.TouchCandidates(ctx, 5)
	if err != nil {
		t.Fatal(err)
	}
	touchedAt := clk.Last() // the stamp: TouchCandidates reads the clock last under the write lock
	got := collect(t, src.Candidates(ctx, mark))
	var ids []string
	for _, c := range got {
		ids = append(ids, c.Record.Key.CandidateID)
		if !c.ModifiedAt.Equal(touchedAt) {
			t.Errorf("touched candidate modified %v, want %v", c.ModifiedAt, touchedAt)
		}
	}
	if !slices.Equal(ids, touched) {
		t.Errorf("incremental read %v, touched %v", ids, touched)
	}

	if ids, err := db.AdvancePlacements(ctx, 3); err != nil || len(ids) != 3 {
		t.Fatalf("AdvancePlacements: %v %v", ids, err)
	}
	if got := collect(t, src.Applications(ctx, cursorAt(later))); len(got) != 3 {
		t.Errorf("%d advanced placements streamed, want 3", len(got))
	}
	if ids, err := db.AddCandidateNotes(ctx, 4); err != nil || len(ids) != 4 {
		t.Fatalf("AddCandidateNotes: %v %v", ids, err)
	}
	if got := collect(t, src.Activities(ctx, cursorAt(later))); len(got) != 4 {
		t.Errorf("%d new notes streamed, want 4", len(got))
	}
	openJobs, err := db.TouchJobs(ctx, 2)
	if err != nil || len(openJobs) == 0 {
		t.Fatalf("TouchJobs: %v %v", openJobs, err)
	}
	if err := db.CloseJob(ctx, openJobs[0]); err != nil {
		t.Fatal(err)
	}
	jobs := collect(t, src.Jobs(ctx, cursorAt(later)))
	if len(jobs) != len(openJobs) || !slices.ContainsFunc(jobs, func(j jobT) bool { return j.Closed }) {
		t.Errorf("jobs after touch and close: %+v", jobs)
	}

	// Delete a candidate that has notes and placements.
	var victim string
	if err := db.SQL().QueryRow(`SELECT c.id FROM candidates c WHERE
		EXISTS (SELECT 1 FROM placements p WHERE p.candidate_id = c.id) AND
		EXISTS (SELECT 1 FROM activities a WHERE a.candidate_id = c.id) ORDER BY c.id LIMIT 1`).Scan(&victim); err != nil {
		t.Fatal(err)
	}
	var notes, placements int
	db.SQL().QueryRow(`SELECT COUNT(*) FROM activities WHERE candidate_id = ?`, victim).Scan(&notes)
	db.SQL().QueryRow(`SELECT COUNT(*) FROM placements WHERE candidate_id = ?`, victim).Scan(&placements)
	del := later.Add(time.Minute)
	clk.Set(del)
	if err := db.DeleteCandidate(ctx, victim); err != nil {
		t.Fatal(err)
	}
	if err := db.DeleteCandidate(ctx, victim); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting twice: %v, want ErrNotFound", err)
	}
	dels := collect(t, src.Deletions(ctx, rscsync.Cursor{}))
	if len(dels) != 1+notes+placements {
		t.Fatalf("%d deletions, want %d: %+v", len(dels), 1+notes+placements, dels)
	}
	byKind := map[rscsync.EntityKind]int{}
	for i, d := range dels {
		byKind[d.Kind]++
		if !d.DeletedAt.Equal(del) || d.Integration != testOrg {
			t.Errorf("deletion %+v", d)
		}
		if d.Kind == rscsync.KindCandidateNote && d.Parent != victim {
			t.Errorf("note tombstone %+v without its parent", d)
		}
		if i > 0 && dels[i-1].CursorID() >= d.CursorID() {
			t.Errorf("deletions out of order: %v then %v", dels[i-1].CursorID(), d.CursorID())
		}
	}
	if byKind[rscsync.KindCandidate] != 1 || byKind[rscsync.KindCandidateNote] != notes || byKind[rscsync.KindApplication] != placements {
		t.Errorf("deletions by kind %v; want 1 candidate, %d notes, %d placements", byKind, notes, placements)
	}
	var left int
	db.SQL().QueryRow(`SELECT (SELECT COUNT(*) FROM placements WHERE candidate_id = ?1) + (SELECT COUNT(*) FROM activities WHERE candidate_id = ?1)`, victim).Scan(&left)
	if left != 0 {
		t.Errorf("%d rows of the deleted candidate left", left)
	}
}

// The conformance kit of the sync package, on a generated database with
// records sharing modification times in every stream.
func TestSourceConformance(t *testing.T) {
	clk := newTestClock()
	db, _ := generateTest(t, GenerateOptions{Candidates: 300, Seed: 21}, WithClock(clk))
	ctx := context.Background()
	later := testNow.Add(time.Hour)
	clk.Set(later)
	if _, err := db.TouchCandidates(ctx, 12); err != nil {
		t.Fatal(err)
	}
	if _, err := db.TouchJobs(ctx, 4); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AdvancePlacements(ctx, 6); err != nil {
		t.Fatal(err)
	}
	if _, err := db.AddCandidateNotes(ctx, 5); err != nil {
		t.Fatal(err)
	}
	var ids []string
	rows, _ := db.SQL().Query(`SELECT id FROM candidates ORDER BY id LIMIT 3`)
	for rows.Next() {
		var id string
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	for i, id := range ids {
		clk.Set(later.Add(time.Duration(i/2) * time.Minute))
		if err := db.DeleteCandidate(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	sourcetest.TestSource(t, newSource(t, db, Config{IntegrationContext: testOrg, PageSize: 16}))
}

// NewSource applies Config's defaults and refuses, with an error naming
// the field and the rule, what Config's godoc does not allow: the
// integration context comes from onboarding at run time, so a bad one is
// an error, not a panic. An error never quotes a BaseURL that may hold a
// password.
func TestNewSourceConfig(t *testing.T) {
	db := openTest(t)
	for _, tc := range []struct {
		name    string
		db      *DB
		cfg     Config
		want    Config
		wantErr string
	}{
		{name: "defaults", db: db, cfg: Config{IntegrationContext: testOrg},
			want: Config{IntegrationContext: testOrg, BaseURL: "https://tracker.example.com", PageSize: DefaultPageSize}},
		{name: "all set", db: db, cfg: Config{IntegrationContext: "urn:li:organization:1234567890123456789", BaseURL: "http://localhost:8080/tracker/", PageSize: sqlsource.MaxPageSize},
			want: Config{IntegrationContext: "urn:li:organization:1234567890123456789", BaseURL: "http://localhost:8080/tracker", PageSize: sqlsource.MaxPageSize}},
		{name: "nil DB", cfg: Config{IntegrationContext: testOrg},
			wantErr: "tracker: NewSource: nil DB"},
		{name: "no integration context", db: db, cfg: Config{},
			wantErr: `tracker: NewSource: Config.IntegrationContext "": must be urn:li:organization:{1 to 19 digits}`},
		{name: "integration context of another kind", db: db, cfg: Config{IntegrationContext: "urn:li:contract:4242"},
			wantErr: `tracker: NewSource: Config.IntegrationContext "urn:li:contract:4242": must be urn:li:organization:{1 to 19 digits}`},
		{name: "integration context of 20 digits", db: db, cfg: Config{IntegrationContext: "urn:li:organization:12345678901234567890"},
			wantErr: `tracker: NewSource: Config.IntegrationContext "urn:li:organization:12345678901234567890": must be urn:li:organization:{1 to 19 digits}`},
		{name: "relative BaseURL", db: db, cfg: Config{IntegrationContext: testOrg, BaseURL: "tracker.example.com"},
			wantErr: `tracker: NewSource: Config.BaseURL "tracker.example.com": must be an absolute http or https URL`},
		{name: "BaseURL of another scheme", db: db, cfg: Config{IntegrationContext: testOrg, BaseURL: "ftp://tracker.example.com"},
			wantErr: `tracker: NewSource: Config.BaseURL "ftp://tracker.example.com": must be an absolute http or https URL`},
		{name: "BaseURL without a host", db: db, cfg: Config{IntegrationContext: testOrg, BaseURL: "https:///candidates"},
			wantErr: `tracker: NewSource: Config.BaseURL "https:///candidates": must be an absolute http or https URL`},
		{name: "BaseURL with a query", db: db, cfg: Config{IntegrationContext: testOrg, BaseURL: "https://tracker.example.com/?tenant=acme"},
			wantErr: `tracker: NewSource: Config.BaseURL "https://tracker.example.com/?tenant=acme": must have no query or fragment (record links append paths to it)`},
		{name: "BaseURL with an empty fragment", db: db, cfg: Config{IntegrationContext: testOrg, BaseURL: "https://tracker.example.com#"},
			wantErr: `tracker: NewSource: Config.BaseURL "https://tracker.example.com#": must have no query or fragment (record links append paths to it)`},
		{name: "BaseURL with a password", db: db, cfg: Config{IntegrationContext: testOrg, BaseURL: "https://admin:hunter2@tracker.example.com"},
			wantErr: "tracker: NewSource: Config.BaseURL: must hold no user information"},
		{name: "BaseURL that does not parse", db: db, cfg: Config{IntegrationContext: testOrg, BaseURL: "https://admin:hunter2@tracker.example.com:port"},
			wantErr: "tracker: NewSource: Config.BaseURL: must be an absolute http or https URL"},
		{name: "negative PageSize", db: db, cfg: Config{IntegrationContext: testOrg, PageSize: -1},
			wantErr: "tracker: NewSource: Config.PageSize -1: must be 0 (DefaultPageSize) to 100000 (sqlsource.MaxPageSize)"},
		{name: "PageSize over MaxPageSize", db: db, cfg: Config{IntegrationContext: testOrg, PageSize: sqlsource.MaxPageSize + 1},
			wantErr: "tracker: NewSource: Config.PageSize 100001: must be 0 (DefaultPageSize) to 100000 (sqlsource.MaxPageSize)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src, err := NewSource(tc.db, tc.cfg)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr || src != nil {
					t.Fatalf("NewSource = %v, %v; want nil, %s", src, err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, src.Config()); d != "" {
				t.Errorf("Config() (-want +got):\n%s", d)
			}
		})
	}
}
