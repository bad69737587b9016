package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"github.com/rscgo/rscgo/fleet/internal/fleetgen"
	"github.com/rscgo/rscgo/fleet/internal/fleetrun"
	"github.com/rscgo/rscgo/fleet/riverrun"
)

// scaling syncs the same generated fleet with 1, 2 and 3 worker processes.
func (b *bench) scaling(ctx context.Context) error {
	plan := fleetgen.Plan{Customers: 200, SmallMax: 3000, Seed: 1, Epoch: time.Now().UTC().Truncate(time.Hour).Add(-72 * time.Hour)}
	if b.quick {
		plan.Customers, plan.SmallMax = 60, 1000
	}
	b.section("Scaling from 1 to 3 worker processes", "The same generated fleet (%d customers, %d candidates; cmd/rscworker, 4 slices at once per process, slices of 10 batches) "+
		"synced by 1, 2 and 3 worker processes sharing one PostgreSQL database, into the standalone fake (rscfake -no-throttle, "+
		"pacing off): from the enqueueing of every customer (the processes just started) until all caught up. The processes share this machine's %d CPUs with "+
		"the fake and PostgreSQL, so the ratio shows what a process adds on one machine, not across machines.",
		plan.Customers, plan.Total(), numCPU())
	if b.pg == "" {
		fmt.Fprintf(b.out, "Skipped: no PostgreSQL (see above).\n\n")
		return nil
	}
	dir, err := os.MkdirTemp("", "fleetbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	worker, fake, err := fleetrun.Build(dir)
	if err != nil {
		return err
	}
	fmt.Fprintf(b.out, "| worker processes | took | records/s | ratio to 1 process |\n|---:|---:|---:|---:|\n")
	var one float64
	for procs := 1; procs <= 3; procs++ {
		took, err := b.runFleet(ctx, plan, procs, worker, fake)
		if err != nil {
			return fmt.Errorf("scaling, %d processes: %w", procs, err)
		}
		rate := float64(plan.Total()) / took.Seconds()
		if procs == 1 {
			one = rate
		}
		fmt.Fprintf(b.out, "| %d | %v | %.0f | %.2f |\n", procs, took.Round(10*time.Millisecond), rate, rate/one)
	}
	fmt.Fprintln(b.out)
	return nil
}

// runFleet syncs plan with procs worker processes and returns the time
// from the enqueueing until every customer caught up.
func (b *bench) runFleet(ctx context.Context, plan fleetgen.Plan, procs int, worker, fakeBin string) (time.Duration, error) {
	fake, stopFake, err := fleetrun.StartFake(fakeBin)
	if err != nil {
		return 0, err
	}
	defer stopFake()
	db, u, done, err := b.riverDB(ctx)
	if err != nil {
		return 0, err
	}
	defer done()
	custs := plan.All()
	if err := fleetrun.Provision(ctx, fake, custs); err != nil {
		return 0, err
	}
	args := []string{"-postgres", u, "-rsc", fake, "-pacing=false", "-customers", strconv.Itoa(plan.Customers), "-big", "0",
		"-small-max", strconv.Itoa(plan.SmallMax), "-seed", strconv.FormatInt(plan.Seed, 10), "-epoch", plan.Epoch.Format(time.RFC3339),
		"-slice-batches", "10", "-fetch-poll", "100ms", "-fetch-cooldown", "20ms", "-incremental", "1h"}
	var cmds []*exec.Cmd
	defer func() {
		for _, c := range cmds {
			_ = c.Process.Signal(syscall.SIGTERM)
			_ = c.Wait()
		}
	}()
	for i := range procs {
		c := exec.Command(worker, append([]string{"-id", fmt.Sprintf("bench-%d", i+1)}, args...)...)
		c.Stderr = os.Stderr
		if err := c.Start(); err != nil {
			return 0, err
		}
		cmds = append(cmds, c)
	}
	client, err := river.NewClient(riverpgxv5.New(db.Pool()), &river.Config{})
	if err != nil {
		return 0, err
	}
	start := time.Now()
	if err := riverrun.EnqueueAll(ctx, client, fleetgen.IDs(custs)); err != nil {
		return 0, err
	}
	if err := fleetrun.CaughtUp(ctx, db.Pool(), len(custs), 20*time.Minute); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}
