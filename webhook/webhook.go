// Package webhook serves the push notifications LinkedIn sends for an
// ATS's customers. On the customers' callback URLs, one handler (New)
// takes them all: integration status changes go to the onboarding flow and
// 1-Click Exports to the customer's inmail Retriever. On the partner's
// Developer Portal webhook, JobResyncHandler takes LinkedIn's requests to
// send jobs again.
//
// Each customer instance has its own CALLBACK_URL (LinkedIn requires one
// per customer, docs/linkedin-api.md §8.1), built by the onboarding flow
// under FlowConfig.PushBase; mount the handler at that base path:
//
//	h, err := webhook.New(flow, "/rsc/push", retrievers)
//	if err != nil { ... }
//	defer h.Close()
//	mux.Handle("/rsc/push/", h)
//
// The handler verifies each push once, before anything else: it must carry
// an X-LI-Signature that verifies with the instance's client secret (see
// onboarding.PushHandler for every answer). Then it fetches the payload in
// a bounded worker pool and dispatches by event type:
//
//   - INTEGRATION_STATUS_CHANGE: the flow's status of the instance
//     (onboarding.Flow.ApplyStatus);
//   - EXPORT_CANDIDATE_PROFILE: the instance's Retriever
//     (inmail.Retriever.HandleExport), which creates or matches the
//     candidate and its application. The export's request id is journaled
//     in the Retriever's cursor store (inmail.Retriever.AcceptExport)
//     before the push is answered, and a push whose id cannot be journaled
//     is answered 503 so that LinkedIn redelivers it: an export the
//     handler acknowledged is finished by the Retriever's RunOnce even if
//     this process dies before its worker ran. An export of a customer
//     whose data-privacy consent does not stand (the plug-in switched off,
//     or the warning declined: onboarding.ConsentRegistry.CheckConsent) is
//     acknowledged and dropped, neither journaled nor read: handling it
//     would write the member's link to the candidate on LinkedIn, and the
//     customer stopped sharing. A consent store that cannot be read is
//     answered 503, so that LinkedIn redelivers the push;
//   - any other type: acknowledged and logged.
//
// LinkedIn's job resync notifications come to another webhook, the one the
// partner registers in the Developer Portal for all its customers:
// JobResyncHandler serves it (docs/linkedin-api.md §7.9).
package webhook

import (
	"context"
	"errors"
	"fmt"

	"github.com/rscgo/rscgo/inmail"
	"github.com/rscgo/rscgo/onboarding"
	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// Retrievers returns the inmail Retriever of a customer instance, or an
// error (the export is then retried when LinkedIn redelivers the push).
// Return the Retriever that polls the customer, or one over a CursorStore
// that is an inmail.CursorUpdater (fleet/pgstore's InMailCursors, one
// shared FileCursors or MemoryCursors): the export it journals must not be
// overwritten by another Retriever of the customer.
type Retrievers func(ctx context.Context, in onboarding.Instance) (*inmail.Retriever, error)

// New returns the push handler of every instance of flow, whose
// CALLBACK_URLs have the path prefix pathPrefix. retrievers gives each
// instance's Retriever for exports; opts are onboarding's push handler
// options (WithClock, WithLogger, WithPushWorkers, WithFetchTimeout,
// WithDedup, WithUnsignedPushes). Close the handler when done.
func New(flow *onboarding.Flow, pathPrefix string, retrievers Retrievers, opts ...onboarding.Option) (*onboarding.PushHandler, error) {
	if flow == nil || retrievers == nil {
		return nil, errors.New("webhook: New needs a flow and a Retrievers func")
	}
	// retriever returns the instance's Retriever, or nil when the
	// customer's consent does not stand (the export is dropped), with the
	// error of a failed look-up.
	retriever := func(ctx context.Context, in onboarding.Instance) (*inmail.Retriever, error) {
		if ok, err := consented(ctx, flow, in); !ok {
			return nil, err
		}
		r, err := retrievers(ctx, in)
		switch {
		case err != nil:
			return nil, fmt.Errorf("webhook: retriever of %q: %w", in.ForeignID(), err)
		case r == nil:
			return nil, fmt.Errorf("webhook: no retriever for %q", in.ForeignID())
		}
		return r, nil
	}
	export := func(ctx context.Context, in onboarding.Instance, ev rsc.PushEvent, _ *rsc.Client) error {
		r, err := retriever(ctx, in)
		if r == nil {
			return err
		}
		_, err = r.HandleExport(ctx, ev.ID)
		return err
	}
	accept := func(ctx context.Context, in onboarding.Instance, ev rsc.PushEvent) error {
		r, err := retriever(ctx, in)
		if r == nil {
			return err
		}
		return r.AcceptExport(ctx, ev.ID)
	}
	return flow.PushHandler(pathPrefix, append(opts, onboarding.WithExportHandler(export), onboarding.WithExportAccept(accept))...)
}

// consented reports whether the data-privacy consent of the instance's
// customer stands. A refusal is false and no error (the export is
// dropped); a failure to read the consent is false and that error (the
// push is answered 503 and delivered again).
func consented(ctx context.Context, flow *onboarding.Flow, in onboarding.Instance) (bool, error) {
	err := flow.Consents().CheckConsent(ctx, in.ForeignID())
	if errors.Is(err, rscsync.ErrNoConsent) {
		return false, nil
	}
	return err == nil, err
}
