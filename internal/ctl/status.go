package ctl

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/onboarding"
	rscsync "github.com/rscgo/rscgo/sync"
)

// customerStatus is what status prints of a customer.
type customerStatus struct {
	Customer    string                               `json:"customer"`
	Name        string                               `json:"name,omitempty"`
	Step        onboarding.Step                      `json:"step,omitempty"`
	Integration onboarding.State                     `json:"integration,omitempty"` // the active contract's state
	Milestones  []milestones.Milestone               `json:"milestones"`            // reached, in order
	Phases      map[rscsync.Phase]rscsync.PhaseState `json:"phases,omitempty"`
	DeadLetters int                                  `json:"deadLetters"`
}

func (s *Stores) load(ctx context.Context, id string) (customerStatus, error) {
	cs := customerStatus{Customer: id, Milestones: []milestones.Milestone{}}
	if s.Onboarding != nil {
		st, err := s.Onboarding.LoadState(ctx, id)
		if err != nil {
			return cs, err
		}
		if st != nil {
			cs.Name, cs.Step = st.CustomerName, st.Step
			if c := st.ActiveContract(); c != nil {
				cs.Integration = c.Status.State
			}
		}
	}
	if s.Milestones != nil {
		evs, err := s.Milestones.Load(ctx, id)
		if err != nil {
			return cs, err
		}
		for _, e := range evs {
			cs.Milestones = append(cs.Milestones, e.Milestone)
		}
		slices.Sort(cs.Milestones)
	}
	if s.Checkpoints != nil {
		st, err := rscsync.PhaseStatus(ctx, s.Checkpoints, id)
		if err != nil {
			return cs, err
		}
		cs.Phases = st
	}
	n, err := s.deadCount(ctx, id)
	cs.DeadLetters = n
	return cs, err
}

func (s *Stores) deadCount(ctx context.Context, id string) (int, error) {
	n := 0
	if s.DeadLetters == nil {
		return 0, nil
	}
	for d, err := range s.DeadLetters.List(ctx, id) {
		if err != nil {
			return n, err
		}
		if !d.Requested { // a resync request is no refusal
			n++
		}
	}
	return n, nil
}

// known returns a not-found error for a customer no store knows.
func (s *Stores) known(ctx context.Context, id string) error {
	ids, err := s.Customers(ctx)
	if err != nil {
		return err
	}
	if !slices.Contains(ids, id) {
		return &notFoundError{fmt.Sprintf("no customer %s %s", shown(id), s.Where)}
	}
	return nil
}

func (x *command) status(ctx context.Context) error {
	s, w := &x.s, x.c.Stdout
	ids := x.args
	if len(ids) == 0 {
		var err error
		if ids, err = s.Customers(ctx); err != nil {
			return err
		}
	} else if err := s.known(ctx, ids[0]); err != nil {
		return err
	}
	var all []customerStatus
	for _, id := range ids {
		cs, err := s.load(ctx, id)
		if err != nil {
			return fmt.Errorf("customer %s: %w", shown(id), err)
		}
		all = append(all, cs)
	}
	if x.o.json {
		return jsonLines(w, all)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "CUSTOMER\tSTEP\tINTEGRATION\tMILESTONES\tJOBS\tCANDIDATES\tAPPLICATIONS\tACTIVITIES\tDELETIONS\tDEAD")
	for _, cs := range all {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d/%d", cs.Customer, dash(string(cs.Step)), dash(string(cs.Integration)), len(cs.Milestones), int(milestones.LastMilestone))
		for p := rscsync.PhaseJobs; p <= rscsync.PhaseDeletions; p++ {
			ps, ok := cs.Phases[p]
			switch {
			case !ok:
				fmt.Fprint(tw, "\t-")
			case ps.Completed:
				fmt.Fprintf(tw, "\t%d/%d done", ps.Done, ps.Total)
			default:
				fmt.Fprintf(tw, "\t%d/%d", ps.Done, ps.Total)
			}
		}
		fmt.Fprintf(tw, "\t%d\n", cs.DeadLetters)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// jsonLines writes each value as one line of JSON.
func jsonLines[T any](w io.Writer, vs []T) error {
	enc := json.NewEncoder(w)
	for _, v := range vs {
		if err := enc.Encode(v); err != nil {
			return err
		}
	}
	return nil
}

// loadCheckpoint returns the customer's checkpoint, or a not-found error.
func (s *Stores) loadCheckpoint(ctx context.Context, id string) (*rscsync.Checkpoint, error) {
	var cp *rscsync.Checkpoint
	var err error
	if s.Checkpoints != nil {
		cp, err = s.Checkpoints.Load(ctx, id)
	}
	if err == nil && cp == nil {
		err = &notFoundError{fmt.Sprintf("no checkpoint of customer %s %s", shown(id), s.Where)}
	}
	return cp, err
}

func (x *command) checkpoint(ctx context.Context) error {
	w := x.c.Stdout
	cp, err := x.s.loadCheckpoint(ctx, x.args[0])
	if err != nil {
		return err
	}
	if x.o.json {
		return jsonLines(w, []*rscsync.Checkpoint{cp})
	}
	fmt.Fprintf(w, "customer %s: started %s, updated %s, %d complete runs, %d jobs known, %d job tasks pending\n",
		cp.CustomerID, stamp(cp.StartedAt), stamp(cp.UpdatedAt), cp.Runs, len(cp.Jobs), len(cp.Tasks))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "PHASE\tDONE\tTOTAL\tINCREMENTAL\tACKNOWLEDGED\tDEAD\tINELIGIBLE\tCOMPLETED\tCURSOR")
	for p := rscsync.PhaseJobs; p <= rscsync.PhaseDeletions; p++ {
		pc := cp.Phases[p]
		if pc == nil {
			continue
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t%s\t%s %s\n", p, pc.Done, pc.Total, pc.Incremental, pc.Acknowledged,
			pc.DeadLettered, pc.Ineligible, dash(stamp(pc.CompletedAt)), dash(stamp(pc.Cursor.ModifiedAt)), pc.Cursor.ID)
	}
	return tw.Flush()
}

func (s *Stores) deadLetters(ctx context.Context, id string) ([]deadLine, error) {
	if err := s.known(ctx, id); err != nil {
		return nil, err
	}
	out := []deadLine{}
	if s.DeadLetters == nil {
		return out, nil
	}
	for d, err := range s.DeadLetters.List(ctx, id) {
		if err != nil {
			return nil, err
		}
		out = append(out, deadLine{Key: d.Key(), DeadLetter: d})
	}
	return out, nil
}

// deadLine is a dead letter as dead list -json and dead export print it.
type deadLine struct {
	Key string `json:"key"`
	rscsync.DeadLetter
}

func (x *command) listDead(ctx context.Context, asJSON bool) error {
	w := x.c.Stdout
	dls, err := x.s.deadLetters(ctx, x.args[0])
	if err != nil {
		return err
	}
	if asJSON {
		return jsonLines(w, dls)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEY\tATTEMPTS\tLAST FAILED\tREASON")
	for _, d := range dls {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%s\n", d.Key, d.Attempts, dash(stamp(d.LastFailedAt)), oneLine(d.Reason))
	}
	return tw.Flush()
}

// oneLine keeps a reason on its line of the table.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func (x *command) reset(ctx context.Context) error {
	id, s := x.args[0], &x.s
	if !x.o.yes {
		return &usageError{"reset deletes the customer's checkpoint and dead letters: add -yes"}
	}
	dls, err := s.deadLetters(ctx, id)
	if err != nil {
		return err
	}
	for _, d := range dls {
		if err := s.DeadLetters.Delete(ctx, id, d.Key); err != nil {
			return err
		}
	}
	if err := s.DeleteCheckpoint(ctx, id); err != nil {
		return fmt.Errorf("deleting the checkpoint: %w", err)
	}
	resyncs := 0 // resync requests (DeadLetter.Requested) are kept apart, as the console counts them
	for _, d := range dls {
		if d.Requested {
			resyncs++
		}
	}
	if x.o.json {
		return jsonLines(x.c.Stdout, []map[string]any{{"customer": id, "reset": true,
			"deadLettersDeleted": len(dls) - resyncs, "resyncRequestsDeleted": resyncs}})
	}
	deleted := count(len(dls)-resyncs, "dead letter")
	if resyncs > 0 {
		deleted += " and " + count(resyncs, "resync request")
	}
	fmt.Fprintf(x.c.Stdout, "customer %s reset: checkpoint, %s deleted; the next sync starts the historical sync again\n", id, deleted)
	return nil
}

// stamp formats a time for the text output ("" for the zero time).
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}

// count is n of noun, in the plural unless n is 1: "2 dead letters".
func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
