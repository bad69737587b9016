package demo

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/vbauerster/mpb/v8"

	"github.com/rscgo/rscgo/examples/tracker"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// genNow is the end of the synthetic history of every test run: the same
// for all runs of the test binary, so that their data are identical.
var genNow = time.Now().UTC().Truncate(time.Hour)

func testConfig(t *testing.T, dir string, candidates int) (Config, *bytes.Buffer) {
	t.Helper()
	var out bytes.Buffer
	return Config{DataDir: dir, CustomerID: "demo-customer", Candidates: candidates, Seed: 3, BadRecords: 0.03, GenerateNow: genNow,
		Out: &out, Monitor: NewMonitor()}, &out
}

// cleanRun is one uninterrupted demo run shared by the tests that only read
// its outcome. Its directory is removed by TestMain.
var cleanRun struct {
	once sync.Once
	dir  string
	cfg  Config
	res  *Result
	out  string
	err  error
}

func TestMain(m *testing.M) {
	if name := os.Getenv(workerEnv); name != "" { // a worker process of TestFleet
		os.Exit(workerMain(name))
	}
	if pg := os.Getenv(cancellerEnv); pg != "" { // a worker of TestFleetGivesUpWithoutJobs
		os.Exit(cancellerMain(pg))
	}
	code := m.Run()
	if cleanRun.dir != "" {
		os.RemoveAll(cleanRun.dir)
	}
	os.Exit(code)
}

func sharedRun(t *testing.T) (Config, *Result, string) {
	t.Helper()
	cleanRun.once.Do(func() {
		dir, err := os.MkdirTemp("", "tracker-demo-test-")
		if err != nil {
			cleanRun.err = err
			return
		}
		cleanRun.dir = dir
		cfg, out := testConfig(t, dir, 400)
		if cfg.Telemetry, cleanRun.err = NewTelemetry(nil); cleanRun.err != nil {
			return
		}
		cleanRun.cfg = cfg
		cleanRun.res, cleanRun.err = Run(context.Background(), cfg)
		cleanRun.out = out.String()
	})
	if cleanRun.err != nil {
		t.Fatalf("demo run: %v\n%s", cleanRun.err, cleanRun.out)
	}
	return cleanRun.cfg, cleanRun.res, cleanRun.out
}

func TestMilestonesArriveInOrder(t *testing.T) {
	_, res, out := sharedRun(t)
	want := []milestones.Milestone{milestones.IntegrationEnabled, milestones.JobSyncCompleted,
		milestones.CandidateSyncCompleted, milestones.ShortlistSyncCompleted, milestones.ActivitySyncCompleted}
	var got []milestones.Milestone
	for _, e := range res.NewMilestones {
		got = append(got, e.Milestone)
	}
	if !slices.Equal(got, want) {
		t.Fatalf("milestones reached %v, want %v", got, want)
	}
	// Announced in the output in the same order, each once, with its features.
	last := -1
	for _, m := range want {
		label := "★ " + m.Label()
		if n := strings.Count(out, label); n != 1 {
			t.Fatalf("%q announced %d times", label, n)
		}
		i := strings.Index(out, label)
		if i < last {
			t.Errorf("%q announced out of order", label)
		}
		last = i
	}
	// The demo's deliberately invalid candidates are refused: milestone 3
	// says so, and no feature claims them.
	if !regexp.MustCompile(`★ Milestone 3: Candidate Sync Completed; [0-9]+ of [0-9]+ candidates refused: see the dead letters\n` +
		`    - Candidate data from the ATS visible on LinkedIn profiles: all candidates except [0-9]+ refused \(see the dead letters\)\n`).MatchString(out) {
		t.Errorf("milestone 3 does not list its features with their scope and refusals:\n%s", out)
	}
	for i := 1; i < len(res.NewMilestones); i++ {
		if res.NewMilestones[i].At.Before(res.NewMilestones[i-1].At) {
			t.Errorf("milestone times go backwards: %+v", res.NewMilestones)
		}
	}
	if res.Features.Milestone != milestones.ActivitySyncCompleted {
		t.Errorf("final report at milestone %v", res.Features.Milestone)
	}
	for _, f := range res.Features.Features {
		if !f.Enabled || f.Scope != milestones.ScopeAll {
			t.Errorf("feature %s: enabled %v scope %v (%s)", f.Feature, f.Enabled, f.Scope, f.Reason)
		}
	}
}

func TestReconciliationAndDeadLetters(t *testing.T) {
	cfg, res, out := sharedRun(t)
	if len(res.Reconciliation) != 4 {
		t.Fatalf("reconciliation %+v", res.Reconciliation)
	}
	for _, x := range res.Reconciliation {
		if x.LinkedIn < 0 || x.Tracker == 0 {
			t.Errorf("%s: not counted: %+v", x.Entity, x)
		}
		if x.LinkedIn != x.Tracker-x.DeadLetters || x.Acknowledged != x.LinkedIn || !x.Balanced() {
			t.Errorf("%s: Tracker %d - dead letters %d != LinkedIn %d (acknowledged %d)",
				x.Entity, x.Tracker, x.DeadLetters, x.LinkedIn, x.Acknowledged)
		}
	}
	if !strings.Contains(out, "✓ equal") || strings.Contains(out, "MISMATCH") {
		t.Errorf("the printed reconciliation does not say equal:\n%s", out)
	}

	// The dead letters are exactly the records of the window that break
	// LinkedIn's rules: the deliberately bad candidates and jobs, the
	// placements that carry a bad candidate email, and the interview
	// feedback of those placements.
	want := invalidRecords(t, cfg)
	got := map[string]bool{}
	printed := map[rscsync.EntityKind]int{}
	total := map[rscsync.EntityKind]int{}
	for _, d := range res.DeadLetters {
		if d.Reason == "" || d.Attempts < 1 {
			t.Errorf("dead letter without a reason: %+v", d)
		}
		got[string(d.Kind)+" "+d.ID] = true
		total[d.Kind]++
		if strings.Contains(out, fmt.Sprintf("%-10s %-10s", d.Kind, d.ID)) {
			printed[d.Kind]++
		}
	}
	for k, n := range total { // a few of each kind are listed, the rest counted
		more := fmt.Sprintf("... and %d more %s dead letters", n-printed[k], k)
		if printed[k] == 0 || printed[k] < n && !strings.Contains(out, more) {
			t.Errorf("%s dead letters: %d of %d printed and no %q line", k, printed[k], n, more)
		}
	}
	if !maps.Equal(got, want) {
		t.Errorf("dead letters %v\nwant (invalid records in the window) %v", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
	if len(want) == 0 || !slices.ContainsFunc(res.DeadLetters, func(d rscsync.DeadLetter) bool { return d.Kind == rscsync.KindCandidate }) {
		t.Errorf("the deliberately bad candidates are not among the dead letters: %v", got)
	}
}

// invalidRecords lists, from Tracker's database, the records of the sync
// window that LinkedIn's rules refuse.
func invalidRecords(t *testing.T, cfg Config) map[string]bool {
	t.Helper()
	db, err := tracker.Open(filepath.Join(cfg.DataDir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	store, err := rscsync.NewFileStore(filepath.Join(cfg.DataDir, syncDir))
	if err != nil {
		t.Fatal(err)
	}
	cp, err := store.Load(context.Background(), cfg.CustomerID)
	if err != nil || cp == nil {
		t.Fatalf("checkpoint: %v %v", cp, err)
	}
	from := cp.WindowFrom.UnixMilli()
	email := regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	out := map[string]bool{}
	query := func(kind, q string, bad func(string) bool) {
		rows, err := db.SQL().Query(q, from)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var id, v string
			if err := rows.Scan(&id, &v); err != nil {
				t.Fatal(err)
			}
			if bad(v) {
				out[kind+" "+id] = true
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	// An email may be missing (candidates, and applications since an
	// exported candidate has none); one that is present must be valid.
	invalid := func(s string) bool { return s != "" && !email.MatchString(s) }
	query("candidate", `SELECT id, email FROM candidates WHERE modified_at >= ?`, invalid)
	query("application", `SELECT p.id, c.email FROM placements p JOIN candidates c ON c.id = p.candidate_id WHERE p.modified_at >= ?`, invalid)
	query("job", `SELECT id, description FROM jobs WHERE modified_at >= ?`, func(s string) bool { return len(s) < 100 })
	// LinkedIn refuses interview feedback under an application it does not hold.
	query("interviewFeedback", `SELECT a.id, c.email FROM activities a JOIN placements p ON p.id = a.placement_id
		JOIN candidates c ON c.id = p.candidate_id WHERE a.kind = 'interview_feedback' AND a.modified_at >= ?`, invalid)
	return out
}

func TestRoundTripLandsInTracker(t *testing.T) {
	cfg, res, out := sharedRun(t)
	rt := res.RoundTrip
	if rt.SkipReason != "" || rt.InMailCandidate == "" || rt.ExportCandidate == "" || rt.ExportJob == "" {
		t.Fatalf("round trip %+v", rt)
	}
	if rt.Messages != 2 || rt.DeletionNotices != 1 {
		t.Errorf("round trip: %d messages (want the InMail and the reply), %d deletion notices (want 1)", rt.Messages, rt.DeletionNotices)
	}
	db, err := tracker.Open(filepath.Join(cfg.DataDir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func(q string, args ...any) int {
		var n int
		if err := db.SQL().QueryRow(q, args...).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count(`SELECT COUNT(*) FROM activities WHERE candidate_id = ? AND kind = 'inmail'`, rt.InMailCandidate); n != 2 {
		t.Errorf("%d InMail activities on %s, want 2", n, rt.InMailCandidate)
	}
	if n := count(`SELECT COUNT(*) FROM activities WHERE candidate_id = ? AND kind = 'linkedin_notice' AND subject LIKE '%deleted%'`, rt.InMailCandidate); n != 1 {
		t.Errorf("%d member-deletion notices on %s, want 1", n, rt.InMailCandidate)
	}
	if n := count(`SELECT COUNT(*) FROM candidates WHERE id = ? AND source = 'LinkedIn 1-Click Export' AND linkedin_person_urn IS NOT NULL`, rt.ExportCandidate); n != 1 {
		t.Errorf("exported candidate %s missing or unlinked", rt.ExportCandidate)
	}
	if n := count(`SELECT COUNT(*) FROM placements WHERE candidate_id = ? AND job_id = ? AND current_stage = 'Shortlisted'`, rt.ExportCandidate, rt.ExportJob); n != 1 {
		t.Errorf("%d placements of %s on %s, want 1", n, rt.ExportCandidate, rt.ExportJob)
	}
	for _, want := range []string{"What landed in Tracker:", "candidates  " + rt.ExportCandidate, "placements  " + rt.ExportCandidate + " on " + rt.ExportJob,
		"inmail          on " + rt.InMailCandidate} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q", want)
		}
	}
}

// The output walks the 15 set-up steps of LinkedIn's help page for Tracker
// customers in order.
func TestOutputHasSeedStepsInOrder(t *testing.T) {
	_, _, out := sharedRun(t)
	stepLine := regexp.MustCompile(`(?m)^\s*(\d+)\. (.*)$`)
	var nums []int
	for _, m := range stepLine.FindAllStringSubmatch(out, -1) {
		var n int
		fmt.Sscan(m[1], &n)
		nums = append(nums, n)
	}
	want := []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15}
	if !slices.Equal(nums, want) {
		t.Fatalf("step lines %v, want %v\n%s", nums, want, out)
	}
	// Key words of each seed step, in order.
	last := 0
	for _, kw := range []string{"My Settings", "Toggle on the Plug in for LinkedIn", "Data Privacy warning", "Sign in to LinkedIn",
		"Choose a Contract", "Onboarding widget", "Recruiter System Connect", "Save", "click OK",
		"Sign in to LinkedIn Recruiter", "Product settings", "Select the Contract", "Manage integrations", "Show details",
		"1-Click Export, InMail Stub Profile"} {
		i := strings.Index(out[last:], kw)
		if i < 0 {
			t.Fatalf("%q missing or out of order after offset %d", kw, last)
		}
		last += i + len(kw)
	}
	// Milestone 1 comes with the LinkedIn admin's access toggles, after step 14.
	if strings.Index(out, "14. Show details") > strings.Index(out, "★ Milestone 1") {
		t.Error("Milestone 1 announced before the admin enabled access")
	}
}

// The run page shows every feature enabled, the live progress and the
// reconciliation; onboarding and milestones are on the console.
func TestRunPage(t *testing.T) {
	cfg, _, srv := sharedServer(t)
	page := mustGet(t, srv, cfg.Monitor, "/run", true)
	for _, f := range milestones.Catalogue() {
		row := regexp.MustCompile(regexp.QuoteMeta("<td>"+template_escape(f.Title)+"</td>") + `<td class="on">enabled</td><td>all `)
		if !row.MatchString(page) {
			t.Errorf("page lacks the enabled feature row %q", f.Title)
		}
	}
	for _, want := range []string{`<meta http-equiv="refresh"`, "Candidate Sync", "stage: <b>done</b>", "equal", `<a href="./">the console</a>`} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if code, _ := get(t, srv, cfg.Monitor, "/run", false); code != http.StatusUnauthorized {
		t.Errorf("GET /run without the token: %d, want 401", code)
	}

	code, body := get(t, srv, cfg.Monitor, "/status.json", true)
	var snap Snapshot
	if err := json.Unmarshal([]byte(body), &snap); err != nil || code != http.StatusOK {
		t.Fatalf("status.json: %d %v", code, err)
	}
	if snap.Stage != "done" || snap.Customer != cfg.CustomerID || len(snap.Milestones) != 5 || snap.Features.Milestone != milestones.ActivitySyncCompleted ||
		len(snap.Features.Features) != len(milestones.Catalogue()) || len(snap.Sync) < 4 || len(snap.Reconciliation) != 4 || snap.DeadLetters == 0 {
		t.Errorf("status.json: %+v", snap)
	}
	for _, p := range snap.Sync[:4] {
		if !p.Completed || (p.Percent == 100) != (p.Done >= p.Total) {
			t.Errorf("phase %+v", p)
		}
	}
}

// template_escape escapes s as html/template does in text.
func template_escape(s string) string {
	r := strings.NewReplacer(`&`, "&amp;", `'`, "&#39;", `<`, "&lt;", `>`, "&gt;", `"`, "&#34;")
	return r.Replace(s)
}

// A run page before anything happened still renders every feature, as
// disabled; the console is not there before the stores are open.
func TestAdminPageEmpty(t *testing.T) {
	m := NewMonitor()
	srv := httptest.NewServer(m.Handler())
	defer srv.Close()
	code, page := get(t, srv, m, "/run", true)
	if code != http.StatusOK || !strings.Contains(page, "not started") ||
		strings.Count(page, `<td class="off">disabled</td>`) != len(milestones.Catalogue()) {
		t.Errorf("empty page: %d\n%s", code, page)
	}
	for _, tc := range []struct {
		path  string
		token bool
		want  int
	}{
		{"/", true, http.StatusServiceUnavailable},
		{"/", false, http.StatusUnauthorized},
		{"/metrics", false, http.StatusNotFound},
		{"/login?token=wrong", false, http.StatusUnauthorized},
	} {
		if code, _ := get(t, srv, m, tc.path, tc.token); code != tc.want {
			t.Errorf("GET %s (token %v): %d, want %d", tc.path, tc.token, code, tc.want)
		}
	}

	// The operator's pages are never framed nor sniffed.
	for _, path := range []string{"/run", "/status.json"} {
		resp, err := srv.Client().Do(authorized(t, srv.URL+path, m))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got := []string{resp.Header.Get("X-Frame-Options"), resp.Header.Get("Content-Security-Policy"), resp.Header.Get("X-Content-Type-Options")}
		if d := cmp.Diff([]string{"DENY", "frame-ancestors 'none'", "nosniff"}, got); d != "" {
			t.Errorf("GET %s headers (-want +got):\n%s", path, d)
		}
	}
}

// The admin page answers only on loopback host names, so that a web page
// cannot read status.json through DNS rebinding.
func TestAdminPageLoopbackHostOnly(t *testing.T) {
	for _, tc := range []struct {
		host string
		want int
	}{
		{"localhost:8080", http.StatusOK},
		{"127.0.0.1:8080", http.StatusOK},
		{"[::1]:8080", http.StatusOK},
		{"127.0.0.2", http.StatusOK},
		{"attacker.example:8080", http.StatusMisdirectedRequest},
		{"localhost.attacker.example", http.StatusMisdirectedRequest},
		{"10.0.0.1:8080", http.StatusMisdirectedRequest},
		{"", http.StatusMisdirectedRequest},
	} {
		t.Run(tc.host, func(t *testing.T) {
			m := NewMonitor()
			req := httptest.NewRequest(http.MethodGet, "/status.json", nil)
			req.Host = tc.host
			req.Header.Set("Authorization", "Bearer "+m.Token())
			rec := httptest.NewRecorder()
			m.Handler().ServeHTTP(rec, req)
			if rec.Code != tc.want {
				t.Errorf("Host %q: status %d, want %d", tc.host, rec.Code, tc.want)
			}
		})
	}
}

// Kill and resume: a run cancelled in the middle of the candidate sync,
// then started again with the same data directory, ends in the same state
// as a run that was never interrupted, without sending everything again.
func TestKillAndResume(t *testing.T) {
	cleanCfg, clean, _ := sharedRun(t)

	dir := t.TempDir()
	cfg, out, first := interruptedRun(t, dir, halfCandidates)
	firstLine(t, out, "Starting fresh in "+dir+"\n")
	if first == nil || first.Sent == 0 || len(first.NewMilestones) > 2 {
		t.Fatalf("interrupted run: %+v", first)
	}

	out.Reset()
	cfg.OnProgress = nil
	second, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("resumed run: %v\n%s", err, out)
	}
	firstLine(t, out, "Resuming the interrupted run in "+dir+" (-fresh starts over)\n")
	if first.Start != StartFresh || second.Start != StartResumed {
		t.Errorf("runs started %q and %q, want fresh and resumed", first.Start, second.Start)
	}
	if second.Replayed == 0 || !strings.Contains(out.String(), "resuming the historical sync") {
		t.Errorf("the fake was not restored (%d entries replayed) or the sync not resumed:\n%s", second.Replayed, out)
	}
	// Milestones: none announced twice, all five reached.
	var got []milestones.Milestone
	for _, e := range append(first.NewMilestones, second.NewMilestones...) {
		got = append(got, e.Milestone)
	}
	if want := []milestones.Milestone{1, 2, 3, 4, 5}; !slices.Equal(got, want) {
		t.Errorf("milestones announced across the two runs %v, want %v", got, want)
	}
	// Not everything was sent again: at most the batches in flight at the
	// interruption were resent.
	if second.Sent >= clean.Sent || first.Sent+second.Sent > clean.Sent+2*100 {
		t.Errorf("sent %d before and %d after the interruption; an uninterrupted run sent %d", first.Sent, second.Sent, clean.Sent)
	}

	// Same end state as the uninterrupted run.
	if !slices.Equal(second.Reconciliation, clean.Reconciliation) {
		t.Errorf("reconciliation %+v, uninterrupted %+v", second.Reconciliation, clean.Reconciliation)
	}
	if a, b := deadKeys(second.DeadLetters), deadKeys(clean.DeadLetters); !slices.Equal(a, b) {
		t.Errorf("dead letters %v, uninterrupted %v", a, b)
	}
	if a, b := linkedInState(t, dir), linkedInState(t, cleanCfg.DataDir); a != b {
		t.Errorf("LinkedIn holds something else than after an uninterrupted run:\n%s", firstDiff(a, b))
	}
	if a, b := trackerState(t, dir), trackerState(t, cleanCfg.DataDir); a != b {
		t.Errorf("Tracker holds something else than after an uninterrupted run:\n%s", firstDiff(a, b))
	}

	// A third run over the finished run's data has nothing left to do; a
	// fourth after a finished one starts fresh.
	again := func(keep bool) *Result {
		t.Helper()
		out.Reset()
		cfg.KeepFinished = keep
		res, err := Run(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	third := again(true)
	firstLine(t, out, "Running again on the finished run's data in "+dir+" (-fresh starts over)\n")
	if third.Start != StartAgain || third.Sent != 0 || len(third.NewMilestones) != 0 || third.RoundTrip.SkipReason == "" {
		t.Errorf("third run started %q, sent %d, announced %v, round trip %+v", third.Start, third.Sent, third.NewMilestones, third.RoundTrip)
	}
	fourth := again(false)
	firstLine(t, out, "Starting fresh in "+dir+": the last run there finished (-keep runs again on its data)\n")
	if fourth.Start != StartFresh || fourth.Generated == nil || fourth.Replayed != 0 || len(fourth.NewMilestones) != 5 {
		t.Errorf("fourth run started %q, generated %v, replayed %d, announced %d milestones; want a fresh run",
			fourth.Start, fourth.Generated != nil, fourth.Replayed, len(fourth.NewMilestones))
	}
}

// firstLine fails unless out starts with want (a whole line).
func firstLine(t *testing.T, out *bytes.Buffer, want string) {
	t.Helper()
	if !strings.HasPrefix(out.String(), want) {
		got, _, _ := strings.Cut(out.String(), "\n")
		t.Errorf("first line %q, want %q", got, strings.TrimSuffix(want, "\n"))
	}
}

func deadKeys(ds []rscsync.DeadLetter) []string {
	var out []string
	for _, d := range ds {
		out = append(out, d.Key())
	}
	slices.Sort(out)
	return out
}

// linkedInState rebuilds what the fake held at the end of the run in dir
// from its journal, and renders the records the sync wrote, without the
// times LinkedIn or the round trip stamped.
func linkedInState(t *testing.T, dir string) string {
	t.Helper()
	srv := rsctest.NewServer(rsctest.WithoutListener(), rsctest.WithSeed(1), rsctest.WithJobTaskLatency(0),
		rsctest.WithLimits(rsctest.Limits{Disabled: true}))
	defer srv.Close()
	j, _, err := openJournal(filepath.Join(dir, journalFile), srv)
	if err != nil {
		t.Fatal(err)
	}
	j.close()
	custs := srv.Customers()
	if len(custs) != 1 {
		t.Fatalf("%d customers on the fake", len(custs))
	}
	st := custs[0].Snapshot()
	var lines []string
	put := func(kind string, key any, fields map[string]any) {
		for k := range fields {
			if strings.HasSuffix(strings.ToLower(k), "at") {
				delete(fields, k)
			}
		}
		kb, _ := json.Marshal(key)
		fb, _ := json.Marshal(fields)
		lines = append(lines, fmt.Sprintf("%s %s %s", kind, kb, fb))
	}
	for _, j := range st.Jobs {
		put("job "+j.State, j.ExternalJobPostingID, j.Fields)
	}
	for _, c := range st.Candidates {
		put("candidate", c.ID, c.Fields)
	}
	for kind, recs := range map[string][]rsctest.Record{"application": st.Applications, "candidateNote": st.CandidateNotes,
		"applicationNote": st.ApplicationNotes, "feedback": st.InterviewFeedback, "stage": st.Stages} {
		for _, r := range recs {
			put(kind, r.Key, r.Fields)
		}
	}
	slices.Sort(lines)
	lines = append(lines, fmt.Sprintf("exports %d, InMail events %d, stubs %d, closed profiles %d, integrations %v",
		len(st.Exports), len(st.ConversationEvents), len(st.MailStubs), len(st.ClosedProfiles), st.Integrations))
	return strings.Join(lines, "\n")
}

// trackerState renders Tracker's tables, without the times the round trip
// stamped and LinkedIn's ids.
func trackerState(t *testing.T, dir string) string {
	t.Helper()
	db, err := tracker.Open(filepath.Join(dir, dbFile))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var b strings.Builder
	for _, q := range []string{
		`SELECT id, first_name, last_name, email, source, COALESCE(linkedin_person_urn, '') FROM candidates ORDER BY id`,
		`SELECT id, candidate_id, job_id, current_stage FROM placements ORDER BY id`,
		`SELECT id, placement_id, stage FROM placement_stages ORDER BY id`,
		`SELECT id, kind, COALESCE(candidate_id, ''), COALESCE(placement_id, ''), subject, body FROM activities ORDER BY id`,
		`SELECT id, status FROM jobs ORDER BY id`,
	} {
		rows, err := db.SQL().Query(q)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		for rows.Next() {
			vals := make([]sql.NullString, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for _, v := range vals {
				b.WriteString(v.String + "|")
			}
			b.WriteByte('\n')
		}
		rows.Close()
	}
	return b.String()
}

func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := range min(len(al), len(bl)) {
		if al[i] != bl[i] {
			return fmt.Sprintf("line %d:\n  got  %s\n  want %s", i+1, al[i], bl[i])
		}
	}
	return fmt.Sprintf("%d lines, want %d", len(al), len(bl))
}

func TestConsoleTerminalAndPlain(t *testing.T) {
	ev := func(done int64, completed bool) rscsync.Progress {
		return rscsync.Progress{Phase: rscsync.PhaseCandidates, Done: done, Total: 400, RecordsPerMinute: 1200,
			ETA: time.Duration(400-done) * 50 * time.Millisecond, Completed: completed}
	}
	var term bytes.Buffer
	c := newConsole(&term, true, nil)
	refresh := make(chan any)
	c.barOpts = []mpb.ContainerOption{mpb.WithManualRefresh(refresh)}
	c.progress(ev(100, false))
	refresh <- struct{}{}
	c.printf("a line from the flow")
	refresh <- struct{}{}
	c.progress(ev(200, false))
	refresh <- struct{}{}
	c.progress(ev(400, true))
	got := term.String()
	// Frames are drawn when mpb refreshes, with the values of that moment.
	bar := regexp.MustCompile(`  \[#*-*\] Candidate Sync  [0-9]+/400 +([0-9]+%  1,200 rec/min  ETA [0-9]+s|done  1,200 rec/min)\n`)
	if !bar.MatchString(got) {
		t.Errorf("terminal output has no bar:\n%q", got)
	}
	if !strings.HasSuffix(got, "\n  Candidate Sync  400/400 done  1,200 rec/min\n") {
		t.Errorf("terminal output does not end with the phase's line:\n%q", got)
	}
	if i, j := strings.Index(got, "a line from the flow\n"), bar.FindAllStringIndex(got, -1); i < 0 || len(j) == 0 || j[len(j)-1][0] < i {
		t.Errorf("the bar is not drawn below a printed line: %q", got)
	}

	var plain bytes.Buffer
	c = newConsole(&plain, false, nil)
	for _, d := range []int64{50, 100, 150, 200, 300, 399, 400} {
		c.progress(ev(d, false))
	}
	c.progress(ev(400, true))
	c.progress(ev(400, true))
	want := `  Candidate Sync  50/400  12%  1,200 rec/min  ETA 18s
  Candidate Sync  100/400  25%  1,200 rec/min  ETA 15s
  Candidate Sync  200/400  50%  1,200 rec/min  ETA 10s
  Candidate Sync  300/400  75%  1,200 rec/min  ETA 5s
  Candidate Sync  400/400 done  1,200 rec/min
`
	if d := cmp.Diff(want, plain.String()); d != "" {
		t.Errorf("plain output: a line per quarter, then one once done (-want +got):\n%s", d)
	}
}

// A phase shows 100% only once it is done, and a completed phase shows its
// real counts, done of total as sync counts them, in the console and on
// the admin page: never 100% beside a done count that is not the total.
func TestProgressShowsRealCounts(t *testing.T) {
	for _, tc := range []struct {
		name      string
		p         rscsync.Progress
		wantText  string
		wantAdmin PhaseStatus
		wantCell  string // the admin page's progress cell
	}{
		{"all read, not done", rscsync.Progress{Phase: rscsync.PhaseJobs, Done: 190, Total: 190},
			"Job Sync        190/190  99%", PhaseStatus{Phase: "Job Sync", Done: 190, Total: 190, Percent: 99},
			`<progress max="100" value="99"></progress> 99%`},
		{"one short, not done", rscsync.Progress{Phase: rscsync.PhaseCandidates, Done: 3804, Total: 3805, ETA: 2 * time.Second},
			"Candidate Sync  3,804/3,805  99%  ETA 2s", PhaseStatus{Phase: "Candidate Sync", Done: 3804, Total: 3805, Percent: 99, ETASeconds: 2},
			`<progress max="100" value="99"></progress> 99% · ETA 2 s`},
		{"done, one fewer than counted", rscsync.Progress{Phase: rscsync.PhaseJobs, Done: 190, Total: 191, Completed: true, RecordsPerMinute: 1200, DeadLettered: 1},
			"Job Sync        190/191 done  1,200 rec/min  (1 dead letters)",
			PhaseStatus{Phase: "Job Sync", Done: 190, Total: 191, Percent: 99, RecordsPerMinute: 1200, DeadLettered: 1, Completed: true},
			`<progress max="100" value="99"></progress> 190/191 done`},
		{"done, all counted", rscsync.Progress{Phase: rscsync.PhaseCandidates, Done: 3805, Total: 3805, Completed: true},
			"Candidate Sync  3,805/3,805 done", PhaseStatus{Phase: "Candidate Sync", Done: 3805, Total: 3805, Percent: 100, Completed: true},
			`<progress max="100" value="100"></progress> 3805/3805 done`},
		{"done, more than counted", rscsync.Progress{Phase: rscsync.PhaseCandidates, Done: 3806, Total: 3805, Completed: true},
			"Candidate Sync  3,806/3,805 done", PhaseStatus{Phase: "Candidate Sync", Done: 3806, Total: 3805, Percent: 100, Completed: true},
			`<progress max="100" value="100"></progress> 3806/3805 done`},
		{"done, nothing to do", rscsync.Progress{Phase: rscsync.PhaseActivities, Completed: true},
			"Activity Sync   0/0 done", PhaseStatus{Phase: "Activity Sync", Percent: 100, Completed: true},
			`<progress max="100" value="100"></progress> 0/0 done`},
		{"nothing counted yet", rscsync.Progress{Phase: rscsync.PhaseJobs},
			"Job Sync        0/0   0%", PhaseStatus{Phase: "Job Sync"},
			`<progress max="100" value="0"></progress> 0%`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := progressText(tc.p); got != tc.wantText {
				t.Errorf("progressText = %q, want %q", got, tc.wantText)
			}
			m := NewMonitor()
			m.progress(tc.p)
			snap := m.Snapshot()
			if d := cmp.Diff([]PhaseStatus{tc.wantAdmin}, snap.Sync); d != "" {
				t.Errorf("admin page phases (-want +got):\n%s", d)
			}
			var page bytes.Buffer
			if err := adminPage.Execute(&page, pageData(snap)); err != nil {
				t.Fatal(err)
			}
			row := "<tr><td>" + tc.wantAdmin.Phase + "</td><td>" + tc.wantCell + "</td>"
			if !strings.Contains(page.String(), row) {
				t.Errorf("admin page lacks the row %q:\n%s", row, page.String())
			}
		})
	}
}

// A phase's status names the dead-letter count as sync does
// (Progress.DeadLettered, JSON deadLettered).
func TestPhaseStatusJSON(t *testing.T) {
	m := NewMonitor()
	m.progress(rscsync.Progress{Phase: rscsync.PhaseJobs, Done: 190, Total: 191, Completed: true, RecordsPerMinute: 1200, DeadLettered: 1})
	got, err := json.Marshal(m.Snapshot().Sync)
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"phase":"Job Sync","done":190,"total":191,"percent":99,"recordsPerMinute":1200,"deadLettered":1,"completed":true}]`
	if d := cmp.Diff(want, string(got)); d != "" {
		t.Errorf("status.json's phase (-want +got):\n%s", d)
	}
}

// An operator's resync request (rscctl resync), queued in the dead-letter
// store, is no refusal (sync.DeadLetter.Requested): the next run lists the
// same dead letters as the run before, and its reconciliation is as
// balanced.
func TestResyncRequestIsNoDeadLetter(t *testing.T) {
	dir := t.TempDir()
	cfg, out := testConfig(t, dir, 200)
	first, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	dl, err := rscsync.NewFileDeadLetters(filepath.Join(dir, "sync-dead-letters"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rscsync.RequestResync(context.Background(), dl, "demo-customer", time.Now(), "job//J00000013"); err != nil {
		t.Fatal(err)
	}
	cfg.KeepFinished = true
	again, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	keys := func(r *Result) (ks []string) {
		for _, d := range r.DeadLetters {
			ks = append(ks, d.Key())
		}
		return ks
	}
	if d := cmp.Diff(keys(first), keys(again)); d != "" {
		t.Errorf("dead letters after a resync request (-first run +next run):\n%s", d)
	}
	balanced := func(r *Result) (b []bool) {
		for _, x := range r.Reconciliation {
			b = append(b, x.Balanced())
		}
		return b
	}
	if d := cmp.Diff(balanced(first), balanced(again)); d != "" {
		t.Errorf("reconciliation balanced, per entity (-first run +next run):\n%s", d)
	}
}
