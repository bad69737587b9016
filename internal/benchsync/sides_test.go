package benchsync

import (
	"context"
	"net/http"
	"testing"
)

// BenchmarkSyncAllocs syncs the 20,000 candidates of BenchmarkClientCPU
// once per op from one side (engine, hand loop, floor) to the canned
// transport, for -benchmem and profiles of one side: allocs/op and B/op
// are per 20,000 records. Speed is compared by BenchmarkClientCPU's
// same-run ratios, not by this benchmark's ns/op.
//
//	go test -run '^$' -bench SyncAllocs -benchmem ./internal/benchsync
func BenchmarkSyncAllocs(b *testing.B) {
	ctx := context.Background()
	src := candidateSource{cpuRecords}
	b.Run("engine", func(b *testing.B) {
		ct := newCannedTransport(cpuRecords, true)
		client := newEngineClient(b, ct, cannedBase, cannedBase+"/oauth/v2/accessToken", "id", "secret")
		runEngine(ctx, b, client, src) // warm-up: token, pools
		b.ReportAllocs()
		for b.Loop() {
			runEngine(ctx, b, client, src)
		}
	})
	for _, floor := range []bool{false, true} {
		name := map[bool]string{false: "hand", true: "floor"}[floor]
		b.Run(name, func(b *testing.B) {
			ct := newCannedTransport(cpuRecords, true)
			h := &handLoop{hc: &http.Client{Transport: ct}, base: cannedBase, token: "canned-token", inFlight: inFlight, floor: floor}
			run := func() {
				if stored, refused, err := h.run(ctx, src); err != nil || stored != cpuRecords || refused != 0 {
					b.Fatalf("%s: stored %d, refused %d, err %v", name, stored, refused, err)
				}
			}
			run()
			b.ReportAllocs()
			for b.Loop() {
				run()
			}
		})
	}
}
