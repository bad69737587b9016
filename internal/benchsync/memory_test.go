package benchsync

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	gosync "sync"
	"testing"
	"time"
)

// childEnv names the dataset size of a memory child process.
const childEnv = "RSCGO_BENCHSYNC_CHILD_RECORDS"

// TestMemoryChild is the body of BenchmarkMemory's child process; it does
// nothing unless childEnv is set. It syncs the generated candidates to the
// canned transport (which stores nothing) and prints the live heap after a
// final GC, with the engine and client still reachable, the highest live
// heap a GC measured during the sync, and the process's peak resident set
// (VmHWM).
func TestMemoryChild(t *testing.T) {
	v := os.Getenv(childEnv)
	if v == "" {
		t.Skip("runs as BenchmarkMemory's child process")
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		t.Fatal(err)
	}
	ct := newCannedTransport(n, false)
	client := newEngineClient(t, ct, cannedBase, cannedBase+"/oauth/v2/accessToken", "id", "secret")
	var peak uint64
	stop := samplePeakLive(&peak)
	runEngine(context.Background(), t, client, candidateSource{n})
	stop()
	if got := ct.records.Load(); got != int64(n) {
		t.Fatalf("%d records sent, want %d", got, n)
	}
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	runtime.KeepAlive(client)
	hwm, err := vmHWM()
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("benchsync-memory: records=%d live-heap-bytes=%d rss-hwm-bytes=%d peak-live-heap-bytes=%d\n", n, ms.HeapAlloc, hwm, peak)
}

// samplePeakLive records the highest live heap the garbage collector
// measured (as of each completed GC), checked every 10 ms, until stop.
func samplePeakLive(peak *uint64) (stop func()) {
	done := make(chan struct{})
	var wg gosync.WaitGroup
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	wg.Go(func() {
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			*peak = max(*peak, s[0].Value.Uint64())
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }
}

// vmHWM reads this process's peak resident set size from /proc/self/status.
func vmHWM() (int64, error) {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err
		}
	}
	return 0, fmt.Errorf("no VmHWM in /proc/self/status")
}

var childLine = regexp.MustCompile(`benchsync-memory: records=(\d+) live-heap-bytes=(\d+) rss-hwm-bytes=(\d+) peak-live-heap-bytes=(\d+)`)

// BenchmarkMemory runs each sync in a separate process (this test binary,
// re-executed as TestMemoryChild) so that its peak RSS is its own, at
// 1,000, 100,000 and 1,000,000 records. Each iteration is one child; the metrics
// are the median, min and max over the iterations (use -benchtime 3x or
// more). RSS at 1M should stay within 10% of RSS at 100k; the 1k case is
// the process with next to nothing to sync, for reference.
//
//	go test -run '^$' -bench Memory -benchtime 3x ./internal/benchsync
func BenchmarkMemory(b *testing.B) {
	if os.Getenv(childEnv) != "" {
		b.Skip("child process")
	}
	for _, n := range []int{1_000, 100_000, 1_000_000} {
		b.Run(map[int]string{1_000: "1k", 100_000: "100k", 1_000_000: "1M"}[n], func(b *testing.B) {
			var rss, live, peak []float64
			for b.Loop() {
				cmd := exec.Command(os.Args[0], "-test.run", "^TestMemoryChild$", "-test.count", "1", "-test.v")
				cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", childEnv, n))
				out, err := cmd.CombinedOutput()
				m := childLine.FindSubmatch(out)
				if err != nil || m == nil {
					b.Fatalf("child: %v\n%s", err, out)
				}
				l, _ := strconv.ParseFloat(string(m[2]), 64)
				r, _ := strconv.ParseFloat(string(m[3]), 64)
				p, _ := strconv.ParseFloat(string(m[4]), 64)
				live, rss, peak = append(live, l/(1<<20)), append(rss, r/(1<<20)), append(peak, p/(1<<20))
			}
			for _, x := range []struct {
				v    []float64
				unit string
			}{{rss, "rss-MB"}, {live, "live-heap-MB"}, {peak, "peak-live-heap-MB"}} {
				med, lo, hi := spread(x.v)
				b.ReportMetric(med, x.unit+"-median")
				b.ReportMetric(lo, x.unit+"-min")
				b.ReportMetric(hi, x.unit+"-max")
			}
		})
	}
}
