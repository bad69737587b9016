package inmail

import (
	"context"
	gosync "sync"
	"testing"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// panicSink panics in its first CreateCandidate calls (a bug in the ATS's
// code), as a caller that recovers (net/http does) would see it.
type panicSink struct {
	*MemorySink
	mu     gosync.Mutex
	panics int
}

func (s *panicSink) CreateCandidate(ctx context.Context, n NewCandidate) (string, error) {
	s.mu.Lock()
	p := s.panics > 0
	s.panics--
	s.mu.Unlock()
	if p {
		panic("sink bug")
	}
	return s.MemorySink.CreateCandidate(ctx, n)
}

// A Sink that panics while an export is matched releases what the export
// held: the next export of another member completes, and the one that
// panicked stays journaled for its retry.
func TestSinkPanicReleasesTheExport(t *testing.T) {
	e := newEnv(t)
	e.r.cfg.Sink = &panicSink{MemorySink: e.sink, panics: 1}
	e.fake.exports["r1"] = []rsc.ExportedCandidate{exportOf("r1", ann, "J1", time.Now())}
	e.fake.exports["r2"] = []rsc.ExportedCandidate{exportOf("r2", bob, "J1", time.Now())}
	if err := e.r.AcceptExport(t.Context(), "r1"); err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() {
			if p := recover(); p != "sink bug" {
				t.Fatalf("recovered %v, want the Sink's panic", p)
			}
		}()
		e.r.HandleExport(t.Context(), "r1")
	}()
	if !e.r.matchMu.TryLock() {
		t.Fatal("the match lock is still held after the Sink's panic")
	}
	e.r.matchMu.Unlock()
	if _, err := e.r.HandleExport(t.Context(), "r2"); err != nil {
		t.Fatalf("r2: %v", err)
	}
	if !e.r.claimExport("r1") {
		t.Fatal("r1 is still claimed after the Sink's panic")
	}
	e.r.releaseExport("r1")
	c, err := e.r.Cursors(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.PendingExports["r1"]; !ok {
		t.Errorf("r1 is no longer journaled: %v", c.PendingExports)
	}
}
