package fleetproof

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"slices"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/rscgo/rscgo/fleet/internal/fleetrun"
)

// kill is one SIGKILL: the process killed and when.
type kill struct {
	proc string
	at   time.Time
}

// killAtRandom SIGKILLs n workers, one at a time, at random intervals
// drawn from rng, never the slot being paused, restarting each at once.
// Each victim is killed a random moment after it took a customer's
// lease, so that the kill interrupts slices (when work is left).
func (f *fleet) killAtRandom(pool *pgxpool.Pool, rng *rand.Rand, n int) []kill {
	f.t.Helper()
	var kills []kill
	for range n {
		// The pauses below are the schedule of the faults, not waits for
		// conditions.
		time.Sleep(time.Duration(100+rng.IntN(500)) * time.Millisecond)
		f.mu.Lock()
		var slots []int
		for i := range f.slots {
			if i != f.paused {
				slots = append(slots, i)
			}
		}
		i := slots[rng.IntN(len(slots))]
		victim := f.slots[i]
		f.mu.Unlock()
		for deadline := time.Now().Add(15 * time.Second); time.Now().Before(deadline); {
			held, err := leasesOf(f.t.Context(), pool, victim, true)
			if err != nil {
				f.t.Fatal(err)
			}
			if len(held) > 0 {
				break
			}
			time.Sleep(5 * time.Millisecond) // polling for the condition
		}
		time.Sleep(time.Duration(rng.IntN(100)) * time.Millisecond)
		p := f.kill(i)
		kills = append(kills, kill{proc: p.id, at: time.Now()})
	}
	return kills
}

// paused is the outcome of pausing a worker past its lease.
type paused struct {
	proc      string
	customers []string // whose lease it held when stopped and another process took
	stoppedAt time.Time
	stopped   time.Duration    // between SIGSTOP and SIGCONT
	refused   []fleetrun.Event // its commits refused and slices fenced after it resumed
	attempts  int
}

// pause SIGSTOPs slot i's worker while it holds customer leases, waits
// until another worker takes one of those customers (the lease expired,
// River rescued the slice), SIGCONTs it and waits until the fence refuses
// its writes. It tries again, up to three times, when the resumed worker
// failed otherwise (its database session ended, say). The slot is not
// killed meanwhile.
func (f *fleet) pause(ctx context.Context, pool *pgxpool.Pool, i int) (paused, error) {
	f.mu.Lock()
	f.paused = i
	p := f.slots[i]
	f.mu.Unlock()
	defer func() { f.mu.Lock(); f.paused = -1; f.mu.Unlock() }()
	var res paused
	for res.attempts < 3 {
		res.attempts++
		held, stopped, err := stopHolding(ctx, pool, p)
		if err != nil {
			return res, err
		}
		taken, err := waitTaken(ctx, pool, held)
		if err2 := signal(p, syscall.SIGCONT); err == nil {
			err = err2
		}
		if err != nil {
			return res, err
		}
		res.proc, res.customers, res.stoppedAt, res.stopped = p.id, taken, stopped, time.Since(stopped)
		res.refused, err = f.waitRefused(p, taken, stopped)
		if len(res.refused) > 0 || err != nil {
			return res, err
		}
	}
	return res, fmt.Errorf("worker %s: no write refused after %d pauses past its lease", p.id, res.attempts)
}

// stopHolding SIGSTOPs p at a moment it holds customer leases, and
// returns them (customer id to fencing token) and when it stopped p.
func stopHolding(ctx context.Context, pool *pgxpool.Pool, p *proc) (map[string]int64, time.Time, error) {
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		if n, err := leasesOf(ctx, pool, p, true); err != nil || len(n) == 0 {
			if err != nil {
				return nil, time.Time{}, err
			}
			time.Sleep(5 * time.Millisecond) // polling for the condition
			continue
		}
		if err := signal(p, syscall.SIGSTOP); err != nil {
			return nil, time.Time{}, err
		}
		if err := waitStopped(p); err != nil {
			return nil, time.Time{}, err
		}
		stopped := time.Now() // nothing p does is dated later until SIGCONT
		held, err := leasesOf(ctx, pool, p, false)
		if err != nil || len(held) > 0 {
			return held, stopped, err
		}
		if err := signal(p, syscall.SIGCONT); err != nil { // its slices ended meanwhile
			return nil, time.Time{}, err
		}
	}
	return nil, time.Time{}, fmt.Errorf("worker %s held no lease for two minutes", p.id)
}

// waitStopped waits until every thread of p is stopped. kill(2) returns
// before a signalled process stops: a thread running on another core
// goes on until it next enters the kernel, and under load it may begin a
// commit meanwhile, which the check would then take for one begun after
// the pause.
func waitStopped(p *proc) error {
	dir := fmt.Sprintf("/proc/%d/task", p.cmd.Process.Pid)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		tasks, err := os.ReadDir(dir)
		if err != nil {
			return fmt.Errorf("worker %s: reading its threads: %w", p.id, err)
		}
		stopped := len(tasks) > 0
		for _, task := range tasks {
			b, err := os.ReadFile(dir + "/" + task.Name() + "/stat")
			// The state follows the command name, which ends at the last ')'.
			i := bytes.LastIndexByte(b, ')')
			if err != nil || i < 0 || i+2 >= len(b) || b[i+2] != 'T' && b[i+2] != 't' {
				stopped = false
				break
			}
		}
		if stopped {
			return nil
		}
		time.Sleep(time.Millisecond) // polling for the condition
	}
	return fmt.Errorf("worker %s did not stop within 10 s of SIGSTOP", p.id)
}

// leasesOf returns the leases p holds (unexpired ones only with live).
func leasesOf(ctx context.Context, pool *pgxpool.Pool, p *proc, live bool) (map[string]int64, error) {
	q := "select customer_id, token from rscgo_leases where holder like $1"
	if live {
		q += " and expires_at > now()"
	}
	rows, _ := pool.Query(ctx, q, p.id+" job %")
	out := map[string]int64{}
	var c string
	var tok int64
	_, err := pgx.ForEachRow(rows, []any{&c, &tok}, func() error { out[c] = tok; return nil })
	return out, err
}

// waitTaken waits until another holder acquired some of the held
// customers, and returns those.
func waitTaken(ctx context.Context, pool *pgxpool.Pool, held map[string]int64) ([]string, error) {
	deadline := time.Now().Add(3 * time.Minute)
	for time.Now().Before(deadline) {
		var taken []string
		for c, tok := range held {
			var now int64
			if err := pool.QueryRow(ctx, "select token from rscgo_leases where customer_id = $1", c).Scan(&now); err != nil {
				return nil, err
			}
			if now != tok {
				taken = append(taken, c)
			}
		}
		if len(taken) > 0 {
			slices.Sort(taken)
			return taken, nil
		}
		time.Sleep(100 * time.Millisecond) // polling for the condition
	}
	return nil, errors.New("no paused customer was taken over in three minutes")
}

// waitRefused waits until p, resumed, ends a slice of one of the taken
// customers that it started before it was stopped, and returns p's
// refused commits and fenced slices.
func (f *fleet) waitRefused(p *proc, taken []string, stopped time.Time) ([]fleetrun.Event, error) {
	deadline := time.Now().Add(time.Minute)
	for time.Now().Before(deadline) {
		ended := f.eventsOf(func(e fleetrun.Event) bool {
			return e.Worker == p.id && e.Event == "end" && slices.Contains(taken, e.Customer) && e.Time.After(stopped)
		})
		if len(ended) > 0 {
			return f.eventsOf(func(e fleetrun.Event) bool {
				return e.Worker == p.id && (e.Event == "refused" || e.Event == "end" && e.Result == "fenced")
			}), nil
		}
		select {
		case <-p.done:
			return nil, fmt.Errorf("worker %s exited after SIGCONT: %v", p.id, p.err)
		case <-time.After(50 * time.Millisecond): // polling for the condition
		}
	}
	return nil, fmt.Errorf("worker %s ended no slice of %v within a minute of SIGCONT", p.id, taken)
}
