package sourcetest

import (
	"context"
	"fmt"
	"iter"
	"time"

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
	counted := []streamData{
		runStream(r, cfg, jobStream(src)),
		runStream(r, cfg, candidateStream(src)),
		runStream(r, cfg, applicationStream(src)),
		runStream(r, cfg, activityStream(src)),
	}
	runStream(r, cfg, deletionStream(src))
	r.Run("Totals", func(r reporter) { checkTotals(r, cfg, src, counted) })
}

func modified(t time.Time) []string {
	if t.IsZero() {
		return []string{"ModifiedAt is zero"}
	}
	return nil
}

// keyed is a stream whose records are identified by their own id, which
// is also their cursor id.
func keyed[R any](name string, open func(context.Context, rscsync.Cursor) iter.Seq2[R, error],
	at func(R) (time.Time, string), check func(R) []string) stream[R] {
	return stream[R]{name: name, open: open, check: check, pos: func(rec R) pos {
		t, id := at(rec)
		return pos{t: t, id: id, ident: id}
	}}
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
	return keyed("Jobs", src.Jobs, func(j rscsync.Job) (time.Time, string) { return j.ModifiedAt, j.Posting.ExternalJobPostingID },
		func(j rscsync.Job) []string {
			return empty(modified(j.ModifiedAt), "Posting.ExternalJobPostingID", j.Posting.ExternalJobPostingID)
		})
}

func candidateStream(src rscsync.Source) stream[rscsync.Candidate] {
	return keyed("Candidates", src.Candidates, func(c rscsync.Candidate) (time.Time, string) { return c.ModifiedAt, c.Record.Key.CandidateID },
		func(c rscsync.Candidate) []string {
			return empty(modified(c.ModifiedAt), "Record.Key.CandidateID", c.Record.Key.CandidateID,
				"Record.Key.IntegrationContext", c.Record.Key.IntegrationContext)
		})
}

func applicationStream(src rscsync.Source) stream[rscsync.Application] {
	return keyed("Applications", src.Applications, func(p rscsync.Application) (time.Time, string) { return p.ModifiedAt, p.Record.Key.ApplicationID },
		func(p rscsync.Application) []string {
			bad := empty(modified(p.ModifiedAt), "Record.Key.ApplicationID", p.Record.Key.ApplicationID,
				"Record.Key.IntegrationContext", p.Record.Key.IntegrationContext)
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
		})
}

func activityStream(src rscsync.Source) stream[rscsync.Activity] {
	return stream[rscsync.Activity]{
		name: "Activities",
		open: src.Activities,
		pos: func(a rscsync.Activity) pos {
			return pos{t: a.ModifiedAt, id: a.ID(), ident: string(a.Kind) + ":" + a.ID()}
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
				if a.Candidate.IntegrationContext == "" {
					bad = append(bad, "candidate note: Candidate.IntegrationContext is empty")
				}
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
				if a.Application.IntegrationContext == "" {
					bad = append(bad, what+": Application.IntegrationContext is empty")
				}
			default:
				bad = append(bad, fmt.Sprintf("Kind %q is not KindCandidateNote, KindApplicationNote or KindInterviewFeedback", a.Kind))
			}
			return bad
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
			return pos{t: d.DeletedAt, id: d.CursorID(), ident: string(d.Kind) + ":" + d.ID}
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
			return bad
		},
	}
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
