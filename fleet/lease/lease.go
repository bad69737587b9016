// Package lease gives one process at a time the right to work a customer,
// with a fencing token so that a process that lost that right can no
// longer commit.
//
// A lease expires unless renewed: a process that pauses (a GC pause, a
// stopped VM, a network partition) past its lease's expiry may find the
// customer taken by another process when it resumes. Every acquisition
// increments the customer's fencing token, and a commit made through
// pgstore.Checkpoints.Fenced checks the token in its own transaction: the
// old holder's commit is refused with a *LostError and writes nothing,
// whatever its clock says. The fencing token does not depend on any clock.
//
// Expiry is judged on one clock, the database's: the statement that
// acquires or renews a lease dates its expiry from the database's now(),
// and an acquisition compares it with now() as well, so the processes'
// clocks may be set apart by any amount. Each holder counts its lease's
// time on its own clock (WithClock; the system's monotonic clock by
// default) from just before it sent the acquisition or renewal, so its
// deadline (Lease.Expires) comes before the database's expiry. What
// remains assumed is that the two clocks run at the same rate: their drift
// over one TTL must stay well within the margin a holder keeps before its
// deadline (riverrun stops starting batches a tenth of the TTL before it).
//
//	l, err := leases.Acquire(ctx, customerID, workerID)
//	if err != nil { ... } // a *HeldError when another process holds it
//	defer l.Release(ctx)
//	store := db.Checkpoints().Fenced(l)
//	// run the sync with store; renew l before it expires
package lease

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/rscgo/rscgo/fleet/internal/option"
	"github.com/rscgo/rscgo/fleet/pgstore"
	rootoption "github.com/rscgo/rscgo/internal/option"
	"github.com/rscgo/rscgo/rsc"
)

// Leases acquires customer leases in a pgstore database. It is safe for
// concurrent use.
type Leases struct {
	db    *pgstore.DB
	clock rsc.Clock
	ttl   time.Duration
}

// Option configures Leases.
type Option func(*Leases) error

// WithClock sets the clock on which a holder counts its lease's remaining
// time (Lease.Expires, Lease.Remaining) and HeldError dates the end of
// another's; the database's clock judges expiry itself. The default is
// rsc.SystemClock(), whose readings are monotonic. The clock must not be
// nil, nor hold a nil pointer (a nil *rsctest.FakeClock).
func WithClock(c rsc.Clock) Option {
	return func(l *Leases) error { l.clock = c; return nil }
}

// WithTTL sets how long a lease lasts after each acquisition or renewal.
// It must be positive; the default is 30 seconds. Renew well before it
// ends: Lease.KeepAlive renews every third of it.
func WithTTL(d time.Duration) Option {
	return func(l *Leases) error { l.ttl = d; return nil }
}

// New returns Leases kept in db. Nil options are skipped.
func New(db *pgstore.DB, opts ...Option) (*Leases, error) {
	if db == nil {
		return nil, errors.New("lease: New: nil database")
	}
	l := &Leases{db: db, clock: rsc.SystemClock(), ttl: 30 * time.Second}
	err := option.Apply(l, opts)
	switch {
	case err != nil:
		return nil, err
	case rootoption.NonNil("lease", "WithClock", l.clock) != nil:
		return nil, errors.New("lease: WithClock: nil clock")
	case l.ttl <= 0:
		return nil, fmt.Errorf("lease: WithTTL: %v is not positive", l.ttl)
	}
	return l, nil
}

// Lease is one holder's right to work one customer, identified by its
// fencing token.
type Lease struct {
	ls       *Leases
	customer string
	holder   string
	token    int64

	mu      sync.Mutex
	expires time.Time
}

// CustomerID returns the customer the lease is for.
func (l *Lease) CustomerID() string { return l.customer }

// Holder returns the holder that acquired the lease.
func (l *Lease) Holder() string { return l.holder }

// Token returns the fencing token: every acquisition of the customer's
// lease gets a larger one.
func (l *Lease) Token() int64 { return l.token }

// Expires returns when the lease expires unless renewed, as its holder
// must assume: the holder's clock read before the acquisition (or the last
// successful renewal) was sent, plus the TTL. The database dated the
// expiry from its now() in that statement, later, so another process may
// take the customer only after this deadline, if the clocks run at the
// same rate; the holder should stop sending before it.
func (l *Lease) Expires() time.Time {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.expires
}

// Remaining returns how long the lease has left by the Leases' clock
// (WithClock): Expires less now, negative once it has expired. After a
// Release it still counts down to the last expiry, although the customer
// is free at once.
func (l *Lease) Remaining() time.Duration { return l.Expires().Sub(l.ls.clock.Now()) }

// TTL returns how long a lease lasts after each acquisition or renewal.
func (ls *Leases) TTL() time.Duration { return ls.ttl }

// HeldError says another holder holds the customer's lease.
type HeldError struct {
	CustomerID string // the customer asked for
	Holder     string // the holder that has its lease
	// Until is when the lease expires unless renewed, on the clock of the
	// Leases that returned the error (WithClock): its now plus the time
	// the database's clock leaves the lease.
	Until time.Time
}

// Error implements error.
func (e *HeldError) Error() string {
	return fmt.Sprintf("lease: customer %s is held by %s until %s", e.CustomerID, e.Holder, e.Until.UTC().Format(time.RFC3339Nano))
}

// LostError says a lease was lost: another holder acquired the customer
// after it expired (the token changed), so nothing may be committed under
// it any more. A renewal of a released lease returns it too, with Current
// equal to Token and Holder "": the customer is free.
type LostError struct {
	CustomerID string // the lease's customer
	Token      int64  // the lost lease's token
	Current    int64  // the customer's token now
	Holder     string // the current holder ("" when released)
}

// Error implements error.
func (e *LostError) Error() string {
	if e.Current == e.Token && e.Holder == "" {
		return fmt.Sprintf("lease: lease on customer %s (token %d) was released", e.CustomerID, e.Token)
	}
	return fmt.Sprintf("lease: lease on customer %s lost: its token %d was superseded by token %d (holder %q)", e.CustomerID, e.Token, e.Current, e.Holder)
}

// Acquire gives holder the customer's lease when nobody holds it, its
// holder released it, or it expired. Otherwise it returns a *HeldError.
// holder names the process (a host name and process id, say) in errors
// and in the database; it must not be empty. A customer id that
// pgstore.CheckCustomerID refuses (empty, longer than
// pgstore.MaxCustomerIDLen bytes, not valid UTF-8, or holding NUL), which
// the database could not keep, is refused with an error wrapping
// pgstore.ErrInvalidCustomerID.
func (ls *Leases) Acquire(ctx context.Context, customerID, holder string) (*Lease, error) {
	if err := check("Acquire", customerID, holder); err != nil {
		return nil, err
	}
	now := ls.clock.Now() // before the statement: the database's now() is later
	var token int64
	err := ls.db.Pool().QueryRow(ctx, `insert into rscgo_leases (customer_id, holder, token, expires_at) values ($1, $2, 1, `+expiresIn+`)
		on conflict (customer_id) do update set holder = excluded.holder, token = rscgo_leases.token + 1, expires_at = excluded.expires_at
		where rscgo_leases.holder = '' or rscgo_leases.expires_at <= now()
		returning token`, customerID, holder, ls.ttl.Microseconds()).Scan(&token)
	if errors.Is(err, pgx.ErrNoRows) {
		held := &HeldError{CustomerID: customerID}
		var left float64 // seconds, by the database's clock
		err = ls.db.Pool().QueryRow(ctx, "select holder, extract(epoch from expires_at - now()) from rscgo_leases where customer_id = $1",
			customerID).Scan(&held.Holder, &left)
		if err == nil {
			held.Until = ls.clock.Now().Add(time.Duration(left * float64(time.Second)))
			return nil, held
		}
	}
	if err != nil {
		return nil, fmt.Errorf("lease: acquiring customer %s: %w", customerID, err)
	}
	return &Lease{ls: ls, customer: customerID, holder: holder, token: token, expires: now.Add(ls.ttl)}, nil
}

// Take gives holder the customer's lease whether or not another holder
// has it: where Acquire would return a *HeldError, Take supersedes the
// live lease, so that its holder can no longer commit (its next fenced
// write, pgstore.Checkpoints.Fenced or pgstore.DeadLetters.Fenced,
// returns a *LostError and writes nothing). It is for an operator's tool
// that must change a customer's state while the customer's sync may be
// running (fleet/cmd/rscctl's reset and resync of a phase): a slice that
// kept running would commit its own checkpoint over the change. The
// superseded holder may still finish the requests it has in flight.
//
// It returns the new lease and, when another holder's lease had not
// expired nor been released, that lease as it was (nil otherwise). It
// refuses a customer id or a holder as Acquire does.
func (ls *Leases) Take(ctx context.Context, customerID, holder string) (*Lease, *Record, error) {
	if err := check("Take", customerID, holder); err != nil {
		return nil, nil, err
	}
	now := ls.clock.Now() // before the transaction: the database's now() is later
	var token int64
	var prev *Record
	err := pgx.BeginFunc(ctx, ls.db.Pool(), func(tx pgx.Tx) error {
		r := Record{CustomerID: customerID}
		var live bool
		err := tx.QueryRow(ctx, "select holder, expires_at, token, expires_at > now() from rscgo_leases where customer_id = $1 for update",
			customerID).Scan(&r.Holder, &r.Expires, &r.Token, &live)
		switch {
		case err == nil && r.Holder != "" && live:
			prev = &r
		case err != nil && !errors.Is(err, pgx.ErrNoRows):
			return err
		}
		return tx.QueryRow(ctx, `insert into rscgo_leases (customer_id, holder, token, expires_at) values ($1, $2, 1, `+expiresIn+`)
			on conflict (customer_id) do update set holder = excluded.holder, token = rscgo_leases.token + 1, expires_at = excluded.expires_at
			returning token`, customerID, holder, ls.ttl.Microseconds()).Scan(&token)
	})
	if err != nil {
		return nil, nil, fmt.Errorf("lease: taking customer %s: %w", customerID, err)
	}
	return &Lease{ls: ls, customer: customerID, holder: holder, token: token, expires: now.Add(ls.ttl)}, prev, nil
}

// check refuses, for Acquire or Take, a customer id the database cannot
// keep or an empty holder.
func check(op, customerID, holder string) error {
	if err := pgstore.CheckCustomerID(customerID); err != nil {
		return fmt.Errorf("lease: %s: %w", op, err)
	}
	if holder == "" {
		return fmt.Errorf("lease: %s: empty holder", op)
	}
	return nil
}

// Renew extends the lease by the TTL from now (the database's, and the
// holder's clock read before the renewal is sent). It succeeds while the
// token is current, even past the expiry if nobody acquired the customer
// meanwhile, and returns a *LostError otherwise, or once the lease was
// released: a renewal never takes a released customer back.
func (l *Lease) Renew(ctx context.Context) error {
	until := l.ls.clock.Now().Add(l.ls.ttl)
	err := l.update(ctx, l.ls.db.Pool(), "renewing", true, l.holder)
	if err == nil {
		l.mu.Lock()
		if until.After(l.expires) { // of two renewals, the later counts
			l.expires = until
		}
		l.mu.Unlock()
	}
	return err
}

// KeepAlive renews the lease every third of the TTL, and at least a
// millisecond apart, as the Leases' clock (WithClock) sleeps, until ctx is
// done or the lease is lost or released. A renewal that fails otherwise
// (the database out of reach) is tried again at the next turn: Renew
// succeeds even past the expiry while nobody acquired the customer
// meanwhile. A renewal gets a third of the TTL, and at least a second, to
// go through: one the database does not answer (a partition, a locked
// row) is given up, not waited for past the time of the next. It returns ctx.Err() once ctx is done, and the *LostError
// once another holder took the customer or the lease was released. Run it
// in a goroutine beside the work the lease guards, and stop it before
// Release:
//
//	kept := make(chan error, 1)
//	go func() { kept <- l.KeepAlive(ctx); cancel() }() // stop the work once the lease is lost
//	defer func() { cancel(); <-kept; l.Release(context.WithoutCancel(ctx)) }()
func (l *Lease) KeepAlive(ctx context.Context) error {
	every := max(l.ls.ttl/3, time.Millisecond)
	for {
		if err := l.ls.clock.Sleep(ctx, every); err != nil {
			return err
		}
		rctx, cancel := context.WithTimeout(ctx, max(every, time.Second))
		err := l.Renew(rctx)
		cancel()
		if _, lost := errors.AsType[*LostError](err); lost {
			return err
		}
	}
}

// Release gives the customer up, so another holder may acquire it at
// once. It returns a *LostError when the lease was already lost.
func (l *Lease) Release(ctx context.Context) error {
	return l.update(ctx, l.ls.db.Pool(), "releasing", false, "")
}

// ReleaseTx is Release inside tx: the customer is free once tx commits,
// and tx holds the lease's row until then. Like Check, it returns a
// *LostError unless the token is current, so the last commit of a holder
// and the release of its lease can be one transaction.
func (l *Lease) ReleaseTx(ctx context.Context, tx pgx.Tx) error {
	return l.update(ctx, tx, "releasing", false, "")
}

// Record is a customer's lease as the database holds it.
type Record struct {
	// CustomerID is the customer the lease is on.
	CustomerID string
	// Holder is the holder that acquired the lease, "" once released.
	Holder string
	// Expires is when the lease expires unless renewed, by the database's
	// clock; the zero time once released.
	Expires time.Time
	// Token is the fencing token of the lease's last acquisition.
	Token int64
}

// List returns the leases of the customers in db, by customer id; a
// customer whose lease was never acquired has none. It reads what another
// process holds (to show who works which customer) and changes nothing.
func List(ctx context.Context, db *pgstore.DB, customerIDs []string) ([]Record, error) {
	rows, err := db.Pool().Query(ctx, `select customer_id, holder, expires_at, token from rscgo_leases
		where customer_id = any($1) order by customer_id`, customerIDs)
	if err != nil {
		return nil, fmt.Errorf("lease: reading the leases: %w", err)
	}
	recs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Record, error) {
		var r Record
		err := row.Scan(&r.CustomerID, &r.Holder, &r.Expires, &r.Token)
		return r, err
	})
	if err != nil {
		return nil, fmt.Errorf("lease: reading the leases: %w", err)
	}
	return recs, nil
}

// querier is a pool or a transaction.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// expiresIn is the expiry of a lease acquired or renewed now, by the
// database's clock, its TTL in microseconds given as the statement's
// third argument.
const expiresIn = "now() + $3 * interval '1 microsecond'"

// update sets the holder of the lease, and its expiry a TTL from now when
// renew is set (else the zero time: released), if its token is current.
func (l *Lease) update(ctx context.Context, q querier, doing string, renew bool, holder string) error {
	expires, arg := expiresIn, any(l.ls.ttl.Microseconds())
	if !renew {
		expires, arg = "$3::timestamptz", time.Time{}
	}
	tag, err := q.Exec(ctx, `update rscgo_leases set expires_at = `+expires+`, holder = $4
		where customer_id = $1 and token = $2 and (holder <> '' or not $5)`, l.customer, l.token, arg, holder, renew)
	if err != nil {
		return fmt.Errorf("lease: %s customer %s: %w", doing, l.customer, err)
	}
	if tag.RowsAffected() == 0 {
		return l.lost(ctx, q)
	}
	return nil
}

// lost returns the *LostError describing the current lease of l's
// customer, or the error reading it.
func (l *Lease) lost(ctx context.Context, q querier) error {
	e := &LostError{CustomerID: l.customer, Token: l.token}
	err := q.QueryRow(ctx, "select token, holder from rscgo_leases where customer_id = $1", l.customer).Scan(&e.Current, &e.Holder)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("lease: reading customer %s: %w", l.customer, err)
	}
	return e
}

// Check implements pgstore.Fence: inside tx, it locks the customer's lease
// row until tx ends and returns a *LostError unless l's token is still
// current and l not released, so that a commit in tx is made by the
// lease's holder only.
func (l *Lease) Check(ctx context.Context, tx pgx.Tx, customerID string) error {
	if customerID != l.customer {
		return fmt.Errorf("lease: a commit for customer %s under the lease of customer %s", customerID, l.customer)
	}
	var token int64
	var holder string
	err := tx.QueryRow(ctx, "select token, holder from rscgo_leases where customer_id = $1 for update", customerID).Scan(&token, &holder)
	switch {
	case errors.Is(err, pgx.ErrNoRows) || err == nil && (token != l.token || holder == ""):
		return l.lost(ctx, tx)
	case err != nil:
		return fmt.Errorf("lease: checking customer %s: %w", customerID, err)
	}
	return nil
}
