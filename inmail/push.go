package inmail

import (
	"context"
	"errors"
	"net/http"
	"sync/atomic"

	"github.com/rscgo/rscgo/internal/pushq"
	"github.com/rscgo/rscgo/rsc"
)

// PushHandler receives LinkedIn's push notifications on one customer's
// CALLBACK_URL and processes EXPORT_CANDIDATE_PROFILE events with
// Retriever.HandleExport in the background (docs/linkedin-api.md §8.1,
// §8.2). Retriever.PushHandler returns one.
//
// In order: POST only (405); at most 64 KiB (413); X-LI-Signature must be
// present (401, unless WithUnsignedPushes), once, as "hmacsha256=" and 64
// hex digits (401 otherwise, as a bad signature), and verify with the customer
// application's client secret (401; 503 while the secret is empty or
// cannot be read); the body must be a UTF-8 JSON event (400). Nothing
// reaches LinkedIn before the signature has verified. Other event types are
// acknowledged and ignored (200): mount webhook's handler instead to act on
// INTEGRATION_STATUS_CHANGE too.
//
// An export is acknowledged (200) only once its request id is journaled in
// the CursorStore (Retriever.AcceptExport); when the journal cannot store
// it (a store error, or MaxPendingExports pending) the answer is 503, so
// LinkedIn redelivers it. A journaled export is then processed by a
// bounded pool of workers; when they are busy or the queue is full (or the
// process stops) it waits for RunOnce, which retries every journaled
// export with backoff until the ATS holds it or it becomes a dead letter.
// A failed attempt is reported to the WithExportErrors function. A request
// id handled before, being processed, or dead-lettered is acknowledged
// without processing it again; a redelivery of one that failed is
// attempted at once.
//
// Serve it from an http.Server with a ReadTimeout (a few seconds): the
// handler reads the body whole, and only the server's deadline stops a
// client that sends it slowly.
//
// It does not consult the customer's data-privacy consent: package inmail
// has no notion of it. A service that must drop exports while a customer's
// consent does not stand serves them through package webhook, which checks
// it (onboarding.ConsentRegistry) before this handler sees the push.
type PushHandler struct {
	r      *Retriever
	opt    *config
	secret func(ctx context.Context) (string, error)
	queue  *pushq.Queue
	closed atomic.Bool
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
	return &PushHandler{r: r, opt: c, secret: secret, queue: pushq.NewQueue(c.workers, c.queueSize)}, nil
}

// ServeHTTP implements http.Handler.
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
	if h.closed.Load() {
		http.Error(w, "closed", http.StatusServiceUnavailable)
		return
	}
	st, _, err := h.r.acceptExport(req.Context(), ev.ID)
	if err != nil {
		h.opt.logger.ErrorContext(req.Context(), "push: export not journaled", "request", ev.ID, "err", err)
		http.Error(w, "cannot store the export now", http.StatusServiceUnavailable)
		return
	}
	if st == exportNew || st == exportPending {
		h.start(ev.ID)
	}
	w.WriteHeader(http.StatusOK)
}

// start queues a journaled export for the workers, unless it is being
// processed already; a full queue leaves it to RunOnce.
func (h *PushHandler) start(id string) {
	if h.r.exportBusy(id) {
		return
	}
	if err := h.queue.Add(id, func() { h.process(id) }); err != nil {
		h.opt.logger.Debug("push: workers busy, export left to RunOnce", "request", id)
	}
}

// authenticate checks the push's X-LI-Signature: one header, well formed
// (pushq.Signature), that verifies with the customer's secret.
func (h *PushHandler) authenticate(req *http.Request, body []byte) *pushq.Refusal {
	sig, rf := pushq.Signature(req.Header)
	if rf != nil {
		return rf
	}
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

func (h *PushHandler) process(id string) {
	ctx, cancel := context.WithTimeout(context.Background(), h.opt.exportTimeout)
	defer cancel()
	if _, err := h.r.HandleExport(ctx, id); err != nil {
		h.opt.logger.WarnContext(ctx, "export failed", "request", id, "err", err)
		if h.opt.onExportError != nil {
			h.opt.onExportError(id, err)
		}
	}
}

// Wait blocks until every queued push has been processed, or ctx ends.
func (h *PushHandler) Wait(ctx context.Context) error {
	if ctx == nil {
		return errNilContext
	}
	return h.queue.Wait(ctx)
}

// Close stops accepting exports (503, so LinkedIn redelivers them), lets
// the workers finish the queue and waits for them.
func (h *PushHandler) Close() {
	h.closed.Store(true)
	h.queue.Close()
}
