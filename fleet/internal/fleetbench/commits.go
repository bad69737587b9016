package main

import (
	"context"
	"fmt"
	"os"
	"slices"
	"time"

	"github.com/rscgo/rscgo/fleet/lease"
	"github.com/rscgo/rscgo/fleet/pgstore"
	rscsync "github.com/rscgo/rscgo/sync"
)

// storeCase is a checkpoint store to measure; open returns it and a
// function releasing it.
type storeCase struct {
	name string
	pg   bool
	open func(ctx context.Context) (rscsync.Store, func(), error)
}

// shape is a checkpoint to commit over and over, as the engine does after
// every acknowledged batch; change alters it as one batch does.
type shape struct {
	name   string
	cp     func() *rscsync.Checkpoint
	change func(cp *rscsync.Checkpoint, n int)
}

var shapes = []shape{
	{"candidates (the cursor moves)", func() *rscsync.Checkpoint {
		return &rscsync.Checkpoint{Version: 1, CustomerID: "a", Phases: map[rscsync.Phase]*rscsync.PhaseCheckpoint{
			rscsync.PhaseCandidates: {Total: 50_000}}}
	}, func(cp *rscsync.Checkpoint, n int) {
		pc := cp.Phases[rscsync.PhaseCandidates]
		pc.Cursor = rscsync.Cursor{ModifiedAt: time.Unix(int64(n), 0).UTC(), ID: fmt.Sprintf("C%07d", n)}
		pc.Done += 100
	}},
	{"20,000 jobs, 100 changed", func() *rscsync.Checkpoint {
		cp := &rscsync.Checkpoint{Version: 1, CustomerID: "a", Jobs: map[string]rscsync.JobState{}}
		for i := range 20_000 {
			cp.Jobs[fmt.Sprintf("job-%05d", i)] = rscsync.JobState{State: "posted", Held: true}
		}
		return cp
	}, func(cp *rscsync.Checkpoint, n int) {
		for i := range 100 {
			cp.Jobs[fmt.Sprintf("job-%05d", (n*100+i)%20_000)] = rscsync.JobState{State: "closed", Held: n%2 == 0}
		}
	}},
}

// storeCases are the stores: memory (the reference), the file store of
// package sync, PostgreSQL, and PostgreSQL checking a lease's fence.
func (b *bench) storeCases() []storeCase {
	pgOpen := func(fenced bool) func(ctx context.Context) (rscsync.Store, func(), error) {
		return func(ctx context.Context) (rscsync.Store, func(), error) {
			u, drop, err := b.database(ctx)
			if err != nil {
				return nil, nil, err
			}
			db, err := pgstore.Open(ctx, u)
			if err != nil {
				drop()
				return nil, nil, err
			}
			done := func() { db.Close(); drop() }
			if !fenced {
				return db.Checkpoints(), done, nil
			}
			ls, err := lease.New(db, lease.WithTTL(time.Hour))
			var l *lease.Lease
			if err == nil {
				l, err = ls.Acquire(ctx, "a", "fleetbench")
			}
			if err != nil {
				done()
				return nil, nil, err
			}
			return db.Checkpoints().Fenced(l), done, nil
		}
	}
	return []storeCase{
		{"memory", false, func(context.Context) (rscsync.Store, func(), error) { return rscsync.NewMemoryStore(), func() {}, nil }},
		{"file (package sync)", false, func(context.Context) (rscsync.Store, func(), error) {
			dir, err := os.MkdirTemp("", "fleetbench-")
			if err != nil {
				return nil, nil, err
			}
			s, err := rscsync.NewFileStore(dir)
			return s, func() { os.RemoveAll(dir) }, err
		}},
		{"PostgreSQL (pgstore)", true, pgOpen(false)},
		{"PostgreSQL, fenced by a lease", true, pgOpen(true)},
	}
}

// commits measures the per-commit cost of each store.
func (b *bench) commits(ctx context.Context) error {
	rounds, per := 5, 100
	if b.quick {
		rounds, per = 3, 20
	}
	b.section("Per-commit cost of the checkpoint stores", "One commit is one `Save` of a customer's checkpoint, as the engine makes after every acknowledged batch. "+
		"Each round makes %d commits; the figures are the median, fastest and slowest round's mean, over %d rounds. "+
		"The file store rewrites the whole checkpoint; PostgreSQL writes the rows that changed, and the fenced store also "+
		"checks the customer's lease in the commit's transaction.", per, rounds)
	fmt.Fprintf(b.out, "| checkpoint | store | median µs/commit | min | max |\n|---|---|---:|---:|---:|\n")
	for _, sh := range shapes {
		for _, sc := range b.storeCases() {
			if sc.pg && b.pg == "" {
				fmt.Fprintf(b.out, "| %s | %s | skipped: no PostgreSQL | | |\n", sh.name, sc.name)
				continue
			}
			means, err := measureCommits(ctx, sc, sh, rounds, per)
			if err != nil {
				return fmt.Errorf("%s, %s: %w", sc.name, sh.name, err)
			}
			fmt.Fprintf(b.out, "| %s | %s | %s | %s | %s |\n", sh.name, sc.name, us(median(means)), us(means[0]), us(means[len(means)-1]))
		}
	}
	fmt.Fprintln(b.out)
	return nil
}

// measureCommits returns the mean commit time of each round, sorted.
func measureCommits(ctx context.Context, sc storeCase, sh shape, rounds, per int) ([]time.Duration, error) {
	s, done, err := sc.open(ctx)
	if err != nil {
		return nil, err
	}
	defer done()
	cp := sh.cp()
	if err := s.Save(ctx, "a", cp); err != nil {
		return nil, err
	}
	var means []time.Duration
	n := 0
	for range rounds {
		start := time.Now()
		for range per {
			n++
			sh.change(cp, n)
			if err := s.Save(ctx, "a", cp); err != nil {
				return nil, err
			}
		}
		means = append(means, time.Since(start)/time.Duration(per))
	}
	slices.Sort(means)
	return means, nil
}

func median(d []time.Duration) time.Duration { return d[len(d)/2] }

func us(d time.Duration) string { return fmt.Sprintf("%.0f", float64(d)/float64(time.Microsecond)) }
