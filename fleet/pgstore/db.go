// Package pgstore keeps rscgo's state in PostgreSQL, through pgx: sync
// checkpoints and dead letters, onboarding states, InMail cursors and
// milestone events, so that any number of processes on any number of
// machines share it.
//
// Open (or New, with a pool of your own) brings the schema up to date with
// the migrations embedded in this package, recorded in the table
// rscgo_schema_version; a database migrated by a newer version of this
// package is refused with a *SchemaVersionError. Every table's name starts
// with rscgo_.
//
// Each store implements the interface of its package and follows its
// contract (the conformance tests in package storetest run against these
// and the memory and file stores alike). A sync checkpoint is a row per
// customer plus a row per job and per pending task, and a Save writes the
// rows that changed (see Checkpoints). Checkpoints.Fenced checks a customer lease (package
// lease) in the transaction of each Save, so a process that lost its lease
// can no longer commit. InMailCursors.Update locks the customer's row, so
// the inmail.Retrievers of one customer in several processes keep each
// other's changes.
//
// Every store refuses a customer id that CheckCustomerID refuses (empty,
// longer than MaxCustomerIDLen bytes, not valid UTF-8, or holding NUL)
// with an error wrapping ErrInvalidCustomerID, before it reads or writes
// anything: PostgreSQL could not keep such an id, or not as it is.
//
// Onboarding's client secrets do not belong here: keep them in a secret
// manager (a vault or a KMS-encrypted store) behind onboarding.SecretStore.
package pgstore

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	neturl "net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/rscgo/rscgo/fleet/internal/pglock"
)

//go:embed migrations/*.sql
var migrationFiles embed.FS

// DB is a PostgreSQL database holding rscgo's stores. It is safe for
// concurrent use.
type DB struct {
	pool  *pgxpool.Pool
	owned bool // Close closes the pool
}

// Open connects to the database at url (a PostgreSQL URL or key=value
// connection string, as pgx accepts it), checks that it answers, and
// migrates its schema. A URL that does not parse, a server that does not
// answer and a schema newer than this package are errors saying so. A
// connection attempt gives up after DefaultConnectTimeout unless the URL
// sets connect_timeout: without it, a server that accepts the connection
// and never answers would hold Open (and every later connection) forever.
func Open(ctx context.Context, url string) (*DB, error) {
	cfg, err := parseConfig(url)
	if err != nil {
		return nil, err
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	db, err := New(ctx, pool)
	if err != nil {
		pool.Close()
		return nil, err
	}
	db.owned = true
	return db, nil
}

// DefaultConnectTimeout bounds one connection attempt of Open's pool when
// its URL sets no connect_timeout.
const DefaultConnectTimeout = 10 * time.Second

// parseConfig parses url as Open does, with DefaultConnectTimeout when
// the URL sets no connect_timeout.
func parseConfig(url string) (*pgxpool.Config, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("pgstore: the database URL is not valid: %w", urlError(err))
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = DefaultConnectTimeout
	}
	return cfg, nil
}

// urlError returns the cause of a URL's parse error without the URL,
// which pgx and net/url quote and may hold a password.
func urlError(err error) error {
	var pe *pgconn.ParseConfigError
	if !errors.As(err, &pe) {
		return err
	}
	var ue *neturl.Error
	if errors.As(pe.Unwrap(), &ue) {
		return ue.Err
	}
	// "cannot parse `URL`: reason (cause)"
	msg := pe.Error()
	if i := strings.LastIndex(msg, "`: "); i >= 0 {
		return errors.New(msg[i+len("`: "):])
	}
	return errors.New("malformed connection string")
}

// New returns a DB on pool, which it does not close, after checking that
// the database answers and migrating its schema.
func New(ctx context.Context, pool *pgxpool.Pool) (*DB, error) {
	if pool == nil {
		return nil, errors.New("pgstore: New: nil pool")
	}
	if err := pool.Ping(ctx); err != nil {
		c := pool.Config().ConnConfig
		return nil, fmt.Errorf("pgstore: cannot reach database %q at %s:%d as %q: %w", c.Database, c.Host, c.Port, c.User, err)
	}
	if err := Migrate(ctx, pool); err != nil {
		return nil, err
	}
	return &DB{pool: pool}, nil
}

// Customers lists, sorted, the customers the database knows: those with
// a checkpoint, an onboarding state or milestone events.
func (db *DB) Customers(ctx context.Context) ([]string, error) {
	rows, err := db.pool.Query(ctx, `select customer_id from rscgo_checkpoints
		union select customer_id from rscgo_onboarding_states
		union select customer_id from rscgo_milestone_events order by 1`)
	var ids []string
	if err == nil {
		ids, err = pgx.CollectRows(rows, pgx.RowTo[string])
	}
	if err != nil {
		return nil, fmt.Errorf("pgstore: listing customers: %w", err)
	}
	return ids, nil
}

// Pool returns the connection pool.
func (db *DB) Pool() *pgxpool.Pool { return db.pool }

// Close closes the pool if Open made it.
func (db *DB) Close() {
	if db.owned {
		db.pool.Close()
	}
}

// SchemaVersionError says the database's schema is at a newer version than
// this package knows: it was migrated by a newer rscgo. Upgrade the
// program; never downgrade the database.
type SchemaVersionError struct {
	Database int // the version recorded in the database
	Code     int // the newest version this package knows
}

// Error implements error.
func (e *SchemaVersionError) Error() string {
	return fmt.Sprintf("pgstore: the database schema is at version %d, newer than this program's %d: run a newer rscgo", e.Database, e.Code)
}

// migration is one embedded migration file, NNNN_name.sql.
type migration struct {
	version int
	name    string
	sql     string
}

// migrations returns the embedded migrations in version order.
func migrations() ([]migration, error) {
	names, err := fs.Glob(migrationFiles, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var out []migration
	for i, n := range names { // fs.Glob sorts
		base := path.Base(n)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil || v != i+1 {
			return nil, fmt.Errorf("pgstore: migration %s: want version %d", base, i+1)
		}
		b, err := migrationFiles.ReadFile(n)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: base, sql: string(b)})
	}
	return out, nil
}

// Version returns the newest schema version this package knows.
func Version() int {
	ms, err := migrations()
	if err != nil {
		panic(err) // the embedded files are checked by the tests
	}
	return len(ms)
}

// Migrate brings the schema of the database up to Version, in one
// transaction, serialised with other processes migrating it (or River's
// schema, riverrun.Migrate) by an advisory lock. It refuses a
// database at a newer version with a *SchemaVersionError. Open and New
// call it.
//
// The tables are in the first schema of the connections' search path that
// exists (current_schema()). A search path that starts with a schema that
// does not exist ("fleet_b,public" before CREATE SCHEMA fleet_b) is
// refused: PostgreSQL would pass over it and use the next one, another
// fleet's tables in public, say. A path starting with "$user" (PostgreSQL's
// default) is taken as PostgreSQL resolves it.
func Migrate(ctx context.Context, pool *pgxpool.Pool) error {
	if err := checkSearchPath(ctx, pool); err != nil {
		return err
	}
	return migrate(ctx, pool, Version())
}

// checkSearchPath refuses a search path whose first schema does not exist.
func checkSearchPath(ctx context.Context, pool *pgxpool.Pool) error {
	var current, path string
	err := pool.QueryRow(ctx, "select coalesce(current_schema(), ''), current_setting('search_path')").Scan(&current, &path)
	if err != nil {
		return fmt.Errorf("pgstore: reading the search path: %w", err)
	}
	first, _, _ := strings.Cut(path, ",")
	first = strings.TrimSpace(first)
	if first == "$user" || first == `"$user"` {
		return nil
	}
	name := strings.ToLower(first) // an unquoted name folds to lower case
	if len(first) >= 2 && first[0] == '"' && first[len(first)-1] == '"' {
		name = strings.ReplaceAll(first[1:len(first)-1], `""`, `"`)
	}
	if name != "" && name != current {
		return fmt.Errorf("pgstore: the search path (%s) starts with the schema %s, which does not exist: create it first (CREATE SCHEMA %s), or the tables of the next schema on the path (another fleet's, say) would be used", path, first, first)
	}
	return nil
}

// migrate brings the schema up to version upTo.
func migrate(ctx context.Context, pool *pgxpool.Pool, upTo int) error {
	ms, err := migrations()
	if err != nil {
		return err
	}
	ms = ms[:upTo]
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if err := pglock.InTx(ctx, tx); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, "create table if not exists rscgo_schema_version (version int not null)"); err != nil {
			return err
		}
		var have int
		if err := tx.QueryRow(ctx, "select coalesce(max(version), 0) from rscgo_schema_version").Scan(&have); err != nil {
			return err
		}
		if have > len(ms) {
			return &SchemaVersionError{Database: have, Code: len(ms)}
		}
		for _, m := range ms[have:] {
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %s: %w", m.name, err)
			}
		}
		if _, err := tx.Exec(ctx, "delete from rscgo_schema_version"); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "insert into rscgo_schema_version (version) values ($1)", len(ms))
		return err
	})
	var sv *SchemaVersionError
	if err != nil && !errors.As(err, &sv) {
		return fmt.Errorf("pgstore: migrating the schema: %w", err)
	}
	return err
}
