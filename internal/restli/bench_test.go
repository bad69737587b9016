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
