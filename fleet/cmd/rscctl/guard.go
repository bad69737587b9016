package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"os"
	gosync "sync"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rscgo/rscgo/fleet/lease"
	"github.com/rscgo/rscgo/fleet/pgstore"
	"github.com/rscgo/rscgo/internal/ctl"
	rscsync "github.com/rscgo/rscgo/sync"
)

// leaseTTL is the TTL of the leases rscctl takes; it renews them every
// third of it while a command runs, so a killed rscctl holds a customer
// back for this long at most.
const leaseTTL = 30 * time.Second

// guard gives rscctl's commands the stores of a database, and makes the
// commands that change a customer's sync state safe while the customer's
// sync runs in the fleet (package riverrun): before its first write of a
// customer's checkpoint or dead letters (reset, resync of a phase) it
// takes the customer's lease (lease.Leases.Take), superseding a running
// slice's, so that the slice's next commit is refused rather than written
// over the change. Its writes check that lease in their transactions, and
// it releases the leases when the command ends. Reads, and the resync
// requests that resync of records queues, take no lease.
type guard struct {
	db     *pgstore.DB
	leases *lease.Leases
	cps    *pgstore.Checkpoints
	dead   *pgstore.DeadLetters
	holder string
	notes  io.Writer // where rscctl says whose lease it took

	mu   gosync.Mutex
	held map[string]*lease.Lease // by customer
	// read is each customer's checkpoint as it was read, as JSON ("null":
	// none), to tell whether the sync committed before the lease was taken.
	read     map[string][]byte
	stops    []context.CancelFunc // stop the renewals of the leases held (Lease.KeepAlive)
	renewing gosync.WaitGroup
}

// newGuard returns a guard over db, naming rscctl's leases holder and
// writing its notes to notes.
func newGuard(db *pgstore.DB, holder string, notes io.Writer) (*guard, error) {
	leases, err := lease.New(db, lease.WithTTL(leaseTTL))
	if err != nil {
		return nil, err
	}
	return &guard{db: db, leases: leases, cps: db.Checkpoints(), dead: db.DeadLetters(), holder: holder, notes: notes,
		held: map[string]*lease.Lease{}, read: map[string][]byte{}}, nil
}

// holderName names rscctl's leases: the host and the process.
func holderName() string {
	host, err := os.Hostname()
	if err != nil {
		host = "unknown host"
	}
	return fmt.Sprintf("rscctl on %s pid %d", host, os.Getpid())
}

// stores are the stores the commands use.
func (g *guard) stores() ctl.Stores {
	return ctl.Stores{
		Checkpoints: guardedCheckpoints{g}, DeadLetters: guardedDeadLetters{g},
		Onboarding: g.db.OnboardingStates(), Milestones: g.db.MilestoneEvents(),
		Where:            "in PostgreSQL",
		Customers:        g.db.Customers,
		DeleteCheckpoint: g.reset,
	}
}

// take returns rscctl's lease of the customer, taking it on first use.
func (g *guard) take(ctx context.Context, customerID string) (*lease.Lease, error) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if l := g.held[customerID]; l != nil {
		return l, nil
	}
	l, prev, err := g.leases.Take(ctx, customerID, g.holder)
	if err != nil {
		return nil, err
	}
	g.held[customerID] = l
	if prev != nil {
		fmt.Fprintf(g.notes, "rscctl: customer %s was being synced by %s: rscctl took its lease, so that sync commits nothing more; River runs its slice again once rscctl is done\n",
			customerID, prev.Holder)
	}
	// The lease is renewed until close. Once lost (a renewal refused),
	// rscctl's next write under it is refused with a *lease.LostError.
	ctx, stop := context.WithCancel(context.WithoutCancel(ctx))
	g.stops = append(g.stops, stop)
	g.renewing.Go(func() { _ = l.KeepAlive(ctx) })
	return l, nil
}

// close releases the leases taken, so that the customers' syncs go on at
// once, and closes the database.
func (g *guard) close() {
	g.mu.Lock()
	for _, stop := range g.stops {
		stop()
	}
	g.mu.Unlock()
	g.renewing.Wait()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for id, l := range g.held {
		if err := l.Release(ctx); err != nil {
			fmt.Fprintf(g.notes, "rscctl: releasing the lease of customer %s: %v\n", id, err)
		}
	}
	g.db.Close()
}

// reset deletes the customer's checkpoint under its lease, with the dead
// letters its sync added after the command listed them (ctl's reset
// deletes those it listed first).
func (g *guard) reset(ctx context.Context, customerID string) error {
	l, err := g.take(ctx, customerID)
	if err != nil {
		return err
	}
	var late int64
	err = pgx.BeginFunc(ctx, g.db.Pool(), func(tx pgx.Tx) error {
		if err := l.Check(ctx, tx, customerID); err != nil {
			return err
		}
		var err error
		if late, err = g.dead.DeleteAllTx(ctx, tx, customerID); err != nil {
			return err
		}
		return g.cps.DeleteTx(ctx, tx, customerID)
	})
	if err == nil && late > 0 {
		fmt.Fprintf(g.notes, "rscctl: customer %s: also deleted %d dead letter(s) its sync added while the reset ran\n", customerID, late)
	}
	return err
}

// guardedCheckpoints is the checkpoint store of the commands.
type guardedCheckpoints struct{ g *guard }

// Load implements sync.Store, remembering what it read.
func (c guardedCheckpoints) Load(ctx context.Context, customerID string) (*rscsync.Checkpoint, error) {
	cp, err := c.g.cps.Load(ctx, customerID)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(cp)
	if err != nil {
		return nil, err
	}
	c.g.mu.Lock()
	c.g.read[customerID] = b
	c.g.mu.Unlock()
	return cp, nil
}

// Save implements sync.Store: under the customer's lease, it saves cp
// if the checkpoint is still the one Load read, and refuses otherwise
// (the customer's sync committed between the read and the takeover).
func (c guardedCheckpoints) Save(ctx context.Context, customerID string, cp *rscsync.Checkpoint) error {
	l, err := c.g.take(ctx, customerID)
	if err != nil {
		return err
	}
	c.g.mu.Lock()
	was, ok := c.g.read[customerID]
	c.g.mu.Unlock()
	if ok {
		now, err := c.g.cps.Load(ctx, customerID) // no commit but rscctl's from here on
		if err != nil {
			return err
		}
		b, err := json.Marshal(now)
		if err != nil {
			return err
		}
		if string(b) != string(was) {
			return fmt.Errorf("customer %s: its sync committed a checkpoint while rscctl read it; nothing was changed: run the command again", customerID)
		}
	}
	return c.g.cps.Fenced(l).Save(ctx, customerID, cp)
}

// guardedDeadLetters is the dead-letter store of the commands.
type guardedDeadLetters struct{ g *guard }

// Put implements sync.DeadLetterStore (resync requests), without a lease:
// a running sync leaves the requests it does not serve in place.
func (d guardedDeadLetters) Put(ctx context.Context, customerID string, l rscsync.DeadLetter) error {
	return d.g.dead.Put(ctx, customerID, l)
}

// List implements sync.DeadLetterStore.
func (d guardedDeadLetters) List(ctx context.Context, customerID string) iter.Seq2[rscsync.DeadLetter, error] {
	return d.g.dead.List(ctx, customerID)
}

// Delete implements sync.DeadLetterStore (reset), under the customer's
// lease.
func (d guardedDeadLetters) Delete(ctx context.Context, customerID, key string) error {
	l, err := d.g.take(ctx, customerID)
	if err != nil {
		return err
	}
	return d.g.dead.Fenced(l).Delete(ctx, customerID, key)
}
