package onboarding

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"

	"github.com/rscgo/rscgo/internal/pushq"
	"github.com/rscgo/rscgo/rsc"
)

// Instance identifies a customer instance: a customer and one of its
// contracts (one child application, one CALLBACK_URL).
type Instance struct {
	CustomerID string // the ATS customer id
	Label      string // the contract's label: DefaultContract ("") for the first
}

// ForeignID returns the instance's uniqueForeignId.
func (i Instance) ForeignID() string { return foreignID(i.CustomerID, i.Label) }

// callbackURL returns the instance's push URL: base, the escaped customer
// id and, for a non-default contract, the escaped label. Unique per
// instance by construction, as LinkedIn requires.
func callbackURL(base, customerID, label string) string {
	u := strings.TrimRight(base, "/") + "/" + url.PathEscape(customerID)
	if label != DefaultContract {
		u += "/" + url.PathEscape(label)
	}
	return u
}

// errUnknownInstance is the error of a push URL no instance owns, as
// opposed to a store that could not be read.
var errUnknownInstance = errors.New("onboarding: unknown instance")

// instanceFromPath returns a resolver for URLs built by CallbackURL whose
// base has the path prefix (e.g. "/rsc/push").
func instanceFromPath(prefix string) func(*http.Request) (Instance, error) {
	prefix = strings.TrimRight(prefix, "/") + "/"
	return func(r *http.Request) (Instance, error) {
		rest, ok := strings.CutPrefix(r.URL.EscapedPath(), prefix)
		if !ok || rest == "" {
			return Instance{}, fmt.Errorf("%w: push path %q is not under %q", errUnknownInstance, r.URL.EscapedPath(), prefix)
		}
		parts := strings.Split(rest, "/")
		if len(parts) > 2 {
			return Instance{}, fmt.Errorf("%w: push path %q has too many segments", errUnknownInstance, r.URL.EscapedPath())
		}
		var in Instance
		var err error
		if in.CustomerID, err = url.PathUnescape(parts[0]); err != nil || validCustomerID(in.CustomerID) != nil {
			return Instance{}, fmt.Errorf("%w: bad customer in push path %q", errUnknownInstance, r.URL.EscapedPath())
		}
		if len(parts) == 2 {
			if in.Label, err = url.PathUnescape(parts[1]); err != nil || validLabel(in.Label) != nil {
				return Instance{}, fmt.Errorf("%w: bad contract label in push path %q", errUnknownInstance, r.URL.EscapedPath())
			}
		}
		return in, nil
	}
}

// pushConfig is what a PushHandler needs besides its options.
type pushConfig struct {
	// resolve identifies the instance a callback request is for.
	resolve func(r *http.Request) (Instance, error)
	// secret returns the X-LI-Signature key of the instance: the child
	// application's client secret (docs/linkedin-api.md §8.1).
	secret func(ctx context.Context, in Instance) (string, error)
	// client returns the instance's customer client to fetch payloads.
	client func(ctx context.Context, in Instance) (*rsc.Client, error)
	// onStatus receives the integrations of an INTEGRATION_STATUS_CHANGE
	// (fetched with Integrations.ByRequest).
	onStatus func(ctx context.Context, in Instance, ints []rsc.Integration) error
}

// PushHandler receives LinkedIn's push notifications on customers'
// CALLBACK_URLs (docs/linkedin-api.md §8.1). Flow.PushHandler returns one.
//
// It answers within the request and does the work asynchronously. In
// order: POST only (405); at most 64 KiB (413); X-LI-Signature, when
// present, must be one header holding "hmacsha256=" and 64 hex digits
// (docs/linkedin-api.md §8.1), else the push is refused as a bad signature
// (401, the same answer, before the instance or its secret is looked up):
// a push carrying the header twice, even once with a valid signature, is
// ambiguous, and so is an empty value; the instance must be known
// (401, as a push without a valid signature gets, so that probing does not
// reveal which customers exist; with WithUnsignedPushes, 404 for an
// unsigned push; 503 while the store cannot be read); X-LI-Signature must be
// present (401, unless WithUnsignedPushes) and verify with the instance's
// client secret (401; 503 while the secret cannot be read or is empty,
// which does tell that the instance exists); the body must be a UTF-8 JSON event (400); a
// replay of an id seen recently is acknowledged and dropped (200); an
// export is recorded by the AcceptFunc, if any (WithExportAccept; 503 when
// that fails); the event is queued for a bounded worker pool (200; 503 when the queue is
// full, so LinkedIn redelivers it later). Nothing reaches LinkedIn before
// the signature has verified. Workers fetch the payload by request id and
// update the flow's status (INTEGRATION_STATUS_CHANGE) or call the export
// handler (EXPORT_CANDIDATE_PROFILE, WithExportHandler). Events of one
// instance are handled by one worker, in arrival order. A failed handling
// forgets the id, so a redelivery is processed again; a redelivery that
// arrives while an earlier delivery of the same event is still being
// recorded (WithExportAccept) or queued is answered 503, so that LinkedIn
// sends it again if that earlier delivery fails.
//
// Serve it from an http.Server with a ReadTimeout (LinkedIn's pushes are
// small; a few seconds is plenty): the handler reads the body whole, and
// only the server's deadline stops a client that sends it slowly.
//
// The memory of seen ids is per process and bounded (WithDedup): after a
// restart, or behind several replicas, a redelivered event is handled
// again. That is harmless: status changes are re-read from LinkedIn, and
// inmail's export handling remembers handled request ids in its cursor
// store.
type PushHandler struct {
	cfg      pushConfig
	opt      *config
	log      *slog.Logger
	queue    *pushq.Queue
	seen     *pushq.Seen
	unsigned bool

	mu       sync.Mutex
	admitted map[string]bool // keys a delivery is still accepting and queueing
}

// newPushHandler starts the handler's workers. Close it when done.
func newPushHandler(pc pushConfig, c *config) *PushHandler {
	return &PushHandler{cfg: pc, opt: c, log: c.logger, unsigned: c.unsigned,
		queue: pushq.NewQueue(c.workers, c.queueSize), seen: pushq.NewSeen(c.dedupSize, c.dedupTTL, c.clock),
		admitted: map[string]bool{}}
}

// ServeHTTP implements http.Handler.
func (h *PushHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, rf := pushq.ReadBody(w, r)
	if rf != nil {
		pushq.Fail(w, rf)
		return
	}
	sig, rf := pushq.Signature(r.Header)
	if rf != nil {
		h.log.WarnContext(r.Context(), "rsc push refused: ambiguous signature header", "path", r.URL.EscapedPath(),
			"headers", len(r.Header.Values(rsc.SignatureHeader)))
		pushq.Fail(w, rf)
		return
	}
	in, err := h.cfg.resolve(r)
	switch {
	case errors.Is(err, errUnknownInstance):
		h.log.WarnContext(r.Context(), "rsc push for unknown instance", "path", r.URL.EscapedPath())
		pushq.Fail(w, unknownInstance(sig, h.unsigned))
		return
	case err != nil: // the store failed: LinkedIn redelivers after a 5xx
		h.log.ErrorContext(r.Context(), "rsc push: looking up the instance failed", "path", r.URL.EscapedPath(), "err", err)
		pushq.Fail(w, &pushq.Refusal{Status: http.StatusServiceUnavailable, Reason: "cannot look up the instance now"})
		return
	}
	ev, rf := h.authenticate(r, in, sig, body)
	if rf != nil {
		pushq.Fail(w, rf)
		return
	}
	key := in.ForeignID() + "\x00" + ev.Type + "\x00" + ev.ID
	switch h.admit(key) {
	case admitBusy:
		http.Error(w, "the same event is being recorded", http.StatusServiceUnavailable)
		return
	case admitSeen:
		h.log.DebugContext(r.Context(), "rsc push: duplicate dropped", "customer", in.CustomerID, "type", ev.Type, "id", ev.ID)
		w.WriteHeader(http.StatusOK)
		return
	}
	defer h.admitDone(key)
	if err := h.accept(r.Context(), in, ev); err != nil {
		h.seen.Remove(key)
		h.log.ErrorContext(r.Context(), "rsc push: export not recorded", "customer", in.CustomerID, "label", in.Label, "id", ev.ID, "err", err)
		http.Error(w, "cannot record the export now", http.StatusServiceUnavailable)
		return
	}
	if err := h.queue.Add(in.ForeignID(), func() { h.run(in, ev, key) }); err != nil {
		h.seen.Remove(key)
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// admitDone ends the admission of the delivery of key: accepted and
// queued, or refused.
func (h *PushHandler) admitDone(key string) {
	h.mu.Lock()
	delete(h.admitted, key)
	h.mu.Unlock()
}

// What admit decides for a delivery.
const (
	admitNew  = iota // handle it
	admitSeen        // a duplicate of an event handled or queued: answer 200
	admitBusy        // the same event's earlier delivery is still being accepted: answer 503
)

// admit decides what to do with a delivery of the event key. A redelivery
// that arrives while an earlier delivery of the same event is still being
// recorded (WithExportAccept) or queued is answered 503, not 200: that
// earlier delivery may still fail, forget the key and answer 503, and
// LinkedIn, told 200 for the redelivery, would not send the event again.
func (h *PushHandler) admit(key string) int {
	h.mu.Lock()
	defer h.mu.Unlock()
	switch {
	case h.admitted[key]:
		return admitBusy
	case !h.seen.Add(key):
		return admitSeen
	}
	h.admitted[key] = true
	return admitNew
}

// accept gives an export push to the AcceptFunc (WithExportAccept), if
// any, before the push is answered.
func (h *PushHandler) accept(ctx context.Context, in Instance, ev rsc.PushEvent) error {
	if ev.Type != rsc.EventExportCandidate || h.opt.acceptExport == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(ctx, h.opt.fetchTimeout)
	defer cancel()
	return h.opt.acceptExport(ctx, in, ev)
}

// unknownInstance is the refusal of a push to a callback URL no instance
// owns. Signed or not, it is the one a known instance gives a push without
// a valid signature, so that the answer does not tell which customers and
// contracts exist; only with unsigned pushes allowed (tests) is it a 404.
func unknownInstance(sig string, allowUnsigned bool) *pushq.Refusal {
	switch {
	case sig != "":
		return pushq.BadSignature()
	case !allowUnsigned:
		return &pushq.Refusal{Status: http.StatusUnauthorized, Reason: "signature required"}
	}
	return &pushq.Refusal{Status: http.StatusNotFound, Reason: "unknown callback"}
}

// authenticate verifies the push's signature sig (pushq.Signature) with
// the instance's secret and parses it.
func (h *PushHandler) authenticate(r *http.Request, in Instance, sig string, body []byte) (rsc.PushEvent, *pushq.Refusal) {
	var secret string
	if sig != "" {
		var err error
		if secret, err = h.cfg.secret(r.Context(), in); err != nil {
			h.log.ErrorContext(r.Context(), "rsc push: no signing secret", "customer", in.CustomerID, "label", in.Label, "err", err)
			return rsc.PushEvent{}, &pushq.Refusal{Status: http.StatusServiceUnavailable, Reason: "cannot verify now"}
		}
	}
	if rf := pushq.Authenticate(body, sig, secret, h.unsigned); rf != nil {
		h.log.WarnContext(r.Context(), "rsc push refused", "customer", in.CustomerID, "label", in.Label, "reason", rf.Reason)
		return rsc.PushEvent{}, rf
	}
	return pushq.Parse(body)
}

func (h *PushHandler) run(in Instance, ev rsc.PushEvent, key string) {
	if err := h.handle(in, ev); err != nil {
		h.seen.Remove(key)
		h.log.Error("rsc push handling failed", "customer", in.CustomerID, "label", in.Label, "type", ev.Type, "id", ev.ID, "err", err)
	}
}

func (h *PushHandler) handle(in Instance, ev rsc.PushEvent) error {
	ctx, cancel := context.WithTimeout(context.Background(), h.opt.fetchTimeout)
	defer cancel()
	switch {
	case ev.Type != rsc.EventIntegrationStatus && ev.Type != rsc.EventExportCandidate:
		h.log.Warn("rsc push: unknown event type ignored", "type", ev.Type, "id", ev.ID)
		return nil
	case ev.Type == rsc.EventExportCandidate && h.opt.onExport == nil:
		h.log.Warn("rsc push: export event dropped (no export handler)", "customer", in.CustomerID, "id", ev.ID)
		return nil
	}
	cust, err := h.cfg.client(ctx, in)
	if err != nil {
		return err
	}
	if ev.Type == rsc.EventExportCandidate {
		return h.opt.onExport(ctx, in, ev, cust)
	}
	ints, err := cust.Integrations.ByRequest(ctx, ev.ID)
	if errors.Is(err, rsc.ErrNotFound) {
		h.log.Warn("rsc push: payload expired or unknown", "customer", in.CustomerID, "id", ev.ID)
		return nil
	}
	if err != nil {
		return err
	}
	return h.cfg.onStatus(ctx, in, ints)
}

// Wait blocks until every accepted event has been handled, or ctx ends
// (tests, graceful shutdown). It polls every few milliseconds.
func (h *PushHandler) Wait(ctx context.Context) error {
	if ctx == nil {
		return errNilContext
	}
	return h.queue.Wait(ctx)
}

// Close stops accepting events (503), lets the workers finish the queue and
// waits for them.
func (h *PushHandler) Close() { h.queue.Close() }
