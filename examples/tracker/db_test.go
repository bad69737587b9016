package tracker

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// Open refuses a nil clock, and one holding a nil pointer, which would
// panic at the first write, before it creates the database file.
func TestOpenRefusesANilClock(t *testing.T) {
	for _, tc := range []struct {
		name string
		clk  rsc.Clock
	}{
		{"nil", nil},
		{"nil *rsctest.FakeClock", (*rsctest.FakeClock)(nil)},
		{"nil hookClock", hookClock(nil)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "tracker.db")
			db, err := Open(path, WithClock(tc.clk))
			if err == nil || err.Error() != "tracker: WithClock: nil clock" || db != nil {
				t.Fatalf("Open = %v, %v; want nil, tracker: WithClock: nil clock", db, err)
			}
			if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("Open created %s despite its option's error (stat: %v)", path, err)
			}
		})
	}
}
