package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"time"

	rscconsole "github.com/rscgo/rscgo/console"
	"github.com/rscgo/rscgo/fleet/riverrun"
	rscsync "github.com/rscgo/rscgo/sync"
)

// workerExit is a worker process that ended.
type workerExit struct {
	name string
	err  error
}

// startWorkers starts the worker processes, each with the manifest on its
// standard input and its output in the demo's, prefixed with its name.
// Cancelling ctx interrupts them; exited receives each one's end.
func (f *fleetRun) startWorkers(ctx context.Context) (chan workerExit, error) {
	m, err := json.Marshal(f.m)
	if err != nil {
		return nil, err
	}
	exited := make(chan workerExit, f.cfg.Workers)
	for i := 1; i <= f.cfg.Workers; i++ {
		name := fmt.Sprintf("worker-%d", i)
		cmd := f.cfg.Worker(ctx, name)
		cmd.Stdin = bytes.NewReader(m)
		w := &prefixWriter{out: f.out, prefix: name + ": "}
		cmd.Stdout, cmd.Stderr = w, w
		cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
		cmd.WaitDelay = 30 * time.Second
		if err := cmd.Start(); err != nil {
			return exited, fmt.Errorf("demo: starting %s: %w", name, err)
		}
		f.started++
		go func() { exited <- workerExit{name, cmd.Wait()} }()
	}
	f.out.printf("started %d worker processes; each works the customers' River jobs, one customer at a time under its lease", f.cfg.Workers)
	return exited, nil
}

// waitWorkers waits for the workers started to end (their context is
// cancelled first).
func (f *fleetRun) waitWorkers(exited chan workerExit) {
	for range f.started {
		select {
		case e := <-exited:
			if e.err != nil && !errors.Is(e.err, context.Canceled) {
				f.out.printf("%s ended: %v", e.name, e.err)
			}
		case <-time.After(time.Minute):
			f.out.printf("workers did not stop within a minute")
			return
		}
	}
}

// statusEvery is how often the fleet's state is printed while no customer
// finishes.
const statusEvery = 2 * time.Second

// waitSynced waits until every customer's four phases are complete,
// printing the fleet's state when a customer finishes, and every
// statusEvery. A worker that ends before is an error, and so are
// customers left with no sync job for FleetConfig.GiveUpAfter.
func (f *fleetRun) waitSynced(ctx context.Context, exited chan workerExit) error {
	tick := time.NewTicker(250 * time.Millisecond)
	defer tick.Stop()
	last, lastAt := -1, time.Time{}
	var idleSince time.Time // since when no customer not synced has a job
	for {
		done, err := f.synced(ctx)
		if err != nil {
			return err
		}
		fcs, err := f.fleet.Fleet(ctx) // one read for the status line and the stall check
		if done != last || time.Since(lastAt) >= statusEvery {
			f.out.printf("%s", f.statusLine(done, fcs, err))
			last, lastAt = done, time.Now()
		}
		if done == len(f.m.Customers) {
			return nil
		}
		switch stalled := f.jobless(fcs); {
		case err != nil || len(stalled) == 0:
			idleSince = time.Time{}
		case idleSince.IsZero():
			idleSince = time.Now()
		case time.Since(idleSince) >= f.cfg.GiveUpAfter:
			return fmt.Errorf("demo: %d customer(s) not synced have had no sync job for %v (%s ...): "+
				"their jobs were cancelled or discarded; is another run of the demo using this database?",
				len(stalled), f.cfg.GiveUpAfter, stalled[0])
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case e := <-exited:
			return fmt.Errorf("demo: %s ended before the customers were synced: %v", e.name, e.err)
		case <-tick.C:
		}
	}
}

// synced counts the customers whose four phases are complete, reading the
// checkpoints of those not seen synced yet only.
func (f *fleetRun) synced(ctx context.Context) (int, error) {
	if f.done == nil {
		f.done = map[string]bool{}
	}
	store := f.db.Checkpoints()
	for _, c := range f.m.Customers {
		if f.done[c.ID] {
			continue
		}
		st, err := rscsync.PhaseStatus(ctx, store, c.ID)
		if err != nil {
			return 0, err
		}
		if len(st) > 0 && !slices.ContainsFunc(rscsync.Phases(), func(p rscsync.Phase) bool { return !st[p].Completed }) {
			f.done[c.ID] = true
		}
	}
	return len(f.done), nil
}

// jobless returns the customers of fcs not synced yet that have no sync
// job waiting or running.
func (f *fleetRun) jobless(fcs []rscconsole.FleetCustomer) []string {
	var out []string
	for _, fc := range fcs {
		if !f.done[fc.CustomerID] && fc.Running+fc.Waiting == 0 {
			out = append(out, fc.CustomerID)
		}
	}
	return out
}

// statusLine says how many customers are synced and how the fleet works
// the rest (fcs, or err reading it): the leases each worker holds and the
// jobs.
func (f *fleetRun) statusLine(done int, fcs []rscconsole.FleetCustomer, err error) string {
	if err != nil {
		return fmt.Sprintf("fleet: %d/%d customers synced (%v)", done, len(f.m.Customers), err)
	}
	held := map[string]int{}
	var running, waiting int64
	now := time.Now()
	for _, fc := range fcs {
		if fc.Holder != "" && fc.Until.After(now) && fc.Running > 0 {
			held[fc.Holder]++
		}
		running += fc.Running
		waiting += fc.Waiting
	}
	var hs []string
	for _, h := range slices.Sorted(maps.Keys(held)) {
		hs = append(hs, fmt.Sprintf("%s %d", h, held[h]))
	}
	return fmt.Sprintf("fleet: %d/%d customers synced · jobs running %d, waiting %d · customers being worked: %s",
		done, len(f.m.Customers), running, waiting, orNone(strings.Join(hs, ", ")))
}

// check compares each customer's Tracker with the fake LinkedIn, and
// lists the workers that ran the customers' slices.
func (f *fleetRun) check(ctx context.Context) (*FleetResult, error) {
	res := &FleetResult{}
	for _, c := range f.m.Customers {
		eng, err := f.checkEngine(ctx, c.ID)
		if err != nil {
			return res, err
		}
		rep, err := eng.ReconcileContent(ctx, 0)
		if err != nil {
			return res, fmt.Errorf("demo: reconciling %s: %w", c.ID, err)
		}
		cu := f.fakes[c.ID]
		cr := FleetCustomerResult{ID: c.ID, Content: rep, Candidates: len(cu.Candidates()), Jobs: len(cu.Jobs()),
			Applications: len(cu.Applications())}
		for _, err := range f.db.DeadLetters().List(ctx, c.ID) {
			if err != nil {
				return res, err
			}
			cr.DeadLetters++
		}
		res.Customers = append(res.Customers, cr)
		f.out.printf("%s: LinkedIn holds %d candidates, %d jobs, %d applications; %d dead letters; content %s",
			c.ID, cr.Candidates, cr.Jobs, cr.Applications, cr.DeadLetters, contentWord(rep))
	}
	rows, err := f.db.Pool().Query(ctx, `select distinct unnest(attempted_by) from river_job
		where kind = $1 and args->>'customer_id' = any($2) order by 1`, riverrun.SliceArgs{}.Kind(), f.ids())
	if err != nil {
		return res, err
	}
	defer rows.Close()
	for rows.Next() {
		var w string
		if err := rows.Scan(&w); err != nil {
			return res, err
		}
		res.Workers = append(res.Workers, w)
	}
	f.out.printf("every customer synced; slices were run by %s", strings.Join(res.Workers, ", "))
	return res, rows.Err()
}

// contentWord says in a word whether LinkedIn holds what Tracker holds.
func contentWord(rep *rscsync.ContentReport) string {
	if rep.Differs() {
		return "DIFFERS"
	}
	return "equal"
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}

// prefixWriter writes each line a worker prints to the demo's output,
// prefixed with the worker's name.
type prefixWriter struct {
	out    *console
	prefix string
	buf    []byte
}

func (w *prefixWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		w.out.printf("%s%s", w.prefix, w.buf[:i])
		w.buf = w.buf[i+1:]
	}
}
