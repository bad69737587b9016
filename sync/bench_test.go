package sync

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"runtime/metrics"
	"strings"
	gosync "sync"
	"syscall"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rscgo/rscgo/internal/restli"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// benchRecords is the dataset size of one throughput iteration.
const benchRecords = 20_000

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkThroughput compares the engine with a minimal hand-written loop
// (net/http + encoding/json, batches of 100) against rsctest with every
// throttle off, in the same run. Compare records/s and cpu-ns/record.
//
//	go test -run '^$' -bench Throughput -benchtime 5x ./sync
func BenchmarkThroughput(b *testing.B) {
	b.Run("engine", func(b *testing.B) {
		e := newEnv(b, envOpt{server: []rsctest.Option{rsctest.WithLimits(rsctest.Limits{Disabled: true}), rsctest.WithRequestLogLimit(-1)},
			client: []rsc.Option{rsc.WithLimits(rsc.Limits{Disabled: true})}})
		g := newGen(e.cust.Organization, time.Now(), 700*24*time.Hour, 0, benchRecords, 0, 0)
		measure(b, func(i int) {
			eng := e.engine(b, g, WithInFlight(4))
			if _, err := eng.Run(context.Background()); err != nil {
				b.Fatal(err)
			}
		})
	})
	b.Run("handloop", func(b *testing.B) {
		e := newEnv(b, envOpt{server: []rsctest.Option{rsctest.WithLimits(rsctest.Limits{Disabled: true}), rsctest.WithRequestLogLimit(-1)}})
		g := newGen(e.cust.Organization, time.Now(), 700*24*time.Hour, 0, benchRecords, 0, 0)
		hc := &http.Client{Transport: e.srv.Transport()}
		tok := token(b, hc, e.srv.TokenURL(), e.cust.ClientID, e.cust.ClientSecret)
		measure(b, func(int) { handLoop(b, hc, e.srv.URL(), tok, g) })
	})
}

func measure(b *testing.B, run func(int)) {
	b.ReportAllocs()
	cpu0 := cpuTime()
	i := 0
	for b.Loop() {
		run(i)
		i++
	}
	n := float64(i * benchRecords)
	b.ReportMetric(n/b.Elapsed().Seconds(), "records/s")
	b.ReportMetric(float64(cpuTime()-cpu0)/n, "cpu-ns/record")
}

func token(b *testing.B, hc *http.Client, tokenURL, id, secret string) string {
	resp, err := hc.PostForm(tokenURL, url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {secret}})
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var t struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&t); err != nil {
		b.Fatal(err)
	}
	return t.AccessToken
}

// handLoop is the baseline: read, encode 100 candidates, PUT (tunnelled,
// since 100 keys exceed LinkedIn's 4 KB query), check the status.
func handLoop(b *testing.B, hc *http.Client, base, tok string, g *genSource) {
	keys := make([]restli.Key, 0, 100)
	ents := make(map[string]rsc.Candidate, 100)
	flush := func() {
		if len(keys) == 0 {
			return
		}
		body, _ := json.Marshal(map[string]any{"entities": ents})
		q := restli.EncodeBatchIDs(restli.Protocol1, keys)
		req, _ := http.NewRequest(http.MethodPut, base+"/v2/atsCandidates?"+q, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if t, ok := restli.Tunnel(http.MethodPut, q, body, "application/json"); ok {
			req, _ = http.NewRequest(t.Method, base+"/v2/atsCandidates", bytes.NewReader(t.Body))
			for k, v := range t.Header {
				req.Header[k] = v
			}
		}
		req.Header.Set("X-RestLi-Method", "batch_update")
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := hc.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
		keys = keys[:0]
		clear(ents)
	}
	for c, err := range g.Candidates(context.Background(), Cursor{}) {
		if err != nil {
			b.Fatal(err)
		}
		k := restli.Key{{Name: "atsCandidateId", Value: c.Record.Key.CandidateID}, {Name: "dataProvider", Value: "ATS"},
			{Name: "integrationContext", Value: c.Record.Key.IntegrationContext}}
		keys = append(keys, k)
		ents[restli.EncodeKeyBody(restli.Protocol1, k)] = c.Record
		if len(keys) == 100 {
			flush()
		}
	}
	flush()
}

// TestQuotaUse syncs a two-year dataset under LinkedIn's real limits on a
// simulated clock and checks the records-per-minute quota is used to at
// least 99% with no 429 at all.
//
//	go test -run TestQuotaUse -v ./sync
func TestQuotaUse(t *testing.T) {
	if testing.Short() {
		t.Skip("long")
	}
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, envOpt{server: []rsctest.Option{rsctest.WithJobTaskLatency(0)},
			client: []rsc.Option{rsc.WithLimits(rsc.DefaultLimits())}})
		g := newGen(e.cust.Organization, time.Now(), 2*365*24*time.Hour, 50, 40_000, 8_000, 12_000)
		eng := e.engine(t, g, WithTaskPollInterval(5*time.Minute))
		_, err := eng.Run(t.Context())
		must(t, err)
		// LinkedIn (and the client's pacer) count records per minute per
		// resource. Measure the candidates phase: one resource, 40,000
		// records. The window runs from its first call to its last, plus the
		// pacing interval of the last batch (100 records = 0.6 s at 10,000/min).
		var first, last time.Time
		calls := 0
		for _, l := range e.srv.Requests() {
			if l.Status != 200 || !strings.HasSuffix(l.Path, "/v2/atsCandidates") {
				continue
			}
			if first.IsZero() {
				first = l.Time
			}
			last = l.Time
			calls++
		}
		c := e.cust.Counters()
		minutes := (last.Sub(first) + 600*time.Millisecond).Minutes()
		rate := float64(g.cands) / minutes
		t.Logf("atsCandidates: %d records in %d calls over %.3f simulated minutes: %.0f records/min (%.2f%% of 10,000)",
			g.cands, calls, minutes, rate, rate/100)
		t.Logf("whole sync: %d records in %d requests; 429s: minute %d, day %d", c.Records, c.Requests, c.Throttled429Minute, c.Throttled429Day)
		if c.Throttled429Minute+c.Throttled429Day != 0 {
			t.Errorf("429s answered")
		}
		if rate < 9900 || rate > 10000 {
			t.Errorf("quota use %.2f%%, want 99%%..100%%", rate/100)
		}
		assertSame(t, g, time.Time{}, e.cust)
	})
}

// ackTransport answers every API call with an empty 200 (the client takes
// it as every record accepted) and stores nothing, so that memory
// measurements see only the engine.
type ackTransport struct{}

func (ackTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Body != nil {
		io.Copy(io.Discard, r.Body)
		r.Body.Close()
	}
	body := ""
	if strings.Contains(r.URL.Path, "accessToken") {
		body = `{"access_token":"t","expires_in":1800}`
	}
	return &http.Response{StatusCode: 200, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

// BenchmarkPeakMemory syncs 100,000 and 1,000,000 generated candidates
// (never materialised) and reports the heap high-water mark, which must
// not grow with the dataset. The 1M case runs only with RSCGO_BENCH_1M=1.
//
//	RSCGO_BENCH_1M=1 go test -run '^$' -bench PeakMemory -benchtime 1x ./sync
func BenchmarkPeakMemory(b *testing.B) {
	for _, n := range []int{100_000, 1_000_000} {
		name := map[int]string{100_000: "100k", 1_000_000: "1M"}[n]
		b.Run(name, func(b *testing.B) {
			if n > 100_000 && os.Getenv("RSCGO_BENCH_1M") == "" {
				b.Skip("set RSCGO_BENCH_1M=1")
			}
			client, err := rsc.NewClient(rsc.WithBaseURL("http://ack.invalid"), rsc.WithTokenURL("http://ack.invalid/oauth/v2/accessToken"),
				rsc.WithTransport(ackTransport{}), rsc.WithCredentials("id", "secret"), rsc.WithLimits(rsc.Limits{Disabled: true}))
			if err != nil {
				b.Fatal(err)
			}
			g := newGen("urn:li:organization:1", time.Now(), 700*24*time.Hour, 0, n, 0, 0)
			var peak uint64
			for b.Loop() {
				runtime.GC()
				stop := sampleHeap(&peak)
				eng, err := NewEngine(client, "bench", g, WithInFlight(4))
				if err != nil {
					b.Fatal(err)
				}
				if _, err := eng.Run(context.Background()); err != nil {
					b.Fatal(err)
				}
				stop()
			}
			b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
			b.ReportMetric(float64(n)/b.Elapsed().Seconds()*float64(b.N), "records/s")
		})
	}
}

// sampleHeap records the live heap's high-water mark every millisecond.
func sampleHeap(peak *uint64) (stop func()) {
	done := make(chan struct{})
	var wg gosync.WaitGroup
	s := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	wg.Go(func() {
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(s)
			if v := s[0].Value.Uint64(); v > *peak {
				*peak = v
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	return func() { close(done); wg.Wait() }
}
