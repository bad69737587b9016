package sync

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"log/slog"
	gosync "sync"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// Manager runs many customers in one process on a fixed pool of workers.
// Work is handed out in slices of a few batches (RunSlice), round robin:
// a customer whose slice ends with work left goes to the back of the queue,
// so one customer's two-million-record backfill never starves another's
// incremental sync. A customer whose daily quota is spent is parked until it
// resets without holding a worker. Memory and goroutines are bounded by the
// worker count: an idle or parked customer holds no buffer and no goroutine.
// Each customer's Engine has its own client, hence its own LinkedIn quota and
// pacer.
type Manager struct {
	workers  int
	quantum  int
	interval time.Duration
	clock    rsc.Clock
	logger   *slog.Logger
	backoff  time.Duration
	maxFails int

	mu      gosync.Mutex
	engines map[string]*Engine
	order   []string
	running bool
}

// ManagerOption configures a Manager.
type ManagerOption func(*Manager) error

// WithWorkers sets how many customer slices run at once (default 4).
func WithWorkers(n int) ManagerOption {
	return func(m *Manager) error {
		if n < 1 {
			return errors.New("sync: WithWorkers: n must be at least 1")
		}
		m.workers = n
		return nil
	}
}

// WithSliceBatches sets how many batches one customer sends per turn
// (default 20, about 2,000 records).
func WithSliceBatches(n int) ManagerOption {
	return func(m *Manager) error {
		if n < 1 {
			return errors.New("sync: WithSliceBatches: n must be at least 1")
		}
		m.quantum = n
		return nil
	}
}

// WithInterval makes Run continuous: a customer that caught up runs again
// after d (incremental sync). With 0 (the default) Run returns once every
// customer caught up.
func WithInterval(d time.Duration) ManagerOption {
	return func(m *Manager) error { m.interval = d; return nil }
}

// WithManagerClock sets the clock used for parking and backoff waits.
func WithManagerClock(c rsc.Clock) ManagerOption {
	return func(m *Manager) error {
		if c == nil {
			return errors.New("sync: WithManagerClock: nil clock")
		}
		m.clock = c
		return nil
	}
}

// WithManagerLogger sets the manager's logger (default: discard).
func WithManagerLogger(l *slog.Logger) ManagerOption {
	return func(m *Manager) error { m.logger = l; return nil }
}

// WithFailureBackoff sets the first wait before a failed customer is tried
// again (doubling, at most one hour) and how many consecutive failures
// make Run give up on it (default one minute, 5 failures).
func WithFailureBackoff(first time.Duration, maxFailures int) ManagerOption {
	return func(m *Manager) error {
		if first <= 0 || maxFailures < 1 {
			return errors.New("sync: WithFailureBackoff: invalid arguments")
		}
		m.backoff, m.maxFails = first, maxFailures
		return nil
	}
}

// NewManager returns a Manager.
func NewManager(opts ...ManagerOption) (*Manager, error) {
	m := &Manager{workers: 4, quantum: 20, clock: rsc.SystemClock(), logger: slog.New(slog.DiscardHandler),
		backoff: time.Minute, maxFails: 5, engines: map[string]*Engine{}}
	for _, o := range opts {
		if err := o(m); err != nil {
			return nil, err
		}
	}
	if m.logger == nil {
		m.logger = slog.New(slog.DiscardHandler)
	}
	return m, nil
}

// Add registers a customer and its engine. Customers added while Run is
// running are picked up by the next Run.
func (m *Manager) Add(customerID string, e *Engine) error {
	if e == nil {
		return errors.New("sync: Manager.Add: nil engine")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, dup := m.engines[customerID]; dup {
		return fmt.Errorf("sync: Manager.Add: customer %s added twice", customerID)
	}
	m.engines[customerID] = e
	m.order = append(m.order, customerID)
	return nil
}

// CustomerResult is the outcome of one customer in a Manager run.
type CustomerResult struct {
	Report *Report // merged over the customer's slices
	Err    error   // the last error if Run gave up on the customer
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

// Run schedules every customer until all caught up (or, WithInterval,
// until ctx ends). It returns each customer's merged report and error.
func (m *Manager) Run(ctx context.Context) (map[string]*CustomerResult, error) {
	m.mu.Lock()
	if m.running {
		m.mu.Unlock()
		return nil, errors.New("sync: Manager.Run is already running")
	}
	m.running = true
	engines := make(map[string]*Engine, len(m.engines))
	for k, v := range m.engines {
		engines[k] = v
	}
	ready := append([]string(nil), m.order...)
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		m.running = false
		m.mu.Unlock()
	}()

	results := make(map[string]*CustomerResult, len(engines))
	fails := map[string]int{}
	var timed wakeHeap
	work := make(chan string)
	done := make(chan sliceDone)
	var wg gosync.WaitGroup
	for range m.workers {
		wg.Go(func() {
			for cust := range work {
				rep, err := engines[cust].RunSlice(ctx, cust, m.quantum)
				done <- sliceDone{cust, rep, err}
			}
		})
	}
	defer func() {
		close(work)
		go func() { wg.Wait(); close(done) }()
		for range done { // slices still running when ctx ended
		}
	}()

	busy := 0
	// One sleeper at a time wakes the scheduler for the earliest timed slot.
	wake := make(chan struct{}, 1)
	var stopSleeper context.CancelFunc
	var sleeperAt time.Time
	armSleeper := func() {
		if len(timed) == 0 {
			return
		}
		at := timed[0].at
		if stopSleeper != nil && sleeperAt.Equal(at) {
			return
		}
		if stopSleeper != nil {
			stopSleeper()
		}
		sctx, cancel := context.WithCancel(ctx)
		stopSleeper, sleeperAt = cancel, at
		d := at.Sub(m.clock.Now())
		go func() {
			if m.clock.Sleep(sctx, d) == nil {
				select {
				case wake <- struct{}{}:
				default:
				}
			}
		}()
	}
	defer func() {
		if stopSleeper != nil {
			stopSleeper()
		}
	}()

	for {
		// Move due customers to the ready queue.
		now := m.clock.Now()
		for len(timed) > 0 && !timed[0].at.After(now) {
			s := heap.Pop(&timed).(*slot)
			ready = append(ready, s.cust)
		}
		for busy < m.workers && len(ready) > 0 {
			cust := ready[0]
			ready = ready[1:]
			select {
			case work <- cust:
				busy++
			case <-ctx.Done():
				return results, ctx.Err()
			}
		}
		if busy == 0 && len(ready) == 0 && len(timed) == 0 {
			return results, nil
		}
		armSleeper()
		select {
		case <-ctx.Done():
			for busy > 0 {
				d := <-done
				busy--
				m.record(results, d)
			}
			return results, ctx.Err()
		case <-wake:
			stopSleeper, sleeperAt = nil, time.Time{}
		case d := <-done:
			busy--
			m.record(results, d)
			var pe *ParkedError
			switch {
			case errors.Is(d.err, ErrYield):
				fails[d.cust] = 0
				ready = append(ready, d.cust) // back of the queue: round robin
			case errors.As(d.err, &pe):
				fails[d.cust] = 0
				m.logger.LogAttrs(ctx, slog.LevelInfo, "sync: customer parked", slog.String("customer", d.cust), slog.Time("until", pe.Until))
				heap.Push(&timed, &slot{cust: d.cust, at: pe.Until})
			case d.err == nil:
				fails[d.cust] = 0
				results[d.cust].Err = nil
				if m.interval > 0 {
					heap.Push(&timed, &slot{cust: d.cust, at: m.clock.Now().Add(m.interval)})
				}
			case errors.Is(d.err, ErrNoConsent) || ctx.Err() != nil:
				// Not retried: consent must be given again first.
			default:
				fails[d.cust]++
				if fails[d.cust] >= m.maxFails {
					m.logger.LogAttrs(ctx, slog.LevelWarn, "sync: giving up on customer", slog.String("customer", d.cust), slog.String("error", d.err.Error()))
					continue
				}
				wait := min(m.backoff<<(fails[d.cust]-1), time.Hour)
				heap.Push(&timed, &slot{cust: d.cust, at: m.clock.Now().Add(wait)})
			}
		}
	}
}

func (m *Manager) record(results map[string]*CustomerResult, d sliceDone) {
	cr := results[d.cust]
	if cr == nil {
		cr = &CustomerResult{}
		results[d.cust] = cr
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
