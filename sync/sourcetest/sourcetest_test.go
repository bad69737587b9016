package sourcetest

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// recorder is a reporter that records failures instead of failing the test.
type recorder struct {
	path   string
	parent *recorder
	shared *recorded
	failed bool
}

type recorded struct {
	mu     sync.Mutex
	errors []string // "path: message"
	logs   []string
}

func newRecorder() *recorder { return &recorder{shared: &recorded{}} }

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.shared.mu.Lock()
	defer r.shared.mu.Unlock()
	r.shared.errors = append(r.shared.errors, r.path+": "+fmt.Sprintf(format, args...))
	for p := r; p != nil; p = p.parent {
		p.failed = true
	}
}

func (r *recorder) Logf(format string, args ...any) {
	r.shared.mu.Lock()
	defer r.shared.mu.Unlock()
	r.shared.logs = append(r.shared.logs, r.path+": "+fmt.Sprintf(format, args...))
}

func (r *recorder) Run(name string, f func(reporter)) bool {
	sub := &recorder{path: strings.TrimPrefix(r.path+"/"+name, "/"), parent: r, shared: r.shared}
	f(sub)
	return !sub.failed
}

func (r *recorder) errors() []string {
	r.shared.mu.Lock()
	defer r.shared.mu.Unlock()
	return slices.Clone(r.shared.errors)
}

func (r *recorder) logs() []string {
	r.shared.mu.Lock()
	defer r.shared.mu.Unlock()
	return slices.Clone(r.shared.logs)
}

// errorsIn returns the failures recorded in subtests whose path ends in
// suffix ("Candidates/Since", "/Lookup"), without their paths' prefix.
func (r *recorder) errorsIn(suffix string) []string {
	var out []string
	for _, e := range r.errors() {
		if path, _, _ := strings.Cut(e, ": "); strings.HasSuffix(path, suffix) {
			out = append(out, e)
		}
	}
	return out
}

// failedIn reports whether a failure was recorded under the subtest path.
func (r *recorder) failedIn(path string) bool {
	for _, e := range r.errors() {
		if strings.HasPrefix(e, path+"/") || strings.HasPrefix(e, path+": ") {
			return true
		}
	}
	return false
}

// memSource is an in-memory Source over sorted slices. Its fault fields
// make it break the contract in one way each.
type memSource struct {
	jobs         []rscsync.Job
	candidates   []rscsync.Candidate
	applications []rscsync.Application
	activities   []rscsync.Activity
	deletions    []rscsync.Deletion

	ignoreSince     bool          // yields everything, whatever the cursor
	millisSince     bool          // truncates the cursor's time to milliseconds (UnixMilli)
	ignoreBreak     bool          // goes on after yield returned false
	ignoreCtx       bool          // never looks at ctx
	continueOnError bool          // yields ctx.Err() and goes on
	unstable        bool          // reverses ties on every other read
	descendingTies  bool          // orders ties by descending id
	slowCancel      time.Duration // sleeps this long before noticing ctx
	panics          bool          // panics mid-stream
	totalsDelta     int64         // added to every count
	totalsStrict    bool          // counts ModifiedAt > since
	totalsErr       error
	andKeyset       bool // filters modified_at >= since.ModifiedAt AND id > since.ID
	naiveZone       bool // reads the cursor's wall clock as UTC, ignoring its zone

	calls atomic.Int64
}

func (m *memSource) Jobs(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Job, error] {
	return serve(m, ctx, since, m.jobs, func(j rscsync.Job) (time.Time, string) {
		return j.ModifiedAt, j.Posting.ExternalJobPostingID
	})
}

func (m *memSource) Candidates(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Candidate, error] {
	return serve(m, ctx, since, m.candidates, func(c rscsync.Candidate) (time.Time, string) {
		return c.ModifiedAt, c.Record.Key.CandidateID
	})
}

func (m *memSource) Applications(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Application, error] {
	return serve(m, ctx, since, m.applications, func(p rscsync.Application) (time.Time, string) {
		return p.ModifiedAt, p.Record.Key.ApplicationID
	})
}

func (m *memSource) Activities(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Activity, error] {
	return serve(m, ctx, since, m.activities, func(a rscsync.Activity) (time.Time, string) {
		return a.ModifiedAt, a.ID()
	})
}

func (m *memSource) Deletions(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Deletion, error] {
	return serve(m, ctx, since, m.deletions, func(d rscsync.Deletion) (time.Time, string) {
		return d.DeletedAt, d.CursorID()
	})
}

func (m *memSource) Totals(ctx context.Context, since time.Time) (rscsync.Totals, error) {
	if m.totalsErr != nil {
		return rscsync.Totals{}, m.totalsErr
	}
	count := func(ts []time.Time) int64 {
		n := m.totalsDelta
		for _, t := range ts {
			if t.After(since) || !m.totalsStrict && t.Equal(since) {
				n++
			}
		}
		return n
	}
	return rscsync.Totals{
		Jobs:         count(times(m.jobs, func(j rscsync.Job) time.Time { return j.ModifiedAt })),
		Candidates:   count(times(m.candidates, func(c rscsync.Candidate) time.Time { return c.ModifiedAt })),
		Applications: count(times(m.applications, func(p rscsync.Application) time.Time { return p.ModifiedAt })),
		Activities:   count(times(m.activities, func(a rscsync.Activity) time.Time { return a.ModifiedAt })),
	}, nil
}

func times[R any](rs []R, t func(R) time.Time) []time.Time {
	var out []time.Time
	for _, r := range rs {
		out = append(out, t(r))
	}
	return out
}

func serve[R any](m *memSource, ctx context.Context, since rscsync.Cursor, recs []R, key func(R) (time.Time, string)) iter.Seq2[R, error] {
	call := m.calls.Add(1)
	if m.millisSince {
		since.ModifiedAt = time.UnixMilli(since.ModifiedAt.UnixMilli())
	}
	if w := since.ModifiedAt; m.naiveZone {
		since.ModifiedAt = time.Date(w.Year(), w.Month(), w.Day(), w.Hour(), w.Minute(), w.Second(), w.Nanosecond(), time.UTC)
	}
	return func(yield func(R, error) bool) {
		list := slices.Clone(recs)
		if m.descendingTies || m.unstable && call%2 == 0 {
			slices.SortStableFunc(list, func(a, b R) int {
				ta, ia := key(a)
				tb, ib := key(b)
				return cmp.Or(ta.Compare(tb), strings.Compare(ib, ia))
			})
		}
		for i, r := range list {
			if m.panics && i == 2 {
				panic("memSource: boom")
			}
			if !m.ignoreCtx && ctx.Err() != nil {
				time.Sleep(m.slowCancel)
				if !yield(*new(R), ctx.Err()) || !m.continueOnError {
					return
				}
			}
			t, id := key(r)
			keep := since.After(t, id)
			if m.andKeyset {
				keep = !t.Before(since.ModifiedAt) && id > since.ID
			}
			if !m.ignoreSince && !keep {
				continue
			}
			if !yield(r, nil) && !m.ignoreBreak {
				return
			}
		}
	}
}

var t0 = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)

// hoursAt returns t0 plus hours, in a fixed zone, so that a JSON round trip
// changes the Location.
func hoursAt(hours float64) time.Time {
	return t0.Add(time.Duration(hours * float64(time.Hour))).In(time.FixedZone("CET", 3600))
}

// hours are the modification times of each stream's records, with ties.
var hours = []float64{1, 2, 2, 2, 3.5, 4, 6, 6, 7, 9}

const org = "urn:li:organization:1"

func goodSource() *memSource {
	m := &memSource{}
	for i, h := range hours {
		id := fmt.Sprintf("%02d", i)
		m.jobs = append(m.jobs, rscsync.Job{Posting: rsc.JobPosting{ExternalJobPostingID: "job-" + id}, ModifiedAt: hoursAt(h)})
		m.candidates = append(m.candidates, rscsync.Candidate{
			Record:     rsc.Candidate{Key: rsc.CandidateKey{IntegrationContext: org, CandidateID: "c" + id}},
			ModifiedAt: hoursAt(h),
		})
		m.applications = append(m.applications, rscsync.Application{
			Record:     rsc.Application{Key: rsc.ApplicationKey{IntegrationContext: org, ApplicationID: "a" + id}},
			Stages:     []rsc.Stage{{ID: "s1-" + id, Stage: "Screen"}, {ID: "s2-" + id, Stage: "Offer"}},
			ModifiedAt: hoursAt(h),
		})
		var a rscsync.Activity
		switch i % 3 {
		case 0:
			a = rscsync.Activity{Kind: rscsync.KindCandidateNote, Candidate: rsc.CandidateKey{IntegrationContext: org, CandidateID: "c1"}, Note: rsc.Note{ID: "n" + id}}
		case 1:
			a = rscsync.Activity{Kind: rscsync.KindApplicationNote, Application: rsc.ApplicationKey{IntegrationContext: org, ApplicationID: "a1"}, Note: rsc.Note{ID: "n" + id}}
		case 2:
			a = rscsync.Activity{Kind: rscsync.KindInterviewFeedback, Application: rsc.ApplicationKey{IntegrationContext: org, ApplicationID: "a1"}, Feedback: rsc.InterviewFeedback{ID: "f" + id}}
		}
		a.ModifiedAt = hoursAt(h + 0.25)
		m.activities = append(m.activities, a)
	}
	// Deletions of several kinds sharing ids and times: ordered by
	// (DeletedAt, kind:id), so "candidate:7" comes before "candidateNote:1".
	m.deletions = []rscsync.Deletion{
		{Kind: rscsync.KindJob, ID: "job-99", DeletedAt: hoursAt(1), Integration: org},
		{Kind: rscsync.KindCandidate, ID: "7", DeletedAt: hoursAt(2), Integration: org},
		{Kind: rscsync.KindCandidateNote, ID: "1", Parent: "7", DeletedAt: hoursAt(2), Integration: org},
		{Kind: rscsync.KindStage, ID: "7", Parent: "a3", DeletedAt: hoursAt(2), Integration: org},
		{Kind: rscsync.KindApplication, ID: "a9", DeletedAt: hoursAt(5), Integration: org},
		{Kind: rscsync.KindApplicationNote, ID: "9", Parent: "a9", DeletedAt: hoursAt(5), Integration: org},
		{Kind: rscsync.KindInterviewFeedback, ID: "9", Parent: "a9", DeletedAt: hoursAt(8), Integration: org},
	}
	m.sort()
	return m
}

func (m *memSource) sort() {
	sortBy(m.jobs, func(j rscsync.Job) (time.Time, string) { return j.ModifiedAt, j.Posting.ExternalJobPostingID })
	sortBy(m.candidates, func(c rscsync.Candidate) (time.Time, string) { return c.ModifiedAt, c.Record.Key.CandidateID })
	sortBy(m.applications, func(p rscsync.Application) (time.Time, string) { return p.ModifiedAt, p.Record.Key.ApplicationID })
	sortBy(m.activities, func(a rscsync.Activity) (time.Time, string) { return a.ModifiedAt, a.ID() })
	sortBy(m.deletions, func(d rscsync.Deletion) (time.Time, string) { return d.DeletedAt, d.CursorID() })
}

func sortBy[R any](rs []R, key func(R) (time.Time, string)) {
	slices.SortFunc(rs, func(a, b R) int {
		ta, ia := key(a)
		tb, ib := key(b)
		return cmp.Or(ta.Compare(tb), strings.Compare(ia, ib))
	})
}

func TestGoodSource(t *testing.T) {
	TestSource(t, goodSource())
	t.Run("options", func(t *testing.T) {
		TestSource(t, goodSource(), WithMaxRecords(4), WithCancelBound(0), WithCancelTimeout(time.Second))
	})
	t.Run("strict totals", func(t *testing.T) {
		m := goodSource()
		m.totalsStrict = true
		TestSource(t, m, WithTotalsRule(TotalsAfter))
	})
	t.Run("empty", func(t *testing.T) {
		TestSource(t, &memSource{})
	})
	t.Run("lookup and integration contexts", func(t *testing.T) {
		TestSource(t, newLookupSource(goodSource()), WithIntegrationContexts(org))
	})
	t.Run("lookup, truncated", func(t *testing.T) {
		TestSource(t, newLookupSource(goodSource()), WithMaxRecords(4))
	})
	t.Run("empty with lookup", func(t *testing.T) {
		TestSource(t, newLookupSource(&memSource{}), WithIntegrationContexts(org))
	})
}

func TestRecorderSeesGoodSourcePass(t *testing.T) {
	for _, opts := range [][]Option{nil, {WithMaxRecords(3)}, {WithMaxRecords(1)}, {WithMaxRecords(100)}} {
		r := newRecorder()
		testSource(r, goodSource(), opts...)
		if errs := r.errors(); len(errs) > 0 {
			t.Errorf("options %d: good source failed:\n%s", len(opts), strings.Join(errs, "\n"))
		}
	}
}

func TestBrokenSources(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(*memSource)
		opts   []Option
		// want lists subtests that must fail; each failure must be in a
		// subtest listed in want or allow.
		want, allow []string
		// msg is a substring one of the failures must contain.
		msg string
	}{
		{
			name:   "truncates the cursor to milliseconds",
			break_: func(m *memSource) { m.millisSince = true },
			want:   []string{"Jobs/Since", "Candidates/Since", "Applications/Since", "Activities/Since", "Deletions/Since"},
			msg:    `is not after the cursor`,
		},
		{
			name:   "ignores since",
			break_: func(m *memSource) { m.ignoreSince = true },
			want:   []string{"Jobs/Since", "Candidates/Since", "Applications/Since", "Activities/Since", "Deletions/Since"},
			msg:    `Jobs: reading from the middle record`,
		},
		{
			name:   "yields after break",
			break_: func(m *memSource) { m.ignoreBreak = true },
			want:   []string{"Jobs/Break", "Deletions/Break"},
			allow:  []string{"*/Context"}, // the cancelled read stops at once
			msg:    "after yield returned false",
		},
		{
			name:   "ignores ctx",
			break_: func(m *memSource) { m.ignoreCtx = true },
			want:   []string{"Jobs/Context", "Activities/Context", "Deletions/Context"},
			msg:    "already cancelled context: yielded record [0]",
		},
		{
			name:   "slow to notice cancellation",
			break_: func(m *memSource) { m.slowCancel = 300 * time.Millisecond },
			opts:   []Option{WithCancelTimeout(20 * time.Millisecond)},
			want:   []string{"Jobs/Context"},
			msg:    "did not return within 20ms",
		},
		{
			name:   "goes on after an error",
			break_: func(m *memSource) { m.continueOnError = true },
			want:   []string{"Candidates/Context"},
			msg:    "after yielding the error",
		},
		{
			name:   "unstable order",
			break_: func(m *memSource) { m.unstable = true },
			want:   []string{"Jobs/Stable", "Candidates/Stable"},
			allow:  []string{"*/Since", "*/Order"},
			msg:    "twice gave different sequences",
		},
		{
			name:   "ties in descending id order",
			break_: func(m *memSource) { m.descendingTies = true },
			want:   []string{"Jobs/Order", "Deletions/Order"},
			allow:  []string{"*/Since"},
			msg:    `Jobs[2] "job-02" (2024-03-01T12:00:00+01:00) is before Jobs[1] "job-03"`,
		},
		{
			name: "duplicate record",
			break_: func(m *memSource) {
				m.candidates = append(m.candidates, m.candidates[0])
				m.candidates[len(m.candidates)-1].ModifiedAt = hoursAt(100)
			},
			want: []string{"Candidates/Order"},
			// The duplicate makes Totals count one more record too.
			allow: []string{"Totals"},
			msg:   `Candidates[10] "c00" (2024-03-05T14:00:00+01:00): duplicate of Candidates[0]`,
		},
		{
			name: "bad records",
			break_: func(m *memSource) {
				m.candidates[1].Record.Key.IntegrationContext = ""
				m.applications[2].Stages[1].ID = ""
				m.activities[3].Kind = rscsync.KindJob
				m.deletions[2].Parent = ""
				m.deletions[3].Kind = "note"
			},
			want: []string{"Candidates/Records", "Applications/Records", "Activities/Records", "Deletions/Records"},
			// The bad kind moves the deletion in the stream's order.
			allow: []string{"Deletions/Order", "Deletions/Since"},
			msg:   `Applications[2] "a02": Stages[1] ("Offer") has an empty ID`,
		},
		{
			name:   "wrong totals",
			break_: func(m *memSource) { m.totalsDelta = 1 },
			want:   []string{"Totals"},
			msg:    "Totals(ctx, the zero time).Jobs = 11, want 10",
		},
		{
			name:   "strict totals under the default rule",
			break_: func(m *memSource) { m.totalsStrict = true },
			want:   []string{"Totals"},
			msg:    "with ModifiedAt >= since",
		},
		{
			name:   "totals fail",
			break_: func(m *memSource) { m.totalsErr = errors.New("no totals") },
			want:   []string{"Totals"},
			msg:    "no totals",
		},
		{
			name:   "panics",
			break_: func(m *memSource) { m.panics = true },
			want:   []string{"Jobs", "Deletions"},
			allow:  []string{"Candidates", "Applications", "Activities", "Totals"},
			msg:    "panicked: memSource: boom",
		},
		{
			name:   "wrong totals, truncated",
			break_: func(m *memSource) { m.totalsDelta = -8 },
			opts:   []Option{WithMaxRecords(5)},
			want:   []string{"Totals"},
			msg:    "want at least",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := goodSource()
			tt.break_(m)
			r := newRecorder()
			testSource(r, m, tt.opts...)
			errs := r.errors()
			for _, w := range tt.want {
				if !r.failedIn(w) {
					t.Errorf("no failure reported in %s", w)
				}
			}
			// Failures of the same property in other streams are fine.
			allowed := slices.Clone(tt.allow)
			for _, w := range tt.want {
				if _, prop, ok := strings.Cut(w, "/"); ok {
					allowed = append(allowed, "*/"+prop)
				} else {
					allowed = append(allowed, w)
				}
			}
		Errors:
			for _, e := range errs {
				path, _, _ := strings.Cut(e, ": ")
				for _, w := range allowed {
					if path == w || strings.HasPrefix(w, "*/") && strings.HasSuffix(path, w[1:]) {
						continue Errors
					}
				}
				t.Errorf("unexpected failure: %s", e)
			}
			if !slices.ContainsFunc(errs, func(e string) bool { return strings.Contains(e, tt.msg) }) {
				t.Errorf("no failure mentions %q; got:\n%s", tt.msg, strings.Join(errs, "\n"))
			}
			if t.Failed() || testing.Verbose() {
				t.Logf("reported:\n%s", strings.Join(errs, "\n"))
			}
		})
	}
}

// rangeBreaker yields after break but only from a range loop's point of
// view: the runtime panics, and TestSource must report the panic.
type rangeBreaker struct{ *memSource }

func (s rangeBreaker) Jobs(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Job, error] {
	return func(yield func(rscsync.Job, error) bool) {
		for _, j := range s.jobs {
			if !since.After(j.ModifiedAt, j.Posting.ExternalJobPostingID) {
				continue
			}
			if err := ctx.Err(); err != nil {
				yield(rscsync.Job{}, err)
				return
			}
			yield(j, nil) // ignores the result
		}
	}
}

func TestRangeBreakPanicReported(t *testing.T) {
	r := newRecorder()
	testSource(r, rangeBreaker{goodSource()})
	var found bool
	for _, e := range r.errors() {
		if strings.Contains(e, "breaking out of a range loop at record [0]") && strings.Contains(e, "continued iteration") {
			found = true
		}
	}
	if !found {
		t.Errorf("the runtime's range-over-func panic was not reported; got:\n%s", strings.Join(r.errors(), "\n"))
	}
}

func TestNilSource(t *testing.T) {
	r := newRecorder()
	testSource(r, nil)
	if len(r.errors()) != 1 {
		t.Errorf("nil source: got %q, want one failure", r.errors())
	}
}

func TestDeletionCursorConvention(t *testing.T) {
	// A source whose deletion cursor ids are the bare ids with the kind
	// after them, not Deletion.CursorID, fails.
	id := func(d rscsync.Deletion) string { return d.ID + "@" + string(d.Kind) }
	m := goodSource()
	sortBy(m.deletions, func(d rscsync.Deletion) (time.Time, string) { return d.DeletedAt, id(d) })
	custom := &customDeletions{memSource: m, id: id}

	r := newRecorder()
	testSource(r, custom)
	if !r.failedIn("Deletions") {
		t.Errorf("custom deletion ids passed")
	}
}

type customDeletions struct {
	*memSource
	id func(rscsync.Deletion) string
}

func (s *customDeletions) Deletions(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Deletion, error] {
	return serve(s.memSource, ctx, since, s.deletions, func(d rscsync.Deletion) (time.Time, string) {
		return d.DeletedAt, s.id(d)
	})
}

func TestCursorIDOrder(t *testing.T) {
	// Ordering by CursorID is ordering by (kind, id).
	var ds []rscsync.Deletion
	for _, k := range []rscsync.EntityKind{rscsync.KindJob, rscsync.KindCandidate, rscsync.KindApplication,
		rscsync.KindCandidateNote, rscsync.KindApplicationNote, rscsync.KindInterviewFeedback, rscsync.KindStage} {
		for _, id := range []string{"", "0", "9", "A", "Note", "Z", "a", "z", "~"} {
			ds = append(ds, rscsync.Deletion{Kind: k, ID: id})
		}
	}
	byID := slices.Clone(ds)
	slices.SortFunc(byID, func(a, b rscsync.Deletion) int { return strings.Compare(a.CursorID(), b.CursorID()) })
	byKind := slices.Clone(ds)
	slices.SortFunc(byKind, func(a, b rscsync.Deletion) int {
		return cmp.Or(strings.Compare(string(a.Kind), string(b.Kind)), strings.Compare(a.ID, b.ID))
	})
	if !slices.Equal(byID, byKind) {
		t.Errorf("CursorID order differs from (kind, id) order")
	}
}

func TestYieldAfterReturn(t *testing.T) {
	var saved func(rscsync.Job, error) bool
	s := jobStream(&memSource{})
	s.open = func(context.Context, rscsync.Cursor) iter.Seq2[rscsync.Job, error] {
		return func(yield func(rscsync.Job, error) bool) { saved = yield }
	}
	res := s.readN(context.Background(), rscsync.Cursor{}, 0, nil)
	if saved(rscsync.Job{Posting: rsc.JobPosting{ExternalJobPostingID: "late"}}, nil) {
		t.Errorf("yield after return returned true")
	}
	if len(res.problems) != 1 || !strings.Contains(res.problems[0], `record "late" after the iterator function returned`) {
		t.Errorf("problems = %q", res.problems)
	}
}

func TestNilIterator(t *testing.T) {
	s := jobStream(&memSource{})
	s.open = func(context.Context, rscsync.Cursor) iter.Seq2[rscsync.Job, error] { return nil }
	r := newRecorder()
	runStream(r, newConfig(nil), s, nil)
	if !slices.ContainsFunc(r.errors(), func(e string) bool { return strings.Contains(e, "returned a nil iterator") }) {
		t.Errorf("nil iterator not reported: %q", r.errors())
	}
}
