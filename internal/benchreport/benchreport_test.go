package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The fixtures in testdata are real outputs of the commands in Steps(false),
// captured on a 2-core AMD EPYC (chaos.txt, peak_quick.txt and
// quota_fail.txt are hand-made in the same formats).

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var targets = Targets{MinRatio: 0.8, MinQuota: 99, PeakTolerance: 1.5}

func TestParseBench(t *testing.T) {
	bs, cpu := ParseBench(fixture(t, "throughput.txt"))
	if cpu != "AMD EPYC" {
		t.Errorf("cpu = %q", cpu)
	}
	want := []Bench{
		{Name: "BenchmarkThroughput/engine", Procs: 2, N: 5, Metrics: map[string]float64{
			"ns/op": 700766509, "cpu-ns/record": 34541, "records/s": 28540, "B/op": 198295041, "allocs/op": 1221931}},
		{Name: "BenchmarkThroughput/handloop", Procs: 2, N: 5, Metrics: map[string]float64{
			"ns/op": 630237122, "cpu-ns/record": 29757, "records/s": 31734, "B/op": 172495726, "allocs/op": 1083431}},
	}
	if diff := cmp.Diff(want, bs); diff != "" {
		t.Errorf("ParseBench (-want +got):\n%s", diff)
	}

	bs, _ = ParseBench(fixture(t, "rsctest.txt"))
	if len(bs) != 1 || bs[0].Name != "BenchmarkIngestCandidates100" || bs[0].Metrics["MB/s"] != 22.76 || bs[0].Metrics["allocs/op"] != 4098 {
		t.Errorf("rsctest: %+v", bs)
	}
	bs, _ = ParseBench(fixture(t, "restli.txt"))
	var names []string
	for _, b := range bs {
		names = append(names, b.Name)
	}
	if diff := cmp.Diff([]string{"BenchmarkEncodeBatchIDs100/P1", "BenchmarkEncodeBatchIDs100/P2", "BenchmarkParseQuery100/P1", "BenchmarkParseQuery100/P2"}, names); diff != "" {
		t.Errorf("restli names (-want +got):\n%s", diff)
	}
}

func TestParseBenchLines(t *testing.T) {
	for _, tc := range []struct {
		line string
		ok   bool
		name string
		proc int
	}{
		{"BenchmarkX 10 5 ns/op", true, "BenchmarkX", 1}, // GOMAXPROCS=1: no suffix
		{"BenchmarkX/sub-case-8 10 5 ns/op", true, "BenchmarkX/sub-case", 8},
		{"BenchmarkX-2 10 5", false, "", 0},                      // odd field count
		{"BenchmarkX-2 ten 5 ns/op", false, "", 0},               // N not a number
		{"BenchmarkX-2 10 fast ns/op", false, "", 0},             // value not a number
		{"--- SKIP: BenchmarkPeakMemory/1M", false, "", 0},       // not a result
		{"BenchmarkPeakMemory/1M-2 --- FAIL: x y", false, "", 0}, // failure line
		{"Benchmark 1 2 ns/op", true, "Benchmark", 1},            // bare name
	} {
		b, ok := parseBenchLine(tc.line)
		if ok != tc.ok || ok && (b.Name != tc.name || b.Procs != tc.proc) {
			t.Errorf("%q: %+v %v, want name %q procs %d ok %v", tc.line, b, ok, tc.name, tc.proc, tc.ok)
		}
	}
}

func TestParseQuota(t *testing.T) {
	q, err := ParseQuota(fixture(t, "quota.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := Quota{Records: 40000, Calls: 400, Minutes: 4, PerMinute: 10000, Percent: 100, TotalRecords: 76057, TotalRequests: 20484, Passed: true}
	if diff := cmp.Diff(want, q); diff != "" {
		t.Errorf("ParseQuota (-want +got):\n%s", diff)
	}
	q, err = ParseQuota(fixture(t, "quota_fail.txt"))
	if err != nil || q.Percent != 97.56 || q.Minute429 != 3 || q.Passed {
		t.Errorf("failing run: %+v, %v", q, err)
	}
	if _, err := ParseQuota("--- PASS: TestQuotaUse (0.1s)\n"); err == nil {
		t.Error("no log lines accepted")
	}
}

func TestParseCrashResume(t *testing.T) {
	c, err := ParseCrashResume(fixture(t, "chaos.txt"))
	if err != nil {
		t.Fatal(err)
	}
	want := CrashResume{Kills: 10, Records: 60000, Sent: 61800, Resent: 1800, ResentPerKill: 180, MaxInflightRecords: 400, Passed: true}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("ParseCrashResume (-want +got):\n%s", diff)
	}
	if _, err := ParseCrashResume("crash-resume: kills=1 records=2\n"); err == nil {
		t.Error("truncated line accepted")
	}
}

func TestCPUModel(t *testing.T) {
	info := "processor\t: 0\nvendor_id\t: AuthenticAMD\nmodel name\t: AMD EPYC 7B13 64-Core Processor\nprocessor\t: 1\nmodel name\t: other\n"
	if got := CPUModel(info); got != "AMD EPYC 7B13 64-Core Processor" {
		t.Errorf("CPUModel = %q", got)
	}
	if got := CPUModel("processor : 0\n"); got != "" {
		t.Errorf("CPUModel without model name = %q", got)
	}
}

func TestEvaluations(t *testing.T) {
	tp, v := EvalThroughput(fixture(t, "throughput.txt"), targets)
	if v.State != "PASS" || tp.Ratio < 0.899 || tp.Ratio > 0.9 {
		t.Errorf("throughput: %v ratio %v", v, tp.Ratio)
	}
	if _, v := EvalThroughput(fixture(t, "throughput.txt"), Targets{MinRatio: 0.95}); v.State != "FAIL" {
		t.Errorf("throughput under a 0.95 target: %v", v)
	}
	if _, v := EvalThroughput("", targets); v.State != "not measured" {
		t.Errorf("empty throughput: %v", v)
	}

	_, quota, no429 := EvalQuota(fixture(t, "quota.txt"), targets)
	if quota.State != "PASS" || no429.State != "PASS" {
		t.Errorf("quota: %v %v", quota, no429)
	}
	_, quota, no429 = EvalQuota(fixture(t, "quota_fail.txt"), targets)
	if quota.State != "FAIL" || no429.State != "FAIL" {
		t.Errorf("failing quota: %v %v", quota, no429)
	}

	pk, v := EvalPeak(fixture(t, "peak.txt"), targets)
	if v.State != "PASS" || !pk.Has1M || pk.At1M.Metrics["peak-heap-MB"] != 6.512 {
		t.Errorf("peak: %v %+v", v, pk)
	}
	if _, v := EvalPeak(fixture(t, "peak.txt"), Targets{PeakTolerance: 1.1}); v.State != "FAIL" {
		t.Errorf("peak under 1.1×: %v", v) // 6.512/5.643 = 1.154
	}
	if _, v := EvalPeak(fixture(t, "peak_quick.txt"), targets); v.State != "not measured" || !strings.Contains(v.Detail, "RSCGO_BENCH_1M") {
		t.Errorf("peak without 1M: %v", v)
	}

	c, v := EvalCrash(Result{Output: fixture(t, "chaos.txt")})
	if v.State != "PASS" || c.Resent != 1800 {
		t.Errorf("crash: %v %+v", v, c)
	}
	over := strings.Replace(fixture(t, "chaos.txt"), "resent=1800", "resent=4001", 1)
	if _, v := EvalCrash(Result{Output: over}); v.State != "FAIL" {
		t.Errorf("crash over the bound: %v", v)
	}
	if _, v := EvalCrash(Result{Output: fixture(t, "chaos.txt"), Err: errors.New("exit status 1")}); v.State != "FAIL" {
		t.Errorf("crash with a failed test: %v", v)
	}
	noTest := "testing: warning: no tests to run\nPASS\nok  \tgithub.com/rscgo/rscgo/internal/chaos\t0.007s [no tests to run]\n"
	if _, v := EvalCrash(Result{Output: noTest}); v.State != "not measured" || !strings.Contains(v.Detail, "no TestCrashResume") {
		t.Errorf("crash without the test: %v", v)
	}
	if _, v := EvalCrash(Result{Missing: true, Step: Step{Needs: "internal/chaos"}}); v.State != "not measured" || v.Detail != "internal/chaos missing" {
		t.Errorf("crash missing: %v", v)
	}
}

func TestStepCommands(t *testing.T) {
	got := map[string]string{}
	for _, s := range Steps(false) {
		got[s.Key] = s.Command()
	}
	want := map[string]string{
		"throughput": "go test -run '^$' -bench Throughput -benchtime 5x ./sync",
		"quota":      "go test -count=1 -run TestQuotaUse -v ./sync",
		"peak":       "RSCGO_BENCH_1M=1 go test -run '^$' -bench PeakMemory -benchtime 1x ./sync",
		"chaos":      "go test -count=1 -run TestCrashResume -v ./internal/chaos",
		"rsctest":    "go test -run '^$' -bench . -benchmem ./rsc/rsctest",
		"rsc":        "go test -run '^$' -bench Upsert100 -benchmem ./rsc",
		"restli":     "go test -run '^$' -bench . -benchmem ./internal/restli",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("commands (-want +got):\n%s", diff)
	}
	for _, s := range Steps(true) {
		if s.Key == "peak" && len(s.Env) != 0 {
			t.Errorf("quick mode runs the 1M case: %v", s.Env)
		}
	}
	if got := shellQuote("it's"); got != `'it'\''s'` {
		t.Errorf("shellQuote = %s", got)
	}
}

// fakeRunner answers each step with its fixture.
func fakeRunner(files map[string]string, errs map[string]error) Runner {
	return func(_ context.Context, s Step) (string, error) {
		b, err := os.ReadFile(filepath.Join("testdata", files[s.Key]))
		if err != nil {
			return "", err
		}
		return string(b), errs[s.Key]
	}
}

func TestRenderFull(t *testing.T) {
	files := map[string]string{"throughput": "throughput.txt", "quota": "quota.txt", "peak": "peak.txt", "chaos": "chaos.txt",
		"rsctest": "rsctest.txt", "rsc": "rsc.txt", "restli": "restli.txt"}
	var ran []string
	run := fakeRunner(files, nil)
	results := Collect(t.Context(), Steps(false), func(ctx context.Context, s Step) (string, error) {
		ran = append(ran, s.Key)
		return run(ctx, s)
	}, func(string) bool { return true })
	if diff := cmp.Diff([]string{"throughput", "quota", "peak", "chaos", "rsctest", "rsc", "restli"}, ran); diff != "" {
		t.Errorf("steps run (-want +got):\n%s", diff)
	}
	rep := Report{Date: time.Date(2026, 5, 4, 10, 30, 0, 0, time.UTC), Targets: targets, Results: results,
		Machine: Machine{CPU: "AMD EPYC", Cores: 2, OS: "linux", Arch: "amd64", GoVersion: "go1.26.8", LoadBefore: "0.01, 0.17, 0.15", LoadAfter: "1.2, 0.5, 0.2"}}
	md := Render(rep)
	wantLines(t, md, []string{
		"2026-05-04 10:30 UTC", "| CPU | AMD EPYC |", "| Cores (GOMAXPROCS) | 2 |", "linux/amd64", "go1.26.8", "0.01, 0.17, 0.15 / 1.2, 0.5, 0.2",
		"| SDK throughput ≥ 80% of a hand-written loop | **PASS** | ratio 0.90, target ≥ 0.80 |",
		"| Quota use ≥ 99% of LinkedIn's 10,000 records/min | **PASS** | 100.00%, target ≥ 99% |",
		"| Zero 429s under LinkedIn's real limits | **PASS** |",
		"| Peak heap at 1M records ≈ at 100k (≤ 1.50×) | **PASS** | 1M/100k = 1.15, target ≤ 1.50 |",
		"| Records re-sent after a crash ≤ batches in flight | **PASS** | resent 1800 ≤ kills × max in flight = 4000 |",
		"`go test -run '^$' -bench Throughput -benchtime 5x ./sync`",
		"`RSCGO_BENCH_1M=1 go test -run '^$' -bench PeakMemory -benchtime 1x ./sync`",
		"`go test -count=1 -run TestQuotaUse -v ./sync`",
		"`go test -count=1 -run TestCrashResume -v ./internal/chaos`",
		"| SDK engine | 28,540 | 34.5 |", "| hand loop | 31,734 | 29.8 |",
		"| 1,000,000 | 6.51 MB | 91,251 |",
		"| 10 | 60,000 | 61,800 | 1,800 | 180.0 | 400 |",
		"| `BenchmarkIngestCandidates100` | 2,724,438 | 36,705 | 769,690 | 4,098 |",
		"| `BenchmarkUpsert100Candidates` | 1,164,477 | 85,875 |",
		"| `BenchmarkParseQuery100/P2` | 165,500 |",
		"go test -run '^$' -bench . -benchmem ./rsc/rsctest\ngo test -run '^$' -bench Upsert100 -benchmem ./rsc\n",
	})
	if !strings.HasSuffix(md, "Regenerate: `./test.sh bench`\n") {
		t.Errorf("report does not end with the regenerate line:\n%s", md[max(0, len(md)-200):])
	}
	if strings.Contains(md, "quick mode") || strings.Contains(md, "not measured") {
		t.Error("full report mentions quick mode or unmeasured figures")
	}
}

func TestRenderDegraded(t *testing.T) {
	files := map[string]string{"throughput": "throughput.txt", "quota": "quota_fail.txt", "peak": "peak_quick.txt",
		"rsctest": "rsctest.txt", "rsc": "missing.txt", "restli": "restli.txt"}
	errs := map[string]error{"quota": errors.New("exit status 1")}
	results := Collect(t.Context(), Steps(true), fakeRunner(files, errs), func(dir string) bool { return dir != "internal/chaos" })
	if !results["chaos"].Missing {
		t.Fatal("chaos step ran although internal/chaos is missing")
	}
	md := Render(Report{Date: time.Unix(0, 0), Quick: true, Targets: targets, Results: results, Machine: Machine{CPU: "x", Cores: 2}})
	wantLines(t, md, []string{
		"**quick mode**",
		"`go test -run '^$' -bench Throughput -benchtime 1x ./sync`",
		"| Quota use ≥ 99% of LinkedIn's 10,000 records/min | **FAIL** | 97.56%, target ≥ 99%; the test failed |",
		"| Zero 429s under LinkedIn's real limits | **FAIL** | 3 minute + 0 day 429s, target 0 |",
		"| Peak heap at 1M records ≈ at 100k (≤ 1.50×) | **not measured** | 1M case not run",
		"| Records re-sent after a crash ≤ batches in flight | **not measured** | internal/chaos missing |",
		"not measured (internal/chaos missing)",
		"not measured (the benchmark failed: open testdata/missing.txt",
		"Regenerate: `./test.sh bench`",
	})
}

// wantLines reports each of wants that md lacks.
func wantLines(t *testing.T, md string, wants []string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(md, want) {
			t.Errorf("report lacks %q", want)
		}
	}
}

func TestNum(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", 5.643: "5.64", -12345: "-12,345"} {
		if got := num(v); got != want {
			t.Errorf("num(%v) = %q, want %q", v, got, want)
		}
	}
}
