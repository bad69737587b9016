package tracker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"reflect"
	"strconv"
	"time"

	_ "modernc.org/sqlite" // pure-Go SQLite driver, registered as "sqlite"

	"github.com/rscgo/rscgo/rsc"
)

// DB is Tracker's database: an embedded SQLite file holding candidates,
// jobs, placements with their stage history, activities, users and
// deletion tombstones. It is safe for concurrent use.
type DB struct {
	sql *sql.DB

	clock rsc.Clock // stamps rows and bounds the Source's reads (WithClock)
}

// Option configures a DB (Open).
type Option func(*options) error

type options struct {
	clock rsc.Clock
}

// WithClock sets the clock that stamps Tracker's rows (modified_at, a
// tombstone's deleted_at) and bounds the Source's reads (see Source): the
// simulation helpers (TouchCandidates, DeleteCandidate, ...) and the Sink
// read it under SQLite's write lock, and so does the Source's fence. It
// must be the clock of every stamp, and move on as a real one does, or the
// Source reads nothing stamped at its current millisecond. The default is
// rsc.SystemClock(). clk must not be nil, nor hold a nil pointer (a nil
// *rsctest.FakeClock).
func WithClock(clk rsc.Clock) Option {
	return func(o *options) error {
		if isNil(clk) {
			return errors.New("tracker: WithClock: nil clock")
		}
		o.clock = clk
		return nil
	}
}

// isNil reports whether v is nil or holds a nil pointer, func, map, slice,
// channel or interface, which would panic on the first call. (rscgo's own
// options use its internal option.NonNil; this adapter is copied into
// vendors' code, which cannot import rscgo's internal packages.)
func isNil(v any) bool {
	if v == nil {
		return true
	}
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Pointer, reflect.Func, reflect.Map, reflect.Slice, reflect.Chan, reflect.Interface:
		return rv.IsNil()
	}
	return false
}

// Open opens (creating if needed) the Tracker database at path and applies
// the schema. The database runs in WAL mode, so streams can read while the
// ATS writes, with a busy timeout so concurrent writers wait instead of
// failing with SQLITE_BUSY. Options are applied in order (nil ones are
// skipped); an option's error is returned before the file is opened.
func Open(path string, opts ...Option) (*DB, error) {
	o := options{clock: rsc.SystemClock()}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	q := url.Values{}
	for _, p := range []string{
		"journal_mode(WAL)",
		"busy_timeout(10000)",
		"foreign_keys(ON)",
		"synchronous(NORMAL)",
		"cache_size(-65536)", // 64 MiB of page cache per connection
	} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate") // writers take the lock up front: no upgrade deadlocks
	dsn := "file:" + path + "?" + q.Encode()
	sqldb, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("tracker: open %s: %w", path, err)
	}
	sqldb.SetMaxOpenConns(8)
	sqldb.SetMaxIdleConns(8)
	if _, err := sqldb.Exec(schema); err != nil {
		sqldb.Close()
		return nil, fmt.Errorf("tracker: apply schema to %s: %w", path, err)
	}
	return &DB{sql: sqldb, clock: o.clock}, nil
}

// Close closes the database.
func (db *DB) Close() error { return db.sql.Close() }

// SQL returns the underlying *sql.DB, for ad-hoc queries in demos and tests.
func (db *DB) SQL() *sql.DB { return db.sql }

// now reads the database's clock (WithClock).
func (db *DB) now() time.Time { return db.clock.Now() }

// schema is Tracker's data model. Every time is epoch milliseconds (UTC) in
// an INTEGER column. Ids are fixed-width TEXT ("C00000042") so that SQLite's
// BINARY ordering, Go's string ordering and sync.Cursor agree.
//
// Every streamed table has an index on (modified_at, id): the keyset query
// of each stream walks it in order and never sorts.
const schema = `
-- Tracker-wide settings, e.g. "org" = the customer's organization URN.
CREATE TABLE IF NOT EXISTS settings (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS users (
	id                  TEXT PRIMARY KEY,
	first_name          TEXT NOT NULL,
	last_name           TEXT NOT NULL,
	email               TEXT NOT NULL,
	linkedin_person_urn TEXT,            -- urn:li:person:{id}, matched against Seat.Member
	linkedin_seat_urn   TEXT,            -- urn:li:seat:{id}, once mapped
	created_at          INTEGER NOT NULL,
	modified_at         INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS users_person ON users(linkedin_person_urn);
CREATE INDEX IF NOT EXISTS users_seat ON users(linkedin_seat_urn);

CREATE TABLE IF NOT EXISTS candidates (
	id                   TEXT PRIMARY KEY,
	prefix               TEXT NOT NULL DEFAULT '',
	first_name           TEXT NOT NULL,
	middle_initial       TEXT NOT NULL DEFAULT '',
	last_name            TEXT NOT NULL DEFAULT '',
	suffix               TEXT NOT NULL DEFAULT '',
	email                TEXT NOT NULL DEFAULT '',
	phone                TEXT NOT NULL DEFAULT '',
	phone_ext            TEXT NOT NULL DEFAULT '',
	address_line1        TEXT NOT NULL DEFAULT '',
	city                 TEXT NOT NULL DEFAULT '',
	region               TEXT NOT NULL DEFAULT '',   -- state or province code
	region_type          TEXT NOT NULL DEFAULT '',   -- STATE or PROVINCE
	postal_code          TEXT NOT NULL DEFAULT '',
	country              TEXT NOT NULL DEFAULT '',   -- ISO 3166 alpha-2, lower case
	current_company      TEXT NOT NULL DEFAULT '',
	current_title        TEXT NOT NULL DEFAULT '',
	source               TEXT NOT NULL DEFAULT '',
	do_not_contact       INTEGER NOT NULL DEFAULT 0,
	owner_id             TEXT REFERENCES users(id),
	linkedin_person_urn  TEXT,                       -- from LinkedIn: exports, stubs, profile links
	linkedin_profile_url TEXT,                       -- from LinkedIn: public profile URL
	linkedin_linked_at   INTEGER,
	created_at           INTEGER NOT NULL,
	modified_at          INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS candidates_modified ON candidates(modified_at, id);
CREATE INDEX IF NOT EXISTS candidates_email ON candidates(email COLLATE NOCASE);
CREATE INDEX IF NOT EXISTS candidates_person ON candidates(linkedin_person_urn);

CREATE TABLE IF NOT EXISTS jobs (
	id                TEXT PRIMARY KEY,
	title             TEXT NOT NULL,
	description       TEXT NOT NULL,
	skills            TEXT NOT NULL DEFAULT '',
	location          TEXT NOT NULL,             -- "CITY, STATE, COUNTRY"
	workplace_type    TEXT NOT NULL DEFAULT '',  -- On-site, Hybrid or Remote
	employment_status TEXT NOT NULL DEFAULT '',  -- FULL_TIME, CONTRACT, ...
	experience_level  TEXT NOT NULL DEFAULT '',  -- ENTRY_LEVEL, MID_SENIOR_LEVEL, ...
	category          TEXT NOT NULL DEFAULT '',  -- job function, e.g. Engineering
	job_code          TEXT NOT NULL DEFAULT '',
	client_company    TEXT NOT NULL DEFAULT '',
	public            INTEGER NOT NULL DEFAULT 0,  -- the customer's choice (RSC-102): 1 = PUBLIC
	status            TEXT NOT NULL CHECK (status IN ('open', 'closed')),
	owner_id          TEXT REFERENCES users(id),
	listed_at         INTEGER NOT NULL,
	closed_at         INTEGER,
	created_at        INTEGER NOT NULL,
	modified_at       INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_modified ON jobs(modified_at, id);

-- A placement is an application from shortlist onwards.
CREATE TABLE IF NOT EXISTS placements (
	id                 TEXT PRIMARY KEY,
	candidate_id       TEXT NOT NULL REFERENCES candidates(id),
	job_id             TEXT NOT NULL REFERENCES jobs(id),
	source             TEXT NOT NULL DEFAULT '',
	current_stage      TEXT NOT NULL DEFAULT '',
	disposition_reason TEXT NOT NULL DEFAULT '',
	created_at         INTEGER NOT NULL,
	modified_at        INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS placements_modified ON placements(modified_at, id);
CREATE UNIQUE INDEX IF NOT EXISTS placements_candidate_job ON placements(candidate_id, job_id);
CREATE INDEX IF NOT EXISTS placements_job ON placements(job_id);

-- A placement's record carries its candidate's name and email and its job's
-- title (the application LinkedIn takes whole): an edit of one of them moves
-- the placement too, so that the next sync sends the application again.
CREATE TRIGGER IF NOT EXISTS placements_follow_candidate
AFTER UPDATE OF first_name, last_name, email ON candidates
WHEN OLD.first_name IS NOT NEW.first_name OR OLD.last_name IS NOT NEW.last_name OR OLD.email IS NOT NEW.email
BEGIN
	UPDATE placements SET modified_at = MAX(modified_at, NEW.modified_at) WHERE candidate_id = NEW.id;
END;
CREATE TRIGGER IF NOT EXISTS placements_follow_job
AFTER UPDATE OF title ON jobs
WHEN OLD.title IS NOT NEW.title
BEGIN
	UPDATE placements SET modified_at = MAX(modified_at, NEW.modified_at) WHERE job_id = NEW.id;
END;

-- One row per stage transition; a change here also bumps the placement's
-- modified_at, because LinkedIn takes an application and its stages whole:
-- Tracker's writers do (AdvancePlacements), and so does a trigger for a
-- stage inserted by any other writer, stamped with its creation time.
CREATE TABLE IF NOT EXISTS placement_stages (
	id           TEXT PRIMARY KEY,
	placement_id TEXT NOT NULL REFERENCES placements(id),
	stage        TEXT NOT NULL,
	created_at   INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS placement_stages_placement ON placement_stages(placement_id, created_at, id);
CREATE TRIGGER IF NOT EXISTS placements_follow_stages
AFTER INSERT ON placement_stages
BEGIN
	UPDATE placements SET modified_at = MAX(modified_at, NEW.created_at) WHERE id = NEW.placement_id;
END;

-- Activities: notes and interview feedback written in Tracker (synced to
-- LinkedIn), and InMail, prospect notes and notices that came from LinkedIn
-- (kept in Tracker, never sent back).
CREATE TABLE IF NOT EXISTS activities (
	id             TEXT PRIMARY KEY,
	kind           TEXT NOT NULL CHECK (kind IN (
	                   'candidate_note', 'placement_note', 'interview_feedback',
	                   'inmail', 'prospect_note', 'linkedin_notice')),
	candidate_id   TEXT REFERENCES candidates(id),
	placement_id   TEXT REFERENCES placements(id),
	author_id      TEXT REFERENCES users(id),
	subject        TEXT NOT NULL DEFAULT '',
	body           TEXT NOT NULL DEFAULT '',
	interview_type TEXT NOT NULL DEFAULT '',   -- PHONE_SCREEN or ONSITE
	evaluations    TEXT NOT NULL DEFAULT '',   -- JSON [{"attribute":..,"result":..}]
	meta           TEXT NOT NULL DEFAULT '',   -- JSON: LinkedIn details (seat, member, conversation, ...)
	external_id    TEXT,                       -- LinkedIn's id (InMail event, prospect note)
	created_at     INTEGER NOT NULL,
	modified_at    INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS activities_modified ON activities(modified_at, id);
CREATE INDEX IF NOT EXISTS activities_candidate ON activities(candidate_id);
CREATE INDEX IF NOT EXISTS activities_placement ON activities(placement_id);
CREATE UNIQUE INDEX IF NOT EXISTS activities_external ON activities(kind, external_id) WHERE external_id IS NOT NULL;

-- Tombstones: one row per deleted record, streamed as sync.Deletion in
-- (deleted_at, position) order, position being "kind:id" (the convention of
-- sync.Deletion.CursorID: ids of different kinds may be equal).
CREATE TABLE IF NOT EXISTS deletions (
	kind       TEXT NOT NULL,      -- a sync.EntityKind: job, candidate, application, candidateNote, ...
	id         TEXT NOT NULL,      -- the deleted record's id
	parent_id  TEXT NOT NULL DEFAULT '',
	deleted_at INTEGER NOT NULL,
	position   TEXT GENERATED ALWAYS AS (kind || ':' || id) VIRTUAL,
	PRIMARY KEY (kind, id)
);
CREATE INDEX IF NOT EXISTS deletions_modified ON deletions(deleted_at, position);
`

// Id prefixes. Ids are a prefix and idDigits zero-padded digits.
const (
	prefixUser      = "U"
	prefixCandidate = "C"
	prefixJob       = "J"
	prefixPlacement = "P"
	prefixStage     = "S"
	prefixActivity  = "A"
	idDigits        = 8
)

func formatID(prefix string, n int64) string {
	return fmt.Sprintf("%s%0*d", prefix, idDigits, n)
}

// querier is what *sql.DB and *sql.Tx have in common.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// execAll executes the statements in order with the same arguments.
func execAll(ctx context.Context, q querier, stmts []string, args ...any) error {
	for _, stmt := range stmts {
		if _, err := q.ExecContext(ctx, stmt, args...); err != nil {
			return err
		}
	}
	return nil
}

// ref names a row a new row refers to.
type ref struct{ table, id string }

// newID checks that the rows a new row of table refers to exist (errors
// wrap ErrNotFound), then allocates its id.
func newID(ctx context.Context, q querier, table, prefix string, refs ...ref) (string, error) {
	for _, r := range refs {
		if err := exists(ctx, q, r.table, r.id); err != nil {
			return "", err
		}
	}
	return nextID(ctx, q, table, prefix)
}

// nextID allocates the id after the largest one in table.
func nextID(ctx context.Context, q querier, table, prefix string) (string, error) {
	var max sql.NullString
	if err := q.QueryRowContext(ctx, "SELECT MAX(id) FROM "+table).Scan(&max); err != nil {
		return "", fmt.Errorf("tracker: next %s id: %w", table, err)
	}
	var n int64
	if max.Valid && len(max.String) > len(prefix) {
		v, err := strconv.ParseInt(max.String[len(prefix):], 10, 64)
		if err != nil {
			return "", fmt.Errorf("tracker: next %s id after %q: %w", table, max.String, err)
		}
		n = v
	}
	return formatID(prefix, n+1), nil
}

// Setting returns the value of a setting ("" if unset). Generate stores the
// customer's organization URN under "org".
func (db *DB) Setting(ctx context.Context, key string) (string, error) {
	var v string
	err := db.sql.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("tracker: setting %q: %w", key, err)
	}
	return v, nil
}

// SetSetting stores a setting.
func (db *DB) SetSetting(ctx context.Context, key, value string) error {
	_, err := db.sql.ExecContext(ctx, `INSERT INTO settings (key, value) VALUES (?, ?)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	if err != nil {
		return fmt.Errorf("tracker: set setting %q: %w", key, err)
	}
	return nil
}

// withTx runs fn in a write transaction.
func (db *DB) withTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("tracker: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("tracker: commit: %w", err)
	}
	return nil
}

// fence takes the write lock as a writer does (BEGIN IMMEDIATE, waiting
// for the writer that holds it), reads the clock under it and lets it go,
// returning the clock's millisecond: every write stamped before it has
// committed, as every writer reads the clock under the lock, and every
// write that has not stamps it or later. It is the Source's
// sqlsource.Query.Fence: a read takes only the rows stamped before it.
func (db *DB) fence(ctx context.Context) (time.Time, error) {
	var b int64
	err := db.withTx(ctx, func(*sql.Tx) error {
		b = ms(db.now())
		return nil
	})
	if err != nil {
		return time.Time{}, fmt.Errorf("tracker: fence: %w", err)
	}
	return time.UnixMilli(b).UTC(), nil
}

// ms converts a time to epoch milliseconds (the zero time to 0).
func ms(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}

// fromMS converts epoch milliseconds to a UTC time (0 to the zero time).
func fromMS(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}
