package onboarding

import (
	"container/list"
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// Instance identifies a customer instance: a customer and one of its
// contracts (one child application, one CALLBACK_URL).
type Instance struct {
	CustomerID string
	Label      string
}

// ForeignID returns the instance's uniqueForeignId.
func (i Instance) ForeignID() string { return ForeignID(i.CustomerID, i.Label) }

// CallbackURL returns the instance's push URL: base, the escaped customer
// id and, for a non-default contract, the escaped label. Unique per
// instance by construction, as LinkedIn requires.
func CallbackURL(base, customerID, label string) string {
	u := strings.TrimRight(base, "/") + "/" + url.PathEscape(customerID)
	if label != DefaultContract {
		u += "/" + url.PathEscape(label)
	}
	return u
}

// InstanceFromPath returns a resolver for URLs built by CallbackURL whose
// base has the path prefix (e.g. "/rsc/push").
func InstanceFromPath(prefix string) func(*http.Request) (Instance, error) {
	prefix = strings.TrimRight(prefix, "/") + "/"
	return func(r *http.Request) (Instance, error) {
		rest, ok := strings.CutPrefix(r.URL.EscapedPath(), prefix)
		if !ok || rest == "" {
			return Instance{}, fmt.Errorf("onboarding: push path %q is not under %q", r.URL.EscapedPath(), prefix)
		}
		parts := strings.Split(rest, "/")
		if len(parts) > 2 {
			return Instance{}, fmt.Errorf("onboarding: push path %q has too many segments", r.URL.EscapedPath())
		}
		var in Instance
		var err error
		if in.CustomerID, err = url.PathUnescape(parts[0]); err != nil || in.CustomerID == "" {
			return Instance{}, fmt.Errorf("onboarding: bad customer in push path %q", r.URL.EscapedPath())
		}
		if len(parts) == 2 {
			if in.Label, err = url.PathUnescape(parts[1]); err != nil || ValidLabel(in.Label) != nil {
				return Instance{}, fmt.Errorf("onboarding: bad contract label in push path %q", r.URL.EscapedPath())
			}
		}
		return in, nil
	}
}

// PushConfig configures a PushHandler.
type PushConfig struct {
	// Resolve identifies the instance a callback request is for (required;
	// see InstanceFromPath).
	Resolve func(r *http.Request) (Instance, error)
	// Secret returns the key of X-LI-Signature for the instance (the child
	// application's client secret, docs/wire-model.md). "" skips
	// verification. Optional.
	Secret func(ctx context.Context, in Instance) (string, error)
	// RequireSignature refuses (401) events without X-LI-Signature. LinkedIn
	// does not document that RSC events are signed, so the default is to
	// verify only when the header is present.
	RequireSignature bool
	// Client returns the instance's customer client to fetch payloads
	// (required).
	Client func(ctx context.Context, in Instance) (*rsc.Client, error)
	// OnStatus receives the integrations of an INTEGRATION_STATUS_CHANGE
	// (fetched with Integrations.ByRequest).
	OnStatus func(ctx context.Context, in Instance, ints []rsc.Integration) error
	// OnExport handles an EXPORT_CANDIDATE_PROFILE (e.g. the inmail
	// package: Exports.Get with the client, then create the candidate).
	// Events of this type are dropped (logged) when nil.
	OnExport func(ctx context.Context, in Instance, ev rsc.PushEvent, cust *rsc.Client) error
	// Workers fetch payloads in the background (default 4); QueueSize
	// bounds waiting events (default 256). A full queue answers 503.
	Workers, QueueSize int
	// FetchTimeout bounds each event's handling (default 30 s).
	FetchTimeout time.Duration
	// DedupSize and DedupTTL bound the memory of seen event ids (default
	// 10,000 and 24 h).
	DedupSize int
	DedupTTL  time.Duration
	Logger    *slog.Logger
	Now       func() time.Time
}

// PushHandler receives LinkedIn push events on customers' CALLBACK_URLs.
//
// It answers within the request and does the work asynchronously: it reads
// at most 64 KiB, resolves the instance (404 when unknown), verifies
// X-LI-Signature when present (401 when it does not verify), parses the
// event (400), drops a replay of an id it has seen (200), and queues the
// event for a bounded worker pool (200; 503 when the queue is full, so a
// redelivery is processed). Workers fetch the payload by request id and call
// OnStatus or OnExport. Events of one instance are handled by one worker,
// in arrival order. A failed handling forgets the id, so a redelivery is
// processed again.
//
// Asynchronous handling was chosen over a synchronous fetch with a short
// timeout: the answer never depends on LinkedIn's API latency or quota, and
// a slow fetch cannot make LinkedIn time out and redeliver.
type PushHandler struct {
	cfg    PushConfig
	log    *slog.Logger
	queues []chan pushJob // one per worker; an instance always uses the same one
	seen   *lru

	mu      sync.Mutex
	closed  bool
	pending atomic.Int64
	workers sync.WaitGroup
}

type pushJob struct {
	in  Instance
	ev  rsc.PushEvent
	key string
}

// NewPushHandler starts the handler's workers. Close it when done.
func NewPushHandler(cfg PushConfig) *PushHandler {
	if cfg.Workers <= 0 {
		cfg.Workers = 4
	}
	if cfg.QueueSize <= 0 {
		cfg.QueueSize = 256
	}
	if cfg.FetchTimeout <= 0 {
		cfg.FetchTimeout = 30 * time.Second
	}
	if cfg.DedupSize <= 0 {
		cfg.DedupSize = 10000
	}
	if cfg.DedupTTL <= 0 {
		cfg.DedupTTL = 24 * time.Hour
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &PushHandler{cfg: cfg, log: log, seen: newLRU(cfg.DedupSize, cfg.DedupTTL, cfg.Now)}
	per := max(1, cfg.QueueSize/cfg.Workers)
	for range cfg.Workers {
		q := make(chan pushJob, per)
		h.queues = append(h.queues, q)
		h.workers.Add(1)
		go h.work(q)
	}
	return h
}

const maxPushBody = 64 << 10

func (h *PushHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		http.Error(w, "POST only", http.StatusMethodNotAllowed)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPushBody))
	if err != nil {
		http.Error(w, "payload too large", http.StatusRequestEntityTooLarge)
		return
	}
	in, err := h.cfg.Resolve(r)
	if err != nil {
		h.log.WarnContext(r.Context(), "rsc push for unknown instance", "path", r.URL.EscapedPath())
		http.Error(w, "unknown callback", http.StatusNotFound)
		return
	}
	sig := r.Header.Get(rsc.SignatureHeader)
	if sig == "" && h.cfg.RequireSignature {
		http.Error(w, "signature required", http.StatusUnauthorized)
		return
	}
	if sig != "" && h.cfg.Secret != nil {
		secret, err := h.cfg.Secret(r.Context(), in)
		if err != nil {
			h.log.ErrorContext(r.Context(), "rsc push: no signing secret", "customer", in.CustomerID, "label", in.Label, "err", err)
			http.Error(w, "cannot verify now", http.StatusServiceUnavailable)
			return
		}
		if secret != "" {
			if err := rsc.VerifyPush(body, sig, secret); err != nil {
				h.log.WarnContext(r.Context(), "rsc push: bad signature", "customer", in.CustomerID, "label", in.Label)
				http.Error(w, "bad signature", http.StatusUnauthorized)
				return
			}
		}
	}
	ev, err := rsc.ParsePushEvent(body)
	if err != nil {
		http.Error(w, "bad event", http.StatusBadRequest)
		return
	}
	key := in.ForeignID() + "\x00" + ev.Type + "\x00" + ev.ID
	if !h.seen.add(key) {
		h.log.DebugContext(r.Context(), "rsc push: duplicate dropped", "customer", in.CustomerID, "type", ev.Type, "id", ev.ID)
		w.WriteHeader(http.StatusOK)
		return
	}
	if !h.enqueue(pushJob{in: in, ev: ev, key: key}) {
		h.seen.remove(key)
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (h *PushHandler) enqueue(j pushJob) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return false
	}
	f := fnv.New32a()
	f.Write([]byte(j.in.ForeignID()))
	q := h.queues[int(f.Sum32()%uint32(len(h.queues)))]
	h.pending.Add(1)
	select {
	case q <- j:
		return true
	default:
		h.pending.Add(-1)
		return false
	}
}

func (h *PushHandler) work(q chan pushJob) {
	defer h.workers.Done()
	for j := range q {
		if err := h.handle(j); err != nil {
			h.seen.remove(j.key)
			h.log.Error("rsc push handling failed", "customer", j.in.CustomerID, "label", j.in.Label, "type", j.ev.Type, "id", j.ev.ID, "err", err)
		}
		h.pending.Add(-1)
	}
}

func (h *PushHandler) handle(j pushJob) error {
	ctx, cancel := context.WithTimeout(context.Background(), h.cfg.FetchTimeout)
	defer cancel()
	switch j.ev.Type {
	case rsc.EventIntegrationStatus, rsc.EventExportCandidate:
	default:
		h.log.Warn("rsc push: unknown event type ignored", "type", j.ev.Type, "id", j.ev.ID)
		return nil
	}
	if j.ev.Type == rsc.EventExportCandidate && h.cfg.OnExport == nil {
		h.log.Warn("rsc push: export event dropped (no OnExport)", "customer", j.in.CustomerID, "id", j.ev.ID)
		return nil
	}
	cust, err := h.cfg.Client(ctx, j.in)
	if err != nil {
		return err
	}
	if j.ev.Type == rsc.EventExportCandidate {
		return h.cfg.OnExport(ctx, j.in, j.ev, cust)
	}
	ints, err := cust.Integrations.ByRequest(ctx, j.ev.ID)
	if errors.Is(err, rsc.ErrNotFound) {
		h.log.Warn("rsc push: payload expired or unknown", "customer", j.in.CustomerID, "id", j.ev.ID)
		return nil
	}
	if err != nil {
		return err
	}
	if h.cfg.OnStatus == nil {
		return nil
	}
	return h.cfg.OnStatus(ctx, j.in, ints)
}

// Wait blocks until every accepted event has been handled, or ctx ends
// (tests, graceful shutdown). It polls every few milliseconds.
func (h *PushHandler) Wait(ctx context.Context) error {
	t := time.NewTicker(2 * time.Millisecond)
	defer t.Stop()
	for h.pending.Load() > 0 {
		select {
		case <-t.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// Close stops accepting events (503), lets the workers finish the queue and
// waits for them.
func (h *PushHandler) Close() {
	h.mu.Lock()
	if !h.closed {
		h.closed = true
		for _, q := range h.queues {
			close(q)
		}
	}
	h.mu.Unlock()
	h.workers.Wait()
}

// lru remembers keys for a TTL, evicting the oldest beyond size.
type lru struct {
	mu   sync.Mutex
	size int
	ttl  time.Duration
	now  func() time.Time
	ll   *list.List
	m    map[string]*list.Element
}

type lruEntry struct {
	key string
	at  time.Time
}

func newLRU(size int, ttl time.Duration, now func() time.Time) *lru {
	return &lru{size: size, ttl: ttl, now: now, ll: list.New(), m: map[string]*list.Element{}}
}

// add records key and reports whether it was new (or expired).
func (c *lru) add(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if e, ok := c.m[key]; ok {
		if now.Sub(e.Value.(*lruEntry).at) < c.ttl {
			return false
		}
		c.ll.Remove(e)
		delete(c.m, key)
	}
	c.m[key] = c.ll.PushFront(&lruEntry{key: key, at: now})
	for c.ll.Len() > c.size {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.m, old.Value.(*lruEntry).key)
	}
	return true
}

func (c *lru) remove(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[key]; ok {
		c.ll.Remove(e)
		delete(c.m, key)
	}
}
