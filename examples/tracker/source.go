package tracker

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"iter"
	"math"
	"strings"
	"time"

	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// DefaultPageSize is the number of rows a stream reads per query.
const DefaultPageSize = 500

// Config configures a Source.
type Config struct {
	// IntegrationContext is the customer's organization URN
	// (urn:li:organization:{id}) from the onboarding widget. Required.
	IntegrationContext string
	// BaseURL is where Tracker serves its pages; candidate records link to
	// BaseURL/candidates/{id} and jobs apply at BaseURL/jobs/{id}/apply.
	// Default "https://tracker.example.com".
	BaseURL string
	// PageSize is the number of rows per keyset page (default DefaultPageSize).
	PageSize int
}

// Source streams Tracker's records to the sync engine. It implements
// sync.Source over SQL: each stream is a keyset-paginated query ordered by
// (modified_at, id) that reads one page at a time, so memory stays bounded
// by the page size and no read transaction outlives a page.
type Source struct {
	db  *DB
	cfg Config
}

var _ rscsync.Source = (*Source)(nil)

// NewSource returns a Source over db. It panics if cfg has no
// IntegrationContext (a programming error, not a runtime one).
func NewSource(db *DB, cfg Config) *Source {
	if cfg.IntegrationContext == "" {
		panic("tracker: NewSource: Config.IntegrationContext is required")
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "https://tracker.example.com"
	}
	cfg.BaseURL = strings.TrimSuffix(cfg.BaseURL, "/")
	if cfg.PageSize <= 0 {
		cfg.PageSize = DefaultPageSize
	}
	return &Source{db: db, cfg: cfg}
}

// Config returns the source's configuration with defaults applied.
func (s *Source) Config() Config { return s.cfg }

// Jobs yields job postings, open and closed, in (modified_at, id) order.
func (s *Source) Jobs(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Job, error] {
	q := pageQuery(jobColumns, jobFrom, "j.modified_at", "j.id", "")
	return stream(ctx, s, "jobs", since, q, scanJob,
		func(r *jobRow) (int64, string) { return r.modifiedAt, r.id },
		func(_ context.Context, page []jobRow) ([]rscsync.Job, error) {
			out := make([]rscsync.Job, len(page))
			for i, r := range page {
				out[i] = s.toJob(r)
			}
			return out, nil
		})
}

// Candidates yields candidates in (modified_at, id) order.
func (s *Source) Candidates(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Candidate, error] {
	q := pageQuery(candidateColumns, candidateFrom, "c.modified_at", "c.id", "")
	return stream(ctx, s, "candidates", since, q, scanCandidate,
		func(r *candidateRow) (int64, string) { return r.modifiedAt, r.id },
		func(_ context.Context, page []candidateRow) ([]rscsync.Candidate, error) {
			out := make([]rscsync.Candidate, len(page))
			for i, r := range page {
				out[i] = s.toCandidate(r)
			}
			return out, nil
		})
}

// Applications yields placements (applications from shortlist onwards) in
// (modified_at, id) order, each with its whole stage history. The history
// of a page is read with one extra query (placement_id IN (...)).
func (s *Source) Applications(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Application, error] {
	q := pageQuery(placementColumns, placementFrom, "p.modified_at", "p.id", "")
	return stream(ctx, s, "placements", since, q, scanPlacement,
		func(r *placementRow) (int64, string) { return r.modifiedAt, r.id },
		func(ctx context.Context, page []placementRow) ([]rscsync.Application, error) {
			ids := make([]any, len(page))
			for i, r := range page {
				ids[i] = r.id
			}
			stages := make(map[string][]rsc.Stage, len(page))
			err := s.query(ctx, fmt.Sprintf(stagesQuery, placeholders(len(ids))), ids, func(rows *sql.Rows) error {
				r, err := scanStage(rows)
				if err == nil {
					stages[r.placementID] = append(stages[r.placementID], toStage(r))
				}
				return err
			})
			if err != nil {
				return nil, fmt.Errorf("tracker: placement stages: %w", err)
			}
			out := make([]rscsync.Application, len(page))
			for i, r := range page {
				out[i] = s.toPlacement(r, stages[r.id])
			}
			return out, nil
		})
}

// Activities yields candidate notes, placement notes and interview feedback
// in (modified_at, id) order. Activities that came from LinkedIn (InMail,
// prospect notes, notices) are not yielded.
func (s *Source) Activities(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Activity, error] {
	q := pageQuery(activityColumns, activityFrom, "a.modified_at", "a.id", syncedActivityKinds)
	return stream(ctx, s, "activities", since, q, scanActivity,
		func(r *activityRow) (int64, string) { return r.modifiedAt, r.id },
		func(_ context.Context, page []activityRow) ([]rscsync.Activity, error) {
			out := make([]rscsync.Activity, len(page))
			for i, r := range page {
				a, err := s.toActivity(r)
				if err != nil {
					return nil, err
				}
				out[i] = a
			}
			return out, nil
		})
}

// Deletions yields tombstones in (deleted_at, kind:id) order: the cursor's
// ID is the kind and the id joined by a colon ("candidate:C00000042"), as
// sync.Deletion.CursorID defines it, because ids of different kinds may
// be equal.
func (s *Source) Deletions(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Deletion, error] {
	q := pageQuery(deletionColumns, deletionFrom, "d.deleted_at", "d.position", "")
	return stream(ctx, s, "deletions", since, q, scanDeletion,
		func(r *deletionRow) (int64, string) { return r.deletedAt, r.position },
		func(_ context.Context, page []deletionRow) ([]rscsync.Deletion, error) {
			out := make([]rscsync.Deletion, len(page))
			for i, r := range page {
				out[i] = s.toDeletion(r)
			}
			return out, nil
		})
}

// Totals counts the jobs, candidates, placements and synced activities
// modified at or after since (all of them for the zero time): the records
// a sync from since would send.
func (s *Source) Totals(ctx context.Context, since time.Time) (rscsync.Totals, error) {
	m, id := cursorArgs(rscsync.Cursor{ModifiedAt: since})
	var t rscsync.Totals
	for _, c := range []struct {
		dst          *int64
		table, where string
	}{
		{&t.Jobs, "jobs a", ""},
		{&t.Candidates, "candidates a", ""},
		{&t.Applications, "placements a", ""},
		{&t.Activities, "activities a", syncedActivityKinds + " AND "},
	} {
		q := `SELECT COUNT(*) FROM ` + c.table + ` WHERE ` + c.where + keysetWhere("a.modified_at", "a.id")
		if err := s.db.sql.QueryRowContext(ctx, q, m, m, id).Scan(c.dst); err != nil {
			return rscsync.Totals{}, fmt.Errorf("tracker: count %s: %w", c.table, err)
		}
	}
	return t, nil
}

// keysetWhere is the keyset predicate "(mod, id) > (?, ?)" in a form
// every SQL database plans as an index range: the first term seeks, the
// second filters the rows at the boundary millisecond. Its arguments are
// (ms, ms, id).
func keysetWhere(mod, id string) string {
	return fmt.Sprintf("%[1]s >= ? AND (%[1]s > ? OR %[2]s > ?)", mod, id)
}

// pageQuery builds a stream's page query: the columns from the tables,
// filtered by extra (if any) and the keyset predicate, ordered by
// (mod, id), limited to one page. Arguments: ms, ms, id, limit.
func pageQuery(columns, from, mod, id, extra string) string {
	where := keysetWhere(mod, id)
	if extra != "" {
		where = extra + " AND " + where
	}
	return fmt.Sprintf("SELECT %s FROM %s WHERE %s ORDER BY %s, %s LIMIT ?", columns, from, where, mod, id)
}

// cursorArgs converts a cursor to the keyset arguments (ms, id). Times are
// stored in whole milliseconds, so a cursor inside a millisecond starts at
// the next one.
func cursorArgs(c rscsync.Cursor) (int64, string) {
	if c.ModifiedAt.IsZero() {
		return math.MinInt64, ""
	}
	m := c.ModifiedAt.UnixMilli()
	if !time.UnixMilli(m).Equal(c.ModifiedAt) {
		if c.ModifiedAt.After(time.UnixMilli(m)) {
			m++
		}
		return m, ""
	}
	return m, c.ID
}

// stream is the keyset loop shared by every stream: read a page of at most
// PageSize rows (closing the rows before yielding, so the consumer never
// holds a read transaction or a connection), convert it, yield its
// records, and continue after the last row's (modified_at, id).
func stream[R, T any](ctx context.Context, s *Source, name string, since rscsync.Cursor, query string,
	scan func(*sql.Rows) (R, error), pos func(*R) (int64, string),
	convert func(context.Context, []R) ([]T, error),
) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		m, id := cursorArgs(since)
		page := make([]R, 0, s.cfg.PageSize)
		for {
			if err := ctx.Err(); err != nil {
				yield(zero, err)
				return
			}
			page = page[:0]
			err := s.query(ctx, query, []any{m, m, id, s.cfg.PageSize}, func(rows *sql.Rows) error {
				r, err := scan(rows)
				if err == nil {
					page = append(page, r)
				}
				return err
			})
			if err == nil && len(page) > 0 {
				var out []T
				out, err = convert(ctx, page)
				for _, t := range out {
					if err := ctx.Err(); err != nil {
						yield(zero, err)
						return
					}
					if !yield(t, nil) {
						return
					}
				}
			}
			if err != nil {
				yield(zero, fmt.Errorf("tracker: stream %s: %w", name, err))
				return
			}
			if len(page) < s.cfg.PageSize {
				return
			}
			m, id = pos(&page[len(page)-1])
		}
	}
}

// query runs q and calls each for every row, closing the rows before it
// returns.
func (s *Source) query(ctx context.Context, q string, args []any, each func(*sql.Rows) error) (err error) {
	rows, err := s.db.sql.QueryContext(ctx, q, args...)
	if err != nil {
		return err
	}
	defer func() { err = errors.Join(err, rows.Close()) }()
	for rows.Next() {
		if err := each(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}
