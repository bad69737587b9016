package fsutil_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rscgo/rscgo/inmail"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/onboarding"
	rscsync "github.com/rscgo/rscgo/sync"
)

// The stores built on Dir, each under a customer id (or secret reference)
// that is not valid UTF-8 and one that holds NUL: what they save loads
// back, or, when the value itself holds the id, which JSON cannot keep,
// the save is refused with an error and nothing is written. The memory
// stores accept such ids, so a customer moved to the file stores keeps
// working.
func TestStoresOfIDsThatAreNotUTF8(t *testing.T) {
	at := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	for _, id := range []string{"acme-\xff", "nul\x00id"} {
		unstorable := id == "acme-\xff"
		// refused is the error of a value, saved under key, that holds the
		// id; "" for the NUL id, which JSON keeps.
		refused := func(prefix, key string) string {
			if !unstorable {
				return ""
			}
			return fmt.Sprintf(`%sthe value under key %q holds text that is not valid UTF-8, which JSON cannot keep`, prefix, key)
		}
		t.Run(fmt.Sprintf("%q", id), func(t *testing.T) {
			t.Run("milestones.FileStore", func(t *testing.T) {
				s, err := milestones.NewFileStore(t.TempDir())
				must(t, err)
				want := []milestones.Event{{Milestone: milestones.IntegrationEnabled, At: at}, {Milestone: milestones.JobSyncCompleted, At: at.Add(time.Hour)}}
				for _, e := range want {
					must(t, s.Append(t.Context(), id, e))
				}
				loadsBack(t, want, func() ([]milestones.Event, error) { return s.Load(t.Context(), id) })
			})
			t.Run("inmail.FileCursors", func(t *testing.T) {
				s, err := inmail.NewFileCursors(t.TempDir())
				must(t, err)
				want := inmail.Cursors{SeatsAt: 42, ClosedAt: 7}
				must(t, s.Save(t.Context(), id, want))
				loadsBack(t, want, func() (inmail.Cursors, error) { return s.Load(t.Context(), id) }, cmpopts.EquateEmpty())
			})
			t.Run("onboarding.FileSecretStore", func(t *testing.T) {
				s, err := onboarding.NewFileSecretStore(t.TempDir())
				must(t, err)
				want := onboarding.Credentials{ClientID: "client", ClientSecret: "secret"}
				must(t, s.Put(t.Context(), id, want))
				loadsBack(t, want, func() (onboarding.Credentials, error) { return s.Get(t.Context(), id) })
			})
			t.Run("onboarding.FileStore", func(t *testing.T) {
				s, err := onboarding.NewFileStore(t.TempDir())
				must(t, err)
				st := &onboarding.FlowState{CustomerID: id, Step: onboarding.StepSignIn}
				savedOrRefused(t, s.SaveState(t.Context(), st), refused(fmt.Sprintf("onboarding: saving state of %q: ", id), id))
				got, err := s.LoadState(t.Context(), id)
				must(t, err)
				want := st
				if unstorable {
					want = nil
				}
				if d := cmp.Diff(want, got); d != "" {
					t.Errorf("state (-want +got):\n%s", d)
				}
			})
			t.Run("sync.FileStore", func(t *testing.T) {
				s, err := rscsync.NewFileStore(t.TempDir())
				must(t, err)
				cp := &rscsync.Checkpoint{Version: 1, CustomerID: id, StartedAt: at, UpdatedAt: at}
				savedOrRefused(t, s.Save(t.Context(), id, cp), refused(fmt.Sprintf("sync: saving the checkpoint of %q: ", id), id))
				got, err := s.Load(t.Context(), id)
				must(t, err)
				var gotID, wantID *string // the customer of the checkpoint loaded, if any
				if got != nil {
					gotID = &got.CustomerID
				}
				if !unstorable {
					wantID = &id
				}
				if d := cmp.Diff(wantID, gotID); d != "" {
					t.Errorf("the checkpoint's customer (-want +got):\n%s", d)
				}
			})
			t.Run("sync.FileDeadLetters", func(t *testing.T) {
				s, err := rscsync.NewFileDeadLetters(t.TempDir())
				must(t, err)
				// The engine escapes the ids of the dead letters it stores;
				// one that is not escaped is refused.
				raw := rscsync.DeadLetter{Kind: rscsync.KindCandidate, ID: "C" + id, Reason: "r", Attempts: 1, FirstFailedAt: at, LastFailedAt: at}
				escaped := raw.Escape()
				must(t, s.Put(t.Context(), id, escaped))
				savedOrRefused(t, s.Put(t.Context(), id, raw), refused("sync: storing a dead letter: ", raw.Key()))
				want := []rscsync.DeadLetter{escaped} // in Key order
				if !unstorable {
					want = []rscsync.DeadLetter{raw, escaped}
				}
				var got []rscsync.DeadLetter
				for d, err := range s.List(t.Context(), id) {
					must(t, err)
					got = append(got, d)
				}
				if d := cmp.Diff(want, got); d != "" {
					t.Errorf("dead letters (-want +got):\n%s", d)
				}
			})
		})
	}
}

// loadsBack fails the test unless load returns want.
func loadsBack[T any](t *testing.T, want T, load func() (T, error), opts ...cmp.Option) {
	t.Helper()
	got, err := load()
	must(t, err)
	if d := cmp.Diff(want, got, opts...); d != "" {
		t.Errorf("loaded (-want +got):\n%s", d)
	}
}

// savedOrRefused fails the test unless err is nil when want is "", and
// has the text want otherwise.
func savedOrRefused(t *testing.T, err error, want string) {
	t.Helper()
	got := ""
	if err != nil {
		got = err.Error()
	}
	if got != want {
		t.Errorf("error %q, want %q", got, want)
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
