package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"

	"github.com/rscgo/rscgo/internal/fsutil"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/onboarding"
	rscsync "github.com/rscgo/rscgo/sync"
)

// The data directory's layout (the Tracker demo's).
const (
	checkpointsDir = "sync-checkpoints"
	deadLettersDir = "sync-dead-letters"
	onboardingDir  = "onboarding"
	milestonesDir  = "milestones"
)

// stores is a data directory. A store whose directory is missing is nil
// (empty): rscctl creates no directory.
type stores struct {
	dir   string
	cps   rscsync.Store
	dead  rscsync.DeadLetterStore
	flows onboarding.StateStore
	evs   milestones.EventStore
	errs  []error // stores that exist but could not be opened
}

func exists(path string) bool { st, err := os.Stat(path); return err == nil && st.IsDir() }

// open returns the store in dir/name built by newStore, or nil when the
// directory is missing.
func open[T any](s *stores, name string, newStore func(string) (T, error)) T {
	var zero T
	path := filepath.Join(s.dir, name)
	if !exists(path) {
		return zero
	}
	v, err := newStore(path)
	if err != nil {
		s.errs = append(s.errs, err)
		return zero
	}
	return v
}

func openStores(dir string) *stores {
	s := &stores{dir: dir}
	if st := open(s, checkpointsDir, rscsync.NewFileStore); st != nil {
		s.cps = st
	}
	if st := open(s, deadLettersDir, rscsync.NewFileDeadLetters); st != nil {
		s.dead = st
	}
	if st := open(s, onboardingDir, onboarding.NewFileStore); st != nil {
		s.flows = st
	}
	if st := open(s, milestonesDir, milestones.NewFileStore); st != nil {
		s.evs = st
	}
	return s
}

// customers lists the customers with a checkpoint, an onboarding state or
// milestones, sorted.
func (s *stores) customers() ([]string, error) {
	if len(s.errs) > 0 {
		return nil, errors.Join(s.errs...)
	}
	var ids []string
	for _, d := range []string{checkpointsDir, filepath.Join(onboardingDir, "state"), milestonesDir} {
		path := filepath.Join(s.dir, d)
		if !exists(path) {
			continue
		}
		dir, err := fsutil.OpenDir(path)
		if err == nil {
			var keys []string
			keys, err = dir.Keys()
			ids = append(ids, keys...)
		}
		if err != nil {
			return nil, fmt.Errorf("listing customers in %s: %w", path, err)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

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

func (s *stores) load(ctx context.Context, id string) (customerStatus, error) {
	cs := customerStatus{Customer: id, Milestones: []milestones.Milestone{}}
	if s.flows != nil {
		st, err := s.flows.LoadState(ctx, id)
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
	if s.evs != nil {
		evs, err := s.evs.Load(ctx, id)
		if err != nil {
			return cs, err
		}
		for _, e := range evs {
			cs.Milestones = append(cs.Milestones, e.Milestone)
		}
		slices.Sort(cs.Milestones)
	}
	if s.cps != nil {
		st, err := rscsync.PhaseStatus(ctx, s.cps, id)
		if err != nil {
			return cs, err
		}
		cs.Phases = st
	}
	n, err := s.deadCount(ctx, id)
	cs.DeadLetters = n
	return cs, err
}

func (s *stores) deadCount(ctx context.Context, id string) (int, error) {
	n := 0
	if s.dead == nil {
		return 0, nil
	}
	for _, err := range s.dead.List(ctx, id) {
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// known returns a not-found error for a customer no store knows.
func (s *stores) known(id string) error {
	ids, err := s.customers()
	if err != nil {
		return err
	}
	if !slices.Contains(ids, id) {
		return &notFoundError{fmt.Sprintf("no customer %q in %s", id, s.dir)}
	}
	return nil
}

func (s *stores) status(ctx context.Context, o options, args []string, w io.Writer) error {
	ids := args
	if len(ids) == 0 {
		var err error
		if ids, err = s.customers(); err != nil {
			return err
		}
	} else if err := s.known(ids[0]); err != nil {
		return err
	}
	var all []customerStatus
	for _, id := range ids {
		cs, err := s.load(ctx, id)
		if err != nil {
			return fmt.Errorf("customer %q: %w", id, err)
		}
		all = append(all, cs)
	}
	if o.json {
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

func (s *stores) checkpoint(ctx context.Context, o options, id string, w io.Writer) error {
	var cp *rscsync.Checkpoint
	var err error
	if s.cps != nil {
		cp, err = s.cps.Load(ctx, id)
	}
	if err != nil {
		return err
	}
	if cp == nil {
		return &notFoundError{fmt.Sprintf("no checkpoint of customer %q in %s", id, s.dir)}
	}
	if o.json {
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

func (s *stores) deadLetters(ctx context.Context, id string) ([]deadLine, error) {
	if err := s.known(id); err != nil {
		return nil, err
	}
	out := []deadLine{}
	if s.dead == nil {
		return out, nil
	}
	for d, err := range s.dead.List(ctx, id) {
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

func (s *stores) listDead(ctx context.Context, asJSON bool, id string, w io.Writer) error {
	dls, err := s.deadLetters(ctx, id)
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

func (s *stores) reset(ctx context.Context, o options, id string, w io.Writer) error {
	if !o.yes {
		return &usageError{"reset deletes the customer's checkpoint and dead letters: add -yes"}
	}
	dls, err := s.deadLetters(ctx, id)
	if err != nil {
		return err
	}
	for _, d := range dls {
		if err := s.dead.Delete(ctx, id, d.Key); err != nil {
			return err
		}
	}
	if path := filepath.Join(s.dir, checkpointsDir); exists(path) {
		dir, err := fsutil.OpenDir(path)
		if err == nil {
			err = dir.Delete(id)
		}
		if err != nil {
			return fmt.Errorf("deleting the checkpoint: %w", err)
		}
	}
	if o.json {
		return jsonLines(w, []map[string]any{{"customer": id, "reset": true, "deadLettersDeleted": len(dls)}})
	}
	fmt.Fprintf(w, "customer %s reset: checkpoint and %d dead letters deleted; the next sync starts the historical sync again\n", id, len(dls))
	return nil
}
