package benchsync

import (
	"context"
	"fmt"
	"iter"
	"sort"
	"strconv"
	"time"

	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// org is the fake customer's organization; rsctest gives the first customer
// of a server this URN, and the canned transport answers for it too.
const org = "urn:li:organization:1001"

// epoch is the last modification time of the generated datasets.
var epoch = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// candidateID is the id of generated candidate i: fixed width, so that ids
// sort as their indexes do.
func candidateID(i int) string { return string(appendCandidateID(make([]byte, 0, 9), i)) }

// appendCandidateID appends candidateID(i) to b.
func appendCandidateID(b []byte, i int) []byte {
	b = append(b, 'C')
	var digits [20]byte
	d := strconv.AppendInt(digits[:0], int64(i), 10)
	for range 8 - len(d) {
		b = append(b, '0')
	}
	return append(b, d...)
}

// modifiedAt spreads n records one millisecond apart, ending at epoch.
func modifiedAt(i, n int) time.Time { return before(epoch, i, n) }

// before spreads n records one millisecond apart, ending at end.
func before(end time.Time, i, n int) time.Time { return end.Add(time.Duration(i-n) * time.Millisecond) }

// candidate is generated record i of n: valid by LinkedIn's rules (the
// harness test checks that the fake stores it).
func candidate(i, n int) rscsync.Candidate { return candidateAt(modifiedAt(i, n), i) }

func candidateAt(t time.Time, i int) rscsync.Candidate {
	id := candidateID(i)
	return rscsync.Candidate{ModifiedAt: t, Record: rsc.Candidate{
		Key:       rsc.CandidateKey{IntegrationContext: org, CandidateID: id},
		FirstName: "Ann", LastName: "Lee", EmailAddresses: []string{"c" + id + "@example.com"},
		ExternalProfileURL: "https://ats.example.com/c/" + id,
		CreatedAt:          rsc.Millis(t.Add(-time.Hour)), LastModifiedAt: rsc.Millis(t),
	}}
}

// candidateSource streams n generated candidates, computing each from its
// index, so that a million never sit in memory. It has no other records.
type candidateSource struct{ n int }

func (s candidateSource) Candidates(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Candidate, error] {
	return func(yield func(rscsync.Candidate, error) bool) {
		from := sort.Search(s.n, func(i int) bool { return since.After(modifiedAt(i, s.n), candidateID(i)) })
		for i := from; i < s.n; i++ {
			if i%1024 == 0 && ctx.Err() != nil {
				yield(rscsync.Candidate{}, ctx.Err())
				return
			}
			if !yield(candidate(i, s.n), nil) {
				return
			}
		}
	}
}

func (s candidateSource) Totals(_ context.Context, since time.Time) (rscsync.Totals, error) {
	from := sort.Search(s.n, func(i int) bool { return modifiedAt(i, s.n).After(since) })
	return rscsync.Totals{Candidates: int64(s.n - from)}, nil
}

func (candidateSource) Jobs(context.Context, rscsync.Cursor) iter.Seq2[rscsync.Job, error] {
	return none[rscsync.Job]
}
func (candidateSource) Applications(context.Context, rscsync.Cursor) iter.Seq2[rscsync.Application, error] {
	return none[rscsync.Application]
}
func (candidateSource) Activities(context.Context, rscsync.Cursor) iter.Seq2[rscsync.Activity, error] {
	return none[rscsync.Activity]
}
func (candidateSource) Deletions(context.Context, rscsync.Cursor) iter.Seq2[rscsync.Deletion, error] {
	return none[rscsync.Deletion]
}

func none[T any](func(T, error) bool) {}

// fullDataset is a SliceSource with every kind of record the engine syncs:
// jobs, candidates, applications with two stages each, and activities
// (candidate notes, application notes and interview feedback in turn),
// modified before end.
func fullDataset(end time.Time, jobs, cands, apps, acts int) *rscsync.SliceSource {
	s := rscsync.NewSliceSource()
	for i := range jobs {
		id, t := fmt.Sprintf("J%06d", i), before(end, i, jobs)
		s.PutJobs(rscsync.Job{ModifiedAt: t, Closed: i%5 == 4, Posting: rsc.JobPosting{
			ExternalJobPostingID: id, IntegrationContext: org, CompanyApplyURL: "https://ats.example.com/apply/" + id,
			Title: "Engineer " + id, Description: "Build and run the ATS with a small team.", ListedAt: rsc.Millis(t.Add(-time.Hour)),
			Location: "Paris, France", PosterEmail: "recruiter@example.com", Availability: rsc.AvailabilityPrivate}})
	}
	for i := range cands {
		s.PutCandidates(candidateAt(before(end, i, cands), i))
	}
	for i := range apps {
		id, t := fmt.Sprintf("A%08d", i), before(end, i, apps)
		a := rscsync.Application{ModifiedAt: t, Record: rsc.Application{Key: rsc.ApplicationKey{IntegrationContext: org, ApplicationID: id},
			CandidateID: candidateID(i % cands), JobPostingID: fmt.Sprintf("J%06d", i%jobs), JobPostingName: "Engineer",
			CandidateEmail: "a" + id + "@example.com", FirstName: "Ann", LastName: "Lee", Source: "Referral",
			CreatedAt: rsc.Millis(t.Add(-time.Hour)), LastModifiedAt: rsc.Millis(t)}}
		for k, name := range []string{"Phone Screen", "Onsite Interview"} {
			a.Stages = append(a.Stages, rsc.Stage{ID: fmt.Sprintf("%s-%d", id, k), Stage: name, CreatedAt: rsc.Millis(t.Add(time.Duration(k-60) * time.Minute))})
		}
		s.PutApplications(a)
	}
	for i := range acts {
		id, t := fmt.Sprintf("N%08d", i), before(end, i, acts)
		a := rscsync.Activity{ModifiedAt: t}
		app := rsc.ApplicationKey{IntegrationContext: org, ApplicationID: fmt.Sprintf("A%08d", i%apps)}
		switch i % 3 {
		case 0:
			a.Kind, a.Note = rscsync.KindCandidateNote, rsc.Note{ID: id, Note: "called", CreatedAt: rsc.Millis(t)}
			a.Candidate = rsc.CandidateKey{IntegrationContext: org, CandidateID: candidateID(i % cands)}
		case 1:
			a.Kind, a.Application, a.Note = rscsync.KindApplicationNote, app, rsc.Note{ID: id, Note: "good", CreatedAt: rsc.Millis(t)}
		default:
			a.Kind, a.Application = rscsync.KindInterviewFeedback, app
			a.Feedback = rsc.InterviewFeedback{ID: id, Feedback: "strong", InterviewType: "ONSITE", CreatedAt: rsc.Millis(t)}
		}
		s.PutActivities(a)
	}
	return s
}
