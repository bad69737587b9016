package sync

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// env is a fake LinkedIn with one customer and a client for it, all
// in-process (no sockets), usable inside testing/synctest bubbles.
type env struct {
	srv    *rsctest.Server
	cust   *rsctest.Customer
	client *rsc.Client
}

type envOpt struct {
	server []rsctest.Option
	client []rsc.Option
	wrap   func(http.RoundTripper) http.RoundTripper
}

func newEnv(t testing.TB, o envOpt) *env {
	t.Helper()
	srv := rsctest.NewServer(append([]rsctest.Option{rsctest.WithoutListener(), rsctest.WithJobTaskLatency(1)}, o.server...)...)
	t.Cleanup(srv.Close)
	cust := srv.AddCustomer(rsctest.CustomerSpec{})
	var rt http.RoundTripper = srv.Transport()
	if o.wrap != nil {
		rt = o.wrap(rt)
	}
	opts := append([]rsc.Option{rsc.WithBaseURL(srv.URL()), rsc.WithTokenURL(srv.TokenURL()), rsc.WithTransport(rt),
		rsc.WithCredentials(cust.ClientID, cust.ClientSecret),
		rsc.WithRetryPolicy(rsc.RetryPolicy{MaxAttempts: 6, MinWait: 10 * time.Millisecond, MaxWait: 100 * time.Millisecond})}, o.client...)
	client, err := rsc.NewClient(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return &env{srv: srv, cust: cust, client: client}
}

// paced200 is a fake LinkedIn and a client that allow 200 sync records a
// minute (a batch every 30 seconds), so that a backlog of a few hundred
// records lasts minutes of the synctest clock.
var paced200 = envOpt{server: []rsctest.Option{rsctest.WithLimits(rsctest.Limits{SyncRecordsPerMinute: 200})},
	client: []rsc.Option{rsc.WithLimits(rsc.Limits{SyncRecordsPerMinute: 200})}}

// createTasks counts the CREATE tasks LinkedIn holds, by job.
func createTasks(cust *rsctest.Customer) map[string]int {
	out := map[string]int{}
	for _, t := range cust.Tasks() {
		if t.Operation == "CREATE" {
			out[t.ExternalJobPostingID]++
		}
	}
	return out
}

// noJobCreatedTwice fails t for each job LinkedIn was sent more than one
// CREATE for.
func noJobCreatedTwice(t *testing.T, cust *rsctest.Customer) {
	t.Helper()
	for id, n := range createTasks(cust) {
		if n > 1 {
			t.Errorf("job %s: %d CREATEs", id, n)
		}
	}
}

// inBubble runs f in parallel, in a testing/synctest bubble, against a
// fresh fake LinkedIn.
func inBubble(t *testing.T, f func(t *testing.T, e *env)) { inBubbleWith(t, envOpt{}, f) }

// inBubbleWith is inBubble against a fake LinkedIn and a client set up by o.
func inBubbleWith(t *testing.T, o envOpt, f func(t *testing.T, e *env)) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) { f(t, newEnv(t, o)) })
}

// inFamilies runs f in parallel, in a testing/synctest bubble, against a
// fresh fake LinkedIn, once with a client of LinkedIn's /v2 endpoints and
// once with one of its versioned endpoints (versioned true).
func inFamilies(t *testing.T, f func(t *testing.T, e *env, versioned bool)) {
	t.Parallel()
	for _, version := range []string{"", "202604"} {
		t.Run("version="+version, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				var opts []rsc.Option
				if version != "" {
					opts = append(opts, rsc.WithVersion(version))
				}
				f(t, newEnv(t, envOpt{client: opts}), version != "")
			})
		})
	}
}

// synced materializes g, builds an engine over it and runs it once.
func (e *env) synced(t testing.TB, g *genSource, opts ...Option) (*genSource, *SliceSource, *Engine, *Report) {
	t.Helper()
	src := g.materialize()
	eng, rep := e.ran(t, src, opts...)
	return g, src, eng, rep
}

// ran builds an engine over src and runs it once, failing the test on an
// error.
func (e *env) ran(t testing.TB, src Source, opts ...Option) (*Engine, *Report) {
	t.Helper()
	eng := e.engine(t, src, opts...)
	rep, err := eng.Run(t.Context())
	must(t, err)
	return eng, rep
}

func (e *env) engine(t testing.TB, src Source, opts ...Option) *Engine {
	t.Helper()
	eng, err := NewEngine(e.client, "c1", src, append([]Option{WithTaskPollInterval(time.Second)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// linkedInState is what LinkedIn holds, reduced to comparable ids.
type linkedInState struct {
	Jobs       []string // id:STATE
	Candidates []string
	Apps       []string
	Stages     []string // app/stage
	CandNotes  []string // cand/note
	AppNotes   []string
	Feedback   []string
}

func fakeState(cu *rsctest.Customer) linkedInState {
	var s linkedInState
	for _, j := range cu.Jobs() {
		s.Jobs = append(s.Jobs, j.ExternalJobPostingID+":"+j.State)
	}
	for _, c := range cu.Candidates() {
		s.Candidates = append(s.Candidates, c.ID)
	}
	for _, r := range cu.Applications() {
		s.Apps = append(s.Apps, r.Key["atsJobApplicationId"])
	}
	for _, r := range cu.Stages() {
		s.Stages = append(s.Stages, r.Key["atsJobApplicationId"]+"/"+r.Key["stageId"])
	}
	for _, r := range cu.CandidateNotes() {
		s.CandNotes = append(s.CandNotes, r.Key["atsCandidateId"]+"/"+r.Key["noteId"])
	}
	for _, r := range cu.ApplicationNotes() {
		s.AppNotes = append(s.AppNotes, r.Key["atsJobApplicationId"]+"/"+r.Key["noteId"])
	}
	for _, r := range cu.InterviewFeedback() {
		s.Feedback = append(s.Feedback, r.Key["atsJobApplicationId"]+"/"+r.Key["feedbackId"])
	}
	s.sort()
	return s
}

func (s *linkedInState) sort() {
	for _, l := range []*[]string{&s.Jobs, &s.Candidates, &s.Apps, &s.Stages, &s.CandNotes, &s.AppNotes, &s.Feedback} {
		slices.Sort(*l)
	}
}

// sourceState is what LinkedIn should hold for src (records modified after from).
func sourceState(t testing.TB, src Source, from time.Time) linkedInState {
	t.Helper()
	ctx := context.Background()
	c := Cursor{ModifiedAt: from}
	var s linkedInState
	for j, err := range src.Jobs(ctx, c) {
		must(t, err)
		st := "LISTED"
		if j.Closed {
			st = "CLOSED"
		}
		s.Jobs = append(s.Jobs, j.Posting.ExternalJobPostingID+":"+st)
	}
	for x, err := range src.Candidates(ctx, c) {
		must(t, err)
		s.Candidates = append(s.Candidates, x.Record.Key.CandidateID)
	}
	for x, err := range src.Applications(ctx, c) {
		must(t, err)
		id := x.Record.Key.ApplicationID
		s.Apps = append(s.Apps, id)
		for _, st := range x.Stages {
			s.Stages = append(s.Stages, id+"/"+st.ID)
		}
	}
	for a, err := range src.Activities(ctx, c) {
		must(t, err)
		switch a.Kind {
		case KindCandidateNote:
			s.CandNotes = append(s.CandNotes, a.Candidate.CandidateID+"/"+a.Note.ID)
		case KindApplicationNote:
			s.AppNotes = append(s.AppNotes, a.Application.ApplicationID+"/"+a.Note.ID)
		default:
			s.Feedback = append(s.Feedback, a.Application.ApplicationID+"/"+a.Feedback.ID)
		}
	}
	s.sort()
	return s
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func assertSame(t testing.TB, src Source, from time.Time, cu *rsctest.Customer) {
	t.Helper()
	if diff := cmp.Diff(sourceState(t, src, from), fakeState(cu)); diff != "" {
		t.Fatalf("LinkedIn differs from the Source (-source +linkedin):\n%s", diff)
	}
}

func deadLetters(t testing.TB, s DeadLetterStore, cust string) []DeadLetter {
	t.Helper()
	var out []DeadLetter
	for d, err := range s.List(context.Background(), cust) {
		must(t, err)
		out = append(out, d)
	}
	return out
}

// rtFunc adapts a function to http.RoundTripper.
type rtFunc func(*http.Request) (*http.Response, error)

func (f rtFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// hasQueryID reports whether a request names id in its query, tunnelled or not.
func hasQueryID(r *http.Request, id string) bool {
	if strings.Contains(r.URL.RawQuery, id) {
		return true
	}
	if r.Body == nil || r.Body == http.NoBody {
		return false
	}
	b, _ := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(b))
	return bytes.Contains(b, []byte(id))
}

// isWrite reports whether r is a PUT batch (tunnelled or not) on path.
func isWrite(r *http.Request, path string) bool {
	m := r.Method
	if o := r.Header.Get("X-HTTP-Method-Override"); o != "" {
		m = o
	}
	return m == http.MethodPut && strings.Contains(r.URL.Path, path)
}

func describeDL(ds []DeadLetter) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "%s %s/%s: %s\n", d.Kind, d.Parent, d.ID, d.Reason)
	}
	return b.String()
}

// wantDeadLettered checks the lasting count of p's dead letters in eng's
// checkpoint.
func wantDeadLettered(t *testing.T, eng *Engine, p Phase, n int64) {
	t.Helper()
	st, err := eng.State(t.Context())
	must(t, err)
	if got := st[p].DeadLettered; got != n {
		t.Errorf("%v: DeadLettered = %d, want %d", p, got, n)
	}
}

// throttledOnce sets up a fake that answers one per-minute 429 on route,
// with a client that does not retry it, so that the engine sees it.
func throttledOnce(route string) envOpt {
	return envOpt{server: []rsctest.Option{rsctest.WithFaults(rsctest.Fault{Route: route, Burst429: 1})},
		client: []rsc.Option{rsc.WithRetryPolicy(rsc.RetryPolicy{MaxAttempts: 1})}}
}
