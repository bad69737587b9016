package smallats

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"iter"
	"time"

	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
	"github.com/rscgo/rscgo/sync/sqlsource"
)

// The README's example, in the order README.md shows it.

// ATS is a small ATS over SQLite: ids are text, times are microseconds
// since the epoch, and each table has an index on (modified_us, id). Its
// writers stamp modified_us with Now once their transaction holds the
// write lock: DB is opened with _txlock=immediate (BEGIN IMMEDIATE) and a
// busy timeout, so that the fence waits for the writer holding the lock.
type ATS struct {
	DB  *sql.DB
	Org string           // the customer's urn:li:organization:{id}, from onboarding
	Now func() time.Time // the writers' clock: time.Now
}

const schema = `
CREATE TABLE jobs (id TEXT PRIMARY KEY, title TEXT NOT NULL, description TEXT NOT NULL, location TEXT NOT NULL,
	poster_email TEXT NOT NULL, closed BOOLEAN NOT NULL DEFAULT FALSE, listed_us INTEGER NOT NULL, modified_us INTEGER NOT NULL);
CREATE INDEX jobs_modified ON jobs (modified_us, id);
CREATE TABLE candidates (id TEXT PRIMARY KEY, first_name TEXT NOT NULL, last_name TEXT NOT NULL, email TEXT NOT NULL,
	created_us INTEGER NOT NULL, modified_us INTEGER NOT NULL);
CREATE INDEX candidates_modified ON candidates (modified_us, id);`

// table reads one of the ATS's tables in (modified_us, id) order, a page at
// a time, up to the fence.
func (a *ATS) table(name, columns string) sqlsource.Query {
	return sqlsource.Query{From: name, Select: columns, ModifiedAt: "modified_us", ID: "id",
		Unit: time.Microsecond, UnixInteger: true, Fence: a.fence}
}

// fence bounds each read: every write stamped before it has committed.
// Taking the write lock waits for the writer holding it, and every later
// writer stamps the current microsecond or a later one, so the rows of the
// current microsecond wait for the next read (two writes may share it).
func (a *ATS) fence(ctx context.Context) (time.Time, error) {
	tx, err := a.DB.BeginTx(ctx, nil) // BEGIN IMMEDIATE: the write lock
	if err != nil {
		return time.Time{}, err
	}
	defer tx.Rollback()
	return time.UnixMicro(a.Now().UnixMicro()), nil
}

func (a *ATS) Jobs(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Job, error] {
	q := a.table("jobs", "title, description, location, poster_email, closed, listed_us")
	return sqlsource.Stream(ctx, a.DB, since, q, func(r *sqlsource.Row) (rscsync.Job, error) {
		var j rscsync.Job
		p := &j.Posting
		var listed int64
		// Title: required, at most 200 characters; Description: 100 to 25,000 characters;
		// Location: required; PosterEmail: required, X@X.X (the job's owner in the ATS).
		err := r.Scan(&p.Title, &p.Description, &p.Location, &p.PosterEmail, &j.Closed, &listed)
		j.ModifiedAt = r.ModifiedAt()
		p.ExternalJobPostingID = r.ID()                              // required, at most 200 characters
		p.IntegrationContext = a.Org                                 // urn:li:organization:{digits}
		p.CompanyApplyURL = "https://ats.example.com/jobs/" + r.ID() // required: an absolute http(s) URL
		p.ListedAt = rsc.Millis(time.UnixMicro(listed))              // required, epoch milliseconds
		p.Availability = rsc.AvailabilityPrivate                     // PUBLIC only when the customer chose it
		return j, err
	})
}

func (a *ATS) Candidates(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Candidate, error] {
	q := a.table("candidates", "first_name, last_name, email, created_us")
	return sqlsource.Stream(ctx, a.DB, since, q, func(r *sqlsource.Row) (rscsync.Candidate, error) {
		var c rsc.Candidate
		var email string
		var created int64
		err := r.Scan(&c.FirstName, &c.LastName, &email, &created)               // FirstName: required (one character at least)
		c.Key = rsc.CandidateKey{IntegrationContext: a.Org, CandidateID: r.ID()} // CandidateID: at most 512 characters (our guard)
		c.EmailAddresses = []string{email}                                       // each X@X.X
		c.ExternalProfileURL = "https://ats.example.com/candidates/" + r.ID()    // required: an absolute http(s) URL
		c.CreatedAt = rsc.Millis(time.UnixMicro(created))                        // required, epoch milliseconds
		c.LastModifiedAt = rsc.Millis(r.ModifiedAt())                            // required, not before CreatedAt
		return rscsync.Candidate{Record: c, ModifiedAt: r.ModifiedAt()}, err
	})
}

func (a *ATS) Totals(ctx context.Context, since time.Time) (rscsync.Totals, error) {
	jobs, err := sqlsource.Count(ctx, a.DB, since, a.table("jobs", ""))
	if err != nil {
		return rscsync.Totals{}, err
	}
	candidates, err := sqlsource.Count(ctx, a.DB, since, a.table("candidates", ""))
	return rscsync.Totals{Jobs: jobs, Candidates: candidates}, err
}

// The small ATS has no applications, notes or deletions: empty streams.
// A real one reads them as above (sqlsource.StreamPages reads a page of
// applications' stage histories in one more query).

func (a *ATS) Applications(context.Context, rscsync.Cursor) iter.Seq2[rscsync.Application, error] {
	return func(func(rscsync.Application, error) bool) {}
}

func (a *ATS) Activities(context.Context, rscsync.Cursor) iter.Seq2[rscsync.Activity, error] {
	return func(func(rscsync.Activity, error) bool) {}
}

func (a *ATS) Deletions(context.Context, rscsync.Cursor) iter.Seq2[rscsync.Deletion, error] {
	return func(func(rscsync.Deletion, error) bool) {}
}

// refusals writes what LinkedIn's rules would refuse, before any sync.
func refusals(ctx context.Context, ats *ATS, w io.Writer) error {
	for j, err := range ats.Jobs(ctx, rscsync.Cursor{}) {
		if err != nil {
			return err
		}
		j.Posting.OperationType = rsc.JobCreate // the engine sets it when it sends
		if err := j.Posting.Validate(); err != nil {
			fmt.Fprintln(w, err) // names the job, the field and the rule
		}
	}
	for c, err := range ats.Candidates(ctx, rscsync.Cursor{}) {
		if err != nil {
			return err
		}
		if err := c.Record.Validate(); err != nil {
			fmt.Fprintln(w, err)
		}
	}
	return nil
}
