package riverrun_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/riverqueue/river"

	"github.com/rscgo/rscgo/fleet/internal/pgtest"
	"github.com/rscgo/rscgo/fleet/pgstore"
	"github.com/rscgo/rscgo/fleet/riverrun"
	rscsync "github.com/rscgo/rscgo/sync"
)

// TestEnqueueRefusesInvalidIDs: Enqueue, EnqueueAll and EnqueuePoll
// refuse a customer id the stores and leases could not keep, enqueueing
// nothing: before, an id too long for PostgreSQL's index was enqueued and
// its job failed on every attempt, and one that is not valid UTF-8 was
// enqueued as another id (JSON replaced its invalid bytes). EnqueuePoll
// refuses as well an id that is valid but makes, with the task's name,
// the name of a lease over the limit. A valid id reaches the job's
// arguments unchanged.
func TestEnqueueRefusesInvalidIDs(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	db, rc := insertOnly(t)
	longest := pgtest.Incompressible(pgstore.MaxCustomerIDLen)
	for _, tc := range []struct {
		name, id string
		want     []string // Enqueue, EnqueueAll, EnqueuePoll
	}{
		{name: "short", id: "customer-42", want: []string{"ok", "ok", "ok"}},
		{name: "longest", id: longest, want: []string{"ok", "ok", "refused"}},
		{name: "longest for a poll task", id: longest[:pgstore.MaxCustomerIDLen-len("inmail/")], want: []string{"ok", "ok", "ok"}},
		{name: "empty", id: "", want: []string{"refused", "refused", "refused"}},
		{name: "over the limit", id: longest + "0", want: []string{"refused", "refused", "refused"}},
		{name: "past the index", id: pgtest.Incompressible(3000), want: []string{"refused", "refused", "refused"}},
		{name: "Latin-1", id: "C\xe9te-1", want: []string{"refused", "refused", "refused"}},
		{name: "NUL", id: "C\x00-1", want: []string{"refused", "refused", "refused"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if _, err := db.Pool().Exec(ctx, "delete from river_job"); err != nil {
				t.Fatal(err)
			}
			var got, wantArgs []string
			for i, enqueue := range []func() error{
				func() error { return riverrun.Enqueue(ctx, rc, tc.id) },
				func() error { return riverrun.EnqueueAll(ctx, rc, []string{tc.id}) },
				func() error { return riverrun.EnqueuePoll(ctx, rc, "inmail", tc.id) },
			} {
				got = append(got, pgtest.Refusal(enqueue()))
				if tc.want[i] == "ok" && (i != 1 || tc.want[0] != "ok") { // EnqueueAll's slice is Enqueue's duplicate
					wantArgs = append(wantArgs, tc.id)
				}
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("Enqueue, EnqueueAll, EnqueuePoll (-want +got):\n%s", d)
			}
			rows, err := db.Pool().Query(ctx, "select args->>'customer_id' from river_job order by id")
			if err != nil {
				t.Fatal(err)
			}
			var args []string
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				args = append(args, id)
			}
			if err := rows.Err(); err != nil {
				t.Fatal(err)
			}
			if !cmp.Equal(wantArgs, args) {
				t.Errorf("the jobs enqueued are for %d customer(s) %.40q, want %.40q", len(args), args, wantArgs)
			}
		})
	}
}

// TestInvalidIDJobCancelled: a job inserted without Enqueue's check, for
// a customer id past PostgreSQL's index entry limit, is cancelled at its
// first attempt, saying why, rather than fail on every attempt until
// River discards it.
func TestInvalidIDJobCancelled(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		args river.JobArgs
	}{
		{name: "slice", args: riverrun.SliceArgs{CustomerID: pgtest.Incompressible(3000)}},
		{name: "poll", args: riverrun.PollArgs{Task: "inmail", CustomerID: pgtest.Incompressible(3000)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			f := newFleet(t, spec{polls: map[string]riverrun.PollTask{"inmail": {Every: time.Hour, Run: func(context.Context, string) error {
				return errors.New("the poll task ran")
			}}}})
			events := f.subscribe(t)
			if _, err := f.river.Insert(t.Context(), tc.args, nil); err != nil {
				t.Fatal(err)
			}
			ev := receive(t, events, "no event of the job")
			type outcome struct {
				Kind   river.EventKind
				Errors int
				Says   bool // the error says the id is invalid
			}
			got := outcome{Kind: ev.Kind, Errors: len(ev.Job.Errors)}
			got.Says = got.Errors == 1 && strings.Contains(ev.Job.Errors[0].Error, pgstore.ErrInvalidCustomerID.Error())
			if d := cmp.Diff(outcome{Kind: river.EventKindJobCancelled, Errors: 1, Says: true}, got); d != "" {
				t.Errorf("the job's first attempt (-want +got):\n%s", d)
			}
		})
	}
}

// TestResumeSkipsInvalidIDs: the Resumer enqueues the slices of the valid
// ids of its list and then fails naming the invalid ones, rather than
// enqueue jobs that could never run (or run for another id).
func TestResumeSkipsInvalidIDs(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	f := newFleet(t, spec{})
	for _, rc := range f.rivers { // this test's worker alone resumes
		if err := rc.Stop(ctx); err != nil {
			t.Fatal(err)
		}
	}
	rc := startWorker(t, "resumer", f.db, f.leases, f.engines, f.clock, nil,
		[]string{"c1", "", pgtest.Incompressible(3000), "C\xe9te-1"}, 1, nil)
	events, cancel := rc.Subscribe(river.EventKindJobFailed)
	defer cancel()
	if _, err := rc.Insert(ctx, riverrun.ResumeArgs{}, nil); err != nil {
		t.Fatal(err)
	}
	var failed string
	deadline := time.After(30 * time.Second) // a deadline, not a sleep
	for failed == "" {
		select {
		case ev := <-events:
			if ev.Job.Kind != (riverrun.ResumeArgs{}).Kind() {
				t.Fatalf("a %s job failed: %+v", ev.Job.Kind, ev.Job.Errors)
			}
			failed = ev.Job.Errors[0].Error
		case <-deadline:
			t.Fatal("the resume job did not fail")
		}
	}
	var slices []string
	rows, err := f.db.Pool().Query(ctx, "select distinct left(args->>'customer_id', 20) from river_job where kind = $1 order by 1",
		riverrun.SliceArgs{}.Kind())
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		slices = append(slices, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	want := "riverrun: the list of active customers holds 3 invalid id(s), the 1 others are resumed; the first: pgstore: invalid customer id: empty"
	if d := cmp.Diff(struct {
		Slices []string
		Failed string
	}{[]string{"c1"}, want}, struct {
		Slices []string
		Failed string
	}{slices, failed}); d != "" {
		t.Errorf("after the resume (-want +got):\n%s", d)
	}
}

// TestLongestCustomerIDSyncs: a customer whose id is the longest the
// stores accept, which PostgreSQL cannot compress, syncs through its
// chain of slices: River's job arguments, its lease and its checkpoint
// keep the id.
func TestLongestCustomerIDSyncs(t *testing.T) {
	t.Parallel()
	id := pgtest.Incompressible(pgstore.MaxCustomerIDLen)
	f := newFleet(t, spec{ids: []string{id}, candidates: 150})
	events, cancel := f.river.Subscribe(river.EventKindJobCompleted, river.EventKindJobFailed, river.EventKindJobSnoozed)
	defer cancel()
	incremental := f.clock.Now().Add(15 * time.Minute)
	if err := riverrun.Enqueue(t.Context(), f.river, id); err != nil {
		t.Fatal(err)
	}
	f.waitFor(t, events, river.EventKindJobCompleted, func() bool {
		state, at := f.waiting(t)
		return state == "scheduled" && !at.Before(incremental)
	})
	cp, err := f.db.Checkpoints().Load(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	got := struct{ Held, Done int64 }{int64(len(f.cust.Candidates())), cp.Phases[rscsync.PhaseCandidates].Done}
	if d := cmp.Diff(struct{ Held, Done int64 }{150, 150}, got); d != "" {
		t.Errorf("after the customer caught up (-want +got):\n%s", d)
	}
}
