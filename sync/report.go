package sync

import (
	"fmt"
	"io"
	"slices"
	"time"
)

// maxRejections caps the rejections a Report lists (counts stay exact).
const maxRejections = 100

// Report summarises a Run, a dry run or a dead-letter retry.
type Report struct {
	CustomerID string
	DryRun     bool
	StartedAt  time.Time
	FinishedAt time.Time
	// Historical is set when the run was (part of) the historical sync.
	Historical bool
	// CaughtUp is set when every phase reached the end of its stream.
	CaughtUp bool
	// ParkedUntil is set when the daily quota stopped the run.
	ParkedUntil time.Time

	Phases map[Phase]*PhaseReport
	// Reconciliation compares the ATS's totals with what LinkedIn
	// acknowledged, per milestone phase, as certification does.
	Reconciliation []Reconciliation
	// Rejections lists the first records refused (dry run: that would be
	// refused) in this run, with reasons.
	Rejections []Rejection
}

// PhaseReport counts one phase's records in one run.
type PhaseReport struct {
	Read         int64            // records read from the Source
	Sent         int64            // records sent (dry run: that would be sent)
	Acknowledged int64            // records LinkedIn accepted
	Failed       int64            // records refused and dead-lettered (dry run: that would be)
	Skipped      int64            // ineligible records
	SkipReasons  map[string]int64 // ineligible records by reason
	Batches      int64            // batches committed
	Completed    bool             // the phase's historical pass is complete
}

// Reconciliation compares one phase's totals.
type Reconciliation struct {
	Phase Phase
	// ATSTotal is the Source's count of records in the window.
	ATSTotal int64
	// Acknowledged counts the distinct records LinkedIn accepted, as far
	// as the engine can tell without reading LinkedIn back: every record of
	// the historical pass, then records created after the phase's watermark.
	Acknowledged int64
	DeadLettered int64 // records currently refused
	Ineligible   int64 // records skipped by the eligibility hook
	// Missing is ATSTotal minus the three others, never negative.
	Missing int64
}

// Rejection is one refused record.
type Rejection struct {
	Kind   EntityKind
	ID     string
	Parent string
	Reason string
}

func newReport(cust string, dry bool, start time.Time) *Report {
	r := &Report{CustomerID: cust, DryRun: dry, StartedAt: start, Phases: map[Phase]*PhaseReport{}}
	for _, p := range allPhases {
		r.Phases[p] = &PhaseReport{}
	}
	return r
}

func (r *Report) phase(p Phase) *PhaseReport { return r.Phases[p] }

func (r *Report) skip(p Phase, reason string) {
	pr := r.Phases[p]
	pr.Skipped++
	if pr.SkipReasons == nil {
		pr.SkipReasons = map[string]int64{}
	}
	if reason == "" {
		reason = "ineligible"
	}
	pr.SkipReasons[reason]++
}

func (r *Report) reject(d DeadLetter) {
	if len(r.Rejections) < maxRejections {
		r.Rejections = append(r.Rejections, Rejection{Kind: d.Kind, ID: d.ID, Parent: d.Parent, Reason: d.Reason})
	}
}

// merge adds o's counts to r (Run accumulates the passes around a park).
func (r *Report) merge(o *Report) {
	for p, op := range o.Phases {
		pr := r.Phases[p]
		pr.Read += op.Read
		pr.Sent += op.Sent
		pr.Acknowledged += op.Acknowledged
		pr.Failed += op.Failed
		pr.Skipped += op.Skipped
		pr.Batches += op.Batches
		pr.Completed = op.Completed
		for k, v := range op.SkipReasons {
			if pr.SkipReasons == nil {
				pr.SkipReasons = map[string]int64{}
			}
			pr.SkipReasons[k] += v
		}
	}
	for _, x := range o.Rejections {
		if len(r.Rejections) < maxRejections {
			r.Rejections = append(r.Rejections, x)
		}
	}
	r.Historical = r.Historical || o.Historical
	r.CaughtUp, r.ParkedUntil, r.FinishedAt = o.CaughtUp, o.ParkedUntil, o.FinishedAt
	if o.Reconciliation != nil {
		r.Reconciliation = o.Reconciliation
	}
}

// WriteText writes a plain-text summary of the report.
func (r *Report) WriteText(w io.Writer) error {
	mode := "sync"
	if r.DryRun {
		mode = "dry run"
	}
	if _, err := fmt.Fprintf(w, "%s for customer %s (caught up: %v)\n", mode, r.CustomerID, r.CaughtUp); err != nil {
		return err
	}
	for _, p := range allPhases {
		pr := r.Phases[p]
		fmt.Fprintf(w, "%-15s read %d, sent %d, acknowledged %d, failed %d, skipped %d\n",
			p.String()+":", pr.Read, pr.Sent, pr.Acknowledged, pr.Failed, pr.Skipped)
		reasons := make([]string, 0, len(pr.SkipReasons))
		for k := range pr.SkipReasons {
			reasons = append(reasons, k)
		}
		slices.Sort(reasons)
		for _, k := range reasons {
			fmt.Fprintf(w, "  skipped %q: %d\n", k, pr.SkipReasons[k])
		}
	}
	for _, x := range r.Rejections {
		fmt.Fprintf(w, "rejected %s %s: %s\n", x.Kind, x.ID, x.Reason)
	}
	for _, x := range r.Reconciliation {
		if _, err := fmt.Fprintf(w, "reconcile %-15s ATS %d, LinkedIn %d, dead letters %d, ineligible %d, missing %d\n",
			x.Phase.String()+":", x.ATSTotal, x.Acknowledged, x.DeadLettered, x.Ineligible, x.Missing); err != nil {
			return err
		}
	}
	return nil
}
