// Package rscotel records what rscgo's client and sync engine do as
// OpenTelemetry traces and metrics. It lives in its own module
// (github.com/rscgo/rscgo/otel) so that the library's module needs nothing
// of OpenTelemetry.
//
// One Instrumentation serves every client and engine of a process:
//
//	in, err := rscotel.New(rscotel.WithTracerProvider(tp), rscotel.WithMeterProvider(mp))
//	client, err := rsc.NewClient(rsc.WithCredentials(id, secret),
//		rsc.WithHooks(in.Hooks()), rsc.WithTransport(in.Transport(http.DefaultTransport)))
//	stop, err := in.ObserveQuota(customerID, client) // rsc.quota.* gauges
//	eng, err := rscsync.NewEngine(client, customerID, src, rscsync.WithProgress(in.Progress(nil)))
//	report, err := in.Run(ctx, eng)
//	report, err = in.Retry(ctx, eng, deadLetterKeys...) // RetryDeadLetters, traced
//
// # Traces
//
//   - rscsync.run: one Engine.Run (Instrumentation.Run), with the customer.
//
//   - rscsync.phase: one phase of a run, from its first progress event to
//     its completion or catching up (or the run's end), a child of the run.
//
//   - rscsync.batch: one committed batch of a phase, from the phase's
//     previous progress event to this one, with the records it read, sent,
//     acknowledged, refused and skipped.
//
//   - rsc <method> <resource>: one HTTP attempt of an API call (from
//     Transport), with the Rest.li method (batch_update, batch_create, ...
//     or the HTTP method), the resource and the status; a child of the
//     span in the call's context, so under the run when Run drives it.
//
//   - rscsync.retry: one Engine.RetryDeadLetters (Instrumentation.Retry),
//     its phases and batches as for a run.
//
// Phase spans carry events: rscsync.dead_letter for each record refused
// (its kind, field, status and attempts), rscsync.job_task for each job
// task LinkedIn finished (operation, status, latency) and rscsync.waiting
// for each wait the engine announces (what for, until when).
//
// Spans carry no keys, query strings, headers, bodies or refusal reasons:
// no record id, email address, token or secret reaches them.
//
// # Metrics
//
// From the client's hooks: rsc.api.calls (by bucket, HTTP method and
// status), rsc.api.duration, rsc.api.records (records per bucket, every
// attempt: what LinkedIn's per-minute and per-day quotas count),
// rsc.api.retries, rsc.throttled (429s and refusals by bucket, window
// "minute" or "day", and source "linkedin" or "client") and
// rsc.pacer.wait. From progress events: rscsync.phase.rate (records per
// minute) and rscsync.records (records by phase and outcome: read, sent,
// acknowledged, refused, skipped, as the run's report counts them, and
// resent: sent again by a retry or resync), rscsync.dead_letters (records
// refused, by phase, kind and rscsync.again: refused before) and
// rscsync.job_task.latency (from a job task's submission to the poll that
// found it finished, by operation and status). After Run:
// rscsync.watermark.lag (how far each phase's cursor is behind the clock).
// With ObserveQuota: rsc.quota.used and rsc.quota.limit, each client's
// daily quota use by customer, bucket and throttle counter.
package rscotel

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/rscgo/rscgo/internal/option"
	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// scope is the instrumentation scope of every span and instrument.
const scope = "github.com/rscgo/rscgo/otel"

// Instrumentation turns rsc hooks, HTTP attempts, sync progress events and
// sync reports into spans and metrics. It is safe for concurrent use.
type Instrumentation struct {
	tp    trace.TracerProvider
	mp    metric.MeterProvider
	clock rsc.Clock

	tracer trace.Tracer
	meter  metric.Meter
	m      instruments

	mu      sync.Mutex
	runs    map[string]*runState   // by customer id
	counted map[phaseKey]runCounts // each phase's run counts at its last event
}

// runCounts are a run's counts of a phase at its last event.
type runCounts struct {
	runID string // rscsync.Progress.RunID
	rscsync.PhaseReport
}

// Option configures an Instrumentation.
type Option func(*Instrumentation) error

// WithTracerProvider sets where spans go (default: the global provider,
// otel.GetTracerProvider). A nil tp, or a nil *sdktrace.TracerProvider, is
// refused.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return nonNil("WithTracerProvider", "tracer provider", tp, func(in *Instrumentation) { in.tp = tp })
}

// WithMeterProvider sets where metrics go (default: the global provider,
// otel.GetMeterProvider). A nil mp, or a nil *sdkmetric.MeterProvider, is
// refused.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return nonNil("WithMeterProvider", "meter provider", mp, func(in *Instrumentation) { in.mp = mp })
}

// WithClock sets the clock of batch and phase spans and of the watermark
// lag (default rsc.SystemClock()); give the engine's clock. A nil c, or a
// nil *rsctest.FakeClock, is refused.
func WithClock(c rsc.Clock) Option {
	return nonNil("WithClock", "clock", c, func(in *Instrumentation) { in.clock = c })
}

// nonNil is an option that applies set, or fails naming the option and
// what it takes when v is nil: a nil interface, or one holding a nil
// pointer (option.NonNil), which would panic on the first call.
func nonNil(name, what string, v any, set func(*Instrumentation)) Option {
	return option.NonNilSet("rscotel", name, what, v, set)
}

// New returns an Instrumentation. Nil options are skipped.
func New(opts ...Option) (*Instrumentation, error) {
	in := &Instrumentation{runs: map[string]*runState{}, counted: map[phaseKey]runCounts{}}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(in); err != nil {
			return nil, err
		}
	}
	if in.tp == nil {
		in.tp = otel.GetTracerProvider()
	}
	if in.mp == nil {
		in.mp = otel.GetMeterProvider()
	}
	if in.clock == nil {
		in.clock = rsc.SystemClock()
	}
	in.tracer = in.tp.Tracer(scope)
	in.meter = in.mp.Meter(scope)
	m, err := newInstruments(in.meter)
	if err != nil {
		return nil, err
	}
	in.m = m
	return in, nil
}

// ---- the client: hooks and HTTP attempts ----

// Hooks returns the client hooks that feed the rsc.* metrics. Pass them
// with rsc.WithHooks.
func (in *Instrumentation) Hooks() rsc.Hooks {
	return rsc.Hooks{
		OnRequest: func(ri rsc.RequestInfo) {
			if ri.Records > 0 {
				in.m.records.Add(context.Background(), int64(ri.Records), metric.WithAttributes(bucket(ri.Bucket)))
			}
		},
		OnResponse: func(ri rsc.ResponseInfo) {
			attrs := metric.WithAttributes(bucket(ri.Bucket), attribute.String("http.request.method", ri.Method),
				attribute.Int("http.response.status_code", ri.StatusCode))
			in.m.calls.Add(context.Background(), 1, attrs)
			in.m.duration.Record(context.Background(), ri.Duration.Seconds(), metric.WithAttributes(bucket(ri.Bucket)))
		},
		OnRetry: func(ri rsc.RetryInfo) {
			in.m.retries.Add(context.Background(), 1, metric.WithAttributes(attribute.Int("http.response.status_code", ri.StatusCode)))
		},
		OnThrottled: func(ti rsc.ThrottleInfo) {
			window, source := "minute", "linkedin"
			if ti.Daily {
				window = "day"
			}
			if ti.Local {
				source = "client"
			}
			if ti.Local && ti.Wait > 0 {
				in.m.wait.Record(context.Background(), ti.Wait.Seconds(), metric.WithAttributes(bucket(ti.Bucket)))
				return // the pacer waited its turn: nothing was refused
			}
			in.m.throttled.Add(context.Background(), 1, metric.WithAttributes(bucket(ti.Bucket),
				attribute.String("rsc.quota.window", window), attribute.String("rsc.throttle.source", source)))
		},
	}
}

func bucket(b rsc.Bucket) attribute.KeyValue { return attribute.String("rsc.bucket", string(b)) }

// Transport wraps next (the client's transport, such as
// http.DefaultTransport or an rsctest server's) so that every HTTP attempt
// is a span. Pass it with rsc.WithTransport.
func (in *Instrumentation) Transport(next http.RoundTripper) http.RoundTripper {
	return &transport{in: in, next: next}
}

type transport struct {
	in   *Instrumentation
	next http.RoundTripper
}

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	method := req.Header.Get("X-RestLi-Method")
	if method == "" {
		method = req.Header.Get("X-HTTP-Method-Override") // a tunnelled call
	}
	if method == "" {
		method = req.Method
	}
	res := resource(req.URL.Path)
	ctx, span := t.in.tracer.Start(req.Context(), "rsc "+method+" "+res, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("rsc.restli.method", method), attribute.String("rsc.resource", res),
			attribute.String("http.request.method", req.Method)))
	defer span.End()
	// server.address and server.port, as OpenTelemetry's HTTP client
	// conventions require; never the URL, whose query may hold keys.
	if host := req.URL.Hostname(); host != "" {
		span.SetAttributes(attribute.String("server.address", host))
		port := req.URL.Port()
		if port == "" {
			port = map[string]string{"https": "443", "http": "80"}[req.URL.Scheme]
		}
		if n, err := strconv.Atoi(port); err == nil {
			span.SetAttributes(attribute.Int("server.port", n))
		}
	}
	resp, err := t.next.RoundTrip(req.WithContext(ctx))
	switch {
	case err != nil:
		span.SetAttributes(attribute.String("error.type", fmt.Sprintf("%T", err)))
		span.SetStatus(codes.Error, "transport error")
	case resp.StatusCode >= 400:
		span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode),
			attribute.String("error.type", strconv.Itoa(resp.StatusCode)))
		span.SetStatus(codes.Error, strconv.Itoa(resp.StatusCode))
	default:
		span.SetAttributes(attribute.Int("http.response.status_code", resp.StatusCode))
	}
	return resp, err
}

// resource is the resource a path names, without keys or versions:
// "/v2/atsCandidates/(...)" is "atsCandidates".
func resource(path string) string {
	for seg := range strings.SplitSeq(strings.Trim(path, "/"), "/") {
		switch seg {
		case "v2", "rest", "oauth", "":
			continue
		}
		if i := strings.IndexAny(seg, "(=;"); i >= 0 {
			seg = seg[:i]
		}
		return seg
	}
	return "/"
}

// ---- the sync engine: runs, phases and batches ----

// runState is a customer's run in progress: its span's context and each
// open phase span. A state not driven (created by a progress event of a
// run not driven by Run or Retry: a Manager's, a console's retry) has no
// span; it goes once its last phase span ends, and a driven run replaces
// it.
type runState struct {
	ctx    context.Context
	phases map[rscsync.Phase]*phaseState
	driven bool // by drive: it removes the state when f returns
}

type phaseState struct {
	span trace.Span
	ctx  context.Context
	at   time.Time // of the last event (or the phase's start)
}

// phaseKey names a customer's phase.
type phaseKey struct {
	customer string
	phase    rscsync.Phase
}

// Run runs eng under a span, so that the phases, batches and API calls of
// the run are its children, and then records each phase's watermark lag.
func (in *Instrumentation) Run(ctx context.Context, eng *rscsync.Engine) (*rscsync.Report, error) {
	return in.drive(ctx, eng, "rscsync.run", eng.Run)
}

// Retry runs eng.RetryDeadLetters(ctx, keys...) under a span
// ("rscsync.retry"), as Run does for a run.
func (in *Instrumentation) Retry(ctx context.Context, eng *rscsync.Engine, keys ...string) (*rscsync.Report, error) {
	return in.drive(ctx, eng, "rscsync.retry", func(ctx context.Context) (*rscsync.Report, error) {
		return eng.RetryDeadLetters(ctx, keys...)
	})
}

// drive calls f under a span named name, the parent of the phase and batch
// spans of the customer's progress events meanwhile.
func (in *Instrumentation) drive(ctx context.Context, eng *rscsync.Engine, name string,
	f func(context.Context) (*rscsync.Report, error)) (*rscsync.Report, error) {
	cust := eng.CustomerID()
	ctx, span := in.tracer.Start(ctx, name, trace.WithAttributes(attribute.String("rsc.customer", cust)))
	defer span.End()
	in.mu.Lock()
	st := in.runs[cust]
	var stale []*phaseState
	if st != nil && !st.driven {
		// A run not driven by drive left its state (a run that returned
		// with phases open, or one the engine may refuse f for): it is
		// no parent of this run's phases.
		stale = slices.Collect(maps.Values(st.phases))
		st = nil
	}
	mine := st == nil // else the customer runs already: the engine refuses f, and that run keeps its state
	if mine {
		st = &runState{ctx: ctx, phases: map[rscsync.Phase]*phaseState{}, driven: true}
		in.runs[cust] = st
		for k := range in.counted {
			if k.customer == cust {
				delete(in.counted, k) // a new run counts from zero
			}
		}
	}
	in.mu.Unlock()
	for _, ps := range stale {
		ps.span.End(trace.WithTimestamp(in.clock.Now()))
	}
	if mine {
		// Deferred, so that a panic in f (a Source's bug) ends the phase
		// spans too.
		defer func() {
			in.mu.Lock()
			delete(in.runs, cust)
			phases := slices.Collect(maps.Values(st.phases))
			in.mu.Unlock()
			for _, ps := range phases {
				ps.span.End(trace.WithTimestamp(in.clock.Now())) // phases the run left unfinished
			}
		}()
	}

	rep, err := f(ctx)

	if rep != nil {
		span.SetAttributes(attribute.Bool("rscsync.caught_up", rep.CaughtUp), attribute.Bool("rscsync.historical", rep.Historical))
	}
	if state, serr := eng.State(ctx); serr == nil {
		in.recordLag(ctx, state)
	}
	if err != nil {
		// The error's type only: its text may name records (keys, email
		// addresses), which spans do not carry.
		span.SetAttributes(attribute.String("error.type", fmt.Sprintf("%T", err)))
		span.SetStatus(codes.Error, "sync failed")
	}
	return rep, err
}

// recordLag sets rscsync.watermark.lag for each phase with a cursor.
func (in *Instrumentation) recordLag(ctx context.Context, state map[rscsync.Phase]rscsync.PhaseState) {
	now := in.clock.Now()
	for phase, ps := range state {
		if !ps.Cursor.ModifiedAt.IsZero() {
			in.m.lag.Record(ctx, now.Sub(ps.Cursor.ModifiedAt).Seconds(), metric.WithAttributes(phaseAttr(phase)))
		}
	}
}

func phaseAttr(p rscsync.Phase) attribute.KeyValue {
	return attribute.String("rscsync.phase", p.String())
}

// Progress returns an engine progress callback (for rscsync.WithProgress)
// that draws the phase and batch spans and counts the records, then calls
// next (if not nil).
func (in *Instrumentation) Progress(next func(rscsync.Progress)) func(rscsync.Progress) {
	return func(p rscsync.Progress) {
		in.progress(p)
		if next != nil {
			next(p)
		}
	}
}

func (in *Instrumentation) progress(p rscsync.Progress) {
	if in.event(p) { // events without the run's counts
		return
	}
	now := in.clock.Now()
	ctx := context.Background()
	in.m.rate.Record(ctx, p.RecordsPerMinute, metric.WithAttributes(phaseAttr(p.Phase)))
	in.mu.Lock()
	defer in.mu.Unlock()
	moved := in.count(ctx, phaseKey{p.CustomerID, p.Phase}, p.RunID, p.Run)
	st, ps := in.phaseOf(p, now)
	switch p.Kind {
	case rscsync.ProgressBatch:
		_, b := in.tracer.Start(ps.ctx, "rscsync.batch", trace.WithTimestamp(ps.at), trace.WithAttributes(phaseAttr(p.Phase),
			attribute.Int64("rscsync.read", moved.Read), attribute.Int64("rscsync.sent", moved.Sent),
			attribute.Int64("rscsync.acknowledged", moved.Acknowledged), attribute.Int64("rscsync.refused", moved.Refused),
			attribute.Int64("rscsync.skipped", moved.Skipped)))
		b.End(trace.WithTimestamp(now))
	case rscsync.ProgressResent:
		in.m.syncRecords.Add(ctx, p.Resent, metric.WithAttributes(phaseAttr(p.Phase), attribute.String("rscsync.outcome", "resent")))
	case rscsync.ProgressParked:
		ps.span.AddEvent("parked until the daily quota resets", trace.WithTimestamp(now),
			trace.WithAttributes(attribute.String("rscsync.parked_until", p.ParkedUntil.Format(time.RFC3339))))
	case rscsync.ProgressCompleted, rscsync.ProgressCaughtUp:
		ps.span.SetAttributes(attribute.String("rscsync.end", string(p.Kind)), attribute.Int64("rscsync.done", p.Done),
			attribute.Int64("rscsync.dead_lettered", p.DeadLettered), attribute.Int64("rscsync.acknowledged", p.Run.Acknowledged))
		ps.span.End(trace.WithTimestamp(now))
		delete(st.phases, p.Phase)
		if !st.driven && len(st.phases) == 0 {
			delete(in.runs, p.CustomerID) // no drive removes it
		}
		return
	}
	ps.at = now
}

// phaseOf returns the run and the open phase span of p's customer and
// phase, starting the span (and a run without a parent, for a run not
// driven by Run) at now when there is none. in.mu must be held.
func (in *Instrumentation) phaseOf(p rscsync.Progress, now time.Time) (*runState, *phaseState) {
	st := in.runs[p.CustomerID]
	if st == nil { // a run not driven by Run or Retry: spans without a parent, and a state not driven
		st = &runState{ctx: context.Background(), phases: map[rscsync.Phase]*phaseState{}}
		in.runs[p.CustomerID] = st
	}
	ps := st.phases[p.Phase]
	if ps == nil {
		pctx, span := in.tracer.Start(st.ctx, "rscsync.phase "+p.Phase.String(), trace.WithTimestamp(now),
			trace.WithAttributes(phaseAttr(p.Phase), attribute.String("rsc.customer", p.CustomerID)))
		ps = &phaseState{span: span, ctx: pctx, at: now}
		st.phases[p.Phase] = ps
	}
	return st, ps
}

// count adds what a run's counts moved since the phase's last event to
// rscsync.records and returns it. An event of another run (its RunID), or
// with counts lower than the last ones, starts from zero: runs the
// Instrumentation does not drive (a Manager's, a fleet worker's) follow
// one another with nothing else to tell them apart.
func (in *Instrumentation) count(ctx context.Context, k phaseKey, runID string, run rscsync.PhaseReport) rscsync.PhaseReport {
	prev := in.counted[k]
	last := prev.PhaseReport
	if prev.runID != runID || run.Read < last.Read || run.Sent < last.Sent || run.Refused < last.Refused || run.Skipped < last.Skipped {
		last = rscsync.PhaseReport{}
	}
	in.counted[k] = runCounts{runID: runID, PhaseReport: run}
	moved := rscsync.PhaseReport{Read: run.Read - last.Read, Sent: run.Sent - last.Sent,
		Acknowledged: run.Acknowledged - last.Acknowledged, Refused: run.Refused - last.Refused, Skipped: run.Skipped - last.Skipped}
	for _, c := range []struct {
		outcome string
		n       int64
	}{{"read", moved.Read}, {"sent", moved.Sent}, {"acknowledged", moved.Acknowledged}, {"refused", moved.Refused}, {"skipped", moved.Skipped}} {
		if c.n > 0 {
			in.m.syncRecords.Add(ctx, c.n, metric.WithAttributes(phaseAttr(k.phase), attribute.String("rscsync.outcome", c.outcome)))
		}
	}
	return moved
}

// ---- instruments ----

type instruments struct {
	calls, records, retries, throttled metric.Int64Counter
	duration, wait                     metric.Float64Histogram
	syncRecords                        metric.Int64Counter
	rate, lag                          metric.Float64Gauge
	deadLetters                        metric.Int64Counter
	taskLatency                        metric.Float64Histogram
	quotaUsed, quotaLimit              metric.Int64ObservableGauge
}

func newInstruments(m metric.Meter) (instruments, error) {
	var in instruments
	var errs []error
	counter := func(name, unit, desc string) metric.Int64Counter {
		c, err := m.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return c
	}
	histogram := func(name, desc string) metric.Float64Histogram {
		h, err := m.Float64Histogram(name, metric.WithUnit("s"), metric.WithDescription(desc))
		errs = append(errs, err)
		return h
	}
	gauge := func(name, unit, desc string) metric.Float64Gauge {
		g, err := m.Float64Gauge(name, metric.WithUnit(unit), metric.WithDescription(desc))
		errs = append(errs, err)
		return g
	}
	in.calls = counter("rsc.api.calls", "{call}", "HTTP attempts of API calls, by bucket, method and status")
	in.records = counter("rsc.api.records", "{record}", "records sent per quota bucket, every attempt (what LinkedIn's quotas count)")
	in.retries = counter("rsc.api.retries", "{retry}", "retried attempts, by status (0: transport error)")
	in.throttled = counter("rsc.throttled", "{refusal}", "429s from LinkedIn and client-side refusals, by bucket, window and source")
	in.duration = histogram("rsc.api.duration", "duration of one HTTP attempt")
	in.wait = histogram("rsc.pacer.wait", "time the client's pacer waited for quota before a request")
	in.syncRecords = counter("rscsync.records", "{record}", "sync records by phase and outcome (read, sent, acknowledged, refused, skipped; resent: sent again by a retry)")
	in.rate = gauge("rscsync.phase.rate", "{record}/min", "a phase's records per minute in the current run")
	in.lag = gauge("rscsync.watermark.lag", "s", "how far a phase's cursor is behind the clock after a run")
	in.deadLetters = counter("rscsync.dead_letters", "{record}", "records refused and dead-lettered, by phase, kind and whether refused again")
	in.taskLatency = histogram("rscsync.job_task.latency", "time from a job task's submission to the poll that found it finished, by operation and status")
	observable := func(name, desc string) metric.Int64ObservableGauge {
		g, err := m.Int64ObservableGauge(name, metric.WithUnit("{request}"), metric.WithDescription(desc))
		errs = append(errs, err)
		return g
	}
	in.quotaUsed = observable("rsc.quota.used", "requests sent today per throttle counter (ObserveQuota)")
	in.quotaLimit = observable("rsc.quota.limit", "the daily limit per throttle counter (ObserveQuota); absent when unlimited")
	return in, errors.Join(errs...)
}
