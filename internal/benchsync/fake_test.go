package benchsync

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"runtime"
	"testing"
	"time"
)

// fakeRecords is the dataset the fake ingests per iteration.
const fakeRecords = 20_000

// BenchmarkFakeIngest measures the in-process fake (rsctest) on its own:
// each iteration replays the engine's 200 batch_update calls of 20,000
// candidates, recorded once, into a new fake, one call at a time, and
// checks that it stored every record. records/s and cpu-ns/record are the
// fake's ingest rate and CPU cost (the replay does no encoding);
// stored-B/record is the live heap the stored records hold, after a GC.
//
//	go test -run '^$' -bench FakeIngest -benchtime 5x ./internal/benchsync
func BenchmarkFakeIngest(b *testing.B) {
	ctx := context.Background()
	srv, cu := openFake(b)
	rec := &recorder{rt: srv.Transport()}
	runEngine(ctx, b, newEngineClient(b, rec, srv.URL(), srv.TokenURL(), cu.ClientID, cu.ClientSecret), candidateSource{fakeRecords})
	srv.Close()
	calls := rec.calls // the recording fake is no longer reachable
	if len(calls) != fakeRecords/batchSize {
		b.Fatalf("recorded %d batch calls, want %d", len(calls), fakeRecords/batchSize)
	}
	var cpu, wall time.Duration
	var heap []float64
	for b.Loop() {
		// Each iteration's fake is closed and dropped at its end, so that
		// later iterations do not mark the earlier ones' records.
		srv, cu := openFake(b)
		hc := &http.Client{Transport: srv.Transport()}
		tok, err := fetchToken(ctx, hc, srv.TokenURL(), cu.ClientID, cu.ClientSecret)
		if err != nil {
			b.Fatal(err)
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		before := ms.HeapAlloc
		c0, w0 := processCPU(), time.Now()
		for _, r := range calls {
			req, err := http.NewRequestWithContext(ctx, r.method, r.url, bytes.NewReader(r.body))
			if err != nil {
				b.Fatal(err)
			}
			req.Header = r.header.Clone()
			req.Header.Set("Authorization", "Bearer "+tok)
			resp, err := hc.Do(req)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				b.Fatalf("HTTP %d", resp.StatusCode)
			}
		}
		cpu, wall = cpu+processCPU()-c0, wall+time.Since(w0)
		runtime.GC()
		runtime.ReadMemStats(&ms)
		if got := len(cu.Candidates()); got != fakeRecords {
			b.Fatalf("the fake stored %d of %d", got, fakeRecords)
		}
		heap = append(heap, (float64(ms.HeapAlloc)-float64(before))/fakeRecords)
		runtime.KeepAlive(srv)
		srv.Close()
	}
	n := float64(b.N * fakeRecords)
	b.ReportMetric(n/wall.Seconds(), "records/s")
	b.ReportMetric(float64(cpu)/n, "cpu-ns/record")
	med, _, _ := spread(heap)
	b.ReportMetric(med, "stored-B/record")
}
