// Package sourcetest is a conformance kit for implementations of
// [rscsync.Source], in the spirit of [testing/fstest.TestFS]. An ATS vendor
// runs [TestSource] against its own Source, loaded with a representative
// data set, from an ordinary Go test:
//
//	func TestMySource(t *testing.T) {
//		src := newMySource(t, testDB)
//		sourcetest.TestSource(t, src)
//	}
//
// TestSource reads every stream of the Source several times and reports each
// departure from the contract documented on [rscsync.Source] with t.Errorf,
// in one subtest per stream and property, so that "go test -v" shows which
// property failed (for example TestMySource/Candidates/Since). Messages name
// the stream, the record's index in the stream and the record's id.
//
// For each of the streams Jobs, Candidates, Applications, Activities and
// Deletions it checks:
//
//   - Order: records come in strictly ascending (ModifiedAt, ID) order, with
//     no record twice. ID is the record's own id:
//     Job.Posting.ExternalJobPostingID, Candidate.Record.Key.CandidateID,
//     Application.Record.Key.ApplicationID and Activity.ID(). Deletions
//     are ordered by (DeletedAt, d.CursorID()); see "Deletion cursors" below.
//   - Records: the fields the sync engine relies on are set: a non-zero
//     ModifiedAt (DeletedAt), a non-empty id, the integration context of
//     candidate, application and activity keys, non-empty and distinct stage
//     ids, a known activity kind, and for deletions a known [rscsync.EntityKind]
//     and a Parent for notes, interview feedback and stages.
//   - Since: reading from a cursor yields exactly the records of the full
//     stream that lie after it ([rscsync.Cursor.After]), in the same order.
//     The cursors tried are the zero cursor, the first, middle and last
//     records, the first record's time with an empty id, times a microsecond,
//     999 microseconds and a nanosecond after a record (a Source that
//     truncates the cursor, to milliseconds for example, yields records at
//     or before it again), a time between two records, a time shared by several records with the tie broken by id
//     (and by an id that is not in the stream), and the middle cursor after a
//     JSON round trip, as the engine stores it in checkpoints.
//   - Stable: reading the same stream twice, from the start and from the
//     middle, gives the same sequence.
//   - Break: when the consumer stops (yield returns false) at the first, the
//     second and a later record, the stream never calls yield again. This is
//     checked both by calling the iterator directly and with a range loop
//     (where the runtime panics on a violation; the panic is recovered and
//     reported).
//   - Context: with an already cancelled context the stream yields no record
//     (an error, or nothing); when the context is cancelled mid-stream it
//     yields at most [WithCancelBound] more records. Either way the iterator
//     must return within [WithCancelTimeout].
//
// In every read, a stream that yields a non-nil error must yield nothing
// after it, and a stream must not call yield after the consumer stopped or
// after the iterator function returned; a panic in the Source is recovered
// and reported. An error yielded by a stream other than in the Context
// checks fails the test, as the conformance run expects a healthy Source.
//
// # Totals
//
// The Totals subtest calls Totals for the zero time and for the ModifiedAt
// of the middle record of each stream, and compares the counts with the
// records the streams yielded. The rule: Totals(ctx, since) counts the
// records a sync from since would cover, and a sync from time since starts
// at the cursor Cursor{ModifiedAt: since}, which (Cursor.After) covers every
// record modified at or after since. So by default each count must equal the
// number of records of the stream with ModifiedAt >= since
// ([TotalsAtOrAfter]). A Source that counts records modified strictly after
// since can be tested with WithTotalsRule([TotalsAfter]). Deletions are not
// counted by Totals. When [WithMaxRecords] truncated a stream the counts read
// are only a lower bound, and Totals is checked against that.
//
// # Deletion cursors
//
// Different kinds of records can share an id, so a deletion's position in
// its stream is (DeletedAt, [rscsync.Deletion.CursorID]): the kind and the id
// joined by a colon, "candidateNote:42". Ordering by that string is the same
// as ordering by (kind, id): the only kind names that prefix another are
// "candidate" ("candidateNote") and "application" ("applicationNote"), and
// ':' sorts before 'N'. Deletions(ctx, since) receives such a string in
// since.ID, as the engine stores it in its checkpoints.
//
// # What is not checked
//
// TestSource cannot tell whether a stream reads lazily, whether it misses
// records the ATS holds, or how an error other than cancellation is
// reported; the in-memory reads it makes to compare streams hold only
// positions (time and id), at most [WithMaxRecords] per stream.
package sourcetest

import (
	"testing"
	"time"

	rscsync "github.com/rscgo/rscgo/sync"
)

// TestSource checks that src implements the [rscsync.Source] contract, as
// described in the package documentation, reporting failures on t. It
// only reads from src. For meaningful results src should hold a few records
// in every stream, including several records sharing a modification time.
func TestSource(t *testing.T, src rscsync.Source, opts ...Option) {
	t.Helper()
	testSource(tReporter{t}, src, opts...)
}

// An Option configures [TestSource].
type Option func(*config)

type config struct {
	maxRecords    int
	cancelBound   int
	cancelTimeout time.Duration
	totalsRule    TotalsRule
}

func newConfig(opts []Option) *config {
	c := &config{
		cancelBound:   1,
		cancelTimeout: 10 * time.Second,
		totalsRule:    TotalsAtOrAfter,
	}
	for _, o := range opts {
		if o != nil {
			o(c)
		}
	}
	return c
}

// WithMaxRecords makes TestSource read at most n records of each stream in
// every read, for sources too big to read whole several times. Checks that
// need the end of a stream are then weakened to the part read (Totals is
// checked as a lower bound). n <= 0 means no limit, the default.
func WithMaxRecords(n int) Option {
	return func(c *config) {
		if n < 0 {
			n = 0
		}
		c.maxRecords = n
	}
}

// WithCancelBound sets how many records a stream may still yield after its
// context is cancelled mid-stream (the default is 1, allowing a record that
// was already read when the cancellation arrived). n < 0 is treated as 0.
func WithCancelBound(n int) Option {
	return func(c *config) {
		if n < 0 {
			n = 0
		}
		c.cancelBound = n
	}
}

// WithCancelTimeout sets how long a stream may take to return once its
// context is cancelled (the default is 10 seconds). A stream that takes
// longer is reported and abandoned, still running, in its goroutine.
func WithCancelTimeout(d time.Duration) Option {
	return func(c *config) {
		if d > 0 {
			c.cancelTimeout = d
		}
	}
}

// TotalsRule says which records Totals(ctx, since) counts.
type TotalsRule int

const (
	// TotalsAtOrAfter counts records with ModifiedAt >= since: the records a
	// stream from Cursor{ModifiedAt: since} yields. It is the default.
	TotalsAtOrAfter TotalsRule = iota
	// TotalsAfter counts records with ModifiedAt strictly after since.
	TotalsAfter
)

// String returns the rule as a comparison, ">= since" or "> since".
func (r TotalsRule) String() string {
	if r == TotalsAfter {
		return "> since"
	}
	return ">= since"
}

func (r TotalsRule) covers(modified, since time.Time) bool {
	if r == TotalsAfter {
		return modified.After(since)
	}
	return !modified.Before(since)
}

// WithTotalsRule sets the rule Totals is checked against (the default is
// [TotalsAtOrAfter]).
func WithTotalsRule(r TotalsRule) Option {
	return func(c *config) { c.totalsRule = r }
}

// reporter is the part of *testing.T that testSource uses, so that the
// package's own tests can run it against broken sources with a recorder.
type reporter interface {
	Helper()
	Errorf(format string, args ...any)
	Logf(format string, args ...any)
	Run(name string, f func(reporter)) bool
}

// tReporter adapts *testing.T to reporter.
type tReporter struct{ t *testing.T }

func (r tReporter) Helper() { r.t.Helper() }

func (r tReporter) Errorf(format string, args ...any) {
	r.t.Helper()
	r.t.Errorf(format, args...)
}

func (r tReporter) Logf(format string, args ...any) {
	r.t.Helper()
	r.t.Logf(format, args...)
}

func (r tReporter) Run(name string, f func(reporter)) bool {
	r.t.Helper()
	return r.t.Run(name, func(t *testing.T) { f(tReporter{t}) })
}
