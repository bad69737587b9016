package sourcetest

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// lookupSource is a memSource with Lookup over maps of the records, which
// tests change to make Lookup disagree with the streams.
type lookupSource struct {
	*memSource
	byJob   map[string]rscsync.Job
	byCand  map[string]rscsync.Candidate
	byApp   map[string]rscsync.Application
	byAct   map[recKey]rscsync.Activity
	anyCand bool   // finds a candidate under any id
	fold    bool   // finds a candidate whatever the case of its id and trailing blanks (a folding collation)
	failID  string // fails the lookup of this id
	panicID string // panics on the lookup of this id
	lookups int
}

func newLookupSource(m *memSource) *lookupSource {
	s := &lookupSource{memSource: m, byJob: map[string]rscsync.Job{}, byCand: map[string]rscsync.Candidate{},
		byApp: map[string]rscsync.Application{}, byAct: map[recKey]rscsync.Activity{}}
	for _, j := range m.jobs {
		s.byJob[j.Posting.ExternalJobPostingID] = j
	}
	for _, c := range m.candidates {
		s.byCand[c.Record.Key.CandidateID] = c
	}
	for _, p := range m.applications {
		s.byApp[p.Record.Key.ApplicationID] = p
	}
	for _, a := range m.activities {
		s.byAct[activityKey(a)] = a
	}
	return s
}

func (s *lookupSource) fault(id string) error {
	s.lookups++
	if id == s.panicID {
		panic("lookupSource: boom")
	}
	if id == s.failID {
		return errors.New("db down")
	}
	return nil
}

func (s *lookupSource) LookupJob(_ context.Context, id string) (rscsync.Job, bool, error) {
	if err := s.fault(id); err != nil {
		return rscsync.Job{}, false, err
	}
	j, ok := s.byJob[id]
	return j, ok, nil
}

func (s *lookupSource) LookupCandidate(_ context.Context, id string) (rscsync.Candidate, bool, error) {
	if err := s.fault(id); err != nil {
		return rscsync.Candidate{}, false, err
	}
	c, ok := s.byCand[id]
	if !ok && s.fold {
		for k, v := range s.byCand {
			if strings.EqualFold(k, strings.TrimRight(id, " ")) {
				return v, true, nil
			}
		}
	}
	if !ok && s.anyCand {
		return rscsync.Candidate{Record: rsc.Candidate{Key: rsc.CandidateKey{IntegrationContext: org, CandidateID: id}}, ModifiedAt: hoursAt(20)}, true, nil
	}
	return c, ok, nil
}

func (s *lookupSource) LookupApplication(_ context.Context, id string) (rscsync.Application, bool, error) {
	if err := s.fault(id); err != nil {
		return rscsync.Application{}, false, err
	}
	p, ok := s.byApp[id]
	return p, ok, nil
}

func (s *lookupSource) LookupActivity(_ context.Context, kind rscsync.EntityKind, parent, id string) (rscsync.Activity, bool, error) {
	if err := s.fault(id); err != nil {
		return rscsync.Activity{}, false, err
	}
	a, ok := s.byAct[recKey{kind: kind, parent: parent, id: id}]
	return a, ok, nil
}

func cand(id string, at time.Time, ctx string) rscsync.Candidate {
	return rscsync.Candidate{Record: rsc.Candidate{Key: rsc.CandidateKey{IntegrationContext: ctx, CandidateID: id}}, ModifiedAt: at}
}

func TestLookup(t *testing.T) {
	tests := []struct {
		name   string
		break_ func(*lookupSource)
		opts   []Option
		want   []string // the failures of the Lookup subtests
		log    string   // a note that must be logged
	}{
		{
			name: "agrees with the streams",
			break_: func(s *lookupSource) {
				// A deleted job whose row the Source keeps, closed: the
				// engine treats it as not held.
				s.byJob["job-99"] = rscsync.Job{Posting: rsc.JobPosting{ExternalJobPostingID: "job-99"}, Closed: true, ModifiedAt: hoursAt(30)}
			},
		},
		{
			name:   "misses a record",
			break_: func(s *lookupSource) { delete(s.byCand, "c04") },
			want: []string{
				`Candidates/Lookup: Candidates[4] "c04" (2024-03-01T13:30:00+01:00): LookupCandidate("c04") found nothing; Lookup must find every record the streams yield`,
			},
		},
		{
			name: "returns another record, or a stale one",
			break_: func(s *lookupSource) {
				s.byCand["c02"] = s.byCand["c05"]
				s.byCand["c08"] = cand("c08", hoursAt(7.5), "urn:li:organization:2")
				j := s.byJob["job-01"]
				j.Closed = true
				s.byJob["job-01"] = j
				a := s.byAct[recKey{kind: rscsync.KindInterviewFeedback, parent: "a1", id: "f08"}]
				a.ModifiedAt = a.ModifiedAt.Add(time.Millisecond)
				s.byAct[recKey{kind: rscsync.KindInterviewFeedback, parent: "a1", id: "f08"}] = a
			},
			want: []string{
				`Jobs/Lookup: Jobs[1] "job-01" (2024-03-01T12:00:00+01:00): LookupJob("job-01") returned Closed true; the stream has false`,
				`Candidates/Lookup: Candidates[2] "c02" (2024-03-01T12:00:00+01:00): LookupCandidate("c02") returned candidate "c05"`,
				`Candidates/Lookup: Candidates[8] "c08" (2024-03-01T17:00:00+01:00): LookupCandidate("c08") returned ModifiedAt 2024-03-01T17:30:00+01:00; the stream has 2024-03-01T17:00:00+01:00`,
				`Candidates/Lookup: Candidates[8] "c08" (2024-03-01T17:00:00+01:00): LookupCandidate("c08") returned integration context "urn:li:organization:2"; the stream has "urn:li:organization:1"`,
				`Activities/Lookup: Activities[8] "f08" (2024-03-01T17:15:00+01:00): LookupActivity(interviewFeedback, "a1", "f08") returned ModifiedAt 2024-03-01T17:15:00.001+01:00; the stream has 2024-03-01T17:15:00+01:00`,
			},
		},
		{
			// An application read without its stages (a second query
			// forgotten), stages in another order (alike), a candidate
			// with a stale field: a retry sends what Lookup returns.
			name: "returns the record with stages left out or a stale field",
			break_: func(s *lookupSource) {
				a := s.byApp["a02"]
				a.Stages = nil
				s.byApp["a02"] = a
				b := s.byApp["a01"]
				b.Stages = []rsc.Stage{b.Stages[1], b.Stages[0]}
				s.byApp["a01"] = b
				c := s.byCand["c02"]
				c.Record.FirstName = "Stale"
				s.byCand["c02"] = c
			},
			want: []string{
				`Candidates/Lookup: Candidates[2] "c02" (2024-03-01T12:00:00+01:00): LookupCandidate("c02") returned the record with other values than the stream's in Record.FirstName: a retry or resync sends what Lookup returns, and LinkedIn replaces the record whole`,
				`Applications/Lookup: Applications[2] "a02" (2024-03-01T12:00:00+01:00): LookupApplication("a02") returned the record with other values than the stream's in Stages: a retry or resync sends what Lookup returns, and LinkedIn replaces the record whole`,
			},
		},
		{
			name: "finds deleted records",
			break_: func(s *lookupSource) {
				// Modified after its deletion (at hoursAt(2)): the engine
				// would skip the deletion.
				s.byCand["7"] = cand("7", hoursAt(3), org)
				// Modified before its deletion.
				s.byAct[recKey{kind: rscsync.KindCandidateNote, parent: "7", id: "1"}] = rscsync.Activity{Kind: rscsync.KindCandidateNote,
					Candidate: rsc.CandidateKey{IntegrationContext: org, CandidateID: "7"}, Note: rsc.Note{ID: "1"}, ModifiedAt: hoursAt(1)}
				// Open, not closed.
				s.byJob["job-99"] = rscsync.Job{Posting: rsc.JobPosting{ExternalJobPostingID: "job-99"}, ModifiedAt: hoursAt(30)}
			},
			want: []string{
				`Deletions/Lookup: Deletions[0] "job:job-99" (2024-03-01T11:00:00+01:00): LookupJob("job-99") found a record modified at 2024-03-02T16:00:00+01:00, after the deletion, that the Jobs stream does not yield: the engine skips a deletion older than the record Lookup finds (SkipRecreated), so LinkedIn would keep the deleted record`,
				`Deletions/Lookup: Deletions[1] "candidate:7" (2024-03-01T12:00:00+01:00): LookupCandidate("7") found a record modified at 2024-03-01T13:00:00+01:00, after the deletion, that the Candidates stream does not yield: the engine skips a deletion older than the record Lookup finds (SkipRecreated), so LinkedIn would keep the deleted record`,
				`Deletions/Lookup: Deletions[2] "candidateNote:1" (2024-03-01T12:00:00+01:00): LookupActivity(candidateNote, "7", "1") found a record (ModifiedAt 2024-03-01T11:00:00+01:00) that the Activities stream does not yield; Lookup must not find deleted records`,
			},
		},
		{
			name:   "finds any id",
			break_: func(s *lookupSource) { s.anyCand = true },
			want: []string{
				`Candidates/Lookup: Candidates: LookupCandidate("c10") found a record (ModifiedAt 2024-03-02T06:00:00+01:00), but the stream yields no record with that id; Lookup must find only records the streams yield`,
				`Deletions/Lookup: Deletions[1] "candidate:7" (2024-03-01T12:00:00+01:00): LookupCandidate("7") found a record modified at 2024-03-02T06:00:00+01:00, after the deletion, that the Candidates stream does not yield: the engine skips a deletion older than the record Lookup finds (SkipRecreated), so LinkedIn would keep the deleted record`,
			},
		},
		{
			name: "fails and panics",
			break_: func(s *lookupSource) {
				s.failID, s.panicID = "a02", "job-01"
			},
			want: []string{
				`Jobs/Lookup: Jobs[1] "job-01" (2024-03-01T12:00:00+01:00): LookupJob("job-01") failed: panicked: lookupSource: boom`,
				`Applications/Lookup: Applications[2] "a02" (2024-03-01T12:00:00+01:00): LookupApplication("a02") failed: db down`,
			},
		},
		{
			name:   "folds case and trailing blanks",
			break_: func(s *lookupSource) { s.fold = true },
			want: []string{
				`Candidates/Lookup: Candidates: LookupCandidate("C00"), an id the stream does not yield, returned the record "c00"; Lookup must find ids byte for byte, as the streams order them (a collation that folds case or trailing blanks finds another record, whose deletion or retry the engine would then get wrong)`,
				`Candidates/Lookup: Candidates: LookupCandidate("c00 "), an id the stream does not yield, returned the record "c00"; Lookup must find ids byte for byte, as the streams order them (a collation that folds case or trailing blanks finds another record, whose deletion or retry the engine would then get wrong)`,
			},
		},
		{
			name:   "finds any id, beyond the records read",
			break_: func(s *lookupSource) { s.anyCand = true },
			opts:   []Option{WithMaxRecords(3)},
			log:    `Candidates/Lookup: Candidates: LookupCandidate("c03"), an id not among the first 3 records read (WithMaxRecords), found a record later in the stream`,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newLookupSource(goodSource())
			tt.break_(s)
			r := newRecorder()
			testSource(r, s, tt.opts...)
			if diff := cmp.Diff(tt.want, r.errorsIn("/Lookup")); diff != "" {
				t.Errorf("Lookup failures (-want +got):\n%s", diff)
			}
			if other := len(r.errors()) - len(r.errorsIn("/Lookup")); other > 0 {
				t.Errorf("%d failures outside Lookup:\n%s", other, strings.Join(r.errors(), "\n"))
			}
			if tt.log != "" && !slices.Contains(r.logs(), tt.log) {
				t.Errorf("no note %q; logged:\n%s", tt.log, strings.Join(r.logs(), "\n"))
			}
		})
	}
}

// Lookup is called for a bounded sample of each stream, however long.
func TestLookupSampled(t *testing.T) {
	m := &memSource{}
	for i := range 5000 {
		m.candidates = append(m.candidates, cand(fmt.Sprintf("c%05d", i), hoursAt(float64(i)/100), org))
	}
	for i := range 300 {
		m.deletions = append(m.deletions, rscsync.Deletion{Kind: rscsync.KindCandidate, ID: fmt.Sprintf("gone%03d", i), Integration: org, DeletedAt: hoursAt(float64(i) / 10)})
	}
	m.sort()
	s := newLookupSource(m)
	r := newRecorder()
	testSource(r, s)
	if errs := r.errors(); len(errs) > 0 {
		t.Fatalf("failures:\n%s", strings.Join(errs, "\n"))
	}
	// Candidates 0, 1, 2, 4, ..., 4096 and 4999, a made-up id and the
	// first id with its case swapped and with a trailing blank; deletions
	// 0, 1, 2, 4, ..., 256 and 299.
	if want := (14 + 1 + 1 + 2) + (10 + 1); s.lookups != want {
		t.Errorf("%d Lookup calls, want %d", s.lookups, want)
	}
}

func TestUnknownID(t *testing.T) {
	ps := func(ids ...string) []pos {
		var out []pos
		for _, id := range ids {
			out = append(out, pos{key: recKey{id: id}})
		}
		return out
	}
	for _, tt := range []struct {
		ids  []pos
		from string
		want string
	}{
		{ps("c00", "c01", "c02", "c03", "c04", "c05", "c06", "c07", "c08", "c09"), "c00", "c10"},
		{ps("42"), "42", "40"},
		{ps("1f0c7a52-8f7e-4d6b-9a3e-2b1c0d9e8f7a"), "1f0c7a52-8f7e-4d6b-9a3e-2b1c0d9e8f7a", "1f0c7a52-8f7e-4d6b-9a3e-2b1c0d9e8f7b"},
		{ps("ABCF"), "ABCF", "ABCA"},
		{ps("Zz"), "Zz", "Zg"},
		{ps("--"), "--", ""},
	} {
		if got := unknownID(tt.ids, tt.from); got != tt.want {
			t.Errorf("unknownID(%q) = %q, want %q", tt.from, got, tt.want)
		}
	}
}

func TestIntegrationContexts(t *testing.T) {
	foreign := func(m *memSource) {
		m.jobs[3].Posting.IntegrationContext = "urn:li:organization:2"
		m.jobs[4].Posting.IntegrationContext = org
		m.candidates[5].Record.Key.IntegrationContext = "urn:li:organization:2"
		m.activities[0].Candidate.IntegrationContext = "urn:li:organization:2"
		m.activities[1].Application.IntegrationContext = "urn:li:organization:2"
		m.deletions[1].Integration = "urn:li:organization:2"
	}
	tests := []struct {
		name   string
		break_ func(*memSource)
		opts   []Option
		want   []string
		log    string
	}{
		{name: "the customer's", opts: []Option{WithIntegrationContexts(org)}},
		{name: "the customer's among others", opts: []Option{WithIntegrationContexts("urn:li:organization:2", org)}, break_: foreign},
		{
			name:   "another customer's",
			break_: foreign,
			opts:   []Option{WithIntegrationContexts(org)},
			want: []string{
				`Jobs/IntegrationContext: Jobs[3] "job-03": Posting.IntegrationContext "urn:li:organization:2" is not one of the customer's integration contexts (WithIntegrationContexts): a record of another customer`,
				`Candidates/IntegrationContext: Candidates[5] "c05": Record.Key.IntegrationContext "urn:li:organization:2" is not one of the customer's integration contexts (WithIntegrationContexts): a record of another customer`,
				`Activities/IntegrationContext: Activities[0] "n00": Candidate.IntegrationContext "urn:li:organization:2" is not one of the customer's integration contexts (WithIntegrationContexts): a record of another customer`,
				`Activities/IntegrationContext: Activities[1] "f02": Application.IntegrationContext "urn:li:organization:2" is not one of the customer's integration contexts (WithIntegrationContexts): a record of another customer`,
				`Deletions/IntegrationContext: Deletions[1] "candidate:7": Integration "urn:li:organization:2" is not one of the customer's integration contexts (WithIntegrationContexts): a record of another customer`,
			},
		},
		{
			name:   "not checked without the option",
			break_: foreign,
			log:    `: the records carry 2 integration contexts: "urn:li:organization:1" (42 records), "urn:li:organization:2" (5 records); name the customer's with WithIntegrationContexts to check that no record belongs to another customer`,
		},
		{
			name: "one context without the option",
			log:  `: the records carry 1 integration context: "urn:li:organization:1" (47 records); name the customer's with WithIntegrationContexts to check that no record belongs to another customer`,
		},
		{
			name: "no context named",
			opts: []Option{WithIntegrationContexts()},
			want: []string{
				`: TestSource: WithIntegrationContexts names no integration context`,
				`Jobs/IntegrationContext: Jobs[0] "job-00": Posting.IntegrationContext "urn:li:organization:1" is not one of the customer's integration contexts (WithIntegrationContexts): a record of another customer`,
			},
		},
		{
			name: "values the options do not take",
			opts: []Option{WithMaxRecords(-1), WithCancelBound(-2), WithCancelTimeout(0), WithTotalsRule(7)},
			want: []string{
				`: TestSource: WithMaxRecords(-1): must not be negative (0: no limit)`,
				`: TestSource: WithCancelBound(-2): must not be negative`,
				`: TestSource: WithCancelTimeout(0s): must be positive`,
				`: TestSource: WithTotalsRule(7): not TotalsAtOrAfter or TotalsAfter`,
			},
			log: `: the records carry 1 integration context: "urn:li:organization:1" (47 records); name the customer's with WithIntegrationContexts to check that no record belongs to another customer`,
		},
		{
			name: "not URNs",
			opts: []Option{WithIntegrationContexts(org, "1", "urn:li:organization:x")},
			want: []string{
				`: TestSource: WithIntegrationContexts: "1" is not urn:li:organization:{digits}`,
				`: TestSource: WithIntegrationContexts: "urn:li:organization:x" is not urn:li:organization:{digits}`,
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := goodSource()
			for i := range m.jobs {
				m.jobs[i].Posting.IntegrationContext = org
			}
			if tt.break_ != nil {
				tt.break_(m)
			}
			r := newRecorder()
			testSource(r, m, tt.opts...)
			got := r.errors()
			if tt.name == "no context named" {
				got = got[:min(2, len(got))] // and every other record
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("failures (-want +got):\n%s", diff)
			}
			var notes []string
			for _, l := range r.logs() {
				if strings.Contains(l, "integration context") {
					notes = append(notes, l)
				}
			}
			var wantNotes []string
			if tt.log != "" {
				wantNotes = []string{tt.log}
			}
			if diff := cmp.Diff(wantNotes, notes); diff != "" {
				t.Errorf("notes (-want +got):\n%s", diff)
			}
		})
	}
}

func TestIntegrationURNs(t *testing.T) {
	m := goodSource()
	m.candidates[0].Record.Key.IntegrationContext = "urn:li:organization:abc"
	m.applications[1].Record.Key.IntegrationContext = "urn:li:company:1"
	m.activities[2].Application.IntegrationContext = " urn:li:organization:1"
	m.deletions[0].Integration = ""
	m.deletions[1].Integration = "urn:li:organization:"
	m.deletions[2].Integration = "organization:1"
	wantFailures(t, m, []string{
		`Candidates/Records: Candidates[0] "c00": Record.Key.IntegrationContext "urn:li:organization:abc" is not urn:li:organization:{digits}`,
		`Applications/Records: Applications[1] "a01": Record.Key.IntegrationContext "urn:li:company:1" is not urn:li:organization:{digits}`,
		`Activities/Records: Activities[2] "n01": application note: Application.IntegrationContext " urn:li:organization:1" is not urn:li:organization:{digits}`,
		`Deletions/Records: Deletions[0] "job:job-99": Integration is empty`,
		`Deletions/Records: Deletions[1] "candidate:7": Integration "urn:li:organization:" is not urn:li:organization:{digits}`,
		`Deletions/Records: Deletions[2] "candidateNote:1": Integration "organization:1" is not urn:li:organization:{digits}`,
	})
}

// wantFailures runs the kit on m and compares the failures it reports with
// want.
func wantFailures(t *testing.T, m *memSource, want []string) {
	t.Helper()
	r := newRecorder()
	testSource(r, m)
	if diff := cmp.Diff(want, r.errors()); diff != "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
}

func TestDeletionIdentity(t *testing.T) {
	stage := func(id, parent string, at time.Time) rscsync.Deletion {
		return rscsync.Deletion{Kind: rscsync.KindStage, ID: id, Parent: parent, Integration: org, DeletedAt: at}
	}
	for _, tt := range []struct {
		name string
		dels []rscsync.Deletion
		want []string
	}{
		{
			name: "a stage id shared by two applications",
			dels: []rscsync.Deletion{stage("1", "a01", hoursAt(3)), stage("1", "a02", hoursAt(4))},
		},
		{
			name: "a note id shared by two candidates",
			dels: []rscsync.Deletion{
				{Kind: rscsync.KindCandidateNote, ID: "5", Parent: "c01", Integration: org, DeletedAt: hoursAt(3)},
				{Kind: rscsync.KindCandidateNote, ID: "5", Parent: "c02", Integration: org, DeletedAt: hoursAt(4)},
			},
		},
		{
			// The Source contract: an id used again after its deletion is
			// fine, and so is its second deletion (a tombstone log).
			name: "a stage of one application deleted, used again and deleted again",
			dels: []rscsync.Deletion{stage("1", "a01", hoursAt(3)), stage("1", "a01", hoursAt(4))},
		},
		{
			name: "a stage of one application twice",
			dels: []rscsync.Deletion{stage("1", "a01", hoursAt(3)), stage("1", "a01", hoursAt(3))},
			want: []string{
				`Deletions/Order: Deletions[5] "stage:1" (2024-03-01T13:00:00+01:00): duplicate of Deletions[4] "stage:1" (2024-03-01T13:00:00+01:00)`,
				`Deletions/Order: Deletions[5] "stage:1" (2024-03-01T13:00:00+01:00) has the same position as Deletions[4] "stage:1" (2024-03-01T13:00:00+01:00): streams must be in strictly ascending (ModifiedAt, ID) order`,
			},
		},
		{
			name: "a stage id shared by two applications, deleted at once",
			dels: []rscsync.Deletion{stage("1", "a01", hoursAt(3)), stage("1", "a02", hoursAt(3))},
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := goodSource()
			m.deletions = append(m.deletions, tt.dels...)
			m.sort()
			wantFailures(t, m, tt.want)
		})
	}
}

// The SDK's own SliceSource, which records deletions by kind, parent and
// id, passes with stage ids shared across applications, Lookup included.
func TestSliceSourceSharedStageIDs(t *testing.T) {
	m := goodSource()
	s := rscsync.NewSliceSource()
	s.PutJobs(m.jobs...).PutCandidates(m.candidates...).PutActivities(m.activities...)
	for _, p := range m.applications {
		p.Stages = []rsc.Stage{{ID: "1", Stage: "Screen"}, {ID: "2", Stage: "Offer"}}
		s.PutApplications(p)
	}
	for _, d := range m.deletions {
		s.Delete(d)
	}
	s.Delete(rscsync.Deletion{Kind: rscsync.KindStage, ID: "1", Parent: "a01", Integration: org, DeletedAt: hoursAt(10)})
	s.Delete(rscsync.Deletion{Kind: rscsync.KindStage, ID: "1", Parent: "a02", Integration: org, DeletedAt: hoursAt(11)})
	s.Delete(rscsync.Deletion{Kind: rscsync.KindCandidate, ID: "c09", Integration: org, DeletedAt: hoursAt(12)})
	r := newRecorder()
	testSource(r, s, WithIntegrationContexts(org))
	if errs := r.errors(); len(errs) > 0 {
		t.Errorf("SliceSource failed:\n%s", strings.Join(errs, "\n"))
	}
	TestSource(t, s)
}

// A Source that filters modified_at >= ? AND id > ? fails even when its
// ids grow with time, as in a freshly loaded database.
func TestKeysetPredicate(t *testing.T) {
	m := goodSource() // ids grow with time in every stream but Deletions
	m.andKeyset = true
	r := newRecorder()
	testSource(r, m)
	want := []string{
		`Candidates/Since: Candidates: reading from the first record's time, the largest id of the stream (cursor {2024-03-01T11:00:00+01:00, "c09"}): got 0 records, want 9 (the records of the full stream after the cursor); first difference at index 0: got the end of the stream, want "c01" (2024-03-01T12:00:00+01:00)`,
	}
	if diff := cmp.Diff(want, r.errorsIn("Candidates/Since")); diff != "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
	for _, s := range []string{"Jobs", "Applications", "Activities", "Deletions"} {
		if len(r.errorsIn(s+"/Since")) == 0 {
			t.Errorf("%s/Since passed", s)
		}
	}
}

func TestKeysetPredicateNotExercised(t *testing.T) {
	m := goodSource()
	for i := range m.candidates {
		m.candidates[i].ModifiedAt = hoursAt(1)
	}
	r := newRecorder()
	testSource(r, m)
	if errs := r.errors(); len(errs) > 0 {
		t.Fatalf("failures:\n%s", strings.Join(errs, "\n"))
	}
	want := `Candidates/Since: Candidates: all records share one modification time, so a keyset predicate that compares time and id separately (modified_at >= ? AND id > ?) is not exercised`
	if !slices.Contains(r.logs(), want) {
		t.Errorf("no note %q; logged:\n%s", want, strings.Join(r.logs(), "\n"))
	}
}

// A Source that reads the cursor's wall clock, ignoring its zone, passes
// as long as cursors are in its records' zone; the kit tries another.
func TestForeignZoneCursor(t *testing.T) {
	m := goodSource()
	for i := range m.candidates {
		m.candidates[i].ModifiedAt = m.candidates[i].ModifiedAt.UTC()
	}
	m.naiveZone = true
	r := newRecorder()
	testSource(r, m)
	want := []string{
		`Candidates/Since: Candidates: reading from the middle record, its time in zone +05:30 (cursor {2024-03-01T18:30:00+05:30, "c05"}): got 0 records, want 4 (the records of the full stream after the cursor); first difference at index 0: got the end of the stream, want "c06" (2024-03-01T15:00:00Z)`,
	}
	if diff := cmp.Diff(want, r.errorsIn("Candidates/Since")); diff != "" {
		t.Errorf("failures (-want +got):\n%s", diff)
	}
}

func TestForeignZone(t *testing.T) {
	at := time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)
	if _, off := at.In(foreignZone(at)).Zone(); off != 5*3600+1800 {
		t.Errorf("zone of a UTC time: offset %d", off)
	}
	ist := at.In(time.FixedZone("IST", 5*3600+1800))
	if _, off := ist.In(foreignZone(ist)).Zone(); off != -(3*3600 + 1800) {
		t.Errorf("zone of a +05:30 time: offset %d", off)
	}
}

// Activities that share an id are different records when their kind or
// parent differs (a note and a feedback from two tables, notes numbered per
// candidate), at one time or not: the engine sends each. The same note
// twice is a duplicate.
func TestActivityIdentity(t *testing.T) {
	t.Parallel()
	note := func(cand string, h float64) rscsync.Activity {
		return rscsync.Activity{Kind: rscsync.KindCandidateNote, Candidate: rsc.CandidateKey{IntegrationContext: org, CandidateID: cand},
			Note: rsc.Note{ID: "n-shared"}, ModifiedAt: hoursAt(h)}
	}
	feedback := rscsync.Activity{Kind: rscsync.KindInterviewFeedback, Application: rsc.ApplicationKey{IntegrationContext: org, ApplicationID: "a01"},
		Feedback: rsc.InterviewFeedback{ID: "n-shared"}, ModifiedAt: hoursAt(3)}
	for _, tt := range []struct {
		name string
		acts []rscsync.Activity
		want []string
	}{
		{name: "notes of two candidates, one id, one time", acts: []rscsync.Activity{note("c01", 3), note("c02", 3)}},
		{name: "a note and a feedback, one id, one time", acts: []rscsync.Activity{note("c01", 3), feedback}},
		{name: "one note twice", acts: []rscsync.Activity{note("c01", 3), note("c01", 4)},
			want: []string{`Activities/Order: Activities[6] "n-shared" (2024-03-01T14:00:00+01:00): duplicate of Activities[4] "n-shared" (2024-03-01T13:00:00+01:00)`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			m := goodSource()
			m.activities = append(m.activities, tt.acts...)
			m.sort()
			wantFailures(t, m, tt.want)
		})
	}
}

// noNUL is a Source over a database whose text cannot hold NUL, such as
// PostgreSQL's: a stream read from a cursor whose id holds one fails.
type noNUL struct{ *memSource }

func (s noNUL) Candidates(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Candidate, error] {
	if strings.Contains(since.ID, "\x00") {
		return func(yield func(rscsync.Candidate, error) bool) {
			yield(rscsync.Candidate{}, errors.New(`invalid byte sequence for encoding "UTF8": 0x00`))
		}
	}
	return s.memSource.Candidates(ctx, since)
}

// A correct Source over PostgreSQL passes the kit: its cursors hold no id
// that such a database refuses, as the engine's never do (their ids are
// ones the Source yielded).
func TestKitCursorsFitPostgres(t *testing.T) {
	r := newRecorder()
	testSource(r, noNUL{goodSource()})
	if errs := r.errors(); len(errs) != 0 {
		t.Errorf("a correct Source whose database refuses NUL fails:\n%s", strings.Join(errs, "\n"))
	}
}
