package sourcetest

import (
	"context"
	"fmt"
	"iter"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// testSource is TestSource reporting to r.
func testSource(r reporter, src rscsync.Source, opts ...Option) {
	r.Helper()
	if src == nil {
		r.Errorf("TestSource: the Source is nil")
		return
	}
	cfg := newConfig(opts)
	cfg.checkOptions(r)
	l, _ := src.(rscsync.Lookup)
	lookups := func(r reporter, data streamData) {
		r.Helper()
		if l != nil {
			r.Run("Lookup", func(r reporter) { checkLookup(r, l, data) })
		}
	}
	counted := []streamData{
		runStream(r, cfg, jobStream(src), lookups),
		runStream(r, cfg, candidateStream(src), lookups),
		runStream(r, cfg, applicationStream(src), lookups),
		runStream(r, cfg, activityStream(src), lookups),
	}
	deleted := runStream(r, cfg, deletionStream(src), func(r reporter, data streamData) {
		r.Helper()
		if l != nil {
			r.Run("Lookup", func(r reporter) { checkDeletedLookup(r, l, data, counted) })
		}
	})
	r.Run("Totals", func(r reporter) { checkTotals(r, cfg, src, counted) })
	if cfg.contexts == nil {
		logContexts(r, append(counted, deleted))
	}
}

func modified(t time.Time) []string {
	if t.IsZero() {
		return []string{"ModifiedAt is zero"}
	}
	return nil
}

// keyed is a stream of records of one kind, identified by their own id,
// which is also their cursor id.
func keyed[R any](name string, kind rscsync.EntityKind, open func(context.Context, rscsync.Cursor) iter.Seq2[R, error],
	summary func(R) looked, check func(R) []string, contexts func(R) []field) stream[R] {
	return stream[R]{name: name, open: open, check: check, contexts: contexts, summary: summary, pos: func(rec R) pos {
		l := summary(rec)
		return pos{t: l.t, id: l.key.id, key: recKey{kind: kind, id: l.key.id}}
	}}
}

// field is a named field of a record, for messages.
type field struct{ name, value string }

// urnRule is what rsc.IsOrganizationURN checks, for messages.
const urnRule = "urn:li:organization:{digits}"

// integration lists "<name> is empty" or "<name> "v" is not
// urn:li:organization:{digits}" when v is not an organization URN.
func integration(bad []string, name, v string) []string {
	switch {
	case v == "":
		return append(bad, name+" is empty")
	case !rsc.IsOrganizationURN(v):
		return append(bad, fmt.Sprintf("%s %q is not %s", name, v, urnRule))
	}
	return bad
}

// empty lists "<name> is empty" for each (name, value) pair whose value is
// empty.
func empty(bad []string, pairs ...string) []string {
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "" {
			bad = append(bad, pairs[i]+" is empty")
		}
	}
	return bad
}

func jobStream(src rscsync.Source) stream[rscsync.Job] {
	return keyed("Jobs", rscsync.KindJob, src.Jobs, jobSummary,
		func(j rscsync.Job) []string {
			return empty(modified(j.ModifiedAt), "Posting.ExternalJobPostingID", j.Posting.ExternalJobPostingID)
		},
		func(j rscsync.Job) []field {
			return []field{{"Posting.IntegrationContext", j.Posting.IntegrationContext}}
		})
}

func candidateStream(src rscsync.Source) stream[rscsync.Candidate] {
	return keyed("Candidates", rscsync.KindCandidate, src.Candidates, candidateSummary,
		func(c rscsync.Candidate) []string {
			bad := empty(modified(c.ModifiedAt), "Record.Key.CandidateID", c.Record.Key.CandidateID)
			return integration(bad, "Record.Key.IntegrationContext", c.Record.Key.IntegrationContext)
		},
		func(c rscsync.Candidate) []field {
			return []field{{"Record.Key.IntegrationContext", c.Record.Key.IntegrationContext}}
		})
}

func applicationStream(src rscsync.Source) stream[rscsync.Application] {
	return keyed("Applications", rscsync.KindApplication, src.Applications, applicationSummary,
		func(p rscsync.Application) []string {
			bad := empty(modified(p.ModifiedAt), "Record.Key.ApplicationID", p.Record.Key.ApplicationID)
			bad = integration(bad, "Record.Key.IntegrationContext", p.Record.Key.IntegrationContext)
			seen := make(map[string]int, len(p.Stages))
			for i, s := range p.Stages {
				if s.ID == "" {
					bad = append(bad, fmt.Sprintf("Stages[%d] (%q) has an empty ID", i, s.Stage))
					continue
				}
				if j, dup := seen[s.ID]; dup {
					bad = append(bad, fmt.Sprintf("Stages[%d] has the same ID %q as Stages[%d]", i, s.ID, j))
					continue
				}
				seen[s.ID] = i
			}
			return bad
		},
		func(p rscsync.Application) []field {
			return []field{{"Record.Key.IntegrationContext", p.Record.Key.IntegrationContext}}
		})
}

func activityStream(src rscsync.Source) stream[rscsync.Activity] {
	return stream[rscsync.Activity]{
		name:    "Activities",
		open:    src.Activities,
		summary: activitySummary,
		pos: func(a rscsync.Activity) pos {
			k := activityKey(a) // notes of two parents, or a note and a feedback, may share an id
			return pos{t: a.ModifiedAt, id: a.ID(), key: k}
		},
		check: func(a rscsync.Activity) []string {
			bad := modified(a.ModifiedAt)
			switch a.Kind {
			case rscsync.KindCandidateNote:
				if a.Note.ID == "" {
					bad = append(bad, "candidate note: Note.ID is empty")
				}
				if a.Candidate.CandidateID == "" {
					bad = append(bad, "candidate note: Candidate.CandidateID is empty")
				}
				bad = integration(bad, "candidate note: Candidate.IntegrationContext", a.Candidate.IntegrationContext)
			case rscsync.KindApplicationNote, rscsync.KindInterviewFeedback:
				what := "application note"
				if a.Kind == rscsync.KindInterviewFeedback {
					what = "interview feedback"
					if a.Feedback.ID == "" {
						bad = append(bad, what+": Feedback.ID is empty")
					}
				} else if a.Note.ID == "" {
					bad = append(bad, what+": Note.ID is empty")
				}
				if a.Application.ApplicationID == "" {
					bad = append(bad, what+": Application.ApplicationID is empty")
				}
				bad = integration(bad, what+": Application.IntegrationContext", a.Application.IntegrationContext)
			default:
				bad = append(bad, fmt.Sprintf("Kind %q is not KindCandidateNote, KindApplicationNote or KindInterviewFeedback", a.Kind))
			}
			return bad
		},
		contexts: func(a rscsync.Activity) []field {
			if a.Kind == rscsync.KindCandidateNote {
				return []field{{"Candidate.IntegrationContext", a.Candidate.IntegrationContext}}
			}
			return []field{{"Application.IntegrationContext", a.Application.IntegrationContext}}
		},
	}
}

// parentKinds are the deletion kinds that need a Parent.
var parentKinds = map[rscsync.EntityKind]string{
	rscsync.KindCandidateNote:     "candidate",
	rscsync.KindApplicationNote:   "application",
	rscsync.KindInterviewFeedback: "application",
	rscsync.KindStage:             "application",
}

func knownKind(k rscsync.EntityKind) bool {
	switch k {
	case rscsync.KindJob, rscsync.KindCandidate, rscsync.KindApplication,
		rscsync.KindCandidateNote, rscsync.KindApplicationNote, rscsync.KindInterviewFeedback, rscsync.KindStage:
		return true
	}
	return false
}

func deletionStream(src rscsync.Source) stream[rscsync.Deletion] {
	return stream[rscsync.Deletion]{
		name: "Deletions",
		open: src.Deletions,
		pos: func(d rscsync.Deletion) pos {
			// Notes, feedback and stages of different parents may share an
			// id (stage "1" of two applications): the parent tells them apart.
			k := recKey{kind: d.Kind, id: d.ID}
			if _, child := parentKinds[d.Kind]; child {
				k.parent = d.Parent
			}
			return pos{t: d.DeletedAt, id: d.CursorID(), key: k}
		},
		check: func(d rscsync.Deletion) []string {
			var bad []string
			if d.DeletedAt.IsZero() {
				bad = append(bad, "DeletedAt is zero")
			}
			if !knownKind(d.Kind) {
				bad = append(bad, fmt.Sprintf("Kind %q is not one of the EntityKind constants", d.Kind))
			}
			if d.ID == "" {
				bad = append(bad, "ID is empty")
			}
			if parent, ok := parentKinds[d.Kind]; ok && d.Parent == "" {
				bad = append(bad, fmt.Sprintf("Parent (the %s id) is empty for a %s", parent, d.Kind))
			}
			return integration(bad, "Integration", d.Integration)
		},
		contexts: func(d rscsync.Deletion) []field { return []field{{"Integration", d.Integration}} },
	}
}

// logContexts notes the integration contexts the records carry, when
// WithIntegrationContexts did not name the customer's.
func logContexts(r reporter, streams []streamData) {
	r.Helper()
	seen := map[string]int{}
	for _, s := range streams {
		for c, n := range s.contexts {
			seen[c] += n
		}
	}
	if len(seen) == 0 {
		return
	}
	var list []string
	for _, c := range slices.Sorted(maps.Keys(seen)) {
		list = append(list, fmt.Sprintf("%q (%s)", c, plural(seen[c], "record")))
	}
	r.Logf("the records carry %s: %s; name the customer's with WithIntegrationContexts to check that no record belongs to another customer",
		plural(len(seen), "integration context"), strings.Join(list, ", "))
}

// plural returns n and noun, with an s unless n is 1.
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func checkTotals(r reporter, cfg *config, src rscsync.Source, streams []streamData) {
	r.Helper()
	ctx := context.Background()
	times := []time.Time{{}}
	for _, s := range streams {
		if !s.ok || len(s.pos) == 0 {
			continue
		}
		t := s.pos[len(s.pos)/2].t
		dup := false
		for _, u := range times {
			dup = dup || u.Equal(t)
		}
		if !dup {
			times = append(times, t)
		}
	}
	for _, since := range times {
		what := "Totals(ctx, the zero time)"
		if !since.IsZero() {
			what = fmt.Sprintf("Totals(ctx, %s)", fmtTime(since))
		}
		tot, err := callTotals(ctx, src, since)
		if err != nil {
			r.Errorf("%s: %v", what, err)
			continue
		}
		got := []int64{tot.Jobs, tot.Candidates, tot.Applications, tot.Activities}
		for i, s := range streams {
			if !s.ok {
				continue // reported by the stream's own subtest
			}
			var want int64
			for _, p := range s.pos {
				if cfg.totalsRule.covers(p.t, since) {
					want++
				}
			}
			switch {
			case s.truncated && got[i] < want:
				r.Errorf("%s.%s = %d, want at least %d (the records of the first %d of the %s stream with ModifiedAt %v)",
					what, s.name, got[i], want, len(s.pos), s.name, cfg.totalsRule)
			case !s.truncated && got[i] != want:
				r.Errorf("%s.%s = %d, want %d (the records of the %s stream with ModifiedAt %v)",
					what, s.name, got[i], want, s.name, cfg.totalsRule)
			}
		}
	}
}

// callTotals calls src.Totals, turning a panic into an error.
func callTotals(ctx context.Context, src rscsync.Source, since time.Time) (t rscsync.Totals, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panicked: %v", p)
		}
	}()
	return src.Totals(ctx, since)
}
