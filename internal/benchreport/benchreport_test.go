package main

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// The fixtures in testdata are real outputs of the commands in Steps,
// captured on a 2-core AMD EPYC (quota_fail.txt is hand-made in the same
// format).

func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

var targets = Targets{MaxCPURatio: 0.8, MinQuota: 99, MaxRSSGrowth: 1.1}

func TestParseBench(t *testing.T) {
	bs, cpu := ParseBench(fixture(t, "fake.txt"))
	if cpu != "AMD EPYC" {
		t.Errorf("cpu = %q", cpu)
	}
	want := []Bench{{Name: "BenchmarkFakeIngest", Procs: 2, N: 3, Metrics: map[string]float64{
		"ns/op": 652477542, "cpu-ns/record": 10378, "records/s": 46442, "stored-B/record": 932}}}
	if diff := cmp.Diff(want, bs); diff != "" {
		t.Errorf("ParseBench (-want +got):\n%s", diff)
	}

	bs, _ = ParseBench(fixture(t, "memory.txt"))
	if len(bs) != 3 || bs[2].Name != "BenchmarkMemory/1M" || bs[2].Metrics["rss-MB-median"] != 22.52 || bs[2].Metrics["peak-live-heap-MB-min"] != 3.077 {
		t.Errorf("memory: %+v", bs)
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
	if len(q.Resources) != 6 {
		t.Fatalf("%d resources, want 6: %+v", len(q.Resources), q.Resources)
	}
	wantRes := QuotaResource{Resource: "atsApplications/stages", Phase: "applications", Records: 40000, Calls: 20000, Minutes: 3.99,
		PerMinute: 10025, Percent: 100.25, PeakMinute: 10000}
	if diff := cmp.Diff(wantRes, q.Resources[3]); diff != "" {
		t.Errorf("stages (-want +got):\n%s", diff)
	}
	wantPhases := []QuotaPhase{{"candidates", "atsCandidates", 100}, {"applications", "atsApplications/stages", 100.25},
		{"activities", "atsApplications/interviewFeedback", 100.5}}
	if diff := cmp.Diff(wantPhases, q.Phases); diff != "" {
		t.Errorf("phases (-want +got):\n%s", diff)
	}
	if q.TotalRecords != 160000 || q.TotalRequests != 80600 || q.SimulatedMinutes != 10 || !q.Passed {
		t.Errorf("whole sync: %+v", q)
	}
	q, err = ParseQuota(fixture(t, "quota_fail.txt"))
	if err != nil || q.Phases[1].Percent != 97.56 || q.Minute429 != 3 || q.Resources[1].N429 != 3 || q.Passed {
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
	want := CrashResume{Passed: true, Runs: []CrashRun{
		{Kills: 10, Records: 3644, Sent: 4737, Resent: 1090, ResentPerKill: 109, MaxResentAfterKill: 200, Bound: 200},
		{Kills: 10, Records: 3644, Sent: 5259, Resent: 1612, ResentPerKill: 161.2, MaxResentAfterKill: 200, Bound: 200},
		{Kills: 10, Records: 3644, Sent: 5059, Resent: 1412, ResentPerKill: 141.2, MaxResentAfterKill: 200, Bound: 200},
	}}
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
	c, v := EvalCPU(fixture(t, "cpu.txt"), targets)
	if v.State != "FAIL" || c.Ratio != (Spread{1.705, 1.154, 2.1}) || c.Engine.Median != 5401 || c.Hand.Min != 2976 || c.Rounds != 5 ||
		c.Transport != 83.57 || c.Floor != (Spread{1472, 1409, 1806}) || c.FloorRatio.Median != 3.478 {
		t.Errorf("cpu: %v %+v", v, c)
	}
	if _, v := EvalCPU(fixture(t, "cpu.txt"), Targets{MaxCPURatio: 1.8}); v.State != "PASS" {
		t.Errorf("cpu under a 1.8 target: %v", v)
	}
	if _, v := EvalCPU("", targets); v.State != "not measured" {
		t.Errorf("empty cpu: %v", v)
	}

	m, v := EvalMemory(fixture(t, "memory.txt"), targets)
	if v.State != "FAIL" || m.Growth < 1.227 || m.Growth > 1.228 { // 22.52 / 18.35
		t.Errorf("memory: %v %+v", v, m)
	}
	if _, v := EvalMemory(fixture(t, "memory.txt"), Targets{MaxRSSGrowth: 1.25}); v.State != "PASS" {
		t.Errorf("memory under 1.25×: %v", v)
	}
	only100k := strings.Split(fixture(t, "memory.txt"), "BenchmarkMemory/1M")[0]
	if _, v := EvalMemory(only100k, targets); v.State != "not measured" {
		t.Errorf("memory without 1M: %v", v)
	}

	_, quota, limit := EvalQuota(fixture(t, "quota.txt"), targets)
	if quota.State != "PASS" || limit.State != "PASS" || quota.Detail != "lowest phase 100.00% over 3 phases, target ≥ 99%" {
		t.Errorf("quota: %v %v", quota, limit)
	}
	_, quota, limit = EvalQuota(fixture(t, "quota_fail.txt"), targets)
	if quota.State != "FAIL" || !strings.Contains(quota.Detail, "below: applications 97.56%") ||
		limit.State != "FAIL" || !strings.Contains(limit.Detail, "atsApplications/stages 10100 in one minute") {
		t.Errorf("failing quota: %v %v", quota, limit)
	}

	f, ok := EvalFake(fixture(t, "fake.txt"))
	if !ok || f.Metrics["stored-B/record"] != 932 {
		t.Errorf("fake: %+v %v", f, ok)
	}
	if _, ok := EvalFake(""); ok {
		t.Error("empty fake output accepted")
	}

	cr, v := EvalCrash(Result{Output: fixture(t, "chaos.txt")})
	if v.State != "PASS" || len(cr.Runs) != 3 || v.Detail != "most re-sent after one kill 200 ≤ 200 (the batches in flight), 3 seeds, 30 kills" {
		t.Errorf("crash: %v %+v", v, cr)
	}
	over := strings.Replace(fixture(t, "chaos.txt"), "max_resent_after_a_kill=200", "max_resent_after_a_kill=201", 1)
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
	if _, v := EvalCrash(Result{Missing: true, Absent: "internal/chaos", Step: Step{Needs: []string{"internal/chaos"}}}); v.State != "not measured" || v.Detail != "internal/chaos missing" {
		t.Errorf("crash missing: %v", v)
	}
}

func TestStepCommands(t *testing.T) {
	got := map[string]string{}
	for _, s := range Steps(false) {
		got[s.Key] = s.Command()
	}
	want := map[string]string{
		"cpu":     "go test -run '^$' -bench ClientCPU -benchtime 15x ./internal/benchsync",
		"memory":  "go test -run '^$' -bench Memory -benchtime 3x ./internal/benchsync",
		"quota":   "RSCGO_BENCH=1 go test -count=1 -run TestQuotaUse -v ./internal/benchsync",
		"fake":    "go test -run '^$' -bench FakeIngest -benchtime 5x ./internal/benchsync",
		"chaos":   "go test -count=1 -run TestCrashResume -v ./internal/chaos",
		"fleet":   "go -C fleet run ./internal/fleetbench",
		"rsctest": "go test -run '^$' -bench . -benchmem ./rsc/rsctest",
		"rsc":     "go test -run '^$' -bench Upsert100 -benchmem ./rsc",
		"restli":  "go test -run '^$' -bench . -benchmem ./internal/restli",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("commands (-want +got):\n%s", diff)
	}
	for _, s := range Steps(true) {
		if s.Key == "cpu" && s.Command() != "go test -run '^$' -bench ClientCPU -benchtime 5x ./internal/benchsync" {
			t.Errorf("quick mode runs other than 5 CPU rounds: %s", s.Command())
		}
		if s.Key == "fleet" && s.Command() != "go -C fleet run ./internal/fleetbench -quick" {
			t.Errorf("quick mode runs the fleet section as %s", s.Command())
		}
	}
	if got := shellQuote("it's"); got != `'it'\''s'` {
		t.Errorf("shellQuote = %s", got)
	}
}

// fakeRunner answers each step with its fixture.
func fakeRunner(files map[string]string, errs map[string]error) Runner {
	return func(_ context.Context, s Step) (string, error) {
		b, err := os.ReadFile("testdata/" + files[s.Key])
		if err != nil {
			return "", err
		}
		return string(b), errs[s.Key]
	}
}

func TestRenderFull(t *testing.T) {
	files := map[string]string{"cpu": "cpu.txt", "memory": "memory.txt", "quota": "quota.txt", "fake": "fake.txt", "chaos": "chaos.txt",
		"fleet": "fleet.txt", "rsctest": "rsctest.txt", "rsc": "rsc.txt", "restli": "restli.txt"}
	var ran []string
	run := fakeRunner(files, nil)
	results := Collect(t.Context(), Steps(false), func(ctx context.Context, s Step) (string, error) {
		ran = append(ran, s.Key)
		return run(ctx, s)
	}, func(string) bool { return true })
	if diff := cmp.Diff([]string{"cpu", "memory", "quota", "fake", "chaos", "fleet", "rsctest", "rsc", "restli"}, ran); diff != "" {
		t.Errorf("steps run (-want +got):\n%s", diff)
	}
	rep := Report{Date: time.Date(2026, 5, 4, 10, 30, 0, 0, time.UTC), Targets: targets, Results: results,
		Machine: Machine{CPU: "AMD EPYC", Cores: 2, OS: "linux", Arch: "amd64", GoVersion: "go1.26.8", LoadBefore: "0.01, 0.17, 0.15", LoadAfter: "1.2, 0.5, 0.2"}}
	md := Render(rep)
	wantLines(t, md, []string{
		"2026-05-04 10:30 UTC (full run)", "| CPU | AMD EPYC |", "| Cores (GOMAXPROCS) | 2 |", "linux/amd64", "go1.26.8", "0.01, 0.17, 0.15 / 1.2, 0.5, 0.2",
		"| Client CPU per record ≤ 0.80× a fair hand-written loop | **FAIL** | engine ÷ hand loop = 1.71 (min 1.15, max 2.10, 5 rounds), target ≤ 0.80 |",
		"| Peak RSS at 1,000,000 records ≤ 1.10× at 100,000 | **FAIL** | RSS at 1M ÷ at 100k = 1.23 (22.5 MB ÷ 18.4 MB), target ≤ 1.10 |",
		"| Every phase uses ≥ 99% of LinkedIn's 10,000 records/min | **PASS** | lowest phase 100.00% over 3 phases, target ≥ 99% |",
		"| No resource over 10,000 records in a minute, no 429 | **PASS** | 0 429s, busiest minute 10,000 records (limit 10,000) |",
		"| Records re-sent after each crash ≤ batches in flight | **PASS** | most re-sent after one kill 200 ≤ 200 (the batches in flight), 3 seeds, 30 kills |",
		"`go test -run '^$' -bench ClientCPU -benchtime 15x ./internal/benchsync`",
		"`go test -run '^$' -bench Memory -benchtime 3x ./internal/benchsync`",
		"`RSCGO_BENCH=1 go test -count=1 -run TestQuotaUse -v ./internal/benchsync`",
		"`go test -run '^$' -bench FakeIngest -benchtime 5x ./internal/benchsync`",
		"`go test -count=1 -run TestCrashResume -v ./internal/chaos`",
		"| engine ÷ hand loop | 1.71 | 1.15 | 2.10 |", "| engine, µs CPU per record | 5.40 | 4.51 | 6.25 |", "| hand loop, µs CPU per record | 3.45 | 2.98 | 4.00 |",
		"| floor (hand loop, JSON appended by hand), µs CPU per record | 1.47 | 1.41 | 1.81 |", "| engine ÷ floor | 3.48 | 2.56 | 4.43 |",
		"| canned transport's own share (in every µs line above) | 0.08 | | |",
		"| 1,000,000 | 22.5 MB (19.3–23.2) | 4.8 MB (3.1–5.1) | 0.4 MB (0.4–0.5) |",
		"| 1,000 (the process at rest, for reference) | 15.4 MB (15.1–15.5) | — (no GC ran) |",
		"| atsApplications/stages | applications | 40,000 | 20,000 | 3.990 | 10,025 | 100.25% | 10,000 | 0 |",
		"| applications | atsApplications/stages | **100.25%** |",
		"Whole sync: 160,000 records in 80,600 requests over 10.0 simulated minutes",
		"| 46,442 | 10.38 | 932 |", "279×\nLinkedIn's quota", "it costs 1.9× the engine's client CPU per record (5.40 µs)", "about 889 MB of heap",
		"| 2 | 10 | 3,644 | 5,259 | 1,612 | 161.2 | 200 | 200 |",
		"| `BenchmarkIngestCandidates100` | 2,724,438 | 36,705 | 769,690 | 4,098 |",
		"| `BenchmarkUpsert100Candidates` | 1,164,477 | 85,875 |",
		"| `BenchmarkParseQuery100/P2` | 165,500 |",
		"go test -run '^$' -bench . -benchmem ./rsc/rsctest\ngo test -run '^$' -bench Upsert100 -benchmem ./rsc\n",
		"\n## Fleet\n\nHand-made fixture: the shape fleet/internal/fleetbench prints.\n\n| customers | records | records/s |\n|---:|---:|---:|\n| 10 | 100,000 | 5,000 |\n\n" +
			"Command (from the repository root): `go -C fleet run ./internal/fleetbench`",
	})
	if strings.Contains(md, "go: downloading") {
		t.Error("the report embeds what go printed before the fleet section")
	}
	if !strings.HasSuffix(md, "Regenerate: `./test.sh bench`\n") {
		t.Errorf("report does not end with the regenerate line:\n%s", md[max(0, len(md)-200):])
	}
	if strings.Contains(md, "quick mode") || strings.Contains(md, "not measured") {
		t.Error("full report mentions quick mode or unmeasured figures")
	}
}

func TestRenderDegraded(t *testing.T) {
	files := map[string]string{"cpu": "cpu.txt", "memory": "missing.txt", "quota": "quota_fail.txt", "fake": "missing.txt",
		"rsctest": "rsctest.txt", "rsc": "missing.txt", "restli": "restli.txt"}
	errs := map[string]error{"quota": errors.New("exit status 1"), "cpu": errors.New("exit status 1")}
	results := Collect(t.Context(), Steps(true), fakeRunner(files, errs), func(path string) bool {
		return path != "internal/chaos" && path != "fleet/internal/fleetbench"
	})
	if !results["chaos"].Missing {
		t.Fatal("chaos step ran although internal/chaos is missing")
	}
	md := Render(Report{Date: time.Unix(0, 0), Quick: true, Targets: targets, Results: results, Machine: Machine{CPU: "x", Cores: 2}})
	wantLines(t, md, []string{
		"**quick mode**",
		"`go test -run '^$' -bench ClientCPU -benchtime 5x ./internal/benchsync`",
		"| Client CPU per record ≤ 0.80× a fair hand-written loop | **FAIL** | engine ÷ hand loop = 1.71 (min 1.15, max 2.10, 5 rounds), target ≤ 0.80; the command failed |",
		"| Peak RSS at 1,000,000 records ≤ 1.10× at 100,000 | **not measured** | not measured (BenchmarkMemory failed: open testdata/missing.txt",
		"| Every phase uses ≥ 99% of LinkedIn's 10,000 records/min | **FAIL** | lowest phase 97.56% over 2 phases, target ≥ 99%; below: applications 97.56%; the command failed |",
		"| No resource over 10,000 records in a minute, no 429 | **FAIL** | 3 429s, busiest minute 10,100 records (limit 10,000); over: atsApplications/stages 10100 in one minute; the command failed |",
		"| Records re-sent after each crash ≤ batches in flight | **not measured** | internal/chaos missing |",
		"not measured (internal/chaos missing)",
		"## Fleet\n\nThe fleet section was not generated: fleet/internal/fleetbench does not exist.\n",
		"not measured (BenchmarkFakeIngest failed: open testdata/missing.txt",
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

// The fleet section is embedded from its heading on, or a line says why
// it was not generated.
func TestRenderFleet(t *testing.T) {
	step := fleetStep(false)
	for _, tc := range []struct {
		name string
		r    Result
		want string
	}{
		{"embedded", Result{Step: step, Output: "## Fleet\n\nfigures\n"}, "## Fleet\n\nfigures\n\nCommand (from the repository root): `go -C fleet run ./internal/fleetbench`\n\n"},
		{"missing", Result{Step: step, Missing: true, Absent: "fleet/go.mod"}, "## Fleet\n\nThe fleet section was not generated: fleet/go.mod does not exist.\n\n"},
		{"failed", Result{Step: step, Output: "build error\n", Err: errors.New("exit status 1")},
			"## Fleet\n\nThe fleet section was not generated: `go -C fleet run ./internal/fleetbench` failed: exit status 1.\n\n```\nbuild error\n```\n\n"},
		{"no section", Result{Step: step, Output: "## Other\n"},
			"## Fleet\n\nThe fleet section was not generated: `go -C fleet run ./internal/fleetbench` printed no \"## Fleet\" section.\n\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var w page
			w.fleet(tc.r)
			if diff := cmp.Diff(tc.want, w.String()); diff != "" {
				t.Errorf("section (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNum(t *testing.T) {
	for v, want := range map[float64]string{0: "0", 999: "999", 1000: "1,000", 1234567: "1,234,567", 5.643: "5.64", -12345: "-12,345"} {
		if got := num(v); got != want {
			t.Errorf("num(%v) = %q, want %q", v, got, want)
		}
	}
}
