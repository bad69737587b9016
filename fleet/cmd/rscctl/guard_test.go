package main

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/fleet/lease"
	"github.com/rscgo/rscgo/fleet/pgstore"
	rscsync "github.com/rscgo/rscgo/sync"
)

// ctlHolder names rscctl's leases in the tests.
const ctlHolder = "rscctl test"

// slice is a sync slice running for a customer, as riverrun runs one: it
// holds the customer's lease, loaded the checkpoint at its start, and
// commits through stores fenced by the lease.
type slice struct {
	lease *lease.Lease
	store rscsync.Store
	dead  rscsync.DeadLetterStore
	cp    *rscsync.Checkpoint
}

func startSlice(t *testing.T, db *pgstore.DB, customerID string) *slice {
	t.Helper()
	leases, err := lease.New(db, lease.WithTTL(time.Hour))
	must(t, err)
	l, err := leases.Acquire(t.Context(), customerID, "worker-1 job 7 attempt 1")
	must(t, err)
	s := &slice{lease: l, store: db.Checkpoints().Fenced(l), dead: db.DeadLetters().Fenced(l)}
	s.cp, err = s.store.Load(t.Context(), customerID)
	must(t, err)
	return s
}

// commitRefused is the slice's commit of its next batch, which must be
// refused.
func (s *slice) commitRefused(t *testing.T) {
	t.Helper()
	s.cp.Phases[rscsync.PhaseCandidates].Done++
	err := s.store.Save(t.Context(), s.lease.CustomerID(), s.cp)
	if err == nil {
		err = s.dead.Put(t.Context(), s.lease.CustomerID(), rscsync.DeadLetter{Kind: rscsync.KindCandidate, ID: "C41", Reason: "refused"})
	}
	lost, ok := errors.AsType[*lease.LostError](err)
	if !ok {
		t.Fatalf("the running slice's commit after rscctl's change: %v, want a *lease.LostError", err)
	}
	want := lease.LostError{CustomerID: s.lease.CustomerID(), Token: s.lease.Token(), Current: s.lease.Token() + 1}
	if d := cmp.Diff(want, *lost); d != "" {
		t.Errorf("LostError (-want +got):\n%s", d)
	}
}

// tookNote is what rscctl says when it takes the lease of a running slice.
const tookNote = "rscctl: customer acme was being synced by worker-1 job 7 attempt 1: rscctl took its lease, so that sync commits nothing more; River runs its slice again once rscctl is done\n"

// fencedCommand runs rscctl's command args while customer acme's slice
// runs: rscctl must succeed, print out and say it took the slice's lease,
// and the slice's next commit must then be refused. It returns the
// database, the slice and acme's checkpoint after the refused commit.
func fencedCommand(t *testing.T, out string, args ...string) (*pgstore.DB, *slice, *rscsync.Checkpoint) {
	t.Helper()
	url, db := seeded(t)
	s := startSlice(t, db, "acme")
	code, gotOut, errs := rscctl(t, url, nil, args...)
	expect(t, code, gotOut, errs, 0, out, tookNote)
	s.commitRefused(t)
	cp, err := db.Checkpoints().Load(t.Context(), "acme")
	must(t, err)
	return db, s, cp
}

// TestResetFencesRunningSlice: `reset -yes` of a customer whose slice is
// running takes the customer's lease, so the slice's next commit (of its
// checkpoint, or of a dead letter) is refused instead of writing the
// checkpoint it holds back over the reset.
func TestResetFencesRunningSlice(t *testing.T) {
	db, s, cp := fencedCommand(t, "customer acme reset: checkpoint, 2 dead letters deleted; the next sync starts the historical sync again\n",
		"reset", "-yes", "acme")
	if cp != nil {
		t.Errorf("after the reset and the slice's refused commit, the checkpoint is back: %+v", cp)
	}
	var dead []string
	for d, err := range db.DeadLetters().List(t.Context(), "acme") {
		must(t, err)
		dead = append(dead, d.Key())
	}
	if len(dead) != 0 {
		t.Errorf("dead letters left after the reset: %q", dead)
	}
	leases, err := lease.List(t.Context(), db, []string{"acme"})
	must(t, err)
	want := []lease.Record{{CustomerID: "acme", Token: s.lease.Token() + 1}} // released by rscctl
	if d := cmp.Diff(want, leases); d != "" {
		t.Errorf("leases after the reset (-want +got):\n%s", d)
	}
}

// TestResyncPhaseFencesRunningSlice: `resync CUSTOMER PHASE` of a customer
// whose slice is running rewinds the phase under the customer's lease; the
// slice's next commit is refused.
func TestResyncPhaseFencesRunningSlice(t *testing.T) {
	_, _, cp := fencedCommand(t, "customer acme: the next sync sends Candidate Sync again from the start of the history; the other phases are unchanged\n",
		"resync", "acme", "candidates")
	if d := cmp.Diff(rscsync.PhaseCheckpoint{Total: 100, DeadLettered: 2}, *cp.Phases[rscsync.PhaseCandidates]); d != "" {
		t.Errorf("candidates after the resync and the slice's refused commit (-want +got):\n%s", d)
	}
}

// TestResyncPhaseAfterACommitRefused: a slice commits between rscctl's read
// of the checkpoint and its takeover of the lease: the rewind, made to the
// checkpoint read, would put back what the slice committed before; it is
// refused and changes nothing.
func TestResyncPhaseAfterACommitRefused(t *testing.T) {
	url, db := seeded(t)
	gdb, err := pgstore.Open(t.Context(), url) // the guard closes its database
	must(t, err)
	var notes strings.Builder
	g, err := newGuard(gdb, ctlHolder, &notes)
	must(t, err)
	st := g.stores()
	read, err := st.Checkpoints.Load(t.Context(), "acme")
	must(t, err)

	s := startSlice(t, db, "acme") // a slice starts and commits a batch
	s.cp.Phases[rscsync.PhaseCandidates].Done++
	must(t, s.store.Save(t.Context(), "acme", s.cp))

	read.Phases[rscsync.PhaseCandidates].Cursor = rscsync.Cursor{} // the rewind of the checkpoint read
	err = st.Checkpoints.Save(t.Context(), "acme", read)
	g.close()
	want := "customer acme: its sync committed a checkpoint while rscctl read it; nothing was changed: run the command again"
	if err == nil || err.Error() != want {
		t.Errorf("Save after the slice's commit: %v, want %q", err, want)
	}
	if d := cmp.Diff(tookNote, notes.String()); d != "" {
		t.Errorf("notes (-want +got):\n%s", d)
	}
	cp, err := db.Checkpoints().Load(t.Context(), "acme")
	must(t, err)
	if d := cmp.Diff(s.cp, cp); d != "" {
		t.Errorf("checkpoint after the refused rewind (-the slice's commit +stored):\n%s", d)
	}
}

// TestResetDeletesLateDeadLetters: reset lists the dead letters before it
// takes the lease; one the running slice stores meanwhile is deleted with
// the checkpoint, and rscctl says so.
func TestResetDeletesLateDeadLetters(t *testing.T) {
	url, db := seeded(t)
	gdb, err := pgstore.Open(t.Context(), url)
	must(t, err)
	var notes strings.Builder
	g, err := newGuard(gdb, ctlHolder, &notes)
	must(t, err)
	st := g.stores()
	var listed []string
	for d, err := range st.DeadLetters.List(t.Context(), "acme") {
		must(t, err)
		listed = append(listed, d.Key())
	}
	s := startSlice(t, db, "acme")
	must(t, s.dead.Put(t.Context(), "acme", rscsync.DeadLetter{Kind: rscsync.KindCandidate, ID: "C41", Reason: "refused"}))
	for _, k := range listed {
		must(t, st.DeadLetters.Delete(t.Context(), "acme", k))
	}
	must(t, st.DeleteCheckpoint(t.Context(), "acme"))
	g.close()
	want := tookNote + "rscctl: customer acme: also deleted 1 dead letter(s) its sync added while the reset ran\n"
	if d := cmp.Diff(want, notes.String()); d != "" {
		t.Errorf("notes (-want +got):\n%s", d)
	}
	for d, err := range db.DeadLetters().List(t.Context(), "acme") {
		must(t, err)
		t.Errorf("dead letter %s left after the reset", d.Key())
	}
}
