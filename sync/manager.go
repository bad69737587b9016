package sync

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"runtime/debug"
	"slices"
	gosync "sync"
	"time"
)

// Manager runs many customers in one process on a fixed pool of workers.
// Work is handed out in slices of a few batches (RunSlice), round robin:
// a customer whose slice ends with work left goes to the back of the queue,
// so one customer's two-million-record backfill never starves another's
// incremental sync. A customer whose per-minute quota lets its next batch
// go only later, or that waits for its job tasks or a per-minute 429, ends
// its slice at once (a *YieldError) and runs again then, so no worker waits
// in a rate limiter or a poll interval while other customers are ready. A
// customer whose daily quota is spent is parked until it resets without
// holding a worker; a customer whose slice fails is tried
// again after a backoff (one minute, doubling, at most one hour) and given
// up after five failures in a row; a panic in a customer's slice (a bug in
// its Source) is such a failure, a *PanicError, and does not stop the
// others. A slice that runs past WithSliceTimeout (a Source whose
// database stopped answering) is cancelled, so that it gives its worker
// back. Memory and goroutines are bounded by the
// worker count: an idle or parked customer holds no buffer and no goroutine.
// Each customer's Engine has its own client, hence its own LinkedIn quota and
// pacer.
type Manager struct {
	cfg config

	mu      gosync.Mutex
	engines map[string]*Engine
	order   []string
	running busy
}

// The failure backoff of a Manager.
const (
	managerBackoff  = time.Minute
	managerMaxFails = 5
)

// NewManager returns a Manager. It accepts WithWorkers, WithSliceBatches,
// WithSliceTimeout, WithClock and WithLogger.
func NewManager(opts ...Option) (*Manager, error) {
	cfg, err := newConfig("NewManager", opts)
	if err != nil {
		return nil, err
	}
	return &Manager{cfg: cfg, engines: map[string]*Engine{}}, nil
}

// Add registers a customer's engine. Customers added while Run is running
// are picked up by the next Run.
func (m *Manager) Add(e *Engine) error {
	if e == nil {
		return errors.New("sync: Manager.Add: nil engine")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, dup := m.engines[e.cust]; dup {
		return fmt.Errorf("sync: Manager.Add: customer %s added twice", e.cust)
	}
	m.engines[e.cust] = e
	m.order = append(m.order, e.cust)
	return nil
}

// CustomerResult is the outcome of one customer in a Manager run.
type CustomerResult struct {
	Report *Report `json:"report"` // merged over the customer's slices
	// Err is the last error if Run gave up on the customer. It is not
	// marshalled: errors do not round-trip through JSON.
	Err error `json:"-"`
}

type slot struct {
	cust  string
	at    time.Time
	index int
}

type wakeHeap []*slot

func (h wakeHeap) Len() int           { return len(h) }
func (h wakeHeap) Less(i, j int) bool { return h[i].at.Before(h[j].at) }
func (h wakeHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i]; h[i].index = i; h[j].index = j }
func (h *wakeHeap) Push(x any)        { s := x.(*slot); s.index = len(*h); *h = append(*h, s) }
func (h *wakeHeap) Pop() any {
	old := *h
	s := old[len(old)-1]
	*h = old[:len(old)-1]
	return s
}

type sliceDone struct {
	cust string
	rep  *Report
	err  error
}

// Run schedules every customer until all caught up (or gave up, or ctx
// ended). It returns each customer's merged report and error, and ctx's
// error when ctx ended, also if the slices it cut were the last running.
func (m *Manager) Run(ctx context.Context) (map[string]*CustomerResult, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	sc, err := m.begin()
	if err != nil {
		return nil, err
	}
	defer m.end()
	var wg gosync.WaitGroup
	for range m.cfg.workers {
		wg.Go(func() {
			for cust := range sc.work {
				rep, err := m.slice(ctx, sc.engines[cust], cust)
				sc.done <- sliceDone{cust, rep, err}
			}
		})
	}
	defer func() {
		close(sc.work)
		go func() { wg.Wait(); close(sc.done) }()
		for range sc.done { // slices still running when ctx ended
		}
	}()
	defer sc.stopSleeper()
	return sc.results, sc.loop(ctx)
}

// slice runs one slice of the customer's engine, cancelled with the cause
// ErrSliceTimeout once it runs past the slice timeout (WithSliceTimeout).
// A slice so cut after committing a batch yields (its customer runs again
// in turn); one cut before any fails with an error matching
// ErrSliceTimeout.
func (m *Manager) slice(ctx context.Context, eng *Engine, cust string) (*Report, error) {
	d := m.cfg.sliceTimeout
	if d == 0 {
		return runSlice(ctx, eng, cust, m.cfg.quantum)
	}
	// Real time, as for a request's time limit: a fake Clock (WithClock)
	// does not advance while a Source hangs.
	sctx, cancel := context.WithTimeoutCause(ctx, d, ErrSliceTimeout)
	defer cancel()
	rep, err := runSlice(sctx, eng, cust, m.cfg.quantum)
	if err == nil || ctx.Err() != nil || !errors.Is(context.Cause(sctx), ErrSliceTimeout) || errors.Is(err, ErrYield) {
		return rep, err
	}
	if rep != nil && rep.batches() > 0 {
		return rep, fmt.Errorf("sync: customer %s: slice cut at the slice timeout (%v) after %d batches: %w", cust, d, rep.batches(), ErrYield)
	}
	return rep, fmt.Errorf("sync: customer %s: %w (%v) before a batch was committed: %w", cust, ErrSliceTimeout, d, err)
}

// runSlice runs one slice of the customer's engine, turning a panic (a bug
// in the customer's Source, say) into a *PanicError: a failure of that
// customer alone, which the Manager backs off and gives up on as on any
// other, while its other customers go on. The panic must happen on the
// slice's own goroutine, as the Source's streams and lookups run.
func runSlice(ctx context.Context, eng *Engine, cust string, maxBatches int) (rep *Report, err error) {
	defer func() {
		if p := recover(); p != nil {
			rep, err = nil, &PanicError{CustomerID: cust, Value: p, Stack: debug.Stack()}
		}
	}()
	return eng.RunSlice(ctx, maxBatches)
}

// begin marks the manager running and snapshots its customers.
func (m *Manager) begin() (*schedule, error) {
	if !m.running.acquire() {
		return nil, errors.New("sync: Manager.Run is already running")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	return &schedule{m: m, engines: maps.Clone(m.engines), ready: slices.Clone(m.order),
		results: map[string]*CustomerResult{}, fails: map[string]int{},
		work: make(chan string), done: make(chan sliceDone), wake: make(chan struct{}, 1)}, nil
}

func (m *Manager) end() { m.running.release() }

// schedule is the state of one Manager.Run.
type schedule struct {
	m       *Manager
	engines map[string]*Engine
	ready   []string // customers to run now, in turn
	timed   wakeHeap // customers to run later (parked, backing off)
	results map[string]*CustomerResult
	fails   map[string]int // consecutive failures
	busy    int            // slices running
	work    chan string
	done    chan sliceDone

	// One sleeper at a time wakes the loop for the earliest timed slot.
	wake        chan struct{}
	cancelSleep context.CancelFunc
	sleeperAt   time.Time
}

// loop hands out slices until every customer is done or ctx ends.
func (sc *schedule) loop(ctx context.Context) error {
	for {
		now := sc.m.cfg.clock.Now()
		for len(sc.timed) > 0 && !sc.timed[0].at.After(now) {
			sc.ready = append(sc.ready, heap.Pop(&sc.timed).(*slot).cust)
		}
		for sc.busy < sc.m.cfg.workers && len(sc.ready) > 0 {
			if ctx.Err() != nil { // select would hand out a slice at random
				sc.drain()
				return ctx.Err()
			}
			select {
			case sc.work <- sc.ready[0]:
				sc.ready = sc.ready[1:]
				sc.busy++
			case <-ctx.Done():
				sc.drain()
				return ctx.Err()
			}
		}
		if sc.busy == 0 && len(sc.ready) == 0 && len(sc.timed) == 0 {
			// A slice cut by ctx's end is not rescheduled, though its
			// customer has work left: Run then reports ctx's error.
			return ctx.Err()
		}
		sc.armSleeper(ctx)
		select {
		case <-ctx.Done():
			sc.drain()
			return ctx.Err()
		case <-sc.wake:
			sc.cancelSleep, sc.sleeperAt = nil, time.Time{}
		case d := <-sc.done:
			sc.busy--
			sc.record(d)
			sc.reschedule(ctx, d)
		}
	}
}

// drain waits for the slices still running, which end with the context,
// and records their reports and errors among the results.
func (sc *schedule) drain() {
	for ; sc.busy > 0; sc.busy-- {
		sc.record(<-sc.done)
	}
}

// reschedule decides when a customer whose slice ended runs again.
func (sc *schedule) reschedule(ctx context.Context, d sliceDone) {
	var pe *ParkedError
	var ye *YieldError
	log := sc.m.cfg.logger
	switch {
	case errors.As(d.err, &ye) && ye.Until.After(sc.m.cfg.clock.Now()):
		sc.fails[d.cust] = 0
		heap.Push(&sc.timed, &slot{cust: d.cust, at: ye.Until}) // waits for quota, not a worker
	case errors.Is(d.err, ErrYield):
		sc.fails[d.cust] = 0
		sc.ready = append(sc.ready, d.cust) // back of the queue: round robin
	case errors.As(d.err, &pe):
		sc.fails[d.cust] = 0
		log.LogAttrs(ctx, slog.LevelInfo, "sync: customer parked", slog.String("customer", d.cust), slog.Time("until", pe.Until))
		heap.Push(&sc.timed, &slot{cust: d.cust, at: pe.Until})
	case d.err == nil:
		sc.fails[d.cust] = 0
		sc.results[d.cust].Err = nil
	case errors.Is(d.err, ErrNoConsent) || ctx.Err() != nil:
		// Not retried: consent must be given again first.
	default:
		sc.fails[d.cust]++
		if sc.fails[d.cust] >= managerMaxFails {
			log.LogAttrs(ctx, slog.LevelWarn, "sync: giving up on customer", slog.String("customer", d.cust), slog.String("error", d.err.Error()))
			return
		}
		wait := min(managerBackoff<<(sc.fails[d.cust]-1), time.Hour)
		heap.Push(&sc.timed, &slot{cust: d.cust, at: sc.m.cfg.clock.Now().Add(wait)})
	}
}

// armSleeper makes sure one sleeper waits for the earliest timed slot.
func (sc *schedule) armSleeper(ctx context.Context) {
	if len(sc.timed) == 0 {
		return
	}
	at := sc.timed[0].at
	if sc.cancelSleep != nil && sc.sleeperAt.Equal(at) {
		return
	}
	sc.stopSleeper()
	sctx, cancel := context.WithCancel(ctx)
	sc.cancelSleep, sc.sleeperAt = cancel, at
	clock, d := sc.m.cfg.clock, at.Sub(sc.m.cfg.clock.Now())
	go func() {
		if clock.Sleep(sctx, d) == nil {
			select {
			case sc.wake <- struct{}{}:
			default:
			}
		}
	}()
}

func (sc *schedule) stopSleeper() {
	if sc.cancelSleep != nil {
		sc.cancelSleep()
	}
}

func (sc *schedule) record(d sliceDone) {
	cr := sc.results[d.cust]
	if cr == nil {
		cr = &CustomerResult{}
		sc.results[d.cust] = cr
	}
	if d.rep != nil {
		if cr.Report == nil {
			cr.Report = d.rep
		} else {
			cr.Report.merge(d.rep)
		}
	}
	if d.err != nil && !errors.Is(d.err, ErrYield) {
		cr.Err = d.err
	}
}
