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
//     Different records may share a position (a note and a feedback with
//     one id and time, stages of two applications with one id deleted at
//     once): the engine sends them all and never places its watermark
//     between them.
//   - Records: the fields the sync engine relies on are set: a non-zero
//     ModifiedAt (DeletedAt), a non-empty id, the integration context of
//     candidate, application and activity keys and the Integration of
//     deletions, each an organization URN, urn:li:organization: followed by
//     decimal digits (the rule the rsc package checks record keys against;
//     the engine dead-letters a deletion without one), non-empty and
//     distinct stage ids, a known activity kind, and for deletions a known
//     [rscsync.EntityKind] and a Parent for notes, interview feedback and
//     stages.
//   - Since: reading from a cursor yields exactly the records of the full
//     stream that lie after it ([rscsync.Cursor.After]), in the same order.
//     The cursors tried are the zero cursor, the first, middle and last
//     records, the first record's time with an empty id, times a microsecond,
//     999 microseconds and a nanosecond after a record (a Source that
//     truncates the cursor, to milliseconds for example, yields records at
//     or before it again), a time between two records, a time shared by
//     several records with the tie broken by id (and by an id that is not
//     in the stream), the first record's time with the largest id of the
//     stream (a Source that filters "modified_at >= ? AND id > ?" instead of
//     comparing the pair yields none of the later records, even where ids
//     grow with time, as in a freshly loaded database), the middle cursor
//     after a JSON round trip, as the engine stores it in checkpoints, and
//     the middle cursor with its time in another zone, +05:30 (-03:30 for
//     records at +05:30), for the same instant (a Source that compares the
//     cursor's wall clock, ignoring its zone, yields the wrong records).
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
//   - IntegrationContext, only with [WithIntegrationContexts]: every
//     record carries one of the customer's integration contexts: a job's
//     Posting.IntegrationContext (when set: a job may name its company
//     instead), the key of a candidate, an application or an activity, a
//     deletion's Integration. A record of another context is the classic
//     missing tenant filter; LinkedIn refuses it. Without the option the
//     kit logs the contexts the records carry, with their counts.
//   - Lookup, when the Source implements [rscsync.Lookup]: see "Lookup"
//     below.
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
// A deletion is identified by its kind and id, and for notes, interview
// feedback and stages by its Parent too: stage "1" of application A1 and
// stage "1" of A2 are different records, as the engine treats them. Only
// the same deletion twice is a duplicate. As the cursor id has no parent,
// two such deletions at the same DeletedAt share a position, which Order
// reports.
//
// # Lookup
//
// When the Source implements [rscsync.Lookup], which the engine trusts to
// retry dead letters, resend jobs and skip deletions of records the ATS
// holds again, a Lookup subtest of each stream checks that Lookup agrees
// with the streams:
//
//   - a record the stream yields is found under its key (its id; for
//     activities its kind, parent and id) with the same key, ModifiedAt,
//     integration context and, for jobs, Closed;
//   - an id the stream does not yield, made from one of its ids by changing
//     one character for another of its class (a digit for a digit, a
//     hexadecimal letter for another) to keep the Source's id format, is
//     not found;
//   - a record the Deletions stream reports deleted, and no stream yields,
//     is not found, or found Closed for a job (the engine closes a deleted
//     job on LinkedIn from its row). The engine skips a deletion older than
//     the record Lookup finds, so a Lookup that finds deleted rows (a stale
//     cache, a missing "deleted" filter) keeps the records on LinkedIn.
//     Stages are not looked up, as the engine does not.
//
// To stay fast on large Sources the Lookup calls are sampled: of each
// stream at most 16 records (the first three, those at indexes that are
// powers of two, and the last) and one made-up id, and of each kind of
// deletion at most 16 deletions chosen alike. Errors Lookup returns fail
// the test. When [WithMaxRecords] truncated a stream, a record Lookup finds
// beyond the part read is not reported.
//
// # What is not checked
//
// TestSource cannot tell whether a stream reads lazily, whether it misses
// records the ATS holds (one that loses records where its own pages meet,
// on a fixture smaller than a page), or how an error other than
// cancellation is reported; the in-memory reads it makes to compare streams hold only
// positions (time and id), at most [WithMaxRecords] per stream. Lookup is
// checked on a sample of the records only.
package sourcetest

import (
	"fmt"
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// TestSource checks that src implements the [rscsync.Source] contract, as
// described in the package documentation, reporting failures on t. It
// only reads from src. For meaningful results src should hold a few records
// in every stream, including several records sharing a modification time;
// and, when the Source reads its store in pages (sqlsource's PageSize, say),
// more records than a page holds, with records sharing a time across a
// page's end: a Source that loses records where its pages meet passes a
// fixture smaller than a page.
func TestSource(t *testing.T, src rscsync.Source, opts ...Option) {
	t.Helper()
	testSource(tReporter{t}, src, opts...)
}

// An Option configures [TestSource]. An option given a value it does not
// take fails the test (as a conformance kit reports, through t) and keeps
// its default.
type Option func(*config)

type config struct {
	maxRecords    int
	cancelBound   int
	cancelTimeout time.Duration
	totalsRule    TotalsRule
	contexts      map[string]bool // nil: not checked
	bad           []string        // options given values they do not take
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
// checked as a lower bound). n = 0 means no limit, the default; a
// negative n fails the test.
func WithMaxRecords(n int) Option {
	return func(c *config) {
		if n < 0 {
			c.bad = append(c.bad, fmt.Sprintf("WithMaxRecords(%d): must not be negative (0: no limit)", n))
			return
		}
		c.maxRecords = n
	}
}

// WithCancelBound sets how many records a stream may still yield after its
// context is cancelled mid-stream (the default is 1, allowing a record that
// was already read when the cancellation arrived). A negative n fails the
// test.
func WithCancelBound(n int) Option {
	return func(c *config) {
		if n < 0 {
			c.bad = append(c.bad, fmt.Sprintf("WithCancelBound(%d): must not be negative", n))
			return
		}
		c.cancelBound = n
	}
}

// WithCancelTimeout sets how long a stream may take to return once its
// context is cancelled (the default is 10 seconds). A stream that takes
// longer is reported and abandoned, still running, in its goroutine. A d
// that is not positive fails the test.
func WithCancelTimeout(d time.Duration) Option {
	return func(c *config) {
		if d <= 0 {
			c.bad = append(c.bad, fmt.Sprintf("WithCancelTimeout(%v): must be positive", d))
			return
		}
		c.cancelTimeout = d
	}
}

// WithIntegrationContexts names the customer's integration contexts
// (organization URNs, urn:li:organization:{digits}): every record must
// then carry one of them, in the IntegrationContext subtest of each
// stream. A record of another context is typically the work of a query
// missing its tenant filter, and LinkedIn refuses it. A later call
// replaces the contexts of an earlier one. Naming none, or a string that
// is not an organization URN, fails the test.
func WithIntegrationContexts(urns ...string) Option {
	return func(c *config) {
		c.contexts = make(map[string]bool, len(urns))
		for _, u := range urns {
			c.contexts[u] = true
		}
	}
}

// checkOptions reports options that make no sense.
func (c *config) checkOptions(r reporter) {
	r.Helper()
	for _, b := range c.bad {
		r.Errorf("TestSource: %s", b)
	}
	if c.contexts == nil {
		return
	}
	if len(c.contexts) == 0 {
		r.Errorf("TestSource: WithIntegrationContexts names no integration context")
	}
	for _, u := range slices.Sorted(maps.Keys(c.contexts)) {
		if !rsc.IsOrganizationURN(u) {
			r.Errorf("TestSource: WithIntegrationContexts: %q is not %s", u, urnRule)
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
// [TotalsAtOrAfter]). A rule other than TotalsAtOrAfter and TotalsAfter
// fails the test.
func WithTotalsRule(r TotalsRule) Option {
	return func(c *config) {
		if r != TotalsAtOrAfter && r != TotalsAfter {
			c.bad = append(c.bad, fmt.Sprintf("WithTotalsRule(%d): not TotalsAtOrAfter or TotalsAfter", int(r)))
			return
		}
		c.totalsRule = r
	}
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
