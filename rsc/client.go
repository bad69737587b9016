package rsc

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/rscgo/rscgo/internal/restli"
)

// Version is the SDK version sent in the default User-Agent.
const Version = "0.1.0"

// maxResponseBody bounds how much of a successful response is read.
const maxResponseBody = 64 << 20

// maxPreallocBody bounds the buffer allocated for a response on the word of
// its Content-Length alone; a longer one grows as it arrives.
const maxPreallocBody = 4 << 20

// maxErrorRead bounds how much of an error answer (not 2xx) is read: its
// message, and the part APIError keeps (maxErrorBody), are at its start,
// and a proxy's error page, compressed, may be huge once decompressed.
const maxErrorRead = 64 << 10

// Client talks to LinkedIn RSC as one application: the partner's parent
// application (for provisioning) or one customer's child application (for
// everything else). Create customer clients with [Client.ForCustomer]: they
// share the connection pool but never a token or a quota.
//
// A Client is safe for concurrent use. Every call given a nil context
// returns an error ("rsc: nil context") and sends nothing.
type Client struct {
	cfg    *config
	base   http.RoundTripper // shared by ForCustomer clients
	tokens *tokenCache
	red    *redactor // the client's credentials, kept out of errors, logs and hooks
	pacer  *pacer
	// linkedIn is LinkedIn's clock as the Date headers of its answers
	// tell it (LinkedInNow).
	linkedIn *linkedInClock
	// timeout bounds one attempt from the moment the pacer lets it go
	// (WithHTTPClient's Timeout; 60 s by default; 0 for none).
	timeout time.Duration
	rc      *retryablehttp.Client
	fam     family
	common  service    // shared by every service, as go-github does
	chunks  bufferPool // free recordArena chunks
	bodies  bufferPool // free batch bodies, once copied into a tunnelled request
	// tunnelled holds the bodies of tunnelled requests (pooledBody).
	tunnelled bufferPool
	answers   bufferPool       // free bodies of batch answers (call.pooledAnswer)
	batches   batchScratchPool // what batch calls need besides their bodies (sendBatch)
	// scratch is what encoding a batch of records needs, by record type.
	scratch struct {
		candidates   scratchPool[CandidateKey]
		applications scratchPool[ApplicationKey]
	}

	// Services, one per area of the API.
	Provisioning   *ProvisioningService   // customers' child applications
	Integrations   *IntegrationsService   // integrations and their configurations
	Jobs           *JobsService           // job postings and their tasks
	Candidates     *CandidatesService     // candidates and their notes
	Applications   *ApplicationsService   // applications, their notes, feedback and stages
	ACLs           *ACLsService           // job ACLs and their assignees
	Exports        *ExportsService        // 1-Click Export payloads
	Seats          *SeatsService          // Recruiter seat holders
	InMail         *InMailService         // InMail history
	MailStubs      *MailStubsService      // InMail stub profiles
	ProspectNotes  *ProspectNotesService  // Recruiter prospect notes
	ClosedProfiles *ClosedProfilesService // 1-Click Export deletion notices
}

type service struct{ c *Client }

// NewClient returns a client configured by opts. Credentials (WithCredentials)
// or a token source (WithTokenSource) are required.
func NewClient(opts ...Option) (*Client, error) {
	cfg := defaultConfig()
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(cfg); err != nil {
			return nil, err
		}
	}
	return newClient(cfg, nil)
}

// ForCustomer returns a client for a customer's child application with the
// given credentials. It shares this client's transport (connection pool) and
// options, but has its own token and its own quota counters. opts may
// override options (for example WithVersion for one customer).
func (c *Client) ForCustomer(clientID, clientSecret string, opts ...Option) (*Client, error) {
	cfg := *c.cfg
	cfg.tokenSource = nil
	cfg.clientID, cfg.clientSecret = "", ""
	if err := WithCredentials(clientID, clientSecret)(&cfg); err != nil {
		return nil, err
	}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(&cfg); err != nil {
			return nil, err
		}
	}
	return newClient(&cfg, c.base)
}

// noRedirect makes an http.Client return a redirect as it is, never
// follow it: not with a bearer token, nor with a form holding the client
// secret.
func noRedirect(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

func newClient(cfg *config, base http.RoundTripper) (*Client, error) {
	if cfg.tokenSource == nil && cfg.clientID == "" {
		return nil, errors.New("rsc: NewClient: WithCredentials or WithTokenSource is required")
	}
	timeout := 60 * time.Second
	if base == nil {
		switch {
		case cfg.transport != nil:
			base = cfg.transport
		case cfg.httpClient != nil && cfg.httpClient.Transport != nil:
			base = cfg.httpClient.Transport
		default:
			t := http.DefaultTransport.(*http.Transport).Clone()
			t.MaxIdleConnsPerHost = 64
			base = t
		}
	}
	if cfg.httpClient != nil {
		timeout = cfg.httpClient.Timeout
	}
	c := &Client{cfg: cfg, base: base, fam: newFamily(cfg.version), timeout: timeout, linkedIn: newLinkedInClock()}
	c.red = newRedactor(cfg.clientSecret)
	c.tokens = newTokenCache(cfg, base, c.red)
	c.pacer = newPacer(cfg.limits, cfg.clock)

	var rt http.RoundTripper = &observeTransport{c: c, next: base}
	rt = &authTransport{c: c, next: rt}
	rt = &paceTransport{c: c, next: rt}
	c.rc = &retryablehttp.Client{
		HTTPClient: &http.Client{
			Transport:     rt, // the attempt's timeout is paceTransport's, after any pacing wait
			CheckRedirect: noRedirect,
		},
		RetryMax:     cfg.retry.MaxAttempts - 1,
		CheckRetry:   c.checkRetry,
		Backoff:      noBackoff,   // checkRetry chooses the wait,
		PrepareRetry: c.waitRetry, // and it is slept on the client's Clock
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
	}

	c.common.c = c
	s := &c.common
	c.Provisioning = (*ProvisioningService)(s)
	c.Integrations = (*IntegrationsService)(s)
	c.Jobs = (*JobsService)(s)
	c.Candidates = (*CandidatesService)(s)
	c.Applications = (*ApplicationsService)(s)
	c.ACLs = (*ACLsService)(s)
	c.Exports = (*ExportsService)(s)
	c.Seats = (*SeatsService)(s)
	c.InMail = (*InMailService)(s)
	c.MailStubs = (*MailStubsService)(s)
	c.ProspectNotes = (*ProspectNotesService)(s)
	c.ClosedProfiles = (*ClosedProfilesService)(s)
	return c, nil
}

// Quotas returns today's use of every throttle counter the client has
// charged, as it counts them (LinkedIn publishes its own counts only in the
// Developer Portal).
func (c *Client) Quotas() []Quota { return c.pacer.quotas() }

// Quota returns the most used counter of bucket b today (the one that will
// run out first), or an unused counter of b when none was charged.
func (c *Client) Quota(b Bucket) Quota {
	best := Quota{Bucket: b, Limit: c.pacer.limits.perDay(b), Remaining: -1, ResetAt: nextMidnight(c.cfg.clock.Now())}
	if best.Limit > 0 {
		best.Remaining = best.Limit
	}
	for _, q := range c.pacer.quotas() {
		if q.Bucket == b && (best.Counter == "" || q.Remaining >= 0 && (best.Remaining < 0 || q.Remaining < best.Remaining)) {
			best = q
		}
	}
	return best
}

// LogValue gives log/slog the client's host, family and client id, never
// its secret or tokens.
func (c *Client) LogValue() slog.Value {
	return slog.GroupValue(slog.String("baseURL", c.cfg.baseURL.Redacted()), slog.Bool("versioned", c.fam.versioned),
		slog.String("clientId", c.cfg.clientID))
}

// Versioned reports whether the client uses the versioned /rest endpoints.
func (c *Client) Versioned() bool { return c.fam.versioned }

// call is one logical API call.
type call struct {
	method string // HTTP verb
	restli string // X-RestLi-Method value, e.g. "batch_update"; "" for none
	path   string // path below /v2 or /rest, starting with '/'
	query  string // raw query, already Rest.li-encoded
	// queryBytes, when not nil, is the raw query instead of query, in a
	// buffer of the caller's (a batch's ids query): do copies it into the
	// request, so the caller may reuse it once do returns.
	queryBytes []byte
	body       []byte // JSON body, nil for none
	res        *resource
	records    int
	idempotent bool
	// bodyCopied is set by do when it sent a copy of body (the call was
	// tunnelled), so that the caller may reuse body at once.
	bodyCopied bool
	// pooledAnswer asks do to read a successful answer's body into a
	// buffer from c.answers (response.buf), which the caller gives back
	// once nothing refers to the body.
	pooledAnswer bool
}

// response is a successful (2xx) answer.
type response struct {
	status int
	header http.Header
	body   []byte
	buf    *[]byte // body's buffer, from c.answers, when the call asked for it (pooledAnswer)
}

type callKey struct{}

// errNilContext is what every call given a nil context returns.
var errNilContext = errors.New("rsc: nil context")

// callInfo travels in the request context so that the transports and the
// retry policy (which sees no request on transport errors) know the call.
type callInfo struct {
	method, path string
	res          *resource
	records      int
	idempotent   bool
	start        time.Time // on the client's Clock
	attempts     int
	wait         time.Duration // before the next attempt, as checkRetry chose it
	refreshed    bool          // a 401 made the call fetch a new token (once per call)
}

func callFrom(ctx context.Context) *callInfo {
	ci, _ := ctx.Value(callKey{}).(*callInfo)
	return ci
}

func (c *Client) do(ctx context.Context, cl *call) (*response, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	fam := c.fam.of(cl.res) // a resource pinned to /v2 stays there
	prefix := "/v2"
	if fam.versioned {
		prefix = "/rest"
	}
	path := c.cfg.baseURL.Path + prefix + cl.path
	method, query, body := cl.method, cl.query, cl.body
	hdr := make(http.Header, 8)
	if body != nil {
		hdr.Set("Content-Type", "application/json")
	}
	var pooled *pooledBody // the tunnelled body, in a buffer from c.tunnelled
	// A long query is tunnelled, and so is a query that a long path (a
	// parent key in it) would take past LinkedIn's URL limit
	// (docs/linkedin-api.md §2.2).
	if n := max(len(query), len(cl.queryBytes)); n > restli.MaxQueryLength || n > 0 && len(path)+1+n > restli.MaxURLLength {
		buf := c.tunnelled.get(n + len(body) + 256)
		var t restli.Tunnelled
		if cl.queryBytes != nil {
			t = restli.AppendTunnelAlways(*buf, method, cl.queryBytes, body, "application/json")
		} else {
			t = restli.AppendTunnelAlways(*buf, method, query, body, "application/json")
		}
		*buf = t.Body
		pooled = &pooledBody{pool: &c.tunnelled, buf: buf}
		defer pooled.release()
		method, query, body = t.Method, "", t.Body
		cl.bodyCopied = len(cl.body) > 0
		for k, v := range t.Header {
			hdr[k] = v
		}
	}
	if pooled == nil && cl.queryBytes != nil {
		query = string(cl.queryBytes)
	}
	u := url.URL{Scheme: c.cfg.baseURL.Scheme, Host: c.cfg.baseURL.Host, RawQuery: query}
	if err := setRawPath(&u, path); err != nil {
		return nil, err
	}
	ci := &callInfo{method: cl.method, path: path, res: cl.res, records: cl.records,
		idempotent: cl.idempotent, start: c.cfg.clock.Now()}
	ctx = context.WithValue(ctx, callKey{}, ci)
	var rawBody any
	switch {
	case pooled != nil:
		rawBody = retryablehttp.ReaderFunc(pooled.reader)
	case body != nil:
		rawBody = body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, u.String(), rawBody)
	if err != nil {
		return nil, fmt.Errorf("rsc: building request: %w", err)
	}
	for k, v := range hdr {
		req.Header[k] = v
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.cfg.userAgent)
	if cl.restli != "" {
		req.Header.Set("X-RestLi-Method", cl.restli)
	}
	if fam.versioned {
		req.Header.Set("LinkedIn-Version", c.cfg.version)
		req.Header.Set("X-RestLi-Protocol-Version", "2.0.0")
	}
	resp, err := c.rc.Do(req)
	if err != nil {
		if resp != nil && resp.Body != nil {
			resp.Body.Close()
		}
		return nil, c.red.Error(unwrapTransportError(ctx, err))
	}
	defer resp.Body.Close()
	return c.answer(cl, path, resp)
}

// answer reads the answer to cl: a 2xx answer as a response (its body in a
// buffer from c.answers when the call asked for one, pooledAnswer), any
// other as the error it stands for.
func (c *Client) answer(cl *call, path string, resp *http.Response) (*response, error) {
	if resp.StatusCode >= 300 {
		// The status is the answer: what arrived of the body (a read
		// cut short included) only adds its message.
		data, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorRead))
		return nil, c.errorFor(cl.method, path, cl.res.bucket, resp, data)
	}
	var buf *[]byte
	if cl.pooledAnswer {
		buf = c.answers.get(0)
	}
	var dst []byte
	if buf != nil {
		dst = *buf
	}
	data, err := readBody(resp, dst)
	if err != nil {
		return nil, fmt.Errorf("rsc: %s %s: reading response: %w", cl.method, path, err)
	}
	if buf != nil {
		*buf = data
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: data, buf: buf}, nil
}

// readBody reads at most maxResponseBody bytes of resp's body after dst
// (nil, or an empty buffer to reuse): as io.ReadAll does, but growing dst
// at once to the announced length when there is one (up to
// maxPreallocBody, as the header may not tell the truth), so that a batch
// answer is not copied through ever larger buffers.
func readBody(resp *http.Response, dst []byte) ([]byte, error) {
	r := io.LimitReader(resp.Body, maxResponseBody)
	b := dst
	if n := resp.ContentLength; n > 0 && n <= maxPreallocBody {
		b = slices.Grow(b, int(n)+1) // +1: the read that sees io.EOF needs no growth
	} else if cap(b) == 0 {
		b = make([]byte, 0, 512)
	}
	for {
		if len(b) == cap(b) { // longer than announced, or no length
			b = append(b, 0)[:len(b)]
		}
		m, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+m]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
	}
}

// setRawPath sets u's path so that Rest.li keys ("a=x&b=y", "(a:x)") are sent
// exactly as encoded.
func setRawPath(u *url.URL, raw string) error {
	p, err := url.PathUnescape(raw)
	if err != nil {
		return fmt.Errorf("rsc: bad path %q: %w", raw, err)
	}
	u.Path, u.RawPath = p, raw
	return nil
}

// unwrapTransportError strips *url.Error (whose text repeats the URL) from
// errors our own transports produced, and prefers the context's error.
func unwrapTransportError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	var rl *RateLimitError
	if errors.As(err, &rl) {
		return rl
	}
	var ae *AuthError
	if errors.As(err, &ae) {
		return ae
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("rsc: %s %s: %w", ue.Op, redactURL(ue.URL), ue.Err)
	}
	return err
}

// redactURL drops the query string (it may be long and, for foreign
// endpoints, could carry credentials).
func redactURL(s string) string {
	if i := strings.IndexByte(s, '?'); i >= 0 {
		return s[:i]
	}
	return s
}

type linkedinError struct {
	Message          string `json:"message"`
	ServiceErrorCode int    `json:"serviceErrorCode"`
	Status           int    `json:"status"`
}

func (c *Client) errorFor(method, path string, b Bucket, resp *http.Response, body []byte) error {
	ae := &APIError{StatusCode: resp.StatusCode, Method: method, Path: path, RequestID: c.red.String(requestID(resp.Header))}
	var le linkedinError
	if json.Unmarshal(body, &le) == nil {
		ae.Message, ae.ServiceErrorCode = c.red.String(le.Message), le.ServiceErrorCode
	}
	// Redact before truncating, so that no credential is cut in two.
	body = c.red.Bytes(body)
	if len(body) > maxErrorBody {
		body = body[:maxErrorBody]
	}
	ae.Body = bytes.Clone(body)
	if resp.StatusCode != http.StatusTooManyRequests {
		return ae
	}
	rl := &RateLimitError{Bucket: b, Err: ae}
	if isDailyThrottle(resp) {
		rl.Daily = true
		rl.ResetAt = nextMidnight(c.cfg.clock.Now())
	} else if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), c.cfg.clock.Now()); ok {
		rl.RetryAfter = d
		rl.ResetAt = c.cfg.clock.Now().Add(d)
	}
	return rl
}

func requestID(h http.Header) string {
	if v := h.Get("X-Li-Uuid"); v != "" {
		return v
	}
	return h.Get("X-Li-Request-Id")
}

// isDailyThrottle tells a per-day 429 from a per-minute one
// (docs/linkedin-api.md §5): the X-Li-Throttle-Window header, which the pacing
// transport sets from the body's wording when the server sent none.
func isDailyThrottle(resp *http.Response) bool {
	if resp == nil || resp.StatusCode != http.StatusTooManyRequests {
		return false
	}
	switch strings.ToUpper(resp.Header.Get("X-Li-Throttle-Window")) {
	case "DAY":
		return true
	case "MINUTE":
		return false
	}
	return false
}
