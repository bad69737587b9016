package main

import (
	"bufio"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Bench is one result line of `go test -bench`:
//
//	BenchmarkThroughput/engine-2   5   700766509 ns/op   34541 cpu-ns/record   28540 records/s
type Bench struct {
	Name    string             // without the -GOMAXPROCS suffix: "BenchmarkThroughput/engine"
	Procs   int                // GOMAXPROCS suffix, 1 when absent
	N       int64              // iterations
	Metrics map[string]float64 // by unit: "ns/op", "records/s", "B/op", ...
}

// ParseBench returns the benchmark result lines of out in order, and the
// "cpu:" header line's value ("" when absent). Lines that are not results
// (headers, PASS, logs, "--- SKIP") are ignored.
func ParseBench(out string) (benches []Bench, cpu string) {
	sc := bufio.NewScanner(strings.NewReader(out))
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if v, ok := strings.CutPrefix(line, "cpu: "); ok && cpu == "" {
			cpu = strings.TrimSpace(v)
			continue
		}
		if b, ok := parseBenchLine(line); ok {
			benches = append(benches, b)
		}
	}
	return benches, cpu
}

func parseBenchLine(line string) (Bench, bool) {
	f := strings.Fields(line)
	if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
		return Bench{}, false
	}
	n, err := strconv.ParseInt(f[1], 10, 64)
	if err != nil {
		return Bench{}, false
	}
	b := Bench{Name: f[0], Procs: 1, N: n, Metrics: map[string]float64{}}
	if i := strings.LastIndexByte(f[0], '-'); i > 0 {
		if p, err := strconv.Atoi(f[0][i+1:]); err == nil {
			b.Name, b.Procs = f[0][:i], p
		}
	}
	for i := 2; i+1 < len(f); i += 2 {
		v, err := strconv.ParseFloat(f[i], 64)
		if err != nil {
			return Bench{}, false
		}
		b.Metrics[f[i+1]] = v
	}
	return b, true
}

// FindBench returns the benchmark called name (without the procs suffix).
func FindBench(bs []Bench, name string) (Bench, bool) {
	for _, b := range bs {
		if b.Name == name {
			return b, true
		}
	}
	return Bench{}, false
}

// Quota is what TestQuotaUse (sync/bench_test.go) logs.
type Quota struct {
	Records   int     // candidates synced in the measured phase
	Calls     int     // batch calls of that phase
	Minutes   float64 // simulated minutes the phase took
	PerMinute float64 // records per minute
	Percent   float64 // of LinkedIn's 10,000 records per minute
	// The whole sync.
	TotalRecords, TotalRequests int
	Minute429, Day429           int
	Passed                      bool // "--- PASS: TestQuotaUse"
}

var (
	quotaRe = regexp.MustCompile(`atsCandidates: (\d+) records in (\d+) calls over ([0-9.]+) simulated minutes: ([0-9.]+) records/min \(([0-9.]+)% of 10,000\)`)
	wholeRe = regexp.MustCompile(`whole sync: (\d+) records in (\d+) requests; 429s: minute (\d+), day (\d+)`)
)

// ParseQuota reads TestQuotaUse's two log lines from `go test -v` output.
func ParseQuota(out string) (Quota, error) {
	var q Quota
	m := quotaRe.FindStringSubmatch(out)
	w := wholeRe.FindStringSubmatch(out)
	if m == nil || w == nil {
		return q, errors.New("TestQuotaUse log lines not found (run with -v)")
	}
	q.Records, _ = strconv.Atoi(m[1])
	q.Calls, _ = strconv.Atoi(m[2])
	q.Minutes, _ = strconv.ParseFloat(m[3], 64)
	q.PerMinute, _ = strconv.ParseFloat(m[4], 64)
	q.Percent, _ = strconv.ParseFloat(m[5], 64)
	q.TotalRecords, _ = strconv.Atoi(w[1])
	q.TotalRequests, _ = strconv.Atoi(w[2])
	q.Minute429, _ = strconv.Atoi(w[3])
	q.Day429, _ = strconv.Atoi(w[4])
	q.Passed = strings.Contains(out, "--- PASS: TestQuotaUse")
	return q, nil
}

// CrashResume is the summary line of internal/chaos TestCrashResume:
//
//	crash-resume: kills=%d records=%d sent=%d resent=%d resent_per_kill=%.1f max_inflight_records=%d
type CrashResume struct {
	Kills, Records, Sent, Resent int
	ResentPerKill                float64
	MaxInflightRecords           int
	Passed                       bool // "--- PASS: TestCrashResume"
}

var crashRe = regexp.MustCompile(`crash-resume: kills=(\d+) records=(\d+) sent=(\d+) resent=(\d+) resent_per_kill=([0-9.]+) max_inflight_records=(\d+)`)

// ParseCrashResume finds the crash-resume summary line in out.
func ParseCrashResume(out string) (CrashResume, error) {
	m := crashRe.FindStringSubmatch(out)
	if m == nil {
		return CrashResume{}, errors.New("no crash-resume summary line")
	}
	var c CrashResume
	ints := []*int{&c.Kills, &c.Records, &c.Sent, &c.Resent}
	for i, p := range ints {
		v, err := strconv.Atoi(m[i+1])
		if err != nil {
			return CrashResume{}, fmt.Errorf("crash-resume: %w", err)
		}
		*p = v
	}
	c.ResentPerKill, _ = strconv.ParseFloat(m[5], 64)
	c.MaxInflightRecords, _ = strconv.Atoi(m[6])
	c.Passed = strings.Contains(out, "--- PASS: TestCrashResume")
	return c, nil
}

// CPUModel returns the first "model name" of a /proc/cpuinfo text.
func CPUModel(cpuinfo string) string {
	for line := range strings.SplitSeq(cpuinfo, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
