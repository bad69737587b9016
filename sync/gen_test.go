package sync

import (
	"context"
	"fmt"
	"iter"
	"sort"
	"strings"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// genSource is a Source generating a dataset on the fly: record i of a kind
// is computed from i, so a million records never sit in memory. Records
// are spread evenly over span before end.
type genSource struct {
	org                     string
	end                     time.Time
	span                    time.Duration
	jobs, cands, apps, acts int
	stages                  int // stages per application
}

var description = strings.Repeat("A great job with a great team. ", 5)

func newGen(org string, end time.Time, span time.Duration, jobs, cands, apps, acts int) *genSource {
	return &genSource{org: org, end: end, span: span, jobs: jobs, cands: cands, apps: apps, acts: acts, stages: 2}
}

// backlogEnd is an end for a genSource whose records all lie before the
// fresh lanes' start (see the package documentation), so that a first run
// sends them in one order, as the backlog: for the tests of batching,
// pacing and quotas, which the lane's few first records would shift.
func backlogEnd() time.Time { return time.Now().Add(-DefaultClockSkew) }

func (g *genSource) at(i, n int) time.Time {
	start := g.end.Add(-g.span)
	return start.Add(time.Duration(int64(g.span) / int64(n+1) * int64(i+1))).Truncate(time.Millisecond)
}

// first returns the index of the first record after since.
func (g *genSource) first(n int, id func(int) string, since Cursor) int {
	return sort.Search(n, func(i int) bool { return since.After(g.at(i, n), id(i)) })
}

func jobID(i int) string  { return fmt.Sprintf("J%08d", i) }
func candID(i int) string { return fmt.Sprintf("C%08d", i) }
func appID(i int) string  { return fmt.Sprintf("A%08d", i) }
func actID(i int) string  { return fmt.Sprintf("N%08d", i) }

func (g *genSource) job(i int) Job {
	t := g.at(i, g.jobs)
	return Job{ModifiedAt: t, Closed: i%7 == 3, Posting: rsc.JobPosting{
		ExternalJobPostingID: jobID(i), IntegrationContext: g.org, CompanyApplyURL: "https://ats.example.com/apply/" + jobID(i),
		Title: "Engineer " + jobID(i), Description: description, ListedAt: rsc.Millis(t.Add(-time.Hour)),
		Location: "Paris, France", PosterEmail: "recruiter@example.com", Availability: rsc.AvailabilityPrivate}}
}

func (g *genSource) cand(i int) Candidate {
	t := g.at(i, g.cands)
	return Candidate{ModifiedAt: t, Record: rsc.Candidate{Key: rsc.CandidateKey{IntegrationContext: g.org, CandidateID: candID(i)},
		FirstName: "Ann", LastName: "Lee", EmailAddresses: []string{"c" + candID(i) + "@example.com"},
		ExternalProfileURL: "https://ats.example.com/c/" + candID(i), CreatedAt: rsc.Millis(t.Add(-time.Hour)), LastModifiedAt: rsc.Millis(t)}}
}

// badEmail is cand(i) with an email address LinkedIn's rules refuse.
func (g *genSource) badEmail(i int) Candidate {
	c := g.cand(i)
	c.Record.EmailAddresses = []string{"not-an-email"}
	return c
}

// noFirstName is cand(i) without the first name LinkedIn's rules require.
func (g *genSource) noFirstName(i int) Candidate {
	c := g.cand(i)
	c.Record.FirstName = ""
	return c
}

func (g *genSource) place(i int) Application {
	t := g.at(i, g.apps)
	p := Application{ModifiedAt: t, Record: rsc.Application{Key: rsc.ApplicationKey{IntegrationContext: g.org, ApplicationID: appID(i)},
		CandidateID: candID(i % max(g.cands, 1)), JobPostingID: jobID(i % max(g.jobs, 1)), JobPostingName: "Engineer",
		CandidateEmail: "a" + appID(i) + "@example.com", FirstName: "Ann", LastName: "Lee", Source: "Referral",
		CreatedAt: rsc.Millis(t.Add(-time.Hour)), LastModifiedAt: rsc.Millis(t)}}
	for s := range g.stages {
		p.Stages = append(p.Stages, rsc.Stage{ID: fmt.Sprintf("%s-%d", appID(i), s), Stage: []string{"Phone Screen", "Onsite Interview", "Hired"}[s%3],
			CreatedAt: rsc.Millis(t.Add(-time.Hour + time.Duration(s)*time.Minute))})
	}
	return p
}

func (g *genSource) act(i int) Activity {
	t := g.at(i, g.acts)
	a := Activity{ModifiedAt: t}
	switch {
	case i%3 == 0 || g.apps == 0:
		a.Kind = KindCandidateNote
		a.Candidate = rsc.CandidateKey{IntegrationContext: g.org, CandidateID: candID(i % max(g.cands, 1))}
		a.Note = rsc.Note{ID: actID(i), Note: "called", CreatedAt: rsc.Millis(t)}
	case i%3 == 1:
		a.Kind = KindApplicationNote
		a.Application = rsc.ApplicationKey{IntegrationContext: g.org, ApplicationID: appID(i % g.apps)}
		a.Note = rsc.Note{ID: actID(i), Note: "good", CreatedAt: rsc.Millis(t)}
	default:
		a.Kind = KindInterviewFeedback
		a.Application = rsc.ApplicationKey{IntegrationContext: g.org, ApplicationID: appID(i % g.apps)}
		a.Feedback = rsc.InterviewFeedback{ID: actID(i), Feedback: "strong", InterviewType: "ONSITE", CreatedAt: rsc.Millis(t)}
	}
	return a
}

func genStream[T any](ctx context.Context, g *genSource, n int, id func(int) string, since Cursor, mk func(int) T) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for i := g.first(n, id, since); i < n; i++ {
			if i%1024 == 0 && ctx.Err() != nil {
				var zero T
				yield(zero, ctx.Err())
				return
			}
			if !yield(mk(i), nil) {
				return
			}
		}
	}
}

func (g *genSource) Jobs(ctx context.Context, since Cursor) iter.Seq2[Job, error] {
	return genStream(ctx, g, g.jobs, jobID, since, g.job)
}
func (g *genSource) Candidates(ctx context.Context, since Cursor) iter.Seq2[Candidate, error] {
	return genStream(ctx, g, g.cands, candID, since, g.cand)
}
func (g *genSource) Applications(ctx context.Context, since Cursor) iter.Seq2[Application, error] {
	return genStream(ctx, g, g.apps, appID, since, g.place)
}
func (g *genSource) Activities(ctx context.Context, since Cursor) iter.Seq2[Activity, error] {
	return genStream(ctx, g, g.acts, actID, since, g.act)
}
func (g *genSource) Deletions(context.Context, Cursor) iter.Seq2[Deletion, error] {
	return func(func(Deletion, error) bool) {}
}
func (g *genSource) Totals(_ context.Context, since time.Time) (Totals, error) {
	c := Cursor{ModifiedAt: since}
	return Totals{
		Jobs: int64(g.jobs - g.first(g.jobs, jobID, c)), Candidates: int64(g.cands - g.first(g.cands, candID, c)),
		Applications: int64(g.apps - g.first(g.apps, appID, c)), Activities: int64(g.acts - g.first(g.acts, actID, c)),
	}, nil
}

// materialize copies a generated dataset into a SliceSource.
func (g *genSource) materialize() *SliceSource {
	s := NewSliceSource()
	for i := range g.jobs {
		s.PutJobs(g.job(i))
	}
	for i := range g.cands {
		s.PutCandidates(g.cand(i))
	}
	for i := range g.apps {
		s.PutApplications(g.place(i))
	}
	for i := range g.acts {
		s.PutActivities(g.act(i))
	}
	return s
}
