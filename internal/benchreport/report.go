package main

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Step is one measurement: a `go` command run from the repository root.
type Step struct {
	Key   string   // throughput, quota, peak, chaos, rsctest, rsc, restli
	Env   []string // extra environment, NAME=value
	Args  []string // arguments after "go"
	Needs string   // directory that must exist, relative to the root ("" for none)
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
	through, peakEnv := "5x", []string{"RSCGO_BENCH_1M=1"}
	var micro, fake []string // default -benchtime (1s) in a full run
	if quick {
		through, peakEnv = "1x", nil
		micro, fake = []string{"-benchtime", "100x"}, []string{"-benchtime", "20x"}
	}
	args := func(a []string, extra []string, pkg string) []string {
		return append(append(a, extra...), pkg)
	}
	return []Step{
		{Key: "throughput", Args: []string{"test", "-run", "^$", "-bench", "Throughput", "-benchtime", through, "./sync"}},
		{Key: "quota", Args: []string{"test", "-count=1", "-run", "TestQuotaUse", "-v", "./sync"}},
		{Key: "peak", Env: peakEnv, Args: []string{"test", "-run", "^$", "-bench", "PeakMemory", "-benchtime", "1x", "./sync"}},
		{Key: "chaos", Needs: "internal/chaos", Args: []string{"test", "-count=1", "-run", "TestCrashResume", "-v", "./internal/chaos"}},
		{Key: "rsctest", Args: args([]string{"test", "-run", "^$", "-bench", ".", "-benchmem"}, fake, "./rsc/rsctest")},
		{Key: "rsc", Args: args([]string{"test", "-run", "^$", "-bench", "Upsert100", "-benchmem"}, fake, "./rsc")},
		{Key: "restli", Args: args([]string{"test", "-run", "^$", "-bench", ".", "-benchmem"}, micro, "./internal/restli")},
	}
}

// Result is the outcome of one step.
type Result struct {
	Step     Step
	Output   string
	Err      error         // the command failed (exit status, timeout)
	Missing  bool          // Step.Needs does not exist: not run
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
	MinRatio      float64 // engine records/s ÷ hand-loop records/s
	MinQuota      float64 // percent of the records-per-minute quota
	PeakTolerance float64 // 1M peak heap ÷ 100k peak heap, at most
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
		return "not measured (" + r.Step.Needs + " missing)"
	case r.Err != nil:
		return fmt.Sprintf("not measured (%s failed: %v)", what, r.Err)
	}
	return "not measured (" + what + " printed no result)"
}

// Throughput is the SDK-versus-hand-loop comparison.
type Throughput struct {
	Engine, Hand Bench
	Ratio        float64 // engine records/s ÷ hand records/s
	CPURatio     float64 // engine cpu-ns/record ÷ hand cpu-ns/record
}

// EvalThroughput extracts the comparison from BenchmarkThroughput output.
func EvalThroughput(out string, t Targets) (Throughput, Verdict) {
	bs, _ := ParseBench(out)
	e, ok1 := FindBench(bs, "BenchmarkThroughput/engine")
	h, ok2 := FindBench(bs, "BenchmarkThroughput/handloop")
	if !ok1 || !ok2 || h.Metrics["records/s"] == 0 || h.Metrics["cpu-ns/record"] == 0 {
		return Throughput{}, notMeasured("BenchmarkThroughput printed no engine/handloop results")
	}
	tp := Throughput{Engine: e, Hand: h, Ratio: e.Metrics["records/s"] / h.Metrics["records/s"],
		CPURatio: e.Metrics["cpu-ns/record"] / h.Metrics["cpu-ns/record"]}
	return tp, pass(tp.Ratio >= t.MinRatio, fmt.Sprintf("ratio %.2f, target ≥ %.2f", tp.Ratio, t.MinRatio))
}

// EvalQuota checks the quota use (≥ MinQuota %) and that no 429 was answered.
func EvalQuota(out string, t Targets) (Quota, Verdict, Verdict) {
	q, err := ParseQuota(out)
	if err != nil {
		return q, notMeasured(err.Error()), notMeasured(err.Error())
	}
	n429 := q.Minute429 + q.Day429
	return q, pass(q.Percent >= t.MinQuota, fmt.Sprintf("%.2f%%, target ≥ %.0f%%", q.Percent, t.MinQuota)),
		pass(n429 == 0, fmt.Sprintf("%d minute + %d day 429s, target 0", q.Minute429, q.Day429))
}

// Peak is the memory high-water mark at two dataset sizes.
type Peak struct {
	At100k, At1M Bench
	Has1M        bool
}

// EvalPeak checks the 1M peak heap stays within PeakTolerance of the 100k one.
func EvalPeak(out string, t Targets) (Peak, Verdict) {
	bs, _ := ParseBench(out)
	var p Peak
	var ok bool
	if p.At100k, ok = FindBench(bs, "BenchmarkPeakMemory/100k"); !ok {
		return p, notMeasured("BenchmarkPeakMemory/100k printed no result")
	}
	if p.At1M, p.Has1M = FindBench(bs, "BenchmarkPeakMemory/1M"); !p.Has1M {
		return p, notMeasured("1M case not run (set RSCGO_BENCH_1M=1; -quick skips it)")
	}
	a, b := p.At100k.Metrics["peak-heap-MB"], p.At1M.Metrics["peak-heap-MB"]
	if a == 0 {
		return p, notMeasured("no peak-heap-MB metric")
	}
	return p, pass(b <= a*t.PeakTolerance, fmt.Sprintf("1M/100k = %.2f, target ≤ %.2f", b/a, t.PeakTolerance))
}

// EvalCrash checks the records re-sent after crashes stay within the
// batches in flight at each kill.
func EvalCrash(r Result) (CrashResume, Verdict) {
	if r.Missing {
		return CrashResume{}, notMeasured("internal/chaos missing")
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
	bound := c.Kills * c.MaxInflightRecords
	v := pass(c.Resent <= bound && r.Err == nil, fmt.Sprintf("resent %d ≤ kills × max in flight = %d", c.Resent, bound))
	if r.Err != nil {
		v.Detail += fmt.Sprintf("; the test failed: %v", r.Err)
	}
	return c, v
}

// Collect runs every step with run and returns the report (without
// Machine, which the caller fills in).
func Collect(ctx context.Context, steps []Step, run Runner, exists func(dir string) bool) map[string]Result {
	out := map[string]Result{}
	for _, s := range steps {
		if s.Needs != "" && !exists(s.Needs) {
			out[s.Key] = Result{Step: s, Missing: true}
			continue
		}
		start := time.Now()
		o, err := run(ctx, s)
		out[s.Key] = Result{Step: s, Output: o, Err: err, Duration: time.Since(start)}
	}
	return out
}
