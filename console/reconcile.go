package console

import (
	"context"
	"net/http"
	"strings"
	"sync"

	rscsync "github.com/rscgo/rscgo/sync"
)

// ReconcileFunc compares a customer's records in the ATS with what
// LinkedIn holds, field by field (see EngineReconcile).
type ReconcileFunc func(ctx context.Context, customerID string) (*rscsync.ContentReport, error)

// WithReconcile sets how a customer's content is reconciled. With it a
// customer's page has a button that runs the reconciliation (a POST, like
// a retry) and shows the last result: per kind, the records checked,
// equal, missing on LinkedIn, stale and extra, with their keys. Results
// are kept in memory, the last one per customer. Without it the console
// offers no reconciliation.
func WithReconcile(f ReconcileFunc) Option {
	return option("WithReconcile", f, "nil function", func(c *config) { c.reconcile = f })
}

// EngineReconcile returns a ReconcileFunc that runs the customer's
// engine's Engine.ReconcileContent with sample (0: every record; against
// LinkedIn, a sample its quota can afford).
func EngineReconcile(engine func(ctx context.Context, customerID string) (*rscsync.Engine, error), sample int) ReconcileFunc {
	return func(ctx context.Context, customerID string) (*rscsync.ContentReport, error) {
		e, err := engine(ctx, customerID)
		if err != nil {
			return nil, err
		}
		return e.ReconcileContent(ctx, sample)
	}
}

// reconciled keeps the last content reconciliation of each customer.
type reconciled struct {
	mu   sync.Mutex
	last map[string]*rscsync.ContentReport
}

func (r *reconciled) get(id string) *rscsync.ContentReport {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.last[id]
}

func (r *reconciled) put(id string, rep *rscsync.ContentReport) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.last == nil {
		r.last = map[string]*rscsync.ContentReport{}
	}
	r.last[id] = rep
}

// contentView is a customer's last content reconciliation on its page.
type contentView struct {
	CheckedAt string
	Differs   bool
	Kinds     []kindView
}

type kindView struct {
	Kind, Unchecked                   string
	Checked, Equal, Missing, Stale    int64
	Extra                             int64
	MissingKeys, StaleKeys, ExtraKeys string
}

func newContentView(rep *rscsync.ContentReport) *contentView {
	if rep == nil {
		return nil
	}
	v := &contentView{CheckedAt: stamp(rep.CheckedAt), Differs: rep.Differs()}
	for _, k := range rep.Kinds {
		kv := kindView{Kind: string(k.Kind), Unchecked: k.Unchecked, Checked: k.Checked, Equal: k.Equal,
			Missing: k.Missing, Stale: k.Stale, Extra: k.Extra,
			MissingKeys: strings.Join(k.MissingKeys, ", "), ExtraKeys: strings.Join(k.ExtraKeys, ", ")}
		var stale []string
		for _, s := range k.StaleRecords {
			stale = append(stale, s.Key+" ("+strings.Join(s.Fields, ", ")+")")
		}
		kv.StaleKeys = strings.Join(stale, "; ")
		v.Kinds = append(v.Kinds, kv)
	}
	return v
}

// reconcilePost runs a customer's content reconciliation and keeps the
// result for its page.
func (h *Handler) reconcilePost(w http.ResponseWriter, r *http.Request) {
	id, ok := h.action(w, r, h.cfg.reconcile != nil, "reconciliation is not configured")
	if !ok {
		return
	}
	rep, err := h.cfg.reconcile(r.Context(), id)
	if err != nil {
		h.showCustomer(w, r, id, http.StatusInternalServerError, "the reconciliation failed: "+err.Error())
		return
	}
	h.recon.put(id, rep)
	done(w, id, "reconciled")
}
