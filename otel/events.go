package rscotel

import (
	"context"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	rscsync "github.com/rscgo/rscgo/sync"
)

// event turns the progress events that carry no counts of the run
// (refusals, finished job tasks, waits) into metrics and span events, and
// reports whether p was one of them.
func (in *Instrumentation) event(p rscsync.Progress) bool {
	ctx := context.Background()
	var name string
	var attrs []attribute.KeyValue
	switch {
	case p.Kind == rscsync.ProgressDeadLetter && p.DeadLetter != nil:
		d := p.DeadLetter
		in.m.deadLetters.Add(ctx, 1, metric.WithAttributes(phaseAttr(p.Phase), attribute.String("rscsync.kind", string(d.Kind)),
			attribute.Bool("rscsync.again", d.Attempts > 1)))
		name, attrs = "rscsync.dead_letter", []attribute.KeyValue{attribute.String("rscsync.kind", string(d.Kind)),
			attribute.String("rscsync.field", d.Field), attribute.Int("rscsync.status", d.Status), attribute.Int("rscsync.attempts", d.Attempts)}
	case p.Kind == rscsync.ProgressJobTask && p.JobTask != nil:
		jt := p.JobTask
		op, status := attribute.String("rscsync.job_task.operation", jt.Op), attribute.String("rscsync.job_task.status", jt.Status)
		in.m.taskLatency.Record(ctx, jt.Latency.Seconds(), metric.WithAttributes(op, status))
		name, attrs = "rscsync.job_task", []attribute.KeyValue{op, status, attribute.Float64("rscsync.job_task.latency", jt.Latency.Seconds())}
	case p.Kind == rscsync.ProgressWaiting:
		name, attrs = "rscsync.waiting", []attribute.KeyValue{attribute.String("rscsync.waiting_for", p.Waiting),
			attribute.String("rscsync.wait_until", p.WaitUntil.UTC().Format(time.RFC3339Nano))}
	default:
		return false
	}
	now := in.clock.Now()
	in.mu.Lock()
	defer in.mu.Unlock()
	_, ps := in.phaseOf(p, now)
	ps.span.AddEvent(name, trace.WithTimestamp(now), trace.WithAttributes(attrs...))
	return true
}
