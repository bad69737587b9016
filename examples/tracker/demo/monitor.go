package demo

import (
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/onboarding"
	rscsync "github.com/rscgo/rscgo/sync"
)

// Monitor holds the live state of a demo run for the admin page: the
// onboarding step and integration status, the sync's progress per phase,
// the milestones reached and every feature's availability. Run updates it;
// Handler serves it, with the operators' console. It is safe for concurrent use.
type Monitor struct {
	token string // the operator token, fixed

	mu     sync.Mutex
	snap   Snapshot
	served served
}

// NewMonitor returns an empty Monitor with a new random operator token.
func NewMonitor() *Monitor {
	return &Monitor{token: newToken(), snap: Snapshot{Stage: "starting", Features: milestones.Evaluate(milestones.State{})}}
}

// Snapshot is what the admin page shows, and what its JSON endpoint returns.
type Snapshot struct {
	// Customer is the ATS customer id.
	Customer string `json:"customer"`
	// Stage is where the demo is: "onboarding", "historical sync",
	// "LinkedIn to Tracker", "done" or "failed".
	Stage string `json:"stage"`
	// Onboarding is the integration's onboarding step and status line.
	Onboarding OnboardingStatus `json:"onboarding"`
	// Sync is the progress of each phase, in order.
	Sync []PhaseStatus `json:"sync"`
	// Milestones lists the milestones reached, in order.
	Milestones []milestones.Event `json:"milestones"`
	// Features is the milestones engine's evaluation: the milestone,
	// the sync progress and every feature's status and scope.
	Features milestones.Report `json:"features"`
	// DeadLetters counts the records LinkedIn (or validation) refused.
	DeadLetters int `json:"deadLetters"`
	// Reconciliation compares Tracker with LinkedIn, once the sync is done.
	Reconciliation []Reconciled `json:"reconciliation,omitempty"`
	// Log is the end of the demo's output.
	Log []string `json:"log"`
	// Error is the run's failure, if any.
	Error string `json:"error,omitempty"`
	// UpdatedAt is the time of the last change.
	UpdatedAt time.Time `json:"updatedAt"`
}

// OnboardingStatus is the onboarding part of a Snapshot.
type OnboardingStatus struct {
	Step       onboarding.Step `json:"step"`
	StatusLine string          `json:"statusLine"`
	Todo       string          `json:"todo,omitempty"`
}

// PhaseStatus is one sync phase's live progress.
type PhaseStatus struct {
	Phase            string  `json:"phase"`
	Done             int64   `json:"done"`
	Total            int64   `json:"total"`
	Percent          int     `json:"percent"`
	RecordsPerMinute float64 `json:"recordsPerMinute"`
	ETASeconds       int64   `json:"etaSeconds,omitempty"`
	// DeadLettered counts the phase's records currently refused, over all
	// runs (sync.Progress.DeadLettered).
	DeadLettered int64 `json:"deadLettered"`
	Completed    bool  `json:"completed"`
}

// maxLog bounds the lines kept for the admin page.
const maxLog = 200

// Snapshot returns a copy of the current state.
func (m *Monitor) Snapshot() Snapshot {
	m.mu.Lock()
	defer m.mu.Unlock()
	s := m.snap
	s.Sync = slices.Clone(s.Sync)
	s.Milestones = slices.Clone(s.Milestones)
	s.Reconciliation = slices.Clone(s.Reconciliation)
	s.Log = slices.Clone(s.Log)
	return s
}

func (m *Monitor) update(f func(s *Snapshot)) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	f(&m.snap)
	m.snap.UpdatedAt = time.Now()
}

// line adds a printed line to the snapshot's log, with the operator token
// masked: the log is served by /run and /status.json, and the token is the
// console's credential (the terminal alone shows the login address).
func (m *Monitor) line(l string) {
	if m == nil {
		return // no monitor (no -http): nothing serves the log
	}
	if m.token != "" {
		l = strings.ReplaceAll(l, m.token, "[operator token]")
	}
	m.update(func(s *Snapshot) {
		s.Log = append(s.Log, l)
		if len(s.Log) > maxLog {
			s.Log = slices.Delete(s.Log, 0, len(s.Log)-maxLog)
		}
	})
}

func (m *Monitor) progress(p rscsync.Progress) {
	m.update(func(s *Snapshot) {
		ps := PhaseStatus{Phase: p.Phase.String(), RecordsPerMinute: p.RecordsPerMinute,
			ETASeconds: int64(p.ETA / time.Second), DeadLettered: p.DeadLettered, Completed: p.Completed}
		ps.Done, ps.Total, ps.Percent = shown(p)
		for i := range s.Sync {
			if s.Sync[i].Phase == ps.Phase {
				s.Sync[i] = ps
				return
			}
		}
		s.Sync = append(s.Sync, ps)
	})
}
