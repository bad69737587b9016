package sync

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// maxRejections caps the rejections a Report lists (counts stay exact).
const maxRejections = 100

// Report summarises a Run, a dry run or a dead-letter retry.
type Report struct {
	CustomerID string    `json:"customerId"`
	DryRun     bool      `json:"dryRun,omitempty"`
	StartedAt  time.Time `json:"startedAt"`
	FinishedAt time.Time `json:"finishedAt"`
	// Historical is set when the run was (part of) the historical sync.
	Historical bool `json:"historical"`
	// CaughtUp is set when every phase reached the end of its stream.
	CaughtUp bool `json:"caughtUp"`
	// ParkedUntil is set when the daily quota stopped the run.
	ParkedUntil time.Time `json:"parkedUntil,omitzero"`

	Phases map[Phase]*PhaseReport `json:"phases"`
	// Reconciliation compares the ATS's totals with what LinkedIn
	// acknowledged, per milestone phase, as certification does.
	Reconciliation []Reconciliation `json:"reconciliation,omitempty"`
	// Rejections lists the first records refused (dry run: that would be
	// refused) in this run, with reasons.
	Rejections []Rejection `json:"rejections,omitempty"`
}

// PhaseReport counts one phase's records in one run. Progress events carry
// the same counts so far (Progress.Run). Read = Sent + Skipped, and Sent =
// Acknowledged + Refused once every batch sent was answered, but for the
// refused stages of accepted applications (below); in a retry of
// dead letters (Engine.RetryDeadLetters, Engine.Resync) Read counts the
// records looked up, a record the Source no longer holds included (skipped
// with the reason SkipGone). A deletion whose record the ATS holds again
// is skipped with the reason SkipRecreated. An application's stages are
// part of it, not records of their own, except that a refused stage counts
// in Refused, and that a retry counts a refused stage its application no
// longer lists as read and skipped (SkipGone).
type PhaseReport struct {
	Read         int64            `json:"read"`                  // records read from the Source after the watermark
	Sent         int64            `json:"sent"`                  // records sent, or refused by the client before sending (dry run: that would be)
	Acknowledged int64            `json:"acknowledged"`          // records LinkedIn accepted (dry run: 0)
	Refused      int64            `json:"refused"`               // records refused and dead-lettered (dry run: that would be)
	Skipped      int64            `json:"skipped"`               // ineligible records, and those of SkipGone and SkipRecreated
	SkipReasons  map[string]int64 `json:"skipReasons,omitempty"` // skipped records by reason
	Batches      int64            `json:"batches"`               // batches committed
	Completed    bool             `json:"completed"`             // the phase's historical pass is complete
	// Future counts the records read that are dated more than the clock
	// skew allowance after now (WithClockSkew): they were sent, but the
	// watermark stays before them, so every cycle over the phases sends
	// them again, once, until their time comes. A warning: fix the ATS's
	// clock or data.
	// FutureExample is the id of the first.
	Future        int64  `json:"future,omitempty"`
	FutureExample string `json:"futureExample,omitempty"`
	// ParentsSent counts the parent records from before the window
	// (applications and candidates) sent because LinkedIn refused a note
	// or feedback of theirs modified in the window for want of them; they
	// are not counted as Sent (see docs/linkedin-api.md §7.5).
	ParentsSent int64 `json:"parentsSent,omitempty"`
}

// batches counts the batches the report's run committed, over its phases.
func (r *Report) batches() int64 {
	var n int64
	for _, pr := range r.Phases {
		n += pr.Batches
	}
	return n
}

// Reconciliation compares one phase's totals.
type Reconciliation struct {
	Phase Phase `json:"phase"`
	// ATSTotal is the Source's count of records in the window.
	ATSTotal int64 `json:"atsTotal"`
	// Acknowledged counts the distinct records LinkedIn accepted, as far
	// as the engine can tell without reading LinkedIn back: every record of
	// the historical pass, then records created after the phase's watermark,
	// minus the deleted records among them. A record counts once: when
	// LinkedIn refuses an update of a record it holds, it keeps the
	// earlier version (DeadLetter.Held), and accepting the fixed record
	// does not count it again. A deletion leaves the count unless the
	// engine knows it never counted the record: a job LinkedIn does not
	// hold (JobState.Held); a record with a dead letter of a refusal that
	// is not Held; a record whose Deletion.ModifiedAt lies before the
	// window, which the engine never read.
	//
	// It is an estimate; ContentReport compares the records themselves:
	//   - a record that re-enters the window after an edit is not counted
	//     (Missing is one too high), and its deletion does not set that
	//     right;
	//   - the notes and feedback LinkedIn deletes with their application
	//     are subtracted only when the Source reports their deletions too;
	//   - a record deleted before the engine read it (created and deleted
	//     between two runs; during the historical pass, one the backlog
	//     had not reached) is subtracted all the same (Missing is one too
	//     high), as its Deletion cannot be told from that of a record
	//     edited since it was sent;
	//   - a record skipped as ineligible leaves Acknowledged when deleted,
	//     while Ineligible keeps it: each is one off, and Missing right;
	//   - a record LinkedIn holds whose update it refused counts in
	//     DeadLettered too until LinkedIn accepts the record (Missing is
	//     one too low meanwhile);
	//   - a record the Source yields again in a later batch of one pass
	//     (it changed while the stream was read) counts twice (Missing is
	//     one too low; the phase's Total is raised to its Done);
	//   - a refused record deleted in the ATS whose dead letter a retry
	//     drops as gone (SkipGone) before its Deletion is read is
	//     subtracted all the same (Missing is one too high);
	//   - a record whose deletion's answer lacked its key (a dead letter)
	//     and that the ATS then created again counts twice (Missing is one
	//     too low).
	Acknowledged int64 `json:"acknowledged"`
	DeadLettered int64 `json:"deadLettered"` // records currently refused
	Ineligible   int64 `json:"ineligible"`   // records skipped by the eligibility hook
	// Missing is ATSTotal minus the three others, never negative. As
	// Acknowledged is an estimate, a Missing of 0 is no proof that LinkedIn
	// holds every record: ContentReport is.
	Missing int64 `json:"missing"`
}

// Rejection is one refused record.
type Rejection struct {
	Kind   EntityKind `json:"kind"`
	ID     string     `json:"id"`
	Parent string     `json:"parent,omitempty"`
	Reason string     `json:"reason"`
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
		pr.Refused += op.Refused
		pr.Skipped += op.Skipped
		pr.Batches += op.Batches
		pr.Future += op.Future
		if pr.FutureExample == "" {
			pr.FutureExample = op.FutureExample
		}
		pr.Completed = pr.Completed || op.Completed // a completed pass stays so
		pr.ParentsSent += op.ParentsSent
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

// WriteText writes a plain-text summary of the report, one fact a line.
// Ids, kinds and reasons come from the ATS or from LinkedIn: one that holds
// a newline or any other character that is not printable is written
// quoted in Go syntax, so no value can forge a line.
func (r *Report) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	mode := "sync"
	if r.DryRun {
		mode = "dry run"
	}
	ew.printf("%s for customer %s (caught up: %v)\n", mode, clean(r.CustomerID), r.CaughtUp)
	for _, p := range allPhases {
		pr := r.Phases[p]
		if pr == nil {
			continue
		}
		ew.printf("%-18s read %d, sent %d, acknowledged %d, refused %d, skipped %d\n",
			p.String()+":", pr.Read, pr.Sent, pr.Acknowledged, pr.Refused, pr.Skipped)
		for _, k := range slices.Sorted(maps.Keys(pr.SkipReasons)) {
			ew.printf("  skipped %q: %d\n", k, pr.SkipReasons[k])
		}
		if pr.Future > 0 {
			ew.printf("  warning: %d record(s) dated in the future (the first: %s): sent again on every pass until then; fix the ATS clock or data\n",
				pr.Future, clean(pr.FutureExample))
		}
	}
	for _, x := range r.Rejections {
		ew.printf("rejected %s %s: %s\n", clean(string(x.Kind)), clean(x.ID), clean(x.Reason))
	}
	for _, x := range r.Reconciliation {
		ew.printf("reconcile %-18s ATS %d, LinkedIn %d, dead letters %d, ineligible %d, missing %d\n",
			x.Phase.String()+":", x.ATSTotal, x.Acknowledged, x.DeadLettered, x.Ineligible, x.Missing)
	}
	return ew.err
}

// errWriter keeps the first write error and skips the writes after it.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

// clean returns s for a report line: s itself when every character is
// printable (spaces included) and s is not empty, else s quoted in Go
// syntax.
func clean(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) || r == utf8.RuneError }) < 0 {
		return s
	}
	return strconv.Quote(s)
}
