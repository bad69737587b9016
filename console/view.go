package console

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/onboarding"
	rscsync "github.com/rscgo/rscgo/sync"
)

// customerView is what the pages show of one customer.
type customerView struct {
	ID, Name   string
	Step       string // "" without an onboarding store, "not started" without a state
	Status     string // the integration status line
	Contracts  []contractView
	Milestones []milestoneView
	Reached    int // milestones reached
	Phases     []phaseView
	Dead       []deadView
	DeadTotal  int          // refused records in the dead-letter store
	Resyncs    int          // resync requests queued there (DeadLetter.Requested), not in DeadTotal
	Stored     int          // DeadTotal + Resyncs: Dead lists at most maxDead of them
	Fleet      *fleetView   // nil without WithFleet
	Content    *contentView // the last content reconciliation, nil if none
	Errors     []string
}

type contractView struct{ Label, State, Status string }

type milestoneView struct {
	Label, At string
	Reached   bool
}

type phaseView struct {
	Name                     string
	Done, Total, Incremental int64
	DeadLettered, Ineligible int64
	Completed                bool
	Rate                     string
}

type deadView struct {
	Key, Kind, ID, Parent, Reason, Field string
	Status, Attempts                     int
	LastFailedAt                         string
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// load reads what the stores hold of a customer; a store's error is shown
// in the view and the rest goes on. deadLetters says whether to list the
// dead letters (the count is always taken).
func (h *Handler) load(ctx context.Context, id string, deadLetters bool) customerView {
	v := customerView{ID: id}
	fail := func(what string, err error) { v.Errors = append(v.Errors, fmt.Sprintf("%s: %v", what, err)) }
	if h.cfg.flows != nil {
		if st, err := h.cfg.flows.LoadState(ctx, id); err != nil {
			fail("onboarding state", err)
		} else {
			v.onboarding(st)
		}
	}
	if h.cfg.events != nil {
		if evs, err := h.cfg.events.Load(ctx, id); err != nil {
			fail("milestones", err)
		} else {
			v.milestones(evs)
		}
	}
	if h.cfg.store != nil {
		if st, err := rscsync.PhaseStatus(ctx, h.cfg.store, id); err != nil {
			fail("sync checkpoint", err)
		} else {
			v.phases(st)
		}
	}
	if h.cfg.dead != nil {
		for d, err := range h.cfg.dead.List(ctx, id) {
			if err != nil {
				fail("dead letters", err)
				break
			}
			if d.Requested {
				v.Resyncs++
			} else {
				v.DeadTotal++
			}
			v.Stored++
			if deadLetters && len(v.Dead) < h.cfg.maxDead {
				v.Dead = append(v.Dead, deadView{Key: d.Key(), Kind: string(d.Kind), ID: d.ID, Parent: d.Parent,
					Reason: d.Reason, Field: d.Field, Status: d.Status, Attempts: d.Attempts, LastFailedAt: stamp(d.LastFailedAt)})
			}
		}
	}
	return v
}

func (v *customerView) onboarding(st *onboarding.FlowState) {
	if st == nil {
		v.Step, v.Status = "not started", onboarding.Status{}.Line()
		return
	}
	v.Name, v.Step = st.CustomerName, string(st.Step)
	if c := st.ActiveContract(); c != nil {
		v.Status = c.Status.Line()
	} else {
		v.Status = onboarding.Status{}.Line()
	}
	for _, c := range st.Contracts {
		v.Contracts = append(v.Contracts, contractView{Label: c.Label, State: string(c.Status.State), Status: c.Status.Line()})
	}
}

func (v *customerView) milestones(evs []milestones.Event) {
	for m := milestones.IntegrationEnabled; m <= milestones.LastMilestone; m++ {
		row := milestoneView{Label: m.Label()}
		for _, e := range evs {
			if e.Milestone == m {
				row.Label, row.Reached, row.At = e.Text(), true, stamp(e.At)
				v.Reached++
			}
		}
		v.Milestones = append(v.Milestones, row)
	}
}

func (v *customerView) phases(st map[rscsync.Phase]rscsync.PhaseState) {
	for _, p := range slices.Sorted(maps.Keys(st)) {
		s := st[p]
		pv := phaseView{Name: p.String(), Done: s.Done, Total: s.Total, Incremental: s.Incremental,
			DeadLettered: s.DeadLettered, Ineligible: s.Ineligible, Completed: s.Completed}
		if s.RecordsPerMinute > 0 {
			pv.Rate = fmt.Sprintf("%.0f/min", s.RecordsPerMinute)
		}
		v.Phases = append(v.Phases, pv)
	}
}
