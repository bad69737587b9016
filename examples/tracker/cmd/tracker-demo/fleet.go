package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"
	"syscall"

	"github.com/rscgo/rscgo/examples/tracker/demo"
)

// flagSet reports whether the named flag was given on the command line.
func flagSet(name string) bool {
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == name })
	return set
}

// runFleet runs the fleet mode: this process serves the fake LinkedIn and
// the console, worker processes (this program again, with -fleet-worker)
// do the syncs.
func runFleet(httpAddr string, fc demo.FleetConfig) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	self, err := os.Executable()
	if err != nil {
		return err
	}
	fc.Worker = func(ctx context.Context, name string) *exec.Cmd {
		cmd := exec.CommandContext(ctx, self, "-fleet-worker", name)
		orphanGuard(cmd)
		return cmd
	}
	return monitored(ctx, httpAddr, "", func(mon *demo.Monitor, adminURL string, done func(context.Context)) error {
		fc.Monitor, fc.AdminURL = mon, adminURL
		fc.AfterRun = func(ctx context.Context, _ *demo.FleetResult) { done(ctx) } // the workers go on with incremental syncs meanwhile
		res, err := demo.RunFleet(ctx, fc)
		if err != nil {
			return err
		}
		var bad []string
		for _, c := range res.Customers {
			if c.Content == nil || c.Content.Differs() {
				bad = append(bad, c.ID)
			}
		}
		if len(bad) > 0 {
			return fmt.Errorf("%w for %d customer(s): %s", errMismatch, len(bad), strings.Join(bad, ", "))
		}
		return nil
	})
}

// runWorker runs this process as a fleet worker until interrupted, and
// returns its exit code.
func runWorker(name string) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := demo.RunWorker(ctx, name, os.Stdin, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "tracker-demo:", err)
		return 1
	}
	return 0
}
