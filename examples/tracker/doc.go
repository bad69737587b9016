// Package tracker is the reference adapter between rscgo and Tracker, a
// recruitment CRM, and the walkthrough for writing your own.
//
// Tracker keeps its data in an embedded SQLite database ([Open]): candidates,
// jobs, placements (applications from shortlist onwards) with their stage
// history, activities (notes and interview feedback), users, and deletion
// tombstones. [Generate] fills it with years of realistic synthetic data,
// and helpers such as [DB.TouchCandidates] and [DB.DeleteCandidate] play a
// recruiter's day so that an incremental sync has work to do.
//
// Two types connect Tracker to LinkedIn:
//
//   - [Source] implements sync.Source: the engine streams jobs, candidates,
//     placements, activities and deletions from it. The conversion from
//     Tracker's rows to the rsc records LinkedIn takes is in one file,
//     mapping.go.
//   - [Sink] implements inmail.Sink: InMail messages, prospect notes and
//     LinkedIn notices become activities, stub profiles and 1-Click Exports
//     become candidates and placements, profile links are stored on the
//     candidate.
//
// # Writing your own adapter
//
// A Source over SQL is five keyset-paginated queries. Give every streamed
// table an index on (modified_at, id), store times as epoch milliseconds,
// and use ids whose SQL ordering is Go's string ordering (TEXT with the
// default binary collation, or fixed-width numbers). Then each stream reads
// a page, closes the rows, yields the page and moves the key forward:
//
//	func (s *Source) Candidates(ctx context.Context, since sync.Cursor) iter.Seq2[sync.Candidate, error] {
//		return func(yield func(sync.Candidate, error) bool) {
//			b, err := s.fence(ctx) // see below: every write stamped before b has committed
//			if err != nil {
//				yield(sync.Candidate{}, err)
//				return
//			}
//			m, id := since.ModifiedAt.UnixMilli(), since.ID // the zero Cursor means from the start
//			if since.ModifiedAt.After(time.UnixMilli(m)) { // a cursor between two milliseconds:
//				m, id = m+1, "" // every row of millisecond m lies at or before it
//			}
//			for {
//				if err := ctx.Err(); err != nil { // stopped between pages
//					yield(sync.Candidate{}, err)
//					return
//				}
//				rows, err := s.db.QueryContext(ctx, `SELECT id, first_name, ..., modified_at FROM candidates
//					WHERE modified_at >= ? AND (modified_at > ? OR id > ?) AND modified_at < ?
//					ORDER BY modified_at, id LIMIT 500`, m, m, id, b)
//				page, err := scanAll(rows, err) // read the page, close the rows
//				if err != nil {
//					yield(sync.Candidate{}, err) // one error, then stop
//					return
//				}
//				for _, r := range page {
//					if !yield(toCandidate(r), nil) { // the consumer stopped
//						return
//					}
//				}
//				if len(page) < 500 {
//					return
//				}
//				m, id = page[len(page)-1].modifiedAt, page[len(page)-1].id
//			}
//		}
//	}
//
// The WHERE clause is (modified_at, id) > (m, id) written so that any
// database seeks the index instead of scanning it; a cursor the engine
// holds may carry more precision than the column (a record of another
// Source, a clock's), hence the rounding up. Reading whole pages
// before yielding keeps no read transaction or connection open while the
// engine calls LinkedIn, and memory stays bounded by the page size.
// Placements add a second query per page for the stage history of the
// whole page (placement_id IN (...)), never one query per placement.
// Deletions come from a tombstone table written in the same transaction as
// the delete.
//
// The fence keeps the engine's cursor from passing a row that has yet to
// appear: two writes may be stamped in one millisecond, and a read between
// their commits (or while the second is uncommitted) would take the first
// and put the cursor after the second for good. Stamp every write with
// the clock read once the write lock is held (BEGIN IMMEDIATE), and start
// each stream read, and Totals, with fence: take the write lock the same
// way (waiting for the writer that holds it), read the boundary b from the
// same clock, release the lock, and read only the rows stamped before b.
// Every writer that stamped before b has committed by then, and every
// later one stamps b or later, so the next read takes it. Rows of the
// current millisecond wait for the next read; nothing waits longer. A
// database with concurrent writers (PostgreSQL, MySQL) has no such lock:
// there, hold back the longest transaction instead, as sync.Source says.
//
// Check the result with sync/sourcetest.TestSource, as this package's
// tests do.
package tracker
