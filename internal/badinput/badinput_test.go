package badinput

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

const customerID = "acme"

// built is a corpus row turned into a record of the Source.
type built struct {
	row    row
	kind   rscsync.EntityKind
	id     string
	parent string
	body   any // the record as the client sends it (for the exact comparison)
}

func (b *built) key() string { return string(b.kind) + "/" + b.parent + "/" + b.id }

// fixture is the corpus loaded into a SliceSource, with the good records
// every row needs around it.
type fixture struct {
	src  *rscsync.SliceSource
	rows []*built
	good map[string]any // key -> wire JSON of every record that must reach LinkedIn
}

func wire(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("unmarshalable: %v", err)
	}
	var m any
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Sprintf("bad JSON: %v", err)
	}
	return m
}

// candidateWire is what Upsert sends: nil lists become [].
func candidateWire(c rsc.Candidate) any {
	if c.PhoneNumbers == nil {
		c.PhoneNumbers = []rsc.PhoneNumber{}
	}
	if c.Addresses == nil {
		c.Addresses = []rsc.Address{}
	}
	return wire(c)
}

func jobWire(j rsc.JobPosting) any {
	j.OperationType = rsc.JobCreate
	return wire(j)
}

func newFixture(t testing.TB, keep func(*row) bool) *fixture {
	t.Helper()
	f := &fixture{src: rscsync.NewSliceSource(), good: map[string]any{}}
	at := now.Add(-time.Hour)
	tick := func() time.Time { at = at.Add(time.Second); return at }
	candKey := rsc.CandidateKey{IntegrationContext: org, CandidateID: baseCand}
	appKey := rsc.ApplicationKey{IntegrationContext: org, ApplicationID: baseApp}

	// Good records the rows hang on, and 110 more candidates so that the
	// candidate phase needs several batches with bad records in each.
	bj := baseJobPosting(baseJob)
	f.src.PutJobs(rscsync.Job{Posting: bj, ModifiedAt: tick()})
	f.good["job//"+baseJob] = jobWire(bj)
	for i := range 111 {
		id := baseCand
		if i > 0 {
			id = fmt.Sprintf("C-bulk-%03d", i)
		}
		c := baseCandidate(id)
		c.EmailAddresses = []string{fmt.Sprintf("bulk%03d@example.com", i)}
		f.src.PutCandidates(rscsync.Candidate{Record: c, ModifiedAt: tick()})
		f.good["candidate//"+id] = candidateWire(c)
	}
	ba := baseApplication(baseApp)
	f.src.PutApplications(rscsync.Application{Record: ba, ModifiedAt: tick()})
	f.good["application//"+baseApp] = wire(ba)
	stages := []rsc.Stage{baseStage("S-good")}
	f.good["stage/"+stagesApp+"/S-good"] = wire(stages[0])
	f.src.PutActivities(
		rscsync.Activity{Kind: rscsync.KindCandidateNote, Candidate: candKey, Note: baseNote("N-good"), ModifiedAt: tick()},
		rscsync.Activity{Kind: rscsync.KindApplicationNote, Application: appKey, Note: baseNote("AN-good"), ModifiedAt: tick()},
		rscsync.Activity{Kind: rscsync.KindInterviewFeedback, Application: appKey, Feedback: baseFeedback("F-good"), ModifiedAt: tick()})
	f.good["candidateNote/"+baseCand+"/N-good"] = wire(baseNote("N-good"))
	f.good["applicationNote/"+baseApp+"/AN-good"] = wire(baseNote("AN-good"))
	f.good["interviewFeedback/"+baseApp+"/F-good"] = wire(baseFeedback("F-good"))

	for i, r := range corpus() {
		if !keep(&r) {
			continue
		}
		b := &built{row: r, kind: r.kind()}
		def := fmt.Sprintf("r%03d", i)
		switch {
		case r.job != nil:
			j := baseJobPosting("J-" + def)
			r.job(&j)
			b.id, b.body = j.ExternalJobPostingID, jobWire(j)
			f.src.PutJobs(rscsync.Job{Posting: j, ModifiedAt: tick()})
		case r.cand != nil:
			c := baseCandidate("C-" + def)
			r.cand(&c)
			b.id, b.body = c.Key.CandidateID, candidateWire(c)
			f.src.PutCandidates(rscsync.Candidate{Record: c, ModifiedAt: tick()})
		case r.app != nil:
			a := baseApplication("A-" + def)
			r.app(&a)
			b.id, b.body = a.Key.ApplicationID, wire(a)
			f.src.PutApplications(rscsync.Application{Record: a, ModifiedAt: tick()})
		case r.stage != nil:
			s := baseStage("S-" + def)
			r.stage(&s)
			b.id, b.parent, b.body = s.ID, stagesApp, wire(s)
			stages = append(stages, s)
		case r.cnote != nil:
			n := baseNote("N-" + def)
			r.cnote(&n)
			b.id, b.parent, b.body = n.ID, baseCand, wire(n)
			f.src.PutActivities(rscsync.Activity{Kind: rscsync.KindCandidateNote, Candidate: candKey, Note: n, ModifiedAt: tick()})
		case r.anote != nil:
			n := baseNote("AN-" + def)
			r.anote(&n)
			b.id, b.parent, b.body = n.ID, baseApp, wire(n)
			f.src.PutActivities(rscsync.Activity{Kind: rscsync.KindApplicationNote, Application: appKey, Note: n, ModifiedAt: tick()})
		case r.fb != nil:
			fb := baseFeedback("F-" + def)
			r.fb(&fb)
			b.id, b.parent, b.body = fb.ID, baseApp, wire(fb)
			f.src.PutActivities(rscsync.Activity{Kind: rscsync.KindInterviewFeedback, Application: appKey, Feedback: fb, ModifiedAt: tick()})
		}
		if r.good {
			f.good[b.key()] = b.body
		}
		f.rows = append(f.rows, b)
	}
	sa := baseApplication(stagesApp)
	f.src.PutApplications(rscsync.Application{Record: sa, Stages: stages, ModifiedAt: tick()})
	f.good["application//"+stagesApp] = wire(sa)
	return f
}

// world is a fake LinkedIn on a fixed fake clock and a customer client.
type world struct {
	clk    *rsctest.FakeClock
	srv    *rsctest.Server
	cust   *rsctest.Customer
	client *rsc.Client
}

func newWorld(t testing.TB) *world {
	t.Helper()
	clk := rsctest.NewFakeClock(now)
	srv := rsctest.NewServer(rsctest.WithoutListener(), rsctest.WithClock(clk), rsctest.WithJobTaskLatency(0))
	t.Cleanup(srv.Close)
	cust := srv.AddCustomer(rsctest.CustomerSpec{Organization: org})
	client, err := rsc.NewClient(rsc.WithBaseURL(srv.URL()), rsc.WithTokenURL(srv.TokenURL()), rsc.WithTransport(srv.Transport()),
		rsc.WithCredentials(cust.ClientID, cust.ClientSecret), rsc.WithClock(clk),
		rsc.WithRetryPolicy(rsc.RetryPolicy{MaxAttempts: 2, MinWait: time.Millisecond, MaxWait: time.Millisecond}))
	if err != nil {
		t.Fatal(err)
	}
	return &world{clk: clk, srv: srv, cust: cust, client: client}
}

// holdings is everything the fake holds, keyed like built.key, as JSON values.
func holdings(cu *rsctest.Customer) map[string]any {
	out := map[string]any{}
	for _, j := range cu.Jobs() {
		out["job//"+j.ExternalJobPostingID] = wire(j.Fields)
	}
	for _, c := range cu.Candidates() {
		out["candidate//"+c.ID] = wire(c.Fields)
	}
	for _, r := range cu.Applications() {
		out["application//"+r.Key["atsJobApplicationId"]] = wire(r.Fields)
	}
	for _, r := range cu.Stages() {
		out["stage/"+r.Key["atsJobApplicationId"]+"/"+r.Key["stageId"]] = wire(r.Fields)
	}
	for _, r := range cu.CandidateNotes() {
		out["candidateNote/"+r.Key["atsCandidateId"]+"/"+r.Key["noteId"]] = wire(r.Fields)
	}
	for _, r := range cu.ApplicationNotes() {
		out["applicationNote/"+r.Key["atsJobApplicationId"]+"/"+r.Key["noteId"]] = wire(r.Fields)
	}
	for _, r := range cu.InterviewFeedback() {
		out["interviewFeedback/"+r.Key["atsJobApplicationId"]+"/"+r.Key["feedbackId"]] = wire(r.Fields)
	}
	return out
}

// clear reports whether a refusal names the row's field and rule.
func clear(b *built, field, reason string) bool {
	norm := func(s string) string { return regexp.MustCompile(`\[(\d+)\]`).ReplaceAllString(s, "/$1") }
	f := norm(b.row.field)
	return (strings.Contains(norm(field), f) || strings.Contains(norm(reason), f)) &&
		strings.Contains(strings.ToLower(reason), strings.ToLower(b.row.why))
}

func short(s string) string {
	if len(s) > 200 {
		return s[:200] + "..."
	}
	return s
}

// gapLog collects known gaps so that each is logged once, with its rows.
type gapLog map[string][]string

func (g gapLog) add(gap, name string) { g[gap] = append(g[gap], name) }

func (g gapLog) log(t *testing.T, what string) {
	gaps := make([]string, 0, len(g))
	for k := range g {
		gaps = append(gaps, k)
	}
	sort.Strings(gaps)
	for _, k := range gaps {
		t.Logf("KNOWN GAP (%s): %s\n\trows: %s", what, k, strings.Join(g[k], "; "))
	}
}

// TestCorpusRulesCiteSpec ties every row to a docs/linkedin-api.md section and shows
// coverage per section.
func TestCorpusRulesCiteSpec(t *testing.T) {
	section := regexp.MustCompile(`^(3\.[12]|5|7\.[1-6]) \S`)
	names := map[string]bool{}
	cover := map[string]int{}
	for _, r := range corpus() {
		if !section.MatchString(r.rule) {
			t.Errorf("row %q: rule %q does not start with a docs/linkedin-api.md section (3.1, 3.2, 5, 7.1-7.6)", r.name, r.rule)
		}
		if names[r.name] {
			t.Errorf("row name %q is not unique", r.name)
		}
		names[r.name] = true
		if !r.good && (r.field == "" || r.why == "") {
			t.Errorf("bad row %q must say which field and rule its error names", r.name)
		}
		if r.good && (r.dryGap != "" || r.abortsRun) {
			t.Errorf("good row %q cannot have a dry-run gap or abort the run", r.name)
		}
		if r.abortsRun && r.knownGap == "" {
			t.Errorf("row %q aborts the run: that is a known gap, say which", r.name)
		}
		cover[strings.Fields(r.rule)[0]]++
	}
	for rule, why := range unrepresentable {
		if !section.MatchString(rule) || why == "" {
			t.Errorf("unrepresentable rule %q: bad entry", rule)
		}
	}
	// Every section of docs/linkedin-api.md §7 with validation rules has rows.
	for _, s := range []string{"3.1", "3.2", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6"} {
		if cover[s] == 0 {
			t.Errorf("no corpus row for docs/linkedin-api.md §%s", s)
		}
	}
	t.Logf("corpus rows per docs/linkedin-api.md section: %v", cover)
}

// mixed keeps the rows that can share one Source and do not abort a run.
func mixed(r *row) bool { return !r.abortsRun && !r.alone }

// TestCorpusSync runs the sync engine over the corpus mixed with good
// records: every bad record is dead-lettered with its key, field and rule,
// every good one reaches LinkedIn exactly, and the run completes.
func TestCorpusSync(t *testing.T) {
	gaps := gapLog{}
	runAndCheck(t, newFixture(t, mixed), gaps)
	gaps.log(t, "real run")
}

// TestCorpusDryRun runs the dry run on the same corpus: it sends nothing,
// and reports every record the real run refuses before sending, with the
// same reason.
func TestCorpusDryRun(t *testing.T) {
	gaps := gapLog{}
	dryAndCheck(t, newFixture(t, mixed), gaps)
	gaps.log(t, "dry run")
}

// TestIsolatedRows runs, one at a time, the rows that cannot join the mixed
// corpus: keys that would collide in a SliceSource, and known gaps that
// abort the whole run.
func TestIsolatedRows(t *testing.T) {
	gaps := gapLog{}
	for _, r := range corpus() {
		if mixed(&r) {
			continue
		}
		t.Run(r.name, func(t *testing.T) {
			only := func(x *row) bool { return x.name == r.name }
			runAndCheck(t, newFixture(t, only), gaps)
			dryAndCheck(t, newFixture(t, only), gaps)
		})
	}
	gaps.log(t, "isolated rows")
}

// runAndCheck syncs f and checks every row's outcome and LinkedIn's state.
func runAndCheck(t *testing.T, f *fixture, gaps gapLog) {
	t.Helper()
	w := newWorld(t)
	dl := rscsync.NewMemoryDeadLetters()
	eng, err := rscsync.NewEngine(w.client, customerID, f.src, rscsync.WithClock(w.clk), rscsync.WithDeadLetters(dl),
		rscsync.WithTaskPollInterval(time.Second), rscsync.WithWaitWhenParked(false))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	rep, err := eng.Run(ctx)
	aborting := ""
	for _, b := range f.rows {
		if b.row.abortsRun {
			aborting = b.row.name
			if err != nil {
				t.Logf("row %q aborts the run: %v", b.row.name, err)
				gaps.add(b.row.knownGap, b.row.name)
				return
			}
		}
	}
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if aborting != "" {
		t.Errorf("row %q no longer aborts the run: remove abortsRun", aborting)
	}
	if !rep.CaughtUp {
		t.Fatalf("run did not catch up: %+v", rep)
	}

	dead := map[string]rscsync.DeadLetter{}
	for d, err := range dl.List(ctx, customerID) {
		if err != nil {
			t.Fatal(err)
		}
		dead[d.Key()] = d
	}
	want := map[string]any{}
	for k, v := range f.good {
		want[k] = v
	}
	matched := map[string]bool{}
	for _, b := range f.rows {
		d, isDead := dead[b.key()]
		refusedClearly := isDead && d.ID == b.id && d.Parent == b.parent && d.Kind == b.kind && clear(b, d.Field, d.Reason)
		if isDead {
			matched[b.key()] = true
		}
		switch {
		case b.row.good && b.row.knownGap != "":
			if !isDead {
				t.Errorf("good row %q: knownGap is stale, the record is no longer refused: remove the annotation", b.row.name)
				continue
			}
			delete(want, b.key())
			gaps.add(b.row.knownGap, b.row.name)
			t.Logf("gap %-30s %-45s -> %s", b.row.name, b.key(), short(d.Reason))
		case b.row.good:
			if isDead {
				t.Errorf("good row %q (%s) was refused: %q", b.row.name, b.key(), short(d.Reason))
			}
		case b.row.knownGap != "":
			if refusedClearly {
				t.Errorf("row %q: knownGap is stale, the record is now refused clearly (%s): remove the annotation", b.row.name, short(d.Reason))
				continue
			}
			gaps.add(b.row.knownGap, b.row.name)
			if !isDead {
				want[b.key()] = b.body // nothing refuses it: it reaches LinkedIn
			}
		case !isDead:
			t.Errorf("bad row %q (%s): no dead letter; want one naming %s / %q", b.row.name, b.key(), b.row.field, b.row.why)
		case !refusedClearly:
			t.Errorf("bad row %q (%s): unclear dead letter %s/%s/%s field=%q reason=%q; want field %s and rule %q",
				b.row.name, b.key(), d.Kind, d.Parent, d.ID, d.Field, short(d.Reason), b.row.field, b.row.why)
		default:
			t.Logf("ok  %-30s %-45s -> %s", b.row.name, b.key(), short(d.Reason))
		}
	}
	for k, d := range dead {
		if !matched[k] {
			t.Errorf("unexpected dead letter %s: %q", k, short(d.Reason))
		}
	}
	got := holdings(w.cust)
	for k := range want {
		if _, ok := got[k]; !ok {
			t.Errorf("missing on LinkedIn: %s", k)
		}
	}
	for k, g := range got {
		v, ok := want[k]
		switch {
		case !ok:
			t.Errorf("extra on LinkedIn: %s", k)
		case !cmp.Equal(v, g):
			t.Errorf("differs on LinkedIn: %s (-sent +held):\n%s", k, short(cmp.Diff(v, g)))
		}
	}
	var failed int64
	for _, p := range rep.Phases {
		failed += p.Refused
	}
	if failed != int64(len(dead)) {
		t.Errorf("report counts %d failed records, dead letters %d", failed, len(dead))
	}
}

// dryAndCheck dry-runs f: nothing is sent, and exactly the records the
// client refuses before sending are reported, with a clear reason.
func dryAndCheck(t *testing.T, f *fixture, gaps gapLog) {
	t.Helper()
	w := newWorld(t)
	eng, err := rscsync.NewEngine(w.client, customerID, f.src, rscsync.WithClock(w.clk), rscsync.WithDryRun(true))
	if err != nil {
		t.Fatal(err)
	}
	rep, err := eng.Run(t.Context())
	if err != nil {
		t.Fatalf("dry run: %v", err)
	}
	if n := len(w.srv.Requests()); n != 0 {
		t.Errorf("dry run sent %d requests, want none", n)
	}
	if got := holdings(w.cust); len(got) != 0 {
		t.Errorf("dry run changed LinkedIn: %d records", len(got))
	}
	if len(rep.Rejections) >= 100 {
		t.Fatalf("the report lists %d rejections: the list is capped at 100, keep the corpus smaller", len(rep.Rejections))
	}
	rej := map[string]rscsync.Rejection{}
	for _, r := range rep.Rejections {
		rej[string(r.Kind)+"/"+r.Parent+"/"+r.ID] = r
	}
	seen := map[string]bool{}
	for _, b := range f.rows {
		r, listed := rej[b.key()]
		seen[b.key()] = true
		cerr := validate(w.client, b)
		switch {
		case b.row.good:
			if listed {
				t.Errorf("dry run refuses good row %q: %q", b.row.name, short(r.Reason))
			}
		case b.row.dryGap != "":
			if listed && clear(b, "", r.Reason) {
				t.Errorf("row %q: dryGap is stale, the dry run now reports %q: remove the annotation", b.row.name, short(r.Reason))
				continue
			}
			gaps.add(b.row.dryGap, b.row.name)
		case cerr == nil:
			// Refused by LinkedIn only, or a known gap: a dry run cannot know.
			if listed {
				t.Errorf("dry run refuses row %q that the client sends: %q", b.row.name, short(r.Reason))
			}
		case !listed:
			t.Errorf("dry run does not report row %q (%s), which the client refuses: %v", b.row.name, b.key(), cerr)
		case !clear(b, "", r.Reason):
			t.Errorf("dry run reason for row %q is unclear: %q", b.row.name, short(r.Reason))
		}
	}
	for k, r := range rej {
		if !seen[k] {
			t.Errorf("dry run refuses %s, not a corpus row: %q", k, short(r.Reason))
		}
	}
}

// validate applies the client's own rules to a row's record, as the sync
// engine's real run does before sending.
func validate(c *rsc.Client, b *built) error {
	res := func(r *rsc.BatchResult[rsc.NoteKey], err error) error {
		if err != nil {
			return err
		}
		return r.Items[0].Err
	}
	// Stages, notes and feedback have no exported validator; a call with a
	// cancelled context validates and then fails before sending anything.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sent := func(err error) error {
		if err == context.Canceled || strings.Contains(fmt.Sprint(err), "context canceled") {
			return nil
		}
		return err
	}
	appKey := rsc.ApplicationKey{IntegrationContext: org, ApplicationID: baseApp}
	switch b.kind {
	case rscsync.KindJob:
		j := baseJobPosting("J-x")
		j.OperationType = rsc.JobCreate // set by the engine
		b.row.job(&j)
		return c.Jobs.Validate(&j)
	case rscsync.KindCandidate:
		cc := baseCandidate("C-x")
		b.row.cand(&cc)
		return c.Candidates.Validate(&cc)
	case rscsync.KindApplication:
		a := baseApplication("A-x")
		b.row.app(&a)
		return c.Applications.Validate(&a)
	case rscsync.KindStage:
		s := baseStage(b.id)
		b.row.stage(&s)
		s.ID = b.id
		return sent(res(c.Applications.UpsertStages(ctx, appKey, []rsc.Stage{s})))
	case rscsync.KindCandidateNote, rscsync.KindApplicationNote:
		n := baseNote(b.id)
		if b.row.cnote != nil {
			b.row.cnote(&n)
		} else {
			b.row.anote(&n)
		}
		n.ID = b.id
		return sent(res(c.Applications.UpsertNotes(ctx, appKey, []rsc.Note{n})))
	case rscsync.KindInterviewFeedback:
		fb := baseFeedback(b.id)
		b.row.fb(&fb)
		fb.ID = b.id
		return sent(res(c.Applications.UpsertFeedback(ctx, appKey, []rsc.InterviewFeedback{fb})))
	}
	return nil
}

// TestDuplicateKeysInOneBatch: the same key twice in one call. The client
// sends the first and refuses the second, naming key, field and rule
// (docs/linkedin-api.md §5: no duplicate updates of one externalJobPostingId per
// request; Rest.li batch maps cannot hold a key twice).
func TestDuplicateKeysInOneBatch(t *testing.T) {
	w := newWorld(t)
	ctx := t.Context()
	check := func(what string, err error, errs func(int) error, wantField string) {
		t.Helper()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if e := errs(0); e != nil {
			t.Errorf("%s: first record refused: %v", what, e)
		}
		e := errs(1)
		var ve *rsc.ValidationError
		if e == nil || !asValidation(e, &ve) || ve.Key == "" || ve.Field != wantField || !strings.Contains(ve.Rule, "more than once") {
			t.Errorf("%s: second record error = %v; want a ValidationError on %s naming the key", what, e, wantField)
		}
	}
	c1, c2 := baseCandidate("DUP"), baseCandidate("DUP")
	c2.FirstName = "Other"
	cr, err := w.client.Candidates.Upsert(ctx, []rsc.Candidate{c1, c2})
	check("candidates", err, func(i int) error { return cr.Items[i].Err }, "atsCandidateId")
	if c, ok := w.cust.Candidate("DUP"); !ok || c.Fields["firstName"] != "Ann" {
		t.Errorf("LinkedIn holds %+v, want the first DUP", c.Fields)
	}

	a1 := baseApplication("ADUP")
	ar, err := w.client.Applications.Upsert(ctx, []rsc.Application{a1, a1})
	check("applications", err, func(i int) error { return ar.Items[i].Err }, "atsJobApplicationId")

	appKey := rsc.ApplicationKey{IntegrationContext: org, ApplicationID: "ADUP"}
	sr, err := w.client.Applications.UpsertStages(ctx, appKey, []rsc.Stage{baseStage("SD"), baseStage("SD")})
	check("stages", err, func(i int) error { return sr.Items[i].Err }, "id")
	nr, err := w.client.Candidates.UpsertNotes(ctx, c1.Key, []rsc.Note{baseNote("ND"), baseNote("ND")})
	check("notes", err, func(i int) error { return nr.Items[i].Err }, "id")

	j := baseJobPosting("JDUP")
	j.OperationType = rsc.JobCreate
	jr, err := w.client.Jobs.Submit(ctx, []rsc.JobPosting{j, j})
	check("jobs", err, func(i int) error { return jr.Items[i].Err }, "externalJobPostingId")
	if n := len(w.cust.Jobs()); n != 1 {
		t.Errorf("LinkedIn holds %d jobs, want 1", n)
	}
	if !slices.ContainsFunc(w.cust.Candidates(), func(c rsctest.CandidateRecord) bool { return c.ID == "DUP" }) {
		t.Error("DUP not stored")
	}
}

func asValidation(err error, ve **rsc.ValidationError) bool {
	v, ok := err.(*rsc.ValidationError)
	*ve = v
	return ok
}

// dupSource yields every candidate of a SliceSource twice in a row, as a
// buggy ATS query (a join duplicating rows) would.
type dupSource struct{ *rscsync.SliceSource }

func (d dupSource) Candidates(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Candidate, error] {
	return func(yield func(rscsync.Candidate, error) bool) {
		for c, err := range d.SliceSource.Candidates(ctx, since) {
			if !yield(c, err) || err != nil || !yield(c, nil) {
				return
			}
		}
	}
}

// TestDuplicateRecordsFromSource: a Source that yields each candidate twice
// (so duplicates share a batch). The run completes, LinkedIn holds each
// candidate once and no dead letter is left; a changed second copy wins.
func TestDuplicateRecordsFromSource(t *testing.T) {
	w := newWorld(t)
	src := rscsync.NewSliceSource()
	for i := range 5 {
		src.PutCandidates(rscsync.Candidate{Record: baseCandidate(fmt.Sprintf("D%d", i)), ModifiedAt: now.Add(-time.Hour)})
	}
	dl := rscsync.NewMemoryDeadLetters()
	eng, err := rscsync.NewEngine(w.client, customerID, dupSource{src}, rscsync.WithClock(w.clk), rscsync.WithDeadLetters(dl))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Run(t.Context()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if n := len(w.cust.Candidates()); n != 5 {
		t.Errorf("LinkedIn holds %d candidates, want 5", n)
	}
	for d := range dl.List(t.Context(), customerID) {
		t.Errorf("dead letter for a duplicated record: %s: %s", d.Key(), d.Reason)
	}
	// A newer copy in the same batch wins: LinkedIn holds the second one.
	src.PutCandidates(rscsync.Candidate{Record: baseCandidate("D0"), ModifiedAt: now.Add(-time.Minute)})
	changed := baseCandidate("D0")
	changed.FirstName = "Newer"
	twice := changingSource{SliceSource: src, id: "D0", then: changed}
	eng, err = rscsync.NewEngine(w.client, customerID, twice, rscsync.WithClock(w.clk), rscsync.WithDeadLetters(dl))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := eng.Run(t.Context()); err != nil {
		t.Fatalf("Run: %v", err)
	}
	if c, _ := w.cust.Candidate("D0"); c.Fields["firstName"] != "Newer" {
		t.Errorf("LinkedIn holds %v for D0, want the newer copy", c.Fields["firstName"])
	}
}

// changingSource yields candidate id a second time, changed, right after
// its first copy (a record updated while the sync reads it).
type changingSource struct {
	*rscsync.SliceSource
	id   string
	then rsc.Candidate
}

func (s changingSource) Candidates(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Candidate, error] {
	return func(yield func(rscsync.Candidate, error) bool) {
		for c, err := range s.SliceSource.Candidates(ctx, since) {
			if !yield(c, err) || err != nil {
				return
			}
			if c.Record.Key.CandidateID == s.id {
				c.Record = s.then
				if !yield(c, nil) {
					return
				}
			}
		}
	}
}
