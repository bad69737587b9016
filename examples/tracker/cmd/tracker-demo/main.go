// Command tracker-demo creates a Tracker database full of synthetic data and
// shows what a two-year historical sync to LinkedIn would cover.
//
//	go -C examples run ./tracker/cmd/tracker-demo -candidates 10000
//
// It is the starting point of the end-to-end demo (Tracker → rsc sync
// engine → the fake LinkedIn), which wires the sync and inmail packages on
// top of it.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/rscgo/rscgo/examples/tracker"
	rscsync "github.com/rscgo/rscgo/sync"
)

func main() {
	var (
		path       = flag.String("db", filepath.Join(os.TempDir(), "tracker-demo.db"), "SQLite database file (created if missing)")
		candidates = flag.Int("candidates", 10000, "candidates to generate into an empty database")
		seed       = flag.Uint64("seed", 1, "generator seed")
		bad        = flag.Float64("bad", 0.01, "fraction of deliberately invalid records")
		org        = flag.String("org", "urn:li:organization:1000", "the customer's organization URN")
		fresh      = flag.Bool("fresh", false, "delete the database first")
	)
	flag.Parse()
	log.SetFlags(0)
	ctx := context.Background()
	if *fresh {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(*path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				log.Fatal(err)
			}
		}
	}
	db, err := tracker.Open(*path)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	start := time.Now()
	res, err := tracker.Generate(ctx, db, tracker.GenerateOptions{Candidates: *candidates, Seed: *seed, BadRecords: *bad, Org: *org})
	switch {
	case errors.Is(err, tracker.ErrNotEmpty):
		fmt.Printf("%s already holds data; -fresh to regenerate\n", *path)
	case err != nil:
		log.Fatal(err)
	default:
		fmt.Printf("generated in %v: %d users, %d jobs, %d candidates, %d placements (%d stages), %d activities; %d invalid candidates, %d invalid jobs\n",
			time.Since(start).Round(time.Millisecond), res.Users, res.Jobs, res.Candidates, res.Placements, res.Stages,
			res.Activities, res.BadCandidates, res.BadJobs)
	}

	orgURN, err := db.Setting(ctx, "org")
	if err != nil || orgURN == "" {
		orgURN = *org
	}
	src := tracker.NewSource(db, tracker.Config{IntegrationContext: orgURN})
	window := time.Now().AddDate(-2, 0, 0)
	all, err := src.Totals(ctx, time.Time{})
	if err != nil {
		log.Fatal(err)
	}
	in, err := src.Totals(ctx, window)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("historical sync window: since %s\n", window.Format(time.DateOnly))
	fmt.Printf("  %-11s %8s %8s\n", "", "window", "all")
	fmt.Printf("  %-11s %8d %8d\n", "jobs", in.Jobs, all.Jobs)
	fmt.Printf("  %-11s %8d %8d\n", "candidates", in.Candidates, all.Candidates)
	fmt.Printf("  %-11s %8d %8d\n", "placements", in.Placements, all.Placements)
	fmt.Printf("  %-11s %8d %8d\n", "activities", in.Activities, all.Activities)

	start = time.Now()
	var n int
	for _, err := range src.Candidates(ctx, rscsync.Cursor{ModifiedAt: window}) {
		if err != nil {
			log.Fatal(err)
		}
		n++
	}
	fmt.Printf("streamed %d candidates of the window in %v\n", n, time.Since(start).Round(time.Millisecond))
}
