package pgstore_test

import (
	"context"
	"fmt"
	"testing"

	rscsync "github.com/rscgo/rscgo/sync"
)

// BenchmarkCheckpointSave measures one commit of a checkpoint of 20,000
// jobs after a batch changed 100 of them, as the engine saves after every
// acknowledged batch: the file store rewrites the whole checkpoint, the
// PostgreSQL store writes the 100 rows.
func BenchmarkCheckpointSave(b *testing.B) {
	ctx := context.Background()
	for _, bc := range []struct {
		name  string
		store func(b *testing.B) rscsync.Store
	}{
		{"file", func(b *testing.B) rscsync.Store {
			s, err := rscsync.NewFileStore(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			return s
		}},
		{"postgres", func(b *testing.B) rscsync.Store {
			db := openTB(b)
			return db.Checkpoints()
		}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := bc.store(b)
			cp := &rscsync.Checkpoint{Version: 1, CustomerID: "a", Jobs: map[string]rscsync.JobState{}}
			for i := range 20000 {
				cp.Jobs[fmt.Sprintf("job-%05d", i)] = rscsync.JobState{State: "posted", Held: true}
			}
			cp = cp.Clone()
			if err := s.Save(ctx, "a", cp); err != nil {
				b.Fatal(err)
			}
			n := 0
			for b.Loop() {
				for range 100 {
					cp.Jobs[fmt.Sprintf("job-%05d", n%20000)] = rscsync.JobState{State: "closed", Held: n%2 == 0}
					n++
				}
				if err := s.Save(ctx, "a", cp); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
