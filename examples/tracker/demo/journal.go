package demo

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync"

	"github.com/rscgo/rscgo/rsc/rsctest"
)

// Real LinkedIn keeps what it acknowledged when the ATS restarts; the
// in-process fake lives in memory and would not. So that "kill the demo and
// start it again" means what it would in production, the fake writes a
// journal of everything that changed it (the API requests it served and the
// simulated LinkedIn-side actions), in the order it served them, and a
// restarted demo replays the journal into a new fake before it continues.
// The fake draws its ids (tokens, job tasks, conversations) from a seeded
// source, so serving the same requests in the same order rebuilds the same
// state with the same ids.
//
// None of this is needed against a real server: it is the fake's
// persistence, not part of an integration. The journal holds no secret:
// token requests are recorded by client id, API requests by the client id
// of their bearer token, and the replay authenticates with the credentials
// the fake itself holds.

// journalEntry is one line of the journal.
type journalEntry struct {
	Kind string `json:"k"` // "token", "api" or "sim"
	// Client is the client id that authenticated (token) or whose token
	// was presented (api; empty for unauthenticated requests).
	Client string            `json:"c,omitempty"`
	Method string            `json:"m,omitempty"`
	URL    string            `json:"u,omitempty"` // path and query
	Header map[string]string `json:"h,omitempty"` // without Authorization
	Body   string            `json:"b,omitempty"` // base64
	Sim    *simOp            `json:"s,omitempty"`
}

// journal serialises the fake and appends to the journal file. Each entry
// is written (one write call) before the response is returned, so anything
// the demo saw acknowledged survives a kill.
type journal struct {
	mu     sync.Mutex
	f      *os.File
	srv    *rsctest.Server
	inner  http.RoundTripper
	tokens map[string]string // access token → client id
	err    error             // the first write error; later calls fail with it
}

// openJournal opens (creating) the journal at path, replays it into srv
// and returns it ready to record. replayed counts the entries replayed.
func openJournal(path string, srv *rsctest.Server) (j *journal, replayed int, err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, 0, err
	}
	j = &journal{f: f, srv: srv, inner: srv.Transport(), tokens: map[string]string{}}
	good, n, err := j.replay(f)
	if err != nil {
		f.Close()
		return nil, 0, fmt.Errorf("demo: replaying %s: %w", path, err)
	}
	// Drop a torn last line (the process was killed mid-write).
	if err := f.Truncate(good); err != nil {
		f.Close()
		return nil, 0, err
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, 0, err
	}
	return j, n, nil
}

func (j *journal) close() error { return j.f.Close() }

// replay serves every complete entry of r to the fake, in order. It returns
// the offset after the last complete entry.
func (j *journal) replay(r io.Reader) (good int64, n int, err error) {
	br := bufio.NewReaderSize(r, 1<<20)
	for {
		line, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			return good, n, nil // an incomplete last line is dropped
		}
		if err != nil {
			return good, n, err
		}
		var e journalEntry
		if err := json.Unmarshal(line, &e); err != nil {
			return good, n, fmt.Errorf("entry %d: %w", n+1, err)
		}
		if err := j.apply(e); err != nil {
			return good, n, fmt.Errorf("entry %d: %w", n+1, err)
		}
		good += int64(len(line))
		n++
	}
}

// apply serves one journalled entry to the fake.
func (j *journal) apply(e journalEntry) error {
	switch e.Kind {
	case "sim":
		_, err := e.Sim.apply(j.srv)
		return err
	case "token":
		secret, ok := j.secretOf(e.Client)
		if !ok {
			return fmt.Errorf("token for unknown client %q", e.Client)
		}
		form := url.Values{"grant_type": {"client_credentials"}, "client_id": {e.Client}, "client_secret": {secret}}
		body := []byte(form.Encode())
		req := httptest.NewRequest(http.MethodPost, "/oauth/v2/accessToken", nil)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		_, err := j.serve(req, body)
		return err
	case "api":
		body, err := base64.StdEncoding.DecodeString(e.Body)
		if err != nil {
			return err
		}
		req := httptest.NewRequest(e.Method, e.URL, nil)
		for k, v := range e.Header {
			req.Header.Set(k, v)
		}
		if e.Client != "" {
			for tok, c := range j.tokens {
				if c == e.Client {
					req.Header.Set("Authorization", "Bearer "+tok)
				}
			}
		}
		_, err = j.serve(req, body)
		return err
	}
	return fmt.Errorf("unknown entry kind %q", e.Kind)
}

// secretOf returns the client secret the fake holds for a client id.
func (j *journal) secretOf(clientID string) (string, bool) {
	if id, secret := j.srv.PartnerCredentials(); id == clientID {
		return secret, true
	}
	if cu := j.srv.Customer(clientID); cu != nil {
		return cu.ClientSecret, true
	}
	return "", false
}

// serve passes req, whose body is body, to the fake in-process and
// remembers issued tokens. The caller holds j.mu (or is replaying).
func (j *journal) serve(req *http.Request, body []byte) (*http.Response, error) {
	req.Body = io.NopCloser(bytes.NewReader(body))
	resp, err := j.inner.RoundTrip(req)
	if err != nil {
		return nil, err
	}
	if req.URL.Path == "/oauth/v2/accessToken" && resp.StatusCode == http.StatusOK {
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return nil, err
		}
		resp.Body = io.NopCloser(bytes.NewReader(b))
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if json.Unmarshal(b, &tok) == nil && tok.AccessToken != "" {
			if id := tokenClient(req, body); id != "" {
				j.tokens[tok.AccessToken] = id
			}
		}
	}
	return resp, nil
}

// tokenClient returns the client id of a token request (form or Basic
// auth), given its body.
func tokenClient(req *http.Request, body []byte) string {
	if form, err := url.ParseQuery(string(body)); err == nil && form.Get("client_id") != "" {
		return form.Get("client_id")
	}
	id, _, _ := req.BasicAuth()
	return id
}

// RoundTrip implements http.RoundTripper: the SDK's clients talk to the
// fake through it.
func (j *journal) RoundTrip(req *http.Request) (*http.Response, error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	var body []byte
	if req.Body != nil {
		var err error
		body, err = io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
	}
	r := req.Clone(req.Context())

	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return nil, j.err
	}
	resp, err := j.serve(r, body)
	if err != nil {
		return nil, err
	}
	e := journalEntry{Kind: "api", Method: req.Method, URL: req.URL.RequestURI(), Header: map[string]string{}}
	if req.URL.Path == "/oauth/v2/accessToken" {
		if resp.StatusCode != http.StatusOK {
			return resp, nil // a refused token request changes nothing
		}
		e = journalEntry{Kind: "token", Client: tokenClient(r, body)}
	} else {
		for k := range req.Header {
			if k != "Authorization" {
				e.Header[k] = req.Header.Get(k)
			}
		}
		if tok, ok := strings.CutPrefix(req.Header.Get("Authorization"), "Bearer "); ok {
			e.Client = j.tokens[tok]
		}
		e.Body = base64.StdEncoding.EncodeToString(body)
	}
	if err := j.write(e); err != nil {
		return nil, err
	}
	resp.Request = req
	return resp, nil
}

// act runs a simulated action under the lock and journals it if it
// succeeded.
func (j *journal) act(op simOp, fn func() error) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.err != nil {
		return j.err
	}
	if err := fn(); err != nil {
		return err
	}
	return j.write(journalEntry{Kind: "sim", Sim: &op})
}

func (j *journal) write(e journalEntry) error {
	b, err := json.Marshal(e)
	if err != nil {
		return err
	}
	if _, err := j.f.Write(append(b, '\n')); err != nil {
		j.err = fmt.Errorf("demo: writing the fake's journal: %w", err)
		return j.err
	}
	return nil
}
