package benchsync

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"runtime"
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
// nothing). A validating pass first syncs the same dataset into the real
// fake from both sides and fails unless it stores every record. Each
// iteration is one round: both sides once, in alternating order; the
// metrics are the median, min and max over the rounds of the ratio and of
// each side's CPU per record (process user + system time, GC included),
// and the canned transport's own share, which both sides include.
//
//	go test -run '^$' -bench ClientCPU -benchtime 9x ./internal/benchsync
func BenchmarkClientCPU(b *testing.B) {
	calls := validateOnFake(b, cpuRecords)
	ctx := context.Background()
	ct := newCannedTransport(cpuRecords, true)
	client := newEngineClient(b, ct, cannedBase, cannedBase+"/oauth/v2/accessToken", "id", "secret")
	h := &handLoop{hc: &http.Client{Transport: ct}, base: cannedBase, token: "canned-token", inFlight: inFlight}
	src := candidateSource{cpuRecords}
	engine := func() { runEngine(ctx, b, client, src) }
	hand := func() {
		if stored, refused, err := h.run(ctx, src); err != nil || stored != cpuRecords || refused != 0 {
			b.Fatalf("hand loop: stored %d, refused %d, err %v", stored, refused, err)
		}
	}
	measure := func(run func()) float64 {
		runtime.GC()
		before := ct.records.Load()
		cpu := processCPU()
		run()
		ns := float64(processCPU() - cpu)
		if got := ct.records.Load() - before; got != cpuRecords {
			b.Fatalf("%d records sent, want %d", got, cpuRecords)
		}
		return ns / cpuRecords
	}
	measure(engine) // warm-up: token, pools, first allocations
	measure(hand)
	var eng, hnd, ratio []float64
	for b.Loop() {
		var e, x float64
		if len(ratio)%2 == 0 {
			e, x = measure(engine), measure(hand)
		} else {
			x, e = measure(hand), measure(engine)
		}
		eng, hnd, ratio = append(eng, e), append(hnd, x), append(ratio, e/x)
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
	b.ReportMetric(float64(len(ratio)), "rounds")
	b.ReportMetric(transportCPU(b, calls), "transport-cpu-ns/record")
}

// transportCPU is the canned transport's own CPU per record, which both
// sides' figures include: it answers the engine's recorded calls, 5 times
// over, with nothing else running.
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
