package readme

import (
	"context"
	"database/sql"
	"iter"
	"testing"
	"time"

	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
	"github.com/rscgo/rscgo/sync/sourcetest"
)

// Source is the adapter of README.md's "Write your own adapter", reduced to
// candidates.
type Source struct {
	rscsync.Source // the other streams, out of the example's scope
	db             *sql.DB
}

// scanCandidates maps a page of rows to candidates and closes rows.
func scanCandidates(rows *sql.Rows) []rscsync.Candidate {
	defer rows.Close()
	var page []rscsync.Candidate
	for rows.Next() {
		var c rscsync.Candidate
		var email string
		var modified int64
		if rows.Scan(&c.Record.Key.CandidateID, &c.Record.FirstName, &c.Record.LastName, &email, &modified) != nil {
			return page
		}
		c.Record.EmailAddresses = []string{email}
		c.ModifiedAt = time.UnixMilli(modified)
		page = append(page, c)
	}
	return page
}

func (s *Source) Candidates(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Candidate, error] {
	return func(yield func(rscsync.Candidate, error) bool) {
		after, id := since.ModifiedAt.UnixMilli(), since.ID
		for { // keyset pages: never a whole table in memory, never OFFSET
			rows, err := s.db.QueryContext(ctx, `SELECT id, first_name, last_name, email, modified_at FROM candidates
				WHERE (modified_at, id) > (?, ?) ORDER BY modified_at, id LIMIT 500`, after, id)
			if err != nil {
				yield(rscsync.Candidate{}, err)
				return
			}
			page := scanCandidates(rows) // closes rows; maps columns to rscsync.Candidate{ModifiedAt, Record: rsc.Candidate{...}}
			for _, c := range page {
				if !yield(c, nil) {
					return // the engine stopped: stop reading
				}
			}
			if len(page) < 500 {
				return
			}
			after, id = page[len(page)-1].ModifiedAt.UnixMilli(), page[len(page)-1].Record.Key.CandidateID
		}
	}
}

// mySource is a small in-memory Source standing in for the ATS's.
func mySource(t *testing.T) rscsync.Source {
	t.Helper()
	org := "urn:li:organization:42"
	at := time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)
	src := rscsync.NewSliceSource()
	for i, id := range []string{"C1", "C2"} {
		src.PutCandidates(rscsync.Candidate{ModifiedAt: at.Add(time.Duration(i) * time.Minute), Record: rsc.Candidate{
			Key:       rsc.CandidateKey{IntegrationContext: org, CandidateID: id},
			FirstName: "Ann", LastName: "Lee", EmailAddresses: []string{id + "@example.com"},
			ExternalProfileURL: "https://ats.example.com/c/" + id,
			CreatedAt:          rsc.Millis(at), LastModifiedAt: rsc.Millis(at)}})
	}
	return src
}

func TestSource(t *testing.T) { sourcetest.TestSource(t, mySource(t)) } // package sync/sourcetest

// runIt is the second half of README.md's "Check it with the conformance kit,
// then run it".
func runIt(ctx context.Context, dir string, customerClient *rsc.Client, src rscsync.Source, customerID string, show func(rscsync.Progress)) (*rscsync.Report, error) {
	store, err := rscsync.NewFileStore(dir) // checkpoints: atomic rename + fsync, one file per customer
	if err != nil {
		return nil, err
	}
	eng, err := rscsync.NewEngine(customerClient, customerID, src, rscsync.WithStore(store), rscsync.WithProgress(show))
	if err != nil {
		return nil, err
	}
	report, err := eng.Run(ctx) // historical the first time, incremental afterwards
	return report, err
}

var (
	_ = (*Source).Candidates // compiled, not run: it needs the ATS's database
	_ = runIt                // compiled, not run: it talks to LinkedIn
)
