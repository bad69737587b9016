package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	promexporter "go.opentelemetry.io/otel/exporters/prometheus"
	"go.opentelemetry.io/otel/exporters/stdout/stdoutmetric"
	"go.opentelemetry.io/otel/exporters/stdout/stdouttrace"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	rscotel "github.com/rscgo/rscgo/otel"
	"github.com/rscgo/rscgo/rsc"
)

// Telemetry is the demo's OpenTelemetry (package rscotel over the
// OpenTelemetry SDK): the client's calls and the sync's progress as
// metrics, served in Prometheus's text format by Metrics, and, when asked,
// traces and metrics written to a writer as JSON lines.
type Telemetry struct {
	in       *rscotel.Instrumentation
	metrics  http.Handler
	shutdown []func(context.Context) error
}

// NewTelemetry returns the demo's telemetry. Metrics are read by a
// Prometheus exporter on a registry of its own (not Prometheus's global
// one). With out not nil, spans and metrics (every 10 seconds and at
// Shutdown) are also written to out, one JSON document each.
func NewTelemetry(out io.Writer) (*Telemetry, error) {
	reg := prometheus.NewRegistry()
	prom, err := promexporter.New(promexporter.WithRegisterer(reg))
	if err != nil {
		return nil, fmt.Errorf("demo: Prometheus exporter: %w", err)
	}
	mopts := []sdkmetric.Option{sdkmetric.WithReader(prom)}
	var topts []sdktrace.TracerProviderOption
	if out != nil {
		mexp, err := stdoutmetric.New(stdoutmetric.WithWriter(out))
		if err != nil {
			return nil, err
		}
		texp, err := stdouttrace.New(stdouttrace.WithWriter(out))
		if err != nil {
			return nil, err
		}
		mopts = append(mopts, sdkmetric.WithReader(sdkmetric.NewPeriodicReader(mexp)))
		topts = append(topts, sdktrace.WithBatcher(texp))
	}
	mp := sdkmetric.NewMeterProvider(mopts...)
	tp := sdktrace.NewTracerProvider(topts...)
	in, err := rscotel.New(rscotel.WithMeterProvider(mp), rscotel.WithTracerProvider(tp))
	if err != nil {
		return nil, err
	}
	return &Telemetry{in: in, metrics: promhttp.HandlerFor(reg, promhttp.HandlerOpts{}),
		shutdown: []func(context.Context) error{tp.Shutdown, mp.Shutdown}}, nil
}

// Metrics serves the metrics in Prometheus's text format (GET /metrics).
func (t *Telemetry) Metrics() http.Handler { return t.metrics }

// Instrumentation returns what feeds the telemetry: give its Hooks and
// Transport to every client, its Progress to every engine, and run the
// engines through its Run.
func (t *Telemetry) Instrumentation() *rscotel.Instrumentation { return t.in }

// Shutdown flushes what is buffered (spans, the last metrics) and stops
// the exporters.
func (t *Telemetry) Shutdown(ctx context.Context) error {
	var errs []error
	for _, f := range t.shutdown {
		errs = append(errs, f(ctx))
	}
	return errors.Join(errs...)
}

// clientOptions are the options that instrument a client: hooks, and the
// transport next wrapped to draw a span per HTTP attempt. Without
// telemetry, next alone.
func (t *Telemetry) clientOptions(next http.RoundTripper) []rsc.Option {
	if t == nil {
		return []rsc.Option{rsc.WithTransport(next)}
	}
	return []rsc.Option{rsc.WithHooks(t.in.Hooks()), rsc.WithTransport(t.in.Transport(next))}
}
