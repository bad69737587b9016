package rscotel_test

import (
	"context"
	"fmt"
	"log"
	"time"

	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	rscotel "github.com/rscgo/rscgo/otel"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// One Instrumentation serves every client and engine of the process: the
// client's hooks and transport feed the rsc.* metrics and the API spans,
// the engine's progress events and Instrumentation.Run the rscsync.* spans
// and metrics. Here the spans and metrics stay in memory (a SpanRecorder
// and a ManualReader); in production give the providers your exporters.
func ExampleNew() {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	in, err := rscotel.New(rscotel.WithTracerProvider(tp), rscotel.WithMeterProvider(mp))
	if err != nil {
		log.Fatal(err)
	}

	srv := rsctest.NewServer(rsctest.WithoutListener()) // the fake LinkedIn
	defer srv.Close()
	cust := srv.AddCustomer(rsctest.CustomerSpec{Organization: "urn:li:organization:42"})
	client, err := srv.CustomerClient(cust, rsc.WithHooks(in.Hooks()), rsc.WithTransport(in.Transport(srv.Transport())))
	if err != nil {
		log.Fatal(err)
	}
	src := rscsync.NewSliceSource()
	now := time.Now()
	for i, email := range []string{"ann@example.com", "not-an-email", "cem@example.com"} {
		// Modified before the sync begins: the historical pass's backlog.
		src.PutCandidates(rscsync.Candidate{ModifiedAt: now.Add(-time.Duration(30-i) * time.Minute), Record: rsc.Candidate{
			Key:       rsc.CandidateKey{IntegrationContext: cust.Organization, CandidateID: fmt.Sprintf("C%d", i+1)},
			FirstName: "Ann", EmailAddresses: []string{email}, ExternalProfileURL: "https://ats.example.com/c/1",
			CreatedAt: rsc.Millis(now.Add(-time.Hour)), LastModifiedAt: rsc.Millis(now.Add(-time.Hour))}})
	}
	eng, err := rscsync.NewEngine(client, "customer-42", src, rscsync.WithProgress(in.Progress(nil)))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := in.Run(context.Background(), eng); err != nil {
		log.Fatal(err)
	}

	for _, s := range spans.Ended() { // in the order they ended, the run last
		fmt.Println("span:", s.Name())
	}
	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		log.Fatal(err)
	}
	records := map[string]int64{} // rscsync.records of the candidates, by outcome
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			if sum, ok := m.Data.(metricdata.Sum[int64]); ok && m.Name == "rscsync.records" {
				for _, dp := range sum.DataPoints {
					if phase, _ := dp.Attributes.Value("rscsync.phase"); phase.AsString() == "Candidate Sync" {
						outcome, _ := dp.Attributes.Value("rscsync.outcome")
						records[outcome.AsString()] += dp.Value
					}
				}
			}
		}
	}
	fmt.Printf("candidates: read %d, sent %d, acknowledged %d, refused %d\n",
		records["read"], records["sent"], records["acknowledged"], records["refused"])
	// Output:
	// span: rscsync.phase Job Sync
	// span: rsc POST accessToken
	// span: rsc batch_update atsCandidates
	// span: rscsync.batch
	// span: rscsync.phase Candidate Sync
	// span: rscsync.phase Application Sync
	// span: rscsync.phase Activity Sync
	// span: rscsync.phase Deletion Sync
	// span: rscsync.run
	// candidates: read 3, sent 3, acknowledged 2, refused 1
}
