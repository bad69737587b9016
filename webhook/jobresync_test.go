package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"iter"
	"maps"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
	"github.com/rscgo/rscgo/webhook"
)

// secretsOf answers the parent application's secret for "" and the child
// application 77's for "77".
func secretsOf(_ context.Context, id string) (string, error) {
	return map[string]string{"": "partner-secret", "77": "child-secret-77"}[id], nil
}

// resyncHandler returns a handler whose one known application is
// urn:li:developerApplication:77, customer "acme", over store and dead,
// and the customers it notified.
func resyncHandler(t *testing.T, store rscsync.Store, dead rscsync.DeadLetterStore, opts ...webhook.JobResyncOption) (*webhook.JobResyncHandler, *[]string) {
	t.Helper()
	var notified []string
	var mu gosync.Mutex
	targets := func(_ context.Context, app string) (webhook.JobResyncTarget, bool, error) {
		if app != "urn:li:developerApplication:77" {
			return webhook.JobResyncTarget{}, false, nil
		}
		return webhook.JobResyncTarget{CustomerID: "acme", Checkpoints: store, DeadLetters: dead}, true, nil
	}
	notify := func(_ context.Context, customer string, keys []string) {
		mu.Lock()
		defer mu.Unlock()
		notified = append(notified, customer+" "+strings.Join(keys, " "))
	}
	h, err := webhook.NewJobResync(secretsOf, targets, append([]webhook.JobResyncOption{webhook.WithResyncNotify(notify)}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	return h, &notified
}

// LinkedIn validates the webhook with a GET carrying challengeCode (and
// applicationId for an integration of parent and child applications):
// the answer signs the code with that application's secret (the values
// below are HMAC-SHA256 computed apart from the code under test).
func TestJobResyncChallenge(t *testing.T) {
	t.Parallel()
	h, _ := resyncHandler(t, rscsync.NewMemoryStore(), rscsync.NewMemoryDeadLetters())
	const code = "890e4665-4dfe-4ab1-b689-ed553bceeed0"
	for _, tc := range []struct {
		name, query string
		status      int
		want        map[string]string
	}{
		{"parent", "challengeCode=" + code, 200,
			map[string]string{"challengeCode": code, "challengeResponse": "a68b8d8e569bb4f9577c14156f03e8d25adb8548cbc4347e97752fc4564f826b"}},
		{"child", "challengeCode=" + code + "&applicationId=77", 200,
			map[string]string{"challengeCode": code, "challengeResponse": "b11bda8bc777690074db9c32be0e98d9e716a17068b2409c0f4377ec8ab6cbb5"}},
		{"no code", "applicationId=77", 400, nil},
		// Unknown applications are answered as known ones, with a key
		// derived from the parent's secret, one per id, so that the answer
		// does not tell which application ids exist.
		{"unknown application", "challengeCode=" + code + "&applicationId=5", 200,
			map[string]string{"challengeCode": code, "challengeResponse": "52166a13e62f96cb174a75b30acc74f6f58a75e628646e23aa6f950612220b5f"}},
		{"another unknown application", "challengeCode=" + code + "&applicationId=6", 200,
			map[string]string{"challengeCode": code, "challengeResponse": "9fa3a8c29e558979cb73c098176f8e00cbf84d8da372ba06faff8a326a2dd682"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/linkedin/jobs?"+tc.query, nil))
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			if tc.want == nil {
				return
			}
			var got map[string]string
			if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(tc.want, got); d != "" || w.Header().Get("Content-Type") != "application/json" {
				t.Errorf("answer (-want +got):\n%s%s", d, w.Header().Get("Content-Type"))
			}
		})
	}
}

// checkpointWithJobs is a checkpoint of customer acme whose jobs stand on
// LinkedIn as their ids say.
func checkpointWithJobs(t *testing.T) rscsync.Store {
	t.Helper()
	store := rscsync.NewMemoryStore()
	cp := &rscsync.Checkpoint{CustomerID: "acme", Jobs: map[string]rscsync.JobState{
		"posted": {State: "posted"}, "pending": {State: "pending"}, "intent": {State: "intent"},
		"closed": {State: "closed"}, "failed": {State: "failed"}, "deleted": {State: "posted", Deleted: true},
	}}
	if err := store.Save(t.Context(), "acme", cp); err != nil {
		t.Fatal(err)
	}
	return store
}

// A notification is stored as resync requests of the customer's jobs, the
// ones it names or every open one, before it is answered 200; one that
// cannot be verified, read or stored is refused and stores nothing.
func TestJobResyncNotification(t *testing.T) {
	t.Parallel()
	individual := `{"developerApplicationUrn":"urn:li:developerApplication:77","externalJobPostingIds":["job-1234","job-2345","job-3456"],"syncAllOpenJobs":false,"type":"RESYNC_JOBS"}`
	all := `{"developerApplicationUrn":"urn:li:developerApplication:77","syncAllOpenJobs":true,"type":"RESYNC_JOBS"}`
	sign := func(body, secret string) []string { return []string{rsc.SignPush([]byte(body), secret)} }
	for _, tc := range []struct {
		name, body string
		sig        []string
		status     int
		want       []string // the jobs requested
	}{
		{"individual jobs", individual, sign(individual, "partner-secret"), 200, []string{"job-1234", "job-2345", "job-3456"}},
		{"all open jobs", all, sign(all, "partner-secret"), 200, []string{"intent", "pending", "posted"}},
		{"signed by the child application", individual, sign(individual, "child-secret-77"), 200, []string{"job-1234", "job-2345", "job-3456"}},
		{"unsigned", individual, nil, 401, nil},
		{"two signatures", individual, append(sign(individual, "partner-secret"), sign(individual, "partner-secret")...), 401, nil},
		{"bad signature", individual, sign(individual, "someone-else"), 401, nil},
		{"another type", strings.Replace(individual, "RESYNC_JOBS", "JOB_STATUS_CHANGE", 1),
			sign(strings.Replace(individual, "RESYNC_JOBS", "JOB_STATUS_CHANGE", 1), "partner-secret"), 400, nil},
		{"unknown application", strings.Replace(all, ":77", ":78", 1), sign(strings.Replace(all, ":77", ":78", 1), "partner-secret"), 200, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dead := rscsync.NewMemoryDeadLetters()
			h, notified := resyncHandler(t, checkpointWithJobs(t), dead)
			r := httptest.NewRequest(http.MethodPost, "/linkedin/jobs", strings.NewReader(tc.body))
			for _, s := range tc.sig {
				r.Header.Add("X-LI-Signature", s)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != tc.status {
				t.Fatalf("status %d, want %d: %s", w.Code, tc.status, w.Body)
			}
			var got []string
			for d, err := range dead.List(t.Context(), "acme") {
				if err != nil {
					t.Fatal(err)
				}
				if d.Kind != rscsync.KindJob || !d.Requested || d.Reason != rscsync.JobResyncReason {
					t.Errorf("stored %+v, want a job's resync request", d)
				}
				got = append(got, d.ID)
			}
			slices.Sort(got)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("jobs requested (-want +got):\n%s", d)
			}
			var wantNotified []string
			if len(tc.want) > 0 {
				n := "acme"
				for _, id := range tc.want {
					n += " job//" + id
				}
				wantNotified = []string{n}
			}
			if d := cmp.Diff(wantNotified, *notified); d != "" {
				t.Errorf("notified (-want +got):\n%s", d)
			}
		})
	}
}

// failingDead is a dead-letter store that cannot write.
type failingDead struct{ *rscsync.MemoryDeadLetters }

func (failingDead) Put(context.Context, string, rscsync.DeadLetter) error {
	return errors.New("disk full")
}

// A notification whose requests cannot be stored is answered 503, so that
// LinkedIn may deliver it again, and notifies no one.
func TestJobResyncNotStored(t *testing.T) {
	t.Parallel()
	body := `{"developerApplicationUrn":"urn:li:developerApplication:77","externalJobPostingIds":["J1"],"syncAllOpenJobs":false,"type":"RESYNC_JOBS"}`
	h, notified := resyncHandler(t, rscsync.NewMemoryStore(), failingDead{rscsync.NewMemoryDeadLetters()})
	r := httptest.NewRequest(http.MethodPost, "/linkedin/jobs", strings.NewReader(body))
	r.Header.Set("X-LI-Signature", rsc.SignPush([]byte(body), "partner-secret"))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusServiceUnavailable || len(*notified) != 0 {
		t.Errorf("status %d, notified %v; want 503 and no one", w.Code, *notified)
	}
}

// jobOps records the operation of every job a client submits.
type jobOps struct {
	rt  http.RoundTripper
	mu  gosync.Mutex
	ops []string // "op id"
}

func (j *jobOps) RoundTrip(r *http.Request) (*http.Response, error) {
	if strings.HasSuffix(r.URL.Path, "/simpleJobPostings") && r.Body != nil {
		body, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(body))
		var b struct {
			Elements []struct {
				ID string `json:"externalJobPostingId"`
				Op string `json:"jobPostingOperationType"`
			} `json:"elements"`
		}
		json.Unmarshal(body, &b)
		j.mu.Lock()
		for _, e := range b.Elements {
			j.ops = append(j.ops, e.Op+" "+e.ID)
		}
		j.mu.Unlock()
	}
	return j.rt.RoundTrip(r)
}

// resyncWorld is a customer of the fake whose engine synced the jobs of
// src (run once), the job operations its client sent since (ops), and the
// job resync webhook over its stores (url), validated by the fake.
type resyncWorld struct {
	fake   *rsctest.Server
	cust   *rsctest.Customer
	ops    *jobOps
	client *rsc.Client
	dead   rscsync.DeadLetterStore
	eng    *rscsync.Engine
	url    string
	avail  rsc.Availability
	at     time.Time
	org    string
	store  rscsync.Store
}

// newResyncWorld builds a resyncWorld in the family version ("" for /v2)
// over the jobs src returns, once given the world's job maker, with the
// handler's options opts.
func newResyncWorld(t *testing.T, version string, src func(w *resyncWorld) rscsync.Source, opts ...webhook.JobResyncOption) *resyncWorld {
	t.Helper()
	fake := rsctest.NewServer(rsctest.WithJobTaskLatency(0), rsctest.WithPartner("partner", "partner-secret"))
	t.Cleanup(fake.Close)
	w := &resyncWorld{fake: fake, cust: fake.AddCustomer(rsctest.CustomerSpec{}), ops: &jobOps{rt: fake.Transport()},
		store: rscsync.NewMemoryStore(), dead: rscsync.NewMemoryDeadLetters(), avail: rsc.AvailabilityPrivate,
		at: fake.Now().Add(-time.Hour)}
	w.org = w.cust.Organization
	copts := []rsc.Option{rsc.WithTransport(w.ops)}
	if version != "" {
		copts, w.avail = append(copts, rsc.WithVersion(version)), rsc.AvailabilityPublic
	}
	var err error
	if w.client, err = fake.CustomerClient(w.cust, copts...); err != nil {
		t.Fatal(err)
	}
	w.eng, err = rscsync.NewEngine(w.client, "acme", src(w), rscsync.WithStore(w.store), rscsync.WithDeadLetters(w.dead),
		rscsync.WithTaskPollInterval(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.eng.Run(t.Context()); err != nil {
		t.Fatal(err)
	}
	w.ops.ops = nil
	targets := func(_ context.Context, app string) (webhook.JobResyncTarget, bool, error) {
		return webhook.JobResyncTarget{CustomerID: "acme", Checkpoints: w.store, DeadLetters: w.dead}, app == w.cust.AppKey, nil
	}
	h, err := webhook.NewJobResync(secretsOf, targets, opts...)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	w.url = srv.URL
	if err := fake.ValidateWebhook(t.Context(), w.url); err != nil {
		t.Fatal(err)
	}
	return w
}

// job is the ATS's job id, closed or not.
func (w *resyncWorld) job(id string, closed bool) rscsync.Job {
	return rscsync.Job{ModifiedAt: w.at, Closed: closed, Posting: rsc.JobPosting{
		ExternalJobPostingID: id, IntegrationContext: w.org, CompanyApplyURL: "https://ats.example.com/apply/" + id,
		Title: "Engineer", Description: strings.Repeat("Build and run the ATS with a small team. ", 3), ListedAt: rsc.Millis(w.at),
		Location: "Paris, France", PosterEmail: "recruiter@example.com", Availability: w.avail}}
}

// resync plays LinkedIn asking for the jobs ids (all open ones for all).
func (w *resyncWorld) resync(t *testing.T, ids []string, all bool) {
	t.Helper()
	if status, err := w.cust.SendJobResync(t.Context(), w.url, ids, all); err != nil || status != 200 {
		t.Errorf("notification: %d %v", status, err)
	}
}

// settled checks that the job operations sent since the first run are
// want, in any order, and that LinkedIn awaits nothing and no request or
// dead letter is left.
func (w *resyncWorld) settled(t *testing.T, want ...string) {
	t.Helper()
	got := slices.Sorted(slices.Values(w.ops.ops))
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("job operations sent (-want +got):\n%s", d)
	}
	if owed := w.cust.JobResyncsOwed(); len(owed) != 0 {
		t.Errorf("LinkedIn still awaits %v", owed)
	}
	for d, err := range w.dead.List(t.Context(), "acme") {
		t.Errorf("left in the dead-letter store: %+v %v", d, err)
	}
}

// LinkedIn (the fake) validates the webhook and asks for every open job of
// a customer: once the handler stored the requests, the customer's retry
// of dead letters sends each open job again as an UPDATE, and the closed
// one not at all, which settles what LinkedIn asked for.
func TestJobResyncSendsUpdates(t *testing.T) {
	t.Parallel()
	w := newResyncWorld(t, "", func(w *resyncWorld) rscsync.Source {
		return rscsync.NewSliceSource().PutJobs(w.job("J1", false), w.job("J2", false), w.job("J3", true))
	})
	w.resync(t, nil, true)
	if owed := slices.Sorted(maps.Keys(w.cust.JobResyncsOwed())); !slices.Equal(owed, []string{"J1", "J2"}) {
		t.Fatalf("LinkedIn awaits %v, want J1 and J2", owed)
	}
	if _, err := w.eng.RetryDeadLetters(t.Context()); err != nil {
		t.Fatal(err)
	}
	w.settled(t, "UPDATE J1", "UPDATE J2")
}

// The challenge's answer is the HMAC-SHA256 of challengeCode keyed by an
// application's secret, the same as an X-LI-Signature of a body: a
// challenge answered for any code would sign whatever body a stranger
// sends as the code, and the notification so signed would be taken.
// LinkedIn's challengeCode is a UUID (docs/linkedin-api.md §7.9); nothing
// else is answered.
func TestJobResyncChallengeIsNoSigningOracle(t *testing.T) {
	t.Parallel()
	body := `{"developerApplicationUrn":"urn:li:developerApplication:77","syncAllOpenJobs":true,"type":"RESYNC_JOBS"}`
	for _, app := range []string{"", "77"} {
		t.Run("applicationId="+app, func(t *testing.T) {
			t.Parallel()
			dead := rscsync.NewMemoryDeadLetters()
			h, notified := resyncHandler(t, checkpointWithJobs(t), dead)
			q := url.Values{"challengeCode": {body}}
			if app != "" {
				q.Set("applicationId", app)
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/linkedin/jobs?"+q.Encode(), nil))
			if w.Code != http.StatusBadRequest {
				t.Errorf("a challengeCode that is no UUID answered %d, want 400: %s", w.Code, w.Body)
			}
			var got map[string]string
			json.Unmarshal(w.Body.Bytes(), &got)
			r := httptest.NewRequest(http.MethodPost, "/linkedin/jobs", strings.NewReader(body))
			r.Header.Set(rsc.SignatureHeader, "hmacsha256="+got["challengeResponse"])
			w = httptest.NewRecorder()
			h.ServeHTTP(w, r)
			if w.Code != http.StatusUnauthorized || len(*notified) != 0 {
				t.Errorf("the notification signed by the challenge: %d, notified %v; want 401 and no one", w.Code, *notified)
			}
			for d := range dead.List(t.Context(), "acme") {
				t.Errorf("stored %+v", d)
			}
		})
	}
}

// LinkedIn asks for a job it holds open that the ATS closed, and that the
// checkpoint holds closed on LinkedIn too (LinkedIn's copy drifted, which
// is what the notification repairs): the retry closes it again, in both
// families, rather than count it sent and send nothing.
func TestJobResyncClosedJobLinkedInHoldsOpen(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"", "202604"} {
		t.Run("version="+version, func(t *testing.T) {
			t.Parallel()
			w := newResyncWorld(t, version, func(w *resyncWorld) rscsync.Source {
				return rscsync.NewSliceSource().PutJobs(w.job("J3", true))
			})
			// LinkedIn's copy drifts: it lists the job again.
			reopen := w.job("J3", false).Posting
			reopen.OperationType = rsc.JobUpdate
			if _, err := w.client.Jobs.Submit(t.Context(), []rsc.JobPosting{reopen}); err != nil {
				t.Fatal(err)
			}
			w.ops.ops = nil
			w.resync(t, []string{"J3"}, false)
			if _, err := w.eng.RetryDeadLetters(t.Context()); err != nil {
				t.Fatal(err)
			}
			w.settled(t, "CLOSE J3")
			if jobs := w.cust.Jobs(); len(jobs) != 1 || jobs[0].State != rsctest.JobClosed {
				t.Errorf("LinkedIn holds %+v, want J3 closed", jobs)
			}
		})
	}
}

// duringCandidates is a Source that calls hook once while a run reads its
// candidates: after the jobs phase, with the engine running.
type duringCandidates struct {
	*rscsync.SliceSource
	hook func()
	once gosync.Once
}

func (s *duringCandidates) Candidates(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Candidate, error] {
	s.once.Do(s.hook)
	return s.SliceSource.Candidates(ctx, since)
}

// A notification that comes while the customer's engine runs is stored,
// and the retry WithResyncNotify starts (as the README wires it) finds the
// engine busy: the customer's next runs still send the job LinkedIn asked
// for, within LinkedIn's 30 minutes, without an operator's retry.
func TestJobResyncWhileTheEngineRuns(t *testing.T) {
	t.Parallel()
	var src *duringCandidates
	var retryErr error
	var eng *rscsync.Engine
	w := newResyncWorld(t, "", func(w *resyncWorld) rscsync.Source {
		src = &duringCandidates{SliceSource: rscsync.NewSliceSource().PutJobs(w.job("J1", false))}
		src.once.Do(func() {}) // the first run only posts the job
		return src
	}, webhook.WithResyncNotify(func(ctx context.Context, _ string, keys []string) {
		_, retryErr = eng.RetryDeadLetters(ctx, keys...) // at once here, for the test to see it
	}))
	eng = w.eng
	src.once = gosync.Once{}
	src.hook = func() { w.resync(t, []string{"J1"}, false) }
	for range 2 { // the run the notification came during, and the next
		if _, err := eng.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	if retryErr == nil {
		t.Fatal("the retry ran beside the engine's run")
	}
	w.settled(t, "UPDATE J1")
}
