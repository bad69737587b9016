package sync

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// freshRecords puts into src a job, a candidate, an application of both
// and a note on the candidate, modified at, with ids that the genSource
// does not use.
func freshRecords(src *SliceSource, g *genSource, at time.Time) {
	j := g.job(0)
	j.Posting.ExternalJobPostingID, j.ModifiedAt, j.Closed = "JNEW", at, false
	c := g.cand(0)
	c.Record.Key.CandidateID, c.ModifiedAt = "CNEW", at
	c.Record.CreatedAt, c.Record.LastModifiedAt = rsc.Millis(at), rsc.Millis(at)
	a := g.place(0)
	a.Record.Key.ApplicationID, a.Record.CandidateID, a.Record.JobPostingID, a.ModifiedAt = "ANEW", "CNEW", "JNEW", at
	a.Record.CreatedAt, a.Record.LastModifiedAt, a.Stages = rsc.Millis(at), rsc.Millis(at), nil
	n := g.act(0)
	n.Candidate.CandidateID, n.Note.ID, n.ModifiedAt = "CNEW", "NNEW", at
	src.PutJobs(j).PutCandidates(c).PutApplications(a).PutActivities(n)
}

// checkCandidates compares the candidates' reconciliation in rep with
// want and, when counts is not nil, the candidates' counts in the
// checkpoint with counts, whose Acknowledged, DeadLettered and Ineligible
// are want's.
func checkCandidates(t *testing.T, eng *Engine, rep *Report, want Reconciliation, counts *phaseCounts) {
	t.Helper()
	if d := cmp.Diff(want, rep.Reconciliation[slices.Index(Phases(), PhaseCandidates)]); d != "" {
		t.Errorf("reconciliation (-want +got):\n%s", d)
	}
	if counts != nil {
		c := *counts
		c.Acknowledged, c.DeadLettered, c.Ineligible = want.Acknowledged, want.DeadLettered, want.Ineligible
		if d := cmp.Diff(c, countsOf(t, eng, PhaseCandidates)); d != "" {
			t.Errorf("candidates' counts (-want +got):\n%s", d)
		}
	}
}

// held lists the ids of the jobs, candidates, applications and candidate
// notes LinkedIn holds.
func held(e *env) map[string][]string {
	out := map[string][]string{}
	for _, j := range e.cust.Jobs() {
		out["jobs"] = append(out["jobs"], j.ExternalJobPostingID)
	}
	for _, c := range e.cust.Candidates() {
		out["candidates"] = append(out["candidates"], c.ID)
	}
	for _, a := range e.cust.Applications() {
		out["applications"] = append(out["applications"], a.Key["atsJobApplicationId"])
	}
	for _, n := range e.cust.CandidateNotes() {
		out["notes"] = append(out["notes"], n.Key["noteId"])
	}
	for k := range out {
		slices.Sort(out[k])
	}
	return out
}

// While the historical pass runs, the records created or changed since it
// began go ahead of the backlog: the first slices send the new job and
// candidate, and none of the older records; the new application goes once
// the jobs completed, ahead of the candidates' backlog, and the new note
// once the applications completed, ahead of the activities' backlog (its
// lane waits for the applications: LinkedIn takes the interview feedback
// of applications it holds). The rest of the pass sends the backlog, every
// record once, and the reconciliation finds nothing missing.
func TestFreshLaneGoesFirst(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 20, 500, 300, 180)
		src := g.materialize()
		freshRecords(src, g, time.Now())
		eng := e.engine(t, src, WithFreshLane(time.Minute))
		slice := func() {
			t.Helper()
			time.Sleep(time.Minute)
			if _, err := eng.RunSlice(t.Context(), 1); !errors.Is(err, ErrYield) {
				t.Fatalf("RunSlice: %v, want ErrYield", err)
			}
		}
		slice() // the jobs' lane
		slice() // the candidates' lane
		want := map[string][]string{"jobs": {"JNEW"}, "candidates": {"CNEW"}}
		if d := cmp.Diff(want, held(e)); d != "" {
			t.Errorf("LinkedIn after the sweep (-want +got):\n%s", d)
		}
		for !slices.Contains(held(e)["applications"], "ANEW") {
			slice()
		}
		st, err := eng.State(t.Context())
		must(t, err)
		if !st[PhaseJobs].Completed || st[PhaseCandidates].Completed || len(held(e)["applications"]) != 1 {
			t.Errorf("ANEW sent with jobs completed %v, candidates completed %v, %d applications held; want after the jobs, before the candidates, alone",
				st[PhaseJobs].Completed, st[PhaseCandidates].Completed, len(held(e)["applications"]))
		}
		for !slices.Contains(held(e)["notes"], "NNEW") {
			slice()
		}
		st, err = eng.State(t.Context())
		must(t, err)
		if !st[PhaseApplications].Completed || len(held(e)["notes"]) != 1 {
			t.Errorf("NNEW sent with applications completed %v, %d notes held; want after the applications, before the activities' backlog",
				st[PhaseApplications].Completed, len(held(e)["notes"]))
		}
		rep, err := eng.Run(t.Context())
		if err != nil || !rep.CaughtUp {
			t.Fatalf("Run: %v", err)
		}
		got := held(e)
		if n := len(got["candidates"]); n != 501 || !slices.Contains(got["candidates"], "CNEW") {
			t.Errorf("LinkedIn holds %d candidates, want 501 with CNEW", n)
		}
		for _, x := range rep.Reconciliation {
			if x.Missing != 0 || x.Acknowledged != x.ATSTotal {
				t.Errorf("%s: %+v, want every record acknowledged once", x.Phase, x)
			}
		}
		cp, err := eng.Store().Load(t.Context(), "c1")
		must(t, err)
		for p, pc := range cp.Phases {
			if !pc.Completed || pc.Fresh != nil {
				t.Errorf("%s: completed %v, fresh lane %+v; want completed, no lane", p, pc.Completed, pc.Fresh)
			}
		}
		if c := cp.Phases[PhaseCandidates].Cursor; c.ID != "CNEW" {
			t.Errorf("candidates' watermark %+v, want the lane's (CNEW)", c)
		}
	})
}

// longBacklog runs a customer of a job and 1,000 candidates, paced at 200
// records a minute (a backlog of about five minutes), through two Runs
// with WithFreshLane(every), calling change 90 seconds in (in the
// synctest bubble). It returns LinkedIn's requests, in the order received,
// with their times from the start.
func longBacklog(t *testing.T, every time.Duration, change func(*SliceSource, *genSource)) ([]rsctest.LogEntry, time.Time) {
	e := newEnv(t, paced200)
	start := time.Now()
	g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 1, 1000, 0, 0)
	src := g.materialize()
	eng := e.engine(t, src, WithFreshLane(every))
	go func() {
		time.Sleep(90 * time.Second)
		change(src, g)
	}()
	for range 2 { // without the lanes, the second run sends the change
		if _, err := eng.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
	}
	return e.srv.Requests(), start
}

// isCandidatesWrite reports whether r sends candidates, and whether one of
// them is id.
func isCandidatesWrite(r rsctest.LogEntry, id string) (write, has bool) {
	write = r.EffectiveMethod == "PUT" && strings.Contains(r.Path, "atsCandidates")
	return write, write && strings.Contains(r.RawQuery+r.TunnelledQuery, id)
}

// A record changed during a long backlog reaches LinkedIn at the next sweep
// (WithFreshLane's interval), not after the backlog; without the lanes it
// comes last.
func TestFreshLaneDuringLongBacklog(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		every  time.Duration
		before bool // CNEW is sent before the backlog's last batch
	}{
		{time.Minute, true},
		{0, false},
	} {
		t.Run(tc.every.String(), func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				reqs, start := longBacklog(t, tc.every, func(src *SliceSource, g *genSource) {
					c := g.cand(0)
					c.Record.Key.CandidateID, c.ModifiedAt = "CNEW", time.Now()
					src.PutCandidates(c)
				})
				var sentNew, last time.Duration
				for _, r := range reqs {
					switch write, isNew := isCandidatesWrite(r, "CNEW"); {
					case isNew:
						sentNew = r.Time.Sub(start)
					case write:
						last = max(last, r.Time.Sub(start))
					}
				}
				// 1,000 records at 200 a minute: the backlog's last batch
				// goes at 4m30s, or a batch later for the lane's one record.
				if last < 4*time.Minute+30*time.Second || last > 5*time.Minute {
					t.Errorf("backlog's last batch at %v, want 4m30s to 5m", last)
				}
				if before := sentNew < last; before != tc.before || sentNew < 90*time.Second {
					t.Errorf("CNEW (changed at 1m30s) sent at %v, backlog's last batch at %v; want before it: %v", sentNew, last, tc.before)
				}
			})
		})
	}
}

// Records keep changing while the pass runs in slices of one batch (old
// ones, new ones, and new ones again a minute later): every
// record, old or new, reaches LinkedIn in its last version, each counts
// once in the reconciliation, and no lane is left once the pass completes.
func TestFreshLaneLosesNothing(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 700, 0, 0)
		src := g.materialize()
		eng := e.engine(t, src, WithFreshLane(time.Minute))
		want := map[string]string{}
		for i := range 700 {
			want[candID(i)] = "Ann"
		}
		for i := 0; ; i++ {
			if i < 40 { // an old record changed, a new one created, a minute apart
				c := g.cand(i * 17)
				c.Record.FirstName, c.ModifiedAt = "Bea", time.Now()
				n := g.cand(i)
				n.Record.Key.CandidateID, n.ModifiedAt = "NEW"+candID(i), time.Now()
				n.Record.CreatedAt, n.Record.LastModifiedAt = rsc.Millis(time.Now()), rsc.Millis(time.Now())
				src.PutCandidates(c, n)
				want[candID(i*17)], want["NEW"+candID(i)] = "Bea", "Ann"
				if i > 0 { // and the new one of the minute before changed again
					n := g.cand(i - 1)
					n.Record.Key.CandidateID, n.Record.FirstName, n.ModifiedAt = "NEW"+candID(i-1), "Cy", time.Now()
					n.Record.CreatedAt, n.Record.LastModifiedAt = rsc.Millis(time.Now().Add(-time.Minute)), rsc.Millis(time.Now())
					src.PutCandidates(n)
					want["NEW"+candID(i-1)] = "Cy"
				}
			}
			time.Sleep(time.Minute)
			rep, err := eng.RunSlice(t.Context(), 1)
			if err == nil && i >= 40 {
				checkCandidates(t, eng, rep, Reconciliation{Phase: PhaseCandidates, ATSTotal: 740, Acknowledged: 740}, nil)
				break
			}
			if err != nil && !errors.Is(err, ErrYield) {
				t.Fatal(err)
			}
		}
		got := map[string]string{}
		for _, c := range e.cust.Candidates() {
			got[c.ID], _ = c.Fields["firstName"].(string)
		}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("LinkedIn's candidates (-want +got):\n%s", d)
		}
		cp, err := eng.Store().Load(t.Context(), "c1")
		must(t, err)
		if pc := cp.Phases[PhaseCandidates]; !pc.Completed || pc.Fresh != nil || pc.Done != 740 {
			t.Errorf("candidates: completed %v, lane %+v, %d done; want completed, no lane, each record done once", pc.Completed, pc.Fresh, pc.Done)
		}
		if n := len(slices.Collect(maps.Keys(got))); n != 740 {
			t.Errorf("%d candidates", n)
		}
	})
}

func TestWithFreshLaneRefusesNegative(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOpt{})
	_, err := NewEngine(e.client, "c1", NewSliceSource(), WithFreshLane(-time.Second))
	if err == nil || !strings.Contains(err.Error(), "WithFreshLane: negative interval") {
		t.Errorf("NewEngine: %v, want the negative interval refused", err)
	}
	if _, err := NewManager(WithFreshLane(time.Minute)); err == nil {
		t.Error("NewManager accepted an engine option")
	}
}

// A phase rewound in the middle of its pass sends its fresh lane's records
// again too, and counts each record once.
func TestRewindMidPassReopensLane(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 500, 0, 0)
		src := g.materialize()
		freshRecords(src, g, time.Now())
		eng := e.engine(t, src)
		for range 4 { // the sweep, then two batches of the backlog
			if _, err := eng.RunSlice(t.Context(), 2); !errors.Is(err, ErrYield) {
				t.Fatalf("RunSlice: %v, want ErrYield", err)
			}
		}
		cp, err := eng.RewindPhase(t.Context(), PhaseCandidates)
		must(t, err)
		if pc := cp.Phases[PhaseCandidates]; pc.Completed || pc.Fresh != nil || pc.Acknowledged != 0 {
			t.Fatalf("rewound mid-pass: completed %v, lane %+v, %d acknowledged; want the pass and its lane from the start", pc.Completed, pc.Fresh, pc.Acknowledged)
		}
		rep, err := eng.Run(t.Context())
		must(t, err)
		checkCandidates(t, eng, rep, Reconciliation{Phase: PhaseCandidates, ATSTotal: 501, Acknowledged: 501}, nil)
	})
}

// A record created long ago and changed during the pass before the
// backlog reached it is sent by the lane only: it counts once, as done and
// acknowledged, not as incremental work.
func TestFreshLaneCountsOldRecordChangedBeforeTheBacklog(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 500, 0, 0)
		src := g.materialize()
		eng := e.engine(t, src)
		// The sweep (nothing), then the backlog's first batches.
		if _, err := eng.RunSlice(t.Context(), 2); !errors.Is(err, ErrYield) {
			t.Fatalf("RunSlice: %v, want ErrYield", err)
		}
		cp, err := eng.Store().Load(t.Context(), "c1")
		must(t, err)
		bc := cp.Phases[PhaseCandidates].Cursor
		// Ten records past the backlog's watermark: created (an hour before
		// its modification) before the watermark, modified after it: not
		// sent yet.
		i := g.first(500, candID, bc) + 10
		c := g.cand(i)
		if !c.Record.CreatedAt.Time().Before(bc.ModifiedAt) || !c.ModifiedAt.After(bc.ModifiedAt) {
			t.Fatalf("setup: cand(%d) created %v modified %v, backlog at %v", i, c.Record.CreatedAt.Time(), c.ModifiedAt, bc.ModifiedAt)
		}
		time.Sleep(6 * time.Minute) // a sweep is due
		c.Record.FirstName, c.ModifiedAt = "Bea", time.Now()
		src.PutCandidates(c)
		rep, err := eng.Run(t.Context())
		must(t, err)
		checkCandidates(t, eng, rep, Reconciliation{Phase: PhaseCandidates, ATSTotal: 500, Acknowledged: 500}, &phaseCounts{Done: 500})
	})
}

// A record created before the historical window and changed since lies in
// the lane: it counts once.
func TestFreshLaneCountsRecordCreatedBeforeTheWindow(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 300, 0, 0)
		src := g.materialize()
		c := g.cand(0)
		c.Record.Key.CandidateID = "COLD"
		c.Record.CreatedAt = rsc.Millis(time.Now().Add(-400 * 24 * time.Hour))
		c.ModifiedAt = time.Now().Add(-time.Minute)
		c.Record.LastModifiedAt = rsc.Millis(c.ModifiedAt)
		src.PutCandidates(c)
		eng := e.engine(t, src, WithWindow(365*24*time.Hour))
		rep, err := eng.Run(t.Context())
		must(t, err)
		if !slices.Contains(held(e)["candidates"], "COLD") {
			t.Fatal("COLD not sent")
		}
		checkCandidates(t, eng, rep, Reconciliation{Phase: PhaseCandidates, ATSTotal: 301, Acknowledged: 301}, nil)
	})
}

// A sweep a slice's budget interrupts goes on from its watermark: a record
// it sent before the interruption and that changed since counts as
// incremental work, not as a second record.
func TestInterruptedSweepCountsOnce(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 300, 0, 0)
		src := g.materialize()
		now0 := time.Now()
		fresh := func(i int, at time.Time) Candidate {
			c := g.cand(i)
			c.Record.Key.CandidateID = fmt.Sprintf("F%03d", i)
			c.Record.CreatedAt, c.Record.LastModifiedAt, c.ModifiedAt = rsc.Millis(now0), rsc.Millis(at), at
			return c
		}
		for i := range 150 {
			src.PutCandidates(fresh(i, now0))
		}
		eng := e.engine(t, src)
		// The lane's first batch (F000..F099), then the budget is spent.
		if _, err := eng.RunSlice(t.Context(), 1); !errors.Is(err, ErrYield) {
			t.Fatalf("RunSlice: %v, want ErrYield", err)
		}
		time.Sleep(time.Minute)
		src.PutCandidates(fresh(5, time.Now())) // F005 changes again
		rep, err := eng.Run(t.Context())
		must(t, err)
		checkCandidates(t, eng, rep, Reconciliation{Phase: PhaseCandidates, ATSTotal: 450, Acknowledged: 450}, &phaseCounts{Done: 450, Incremental: 1})
	})
}

// An ineligible record that changes at every sweep counts once as done and
// ineligible.
func TestFreshLaneCountsIneligibleOnce(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 300, 0, 0)
		src := g.materialize()
		now0 := time.Now()
		priv := func(at time.Time) Candidate {
			c := g.cand(0)
			c.Record.Key.CandidateID = "PRIV"
			c.Record.CreatedAt, c.Record.LastModifiedAt, c.ModifiedAt = rsc.Millis(now0), rsc.Millis(at), at
			return c
		}
		src.PutCandidates(priv(now0))
		eng := e.engine(t, src, WithFreshLane(time.Minute), WithEligibility(func(_ context.Context, r Record) (bool, string) {
			if r.ID == "PRIV" {
				return false, "private candidate"
			}
			return true, ""
		}))
		for range 3 { // a sweep and a backlog batch a slice, PRIV changed between them
			if _, err := eng.RunSlice(t.Context(), 1); !errors.Is(err, ErrYield) {
				t.Fatalf("RunSlice: %v, want ErrYield", err)
			}
			time.Sleep(2 * time.Minute)
			src.PutCandidates(priv(time.Now()))
		}
		rep, err := eng.Run(t.Context())
		must(t, err)
		checkCandidates(t, eng, rep, Reconciliation{Phase: PhaseCandidates, ATSTotal: 301, Acknowledged: 300, Ineligible: 1}, &phaseCounts{Done: 301, Incremental: 3}) // read again by 3 sweeps
	})
}

// slowCandidates is a Source whose candidates stream takes a second per
// record (a slow query), the rest of its streams as src's.
type slowCandidates struct{ *SliceSource }

func (s slowCandidates) Candidates(ctx context.Context, since Cursor) iter.Seq2[Candidate, error] {
	return func(yield func(Candidate, error) bool) {
		for c, err := range s.SliceSource.Candidates(ctx, since) {
			time.Sleep(time.Second)
			if !yield(c, err) {
				return
			}
		}
	}
}

// A Source slower to yield a batch than the lanes' interval still lets the
// backlog advance: it sends a batch at least between two sweeps.
func TestSlowSourceBacklogAdvances(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 300, 0, 0)
		eng := e.engine(t, slowCandidates{g.materialize()}, WithFreshLane(time.Minute))
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		done := make(chan error, 1)
		go func() { _, err := eng.Run(ctx); done <- err }()
		select {
		case err := <-done:
			must(t, err)
		case <-time.After(24 * time.Hour): // 300 records at a second each: 5 minutes
			cancel()
			<-done
			st, err := eng.State(t.Context())
			must(t, err)
			t.Errorf("Run still running after 24h: candidates Done %d of 300", st[PhaseCandidates].Done)
		}
	})
}

// A record dated in the future is sent once a cycle over the phases (by
// the first sweep, not again by the later sweeps nor the backlog's end of
// that cycle) until its time comes, and counts once.
func TestFreshLaneCountsFutureRecordOnce(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 500, 0, 0)
		src := g.materialize()
		c := g.cand(0)
		c.Record.Key.CandidateID = "FUT"
		// The Source's modification time is two hours ahead (a clock or
		// time zone error in the ATS); the record itself was created now.
		c.ModifiedAt = time.Now().Add(2 * time.Hour)
		c.Record.CreatedAt, c.Record.LastModifiedAt = rsc.Millis(time.Now()), rsc.Millis(time.Now())
		src.PutCandidates(c)
		eng := e.engine(t, src, WithFreshLane(time.Minute))
		for range 4 { // a sweep and a backlog batch a slice
			if _, err := eng.RunSlice(t.Context(), 2); !errors.Is(err, ErrYield) {
				t.Fatalf("RunSlice: %v, want ErrYield", err)
			}
			time.Sleep(2 * time.Minute)
		}
		rep, err := eng.Run(t.Context())
		must(t, err)
		checkCandidates(t, eng, rep, Reconciliation{Phase: PhaseCandidates, ATSTotal: 501, Acknowledged: 501}, &phaseCounts{Done: 501, Incremental: 0}) // not read again within the cycle
	})
}

// A sweep reads the phases the pass completed too: a job created while a
// long Run sends the candidates' backlog goes to LinkedIn before that
// backlog ends, not at the next Run.
func TestSweepReadsCompletedPhases(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		reqs, start := longBacklog(t, time.Minute, func(src *SliceSource, g *genSource) { freshRecords(src, g, time.Now()) })
		jobNew, lastBacklog := -1, -1
		for i, r := range reqs {
			write, isNew := isCandidatesWrite(r, "CNEW")
			switch {
			case strings.Contains(r.Path, "simpleJobPostings") && r.EffectiveMethod == "POST" && r.Time.Sub(start) > 90*time.Second && jobNew < 0:
				jobNew = i
			case write && !isNew:
				lastBacklog = i
			}
		}
		if jobNew < 0 || jobNew > lastBacklog {
			t.Errorf("JNEW (created at 1m30s) submitted by request %d, after the backlog's last batch (request %d)", jobNew, lastBacklog)
		}
	})
}

// New interview feedback of an application still in the backlog waits for
// the applications to complete: sent ahead of them, LinkedIn would refuse
// it (it takes the feedback of applications it holds).
func TestFreshFeedbackWaitsForItsApplication(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 3, 50, 300, 0)
		src := g.materialize()
		fb := g.act(2) // interview feedback
		fb.Application.ApplicationID, fb.Feedback.ID, fb.ModifiedAt = appID(290), "FNEW", time.Now()
		fb.Feedback.CreatedAt = rsc.Millis(time.Now())
		src.PutActivities(fb)
		eng := e.engine(t, src)
		if _, err := eng.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		if dl := deadLetters(t, eng.DeadLetters(), "c1"); len(dl) > 0 {
			t.Errorf("dead letters:\n%s", describeDL(dl))
		}
		var got []string
		for _, f := range e.cust.InterviewFeedback() {
			got = append(got, f.Key["atsJobApplicationId"]+"/"+f.Key["feedbackId"])
		}
		if d := cmp.Diff([]string{appID(290) + "/FNEW"}, got); d != "" {
			t.Errorf("LinkedIn's interview feedback (-want +got):\n%s", d)
		}
	})
}

// A candidate created while one long Run sends the applications' backlog
// (the candidates completed) and changed twice more is read by three
// sweeps of the completed candidates phase: it counts once.
func TestSweepsOfACompletedPhaseCountOnce(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, paced200)
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 100, 1000, 0)
		g.stages = 0
		src := g.materialize()
		eng := e.engine(t, src, WithFreshLane(time.Minute))
		created := time.Now().Add(90 * time.Second)
		go func() {
			for i, at := range []time.Duration{0, time.Minute, 2 * time.Minute} {
				time.Sleep(time.Until(created.Add(at)))
				c := g.cand(0)
				c.Record.Key.CandidateID, c.ModifiedAt = "CNEW", time.Now()
				c.Record.FirstName = []string{"A", "B", "C"}[i]
				c.Record.CreatedAt, c.Record.LastModifiedAt = rsc.Millis(created), rsc.Millis(time.Now())
				src.PutCandidates(c)
			}
		}()
		if _, err := eng.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		rep, err := eng.Run(t.Context()) // counts the totals again
		must(t, err)
		if n := len(e.cust.Candidates()); n != 101 {
			t.Fatalf("LinkedIn holds %d candidates", n)
		}
		x := rep.Reconciliation[slices.Index(Phases(), PhaseCandidates)]
		if x.ATSTotal != 101 || x.Acknowledged != 101 {
			t.Errorf("candidates reconciliation %+v, want 101 total, 101 acknowledged", x)
		}
	})
}

// A candidate created during the pass that LinkedIn refuses, fixed in the
// ATS a minute later, is sent again by the next sweep and accepted: it
// counts as acknowledged, and its dead letter goes.
func TestFixedDeadLetterInLaneCounts(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 300, 0, 0)
		src := g.materialize()
		now0 := time.Now()
		bad := g.badEmail(0)
		bad.Record.Key.CandidateID, bad.ModifiedAt = "CBAD", now0
		bad.Record.CreatedAt, bad.Record.LastModifiedAt = rsc.Millis(now0), rsc.Millis(now0)
		src.PutCandidates(bad)
		eng := e.engine(t, src, WithFreshLane(time.Minute))
		if _, err := eng.RunSlice(t.Context(), 1); !errors.Is(err, ErrYield) { // the sweep: CBAD refused
			t.Fatalf("RunSlice: %v, want ErrYield", err)
		}
		if n := len(deadLetters(t, eng.DeadLetters(), "c1")); n != 1 {
			t.Fatalf("%d dead letters, want CBAD's", n)
		}
		time.Sleep(time.Minute)
		fixed := g.cand(0)
		fixed.Record.Key.CandidateID, fixed.ModifiedAt = "CBAD", time.Now()
		fixed.Record.CreatedAt, fixed.Record.LastModifiedAt = rsc.Millis(now0), rsc.Millis(time.Now())
		src.PutCandidates(fixed)
		time.Sleep(time.Minute)
		rep, err := eng.Run(t.Context())
		must(t, err)
		if !slices.Contains(held(e)["candidates"], "CBAD") {
			t.Fatal("CBAD not on LinkedIn")
		}
		want := Reconciliation{Phase: PhaseCandidates, ATSTotal: 301, Acknowledged: 301}
		if got := rep.Reconciliation[slices.Index(Phases(), PhaseCandidates)]; got != want {
			t.Errorf("reconciliation %+v, want %+v", got, want)
		}
	})
}

// In one long Run, the lane counts the records created during the pass
// as it sends them: progress never says a phase is done (Done at Total)
// before it completes.
func TestProgressNotFullBeforeCompletion(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, paced200)
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 1000, 0, 0)
		src := g.materialize()
		var early []Progress
		eng := e.engine(t, src, WithFreshLane(time.Minute), WithProgress(func(p Progress) {
			if p.Phase == PhaseCandidates && p.Kind == ProgressBatch && !p.Completed && p.Total > 0 && p.Done >= p.Total {
				early = append(early, p)
			}
		}))
		go func() {
			time.Sleep(90 * time.Second)
			for i := range 150 {
				c := g.cand(i)
				c.Record.Key.CandidateID, c.ModifiedAt = "NEW"+candID(i), time.Now()
				c.Record.CreatedAt, c.Record.LastModifiedAt = rsc.Millis(time.Now()), rsc.Millis(time.Now())
				src.PutCandidates(c)
			}
		}()
		if _, err := eng.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		if len(early) > 0 {
			p := early[0]
			t.Errorf("%d batch events at 100%% before the phase completed; first: Done %d of Total %d, ETA %v, this run's Sent %d",
				len(early), p.Done, p.Total, p.ETA, p.Run.Sent)
		}
	})
}

// A candidate created during the pass reaches LinkedIn at the next sweep;
// deleted in the ATS a minute later, it leaves LinkedIn at the sweep after,
// not when the whole historical pass completes.
func TestDeletionOfLaneRecordDoesNotWaitForThePass(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, paced200)
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 1400, 0, 0)
		src := g.materialize()
		eng := e.engine(t, src, WithFreshLane(time.Minute))
		var sentAt, gone, deletedAt time.Time
		stop, done := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(done)
			time.Sleep(30 * time.Second)
			c := g.cand(0)
			c.Record.Key.CandidateID, c.ModifiedAt = "CGDPR", time.Now()
			c.Record.CreatedAt, c.Record.LastModifiedAt = rsc.Millis(time.Now()), rsc.Millis(time.Now())
			src.PutCandidates(c)
			for {
				select {
				case <-stop:
					return
				case <-time.After(5 * time.Second):
				}
				on := slices.Contains(held(e)["candidates"], "CGDPR")
				switch {
				case on && sentAt.IsZero():
					sentAt = time.Now()
					time.Sleep(time.Minute)
					deletedAt = time.Now()
					src.Delete(Deletion{Kind: KindCandidate, ID: "CGDPR", Integration: e.cust.Organization, DeletedAt: deletedAt})
				case !on && !sentAt.IsZero() && gone.IsZero():
					gone = time.Now()
				}
			}
		}()
		if _, err := eng.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		end := time.Now()
		time.Sleep(10 * time.Second)
		close(stop)
		<-done
		if sentAt.IsZero() {
			t.Fatal("CGDPR never sent")
		}
		if gone.IsZero() || gone.Sub(deletedAt) > 2*time.Minute {
			t.Errorf("CGDPR sent by the lane at %v, deleted in the ATS at %v, still on LinkedIn %v later (gone at %v, the pass ended at %v)",
				sentAt.Format(time.TimeOnly), deletedAt.Format(time.TimeOnly), gone.Sub(deletedAt), gone.Format(time.TimeOnly), end.Format(time.TimeOnly))
		}
	})
}

// A record created before the pass and changed after the last sweep, but
// before the backlog reached it, leaves the backlog: the lane reads it
// once more before the phase completes, and it counts once.
func TestChangeAfterLastSweepCounts(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 500, 0, 0)
		src := g.materialize()
		eng := e.engine(t, src)
		if _, err := eng.RunSlice(t.Context(), 2); !errors.Is(err, ErrYield) { // the sweep, the backlog's first batches
			t.Fatalf("RunSlice: %v, want ErrYield", err)
		}
		cp, err := eng.Store().Load(t.Context(), "c1")
		must(t, err)
		i := g.first(500, candID, cp.Phases[PhaseCandidates].Cursor) + 10
		time.Sleep(time.Minute) // no sweep due (five minutes)
		c := g.cand(i)
		c.Record.FirstName, c.ModifiedAt = "Bea", time.Now()
		src.PutCandidates(c)
		if _, err := eng.Run(t.Context()); err != nil {
			t.Fatal(err)
		}
		rep, err := eng.Run(t.Context())
		must(t, err)
		if got := held(e)["candidates"]; len(got) != 500 {
			t.Fatalf("LinkedIn holds %d candidates", len(got))
		}
		want := Reconciliation{Phase: PhaseCandidates, ATSTotal: 500, Acknowledged: 500}
		if got := rep.Reconciliation[slices.Index(Phases(), PhaseCandidates)]; got != want {
			t.Errorf("reconciliation %+v, want %+v", got, want)
		}
		st, err := eng.State(t.Context())
		must(t, err)
		if pc := st[PhaseCandidates]; pc.Done != 500 {
			t.Errorf("candidates: Done %d, want 500", pc.Done)
		}
	})
}

// During the historical pass, the deletion of a record the backlog sent
// leaves Acknowledged, once: the sweeps read the deletions while the
// backlog goes on.
func TestDeletionsDuringBacklog(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env) {
		g := newGen(e.cust.Organization, backlogEnd(), 24*time.Hour, 0, 500, 0, 0)
		src := g.materialize()
		eng := e.engine(t, src, WithFreshLane(time.Minute))
		for range 2 { // a sweep, then a batch of the backlog, twice
			if _, err := eng.RunSlice(t.Context(), 1); !errors.Is(err, ErrYield) {
				t.Fatalf("RunSlice: %v, want ErrYield", err)
			}
			time.Sleep(2 * time.Minute)
		}
		cp, err := eng.Store().Load(t.Context(), "c1")
		must(t, err)
		bc := cp.Phases[PhaseCandidates].Cursor
		sent := g.first(500, candID, bc) - 150
		if sent < 0 {
			t.Fatalf("setup: the backlog is at %v, only %d candidates sent", bc, sent+150)
		}
		src.Delete(Deletion{Kind: KindCandidate, ID: candID(sent), DeletedAt: time.Now(), Integration: e.cust.Organization})
		time.Sleep(2 * time.Minute)
		rep, err := eng.Run(t.Context())
		must(t, err)
		if n := rep.Phases[PhaseDeletions].Acknowledged; n != 1 {
			t.Errorf("%d deletions acknowledged, want 1", n)
		}
		// The next run counts the ATS's records again (the pass's end takes
		// the records it read, the deleted one it sent included, for the
		// total).
		rep, err = eng.Run(t.Context())
		must(t, err)
		checkCandidates(t, eng, rep, Reconciliation{Phase: PhaseCandidates, ATSTotal: 499, Acknowledged: 499}, nil)
	})
}
