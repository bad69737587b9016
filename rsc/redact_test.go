package rsc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// A secret and a token with characters that URL and JSON encoding change.
const (
	trickySecret = `s3cr+t/"&<x> é`
	trickyToken  = `AQV+tok/en="&1`
)

// encodedForms returns s as a server might echo it: raw, URL-encoded (query
// and path, upper- and lower-case hex), and each of those JSON-encoded (with
// and without HTML escaping).
func encodedForms(s string) []string {
	lowerHex := regexp.MustCompile(`%[0-9A-F]{2}`)
	var forms []string
	for _, f := range []string{s, url.QueryEscape(s), url.PathEscape(s), lowerHex.ReplaceAllStringFunc(url.QueryEscape(s), strings.ToLower)} {
		js, _ := json.Marshal(f)
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.Encode(f)
		forms = append(forms, f, string(js[1:len(js)-1]), strings.Trim(strings.TrimSpace(b.String()), `"`))
	}
	return forms
}

// echoAll writes every form of every secret into the answer: headers, the
// message and the body.
func echoAll(w http.ResponseWriter, status int, auth string, secrets ...string) {
	var all []string
	for _, s := range append(secrets, auth) {
		all = append(all, encodedForms(s)...)
	}
	joined := strings.Join(all, " | ")
	w.Header().Set("X-Li-Uuid", joined)
	w.Header().Set("Www-Authenticate", auth)
	msg, _ := json.Marshal("invalid token: " + joined)
	reply(w, status, `{"message":`+string(msg)+`,"serviceErrorCode":65600,"status":`+fmt.Sprint(status)+`,"echo":`+string(msg)+`}`)
}

// Servers and proxies that echo credentials (in 401 and 500 bodies,
// headers, messages, per-entity errors and the token endpoint's error) never
// put one into an error, a log record or a hook payload.
func TestCredentialsRedacted(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var out bytes.Buffer // logs, hook payloads and every error's formats
	record := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(&out, format+"\n", args...)
	}
	hooks := Hooks{
		OnRequest:   func(i RequestInfo) { record("%+v", i) },
		OnResponse:  func(i ResponseInfo) { record("%+v %v", i, i.Err) },
		OnRetry:     func(i RetryInfo) { record("%+v %v", i, i.Err) },
		OnThrottled: func(i ThrottleInfo) { record("%+v", i) },
	}
	logs := writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return out.Write(p)
	})
	logger := slog.New(slog.NewJSONHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	textLogger := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	recordErr := func(err error) {
		if err == nil {
			t.Error("want an error")
			return
		}
		record("%v\n%+v\n%#v\n%s", err, err, err, err)
		var ae *APIError
		if errors.As(err, &ae) {
			record("%s", ae.Body)
		}
	}
	newClient := func(l *slog.Logger) (*Client, *harness) {
		c, h, _ := mockClient(t, WithCredentials("cid", trickySecret), WithLogger(l), WithHooks(hooks),
			WithRetryPolicy(RetryPolicy{MaxAttempts: 2}))
		h.onToken(func(w http.ResponseWriter, r *http.Request) {
			tok, _ := json.Marshal(trickyToken)
			reply(w, http.StatusOK, `{"access_token":`+string(tok)+`,"expires_in":1800}`)
		})
		return c, h
	}

	// 401 and 500 answers echoing the bearer header and the secret.
	for _, status := range []int{http.StatusUnauthorized, http.StatusInternalServerError, http.StatusTooManyRequests} {
		c, h := newClient(logger)
		h.route("PUT", notesURL, func(w http.ResponseWriter, s seen) {
			echoAll(w, status, s.Header.Get("Authorization"), trickySecret)
		})
		recordErr(upsertNote(t.Context(), c))
	}
	// A per-entity error echoing them inside a 200 batch answer.
	c, h := newClient(textLogger)
	h.route("PUT", notesURL, func(w http.ResponseWriter, s seen) {
		var all []string
		for _, x := range []string{trickySecret, trickyToken, s.Header.Get("Authorization")} {
			all = append(all, encodedForms(x)...)
		}
		msg, _ := json.Marshal(strings.Join(all, " | "))
		reply(w, 200, `{"results":{},"errors":{"N1":{"status":422,"message":`+string(msg)+`}}}`)
	})
	res, err := c.Candidates.UpsertNotes(t.Context(), noteKey, []Note{{ID: "N1", Note: "hi"}})
	if err != nil {
		t.Fatal(err)
	}
	recordErr(res.Err())
	recordErr(res.Items[0].Err)
	// The token endpoint refusing the client with the secret as its error code.
	c, h = newClient(logger)
	h.onToken(func(w http.ResponseWriter, r *http.Request) {
		code, _ := json.Marshal("invalid_client " + strings.Join(encodedForms(trickySecret), " "))
		reply(w, 401, `{"error":`+string(code)+`,"error_description":"client_secret `+url.QueryEscape(trickySecret)+`"}`)
	})
	recordErr(upsertNote(t.Context(), c))

	all := out.String()
	for _, want := range []string{"invalid token", "rsc: http", "&rsc.APIError{", "&rsc.RateLimitError{", "&rsc.BatchError{",
		"&rsc.EntityError{", "&rsc.AuthError{", redactedText} {
		if !strings.Contains(all, want) {
			t.Fatalf("%q not captured; the test would pass vacuously:\n%s", want, all)
		}
	}
	for _, s := range []string{trickySecret, trickyToken} {
		for _, form := range encodedForms(s) {
			if strings.Contains(all, form) {
				t.Errorf("%q (a form of %q) leaked:\n%s", form, s, all)
			}
		}
	}
}

// writerFunc adapts a function to io.Writer.
type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// A token endpoint answering a form-encoded error that echoes the secret
// unescaped: oauth2 reads it as url.ParseQuery does ('+' becomes a space,
// %XX its byte), and that form of the secret is redacted from the
// *AuthError too, whose code, redacted and so no longer one word, is then
// not kept.
func TestSecretRedactedInFormTokenError(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ secret, decoded string }{
		{"WPL_AP1.s3cr3t+/=value", "WPL_AP1.s3cr3t /=value"},
		{"pl+us+and%41%42", "pl us andAB"},
	} {
		t.Run(tc.secret, func(t *testing.T) {
			t.Parallel()
			c, h, _ := mockClient(t, WithCredentials("cid", tc.secret))
			h.onToken(func(w http.ResponseWriter, r *http.Request) {
				r.ParseForm()
				w.Header().Set("Content-Type", "application/x-www-form-urlencoded")
				reply(w, http.StatusBadRequest, "error=bad_secret:"+r.PostForm.Get("client_secret"))
			})
			err := upsertNote(t.Context(), c)
			var ae *AuthError
			if !errors.As(err, &ae) || ae.Code != "unrecognised error code" {
				t.Fatalf("err = %#v, want an *AuthError without the code", err)
			}
			if all := fmt.Sprintf("%v %+v %#v", err, err, ae); strings.Contains(all, tc.decoded) || strings.Contains(all, tc.secret) {
				t.Errorf("secret leaked: %s", all)
			}
		})
	}
}

// A server (or proxy) that echoes the Authorization header and the client
// secret into a response field the client cannot decode never puts them
// into the error: every decode error that may quote the answer (a finder's
// page, a collection, a batch_get and its records, a batch write's answer,
// job tasks, configuration values, provisioned applications) is redacted.
// The secret and token are digits, so that they can also be echoed as a
// number too large for its field, which encoding/json quotes.
func TestDecodeErrorsRedacted(t *testing.T) {
	t.Parallel()
	const (
		secret = "98765432109876543210"
		token  = "12345678901234567890"
	)
	ik := IntegrationKey{IntegrationContext: org, Type: OneClickExport}
	for _, tc := range []struct {
		name string
		// answer is the API's answer, given the request's Authorization
		// header and the client secret.
		answer func(auth string) string
		call   func(ctx context.Context, c *Client) error
		want   string
	}{
		{"finder page (seat id)", func(auth string) string {
			return `{"elements":[{"id":"` + auth + ` ` + secret + `"}],"paging":{"start":0,"count":1}}`
		}, func(ctx context.Context, c *Client) error {
			return drain(c.Seats.List(ctx, []string{"urn:li:contract:1"}))
		}, `rsc: decoding seatsV2 page: rsc: seat id "Bearer [REDACTED] [REDACTED]" is neither a number nor urn:li:seat:{number}`},
		{"finder page (prospect note id)", func(auth string) string {
			return `{"elements":[{"id":["` + auth + `","` + secret + `"]}],"paging":{"start":0,"count":1}}`
		}, func(ctx context.Context, c *Client) error {
			return drain(c.ProspectNotes.List(ctx, "urn:li:contract:1", nil, 0, 0))
		}, `rsc: decoding prospectNotes page: rsc: prospect note id ["Bearer [REDACTED]","[REDACTED]"] is neither an integer nor a string`},
		{"collection (decodeJSON)", func(string) string {
			return `{"elements":[{"exportedAt":` + secret + `}]}`
		}, func(ctx context.Context, c *Client) error {
			_, err := c.Exports.Get(ctx, "r1")
			return err
		}, "rsc: decoding exportedCandidates response: json: cannot unmarshal number [REDACTED] into Go struct field ExportedCandidate.elements.exportedAt of type rsc.EpochMillis"},
		{"batch_get answer", func(string) string {
			return `{"results":{},"statuses":{"x":` + token + `}}`
		}, func(ctx context.Context, c *Client) error {
			_, err := c.Candidates.Get(ctx, []CandidateKey{noteKey})
			return err
		}, "rsc: decoding atsCandidates batch_get: json: cannot unmarshal number [REDACTED] into Go struct field batchGetResponse.statuses of type int"},
		{"batch_get failed key", func(auth string) string {
			return `{"results":{},"errors":{"` + auth + ` ` + secret + `":{"status":500}}}`
		}, func(ctx context.Context, c *Client) error {
			_, err := c.Integrations.Get(ctx, []IntegrationKey{ik})
			return err
		}, `rsc: atsIntegrations batch_get: LinkedIn could not read 1 record(s): "Bearer [REDACTED] [REDACTED]": 500`},
		{"batch write answer", func(string) string {
			return `{"results":{"N1":{"status":` + secret + `}}}`
		}, func(ctx context.Context, c *Client) error {
			return upsertNote(ctx, c)
		}, "rsc: PUT /atsCandidates/atsCandidateId=C1&dataProvider=ATS&integrationContext=urn:li:organization:123/notes: decoding batch response: " +
			"json: cannot unmarshal number [REDACTED] into Go struct field batchStatus.results.status of type int"},
		{"job batch_create answer", func(string) string {
			return `{"elements":[{"status":` + secret + `}]}`
		}, func(ctx context.Context, c *Client) error {
			_, err := c.Jobs.Submit(ctx, []JobPosting{testJob("J1")})
			return err
		}, "rsc: decoding simpleJobPostings response: json: cannot unmarshal number [REDACTED] into Go struct field .elements.status of type int"},
		{"job task", func(auth string) string {
			return `{"results":{"` + auth + ` ` + secret + `":1}}`
		}, func(ctx context.Context, c *Client) error {
			_, err := c.Jobs.Tasks(ctx, []string{"urn:li:simpleJobPostingTask:1"})
			return err
		}, "rsc: decoding job task Bearer [REDACTED] [REDACTED]: json: cannot unmarshal number into Go value of type rsc.JobTask"},
		{"configuration value", func(auth string) string {
			return `{"results":{"` + auth + ` ` + secret + `":1}}`
		}, func(ctx context.Context, c *Client) error {
			_, err := c.Integrations.Config(ctx, ik, "CALLBACK_URL")
			return err
		}, "rsc: decoding configuration Bearer [REDACTED] [REDACTED]: json: cannot unmarshal number into Go value of type rsc.configValue"},
		{"provisioned applications", func(string) string {
			return `{"elements":[],"paging":{"start":` + secret + `}}`
		}, func(ctx context.Context, c *Client) error {
			_, err := c.Provisioning.Lookup(ctx, "acme")
			return err
		}, "rsc: decoding provisioned applications: json: cannot unmarshal number [REDACTED] into Go struct field Paging.paging.start of type int"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := setupInProcess(t, func(w http.ResponseWriter, s seen) {
				reply(w, http.StatusOK, tc.answer(s.Header.Get("Authorization")))
			}, WithCredentials("cid", secret))
			h.onToken(func(w http.ResponseWriter, r *http.Request) {
				reply(w, http.StatusOK, `{"access_token":"`+token+`","expires_in":1800}`)
			})
			err := tc.call(t.Context(), h.client)
			if err == nil {
				t.Fatal("no error")
			}
			if diff := cmp.Diff(tc.want, err.Error()); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
			if s := fmt.Sprintf("%v %+v %#v", err, err, err); strings.Contains(s, secret) || strings.Contains(s, token) {
				t.Errorf("a credential is in the error: %s", s)
			}
		})
	}
}
