package fleetproof

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	gosync "sync"
	"testing"
	"time"

	"github.com/rscgo/rscgo/fleet/internal/fleetgen"
	"github.com/rscgo/rscgo/fleet/internal/fleetrun"
	"github.com/rscgo/rscgo/fleet/pgstore"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// proof is a finished run, to check.
type proof struct {
	t     *testing.T
	r     run
	db    *pgstore.DB
	fake  string
	custs []fleetgen.Customer
	f     *fleet
	rec   *recorder
	kills []kill
	pause paused
}

// totals are the run's figures.
type totals struct {
	records, sent, resent, interrupted, fencedSpans int
	mostResentPerInterruption                       float64
}

func (t *totals) add(o totals) {
	t.records += o.records
	t.sent += o.sent
	t.resent += o.resent
	t.interrupted += o.interrupted
	t.fencedSpans += o.fencedSpans
	t.mostResentPerInterruption = max(t.mostResentPerInterruption, o.mostResentPerInterruption)
}

// check checks the end state of every customer and the faults.
func (p *proof) check(ctx context.Context) {
	t := p.t
	if len(p.kills) != p.r.kills {
		t.Errorf("%d SIGKILLs delivered, want %d", len(p.kills), p.r.kills)
	}
	if len(p.pause.refused) == 0 {
		t.Errorf("worker %s, paused past its lease, had no write refused", p.pause.proc)
	}
	// A commit that began before SIGSTOP may have been made then; one that
	// began after it began after SIGCONT, once another process held the
	// customer, and must have been refused.
	// Slices it started after it resumed hold leases of their own.
	before := map[string]bool{}
	for _, e := range p.f.eventsOf(func(e fleetrun.Event) bool { return e.Worker == p.pause.proc && e.Event == "start" }) {
		before[e.Slice] = e.Time.Before(p.pause.stoppedAt)
	}
	late := p.f.eventsOf(func(e fleetrun.Event) bool {
		return e.Worker == p.pause.proc && e.Event == "commit" && before[e.Slice] && e.Began.After(p.pause.stoppedAt)
	})
	if len(late) > 0 {
		t.Errorf("worker %s, paused past its lease, committed after it resumed: %s", p.pause.proc, describe(late))
	}
	t.Logf("pause: worker %s stopped %v (attempt %d), customers %v taken over; refused after SIGCONT: %s",
		p.pause.proc, p.pause.stopped.Round(time.Millisecond), p.pause.attempts, p.pause.customers, describe(p.pause.refused))
	ends := map[string]fleetrun.Event{}
	fenced := map[string]bool{}
	for _, e := range p.f.eventsOf(func(fleetrun.Event) bool { return true }) {
		switch {
		case e.Event == "end":
			ends[e.Slice] = e
			fenced[e.Slice] = fenced[e.Slice] || e.Result == "fenced"
		case e.Event == "refused":
			fenced[e.Slice] = true
		}
	}
	spans := p.rec.byCustomer()
	var tot totals
	var mu gosync.Mutex
	var wg gosync.WaitGroup
	next := make(chan fleetgen.Customer)
	for range 2 { // the checks are independent: use both cores
		wg.Go(func() {
			for c := range next {
				var one totals
				p.checkCustomer(ctx, c, spans[c.ID], ends, fenced, &one)
				mu.Lock()
				tot.add(one)
				mu.Unlock()
			}
		})
	}
	for _, c := range p.custs {
		next <- c
	}
	close(next)
	wg.Wait()
	p.checkKills(ends)
	t.Logf("%d customers, %d records: %d sent, %d re-sent after %d interrupted slices (at most %.0f per interrupted slice, bound %d); %d fenced slices overlapped another",
		len(p.custs), tot.records, tot.sent, tot.resent, tot.interrupted, tot.mostResentPerInterruption, inFlight*batchSize, tot.fencedSpans)
}

// describe summarises refused-write events.
func describe(evs []fleetrun.Event) string {
	var b strings.Builder
	for _, e := range evs {
		fmt.Fprintf(&b, "[%s %s %s %s] ", e.Event, e.Customer, e.Slice, e.Result)
	}
	return b.String()
}

// checkCustomer checks one customer: what the fake holds, its checkpoint
// and dead letters, who worked it when, and its re-sends.
func (p *proof) checkCustomer(ctx context.Context, c fleetgen.Customer, spans []span, ends map[string]fleetrun.Event, fenced map[string]bool, tot *totals) {
	t := p.t
	st, ok := p.state(c)
	if !ok || !p.reconcile(ctx, c, st) {
		return
	}
	cp, err := p.db.Checkpoints().Load(ctx, c.ID)
	if err != nil || cp == nil || cp.Phases[rscsync.PhaseCandidates].Done != int64(c.Records) {
		t.Errorf("customer %s: checkpoint %v (err %v): want %d candidates done", c.ID, doneOf(cp), err, c.Records)
	}
	for d, err := range p.db.DeadLetters().List(ctx, c.ID) {
		t.Errorf("customer %s: dead letter %+v (err %v)", c.ID, d, err)
	}
	tot.fencedSpans += overlaps(t, c.ID, spans, fenced)
	interrupted := 0
	for _, s := range spans {
		if e, ok := ends[s.slice]; !ok || e.Result != "done" && e.Result != "snoozed" {
			interrupted++
		}
	}
	sent := int(st.Counters.Records)
	resent := sent - c.Records
	if resent < 0 || resent > interrupted*inFlight*batchSize {
		t.Errorf("customer %s: %d records sent for %d: %d re-sent after %d interrupted slices, bound %d; slices:\n%s",
			c.ID, sent, c.Records, resent, interrupted, interrupted*inFlight*batchSize, spanList(spans, ends))
	}
	tot.records += c.Records
	tot.sent += sent
	tot.resent += resent
	tot.interrupted += interrupted
	if interrupted > 0 {
		tot.mostResentPerInterruption = max(tot.mostResentPerInterruption, float64(resent)/float64(interrupted))
	}
}

func doneOf(cp *rscsync.Checkpoint) any {
	if cp == nil {
		return nil
	}
	return cp.Phases[rscsync.PhaseCandidates].Done
}

// state reads what the fake holds for the customer.
func (p *proof) state(c fleetgen.Customer) (rsctest.CustomerState, bool) {
	var st rsctest.CustomerState
	resp, err := http.Get(p.fake + "/_rsctest/customers/" + c.ClientID)
	if err != nil {
		p.t.Errorf("customer %s's state on the fake: %v", c.ID, err)
		return st, false
	}
	defer resp.Body.Close()
	if err := json.NewDecoder(resp.Body).Decode(&st); err != nil || resp.StatusCode != http.StatusOK {
		p.t.Errorf("customer %s's state on the fake: HTTP %d, %v", c.ID, resp.StatusCode, err)
		return st, false
	}
	return st, true
}

// reconcile compares, record by record, the customer's ATS with what the
// fake holds: every kind, every field, and nothing more on LinkedIn. It
// returns whether it could compare them.
func (p *proof) reconcile(ctx context.Context, c fleetgen.Customer, st rsctest.CustomerState) bool {
	t := p.t
	client, err := rsc.NewClient(rsc.WithBaseURL(p.fake), rsc.WithTokenURL(p.fake+"/oauth/v2/accessToken"),
		rsc.WithCredentials(c.ClientID, c.ClientSecret))
	var eng *rscsync.Engine
	if err == nil {
		eng, err = rscsync.NewEngine(client, c.ID, c.Source(p.r.plan.Epoch), rscsync.WithStore(p.db.Checkpoints()),
			rscsync.WithDeadLetters(p.db.DeadLetters()), rscsync.WithHoldings(st.Holdings()))
	}
	var rep *rscsync.ContentReport
	if err == nil {
		rep, err = eng.ReconcileContent(ctx, 0)
	}
	if err != nil {
		t.Errorf("customer %s: reconciling: %v", c.ID, err)
		return false
	}
	for _, k := range rep.Kinds {
		want := int64(0)
		if k.Kind == rscsync.KindCandidate {
			want = int64(c.Records)
		}
		if k.Unchecked != "" || k.Missing+k.Stale+k.Extra > 0 || k.Checked != want || k.Equal != want {
			var b strings.Builder
			_ = rep.WriteText(&b)
			t.Errorf("customer %s: %s: want %d checked and equal, nothing missing, stale or extra:\n%s", c.ID, k.Kind, want, b.String())
		}
	}
	return true
}

// overlaps reports two slices of one customer that talked to LinkedIn at
// overlapping times, unless one of them was fenced (its lease lost, its
// writes refused). It returns how many fenced slices overlapped another.
func overlaps(t *testing.T, cust string, spans []span, fenced map[string]bool) int {
	t.Helper()
	slices.SortFunc(spans, func(a, b span) int { return a.start.Compare(b.start) })
	n := 0
	for i, a := range spans {
		for _, b := range spans[i+1:] {
			if !b.start.Before(a.end) {
				break
			}
			if fenced[a.slice] || fenced[b.slice] {
				n++
				continue
			}
			t.Errorf("customer %s worked at once by slice %s (%s to %s) and slice %s (%s to %s)", cust,
				a.slice, a.start.Format(time.StampMicro), a.end.Format(time.StampMicro), b.slice, b.start.Format(time.StampMicro), b.end.Format(time.StampMicro))
		}
	}
	return n
}

// checkKills logs, per SIGKILL, the slices it interrupted (started, never
// ended), and checks that at least one kill interrupted a slice.
func (p *proof) checkKills(ends map[string]fleetrun.Event) {
	t := p.t
	starts := p.f.eventsOf(func(e fleetrun.Event) bool { return e.Event == "start" })
	hit := 0
	for _, k := range p.kills {
		var cut []string
		for _, s := range starts {
			if _, ended := ends[s.Slice]; s.Worker == k.proc && !ended {
				cut = append(cut, s.Customer)
			}
		}
		if len(cut) > 0 {
			hit++
		}
		if len(cut) > maxWorkers {
			t.Errorf("SIGKILL of %s interrupted %d slices, more than the %d a worker runs at once", k.proc, len(cut), maxWorkers)
		}
		t.Logf("SIGKILL %s at %s interrupted %d slices %v", k.proc, k.at.Format(time.StampMilli), len(cut), cut)
	}
	if hit < len(p.kills)/2 {
		t.Errorf("%d of the %d SIGKILLs interrupted a slice, want at least half", hit, len(p.kills))
	}
}

// spanList lists the slices of spans, in order, with their results.
func spanList(spans []span, ends map[string]fleetrun.Event) string {
	slices.SortFunc(spans, func(a, b span) int { return a.start.Compare(b.start) })
	var b strings.Builder
	for _, s := range spans {
		e, ok := ends[s.slice]
		res := "no end"
		if ok {
			res = e.Result + " " + e.Error
		}
		fmt.Fprintf(&b, "  %s %s..%s %d requests: %s\n", s.slice, s.start.Format(time.StampMicro), s.end.Format("15:04:05.000000"), s.requests, res)
	}
	return b.String()
}
