package rsctest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rscgo/rscgo/internal/restli"
	"github.com/rscgo/rscgo/rsc"
)

// Server is a fake LinkedIn RSC API: the OAuth endpoints, every /v2 and /rest
// resource of docs/linkedin-api.md §1 and §11, LinkedIn's throttles, push events, and a
// simulated LinkedIn side (admins, recruiters, members). Its state lives in
// memory, sharded per customer; all methods are safe for concurrent use.
type Server struct {
	cfg     config
	limits  Limits
	ts      *httptest.Server
	baseURL string
	handler http.Handler

	mu          sync.RWMutex         // guards the registries below
	customers   map[string]*Customer // by client id
	order       []*Customer
	byForeign   map[string]*Customer
	byOrg       map[string]*Customer
	byContract  map[string]*Customer
	byAppKey    map[string]*Customer
	callbacks   map[string]*Customer // CALLBACK_URL → owner
	tokens      map[string]*token
	partnerThr  *throttle
	appSeq      int64
	orgSeq      int64
	contractSeq int64

	memMu     sync.RWMutex // guards members
	members   map[string]*member
	memOrder  []string
	byEmail   map[string]string
	memberSeq int64

	rngMu sync.Mutex
	rng   *rand.Rand

	faults faultState

	logMu sync.Mutex
	log   []LogEntry

	seq atomic.Int64 // job posting urns, seats, misc numeric ids

	pushes pushQueue

	adminOnce sync.Once
	admin     http.Handler
}

// New starts a fake RSC server on a fresh 127.0.0.1 port (unless
// WithListener or WithoutListener is given). It returns the first invalid
// option's error, naming the option and its rule, or the error of listening;
// on error nothing is left running. Close the server when done.
func New(opts ...Option) (*Server, error) {
	cfg := defaultConfig()
	if err := cfg.apply(opts); err != nil {
		return nil, err
	}
	l := cfg.listener
	if l == nil && !cfg.noListener {
		var err error
		if l, err = localListener(); err != nil {
			return nil, err
		}
	}
	s := &Server{
		cfg:        cfg,
		limits:     cfg.limits.normalize(),
		customers:  map[string]*Customer{},
		byForeign:  map[string]*Customer{},
		byOrg:      map[string]*Customer{},
		byContract: map[string]*Customer{},
		byAppKey:   map[string]*Customer{},
		callbacks:  map[string]*Customer{},
		tokens:     map[string]*token{},
		partnerThr: newThrottle(),
		members:    map[string]*member{},
		byEmail:    map[string]string{},
		rng:        rand.New(rand.NewPCG(uint64(cfg.seed), 0x5253_4354_4553_54)),
	}
	s.faults.rules = append([]Fault(nil), cfg.faults...)
	s.seq.Store(100_000)
	s.handler = http.HandlerFunc(s.serveHTTP)
	s.pushes.init(s)
	if l == nil {
		s.baseURL = "http://rsctest.invalid"
		return s, nil
	}
	s.ts = &httptest.Server{Listener: l, Config: &http.Server{Handler: s.handler}}
	s.ts.Start()
	s.baseURL = s.ts.URL
	return s, nil
}

// NewServer is New that panics on an invalid option, for tests: in the style
// of net/http/httptest.NewServer, it also panics when it cannot listen.
func NewServer(opts ...Option) *Server {
	s, err := New(opts...)
	if err != nil {
		panic(err)
	}
	return s
}

// localListener listens on a fresh loopback port, IPv4 or else IPv6, as
// net/http/httptest does.
func localListener() (net.Listener, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		var err6 error
		if l, err6 = net.Listen("tcp6", "[::1]:0"); err6 != nil {
			return nil, fmt.Errorf("rsctest: listening on a loopback port: %w", err)
		}
	}
	return l, nil
}

// URL returns the API base URL, without a trailing slash. Clients call
// URL()+"/v2/..." and URL()+"/rest/...".
func (s *Server) URL() string { return s.baseURL }

// TokenURL returns the OAuth 2.0 token endpoint, URL()+"/oauth/v2/accessToken".
func (s *Server) TokenURL() string { return s.baseURL + "/oauth/v2/accessToken" }

// IntrospectURL returns the token introspection endpoint, URL()+"/oauth/v2/introspectToken".
func (s *Server) IntrospectURL() string { return s.baseURL + "/oauth/v2/introspectToken" }

// Handler returns the server's HTTP handler (API, OAuth and /_rsctest/ admin endpoints).
func (s *Server) Handler() http.Handler { return s.handler }

// PartnerCredentials returns the parent application's client id and secret.
func (s *Server) PartnerCredentials() (clientID, secret string) {
	return s.cfg.partnerID, s.cfg.partnerSecret
}

// Limits returns the limits in force: zero fields of WithLimits filled in
// with LinkedIn's defaults, and -1 for no limit (every throttle's, when
// Disabled), so that every field keeps the meaning Limits documents.
func (s *Server) Limits() Limits { return s.limits }

// Close stops background push delivery and shuts the listener down, waiting
// for outstanding requests.
func (s *Server) Close() {
	s.pushes.close()
	if s.ts != nil {
		s.ts.Close()
	}
}

// Now returns the server clock's current time.
func (s *Server) Now() time.Time { return s.cfg.clock.Now() }

func (s *Server) now() time.Time { return s.cfg.clock.Now() }

func (s *Server) nextID() int64 { return s.seq.Add(1) }

// randHex returns n random bytes as hex, from the seeded source.
func (s *Server) randHex(n int) string {
	const hexd = "0123456789abcdef"
	b := make([]byte, 2*n)
	s.rngMu.Lock()
	for i := 0; i < n; i++ {
		v := s.rng.Uint32()
		b[2*i], b[2*i+1] = hexd[(v>>4)&15], hexd[v&15]
	}
	s.rngMu.Unlock()
	return string(b)
}

func (s *Server) uuid() string {
	h := s.randHex(16)
	return h[0:8] + "-" + h[8:12] + "-4" + h[13:16] + "-a" + h[17:20] + "-" + h[20:32]
}

func (s *Server) float() float64 {
	s.rngMu.Lock()
	defer s.rngMu.Unlock()
	return s.rng.Float64()
}

// statusWriter records the status code for the request log, and dates the
// answer by the server's clock.
type statusWriter struct {
	http.ResponseWriter
	status int
	clock  rsc.Clock
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
		w.date()
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
		w.date()
	}
	return w.ResponseWriter.Write(b)
}

// date sets the Date header (RFC 9110 §6.6.1) from the server's clock as
// the header is written, as LinkedIn's servers date theirs from their own
// (docs/linkedin-api.md §2.5): net/http would date it by the real time, so
// that a client on a fake clock would see the fake LinkedIn's clock off by
// the difference.
func (w *statusWriter) date() {
	if h := w.Header(); len(h["Date"]) == 0 {
		h["Date"] = []string{w.clock.Now().UTC().Format(http.TimeFormat)}
	}
}

// maxAPIBody caps API request bodies; larger ones get a 413. LinkedIn
// publishes no limit: 16 MiB is far above a 100-record batch.
const maxAPIBody = 16 << 20

var versionRe = regexp.MustCompile(`^\d{6}(\.\d{1,2})?$`)

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	sw := &statusWriter{ResponseWriter: w, clock: s.cfg.clock}
	e := &LogEntry{
		Time:            s.now(),
		Method:          r.Method,
		EffectiveMethod: r.Method,
		Path:            r.URL.EscapedPath(),
		RawQuery:        redactQuerySecret(r.URL.RawQuery),
		RestLiMethod:    r.Header.Get("X-RestLi-Method"),
		LinkedInVersion: r.Header.Get("LinkedIn-Version"),
	}
	defer func() {
		if p := recover(); p != nil {
			e.Status = 0
			s.appendLog(e)
			panic(p)
		}
		e.Status = sw.status
		s.appendLog(e)
	}()
	path := r.URL.Path
	switch {
	case path == "/oauth/v2/accessToken":
		if s.applyFaults(sw, r, path, "accessToken") {
			return
		}
		s.serveToken(sw, r, e)
	case path == "/oauth/v2/introspectToken":
		if s.applyFaults(sw, r, path, "introspectToken") {
			return
		}
		s.serveIntrospect(sw, r)
	case strings.HasPrefix(path, "/_rsctest/"):
		s.serveAdmin(sw, r)
	case strings.HasPrefix(path, "/v2/"), strings.HasPrefix(path, "/rest/"):
		s.serveAPI(sw, r, e)
	default:
		writeError(sw, http.StatusNotFound, "Resource "+path+" does not exist")
	}
	if sw.status == 0 { // an empty 200, which net/http would date itself
		sw.WriteHeader(http.StatusOK)
	}
}

// call is one API request being served.
type call struct {
	s        *Server
	w        http.ResponseWriter
	r        *http.Request
	rt       *route
	method   string // effective HTTP verb after untunnelling
	rmethod  string // X-RestLi-Method, lower case
	rawQuery string
	q        restli.Query
	body     []byte
	cust     *Customer
	tok      *token
	pathKey  string // raw (escaped) key path segment, "" if none
	proto    restli.Protocol
	now      time.Time
}

func (c *call) fail(status int, msg string) { writeError(c.w, status, msg) }

func (c *call) forbidden() {
	c.fail(http.StatusForbidden, "Not enough permissions to access: "+c.method+" /"+c.rt.name)
}

func (c *call) param(name string) string {
	if v := c.q.Params[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// listParam returns a multi-valued finder parameter; ok=false after a 400.
// Under Rest.li 2.0 (the X-RestLi-Protocol-Version header) a list is one
// value, name=List(a,b), its elements 2.0-escaped; repeated parameters, or
// a bare value, are the 1.0 syntax and a 400, as a 2.0 server cannot read
// them as a list (docs/linkedin-api.md §3.2, §13.3). Under 1.0 it accepts
// repeated parameters and, leniently, a List(a,b) value.
func (c *call) listParam(name string) (values []string, ok bool) {
	raws := c.q.RawParams[name]
	if c.proto == restli.Protocol2 && len(raws) > 0 && (len(raws) > 1 || !strings.HasPrefix(raws[0], "List(")) {
		c.fail(http.StatusBadRequest, "Invalid value for parameter '"+name+"': under X-RestLi-Protocol-Version 2.0.0 a list is one parameter, "+
			name+"=List(...); repeated or bare "+name+"= parameters are the Rest.li 1.0 syntax")
		return nil, false
	}
	for i, raw := range raws {
		if !strings.HasPrefix(raw, "List(") {
			values = append(values, c.q.Params[name][i])
			continue
		}
		v, err := restli.Decode(raw)
		list, isList := v.([]any)
		if err != nil || !isList {
			c.fail(http.StatusBadRequest, "Invalid value for parameter '"+name+"': malformed List(...)")
			return nil, false
		}
		for _, el := range list {
			s, isStr := el.(string)
			if !isStr {
				c.fail(http.StatusBadRequest, "Invalid value for parameter '"+name+"': a list of strings is expected")
				return nil, false
			}
			values = append(values, s)
		}
	}
	return values, true
}

// scalarParam returns a single-valued finder parameter under Rest.li 2.0:
// none when it is absent, else its one decoded value. Given more than once,
// or as a List(...), it is a 400: a 2.0 server reads a scalar from one
// value. A raw ':' in the value is accepted as well as %3A
// (docs/linkedin-api.md §15).
func (c *call) scalarParam(name string) ([]string, bool) {
	raws := c.q.RawParams[name]
	if len(raws) > 1 || len(raws) == 1 && strings.HasPrefix(raws[0], "List(") {
		c.fail(http.StatusBadRequest, "Invalid value for parameter '"+name+"': it takes one value, not a list")
		return nil, false
	}
	return c.q.Params[name], true
}

// longestSegment is the length of the longest segment of path, the text
// between two slashes.
func longestSegment(path string) int {
	n := 0
	for seg := range strings.SplitSeq(path, "/") {
		n = max(n, len(seg))
	}
	return n
}

// serveAPI serves one API request, checking in LinkedIn's order what every
// call shares (size limits, route and token, faults, the version header,
// body and query tunnelling, which application may call, keys, batch size,
// quotas) before the route's handler. It is one function, longer than the house
// limit, because that order is the rule: split, it would be read in pieces.
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, e *LogEntry) {
	lim := s.limits
	if (lim.MaxQuery > 0 && len(r.URL.RawQuery) > lim.MaxQuery) || (lim.MaxURL > 0 && len(r.URL.RequestURI()) > lim.MaxURL) {
		writeError(w, http.StatusRequestURITooLong, "Request-URI Too Long: tunnel the request (X-HTTP-Method-Override)")
		return
	}
	escaped := r.URL.EscapedPath()
	if lim.MaxPathSegment > 0 && longestSegment(escaped) > lim.MaxPathSegment {
		writeError(w, http.StatusRequestURITooLong, "Request-URI Too Long: a path segment is over 4 KB")
		return
	}
	rest := strings.HasPrefix(escaped, "/rest/")
	var tail string
	if rest {
		tail = escaped[len("/rest/"):]
	} else {
		tail = escaped[len("/v2/"):]
	}
	rt, pathKey, ok := resolveRoute(rest, tail)
	if !ok {
		// As at LinkedIn's gateway, a call without a valid token is refused
		// before anything is looked up.
		if tok, status, msg := s.authenticate(r); tok == nil {
			writeError(w, status, msg)
			return
		}
		writeError(w, http.StatusNotFound, "Resource "+tail+" does not exist")
		return
	}
	if s.applyFaults(w, r, r.URL.Path, rt.canonical) {
		return
	}
	if rest && !versionRe.MatchString(r.Header.Get("LinkedIn-Version")) {
		writeError(w, http.StatusBadRequest, "A valid LinkedIn-Version header (YYYYMM) is required for /rest resources")
		return
	}
	tok, status, msg := s.authenticate(r)
	if tok == nil {
		writeError(w, status, msg)
		return
	}
	e.ClientID = tok.clientID
	if v := r.Header.Get("LinkedIn-Version"); rest && v[:len("YYYYMM")] < rt.since {
		writeError(w, http.StatusNotFound, "Resource "+rt.name+" does not exist in LinkedIn-Version "+v+" (from "+rt.since+" on)")
		return
	}
	proto, err := restli.ParseProtocolHeader(r.Header.Get("X-RestLi-Protocol-Version"))
	if err != nil {
		writeError(w, http.StatusBadRequest, "Unsupported X-RestLi-Protocol-Version "+strconv.Quote(r.Header.Get("X-RestLi-Protocol-Version")))
		return
	}
	// A Rest.li server names the protocol it answers in.
	answered := "1.0.0"
	if proto == restli.Protocol2 {
		answered = "2.0.0"
	}
	w.Header().Set("X-RestLi-Protocol-Version", answered)
	r.Body = http.MaxBytesReader(w, r.Body, maxAPIBody)
	method, rawQuery, body, err := restli.Untunnel(r)
	if err != nil {
		if _, tooLarge := errors.AsType[*http.MaxBytesError](err); tooLarge {
			writeError(w, http.StatusRequestEntityTooLarge, "Request entity too large")
			return
		}
		writeError(w, http.StatusBadRequest, "Invalid tunnelled request: "+err.Error())
		return
	}
	if method != r.Method || rawQuery != r.URL.RawQuery {
		e.EffectiveMethod = method
		e.TunnelledQuery = rawQuery
	}
	c := &call{s: s, w: w, r: r, rt: rt, method: method, rmethod: strings.ToLower(strings.TrimSpace(r.Header.Get("X-RestLi-Method"))),
		rawQuery: rawQuery, body: body, tok: tok, cust: tok.cust, pathKey: pathKey, now: s.now(), proto: proto}
	if (rt.parentOnly) != (tok.cust == nil) {
		c.forbidden()
		return
	}
	if !c.checkMethodHeader() {
		return
	}
	q, err := restli.ParseServerQuery(proto, rawQuery)
	if errors.Is(err, restli.ErrSyntaxMismatch) && proto == restli.Protocol2 && strings.Contains(rawQuery, "ids[") {
		// LinkedIn's own Postman request "Upsert Entity ACL Assignees" sends
		// 1.0 ids[i].field keys under the 2.0 header, so LinkedIn reads
		// such a request as 1.0: the fake does too (docs/linkedin-api.md §15).
		c.proto = restli.Protocol1
		q, err = restli.ParseServerQuery(c.proto, rawQuery)
	}
	if err != nil {
		c.fail(http.StatusBadRequest, "Invalid query parameters: "+err.Error())
		return
	}
	c.q = q
	n := len(q.Keys) + len(q.SimpleIDs)
	if lim.MaxBatch > 0 && n > lim.MaxBatch {
		c.fail(http.StatusBadRequest, fmt.Sprintf("Batch size %d exceeds the maximum of %d keys", n, lim.MaxBatch))
		return
	}
	if !s.admit(c, n) {
		return
	}
	rt.handle(c)
}

// admit applies the throttles of the route's class; it writes the 429 and
// returns false when a quota is exhausted.
func (s *Server) admit(c *call, records int) bool {
	thr := s.partnerThr
	if c.cust != nil {
		thr = c.cust.thr
	}
	if burst, ok := s.faults.takeBurst(c.r.URL.Path, c.rt.canonical); ok {
		_ = burst
		thr.countBurst()
		write429(c.w, WindowMinute, 60-int(c.now.Unix()%60))
		return false
	}
	lim := s.limits
	var name string
	var day, minute int
	switch c.rt.class {
	case classSync:
		name, day, minute = c.rt.canonical, lim.SyncRequestsPerDay, lim.SyncRecordsPerMinute
	case classIntegrations:
		name, day = c.rt.canonical, lim.IntegrationRequestsPerDay
	case classProspect:
		name, day = "prospectInteractions", lim.ProspectRequestsPerDay
	case classJobTasks:
		name, day = c.rt.canonical, lim.JobTaskRequestsPerDay
	case classJobs:
		name, day = c.rt.canonical, lim.JobPostingRequestsPerDay
	default:
		name = c.rt.canonical
	}
	window, retry := thr.admit(c.now, name, day, minute, records)
	if window != "" {
		write429(c.w, window, retry)
		return false
	}
	return true
}

// Transport returns an http.RoundTripper that serves requests in-process by
// calling the handler directly: no sockets, so it works inside
// testing/synctest bubbles and avoids loopback overhead in benchmarks. The
// request's host is ignored. An injected connection reset surfaces as an
// error wrapping ErrConnReset.
func (s *Server) Transport() http.RoundTripper { return transport{s} }

// Client returns an *http.Client using Transport().
func (s *Server) Client() *http.Client { return &http.Client{Transport: s.Transport()} }

// ErrConnReset is returned by Transport() when a Fault resets the connection.
var ErrConnReset = errors.New("rsctest: connection reset by peer (injected fault)")

type transport struct{ s *Server }

func (t transport) RoundTrip(req *http.Request) (resp *http.Response, err error) {
	if err := req.Context().Err(); err != nil {
		return nil, err
	}
	r := req.Clone(req.Context())
	r.RequestURI = req.URL.RequestURI()
	r.RemoteAddr = "127.0.0.1:1"
	if r.Host == "" {
		r.Host = req.URL.Host
	}
	if r.Body == nil {
		r.Body = http.NoBody
	}
	rec := httptest.NewRecorder()
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				resp, err = nil, ErrConnReset
				return
			}
			panic(p)
		}
	}()
	t.s.handler.ServeHTTP(rec, r)
	if req.Body != nil {
		_ = req.Body.Close()
	}
	res := rec.Result()
	res.Request = req
	return res, nil
}

// LogEntry is one request in the request log. The Authorization header is
// never recorded.
type LogEntry struct {
	Time            time.Time
	Method          string // HTTP method as sent
	EffectiveMethod string // after X-HTTP-Method-Override untunnelling
	Path            string // escaped path
	RawQuery        string // query string as sent on the URL
	TunnelledQuery  string // query carried in a tunnelled body ("" if not tunnelled)
	RestLiMethod    string // X-RestLi-Method header
	LinkedInVersion string // LinkedIn-Version header
	ClientID        string // client id of the bearer token, if valid
	Status          int    // HTTP status; 0 when the connection was reset
}

func (s *Server) appendLog(e *LogEntry) {
	if s.cfg.logLimit < 0 {
		return
	}
	s.logMu.Lock()
	if s.cfg.logLimit > 0 && len(s.log) >= s.cfg.logLimit {
		n := copy(s.log, s.log[len(s.log)/2:])
		s.log = s.log[:n]
	}
	s.log = append(s.log, *e)
	s.logMu.Unlock()
}

// Requests returns a copy of the request log, oldest first.
func (s *Server) Requests() []LogEntry {
	s.logMu.Lock()
	defer s.logMu.Unlock()
	return append([]LogEntry(nil), s.log...)
}

// ResetRequests clears the request log.
func (s *Server) ResetRequests() {
	s.logMu.Lock()
	s.log = nil
	s.logMu.Unlock()
}

// sleep waits d on the configured clock.
func (s *Server) sleep(ctx context.Context, d time.Duration) error { return s.cfg.clock.Sleep(ctx, d) }

// redactQuerySecret hides the value of every client_secret parameter of a
// raw query, for the request log: a client that wrongly puts its secret in
// the token URL must not find it served back by the admin API.
func redactQuerySecret(raw string) string {
	if !strings.Contains(raw, "client_secret=") {
		return raw
	}
	parts := strings.Split(raw, "&")
	for i, p := range parts {
		if strings.HasPrefix(p, "client_secret=") {
			parts[i] = "client_secret=REDACTED"
		}
	}
	return strings.Join(parts, "&")
}
