package ctl

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rscgo/rscgo/console"
	"github.com/rscgo/rscgo/internal/mustopen"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// synced is customer acme synced to a fake LinkedIn from a SliceSource,
// its stores in a data directory, and a Config whose Engine is acme's.
type synced struct {
	dir    string
	src    *rscsync.SliceSource
	cust   *rsctest.Customer
	client *rsc.Client
	engine *rscsync.Engine
}

func cand(org string, i int, email string) rscsync.Candidate {
	at := t0.Add(time.Duration(i) * time.Minute)
	id := fmt.Sprintf("C%d", i)
	return rscsync.Candidate{ModifiedAt: at, Record: rsc.Candidate{Key: rsc.CandidateKey{IntegrationContext: org, CandidateID: id},
		FirstName: "Ann", LastName: "Lee", EmailAddresses: []string{email}, ExternalProfileURL: "https://ats.example.com/c/" + id,
		CreatedAt: rsc.Millis(at), LastModifiedAt: rsc.Millis(at)}}
}

// newSynced syncs candidates C1 to C5 of acme; C3's email is refused.
func newSynced(t *testing.T) *synced {
	t.Helper()
	srv := rsctest.NewServer(rsctest.WithoutListener())
	t.Cleanup(srv.Close)
	cu := srv.AddCustomer(rsctest.CustomerSpec{})
	client, err := rsc.NewClient(rsc.WithBaseURL(srv.URL()), rsc.WithTokenURL(srv.TokenURL()), rsc.WithTransport(srv.Transport()),
		rsc.WithCredentials(cu.ClientID, cu.ClientSecret))
	if err != nil {
		t.Fatal(err)
	}
	s := &synced{dir: t.TempDir(), src: rscsync.NewSliceSource(), cust: cu, client: client}
	for i := 1; i <= 5; i++ {
		email := fmt.Sprintf("c%d@example.com", i)
		if i == 3 {
			email = "not-an-email"
		}
		s.src.PutCandidates(cand(cu.Organization, i, email))
	}
	cps := mustopen.Dir(t, rscsync.NewFileStore, filepath.Join(s.dir, CheckpointsDir))
	dead := mustopen.Dir(t, rscsync.NewFileDeadLetters, filepath.Join(s.dir, DeadLettersDir))
	s.engine, err = rscsync.NewEngine(client, "acme", s.src, rscsync.WithStore(cps), rscsync.WithDeadLetters(dead),
		rscsync.WithHoldings(cu.Holdings()))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.engine.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

// run runs rscctl over the data directory with acme's engine.
func (s *synced) run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	c := files(&out, &errb)
	c.Engine = func(_ context.Context, id string) (*rscsync.Engine, error) {
		if id != "acme" {
			return nil, fmt.Errorf("no engine of %q", id)
		}
		return s.engine, nil
	}
	code := Run(t.Context(), c, append([]string{"-data", s.dir}, args...))
	return code, out.String(), errb.String()
}

// A program holding the engines retries, resyncs and reconciles in
// process; each command's output and exit code is exact, one step after
// the other on the same customer.
func TestEngineCommands(t *testing.T) {
	s := newSynced(t)
	org := s.cust.Organization
	steps := []struct {
		name   string
		before func()
		args   []string
		code   int
		out    string
		err    string
	}{
		{name: "reconcile, exact", args: []string{"reconcile", "acme"}, out: "content candidate: checked 4, equal 4, missing 0, stale 0, extra 0\n" + otherKinds},
		{name: "retry refused again", args: []string{"dead", "retry", "acme", "candidate//C3"}, code: 4,
			out: "retry of customer acme done: 1 refused again, 1 dead letters remain\n",
			err: "rscctl: 1 records of customer \"acme\" refused again (dead list acme)\n"},
		{name: "retry an unknown key", args: []string{"dead", "retry", "acme", "candidate//C4"}, code: 3,
			err: "rscctl: customer \"acme\" has no dead letter \"candidate//C4\"\n"},
		{name: "retry fixed", before: func() { s.src.PutCandidates(cand(org, 3, "c3@example.com")) },
			args: []string{"dead", "retry", "acme"}, out: "retry of customer acme done: 0 refused again, 0 dead letters remain\n"},
		{name: "stale after an ATS change the sync did not see", before: func() {
			c := cand(org, 2, "c2@example.com")
			c.Record.FirstName = "Zoe" // ModifiedAt unchanged: no sync would send it
			s.src.PutCandidates(c)
		}, args: []string{"reconcile", "acme"}, code: 4,
			out: "content candidate: checked 5, equal 4, missing 0, stale 1, extra 0\n  stale on LinkedIn: candidate//C2 (firstName)\n" + otherKinds,
			err: "rscctl: customer \"acme\": LinkedIn differs from the ATS: 0 missing, 0 extra, 1 stale\n"},
		{name: "resync the record", args: []string{"resync", "acme", "candidates", "C2"},
			out: "KEY            OUTCOME  REASON\ncandidate//C2  done     -\n"},
		{name: "exact again", args: []string{"-json", "reconcile", "-sample", "2", "acme"},
			out: `{"customerId":"acme","checkedAt":"CHECKED","kinds":[{"kind":"candidate","checked":2,"equal":2,"missing":0,"stale":0,"extra":0},` + otherKindsJSON + "]}\n"},
		{name: "resync refused", before: func() { s.src.PutCandidates(cand(org, 4, "nope")) },
			args: []string{"--json", "resync", "acme", "candidates", "C4", "candidate//C5"}, code: 4,
			out: `{"customer":"acme","key":"candidate//C4","outcome":"refused","reason":"invalid emailAddresses[0]: must match X@X.X"}` + "\n" +
				`{"customer":"acme","key":"candidate//C5","outcome":"done"}` + "\n",
			err: "rscctl: 1 of 2 records of customer \"acme\" refused\n"},
		{name: "reconcile without engine of the customer", args: []string{"reconcile", "beta"}, code: 3,
			err: "rscctl: no customer \"beta\" in " + s.dir + "\n"},
	}
	for _, st := range steps {
		if st.before != nil {
			st.before()
		}
		code, out, errs := s.run(t, st.args...)
		if st.name == "exact again" {
			out = checkedRE.ReplaceAllString(out, `"checkedAt":"CHECKED"`)
		}
		t.Run(st.name, func(t *testing.T) { expect(t, code, out, errs, st.code, st.out, st.err) })
	}
	names := map[string]any{}
	for _, c := range s.cust.Candidates() {
		names[c.ID] = c.Fields["firstName"]
	}
	if d := cmp.Diff(map[string]any{"C1": "Ann", "C2": "Zoe", "C3": "Ann", "C4": "Ann", "C5": "Ann"}, names); d != "" {
		t.Errorf("LinkedIn's candidates (-want +got):\n%s", d)
	}
}

// A resync of records whose ids are not valid UTF-8 or hold NUL, typed as
// they are, finds the requests under their escaped keys, through the
// engine and through the console: each record is sent again and refused
// again as unstorable (exit 4); none is reported missing or left queued.
func TestResyncOfUnstorableIDs(t *testing.T) {
	reason := "invalid id: must be valid UTF-8 without NUL (U+0000): LinkedIn's API is JSON"
	wantOut := "KEY                        OUTCOME  REASON\n" +
		"escaped:candidate//C%FF9   refused  " + reason + "\n" +
		"escaped:candidate//C%0010  refused  " + reason + "\n"
	wantErr := "rscctl: 2 of 2 records of customer \"acme\" refused\n"
	for _, via := range []string{"engine", "console"} {
		t.Run(via, func(t *testing.T) {
			s := newSynced(t)
			s.putUnstorable()
			code, out, errs := s.runVia(t, via, "resync", "acme", "candidates", "C\xff9", "candidate//C\x0010")
			expect(t, code, out, errs, 4, wantOut, wantErr)
		})
	}
}

// putUnstorable puts two candidates in the ATS whose ids the engine
// refuses: C\xff9 (not valid UTF-8) and C\x0010 (NUL).
func (s *synced) putUnstorable() {
	for i, id := range map[int]string{9: "C\xff9", 10: "C\x0010"} {
		c := cand(s.cust.Organization, i, fmt.Sprintf("c%d@example.com", i))
		c.Record.Key.CandidateID = id
		s.src.PutCandidates(c)
	}
}

// console serves an ops console over acme's engine, at the root, that
// retries through the engine; every request is from operator cli.
// runVia runs rscctl with args on s's engine directly (via "engine") or
// through s's console (via "console").
func (s *synced) runVia(t *testing.T, via string, args ...string) (int, string, string) {
	t.Helper()
	if via == "engine" {
		return s.run(t, args...)
	}
	return rscctl(t, append([]string{"-data", s.dir, "-console", s.console(t).URL}, args...)...)
}

func (s *synced) console(t *testing.T) *httptest.Server {
	t.Helper()
	t.Setenv("RSCCTL_CONSOLE", "")
	engineOf := func(context.Context, string) (*rscsync.Engine, error) { return s.engine, nil }
	h, err := console.New(
		console.WithCustomers(func(context.Context) ([]string, error) { return []string{"acme"}, nil }),
		console.WithAuthorizer(func(*http.Request) (string, bool) { return "cli", true }),
		console.WithAllowedHosts("127.0.0.1"), console.WithDeadLetters(s.engine.DeadLetters()),
		console.WithRetry(console.EngineRetry(engineOf)))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	return ts
}

// otherKinds are the reconciliation of the kinds the Source has none of.
var otherKinds, otherKindsJSON = func() (string, string) {
	var text, js []string
	for _, k := range []string{"job", "application", "stage", "candidateNote", "applicationNote", "interviewFeedback"} {
		text = append(text, "content "+k+": checked 0, equal 0, missing 0, stale 0, extra 0\n")
		js = append(js, `{"kind":"`+k+`","checked":0,"equal":0,"missing":0,"stale":0,"extra":0}`)
	}
	return strings.Join(text, ""), strings.Join(js, ",")
}()

var checkedRE = regexp.MustCompile(`"checkedAt":"[^"]*"`)

// Without an engine, reconcile has the ops console run the reconciliation
// (console.WithReconcile) and prints what its page shows: the same as the
// engine's own report, to the second.
func TestReconcileThroughConsole(t *testing.T) {
	s := newSynced(t)
	c := cand(s.cust.Organization, 2, "c2@example.com")
	c.Record.FirstName = "Zoe"
	s.src.PutCandidates(c)
	engineOf := func(context.Context, string) (*rscsync.Engine, error) { return s.engine, nil }
	h, err := console.New(
		console.WithCustomers(func(context.Context) ([]string, error) { return []string{"acme"}, nil }),
		console.WithAuthorizer(func(r *http.Request) (string, bool) { return "cli", r.Header.Get("Authorization") == "Bearer op-token" }),
		console.WithAllowedHosts("127.0.0.1"), console.WithReconcile(console.EngineReconcile(engineOf, 0)))
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(h)
	defer ts.Close()
	t.Setenv("RSCCTL_TOKEN", "op-token")
	t.Setenv("RSCCTL_CONSOLE", "")
	code, out, errs := rscctl(t, "-data", s.dir, "-console", ts.URL, "reconcile", "acme")
	expect(t, code, out, errs, 4, "content candidate: checked 4, equal 3, missing 0, stale 1, extra 0\n"+
		"  stale on LinkedIn: candidate//C2 (firstName)\n"+otherKinds,
		"rscctl: customer \"acme\": LinkedIn differs from the ATS: 0 missing, 0 extra, 1 stale\n")

	code, out, _ = rscctl(t, "-data", s.dir, "-console", ts.URL, "-json", "reconcile", "acme")
	got := decodeLines[rscsync.ContentReport](t, out)
	want, err := s.engine.ReconcileContent(t.Context(), 0)
	if err != nil {
		t.Fatal(err)
	}
	want.CheckedAt = want.CheckedAt.UTC().Truncate(time.Second)
	if d := cmp.Diff([]rscsync.ContentReport{*want}, got, cmpopts.EquateApproxTime(2*time.Second)); code != 4 || d != "" {
		t.Errorf("exit code %d, report (-engine +console):\n%s", code, d)
	}

	code, out, errs = rscctl(t, "-data", s.dir, "reconcile", "acme")
	expect(t, code, out, errs, 2, "", "rscctl: reconcile needs -console URL (or $RSCCTL_CONSOLE): it reads records from the ATS, which only the service that runs the sync can do\n"+usage+"\n")
}

// dead retry of a key typed with an id that is not valid UTF-8 or holds
// NUL retries the dead letter the store holds under its escaped key, as
// dead list prints it, through the engine and through the console.
func TestDeadRetryOfUnstorableIDs(t *testing.T) {
	for _, via := range []string{"engine", "console"} {
		t.Run(via, func(t *testing.T) {
			s := newSynced(t)
			s.putUnstorable()
			if _, err := s.engine.Run(t.Context()); err != nil {
				t.Fatal(err)
			}
			code, out, errs := s.runVia(t, via, "dead", "retry", "acme", "candidate//C\xff9", "candidate//C\x0010")
			expect(t, code, out, errs, 4, "retry of customer acme done: 2 refused again, 3 dead letters remain\n",
				"rscctl: 2 records of customer \"acme\" refused again (dead list acme)\n")
		})
	}
}

// dead retry takes a bare id for the dead letter of a job, candidate or
// application, as resync does, through the engine and through the
// console; an id no such dead letter has is not found, and one that names
// several (a job and a candidate) wants the whole key.
func TestDeadRetryOfBareIDs(t *testing.T) {
	for _, via := range []string{"engine", "console"} {
		t.Run(via, func(t *testing.T) {
			s := newSynced(t)
			code, out, errs := s.runVia(t, via, "dead", "retry", "acme", "C3")
			expect(t, code, out, errs, 4, "retry of customer acme done: 1 refused again, 1 dead letters remain\n",
				"rscctl: 1 records of customer \"acme\" refused again (dead list acme)\n")
			code, out, errs = s.runVia(t, via, "dead", "retry", "acme", "C4")
			expect(t, code, out, errs, 3, "", "rscctl: customer \"acme\" has no dead letter of a job, candidate or application \"C4\"\n")
			if err := s.engine.DeadLetters().Put(t.Context(), "acme", rscsync.DeadLetter{Kind: rscsync.KindJob, ID: "C3", Reason: "refused"}); err != nil {
				t.Fatal(err)
			}
			code, out, errs = s.runVia(t, via, "dead", "retry", "acme", "C3")
			want := "rscctl: dead retry: \"C3\" names candidate//C3 and job//C3: give the KEY whole\n"
			if code != 2 || out != "" || !strings.HasPrefix(errs, want) {
				t.Errorf("exit %d, stdout %q, stderr %q; want exit 2 and stderr beginning %q", code, out, errs, want)
			}
		})
	}
}
