// Command benchreport runs the project's benchmarks and measuring tests as
// `go test` subprocesses, parses their output and writes docs/benchmarks.md:
// the engine's client CPU per record against a fair hand-written loop,
// memory of a separate process at 100k and 1M records, quota use under
// LinkedIn's limits on every phase (internal/benchsync), the fake's ingest
// rate, the resume cost after a crash (internal/chaos), the fleet module's
// own section (fleet/internal/fleetbench, when it exists) and micro-benchmarks,
// each with the machine, its load, the Go version, the date and the exact
// command, and pass/fail against the targets.
//
// Run it from the repository root (./test.sh bench calls it):
//
//	go run ./internal/benchreport                # full run, a few minutes
//	go run ./internal/benchreport -quick         # shorter run
//	go run ./internal/benchreport -out /tmp/b.md # write elsewhere
//
// Progress goes to stderr. It exits 1 when a command could not run or the
// report cannot be written, not when a target is missed: the report says so.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

func main() {
	out := flag.String("out", "docs/benchmarks.md", "markdown file to write (relative to the current directory)")
	quick := flag.Bool("quick", false, "shorter run: 5 CPU rounds instead of 15, fewer fake iterations, shorter micro-benchmarks")
	maxCPU := flag.Float64("max-cpu-ratio", 0.8, "target: engine client CPU per record ÷ the hand loop's (median), at most")
	minQuota := flag.Float64("min-quota", 99, "target: percent of the records-per-minute quota each phase uses, at least")
	maxRSS := flag.Float64("max-rss-growth", 1.1, "target: peak RSS at 1M records ÷ at 100k, at most")
	timeout := flag.Duration("timeout", 30*time.Minute, "limit for each go command")
	flag.Parse()
	if err := run(*out, *quick, Targets{MaxCPURatio: *maxCPU, MinQuota: *minQuota, MaxRSSGrowth: *maxRSS}, *timeout); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func run(out string, quick bool, targets Targets, timeout time.Duration) error {
	root, err := moduleRoot()
	if err != nil {
		return err
	}
	ctx := context.Background()
	m := Machine{CPU: cpuModel(), Cores: runtime.GOMAXPROCS(0), OS: runtime.GOOS, Arch: runtime.GOARCH,
		GoVersion: goVersion(ctx, root), LoadBefore: loadAvg()}
	start := time.Now()
	runner := func(ctx context.Context, s Step) (string, error) {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		fmt.Fprintf(os.Stderr, "benchreport: %s\n", s.Command())
		cmd := exec.CommandContext(ctx, "go", s.Args...)
		cmd.Dir = root
		cmd.Env = append(os.Environ(), s.Env...)
		var buf bytes.Buffer
		cmd.Stdout, cmd.Stderr = &buf, &buf
		err := cmd.Run()
		if ctx.Err() != nil {
			err = fmt.Errorf("%w after %s", ctx.Err(), timeout)
		}
		return buf.String(), err
	}
	exists := func(path string) bool {
		_, err := os.Stat(filepath.Join(root, path))
		return err == nil
	}
	results := Collect(ctx, Steps(quick), runner, exists)
	m.LoadAfter = loadAvg()
	if m.CPU == "" { // no /proc/cpuinfo: take go test's "cpu:" line
		for _, r := range results {
			if _, cpu := ParseBench(r.Output); cpu != "" {
				m.CPU = cpu
				break
			}
		}
	}
	rep := Report{Date: start, Quick: quick, Machine: m, Targets: targets, Results: results}
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(out, []byte(Render(rep)), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "benchreport: wrote %s in %s\n", out, time.Since(start).Round(time.Second))
	var errs []error
	for _, s := range Steps(quick) {
		if r := results[s.Key]; r.Err != nil {
			errs = append(errs, fmt.Errorf("%s: %w\n%s", s.Command(), r.Err, tail(r.Output, 20)))
		}
	}
	return errors.Join(errs...)
}

// moduleRoot returns the directory of the main module's go.mod, which must be
// github.com/rscgo/rscgo.
func moduleRoot() (string, error) {
	outb, err := exec.Command("go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	gomod := strings.TrimSpace(string(outb))
	data, err := os.ReadFile(gomod)
	if err != nil || !bytes.Contains(data, []byte("module github.com/rscgo/rscgo\n")) {
		return "", errors.New("run from the rscgo repository (module github.com/rscgo/rscgo)")
	}
	return filepath.Dir(gomod), nil
}

func goVersion(ctx context.Context, root string) string {
	cmd := exec.CommandContext(ctx, "go", "env", "GOVERSION")
	cmd.Dir = root
	if b, err := cmd.Output(); err == nil {
		return strings.TrimSpace(string(b))
	}
	return runtime.Version()
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return ""
	}
	return CPUModel(string(b))
}

// loadAvg returns the 1, 5 and 15 minute load averages, "" if unknown.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return ""
	}
	return strings.Join(f[:3], ", ")
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
