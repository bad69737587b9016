package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Step is one measurement: a `go` command run from the repository root.
type Step struct {
	Key   string   // cpu, memory, quota, fake, chaos, fleet, rsctest, rsc, restli
	Env   []string // extra environment, NAME=value
	Args  []string // arguments after "go"
	Needs []string // files or directories that must exist, relative to the root
}

// Command is the shell command that reproduces the step.
func (s Step) Command() string {
	var b strings.Builder
	for _, e := range s.Env {
		b.WriteString(e + " ")
	}
	b.WriteString("go")
	for _, a := range s.Args {
		b.WriteByte(' ')
		b.WriteString(shellQuote(a))
	}
	return b.String()
}

func shellQuote(s string) string {
	if s != "" && strings.IndexFunc(s, func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("-_./=:,", r))
	}) < 0 {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Steps returns the measurements of a full or quick (-quick) run.
func Steps(quick bool) []Step {
	rounds, fake := "15x", "5x"
	var micro, micro2 []string // default -benchtime (1s) in a full run
	if quick {
		rounds, fake = "5x", "2x"
		micro, micro2 = []string{"-benchtime", "100x"}, []string{"-benchtime", "20x"}
	}
	args := func(a []string, extra []string, pkg string) []string {
		return append(append(a, extra...), pkg)
	}
	const pkg = "./internal/benchsync"
	return []Step{
		{Key: "cpu", Args: []string{"test", "-run", "^$", "-bench", "ClientCPU", "-benchtime", rounds, pkg}},
		{Key: "memory", Args: []string{"test", "-run", "^$", "-bench", "Memory", "-benchtime", "3x", pkg}},
		{Key: "quota", Env: []string{"RSCGO_BENCH=1"}, Args: []string{"test", "-count=1", "-run", "TestQuotaUse", "-v", pkg}},
		{Key: "fake", Args: []string{"test", "-run", "^$", "-bench", "FakeIngest", "-benchtime", fake, pkg}},
		{Key: "chaos", Needs: []string{"internal/chaos"}, Args: []string{"test", "-count=1", "-run", "TestCrashResume", "-v", "./internal/chaos"}},
		fleetStep(quick),
		{Key: "rsctest", Args: args([]string{"test", "-run", "^$", "-bench", ".", "-benchmem"}, micro2, "./rsc/rsctest")},
		{Key: "rsc", Args: args([]string{"test", "-run", "^$", "-bench", "Upsert100", "-benchmem"}, micro2, "./rsc")},
		{Key: "restli", Args: args([]string{"test", "-run", "^$", "-bench", ".", "-benchmem"}, micro, "./internal/restli")},
	}
}

// fleetStep runs the fleet module's own benchmark program, which prints
// the Markdown section "## Fleet" that the report embeds as it is.
func fleetStep(quick bool) Step {
	s := Step{Key: "fleet", Needs: []string{"fleet/go.mod", "fleet/internal/fleetbench"},
		Args: []string{"-C", "fleet", "run", "./internal/fleetbench"}}
	if quick {
		s.Args = append(s.Args, "-quick")
	}
	return s
}

// Result is the outcome of one step.
type Result struct {
	Step     Step
	Output   string
	Err      error         // the command failed (exit status, timeout)
	Missing  bool          // a path of Step.Needs does not exist: not run
	Absent   string        // which
	Duration time.Duration // wall time of the command
}

// Runner runs one step and returns its combined output.
type Runner func(ctx context.Context, s Step) (string, error)

// Machine describes where the figures were measured.
type Machine struct {
	CPU        string
	Cores      int
	OS, Arch   string
	GoVersion  string
	LoadBefore string // /proc/loadavg before and after the run, "" if unknown
	LoadAfter  string
}

// Targets are the pass/fail thresholds.
type Targets struct {
	MaxCPURatio  float64 // engine client CPU per record ÷ the hand loop's (median), at most
	MinQuota     float64 // percent of the records-per-minute quota each phase uses, at least
	MaxRSSGrowth float64 // peak RSS at 1M records ÷ at 100k (medians), at most
}

// Report is everything docs/benchmarks.md shows.
type Report struct {
	Date    time.Time
	Quick   bool
	Machine Machine
	Targets Targets
	Results map[string]Result
}

// Verdict is a pass/fail/unknown outcome with its reason.
type Verdict struct {
	State  string // "PASS", "FAIL" or "not measured"
	Detail string
}

func pass(ok bool, detail string) Verdict {
	if ok {
		return Verdict{"PASS", detail}
	}
	return Verdict{"FAIL", detail}
}

func notMeasured(why string) Verdict { return Verdict{"not measured", why} }

// failure explains why a step produced no figure.
func failure(r Result, what string) string {
	switch {
	case r.Missing:
		return "not measured (" + r.Absent + " missing)"
	case r.Err != nil:
		return fmt.Sprintf("not measured (%s failed: %v)", what, r.Err)
	}
	return "not measured (" + what + " printed no result)"
}

// Spread is a median with its minimum and maximum.
type Spread struct{ Median, Min, Max float64 }

func (s Spread) String() string {
	return fmt.Sprintf("%s (min %s, max %s)", num(s.Median), num(s.Min), num(s.Max))
}

// spreadOf reads the metrics unit-median, unit-min and unit-max of b.
func spreadOf(b Bench, unit string) Spread {
	return Spread{b.Metrics[unit+"-median"], b.Metrics[unit+"-min"], b.Metrics[unit+"-max"]}
}

// CPU is the engine's client CPU per record against the hand loop's.
type CPU struct {
	Ratio, Engine, Hand Spread // Engine and Hand in ns per record
	// Floor is the hand loop with hand-appended JSON, for reference (ns
	// per record), and FloorRatio the engine's CPU ÷ its; zero when the
	// output has none.
	Floor, FloorRatio Spread
	Rounds            int
	Transport         float64 // the canned transport's own ns per record, in every side's figures
}

// EvalCPU extracts the comparison from BenchmarkClientCPU output: the
// median of the per-round ratios must be at most MaxCPURatio.
func EvalCPU(out string, t Targets) (CPU, Verdict) {
	bs, _ := ParseBench(out)
	b, ok := FindBench(bs, "BenchmarkClientCPU")
	if !ok || b.Metrics["ratio-median"] == 0 {
		return CPU{}, notMeasured("BenchmarkClientCPU printed no result")
	}
	c := CPU{Ratio: spreadOf(b, "ratio"), Engine: spreadOf(b, "engine-cpu-ns/record"), Hand: spreadOf(b, "hand-cpu-ns/record"),
		Floor: spreadOf(b, "floor-cpu-ns/record"), FloorRatio: spreadOf(b, "floor-ratio"),
		Rounds: int(b.Metrics["rounds"]), Transport: b.Metrics["transport-cpu-ns/record"]}
	return c, pass(c.Ratio.Median <= t.MaxCPURatio, fmt.Sprintf("engine ÷ hand loop = %.2f (min %.2f, max %.2f, %d rounds), target ≤ %.2f",
		c.Ratio.Median, c.Ratio.Min, c.Ratio.Max, c.Rounds, t.MaxCPURatio))
}

// Memory is a separate process's memory at 100k and 1M records.
type Memory struct {
	At1k         Bench // the process with next to nothing to sync; absent in older outputs
	At100k, At1M Bench
	Growth       float64 // median peak RSS at 1M ÷ at 100k
}

// EvalMemory checks that the peak RSS at 1M records stays within
// MaxRSSGrowth of the one at 100k.
func EvalMemory(out string, t Targets) (Memory, Verdict) {
	bs, _ := ParseBench(out)
	var m Memory
	var ok1, ok2 bool
	m.At1k, _ = FindBench(bs, "BenchmarkMemory/1k")
	m.At100k, ok1 = FindBench(bs, "BenchmarkMemory/100k")
	m.At1M, ok2 = FindBench(bs, "BenchmarkMemory/1M")
	a, b := m.At100k.Metrics["rss-MB-median"], m.At1M.Metrics["rss-MB-median"]
	if !ok1 || !ok2 || a == 0 {
		return m, notMeasured("BenchmarkMemory printed no 100k and 1M results")
	}
	m.Growth = b / a
	return m, pass(m.Growth <= t.MaxRSSGrowth, fmt.Sprintf("RSS at 1M ÷ at 100k = %.2f (%.1f MB ÷ %.1f MB), target ≤ %.2f", m.Growth, b, a, t.MaxRSSGrowth))
}

// EvalQuota checks that every phase used at least MinQuota % of the quota
// on the resource that binds it, and that no resource got more records in
// one minute than LinkedIn allows or any 429.
func EvalQuota(out string, t Targets) (Quota, Verdict, Verdict) {
	q, err := ParseQuota(out)
	if err != nil {
		return q, notMeasured(err.Error()), notMeasured(err.Error())
	}
	low, over := []string{}, []string{}
	minUse := 100.0
	for _, p := range q.Phases {
		minUse = min(minUse, p.Percent)
		if p.Percent < t.MinQuota {
			low = append(low, fmt.Sprintf("%s %.2f%%", p.Phase, p.Percent))
		}
	}
	batch429, peak := 0, 0
	for _, r := range q.Resources {
		batch429 += r.N429
		peak = max(peak, r.PeakMinute)
		if r.PeakMinute > QuotaLimit {
			over = append(over, fmt.Sprintf("%s %d in one minute", r.Resource, r.PeakMinute))
		}
	}
	n429 := max(q.Minute429+q.Day429, batch429) // the fake's count covers every call, the log's only batch writes
	useDetail := fmt.Sprintf("lowest phase %.2f%% over %d phases, target ≥ %.0f%%", minUse, len(q.Phases), t.MinQuota)
	if len(low) > 0 {
		useDetail += "; below: " + strings.Join(low, ", ")
	}
	limDetail := fmt.Sprintf("%d 429s, busiest minute %s records (limit %s)", n429, num(float64(peak)), num(QuotaLimit))
	if len(over) > 0 {
		limDetail += "; over: " + strings.Join(over, ", ")
	}
	return q, pass(len(low) == 0 && len(q.Phases) > 0, useDetail), pass(n429 == 0 && len(over) == 0, limDetail)
}

// Fake is the in-process fake's own ingest cost.
type Fake struct{ Bench }

// EvalFake reads BenchmarkFakeIngest's result.
func EvalFake(out string) (Fake, bool) {
	bs, _ := ParseBench(out)
	b, ok := FindBench(bs, "BenchmarkFakeIngest")
	return Fake{b}, ok && b.Metrics["records/s"] > 0
}

// EvalCrash checks the records re-sent after crashes stay within the
// batches in flight at each kill.
func EvalCrash(r Result) (CrashResume, Verdict) {
	if r.Missing {
		return CrashResume{}, notMeasured(r.Absent + " missing")
	}
	c, err := ParseCrashResume(r.Output)
	if err != nil {
		switch {
		case r.Err != nil:
			return c, notMeasured(fmt.Sprintf("TestCrashResume failed: %v", r.Err))
		case strings.Contains(r.Output, "no tests to run"):
			return c, notMeasured("internal/chaos has no TestCrashResume yet")
		}
		return c, notMeasured(err.Error())
	}
	worst, bound, kills, ok := 0, 0, 0, true
	for _, run := range c.Runs {
		worst, bound, kills = max(worst, run.MaxResentAfterKill), max(bound, run.Bound), kills+run.Kills
		ok = ok && run.MaxResentAfterKill <= run.Bound
	}
	v := pass(ok && r.Err == nil, fmt.Sprintf("most re-sent after one kill %d ≤ %d (the batches in flight), %d seeds, %d kills", worst, bound, len(c.Runs), kills))
	if r.Err != nil {
		v.Detail += fmt.Sprintf("; the test failed: %v", r.Err)
	}
	return c, v
}

// Collect runs every step with run and returns the report (without
// Machine, which the caller fills in).
func Collect(ctx context.Context, steps []Step, run Runner, exists func(path string) bool) map[string]Result {
	out := map[string]Result{}
	for _, s := range steps {
		if i := slices.IndexFunc(s.Needs, func(p string) bool { return !exists(p) }); i >= 0 {
			out[s.Key] = Result{Step: s, Missing: true, Absent: s.Needs[i]}
			continue
		}
		start := time.Now()
		o, err := run(ctx, s)
		out[s.Key] = Result{Step: s, Output: o, Err: err, Duration: time.Since(start)}
	}
	return out
}
