package restli

import (
	"strconv"
	"testing"
)

func benchmarkKeys(n int) []Key {
	keys := make([]Key, n)
	for i := range keys {
		keys[i] = candidateKey("CAND-"+strconv.Itoa(100000+i), "1234567")
	}
	return keys
}

// BenchmarkEncodeBatchIDs100 encodes a full batch of 100 candidate keys.
func BenchmarkEncodeBatchIDs100(b *testing.B) {
	keys := benchmarkKeys(100)
	for _, p := range protocols {
		b.Run("P"+strconv.Itoa(int(p)), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				_ = EncodeBatchIDs(p, keys)
			}
		})
	}
}

// BenchmarkParseQuery100 parses what BenchmarkEncodeBatchIDs100 encodes.
func BenchmarkParseQuery100(b *testing.B) {
	keys := benchmarkKeys(100)
	for _, p := range protocols {
		raw := EncodeBatchIDs(p, keys)
		b.Run("P"+strconv.Itoa(int(p)), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := ParseQuery(raw); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestEncodeBatchIDsAllocs(t *testing.T) {
	keys := benchmarkKeys(100)
	for _, p := range protocols {
		if n := testing.AllocsPerRun(20, func() { _ = EncodeBatchIDs(p, keys) }); n > 1 {
			t.Errorf("protocol %d: %v allocations, want 1", p, n)
		}
	}
}

// BenchmarkTunnel100 tunnels a batch_update of 100 candidate keys with a
// JSON body of about 300 bytes a record, as the SDK sends every full batch.
func BenchmarkTunnel100(b *testing.B) {
	keys := benchmarkKeys(100)
	q := EncodeBatchIDs(Protocol1, keys)
	var body []byte
	body = append(body, `{"entities":{`...)
	for i, k := range keys {
		if i > 0 {
			body = append(body, ',')
		}
		body = strconv.AppendQuote(body, EncodeKeyBody(Protocol1, k))
		body = append(body, `:{"firstName":"Ann","lastName":"Lee","emailAddresses":["ann.lee@example.com"],"phoneNumbers":[],"addresses":[],"currentCompanyName":"Example Corporation","externalProfileUrl":"https://ats.example.com/candidates/12345","atsCreatedAt":1790000000000,"atsLastModifiedAt":1790003600000}`...)
	}
	body = append(body, `}}`...)
	buf := make([]byte, 0, len(q)+len(body)+256)
	b.SetBytes(int64(len(q) + len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := AppendTunnel(buf[:0], "PUT", q, body, ""); !ok {
			b.Fatal("not tunnelled")
		}
	}
}

// BenchmarkAppendBatchIDs100 is BenchmarkEncodeBatchIDs100 into a reused
// buffer.
func BenchmarkAppendBatchIDs100(b *testing.B) {
	keys := benchmarkKeys(100)
	buf := AppendBatchIDs(nil, Protocol1, keys)
	for _, p := range protocols {
		b.Run("P"+strconv.Itoa(int(p)), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				buf = AppendBatchIDs(buf[:0], p, keys)
			}
		})
	}
}
