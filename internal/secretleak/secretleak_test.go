package secretleak

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rscgo/rscgo/inmail"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/onboarding"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// Distinctive secrets, so that a substring search is reliable. They hold
// characters that URL, JSON, HTML and Go quoting change, so that a secret
// leaked in an encoded form is found too (see encodings).
const (
	partnerID      = "partner-app-1"
	partnerSecret  = `SECRET-partner+xyz/7f3a=9c&"<é> %`
	customerID     = "customer-app-1"
	customerSecret = `SECRET-customer xyz\91bc4e?#'é`
	wrongSecret    = "SECRET-wrong+xyz/00d1e5=&<>"
	org            = "urn:li:organization:777"
	contract       = "urn:li:contract:888"
	callbackURL    = "https://ats.example/rsc/push/acme"
)

// capture collects every piece of text the SDK produced.
type capture struct {
	mu     sync.Mutex
	text   bytes.Buffer // slog text handler
	json   bytes.Buffer // slog JSON handler
	hooks  []string     // %+v of every hook payload
	errs   []string     // err.Error() and %+v of every error
	other  []string     // reports, dead letters, request log...
	tokens []string     // every access token the fake issued

	requests, responses, retries, throttled int
	statuses                                map[int]int
}

func (c *capture) logger() *slog.Logger {
	opts := &slog.HandlerOptions{Level: slog.LevelDebug, AddSource: true}
	return slog.New(slog.NewMultiHandler(
		slog.NewTextHandler(&lockedWriter{mu: &c.mu, w: &c.text}, opts),
		slog.NewJSONHandler(&lockedWriter{mu: &c.mu, w: &c.json}, opts)))
}

type lockedWriter struct {
	mu *sync.Mutex
	w  io.Writer
}

func (w *lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.w.Write(p)
}

func (c *capture) hook(kind string, v any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.hooks = append(c.hooks, kind+": "+fmt.Sprintf("%+v", v)+" "+fmt.Sprintf("%#v", v))
	switch x := v.(type) {
	case rsc.RequestInfo:
		c.requests++
	case rsc.ResponseInfo:
		c.responses++
		c.statuses[x.StatusCode]++
		if x.Err != nil {
			c.errs = append(c.errs, x.Err.Error(), fmt.Sprintf("%+v", x.Err))
		}
	case rsc.RetryInfo:
		c.retries++
		if x.Err != nil {
			c.errs = append(c.errs, x.Err.Error(), fmt.Sprintf("%+v", x.Err))
		}
	case rsc.ThrottleInfo:
		c.throttled++
	}
}

func (c *capture) hooksOption() rsc.Option {
	return rsc.WithHooks(rsc.Hooks{
		OnRequest:   func(i rsc.RequestInfo) { c.hook("request", i) },
		OnResponse:  func(i rsc.ResponseInfo) { c.hook("response", i) },
		OnRetry:     func(i rsc.RetryInfo) { c.hook("retry", i) },
		OnThrottled: func(i rsc.ThrottleInfo) { c.hook("throttled", i) },
	})
}

// err records an error from any layer (nil is ignored) and returns it.
func (c *capture) err(err error) error {
	if err == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.errs = append(c.errs, err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err))
	for u := errors.Unwrap(err); u != nil; u = errors.Unwrap(u) {
		c.errs = append(c.errs, fmt.Sprintf("%+v", u))
	}
	return err
}

func (c *capture) keep(v ...any) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, x := range v {
		c.other = append(c.other, fmt.Sprintf("%+v", x), fmt.Sprintf("%#v", x))
		if b, err := json.Marshal(x); err == nil {
			c.other = append(c.other, string(b))
		}
	}
}

// tokenRecorder wraps the fake's transport and records every access token
// its token endpoint issues. It also answers 503 to the next fail503
// candidate writes, so that retries are certain.
type tokenRecorder struct {
	c       *capture
	next    http.RoundTripper
	mu      sync.Mutex
	fail503 int
}

func (t *tokenRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	t.mu.Lock()
	fail := t.fail503 > 0 && strings.Contains(req.URL.Path, "/atsCandidates")
	if fail {
		t.fail503--
	}
	t.mu.Unlock()
	if fail {
		return &http.Response{StatusCode: http.StatusServiceUnavailable, Status: "503 Service Unavailable", Request: req,
			Header: http.Header{"Content-Type": {"application/json"}},
			Body:   io.NopCloser(strings.NewReader(`{"message":"Service unavailable","status":503}`))}, nil
	}
	resp, err := t.next.RoundTrip(req)
	if err == nil && strings.Contains(req.URL.Path, "/notes") {
		return t.echo(req, resp), nil
	}
	if err != nil || !strings.HasSuffix(req.URL.Path, "/oauth/v2/accessToken") {
		return resp, err
	}
	body, rerr := io.ReadAll(resp.Body)
	resp.Body.Close()
	resp.Body = io.NopCloser(bytes.NewReader(body))
	if rerr != nil {
		return resp, nil
	}
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if json.Unmarshal(body, &tr) == nil && tr.AccessToken != "" {
		t.c.mu.Lock()
		t.c.tokens = append(t.c.tokens, tr.AccessToken)
		t.c.mu.Unlock()
	}
	return resp, nil
}

// echoMarker starts what echo adds to LinkedIn's per-record messages.
const echoMarker = "LinkedIn echoed:"

// echo makes LinkedIn refuse note N100% with a message quoting the
// customer's client secret (raw, URL- and JSON-encoded) and the request's
// bearer token, as a careless server might: dead-letter reasons, which keep
// LinkedIn's message, must not hold them.
func (t *tokenRecorder) echo(req *http.Request, resp *http.Response) *http.Response {
	var batch struct {
		Errors  map[string]any `json:"errors"`
		Results map[string]any `json:"results"`
	}
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err == nil && json.Unmarshal(body, &batch) == nil && batch.Results["N100%"] != nil {
		js, _ := json.Marshal(customerSecret)
		delete(batch.Results, "N100%")
		batch.Errors["N100%"] = map[string]any{"status": 400, "message": fmt.Sprintf("%s %s %s %s %s", echoMarker,
			customerSecret, url.QueryEscape(customerSecret), strings.Trim(string(js), `"`), req.Header.Get("Authorization"))}
		body, _ = json.Marshal(batch)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Del("Content-Length")
	return resp
}

// handlerRT routes the fake's push POSTs to an in-process handler.
type handlerRT struct {
	mu sync.Mutex
	h  http.Handler
}

func (t *handlerRT) RoundTrip(req *http.Request) (*http.Response, error) {
	t.mu.Lock()
	h := t.h
	t.mu.Unlock()
	w := httptest.NewRecorder()
	if h == nil {
		w.WriteHeader(http.StatusServiceUnavailable)
	} else {
		h.ServeHTTP(w, req)
	}
	resp := w.Result()
	resp.Request = req
	return resp, nil
}

func TestNoSecretLeaks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := &capture{statuses: map[int]int{}}
		ctx := t.Context()
		log := c.logger()
		push := &handlerRT{}
		srv := rsctest.NewServer(rsctest.WithoutListener(), rsctest.WithPartner(partnerID, partnerSecret),
			rsctest.WithJobTaskLatency(0), rsctest.WithHTTPClient(&http.Client{Transport: push}))
		t.Cleanup(srv.Close)
		rt := &tokenRecorder{c: c, next: srv.Transport()}
		opts := func(id, secret string) []rsc.Option {
			return []rsc.Option{rsc.WithBaseURL(srv.URL()), rsc.WithTokenURL(srv.TokenURL()), rsc.WithTransport(rt),
				rsc.WithCredentials(id, secret), rsc.WithLogger(log), c.hooksOption(),
				rsc.WithRetryPolicy(rsc.RetryPolicy{MaxAttempts: 6, MinWait: 100 * time.Millisecond, MaxWait: 2 * time.Second})}
		}
		must := func(err error) {
			t.Helper()
			if c.err(err) != nil {
				t.Fatal(err)
			}
		}

		// Partner token and provisioning through onboarding.
		partner, err := rsc.NewClient(opts(partnerID, partnerSecret)...)
		must(err)
		secrets, err := onboarding.NewFileSecretStore(t.TempDir())
		must(err)
		prov, err := onboarding.NewProvisioner(partner, secrets, onboarding.WithLogger(log))
		must(err)
		app, err := prov.Ensure(ctx, onboarding.ProvisionSpec{ForeignID: "acme-main", Name: "Tracker - Acme",
			Domains: []string{"https://ats.example"}})
		must(err)
		c.keep(app)
		provisioned := srv.CustomerByForeignID("acme-main")
		if provisioned == nil {
			t.Fatal("provisioned customer not on the fake")
		}
		// Errors from onboarding: a bad spec, an unknown foreign id.
		_, err = prov.Ensure(ctx, onboarding.ProvisionSpec{ForeignID: "x", Name: "My LinkedIn app"})
		c.err(err)
		_, err = prov.Lookup(ctx, "nobody")
		if c.err(err) == nil {
			t.Error("Lookup of an unknown foreign id succeeded")
		}
		provClient, err := prov.CustomerClient(ctx, app.SecretRef)
		must(err)
		_, err = provClient.Candidates.Upsert(ctx, []rsc.Candidate{candidate(provisioned.Organization, "P1", time.Now())})
		must(err)

		// A wrong secret: the token endpoint refuses.
		wrong, err := rsc.NewClient(opts(customerID, wrongSecret)...)
		must(err)
		_, err = wrong.Candidates.Upsert(ctx, []rsc.Candidate{candidate(org, "W1", time.Now())})
		if c.err(err) == nil {
			t.Error("a wrong client secret was accepted")
		}

		// The customer used for sync and retrieval.
		cust := srv.AddCustomer(rsctest.CustomerSpec{ClientID: customerID, ClientSecret: customerSecret, Organization: org,
			Contracts: []string{contract}})
		cust.SetCompanyAccess(true)
		cust.SetContractAccess(true)
		enabledAt := time.Now()
		client, err := rsc.NewClient(opts(customerID, customerSecret)...)
		must(err)
		info, err := client.IntrospectToken(ctx)
		must(err)
		c.keep(info)
		_, err = wrong.IntrospectToken(ctx)
		if c.err(err) == nil {
			t.Error("a wrong client secret introspected a token")
		}

		// Historical sync with per-record errors (client-side and LinkedIn-side).
		src := rscsync.NewSliceSource()
		now := time.Now()
		src.PutJobs(rscsync.Job{Posting: job("J1", now), ModifiedAt: now.Add(-time.Hour)},
			rscsync.Job{Posting: job("J2", now), ModifiedAt: now.Add(-time.Hour)})
		bad := candidate(org, "C-bad", now)
		bad.EmailAddresses = []string{"not-an-email"}
		src.PutCandidates(rscsync.Candidate{Record: candidate(org, "C1", now), ModifiedAt: now.Add(-time.Hour)},
			rscsync.Candidate{Record: bad, ModifiedAt: now.Add(-time.Hour)})
		ck := rsc.CandidateKey{IntegrationContext: org, CandidateID: "C1"}
		src.PutActivities(
			rscsync.Activity{Kind: rscsync.KindCandidateNote, Candidate: ck, Note: rsc.Note{ID: "N1", Note: "ok", CreatedAt: rsc.Millis(now)}, ModifiedAt: now.Add(-time.Hour)},
			// LinkedIn refuses this note, quoting secrets (tokenRecorder.echo).
			rscsync.Activity{Kind: rscsync.KindCandidateNote, Candidate: ck, Note: rsc.Note{ID: "N100%", Note: "x", CreatedAt: rsc.Millis(now)}, ModifiedAt: now.Add(-time.Hour)})
		dl := rscsync.NewMemoryDeadLetters()
		eng, err := rscsync.NewEngine(client, "acme", src, rscsync.WithLogger(log), rscsync.WithDeadLetters(dl),
			rscsync.WithTaskPollInterval(time.Second), rscsync.WithProgress(func(p rscsync.Progress) { c.keep(p) }))
		must(err)
		rep, err := eng.Run(ctx)
		must(err)
		c.keep(rep)

		// Incremental sync under fire: the token is revoked (401, refresh,
		// resend), candidate writes get two 503s, applications two 429s.
		later := time.Now()
		for i := range 20 {
			id := fmt.Sprintf("C%d", 10+i)
			src.PutCandidates(rscsync.Candidate{Record: candidate(org, id, later), ModifiedAt: later})
		}
		src.PutApplications(rscsync.Application{Record: application("A1", later), Stages: []rsc.Stage{{ID: "S1", Stage: "Hired", CreatedAt: rsc.Millis(later)}}, ModifiedAt: later})
		if n := srv.RevokeTokens(customerID); n == 0 {
			t.Error("no customer token to revoke")
		}
		rt.mu.Lock()
		rt.fail503 = 2
		rt.mu.Unlock()
		srv.Burst429("atsApplications", 2)
		rep, err = eng.Run(ctx)
		must(err)
		c.keep(rep)
		echoed := 0
		for d, err := range dl.List(ctx, "acme") {
			c.err(err)
			c.keep(d)
			if strings.Contains(d.Reason, echoMarker) {
				echoed++
			}
		}
		if echoed == 0 {
			t.Error("no dead letter kept LinkedIn's echoing message, so the check proves nothing")
		}

		// A cancelled context in the middle of a run.
		for i := range 30 {
			id := fmt.Sprintf("C%d", 100+i)
			src.PutCandidates(rscsync.Candidate{Record: candidate(org, id, time.Now()), ModifiedAt: time.Now()})
		}
		cctx, cancel := context.WithCancel(ctx)
		srv.SetFaults(rsctest.Fault{Route: "atsCandidates", Latency: time.Second})
		time.AfterFunc(500*time.Millisecond, cancel)
		_, err = eng.Run(cctx)
		if c.err(err) == nil || !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled run: %v", err)
		}
		srv.SetFaults()
		rep, err = eng.Run(ctx)
		must(err)
		c.keep(rep)

		// Retrieval: seats, InMail, exports through the push handler.
		for _, m := range []rsctest.MemberSpec{{FirstName: "Rita", LastName: "Recruiter", Email: "rita@ats.example"},
			{FirstName: "Ann", LastName: "Lee", Email: "ann@example.com"}} {
			srv.AddMember(m)
		}
		members := srv.Members()
		seat, err := cust.AddSeat(rsctest.SeatSpec{Member: members[0].Person})
		must(err)
		_, err = client.Integrations.SetConfig(ctx, rsc.IntegrationKey{IntegrationContext: org, Type: rsc.OneClickExport},
			map[rsc.ConfigKey]string{rsc.ConfigCallbackURL: callbackURL})
		must(err)
		sink := inmail.NewMemorySink()
		sink.AddUser("U-rita", members[0].Person)
		state := func(context.Context) (milestones.State, error) {
			acc := milestones.Access{CompanyLevel: true, ContractLevel: true}
			ps := cust.ProductSettings()
			return milestones.State{Enabled: true, EnabledAt: enabledAt, Access: acc,
				Settings: ps}, nil
		}
		r, err := inmail.New(inmail.Config{CustomerID: "acme", Client: client, Organization: org, Contracts: []string{contract},
			Sink: sink, State: state}, inmail.WithLogger(log))
		must(err)
		rh, err := r.PushHandler(func(context.Context) (string, error) { return customerSecret, nil },
			inmail.WithExportErrors(func(id string, err error) { c.err(err) }))
		must(err)
		defer rh.Close()
		push.mu.Lock()
		push.h = rh
		push.mu.Unlock()
		seats, err := r.RefreshSeats(ctx)
		must(err)
		c.keep(seats)
		conv, err := cust.SendInMail(seat.URN, members[1].Person, "Hello", "A confidential message body")
		must(err)
		time.Sleep(time.Minute)
		must(cust.ReplyInMail(conv, "Sure, call me", true))
		time.Sleep(10 * time.Minute)
		run, err := r.RunOnce(ctx)
		c.err(err)
		c.keep(run)
		_, err = cust.Export(seat.URN, members[1].Person, "J1")
		must(err)
		_, err = srv.DeliverPushes(ctx)
		must(err)
		must(rh.Wait(ctx))
		last := cust.Pushes()[len(cust.Pushes())-1]
		for _, sig := range []string{"hmacsha256=" + strings.Repeat("0", 64), last.Signature} {
			req := httptest.NewRequest(http.MethodPost, "/rsc/push/acme", bytes.NewReader(last.Body))
			req.Header.Set(rsc.SignatureHeader, sig)
			w := httptest.NewRecorder()
			rh.ServeHTTP(w, req)
			c.keep(w.Code, w.Body.String(), w.Header())
		}
		must(rh.Wait(ctx))
		if len(sink.Candidates()) == 0 {
			t.Error("the export created no candidate")
		}

		// onboarding's push handler: a customer provisioned by the flow (its
		// secret in the file store) gets a status-change push with a bad and
		// a good signature.
		flow, err := onboarding.NewFlow(onboarding.FlowConfig{Partner: partner, PushBase: "https://ats.example/rsc/push",
			ATSName: "Tracker", Domains: []string{"https://ats.example"}},
			onboarding.WithSecretStore(secrets), onboarding.WithLogger(log), onboarding.WithAssumeSignedIn(),
			onboarding.WithCustomerOptions(rsc.WithLogger(log), c.hooksOption()))
		must(err)
		p, err := flow.Advance(ctx, "flowcust", onboarding.Input{ToggleOn: true, Consent: &onboarding.ConsentAnswer{Accept: true, By: "admin"}})
		must(err)
		c.keep(p)
		flowCust := srv.CustomerByForeignID("flowcust")
		if p.Step != onboarding.StepWidget || flowCust == nil {
			t.Fatalf("flow customer not provisioned: %+v", p)
		}
		reqID := flowCust.NotifyPartner()
		var body []byte
		var sig string
		for _, p := range flowCust.Pushes() {
			if p.ID == reqID {
				body, sig = p.Body, p.Signature
			}
		}
		if len(body) == 0 || sig == "" {
			t.Fatal("no signed INTEGRATION_STATUS_CHANGE push to replay")
		}
		ph, err := flow.PushHandler("/rsc/push")
		must(err)
		codes := map[string]int{}
		for name, s := range map[string]string{"bad": "hmacsha256=deadbeef", "good": sig} {
			req := httptest.NewRequest(http.MethodPost, "/rsc/push/flowcust", bytes.NewReader(body))
			req.Header.Set(rsc.SignatureHeader, s)
			w := httptest.NewRecorder()
			ph.ServeHTTP(w, req)
			codes[name] = w.Code
			c.keep(w.Body.String())
		}
		must(ph.Wait(ctx))
		ph.Close()
		if codes["bad"] != http.StatusUnauthorized || codes["good"] != http.StatusOK {
			t.Errorf("push handler answered %v, want bad 401 and good 200", codes)
		}
		c.keep(srv.Requests())

		// The run really exercised what the leak check relies on.
		switch {
		case c.text.Len() == 0 || c.json.Len() == 0:
			t.Fatal("nothing was logged")
		case c.requests == 0 || c.responses == 0:
			t.Errorf("hooks saw %d requests, %d responses", c.requests, c.responses)
		case c.retries == 0:
			t.Error("no retry was observed")
		case c.statuses[http.StatusUnauthorized] == 0:
			t.Errorf("no 401 was observed: statuses %v", c.statuses)
		case c.statuses[http.StatusTooManyRequests] == 0 || c.statuses[http.StatusServiceUnavailable] == 0:
			t.Errorf("no 429 or 503 was observed: statuses %v", c.statuses)
		case len(c.errs) == 0:
			t.Error("no error was captured")
		case len(c.tokens) < 4:
			t.Errorf("only %d tokens were issued; want partner, provisioned customer, customer and its refresh", len(c.tokens))
		}
		t.Logf("captured: %d bytes of text logs, %d of JSON logs, %d hook events (%d retries, %d throttled), %d error strings, %d tokens, statuses %v",
			c.text.Len(), c.json.Len(), len(c.hooks), c.retries, c.throttled, len(c.errs), len(c.tokens), c.statuses)

		secretsToFind := map[string]string{"partner secret": partnerSecret, "customer secret": customerSecret,
			"wrong secret": wrongSecret, "provisioned customer secret": provisioned.ClientSecret,
			"flow customer secret": flowCust.ClientSecret}
		for i, tok := range c.tokens {
			secretsToFind[fmt.Sprintf("access token #%d", i)] = tok
		}
		corpus := map[string]string{"text log": c.text.String(), "JSON log": c.json.String(),
			"hooks": strings.Join(c.hooks, "\n"), "errors": strings.Join(c.errs, "\n"), "reports and state": strings.Join(c.other, "\n")}
		bearer := regexp.MustCompile(`(?i)bearer\s+[A-Za-z0-9._~+/-]{8,}`)
		for where, text := range corpus {
			for what, secret := range secretsToFind {
				for how, form := range encodings(secret) {
					if i := strings.Index(text, form); i >= 0 {
						t.Errorf("LEAK: %s (%s) found in %s: ...%s...", what, how, where, around(text, i, len(form)))
					}
				}
			}
			if loc := bearer.FindStringIndex(text); loc != nil {
				t.Errorf("LEAK: a bearer credential in %s: ...%s...", where, around(text, loc[0], loc[1]-loc[0]))
			}
			if i := strings.Index(strings.ToLower(text), "authorization:"); i >= 0 {
				t.Errorf("LEAK: an Authorization header in %s: ...%s...", where, around(text, i, 14))
			}
		}
	})
}

// encodings returns the forms a secret takes in logs, JSON, URLs and Go
// quoting: a leak in any of them is a leak.
func encodings(secret string) map[string]string {
	js, _ := json.Marshal(secret)
	var raw bytes.Buffer
	enc := json.NewEncoder(&raw)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(secret)
	out := map[string]string{
		"raw": secret, "JSON": strings.Trim(string(js), `"`), "JSON without HTML escaping": strings.Trim(strings.TrimSpace(raw.String()), `"`),
		"URL query": url.QueryEscape(secret), "URL path": url.PathEscape(secret), "Go quoted": strings.Trim(strconv.Quote(secret), `"`),
		"Go quoted ASCII": strings.Trim(strconv.QuoteToASCII(secret), `"`),
	}
	return out
}

func around(s string, i, n int) string {
	lo, hi := max(0, i-80), min(len(s), i+n+40)
	return s[lo:hi]
}

func candidate(ctx, id string, at time.Time) rsc.Candidate {
	return rsc.Candidate{Key: rsc.CandidateKey{IntegrationContext: ctx, CandidateID: id}, FirstName: "Ann", LastName: "Lee",
		EmailAddresses: []string{strings.ToLower(id) + "@example.com"}, ExternalProfileURL: "https://ats.example/c/" + id,
		CreatedAt: rsc.Millis(at.Add(-time.Hour)), LastModifiedAt: rsc.Millis(at.Add(-time.Minute))}
}

func application(id string, at time.Time) rsc.Application {
	return rsc.Application{Key: rsc.ApplicationKey{IntegrationContext: org, ApplicationID: id}, CandidateID: "C1",
		JobPostingID: "J1", JobPostingName: "Go Engineer", CandidateEmail: "c1@example.com", FirstName: "Ann", LastName: "Lee",
		CreatedAt: rsc.Millis(at.Add(-time.Hour)), LastModifiedAt: rsc.Millis(at.Add(-time.Minute))}
}

func job(id string, at time.Time) rsc.JobPosting {
	return rsc.JobPosting{ExternalJobPostingID: id, IntegrationContext: org, CompanyApplyURL: "https://ats.example/apply/" + id,
		Title: "Go Engineer", Description: strings.Repeat("Build and run the systems that power our hiring platform. ", 3),
		ListedAt: rsc.Millis(at.Add(-2 * time.Hour)), Location: "London, United Kingdom", PosterEmail: "recruiter@example.com", Availability: rsc.AvailabilityPublic,
		WorkplaceTypes: []string{"On-site"}}
}
