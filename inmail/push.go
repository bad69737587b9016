package inmail

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"

	"github.com/rscgo/rscgo/internal/pushq"
	"github.com/rscgo/rscgo/rsc"
)

// PushHandler receives LinkedIn's push notifications on one customer's
// CALLBACK_URL and processes EXPORT_CANDIDATE_PROFILE events with
// Retriever.HandleExport in the background (docs/linkedin-api.md §8.1,
// §8.2). Retriever.PushHandler returns one.
//
// In order: POST only (405); at most 64 KiB (413); X-LI-Signature must be
// present (401, unless WithUnsignedPushes) and verify with the customer
// application's client secret (401; 503 while the secret is empty or
// cannot be read); the body must be a UTF-8 JSON event (400). Nothing
// reaches LinkedIn before the signature has verified. Other event types are
// acknowledged and ignored (200). An export whose request id is being
// processed, or is among the last 1,000 handled (kept in the CursorStore,
// so the memory survives restarts), is acknowledged without processing it
// again (200). Otherwise it is queued for a bounded pool of workers (200;
// 503 when the queue is full, so LinkedIn redelivers later). A failed
// export is forgotten, so LinkedIn's redelivery retries it, and reported to
// the WithExportErrors function.
type PushHandler struct {
	r        *Retriever
	opt      *config
	secret   func(ctx context.Context) (string, error)
	queue    *pushq.Queue
	capacity int // bound on inflight: queued plus running

	mu       sync.Mutex
	inflight map[string]bool
}

// PushHandler returns the customer's push handler. secret returns the key
// of X-LI-Signature, the customer application's client secret; it may be
// nil only WithUnsignedPushes. Its options are WithClock, WithLogger,
// WithExportErrors, WithExportTimeout, WithPushWorkers and
// WithUnsignedPushes. Close it when done.
func (r *Retriever) PushHandler(secret func(ctx context.Context) (string, error), opts ...Option) (*PushHandler, error) {
	c, err := newConfig(forPush, append([]Option{WithClock(r.opt.clock), WithLogger(r.log)}, opts...))
	if err != nil {
		return nil, err
	}
	if secret == nil && !c.unsigned {
		return nil, errors.New("inmail: PushHandler: signatures are required and no secret was given (pass the client secret, or WithUnsignedPushes)")
	}
	if secret == nil {
		secret = func(context.Context) (string, error) { return "", nil }
	}
	return &PushHandler{r: r, opt: c, secret: secret, queue: pushq.NewQueue(c.workers, c.queueSize),
		capacity: c.queueSize + c.workers, inflight: map[string]bool{}}, nil
}

func (h *PushHandler) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, rf := pushq.ReadBody(w, req)
	if rf == nil {
		rf = h.authenticate(req, body)
	}
	var ev rsc.PushEvent
	if rf == nil {
		ev, rf = pushq.Parse(body)
	}
	if rf != nil {
		pushq.Fail(w, rf)
		return
	}
	if ev.Type != rsc.EventExportCandidate {
		w.WriteHeader(http.StatusOK)
		return
	}
	switch claimed, full := h.claim(req.Context(), ev.ID); {
	case full:
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	case !claimed:
		w.WriteHeader(http.StatusOK) // replay of an id in flight or done
		return
	}
	if err := h.queue.Add(ev.ID, func() { h.process(ev.ID) }); err != nil {
		h.release(ev.ID)
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

func (h *PushHandler) authenticate(req *http.Request, body []byte) *pushq.Refusal {
	sig := req.Header.Get(rsc.SignatureHeader)
	var secret string
	if sig != "" {
		var err error
		if secret, err = h.secret(req.Context()); err != nil {
			h.opt.logger.ErrorContext(req.Context(), "push: no signing secret", "err", err)
			return &pushq.Refusal{Status: http.StatusServiceUnavailable, Reason: "cannot verify now"}
		}
	}
	return pushq.Authenticate(body, sig, secret, h.opt.unsigned)
}

// claim marks a request id as in flight. It reports false for an id in
// flight or handled, and full when the in-flight set is at capacity.
func (h *PushHandler) claim(ctx context.Context, id string) (claimed, full bool) {
	if c, err := h.r.Cursors(ctx); err == nil && slices.Contains(c.Exports, id) {
		return false, false
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.inflight[id]:
		return false, false
	case len(h.inflight) >= h.capacity:
		return false, true
	}
	h.inflight[id] = true
	return true, false
}

func (h *PushHandler) release(id string) {
	h.mu.Lock()
	delete(h.inflight, id)
	h.mu.Unlock()
}

func (h *PushHandler) process(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), h.opt.exportTimeout)
	defer cancel()
	_, err := h.r.HandleExport(ctx, id)
	h.release(id)
	if err != nil {
		h.opt.logger.WarnContext(ctx, "export failed", "request", id, "err", err)
		if h.opt.onExportError != nil {
			h.opt.onExportError(id, err)
		}
	}
}

// Wait blocks until every queued push has been processed, or ctx ends.
func (h *PushHandler) Wait(ctx context.Context) error { return h.queue.Wait(ctx) }

// Close stops accepting pushes (503), lets the workers finish the queue and
// waits for them.
func (h *PushHandler) Close() { h.queue.Close() }
