package demo

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/rscgo/rscgo/examples/tracker"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/onboarding"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// The fake's throttles, relaxed so that the demo takes seconds: LinkedIn
// allows 10,000 records a minute per resource and application; the fake
// and the client's pacer allow fakeRecordsPerMinute.
const fakeRecordsPerMinute = 100_000

// run is one demo run: Tracker, the LinkedIn side, and the SDK's pieces in
// between.
type run struct {
	cfg  Config
	ctx  context.Context
	out  *console
	mon  *Monitor
	res  *Result
	cust string

	db      *tracker.DB
	li      linkedIn
	fake    *localFake // nil against a server given by URL
	partner *rsc.Client
	copts   []rsc.Option // options of every client (transport, pacing)
	flow    *onboarding.Flow
	ms      *milestones.Tracker
	store   *rscsync.FileStore
	dead    *rscsync.FileDeadLetters

	// Set when the historical sync starts.
	contract onboarding.Contract
	client   *rsc.Client
	src      *tracker.Source
	eng      *rscsync.Engine
	syncWG   sync.WaitGroup
	syncOnce sync.Once
	syncRep  *rscsync.Report
	syncErr  error

	mu        sync.Mutex // guards the state the milestones are computed from
	status    onboarding.Status
	enabledAt time.Time
	phases    map[rscsync.Phase]rscsync.PhaseState
	observeMu sync.Mutex // one milestone observation at a time, so events print in order

	closers []func() // what open opened, closed by closeAll
}

// Run runs the demo: Tracker's data, the set-up steps, the historical sync
// with its milestones, what comes back from LinkedIn, and the final
// reconciliation. It writes what it does to cfg.Out and returns what it
// found. A cancelled ctx stops it; a later Run with the same DataDir
// resumes. A Run after one that finished starts fresh, unless
// cfg.KeepFinished. The first line of the output says which.
func Run(ctx context.Context, cfg Config) (res *Result, err error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	r := &run{cfg: cfg, ctx: ctx, mon: cfg.Monitor, res: &Result{}, cust: cfg.CustomerID,
		phases: map[rscsync.Phase]rscsync.PhaseState{}}
	r.out = newConsole(cfg.Out, cfg.Terminal, r.mon.line)
	if cfg.Telemetry != nil {
		r.mon.serve(served{metrics: cfg.Telemetry.Metrics()})
	}
	r.mon.update(func(s *Snapshot) { s.Customer = r.cust })
	defer func() {
		cancel()
		r.syncWG.Wait() // never leave the sync running on a closed database
		r.closeAll()
		r.out.finish()
		if err != nil {
			r.mon.update(func(s *Snapshot) { s.Stage, s.Error = "failed", err.Error() })
		}
	}()

	if err := r.begin(); err != nil {
		return nil, err
	}
	if err := r.open(); err != nil {
		return nil, err
	}
	for _, step := range []struct {
		stage string
		fn    func() error
	}{
		{"onboarding", r.setUp},
		{"historical sync", r.waitForSync},
		{"LinkedIn to Tracker", r.roundTrip},
		{"done", r.summary},
	} {
		r.mon.update(func(s *Snapshot) { s.Stage = step.stage })
		if err := step.fn(); err != nil {
			return r.res, err
		}
	}
	if err := os.WriteFile(filepath.Join(cfg.DataDir, finishedFile), []byte(time.Now().UTC().Format(time.RFC3339)+"\n"), 0o600); err != nil {
		return r.res, err
	}
	if cfg.AfterRun != nil {
		cfg.AfterRun(ctx, r.res)
	}
	return r.res, nil
}

// begin decides how the run starts and says so on the first line: fresh
// (an empty data directory, or one whose last run finished: its files are
// wiped), resuming an interrupted run, or again over a finished run's data
// (Config.KeepFinished).
func (r *run) begin() error {
	dir := r.cfg.DataDir
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	_, ferr := os.Stat(filepath.Join(dir, finishedFile))
	_, serr := os.Stat(filepath.Join(dir, dbFile))
	finished, started := ferr == nil, serr == nil
	switch {
	case finished && r.cfg.KeepFinished:
		r.res.Start = StartAgain
		r.out.printf("Running again on the finished run's data in %s (-fresh starts over)", dir)
	case finished:
		if err := Wipe(dir); err != nil {
			return err
		}
		r.res.Start = StartFresh
		r.out.printf("Starting fresh in %s: the last run there finished (-keep runs again on its data)", dir)
	case started:
		r.res.Start = StartResumed
		r.out.printf("Resuming the interrupted run in %s (-fresh starts over)", dir)
	default:
		r.res.Start = StartFresh
		r.out.printf("Starting fresh in %s", dir)
	}
	if u := r.cfg.AdminURL; u != "" {
		tok := ""
		if r.mon != nil {
			tok = r.mon.Token()
		}
		r.out.printf("console: %slogin?token=%s (the run: %srun; JSON: %sstatus.json; metrics: %smetrics)", u, tok, u, u, u)
	}
	return nil
}

// open opens the data directory's stores, Tracker's database (generating
// its data on the first run) and the LinkedIn side. Run's closeAll closes
// what was opened, also after an error.
func (r *run) open() error {
	dir := r.cfg.DataDir
	r.out.printf("Tracker ⇄ LinkedIn Recruiter System Connect (rscgo demo)")
	if err := r.openTracker(dir); err != nil {
		return err
	}
	var err error
	if r.cfg.LinkedInURL == "" {
		err = r.openFake(dir)
	} else {
		err = r.openRemote()
	}
	if err != nil {
		return err
	}
	r.copts = append(r.copts, rsc.WithLimits(relaxedLimits()))
	if err := r.openStores(dir); err != nil {
		return err
	}

	// Milestones reached before a restart are not announced again.
	evs, err := r.ms.Events(r.ctx, r.cust)
	if err != nil {
		return err
	}
	if len(evs) > 0 {
		r.enabledAt = evs[0].At
		r.out.printf("milestones already reached: %s", eventList(evs))
		r.mon.update(func(s *Snapshot) { s.Milestones = evs })
	}
	return nil
}

// closeAll closes what open opened, in reverse order.
func (r *run) closeAll() {
	for _, c := range slices.Backward(r.closers) {
		c()
	}
	r.closers = nil
}

// openTracker opens Tracker, the ATS, generating its years of data when
// the database is empty.
func (r *run) openTracker(dir string) error {
	db, err := tracker.Open(filepath.Join(dir, dbFile))
	if err != nil {
		return err
	}
	r.closers = append(r.closers, func() { db.Close() })
	r.db = db
	start := time.Now()
	gen, err := tracker.Generate(r.ctx, db, tracker.GenerateOptions{Candidates: r.cfg.Candidates, Seed: r.cfg.Seed,
		BadRecords: r.cfg.BadRecords, Now: r.cfg.GenerateNow})
	switch {
	case errors.Is(err, tracker.ErrNotEmpty):
		r.out.printf("Tracker: using the existing database")
	case err != nil:
		return err
	default:
		r.res.Generated = &gen
		r.out.printf("Tracker: generated 3 years of data in %v: %s candidates, %s jobs, %s placements, %s activities, %d users (%d candidates and %d jobs deliberately invalid)",
			time.Since(start).Round(time.Millisecond), thousands(int64(gen.Candidates)), thousands(int64(gen.Jobs)),
			thousands(int64(gen.Placements)), thousands(int64(gen.Activities)), gen.Users, gen.BadCandidates, gen.BadJobs)
	}
	return nil
}

// openFake starts the fake LinkedIn in-process and replays its journal, so
// it holds what it acknowledged before a restart.
func (r *run) openFake(dir string) error {
	srv, err := rsctest.New(rsctest.WithoutListener(), rsctest.WithSeed(1), rsctest.WithJobTaskLatency(0),
		rsctest.WithLimits(rsctest.Limits{SyncRecordsPerMinute: fakeRecordsPerMinute}))
	if err != nil {
		return err
	}
	r.closers = append(r.closers, srv.Close)
	j, n, err := openJournal(filepath.Join(dir, journalFile), srv)
	if err != nil {
		return err
	}
	r.closers = append(r.closers, func() { j.close() })
	r.fake = &localFake{srv: srv, j: j}
	r.li = r.fake
	r.res.Replayed = n
	r.copts = append([]rsc.Option{rsc.WithBaseURL(srv.URL()), rsc.WithTokenURL(srv.TokenURL())}, r.cfg.Telemetry.clientOptions(j)...)
	id, secret := srv.PartnerCredentials()
	if r.partner, err = rsc.NewClient(append(r.copts, rsc.WithCredentials(id, secret))...); err != nil {
		return err
	}
	r.out.printf("LinkedIn: the fake LinkedIn of rsc/rsctest, in-process; throttles relaxed to %s records a minute (LinkedIn: 10,000)",
		thousands(fakeRecordsPerMinute))
	if n > 0 {
		r.out.printf("LinkedIn: replayed %s journalled requests into the fake, so it holds what it acknowledged before the restart", thousands(int64(n)))
	}
	return nil
}

// openRemote connects to the RSC-compatible server at Config.LinkedInURL.
func (r *run) openRemote() error {
	r.li = &remoteFake{base: r.cfg.LinkedInURL, hc: &http.Client{Timeout: time.Minute}}
	r.copts = []rsc.Option{rsc.WithBaseURL(r.cfg.LinkedInURL), rsc.WithTokenURL(r.cfg.TokenURL)}
	if r.cfg.Telemetry != nil {
		r.copts = append(r.copts, r.cfg.Telemetry.clientOptions(http.DefaultTransport.(*http.Transport).Clone())...)
	}
	var err error
	if r.partner, err = rsc.NewClient(append(r.copts, rsc.WithCredentials(r.cfg.ClientID, r.cfg.ClientSecret))...); err != nil {
		return err
	}
	r.out.printf("LinkedIn: %s (partner client id %s)", r.cfg.LinkedInURL, r.cfg.ClientID)
	return nil
}

// openStores opens the SDK's stores, all in the data directory, and the
// onboarding flow over them.
func (r *run) openStores(dir string) error {
	obStore, err := onboarding.NewFileStore(filepath.Join(dir, onboardingDir))
	if err != nil {
		return err
	}
	secrets, err := onboarding.NewFileSecretStore(filepath.Join(dir, secretsDir))
	if err != nil {
		return err
	}
	if r.store, err = rscsync.NewFileStore(filepath.Join(dir, syncDir)); err != nil {
		return err
	}
	if r.dead, err = rscsync.NewFileDeadLetters(filepath.Join(dir, deadDir)); err != nil {
		return err
	}
	msStore, err := milestones.NewFileStore(filepath.Join(dir, milestonesDir))
	if err != nil {
		return err
	}
	if r.ms, err = milestones.NewTracker(msStore); err != nil {
		return err
	}
	consents, err := onboarding.NewConsentRegistry(obStore)
	if err != nil {
		return err
	}
	r.flow, err = onboarding.NewFlow(onboarding.FlowConfig{
		Partner:  r.partner,
		ATSName:  "Tracker",
		Domains:  []string{"https://tracker.example.com"},
		PushBase: "https://tracker.example.com/rsc/push",
	},
		onboarding.WithSecretStore(secrets),
		onboarding.WithStateStore(obStore),
		onboarding.WithConsentRegistry(consents),
		onboarding.WithCustomerOptions(r.copts[len(r.copts)-1:]...), // the pacing; transport and URLs come with the partner client
		onboarding.WithStartSync(func(_ context.Context, _ string, c onboarding.Contract) error {
			return r.startSync(c)
		}),
	)
	if err != nil {
		return err
	}
	return r.openConsole(obStore, msStore)
}

// relaxedLimits is the client-side pacing of the demo: LinkedIn's documented
// quotas with the per-minute record quota raised like the fake's.
func relaxedLimits() rsc.Limits {
	l := rsc.DefaultLimits()
	l.SyncRecordsPerMinute = fakeRecordsPerMinute
	return l
}

// startSync starts the historical sync in the background (Save, Tracker
// seed step 8). It is called by the onboarding flow, or by the demo when it
// resumes a sync started before a restart; it starts at most once.
func (r *run) startSync(c onboarding.Contract) error {
	var err error
	r.syncOnce.Do(func() { err = r.launchSync(c) })
	return err
}

func (r *run) launchSync(c onboarding.Contract) error {
	if c.App == nil || c.Organization == "" {
		return errors.New("demo: the contract has no application or organization yet")
	}
	client, err := r.flow.Provisioner().CustomerClient(r.ctx, c.App.SecretRef, r.copts[len(r.copts)-1:]...)
	if err != nil {
		return err
	}
	r.contract, r.client = c, client
	if r.src, err = tracker.NewSource(r.db, tracker.Config{IntegrationContext: c.Organization}); err != nil {
		return err
	}
	eng, err := rscsync.NewEngine(client, r.cust, r.src,
		rscsync.WithStore(r.store),
		rscsync.WithDeadLetters(r.dead),
		rscsync.WithConsent(r.flow.Consents()),
		rscsync.WithIntegrationContexts(c.Organization), // a record of another customer is refused, not sent
		rscsync.WithProgress(r.progressFunc()),
		rscsync.WithTaskPollInterval(100*time.Millisecond), // LinkedIn advises 5 minutes; the fake is instant
	)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.eng = eng // under r.mu: the console reads it
	r.mu.Unlock()
	ps, err := r.eng.State(r.ctx)
	if err != nil {
		return err
	}
	r.mu.Lock()
	maps.Copy(r.phases, ps)
	r.mu.Unlock()
	r.syncWG.Add(1)
	go func() {
		defer r.syncWG.Done()
		rep, err := r.runEngine()
		r.syncRep, r.syncErr = rep, err
	}()
	return nil
}

// progressFunc is the engine's progress callback: onProgress, through the
// telemetry when there is some.
func (r *run) progressFunc() func(rscsync.Progress) {
	if r.cfg.Telemetry == nil {
		return r.onProgress
	}
	return r.cfg.Telemetry.in.Progress(r.onProgress)
}

// hasCounts reports whether a progress event carries its phase's state
// and the run's counts: a batch, a phase's end, a park or a re-send.
func hasCounts(p rscsync.Progress) bool {
	switch p.Kind {
	case rscsync.ProgressBatch, rscsync.ProgressCompleted, rscsync.ProgressCaughtUp, rscsync.ProgressParked, rscsync.ProgressResent:
		return true
	}
	return false
}

// runEngine runs the sync, under the telemetry's run span when there is
// some.
func (r *run) runEngine() (*rscsync.Report, error) {
	if r.cfg.Telemetry == nil {
		return r.eng.Run(r.ctx)
	}
	return r.cfg.Telemetry.in.Run(r.ctx, r.eng)
}

// onProgress receives the sync's progress events (on the sync goroutine):
// it draws the progress, feeds the admin page and announces milestones as
// phases complete; it prints what the engine waits for.
func (r *run) onProgress(p rscsync.Progress) {
	if p.Kind == rscsync.ProgressWaiting {
		r.out.printf("  %s: waiting until %s for %s", p.Phase, p.WaitUntil.Format(time.TimeOnly), p.Waiting)
	}
	if !hasCounts(p) {
		if r.cfg.OnProgress != nil {
			r.cfg.OnProgress(p)
		}
		return // a dead letter, a job task or a wait: the phase's state is not in it
	}
	r.out.progress(p)
	r.mon.progress(p)
	r.mu.Lock()
	was := r.phases[p.Phase].Completed
	r.phases[p.Phase] = rscsync.PhaseState{Done: p.Done, Total: p.Total, RecordsPerMinute: p.RecordsPerMinute,
		Completed: p.Completed, CompletedAt: p.CompletedAt, DeadLettered: p.DeadLettered, Ineligible: p.Ineligible, Incremental: p.Incremental}
	r.mu.Unlock()
	if p.Completed && !was {
		if err := r.observe(); err != nil {
			r.out.printf("milestones: %v", err)
		}
	} else {
		r.refreshFeatures()
	}
	if r.cfg.OnProgress != nil {
		r.cfg.OnProgress(p)
	}
}

// state is the milestones engine's input now.
func (r *run) state() milestones.State {
	r.mu.Lock()
	defer r.mu.Unlock()
	return milestones.StateFrom(r.status, r.enabledAt, r.phases)
}

// observe announces the milestones reached since the last observation,
// with the features each enables, and persists them (so a restart does not
// announce them again).
func (r *run) observe() error {
	r.observeMu.Lock()
	defer r.observeMu.Unlock()
	rep, evs, err := r.ms.Report(r.ctx, r.cust, r.state())
	for _, e := range evs {
		r.res.NewMilestones = append(r.res.NewMilestones, e)
		r.out.printf("%s", milestoneText(e, rep))
	}
	all, lerr := r.ms.Events(r.ctx, r.cust)
	r.mon.update(func(s *Snapshot) {
		s.Features = rep
		if lerr == nil {
			s.Milestones = all
		}
	})
	return errors.Join(err, lerr)
}

// refreshFeatures re-evaluates the features for the admin page (cheap, no
// I/O): scopes widen and estimates move as the sync progresses.
func (r *run) refreshFeatures() {
	if r.mon == nil {
		return
	}
	st := r.state()
	for _, e := range r.mon.Snapshot().Milestones {
		st.Persisted = append(st.Persisted, e.Milestone)
	}
	rep := milestones.Evaluate(st)
	r.mon.update(func(s *Snapshot) { s.Features = rep })
}

// milestoneText announces a milestone (with the records refused on the way)
// and the features it enables or widens, with their scope as rep says it:
// records LinkedIn refused are never claimed.
func milestoneText(e milestones.Event, rep milestones.Report) string {
	s := "★ " + e.Text()
	for _, f := range milestones.Catalogue() {
		for _, st := range f.Steps {
			if st.Milestone != e.Milestone {
				continue
			}
			scope := st.Scope.Describe(f.Records)
			if fs, _ := rep.Feature(f.ID); fs.Scope == st.Scope {
				scope = fs.ScopeText()
			}
			s += fmt.Sprintf("\n    - %s: %s", f.Title, scope)
		}
	}
	return s
}

func eventList(evs []milestones.Event) string {
	var s string
	for i, e := range evs {
		if i > 0 {
			s += ", "
		}
		s += fmt.Sprintf("%d %s", int(e.Milestone), e.Milestone)
	}
	return s
}

// waitForSync waits for the historical sync to finish, starting it first
// when it was started before a restart (the flow calls its WithStartSync function once).
func (r *run) waitForSync() error {
	st, err := r.flow.State(r.ctx, r.cust)
	if err != nil {
		return err
	}
	if c := st.ActiveContract(); c != nil && !c.SyncStartedAt.IsZero() {
		if r.eng == nil {
			r.out.printf("resuming the historical sync from its checkpoint")
		}
		if err := r.startSync(*c); err != nil {
			return err
		}
	}
	if r.eng == nil {
		return errors.New("demo: the historical sync was never started")
	}
	r.syncWG.Wait()
	r.out.finish()
	r.res.Sync = r.syncRep
	if r.syncRep != nil {
		for _, p := range r.syncRep.Phases {
			r.res.Sent += p.Sent
		}
	}
	if r.syncErr != nil {
		return fmt.Errorf("historical sync: %w", r.syncErr)
	}
	r.out.printf("historical sync caught up: %s records sent in this run", thousands(r.res.Sent))
	return r.observe()
}
