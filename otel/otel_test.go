package rscotel_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	rscotel "github.com/rscgo/rscgo/otel"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// telemetry is an Instrumentation whose spans and metrics stay in memory.
type telemetry struct {
	in     *rscotel.Instrumentation
	spans  *tracetest.SpanRecorder
	reader *sdkmetric.ManualReader
	tp     *sdktrace.TracerProvider
}

func newTelemetry(t *testing.T) *telemetry {
	t.Helper()
	tel := &telemetry{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	tel.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(tel.spans))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(tel.reader))
	in, err := rscotel.New(rscotel.WithTracerProvider(tel.tp), rscotel.WithMeterProvider(mp))
	if err != nil {
		t.Fatal(err)
	}
	tel.in = in
	return tel
}

// sums returns every data point of the named Int64 sum (counter), keyed by
// its attributes ("k=v,k=v").
func (tel *telemetry) sums(t *testing.T, name string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, m := range tel.metrics(t) {
		if m.Name != name {
			continue
		}
		sum, ok := m.Data.(metricdata.Sum[int64])
		if !ok {
			t.Fatalf("%s is %T, want an int64 sum", name, m.Data)
		}
		for _, dp := range sum.DataPoints {
			out[attrs(dp.Attributes.ToSlice())] += dp.Value
		}
	}
	return out
}

// gauges returns every data point of the named Int64 gauge, keyed by its
// attributes.
func (tel *telemetry) gauges(t *testing.T, name string) map[string]int64 {
	t.Helper()
	out := map[string]int64{}
	for _, m := range tel.metrics(t) {
		if g, ok := m.Data.(metricdata.Gauge[int64]); ok && m.Name == name {
			for _, dp := range g.DataPoints {
				out[attrs(dp.Attributes.ToSlice())] = dp.Value
			}
		}
	}
	return out
}

// wantSums checks every data point of the named counter.
func (tel *telemetry) wantSums(t *testing.T, name string, want map[string]int64) {
	t.Helper()
	if diff := cmp.Diff(want, tel.sums(t, name)); diff != "" {
		t.Errorf("%s (-want +got):\n%s", name, diff)
	}
}

func (tel *telemetry) metrics(t *testing.T) []metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := tel.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	var out []metricdata.Metrics
	for _, sm := range rm.ScopeMetrics {
		out = append(out, sm.Metrics...)
	}
	return out
}

func attrs(kvs []attribute.KeyValue) string {
	var s []string
	for _, kv := range kvs {
		s = append(s, string(kv.Key)+"="+kv.Value.String())
	}
	return strings.Join(s, ",")
}

func attr(s sdktrace.ReadOnlySpan, key string) string {
	for _, kv := range s.Attributes() {
		if string(kv.Key) == key {
			return kv.Value.String()
		}
	}
	return ""
}

// A full sync against the fake LinkedIn, instrumented: the run, its phases,
// their batches and the API calls are spans of one trace; the client's and
// the report's counts are metrics.
func TestFullSyncTelemetry(t *testing.T) {
	tel := newTelemetry(t)
	cust, client, src, now := tel.withJob(t)
	for i := range 250 {
		email := fmt.Sprintf("c%d@example.com", i)
		if i == 7 {
			email = "not-an-email" // refused
		}
		src.PutCandidates(rscsync.Candidate{ModifiedAt: now.Add(-time.Duration(300-i) * time.Second), Record: rsc.Candidate{
			Key:       rsc.CandidateKey{IntegrationContext: cust.Organization, CandidateID: fmt.Sprintf("C%03d", i)},
			FirstName: "Ann", EmailAddresses: []string{email}, ExternalProfileURL: "https://ats.example.com/c",
			CreatedAt: rsc.Millis(now.Add(-time.Hour)), LastModifiedAt: rsc.Millis(now.Add(-time.Hour))}})
	}
	eng, err := rscsync.NewEngine(client, "customer-42", src, rscsync.WithProgress(tel.in.Progress(nil)),
		rscsync.WithTaskPollInterval(time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tel.in.Run(context.Background(), eng); err != nil {
		t.Fatal(err)
	}

	// Traces.
	spans := tel.spans.Ended()
	byName := map[string][]sdktrace.ReadOnlySpan{}
	for _, s := range spans {
		byName[s.Name()] = append(byName[s.Name()], s)
	}
	runs := byName["rscsync.run"]
	if len(runs) != 1 {
		t.Fatalf("%d run spans, want 1; spans: %v", len(runs), names(spans))
	}
	run := runs[0].SpanContext()
	for _, s := range spans {
		if s.SpanContext().TraceID() != run.TraceID() {
			t.Errorf("span %q is outside the run's trace", s.Name())
		}
	}
	cands := byName["rscsync.phase Candidate Sync"]
	if len(cands) != 1 || cands[0].Parent().SpanID() != run.SpanID() || attr(cands[0], "rscsync.done") != "250" ||
		attr(cands[0], "rscsync.dead_lettered") != "1" || attr(cands[0], "rscsync.end") != "completed" {
		t.Fatalf("candidate phase spans %v, want one completed child of the run with 250 done and 1 dead-lettered", cands)
	}
	var batched int64
	for _, b := range byName["rscsync.batch"] {
		if b.Parent().SpanID() == cands[0].SpanContext().SpanID() {
			var n int64
			fmt.Sscan(attr(b, "rscsync.read"), &n)
			batched += n
		}
	}
	if batched != 250 {
		t.Errorf("the candidate phase's batch spans read %d records, want 250", batched)
	}
	var updates []string
	for _, s := range byName["rsc batch_update atsCandidates"] {
		if s.Parent().SpanID() != run.SpanID() || s.SpanKind() != trace.SpanKindClient {
			t.Errorf("API span %q: parent %v, kind %v; want a client span under the run", s.Name(), s.Parent().SpanID(), s.SpanKind())
		}
		updates = append(updates, attr(s, "http.response.status_code"))
	}
	if len(updates) < 3 || slices.ContainsFunc(updates, func(c string) bool { return c != "200" }) {
		t.Errorf("batch_update spans with statuses %v, want 3 or more, all 200", updates)
	}
	if len(byName["rsc batch_create simpleJobPostings"]) != 1 {
		t.Errorf("spans %v, want one batch_create of simpleJobPostings", names(spans))
	}
	for _, s := range spans {
		for _, kv := range s.Attributes() {
			if v := kv.Value.String(); strings.Contains(v, "@example.com") || strings.Contains(v, "C00") || strings.Contains(v, "Bearer") {
				t.Errorf("span %q carries %s=%q: no keys, emails or tokens in spans", s.Name(), kv.Key, v)
			}
		}
	}

	checkFullSyncMetrics(t, tel)
}

// checkFullSyncMetrics checks the metrics of TestFullSyncTelemetry: the
// client's and the report's counts.
func checkFullSyncMetrics(t *testing.T, tel *telemetry) {
	t.Helper()
	tel.wantSums(t, "rscsync.records", map[string]int64{
		"rscsync.outcome=acknowledged,rscsync.phase=Job Sync":       1,
		"rscsync.outcome=read,rscsync.phase=Job Sync":               1,
		"rscsync.outcome=sent,rscsync.phase=Job Sync":               1,
		"rscsync.outcome=acknowledged,rscsync.phase=Candidate Sync": 249,
		"rscsync.outcome=read,rscsync.phase=Candidate Sync":         250,
		"rscsync.outcome=refused,rscsync.phase=Candidate Sync":      1,
		"rscsync.outcome=sent,rscsync.phase=Candidate Sync":         250,
	})
	if got := tel.sums(t, "rsc.api.records")["rsc.bucket=sync"]; got != 249 {
		t.Errorf("rsc.api.records for the sync bucket = %d, want the 249 valid candidates", got)
	}
	calls := tel.sums(t, "rsc.api.calls")
	if calls["http.request.method=PUT,http.response.status_code=200,rsc.bucket=sync"] < 3 {
		t.Errorf("rsc.api.calls %v, want 3 or more sync PUTs (batch_update) answered 200", calls)
	}
	seen := map[string]bool{}
	for _, m := range tel.metrics(t) {
		seen[m.Name] = true
	}
	for _, name := range []string{"rsc.api.duration", "rscsync.phase.rate", "rscsync.watermark.lag"} {
		if !seen[name] {
			t.Errorf("no %s recorded", name)
		}
	}
}

// withJob starts a fake LinkedIn (opts added) with one customer, returns
// its instrumented client and a Source holding one job, J1, modified an
// hour before now.
func (tel *telemetry) withJob(t *testing.T, opts ...rsctest.Option) (*rsctest.Customer, *rsc.Client, *rscsync.SliceSource, time.Time) {
	t.Helper()
	srv := rsctest.NewServer(append([]rsctest.Option{rsctest.WithoutListener()}, opts...)...)
	t.Cleanup(srv.Close)
	cust := srv.AddCustomer(rsctest.CustomerSpec{Organization: "urn:li:organization:42"})
	client, err := srv.CustomerClient(cust, rsc.WithHooks(tel.in.Hooks()), rsc.WithTransport(tel.in.Transport(srv.Transport())))
	if err != nil {
		t.Fatal(err)
	}
	src, now := rscsync.NewSliceSource(), time.Now()
	src.PutJobs(rscsync.Job{ModifiedAt: now.Add(-time.Hour), Posting: rsc.JobPosting{
		ExternalJobPostingID: "J1", IntegrationContext: cust.Organization, CompanyApplyURL: "https://ats.example.com/apply/J1",
		Title: "Backend engineer", Description: strings.Repeat("Build the sync engine. ", 6),
		ListedAt: rsc.Millis(now.Add(-2 * time.Hour)), Location: "Paris, France", PosterEmail: "recruiter@example.com", Availability: rsc.AvailabilityPrivate}})
	return cust, client, src, now
}

func names(spans []sdktrace.ReadOnlySpan) []string {
	var out []string
	for _, s := range spans {
		out = append(out, s.Name())
	}
	return out
}

// 429s are counted by bucket, window and source; a pacer's wait is a wait,
// not a refusal.
func TestThrottledKinds(t *testing.T) {
	tel := newTelemetry(t)
	h := tel.in.Hooks()
	for _, ti := range []rsc.ThrottleInfo{
		{Bucket: rsc.BucketSync},                           // LinkedIn's per-minute 429
		{Bucket: rsc.BucketSync},                           // again
		{Bucket: rsc.BucketJobs, Daily: true},              // LinkedIn's daily 429
		{Bucket: rsc.BucketSync, Daily: true, Local: true}, // the client refuses: the day is spent
		{Bucket: rsc.BucketSync, Local: true, Wait: time.Second},
	} {
		h.OnThrottled(ti)
	}
	want := map[string]int64{
		"rsc.bucket=sync,rsc.quota.window=minute,rsc.throttle.source=linkedin": 2,
		"rsc.bucket=jobs,rsc.quota.window=day,rsc.throttle.source=linkedin":    1,
		"rsc.bucket=sync,rsc.quota.window=day,rsc.throttle.source=client":      1,
	}
	if diff := cmp.Diff(want, tel.sums(t, "rsc.throttled")); diff != "" {
		t.Errorf("rsc.throttled (-want +got):\n%s", diff)
	}
}

// A nil provider or clock is refused, typed nils too (they would panic at
// first use), and a nil option is skipped.
func TestOptionsRefuseNil(t *testing.T) {
	for _, tc := range []struct {
		name string
		opt  rscotel.Option
		want string // error; "" for none
	}{
		{"nil option", nil, ""},
		{"nil tracer provider", rscotel.WithTracerProvider(nil), "rscotel: WithTracerProvider: nil tracer provider"},
		{"typed nil tracer provider", rscotel.WithTracerProvider((*sdktrace.TracerProvider)(nil)), "rscotel: WithTracerProvider: nil tracer provider"},
		{"nil meter provider", rscotel.WithMeterProvider(nil), "rscotel: WithMeterProvider: nil meter provider"},
		{"typed nil meter provider", rscotel.WithMeterProvider((*sdkmetric.MeterProvider)(nil)), "rscotel: WithMeterProvider: nil meter provider"},
		{"nil clock", rscotel.WithClock(nil), "rscotel: WithClock: nil clock"},
		{"typed nil clock", rscotel.WithClock((*rsctest.FakeClock)(nil)), "rscotel: WithClock: nil clock"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			in, err := rscotel.New(tc.opt)
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Fatalf("New error (-want +got):\n%s", diff)
			}
			if (in == nil) != (tc.want != "") {
				t.Errorf("New = %v, %v", in, err)
			}
		})
	}
}

// roundTripFunc is an http.RoundTripper calling itself.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// A client span carries server.address and server.port, as OpenTelemetry's
// HTTP client conventions require, and error.type when the attempt failed:
// the status code for a status of 400 or more, the error's type for a
// transport error. Never the URL, whose query may hold keys.
func TestClientSpanConventions(t *testing.T) {
	answer := func(status int) roundTripFunc {
		return func(r *http.Request) (*http.Response, error) {
			return &http.Response{StatusCode: status, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
		}
	}
	for _, tc := range []struct {
		name, url string
		next      roundTripFunc
		want      map[string]string
	}{
		{"ok", "https://api.linkedin.com/rest/atsCandidates?ids=List(x)", answer(200),
			map[string]string{"server.address": "api.linkedin.com", "server.port": "443", "http.response.status_code": "200", "error.type": ""}},
		{"503", "https://api.linkedin.com/v2/atsCandidates", answer(503),
			map[string]string{"server.address": "api.linkedin.com", "server.port": "443", "http.response.status_code": "503", "error.type": "503"}},
		{"transport error, own port", "http://127.0.0.1:8080/v2/atsCandidates",
			func(*http.Request) (*http.Response, error) { return nil, errors.New("connection reset") },
			map[string]string{"server.address": "127.0.0.1", "server.port": "8080", "http.response.status_code": "", "error.type": "*errors.errorString"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tel := newTelemetry(t)
			req := httptest.NewRequest(http.MethodGet, tc.url, nil)
			if res, err := tel.in.Transport(tc.next).RoundTrip(req); err == nil {
				res.Body.Close()
			}
			spans := tel.spans.Ended()
			if len(spans) != 1 {
				t.Fatalf("%d spans, want 1", len(spans))
			}
			got := map[string]string{}
			for k := range tc.want {
				got[k] = attr(spans[0], k)
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("attributes (-want +got):\n%s", d)
			}
			if a := attrs(spans[0].Attributes()); strings.Contains(a, "ids=") || strings.Contains(a, "atsCandidates?") {
				t.Errorf("a span attribute holds the URL: %s", a)
			}
		})
	}
}
