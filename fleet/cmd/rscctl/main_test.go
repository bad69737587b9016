package main

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/fleet/internal/pgtest"
	"github.com/rscgo/rscgo/fleet/pgstore"
	"github.com/rscgo/rscgo/internal/ctl"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/onboarding"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var t0 = time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)

// seeded is a new database holding customer acme onboarded, its jobs
// synced, its candidates half-way with two dead letters, and customer beta
// only onboarding.
func seeded(t *testing.T) (string, *pgstore.DB) {
	t.Helper()
	ctx, url := t.Context(), pgtest.DB(t)
	db, err := pgstore.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	cp := &rscsync.Checkpoint{Version: 1, CustomerID: "acme", StartedAt: t0.Add(-time.Hour), UpdatedAt: t0, Runs: 1,
		Jobs: map[string]rscsync.JobState{"J1": {State: "posted", Held: true}},
		Phases: map[rscsync.Phase]*rscsync.PhaseCheckpoint{
			rscsync.PhaseJobs:       {Completed: true, CompletedAt: t0.Add(-30 * time.Minute), Done: 3, Total: 3, Acknowledged: 3, Cursor: rscsync.Cursor{ModifiedAt: t0.Add(-2 * time.Hour), ID: "J3"}},
			rscsync.PhaseCandidates: {Done: 40, Total: 100, Acknowledged: 38, DeadLettered: 2, Cursor: rscsync.Cursor{ModifiedAt: t0.Add(-90 * time.Minute), ID: "C40"}},
		}}
	must(t, db.Checkpoints().Save(ctx, "acme", cp))
	for _, d := range []rscsync.DeadLetter{
		{Kind: rscsync.KindCandidate, ID: "C7", Reason: "invalid emailAddresses[0]: must match X@X.X", Field: "emailAddresses[0]", Attempts: 1, FirstFailedAt: t0, LastFailedAt: t0},
		{Kind: rscsync.KindCandidate, ID: "C9", Reason: "rejected with status 422", Status: 422, Attempts: 2, FirstFailedAt: t0, LastFailedAt: t0.Add(time.Minute)},
	} {
		must(t, db.DeadLetters().Put(ctx, "acme", d))
	}
	main := "main"
	must(t, db.OnboardingStates().SaveState(ctx, &onboarding.FlowState{CustomerID: "acme", CustomerName: "Acme", Step: onboarding.StepEnabled,
		Active: &main, Contracts: []onboarding.Contract{{Label: "main", Status: onboarding.Status{State: onboarding.StateBothEnabled}}}}))
	must(t, db.OnboardingStates().SaveState(ctx, &onboarding.FlowState{CustomerID: "beta", Step: onboarding.StepSignIn}))
	must(t, db.MilestoneEvents().Append(ctx, "acme", milestones.Event{Milestone: milestones.JobSyncCompleted, At: t0}))
	return url, db
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// rscctl runs the command over the database at url, with engine (if not
// nil) as every customer's engine.
func rscctl(t *testing.T, url string, engine *rscsync.Engine, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	c := config()
	c.Stdout, c.Stderr, c.Getenv = &out, &errb, func(string) string { return "" }
	c.Open = opener(ctlHolder, &errb)
	c.Clock = fixedClock{t0}
	if engine != nil {
		c.Engine = func(context.Context, string) (*rscsync.Engine, error) { return engine, nil }
	}
	code := ctl.Run(t.Context(), c, append([]string{"-postgres", url}, args...))
	return code, out.String(), errb.String()
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time                                   { return c.t }
func (c fixedClock) Sleep(ctx context.Context, _ time.Duration) error { return ctx.Err() }

// The commands over PostgreSQL, one after the other on the same database:
// each prints exactly what it must and exits with its code, and the
// database holds what it must after each.
func TestCommandsOverPostgres(t *testing.T) {
	url, db := seeded(t)
	usage := (&ctl.Config{StoreFlag: "postgres", StoreArg: "URL"}).Usage()
	steps := []struct {
		name     string
		args     []string
		code     int
		out, err string
		after    func(t *testing.T)
	}{
		{name: "status", args: []string{"status"}, out: `CUSTOMER  STEP     INTEGRATION  MILESTONES  JOBS      CANDIDATES  APPLICATIONS  ACTIVITIES  DELETIONS  DEAD
acme      enabled  enabled      1/5         3/3 done  40/100      0/0           0/0         0/0        2
beta      sign_in  -            0/5         0/0       0/0         0/0           0/0         0/0        0
`},
		{name: "no checkpoint", args: []string{"checkpoint", "beta"}, code: 3, err: "rscctl: no checkpoint of customer \"beta\" in PostgreSQL\n"},
		{name: "dead list", args: []string{"dead", "list", "acme"}, out: `KEY            ATTEMPTS  LAST FAILED           REASON
candidate//C7  1         2026-11-30T09:00:00Z  invalid emailAddresses[0]: must match X@X.X
candidate//C9  2         2026-11-30T09:01:00Z  rejected with status 422
`},
		{name: "resync a phase", args: []string{"resync", "acme", "candidates"},
			out: "customer acme: the next sync sends Candidate Sync again from the start of the history; the other phases are unchanged\n",
			after: func(t *testing.T) {
				cp, err := db.Checkpoints().Load(t.Context(), "acme")
				must(t, err)
				got := []any{*cp.Phases[rscsync.PhaseCandidates], cp.Phases[rscsync.PhaseJobs].Cursor, cp.Jobs}
				want := []any{rscsync.PhaseCheckpoint{Total: 100, DeadLettered: 2}, rscsync.Cursor{ModifiedAt: t0.Add(-2 * time.Hour), ID: "J3"},
					map[string]rscsync.JobState{"J1": {State: "posted", Held: true}}}
				if d := cmp.Diff(want, got); d != "" {
					t.Errorf("checkpoint (-want +got):\n%s", d)
				}
			}},
		{name: "resync a record, queued", args: []string{"-json", "resync", "acme", "candidates", "C11"},
			out: `{"customer":"acme","key":"candidate//C11","outcome":"queued"}` + "\n"},
		{name: "the request is listed", args: []string{"dead", "list", "acme"}, out: `KEY             ATTEMPTS  LAST FAILED           REASON
candidate//C11  0         2026-11-30T09:00:00Z  resync requested by an operator
candidate//C7   1         2026-11-30T09:00:00Z  invalid emailAddresses[0]: must match X@X.X
candidate//C9   2         2026-11-30T09:01:00Z  rejected with status 422
`},
		{name: "dismiss the request", args: []string{"dead", "dismiss", "-yes", "acme", "C11"},
			out: "customer acme: 1 dead letter dismissed (candidate//C11); a record goes again when the ATS changes it, or with a resync of its phase\n"},
		{name: "the request is gone", args: []string{"dead", "list", "acme"}, out: `KEY            ATTEMPTS  LAST FAILED           REASON
candidate//C7  1         2026-11-30T09:00:00Z  invalid emailAddresses[0]: must match X@X.X
candidate//C9  2         2026-11-30T09:01:00Z  rejected with status 422
`},
		{name: "reconcile without console", args: []string{"reconcile", "acme"}, code: 2,
			err: "rscctl: reconcile needs -console URL (or $RSCCTL_CONSOLE): it reads records from the ATS, which only the service that runs the sync can do\n" + usage + "\n"},
		{name: "reset", args: []string{"reset", "-yes", "acme"},
			out: "customer acme reset: checkpoint, 2 dead letters deleted; the next sync starts the historical sync again\n",
			after: func(t *testing.T) {
				var rows int
				must(t, db.Pool().QueryRow(t.Context(), `select (select count(*) from rscgo_checkpoints where customer_id = 'acme')
					+ (select count(*) from rscgo_checkpoint_jobs where customer_id = 'acme')
					+ (select count(*) from rscgo_dead_letters where customer_id = 'acme')`).Scan(&rows))
				if rows != 0 {
					t.Errorf("%d rows of acme left", rows)
				}
			}},
		{name: "after the reset", args: []string{"checkpoint", "acme"}, code: 3, err: "rscctl: no checkpoint of customer \"acme\" in PostgreSQL\n"},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			code, out, errs := rscctl(t, url, nil, st.args...)
			expect(t, code, out, errs, st.code, st.out, st.err)
			if st.after != nil {
				st.after(t)
			}
		})
	}
}

// result is what a command printed and exited with.
type result struct {
	Code     int
	Out, Err string
}

// expect checks a command's result.
func expect(t *testing.T, code int, out, errs string, wantCode int, wantOut, wantErr string) {
	t.Helper()
	if d := cmp.Diff(result{wantCode, wantOut, wantErr}, result{code, out, errs}); d != "" {
		t.Errorf("(-want +got):\n%s", d)
	}
}

// A program holding the engines, its stores in PostgreSQL, retries,
// resyncs and reconciles against a fake LinkedIn.
func TestEngineOverPostgres(t *testing.T) {
	url := pgtest.DB(t)
	db, err := pgstore.Open(t.Context(), url)
	must(t, err)
	t.Cleanup(db.Close)
	srv := rsctest.NewServer(rsctest.WithoutListener())
	t.Cleanup(srv.Close)
	cu := srv.AddCustomer(rsctest.CustomerSpec{})
	client, err := rsc.NewClient(rsc.WithBaseURL(srv.URL()), rsc.WithTokenURL(srv.TokenURL()), rsc.WithTransport(srv.Transport()),
		rsc.WithCredentials(cu.ClientID, cu.ClientSecret))
	must(t, err)
	src := rscsync.NewSliceSource()
	cand := func(i int, name, email string) rscsync.Candidate {
		id, at := fmt.Sprintf("C%d", i), t0.Add(time.Duration(i)*time.Minute)
		return rscsync.Candidate{ModifiedAt: at, Record: rsc.Candidate{Key: rsc.CandidateKey{IntegrationContext: cu.Organization, CandidateID: id},
			FirstName: name, LastName: "Lee", EmailAddresses: []string{email}, ExternalProfileURL: "https://ats.example.com/c/" + id,
			CreatedAt: rsc.Millis(at), LastModifiedAt: rsc.Millis(at)}}
	}
	src.PutCandidates(cand(1, "Ann", "c1@example.com"), cand(2, "Ann", "bad"))
	eng, err := rscsync.NewEngine(client, "acme", src, rscsync.WithStore(db.Checkpoints()), rscsync.WithDeadLetters(db.DeadLetters()),
		rscsync.WithHoldings(cu.Holdings()))
	must(t, err)
	_, err = eng.Run(t.Context())
	must(t, err)
	src.PutCandidates(cand(2, "Ann", "c2@example.com"), cand(1, "Zoe", "c1@example.com"))
	for _, st := range []struct {
		name     string
		args     []string
		code     int
		out, err string
	}{
		{name: "reconcile finds C1 stale", args: []string{"-json", "reconcile", "acme"}, code: 4,
			out: `"kinds":[{"kind":"candidate","checked":1,"equal":0,"missing":0,"stale":1,"staleRecords":[{"key":"candidate//C1","fields":["firstName"]}],"extra":0}`,
			err: "rscctl: customer \"acme\": LinkedIn differs from the ATS: 0 missing, 0 extra, 1 stale\n"},
		{name: "retry C2", args: []string{"dead", "retry", "acme", "candidate//C2"}, out: "retry of customer acme done: 0 refused again, 0 dead letters remain\n"},
		{name: "resync C1", args: []string{"resync", "acme", "candidates", "C1"}, out: "KEY            OUTCOME  REASON\ncandidate//C1  done     -\n"},
		{name: "reconcile exact", args: []string{"-json", "reconcile", "acme"},
			out: `"kinds":[{"kind":"candidate","checked":2,"equal":2,"missing":0,"stale":0,"extra":0}`},
	} {
		t.Run(st.name, func(t *testing.T) {
			code, out, errs := rscctl(t, url, eng, st.args...)
			if strings.HasPrefix(st.out, `"kinds"`) { // the first kind of the JSON report
				if i := strings.Index(out, `"kinds":`); i >= 0 {
					out = out[i:]
				}
				if i := strings.Index(out, `},{`); i >= 0 {
					out = out[:i+1]
				}
			}
			expect(t, code, out, errs, st.code, st.out, st.err)
		})
	}
}
