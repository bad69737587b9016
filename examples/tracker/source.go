package tracker

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strings"
	"time"

	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
	"github.com/rscgo/rscgo/sync/sqlsource"
)

// DefaultPageSize is the number of rows a stream reads per query.
const DefaultPageSize = 500

// Config configures a Source. NewSource validates it.
type Config struct {
	// IntegrationContext is the customer's organization URN
	// (urn:li:organization:{id}, 1 to 19 digits) from the onboarding
	// widget. Required.
	IntegrationContext string
	// BaseURL is where Tracker serves its pages; candidate records link to
	// BaseURL/candidates/{id} and jobs apply at BaseURL/jobs/{id}/apply. If
	// set, an absolute http or https URL with a host, and no user
	// information, query or fragment; a trailing slash is dropped. Default
	// "https://tracker.example.com".
	BaseURL string
	// PageSize is the number of rows per keyset page: 0 for
	// DefaultPageSize, at most sqlsource.MaxPageSize.
	PageSize int
}

// Source streams Tracker's records to the sync engine. It implements
// sync.Source over SQL with package sync/sqlsource: each stream is a
// keyset-paginated query ordered by (modified_at, id) that reads one page
// at a time, so memory stays bounded by the page size and no read
// transaction outlives a page.
//
// Each stream read, and each Totals, starts with a fence, as sync.Source
// asks of a Source whose writers may share a millisecond: it takes SQLite's
// write lock (BEGIN IMMEDIATE, which waits for the writer holding it),
// reads the boundary B from the database's clock (WithClock), which every
// writer stamps modified_at (a tombstone's deleted_at) with under that
// lock, and lets the lock go at once; the read then takes only the rows
// stamped before B. So every write stamped before B has committed when the
// read starts, and every later one stamps B or later, for the next read: a
// read between two commits stamped in one millisecond, or while a writer
// that stamped that millisecond has not committed, never moves the engine's
// cursor past a row that has yet to appear. The triggers that move a
// placement (a stage inserted, a candidate's name or email or a job's title
// edited) run in their writer's transaction with its stamp, and are fenced
// with it. Rows of the current millisecond wait for the next read; nothing
// else waits.
type Source struct {
	db  *DB
	cfg Config
}

var _ rscsync.Source = (*Source)(nil)

// NewSource returns a Source over db, with cfg's defaults applied. It
// returns an error naming the field and the rule when db is nil or cfg is
// invalid (see Config): the integration context comes from onboarding at
// run time, so a bad one is an error, never a panic.
func NewSource(db *DB, cfg Config) (*Source, error) {
	if db == nil {
		return nil, errors.New("tracker: NewSource: nil DB")
	}
	if !rsc.IsOrganizationURN(cfg.IntegrationContext) {
		return nil, fmt.Errorf("tracker: NewSource: Config.IntegrationContext %q: must be urn:li:organization:{1 to 19 digits}", cfg.IntegrationContext)
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://tracker.example.com"
	}
	if err := checkBaseURL(cfg.BaseURL); err != nil {
		return nil, err
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	if cfg.PageSize < 0 || cfg.PageSize > sqlsource.MaxPageSize {
		return nil, fmt.Errorf("tracker: NewSource: Config.PageSize %d: must be 0 (DefaultPageSize) to %d (sqlsource.MaxPageSize)", cfg.PageSize, sqlsource.MaxPageSize)
	}
	if cfg.PageSize == 0 {
		cfg.PageSize = DefaultPageSize
	}
	return &Source{db: db, cfg: cfg}, nil
}

// checkBaseURL checks raw as a Config.BaseURL. Its error quotes raw
// unless raw does not parse or holds user information: then it may hold a
// password.
func checkBaseURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil:
		return errors.New("tracker: NewSource: Config.BaseURL: must be an absolute http or https URL")
	case u.User != nil:
		return errors.New("tracker: NewSource: Config.BaseURL: must hold no user information")
	case (u.Scheme != "http" && u.Scheme != "https") || u.Host == "":
		return fmt.Errorf("tracker: NewSource: Config.BaseURL %q: must be an absolute http or https URL", raw)
	case strings.ContainsAny(raw, "?#"):
		return fmt.Errorf("tracker: NewSource: Config.BaseURL %q: must have no query or fragment (record links append paths to it)", raw)
	}
	return nil
}

// Config returns the source's configuration with defaults applied.
func (s *Source) Config() Config { return s.cfg }

// Jobs yields job postings, open and closed, in (modified_at, id) order.
func (s *Source) Jobs(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Job, error] {
	return sqlsource.Stream(ctx, s.db.sql, since, s.jobs(), s.job)
}

// Candidates yields candidates in (modified_at, id) order.
func (s *Source) Candidates(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Candidate, error] {
	return sqlsource.Stream(ctx, s.db.sql, since, s.candidates(), s.candidate)
}

// Applications yields placements (applications from shortlist onwards) in
// (modified_at, id) order, each with its whole stage history. The history
// of a page is read with one extra query (placement_id IN (...)).
func (s *Source) Applications(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Application, error] {
	return sqlsource.StreamPages(ctx, s.db.sql, since, s.placements(), scanPlacement, s.withStages)
}

// Activities yields candidate notes, placement notes and interview feedback
// in (modified_at, id) order. Activities that came from LinkedIn (InMail,
// prospect notes, notices) are not yielded.
func (s *Source) Activities(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Activity, error] {
	return sqlsource.Stream(ctx, s.db.sql, since, s.activities(), s.activity)
}

// Deletions yields tombstones in (deleted_at, kind:id) order: the cursor's
// ID is the kind and the id joined by a colon ("candidate:C00000042"), as
// sync.Deletion.CursorID defines it, because ids of different kinds may
// be equal.
func (s *Source) Deletions(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Deletion, error] {
	return sqlsource.Stream(ctx, s.db.sql, since, s.deletions(), s.deletion)
}

// Totals counts the jobs, candidates, placements and synced activities
// modified at or after since (all of them for the zero time) and before
// its fence (see Source): the records streams read at that instant would
// send. One fence bounds the four counts.
func (s *Source) Totals(ctx context.Context, since time.Time) (rscsync.Totals, error) {
	b, err := s.db.fence(ctx)
	if err != nil {
		return rscsync.Totals{}, err
	}
	var t rscsync.Totals
	for _, c := range []struct {
		dst *int64
		q   sqlsource.Query
	}{
		{&t.Jobs, s.jobs()},
		{&t.Candidates, s.candidates()},
		{&t.Applications, s.placements()},
		{&t.Activities, s.activities()},
	} {
		c.q.Fence = func(context.Context) (time.Time, error) { return b, nil }
		n, err := sqlsource.Count(ctx, s.db.sql, since, c.q)
		if err != nil {
			return rscsync.Totals{}, err
		}
		*c.dst = n
	}
	return t, nil
}

// The streams' keyset queries (their columns and tables are in mapping.go).
func (s *Source) jobs() sqlsource.Query { return s.keyset("jobs", jobColumns, jobFrom, "j", "") }
func (s *Source) candidates() sqlsource.Query {
	return s.keyset("candidates", candidateColumns, candidateFrom, "c", "")
}
func (s *Source) placements() sqlsource.Query {
	return s.keyset("placements", placementColumns, placementFrom, "p", "")
}
func (s *Source) activities() sqlsource.Query {
	return s.keyset("activities", activityColumns, activityFrom, "a", syncedActivityKinds)
}
func (s *Source) deletions() sqlsource.Query {
	q := s.keyset("deletions", deletionColumns, deletionFrom, "d", "")
	q.ModifiedAt, q.ID = "d.deleted_at", "d.position"
	return q
}

// keyset is a stream's query over the table aliased alias, read in
// (modified_at, id) order: Tracker keeps times in epoch milliseconds
// (INTEGER columns) and ids as text.
func (s *Source) keyset(name, columns, from, alias, where string) sqlsource.Query {
	return sqlsource.Query{Name: "tracker " + name, Select: columns, From: from, Where: where,
		ModifiedAt: alias + ".modified_at", ID: alias + ".id",
		Unit: time.Millisecond, UnixInteger: true, PageSize: s.cfg.PageSize, Fence: s.db.fence}
}
