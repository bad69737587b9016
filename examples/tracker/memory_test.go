package tracker

import (
	"context"
	"runtime"
	"testing"

	rscsync "github.com/rscgo/rscgo/sync"
)

// fillCandidates inserts n candidates in one statement (much faster than
// Generate, which this test does not need).
func fillCandidates(t testing.TB, db *DB, n int) {
	t.Helper()
	_, err := db.SQL().Exec(`WITH RECURSIVE seq(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM seq WHERE i < ?)
		INSERT INTO candidates (id, first_name, last_name, email, phone, city, country, current_company, current_title, created_at, modified_at)
		SELECT printf('C%08d', i), 'First' || i, 'Last' || i, 'first.last' || i || '@example.com', '+44 7700 900' || (i % 1000),
			'London', 'gb', 'Globex Systems', 'Senior Software Engineer', 1700000000000 + i * 1000, 1700000000000 + i * 1000
		FROM seq`, n)
	if err != nil {
		t.Fatal(err)
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// Streaming 100k candidates keeps only a page in memory: the live heap
// after 100k records is about what it was after 10k.
func TestStreamingMemoryBounded(t *testing.T) {
	if testing.Short() || raceEnabled {
		t.Skip("inserts and streams 100k candidates: too slow under -short or -race (run go test without -race)")
	}
	const n = 100_000
	db := openTest(t)
	fillCandidates(t, db, n)
	src := newSource(t, db, Config{IntegrationContext: testOrg})
	var count int
	var at10k, peak uint64
	for c, err := range src.Candidates(context.Background(), rscsync.Cursor{}) {
		if err != nil {
			t.Fatal(err)
		}
		count++
		_ = c
		switch {
		case count == 10_000:
			at10k = heapInUse()
		case count > 10_000 && count%10_000 == 0:
			peak = max(peak, heapInUse())
		}
	}
	if count != n {
		t.Fatalf("streamed %d, want %d", count, n)
	}
	// 90k more candidates held in memory would be tens of MiB.
	growth := int64(peak) - int64(at10k)
	t.Logf("live heap after 10k records %d KiB, peak after %d records %d KiB (growth %d KiB)", at10k>>10, n, peak>>10, growth>>10)
	if growth > 4<<20 {
		t.Errorf("heap grew by %d KiB while streaming; the stream is holding records", growth>>10)
	}
}

func BenchmarkStreamCandidates(b *testing.B) {
	db := openTest(b)
	fillCandidates(b, db, 20_000)
	src := newSource(b, db, Config{IntegrationContext: testOrg})
	b.ReportAllocs()
	for b.Loop() {
		for _, err := range src.Candidates(context.Background(), rscsync.Cursor{}) {
			if err != nil {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkGenerate10k(b *testing.B) {
	for b.Loop() {
		b.StopTimer()
		db := openTest(b)
		b.StartTimer()
		if _, err := Generate(context.Background(), db, GenerateOptions{Candidates: 10_000, Seed: 1, Now: testNow}); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		db.Close()
		b.StartTimer()
	}
}
