package rscotel_test

import (
	"context"
	"iter"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	rscsync "github.com/rscgo/rscgo/sync"
)

// unended lists the spans started and not ended.
func unended(tel *telemetry) []string {
	ended := map[[8]byte]bool{}
	for _, s := range tel.spans.Ended() {
		ended[s.SpanContext().SpanID()] = true
	}
	var out []string
	for _, s := range tel.spans.Started() {
		if !ended[s.SpanContext().SpanID()] {
			out = append(out, s.Name())
		}
	}
	return out
}

// panicky is a Source whose candidate stream panics, once armed, after the
// first batch was sent: a bug in the ATS's adapter.
type panicky struct {
	*rscsync.SliceSource
	armed   atomic.Bool
	batched atomic.Bool // a batch of candidates was committed
}

func (p *panicky) Candidates(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Candidate, error] {
	inner := p.SliceSource.Candidates(ctx, since)
	return func(yield func(rscsync.Candidate, error) bool) {
		n := 0
		for c, err := range inner {
			if n++; p.batched.Load() && p.armed.Load() {
				panic("bug in the ATS source")
			}
			if !yield(c, err) {
				return
			}
		}
	}
}

// A run that panics (a Source's bug, which a Manager recovers) ends its
// phase spans on the way out, as a run that returns does.
func TestPhaseSpansEndWhenTheRunPanics(t *testing.T) {
	tel := newTelemetry(t)
	cust, client, slice, now := tel.withJob(t)
	for i := range 1000 {
		slice.PutCandidates(candidate(cust.Organization, i, true, now.Add(-time.Hour)))
	}
	src := &panicky{SliceSource: slice}
	src.armed.Store(true)
	eng, err := rscsync.NewEngine(client, "customer-42", src, rscsync.WithProgress(tel.in.Progress(func(p rscsync.Progress) {
		if p.Kind == rscsync.ProgressBatch && p.Phase == rscsync.PhaseCandidates {
			src.batched.Store(true)
		}
	})))
	if err != nil {
		t.Fatal(err)
	}
	func() {
		defer func() {
			if p := recover(); p == nil {
				t.Fatal("the source did not panic")
			}
		}()
		tel.in.Run(context.Background(), eng)
	}()
	src.armed.Store(false)
	if _, err := tel.in.Run(context.Background(), eng); err != nil { // the next run of the customer
		t.Fatal(err)
	}
	if open := unended(tel); len(open) > 0 {
		t.Errorf("spans never ended after a panicking run and a clean one: %v", open)
	}
}

// A second Run of a customer while one is in progress is refused by the
// engine ("already running"), but it steals the first run's state: the
// first run's phase span is never ended and its records are counted twice.
// A second run of a customer that runs already, which the engine refuses,
// leaves the first run's spans and counts alone: its phase span ends, and
// its records are counted once.
func TestRefusedSecondRunLeavesTheFirstAlone(t *testing.T) {
	tel := newTelemetry(t)
	cust, client, src, now := tel.withJob(t)
	for i := range 250 {
		src.PutCandidates(candidate(cust.Organization, i, true, now.Add(-time.Hour)))
	}
	inBatch, release := make(chan struct{}), make(chan struct{})
	var once atomic.Bool
	next := func(p rscsync.Progress) {
		if p.Kind == rscsync.ProgressBatch && p.Phase == rscsync.PhaseCandidates && once.CompareAndSwap(false, true) {
			close(inBatch)
			<-release
		}
	}
	eng, err := rscsync.NewEngine(client, "customer-42", src, rscsync.WithProgress(tel.in.Progress(next)))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error)
	go func() { _, err := tel.in.Run(context.Background(), eng); done <- err }()
	<-inBatch
	if _, err := tel.in.Run(context.Background(), eng); err == nil {
		t.Fatal("a second run of the customer was not refused")
	} else {
		t.Logf("second run refused: %v", err)
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if open := unended(tel); len(open) > 0 {
		t.Errorf("spans never ended: %v", open)
	}
	got := tel.sums(t, "rscsync.records")["rscsync.outcome=read,rscsync.phase=Candidate Sync"]
	if got != 250 {
		t.Errorf("rscsync.records read for Candidate Sync = %d, want the run's 250", got)
	}
}

// A customer's run not driven by Run (a Manager's Engine.Run, a console's
// RetryDeadLetters) leaves no state behind: the phases of a later Run of
// the customer are children of its rscsync.run span, the phase spans the
// other run left open are ended, and the later run counts from zero.
func TestRunAfterUndrivenRun(t *testing.T) {
	for _, tc := range []struct {
		name     string
		undriven func(t *testing.T, tel *telemetry, eng *rscsync.Engine)
		wantRead int64 // rscsync.records read for Candidate Sync, both runs
	}{
		{"engine run", func(t *testing.T, tel *telemetry, eng *rscsync.Engine) {
			if _, err := eng.Run(context.Background()); err != nil {
				t.Fatal(err)
			}
		}, 20},
		{"phase left open", func(t *testing.T, tel *telemetry, eng *rscsync.Engine) {
			tel.in.Progress(nil)(rscsync.Progress{Kind: rscsync.ProgressBatch, CustomerID: eng.CustomerID(),
				Phase: rscsync.PhaseCandidates, Run: rscsync.PhaseReport{Read: 5}})
		}, 15},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tel := newTelemetry(t)
			cust, client, src, now := tel.withJob(t)
			eng, err := rscsync.NewEngine(client, "customer-42", src, rscsync.WithProgress(tel.in.Progress(nil)))
			if err != nil {
				t.Fatal(err)
			}
			if tc.name == "engine run" {
				for i := range 10 {
					src.PutCandidates(candidate(cust.Organization, i, true, now.Add(-time.Hour)))
				}
			}
			tc.undriven(t, tel, eng)
			before := len(tel.spans.Ended())
			for i := 10; i < 20; i++ {
				src.PutCandidates(candidate(cust.Organization, i, true, now.Add(-time.Minute)))
			}
			if _, err := tel.in.Run(context.Background(), eng); err != nil {
				t.Fatal(err)
			}
			var run sdktrace.ReadOnlySpan
			for _, s := range tel.spans.Ended()[before:] {
				if s.Name() == "rscsync.run" {
					run = s
				}
			}
			var orphans, phases []string
			for _, s := range tel.spans.Ended()[before:] {
				// The Run's phases: not one the other run left open.
				if strings.HasPrefix(s.Name(), "rscsync.phase ") && !s.StartTime().Before(run.StartTime()) {
					phases = append(phases, s.Name())
					if s.Parent().SpanID() != run.SpanContext().SpanID() {
						orphans = append(orphans, s.Name())
					}
				}
			}
			if len(phases) == 0 {
				t.Fatal("the Run drew no phase spans")
			}
			if d := cmp.Diff([]string(nil), orphans); d != "" {
				t.Errorf("phase spans of the Run not under its rscsync.run span (-want +got):\n%s", d)
			}
			if d := cmp.Diff([]string(nil), unended(tel)); d != "" {
				t.Errorf("spans never ended (-want +got):\n%s", d)
			}
			got := tel.sums(t, "rscsync.records")["rscsync.outcome=read,rscsync.phase=Candidate Sync"]
			if d := cmp.Diff(tc.wantRead, got); d != "" {
				t.Errorf("rscsync.records read for Candidate Sync (-want +got):\n%s", d)
			}
		})
	}
}

// Runs the Instrumentation does not drive (a Manager's, a fleet worker's)
// follow one another: rscsync.records adds up to their reports' counts,
// though the second run's counts pass the first's before its first event.
func TestUndrivenRunsAddUp(t *testing.T) {
	tel := newTelemetry(t)
	cust, client, src, now := tel.withJob(t)
	eng, err := rscsync.NewEngine(client, "customer-42", src, rscsync.WithProgress(tel.in.Progress(nil)))
	if err != nil {
		t.Fatal(err)
	}
	var read int64
	for i, n := range []int{10, 20} {
		for j := range n {
			src.PutCandidates(candidate(cust.Organization, 100*i+j, true, now.Add(-time.Duration(2-i)*time.Hour)))
		}
		rep, err := eng.Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		read += rep.Phases[rscsync.PhaseCandidates].Read
	}
	if got := tel.sums(t, "rscsync.records")["rscsync.outcome=read,rscsync.phase=Candidate Sync"]; got != 30 || read != 30 {
		t.Errorf("rscsync.records read for Candidate Sync = %d, the reports read %d; want 30", got, read)
	}
}
