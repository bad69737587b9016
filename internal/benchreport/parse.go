package main

import (
	"bufio"
	"errors"
	"regexp"
	"strconv"
	"strings"
)

// Bench is one result line of `go test -bench`:
//
//	BenchmarkFakeIngest-2   3   652477542 ns/op   10378 cpu-ns/record   46442 records/s
type Bench struct {
	Name    string             // without the -GOMAXPROCS suffix: "BenchmarkMemory/100k"
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

// QuotaLimit is LinkedIn's records-per-minute quota per sync resource
// (counted in fixed UTC minutes), what the quota figures are measured
// against.
const QuotaLimit = 10_000

// QuotaResource is one resource's line of TestQuotaUse (internal/benchsync):
//
//	quota-resource: resource=atsCandidates phase=candidates records=40000 calls=400 minutes=4.000 per-minute=10000 use=100.00% peak-minute=10000 429s=0
type QuotaResource struct {
	Resource, Phase string
	Records, Calls  int
	Minutes         float64 // first call to last, plus the last call's share of a minute
	PerMinute       float64
	Percent         float64 // PerMinute as a share of QuotaLimit
	PeakMinute      int     // most records in one fixed UTC minute
	N429            int
}

// QuotaPhase is a phase's use of the quota on the resource that binds it.
type QuotaPhase struct {
	Phase, BoundBy string
	Percent        float64
}

// Quota is what TestQuotaUse logs.
type Quota struct {
	Resources []QuotaResource
	Phases    []QuotaPhase
	// The whole sync.
	TotalRecords, TotalRequests int
	SimulatedMinutes            float64
	Minute429, Day429           int
	Passed                      bool // "--- PASS: TestQuotaUse"
}

var (
	resourceRe = regexp.MustCompile(`quota-resource: resource=(\S+) phase=(\S+) records=(\d+) calls=(\d+) minutes=([0-9.]+) per-minute=([0-9.]+) use=([0-9.]+)% peak-minute=(\d+) 429s=(\d+)`)
	phaseRe    = regexp.MustCompile(`quota-phase: phase=(\S+) bound-by=(\S*) use=([0-9.]+)%`)
	wholeRe    = regexp.MustCompile(`quota-whole: records=(\d+) requests=(\d+) simulated-minutes=([0-9.]+) minute-429s=(\d+) day-429s=(\d+)`)
)

// ParseQuota reads TestQuotaUse's log lines from `go test -v` output.
func ParseQuota(out string) (Quota, error) {
	var q Quota
	for _, m := range resourceRe.FindAllStringSubmatch(out, -1) {
		r := QuotaResource{Resource: m[1], Phase: m[2]}
		r.Records, _ = strconv.Atoi(m[3])
		r.Calls, _ = strconv.Atoi(m[4])
		r.Minutes, _ = strconv.ParseFloat(m[5], 64)
		r.PerMinute, _ = strconv.ParseFloat(m[6], 64)
		r.Percent, _ = strconv.ParseFloat(m[7], 64)
		r.PeakMinute, _ = strconv.Atoi(m[8])
		r.N429, _ = strconv.Atoi(m[9])
		q.Resources = append(q.Resources, r)
	}
	for _, m := range phaseRe.FindAllStringSubmatch(out, -1) {
		p := QuotaPhase{Phase: m[1], BoundBy: m[2]}
		p.Percent, _ = strconv.ParseFloat(m[3], 64)
		q.Phases = append(q.Phases, p)
	}
	w := wholeRe.FindStringSubmatch(out)
	if len(q.Resources) == 0 || len(q.Phases) == 0 || w == nil {
		return q, errors.New("TestQuotaUse log lines not found (run with -v and RSCGO_BENCH=1)")
	}
	q.TotalRecords, _ = strconv.Atoi(w[1])
	q.TotalRequests, _ = strconv.Atoi(w[2])
	q.SimulatedMinutes, _ = strconv.ParseFloat(w[3], 64)
	q.Minute429, _ = strconv.Atoi(w[4])
	q.Day429, _ = strconv.Atoi(w[5])
	q.Passed = strings.Contains(out, "--- PASS: TestQuotaUse")
	return q, nil
}

// CrashRun is the summary line of one seed of internal/chaos
// TestCrashResume:
//
//	crash-resume: kills=%d phases=%v records=%d sent=%d resent=%d resent_per_kill=%.1f max_resent_after_a_kill=%d bound=%d
type CrashRun struct {
	Kills, Records, Sent, Resent int
	ResentPerKill                float64
	MaxResentAfterKill           int // the most records one run re-sent after a kill
	Bound                        int // records in the batches that may be in flight
}

// CrashResume is every seed's summary.
type CrashResume struct {
	Runs   []CrashRun
	Passed bool // "--- PASS: TestCrashResume"
}

var crashRe = regexp.MustCompile(`crash-resume: kills=(\d+) phases=\[[^\]]*\] records=(\d+) sent=(\d+) resent=(\d+) resent_per_kill=([0-9.]+) max_resent_after_a_kill=(\d+) bound=(\d+)`)

// ParseCrashResume finds the crash-resume summary lines in out.
func ParseCrashResume(out string) (CrashResume, error) {
	var c CrashResume
	for _, m := range crashRe.FindAllStringSubmatch(out, -1) {
		var r CrashRun
		for i, p := range []*int{&r.Kills, &r.Records, &r.Sent, &r.Resent} {
			*p, _ = strconv.Atoi(m[i+1])
		}
		r.ResentPerKill, _ = strconv.ParseFloat(m[5], 64)
		r.MaxResentAfterKill, _ = strconv.Atoi(m[6])
		r.Bound, _ = strconv.Atoi(m[7])
		c.Runs = append(c.Runs, r)
	}
	if len(c.Runs) == 0 {
		return c, errors.New("no crash-resume summary line")
	}
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
