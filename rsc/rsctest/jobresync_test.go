package rsctest_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// The fake validates a Developer Portal webhook as LinkedIn does (§7.9): a
// challenge answered with the partner's secret passes, one signed with
// another secret or not answered fails.
func TestValidateWebhook(t *testing.T) {
	t.Parallel()
	e := newEnv(t, rsctest.WithPartner("pid", "partner-secret"))
	for _, tc := range []struct {
		name   string
		secret string
		status int
		ok     bool
	}{{"partner's secret", "partner-secret", 200, true}, {"another secret", "child-secret", 200, false}, {"refused", "partner-secret", 503, false}} {
		t.Run(tc.name, func(t *testing.T) {
			hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				code := r.URL.Query().Get("challengeCode")
				w.WriteHeader(tc.status)
				json.NewEncoder(w).Encode(map[string]string{"challengeCode": code, "challengeResponse": rsc.WebhookChallengeResponse(code, tc.secret)})
			}))
			t.Cleanup(hook.Close)
			if err := e.srv.ValidateWebhook(t.Context(), hook.URL+"/linkedin/jobs"); (err == nil) != tc.ok {
				t.Errorf("ValidateWebhook: %v, want passing %v", err, tc.ok)
			}
		})
	}
}

// SendJobResync POSTs LinkedIn's RESYNC_JOBS body signed with the
// partner's secret; once the webhook took it, the customer owes an UPDATE
// of each job asked for (every listed one for all), until one arrives.
func TestSendJobResync(t *testing.T) {
	t.Parallel()
	e := newEnv(t, rsctest.WithPartner("pid", "partner-secret"))
	e.postJobs(jobElem("J1", "CREATE"), jobElem("J2", "CREATE"), jobElem("J3", "CREATE")).want(t, 200)
	e.postJobs(jobElem("J3", "CLOSE")).want(t, 200)
	var got []rsc.JobResync
	status := http.StatusOK
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := rsc.VerifyPush(body, r.Header.Get("X-LI-Signature"), "partner-secret"); err != nil {
			t.Errorf("signature: %v", err)
		}
		n, err := rsc.ParseJobResync(body)
		if err != nil {
			t.Errorf("body %s: %v", body, err)
		}
		got = append(got, n)
		w.WriteHeader(status)
	}))
	t.Cleanup(hook.Close)
	ctx := t.Context()
	if s, err := e.cust.SendJobResync(ctx, hook.URL, []string{"J2"}, false); s != 200 || err != nil {
		t.Fatalf("SendJobResync: %d %v", s, err)
	}
	if s, err := e.cust.SendJobResync(ctx, hook.URL, nil, true); s != 200 || err != nil {
		t.Fatalf("SendJobResync all: %d %v", s, err)
	}
	status = http.StatusInternalServerError
	if s, err := e.cust.SendJobResync(ctx, hook.URL, []string{"J9"}, false); s != 500 || err != nil {
		t.Fatalf("SendJobResync refused: %d %v", s, err)
	}
	app := e.cust.AppKey
	want := []rsc.JobResync{
		{DeveloperApplication: app, Type: rsc.JobResyncType, ExternalJobPostingIDs: []string{"J2"}},
		{DeveloperApplication: app, Type: rsc.JobResyncType, SyncAllOpenJobs: true},
		{DeveloperApplication: app, Type: rsc.JobResyncType, ExternalJobPostingIDs: []string{"J9"}},
	}
	if d := cmp.Diff(want, got); d != "" {
		t.Errorf("notifications (-want +got):\n%s", d)
	}
	owed := map[string]time.Time{"J1": t0, "J2": t0}
	if d := cmp.Diff(owed, e.cust.JobResyncsOwed()); d != "" {
		t.Errorf("owed (-want +got):\n%s", d)
	}
	e.postJobs(jobElem("J1", "UPDATE")).want(t, 200)
	if d := cmp.Diff(map[string]time.Time{"J2": t0}, e.cust.JobResyncsOwed()); d != "" {
		t.Errorf("owed after J1's UPDATE (-want +got):\n%s", d)
	}
}

// A fake in another process is driven to validate the webhook and to send
// a notification through its admin endpoints.
func TestJobResyncAdminEndpoints(t *testing.T) {
	t.Parallel()
	e := newEnv(t, rsctest.WithPartner("pid", "partner-secret"))
	e.postJobs(jobElem("J1", "CREATE")).want(t, 200)
	var bodies []string
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if code := r.URL.Query().Get("challengeCode"); r.Method == http.MethodGet {
			json.NewEncoder(w).Encode(map[string]string{"challengeCode": code, "challengeResponse": rsc.WebhookChallengeResponse(code, "partner-secret")})
			return
		}
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
	}))
	t.Cleanup(hook.Close)
	post := func(path string) resp { return e.reqTok("", "POST", path, nil, "Content-Type: application/json") }
	if d := cmp.Diff(map[string]any{"valid": true}, post("/_rsctest/webhooks/validate?url="+url.QueryEscape(hook.URL)).want(t, 200).body); d != "" {
		t.Errorf("validate (-want +got):\n%s", d)
	}
	if r := post("/_rsctest/webhooks/validate?url="+url.QueryEscape(hook.URL+"/x")).want(t, 200); r.body["valid"] != true {
		t.Errorf("validate at another path: %v", r.body)
	}
	if d := cmp.Diff(map[string]any{"status": float64(200)}, post("/_rsctest/customers/"+org+"/jobResync?all=true&url="+url.QueryEscape(hook.URL)).want(t, 200).body); d != "" {
		t.Errorf("jobResync (-want +got):\n%s", d)
	}
	want := []string{`{"developerApplicationUrn":"` + e.cust.AppKey + `","syncAllOpenJobs":true,"type":"RESYNC_JOBS"}`}
	if d := cmp.Diff(want, bodies); d != "" {
		t.Errorf("bodies (-want +got):\n%s", d)
	}
	if got := e.cust.Snapshot().JobResyncsOwed; len(got) != 1 || got["J1"].IsZero() {
		t.Errorf("owed %v, want J1", got)
	}
}
