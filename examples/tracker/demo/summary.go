package demo

import (
	"cmp"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	rscsync "github.com/rscgo/rscgo/sync"
)

func (r *run) path(name string) string { return filepath.Join(r.cfg.DataDir, name) }

// summary runs an incremental sync for what changed in Tracker since the
// historical sync (the exported candidate, profile links), then prints
// the feature table, the reconciliation of Tracker against LinkedIn and
// the dead letters.
func (r *run) summary() error {
	ctx := r.ctx
	rep, err := r.runEngine()
	if err != nil {
		return fmt.Errorf("incremental sync: %w", err)
	}
	var sent int64
	for _, p := range rep.Phases {
		sent += p.Sent
	}
	r.out.printf("\nIncremental sync of what changed in Tracker since: %d record(s) sent", sent)
	if err := r.observe(); err != nil {
		return err
	}
	feats, _, err := r.ms.Report(ctx, r.cust, r.state())
	if err != nil {
		return err
	}
	r.res.Features = feats
	if r.res.Milestones, err = r.ms.Events(ctx, r.cust); err != nil {
		return err
	}
	r.out.printf("\nFeatures (milestones %s)\n%s", eventList(r.res.Milestones), indent(feats.Text()))
	if err := r.loadDeadLetters(); err != nil {
		return err
	}
	if err := r.reconcile(rep); err != nil {
		return err
	}
	r.mon.update(func(s *Snapshot) {
		s.Reconciliation = r.res.Reconciliation
		s.DeadLetters = len(r.res.DeadLetters)
	})
	r.printDeadLetters()
	return nil
}

// loadDeadLetters reads the customer's dead letters (not the deletions)
// into the result, by phase and id.
func (r *run) loadDeadLetters() error {
	for d, err := range r.dead.List(r.ctx, r.cust) {
		if err != nil {
			return err
		}
		if !d.Delete && !d.Requested { // a resync request is no refusal
			r.res.DeadLetters = append(r.res.DeadLetters, d)
		}
	}
	slices.SortFunc(r.res.DeadLetters, func(a, b rscsync.DeadLetter) int {
		return cmp.Or(cmp.Compare(a.Kind.Phase(), b.Kind.Phase()), cmp.Compare(a.ID, b.ID))
	})
	return nil
}

// reconcile prints Tracker's records in the historical window against the
// dead letters, what the engine counted as acknowledged and what LinkedIn
// holds.
func (r *run) reconcile(rep *rscsync.Report) error {
	cp, err := r.store.Load(r.ctx, r.cust)
	switch {
	case err != nil:
		return fmt.Errorf("demo: reading the sync checkpoint: %w", err)
	case cp == nil:
		return fmt.Errorf("demo: reading the sync checkpoint: none stored for %s", r.cust)
	}
	tot, err := r.src.Totals(r.ctx, cp.WindowFrom)
	if err != nil {
		return err
	}
	dead := map[rscsync.Phase]int64{}
	for _, d := range r.res.DeadLetters {
		dead[d.Kind.Phase()]++
	}
	acked := map[rscsync.Phase]int64{}
	for _, x := range rep.Reconciliation {
		acked[x.Phase] = x.Acknowledged
	}
	held, herr := r.li.holds(r.ctx, r.contract.App.ClientID)
	content, cerr := r.reconcileContent()
	r.res.Content = content
	entities := []struct {
		name    string
		phase   rscsync.Phase
		tracker int64
		li      int64
	}{
		{"jobs", rscsync.PhaseJobs, tot.Jobs, held.Jobs},
		{"candidates", rscsync.PhaseCandidates, tot.Candidates, held.Candidates},
		{"placements", rscsync.PhaseApplications, tot.Applications, held.Placements},
		{"activities", rscsync.PhaseActivities, tot.Activities, held.Activities},
	}
	r.out.printf("\nReconciliation: Tracker records modified since %s against LinkedIn", cp.WindowFrom.Format("2006-01-02"))
	r.out.printf("  %-11s %8s %13s %9s %10s %13s  %-22s", "", "Tracker", "dead letters", "expected", "LinkedIn", "acknowledged", "content")
	for _, e := range entities {
		x := Reconciled{Entity: e.name, Tracker: e.tracker, DeadLetters: dead[e.phase], Acknowledged: acked[e.phase], LinkedIn: e.li}
		if herr != nil {
			x.LinkedIn = -1
		}
		var ctext string
		x.ContentDiffers, ctext = contentOf(content, e.phase)
		r.res.Reconciliation = append(r.res.Reconciliation, x)
		mark := "✓ equal"
		if !x.Balanced() {
			mark = "✗ MISMATCH"
		}
		li := thousands(x.LinkedIn)
		if x.LinkedIn < 0 {
			li = "?"
		}
		r.out.printf("  %-11s %8s %13s %9s %10s %13s  %-22s %s", e.name, thousands(x.Tracker), thousands(x.DeadLetters),
			thousands(x.Tracker-x.DeadLetters), li, thousands(x.Acknowledged), ctext, mark)
	}
	if herr != nil {
		r.out.printf("  (LinkedIn's side could not be counted: %v)", herr)
	}
	switch {
	case cerr != nil:
		r.out.printf("  (the content could not be compared: %v)", cerr)
	case content.Differs():
		var b strings.Builder
		if err := shortContent(content).WriteText(&b); err != nil {
			return err
		}
		r.out.printf("  Content differences, field by field (every field the sync sends, per record; the first %d keys of each kind):\n%s",
			shownKeys, indent(indent(b.String())))
	}
	return nil
}

// shownKeys is how many keys of each kind and outcome the demo prints
// (Result.Content lists up to 100).
const shownKeys = 6

// shortContent returns rep with at most shownKeys keys per kind and outcome.
func shortContent(rep *rscsync.ContentReport) *rscsync.ContentReport {
	short := *rep
	short.Kinds = slices.Clone(rep.Kinds)
	for i := range short.Kinds {
		k := &short.Kinds[i]
		k.MissingKeys = k.MissingKeys[:min(len(k.MissingKeys), shownKeys)]
		k.StaleRecords = k.StaleRecords[:min(len(k.StaleRecords), shownKeys)]
		k.ExtraKeys = k.ExtraKeys[:min(len(k.ExtraKeys), shownKeys)]
	}
	return &short
}

// reconcileContent compares Tracker's records with what LinkedIn holds,
// field by field (Engine.ReconcileContent): against the fake, every kind
// and every record the fake holds.
func (r *run) reconcileContent() (*rscsync.ContentReport, error) {
	opts := []rscsync.Option{rscsync.WithStore(r.store), rscsync.WithDeadLetters(r.dead)}
	switch li := r.li.(type) {
	case *localFake:
		cu := li.srv.Customer(r.contract.App.ClientID)
		if cu == nil {
			return nil, fmt.Errorf("demo: the fake has no customer %q", r.contract.App.ClientID)
		}
		opts = append(opts, rscsync.WithHoldings(cu.Holdings()))
	case *remoteFake:
		st, err := li.state(r.ctx, r.contract.App.ClientID)
		if err != nil {
			return nil, err
		}
		opts = append(opts, rscsync.WithHoldings(st.Holdings()))
	}
	eng, err := rscsync.NewEngine(r.client, r.cust, r.src, opts...)
	if err != nil {
		return nil, err
	}
	return eng.ReconcileContent(r.ctx, 0)
}

// contentOf sums the content differences of an entity's kinds and says
// them in a few words (-1 and "?" when the content was not compared).
func contentOf(rep *rscsync.ContentReport, phase rscsync.Phase) (int64, string) {
	if rep == nil {
		return -1, "?"
	}
	var missing, stale, extra int64
	for _, k := range rep.Kinds {
		if k.Kind.Phase() != phase {
			continue
		}
		if k.Unchecked != "" {
			return -1, "not checked"
		}
		missing, stale, extra = missing+k.Missing, stale+k.Stale, extra+k.Extra
	}
	if missing+stale+extra == 0 {
		return 0, "same fields"
	}
	var parts []string
	for _, p := range []struct {
		n    int64
		what string
	}{{missing, "missing"}, {stale, "stale"}, {extra, "extra"}} {
		if p.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", p.n, p.what))
		}
	}
	return missing + stale + extra, strings.Join(parts, ", ")
}

// printDeadLetters lists the first few dead letters of each kind.
func (r *run) printDeadLetters() {
	r.out.printf("\nDead letters: %d record(s) LinkedIn's rules refused (fix them in Tracker; Engine.RetryDeadLetters resends them)",
		len(r.res.DeadLetters))
	const shown = shownKeys // per kind; the admin page's JSON and the dead-letter store have them all
	perKind := map[rscsync.EntityKind]int{}
	for _, d := range r.res.DeadLetters {
		if perKind[d.Kind]++; perKind[d.Kind] > shown {
			continue
		}
		field := d.Field
		if field == "" {
			field = "-"
		}
		r.out.printf("  %-10s %-10s %-18s %s", d.Kind, d.ID, field, d.Reason)
	}
	for _, k := range slices.Sorted(maps.Keys(perKind)) {
		if n := perKind[k]; n > shown {
			r.out.printf("  ... and %d more %s dead letters", n-shown, k)
		}
	}
	if perKind[rscsync.KindApplication] > 0 {
		r.out.printf("  (a placement carries its candidate's email, so a candidate with an invalid one holds back its placements too)")
		if perKind[rscsync.KindInterviewFeedback] > 0 {
			r.out.printf("  (LinkedIn takes no interview feedback of a placement it does not hold: a refused placement holds back its feedback)")
		}
	}
}

func indent(s string) string {
	return "  " + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n  ")
}
