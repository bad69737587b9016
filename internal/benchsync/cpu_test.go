package benchsync

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"runtime"
	"runtime/pprof"
	"slices"
	"syscall"
	"testing"
	"time"
)

// cpuRecords is the dataset of one side of one round.
const cpuRecords = 20_000

// processCPU is the user + system CPU time of this process so far.
func processCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkClientCPU is the headline comparison: the engine's client-side
// CPU per record divided by the hand loop's, both syncing the same 20,000
// candidates with 4 batches in flight to the canned transport (the fake's
// exact answers, prepared in advance, so the server costs next to
// nothing). A third side, the floor, is the hand loop with its JSON
// appended by hand and its answers scanned, for reference. A validating
// pass first syncs the same dataset into the real fake from every side and
// fails unless it stores every record. Each iteration is one round: every
// side once, each round starting with the next; the metrics are the
// median, min and max over the rounds of the ratios (engine ÷ hand loop,
// engine ÷ floor) and of each side's CPU per record (process user +
// system time, GC included), and the canned transport's own share, which
// every side includes.
//
//	go test -run '^$' -bench ClientCPU -benchtime 15x ./internal/benchsync
//
// With -cpuprofile, each side's samples carry the label side=engine, hand
// or floor (go tool pprof -tagfocus side=engine).
func BenchmarkClientCPU(b *testing.B) {
	// The validating pass's fakes are gone before the rounds, and the
	// transport's own share is measured first, so that the rounds' heap is
	// only what the sides allocate: a garbage collection that also marked
	// the fakes' 60,000 stored records would cost a side that triggers one
	// more than a side that allocates just less and triggers none.
	transport := transportCPU(b, validateOnFake(b, cpuRecords))
	ctx := context.Background()
	ct := newCannedTransport(cpuRecords, true)
	client := newEngineClient(b, ct, cannedBase, cannedBase+"/oauth/v2/accessToken", "id", "secret")
	src := candidateSource{cpuRecords}
	loop := func(floor bool) func() {
		h := &handLoop{hc: &http.Client{Transport: ct}, base: cannedBase, token: "canned-token", inFlight: inFlight, floor: floor}
		return func() {
			if stored, refused, err := h.run(ctx, src); err != nil || stored != cpuRecords || refused != 0 {
				b.Fatalf("hand loop (floor %v): stored %d, refused %d, err %v", floor, stored, refused, err)
			}
		}
	}
	sides := []func(){func() { runEngine(ctx, b, client, src) }, loop(false), loop(true)}
	sideNames := []string{"engine", "hand", "floor"}
	measure := func(side int) float64 {
		runtime.GC()
		before := ct.records.Load()
		cpu := processCPU()
		// The label lets a CPU profile tell the sides apart:
		// go tool pprof -tagfocus side=engine
		pprof.Do(ctx, pprof.Labels("side", sideNames[side]), func(context.Context) { sides[side]() })
		ns := float64(processCPU() - cpu)
		if got := ct.records.Load() - before; got != cpuRecords {
			b.Fatalf("%s: %d records sent, want %d", sideNames[side], got, cpuRecords)
		}
		return ns / cpuRecords
	}
	for side := range sides { // warm-up: token, pools, first allocations
		measure(side)
	}
	var eng, hnd, flr, ratio, floorRatio []float64
	for b.Loop() {
		var cpu [3]float64
		for k := range sides { // each round starts with the next side
			i := (len(ratio) + k) % len(sides)
			cpu[i] = measure(i)
		}
		eng, hnd, flr = append(eng, cpu[0]), append(hnd, cpu[1]), append(flr, cpu[2])
		ratio, floorRatio = append(ratio, cpu[0]/cpu[1]), append(floorRatio, cpu[0]/cpu[2])
	}
	report := func(v []float64, unit string) {
		med, lo, hi := spread(v)
		b.ReportMetric(med, unit+"-median")
		b.ReportMetric(lo, unit+"-min")
		b.ReportMetric(hi, unit+"-max")
	}
	report(ratio, "ratio")
	report(eng, "engine-cpu-ns/record")
	report(hnd, "hand-cpu-ns/record")
	report(flr, "floor-cpu-ns/record")
	report(floorRatio, "floor-ratio")
	b.ReportMetric(float64(len(ratio)), "rounds")
	b.ReportMetric(transport, "transport-cpu-ns/record")
}

// transportCPU is the canned transport's own CPU per record, which every
// side's figures include: it answers the engine's recorded calls, 5 times
// over, before the rounds, with nothing else running.
func transportCPU(b *testing.B, calls []recorded) float64 {
	ct := newCannedTransport(cpuRecords, true)
	runtime.GC()
	cpu := processCPU()
	for range 5 {
		for _, c := range calls {
			req, err := http.NewRequest(c.method, c.url, bytes.NewReader(c.body))
			if err != nil {
				b.Fatal(err)
			}
			resp, err := ct.RoundTrip(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
		}
	}
	return float64(processCPU()-cpu) / (5 * cpuRecords)
}

// spread returns the median, minimum and maximum of v.
func spread(v []float64) (med, lo, hi float64) {
	if len(v) == 0 {
		return 0, 0, 0
	}
	s := slices.Sorted(slices.Values(v))
	med = s[len(s)/2]
	if len(s)%2 == 0 {
		med = (s[len(s)/2-1] + s[len(s)/2]) / 2
	}
	return med, s[0], s[len(s)-1]
}
