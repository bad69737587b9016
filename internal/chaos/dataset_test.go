package chaos

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// size is how many records of each kind a dataset starts with.
type size struct {
	jobs, cands, places, acts int
}

// scaled multiplies every count by k.
func (s size) scaled(k int) size {
	return size{s.jobs * k, s.cands * k, s.places * k, s.acts * k}
}

func (s size) records() int { return s.jobs + s.cands + s.places + s.acts }

// dataset is a deterministic ATS: the same seed, size and end time give
// the same records in every process (the crash suite rebuilds it in each
// child). Records are spread over the two years before end. A few records
// are invalid on purpose: the client refuses them, and the suites expect
// them in the dead letters, never on LinkedIn.
type dataset struct {
	org  string
	end  time.Time
	sz   size
	rng  *rand.Rand
	src  *rscsync.SliceSource
	next int // sequence for ids of records added by mutate

	// invalid holds the dead-letter keys (rscsync.DeadLetter.Key) of the
	// records the client must refuse.
	invalid map[string]bool
}

var description = strings.Repeat("A great job with a great team. ", 5)

// bg is the context of Source reads made by the tests themselves.
var bg = context.Background()

const span = 700 * 24 * time.Hour

func jobID(i int) string  { return fmt.Sprintf("J%06d", i) }
func candID(i int) string { return fmt.Sprintf("C%06d", i) }
func appID(i int) string  { return fmt.Sprintf("A%06d", i) }
func actID(i int) string  { return fmt.Sprintf("N%06d", i) }

func newDataset(org string, end time.Time, sz size, seed uint64) *dataset {
	d := &dataset{org: org, end: end.UTC().Truncate(time.Millisecond), sz: sz,
		rng: rand.New(rand.NewPCG(seed, 0xc4a05)), src: rscsync.NewSliceSource(), invalid: map[string]bool{}}
	for i := range sz.jobs {
		d.src.PutJobs(d.job(i, d.at(i, sz.jobs), i%7 == 3))
	}
	for i := range sz.cands {
		d.src.PutCandidates(d.cand(candID(i), d.at(i, sz.cands)))
	}
	for i := range sz.places {
		d.src.PutApplications(d.place(appID(i), candID(i%sz.cands), jobID(i%sz.jobs), d.at(i, sz.places), 2))
	}
	for i := range sz.acts {
		t := d.at(i, sz.acts)
		switch i % 3 {
		case 0:
			d.src.PutActivities(d.candNote(actID(i), candID(i%sz.cands), t))
		case 1:
			d.src.PutActivities(d.appNote(actID(i), appID(i%sz.places), t))
		default:
			d.src.PutActivities(d.feedback(actID(i), appID(i%sz.places), t))
		}
	}
	d.addInvalid()
	return d
}

// at spreads record i of n over span before end, with a little jitter.
func (d *dataset) at(i, n int) time.Time {
	step := int64(span) / int64(n+1)
	jitter := d.rng.Int64N(max(step/2, 1))
	return d.end.Add(-span).Add(time.Duration(step*int64(i+1) - jitter)).Truncate(time.Millisecond)
}

func (d *dataset) job(i int, t time.Time, closed bool) rscsync.Job {
	id := jobID(i)
	return rscsync.Job{ModifiedAt: t, Closed: closed, Posting: rsc.JobPosting{
		ExternalJobPostingID: id, IntegrationContext: d.org, CompanyApplyURL: "https://ats.example.com/apply/" + id,
		Title: "Engineer " + id, Description: description, ListedAt: rsc.Millis(t.Add(-time.Hour)),
		Location: "Paris, France", PosterEmail: "recruiter@example.com", Availability: rsc.AvailabilityPrivate}}
}

func (d *dataset) cand(id string, t time.Time) rscsync.Candidate {
	return rscsync.Candidate{ModifiedAt: t, Record: rsc.Candidate{Key: rsc.CandidateKey{IntegrationContext: d.org, CandidateID: id},
		FirstName: "Ann", LastName: "Lee", EmailAddresses: []string{strings.ToLower(id) + "@example.com"},
		ExternalProfileURL: "https://ats.example.com/c/" + id, CreatedAt: rsc.Millis(t.Add(-time.Hour)), LastModifiedAt: rsc.Millis(t)}}
}

func (d *dataset) place(id, cand, job string, t time.Time, stages int) rscsync.Application {
	p := rscsync.Application{ModifiedAt: t, Record: rsc.Application{Key: rsc.ApplicationKey{IntegrationContext: d.org, ApplicationID: id},
		CandidateID: cand, JobPostingID: job, JobPostingName: "Engineer " + job,
		CandidateEmail: strings.ToLower(id) + "@example.com", FirstName: "Ann", LastName: "Lee", Source: "Referral",
		CreatedAt: rsc.Millis(t.Add(-time.Hour)), LastModifiedAt: rsc.Millis(t)}}
	for s := range stages {
		p.Stages = append(p.Stages, rsc.Stage{ID: fmt.Sprintf("%s-%d", id, s), Stage: []string{"Phone Screen", "Onsite Interview", "Hired"}[s%3],
			CreatedAt: rsc.Millis(t.Add(-time.Hour + time.Duration(s)*time.Minute))})
	}
	return p
}

func (d *dataset) candNote(id, cand string, t time.Time) rscsync.Activity {
	return rscsync.Activity{ModifiedAt: t, Kind: rscsync.KindCandidateNote,
		Candidate: rsc.CandidateKey{IntegrationContext: d.org, CandidateID: cand},
		Note:      rsc.Note{ID: id, Note: "called " + id, CreatedAt: rsc.Millis(t)}}
}

func (d *dataset) appNote(id, app string, t time.Time) rscsync.Activity {
	return rscsync.Activity{ModifiedAt: t, Kind: rscsync.KindApplicationNote,
		Application: rsc.ApplicationKey{IntegrationContext: d.org, ApplicationID: app},
		Note:        rsc.Note{ID: id, Note: "good fit " + id, CreatedAt: rsc.Millis(t)}}
}

func (d *dataset) feedback(id, app string, t time.Time) rscsync.Activity {
	return rscsync.Activity{ModifiedAt: t, Kind: rscsync.KindInterviewFeedback,
		Application: rsc.ApplicationKey{IntegrationContext: d.org, ApplicationID: app},
		Feedback:    rsc.InterviewFeedback{ID: id, Feedback: "strong " + id, InterviewType: "ONSITE", CreatedAt: rsc.Millis(t)}}
}

// addInvalid adds one record of each main kind that the client refuses.
func (d *dataset) addInvalid() {
	t := d.end.Add(-span / 2).Truncate(time.Millisecond)
	j := d.job(0, t, false)
	j.Posting.ExternalJobPostingID = "JBAD01"
	j.Posting.Description = "too short"
	d.src.PutJobs(j)
	d.invalid[dlKey(rscsync.KindJob, "", "JBAD01")] = true

	c := d.cand("CBAD01", t)
	c.Record.EmailAddresses = []string{"not-an-email"}
	d.src.PutCandidates(c)
	d.invalid[dlKey(rscsync.KindCandidate, "", "CBAD01")] = true

	// A valid application with one invalid stage: the application and its
	// other stage reach LinkedIn, the bad stage is dead-lettered.
	p := d.place("ABAD01", candID(0), jobID(0), t, 2)
	p.Stages[1].Stage = "Not Available"
	d.src.PutApplications(p)
	d.invalid[dlKey(rscsync.KindStage, "ABAD01", p.Stages[1].ID)] = true

	f := d.feedback("NBAD01", appID(0), t)
	f.Feedback.InterviewType = "BOGUS"
	d.src.PutActivities(f)
	d.invalid[dlKey(rscsync.KindInterviewFeedback, appID(0), "NBAD01")] = true
}

func dlKey(kind rscsync.EntityKind, parent, id string) string {
	return rscsync.DeadLetter{Kind: kind, Parent: parent, ID: id}.Key()
}

// pick returns k distinct indexes in [0, n) not in used, and marks them used.
func (d *dataset) pick(n, k int, used map[int]bool) []int {
	var out []int
	for tries := 0; len(out) < k && tries < 100*k; tries++ {
		i := d.rng.IntN(n)
		if used[i] {
			continue
		}
		used[i] = true
		out = append(out, i)
	}
	slices.Sort(out)
	return out
}

// mutate changes the ATS as a day of use would, at now (after the last
// sync): updates, new records and deletions of every kind. Counts scale
// with the dataset.
func (d *dataset) mutate(now time.Time) (changes int) {
	now = now.UTC().Truncate(time.Millisecond)
	tick := 0
	ts := func() time.Time { tick++; return now.Add(-time.Duration(10_000-tick) * time.Millisecond) }
	pct := func(n, p int) int { return max(n*p/100, 1) }
	sz := d.sz

	// Jobs: retitle some, close some open ones, reopen a closed one, add new ones.
	jobsUsed := map[int]bool{0: true} // job 0 carries the invalid records' parents
	for _, i := range d.pick(sz.jobs, pct(sz.jobs, 10), jobsUsed) {
		j, _, _ := d.src.LookupJob(bg, jobID(i))
		j.Posting.Title += " (v2)"
		j.ModifiedAt = ts()
		d.src.PutJobs(j)
		changes++
	}
	closedDone, reopenDone := 0, 0
	for i := 1; i < sz.jobs && (closedDone < 2 || reopenDone < 1); i++ {
		if jobsUsed[i] {
			continue
		}
		j, _, _ := d.src.LookupJob(bg, jobID(i))
		switch {
		case !j.Closed && closedDone < 2:
			j.Closed = true
			closedDone++
		case j.Closed && reopenDone < 1:
			j.Closed = false
			reopenDone++
		default:
			continue
		}
		jobsUsed[i] = true
		j.ModifiedAt = ts()
		d.src.PutJobs(j)
		changes++
	}
	newJobs := max(sz.jobs/10, 2)
	for k := range newJobs {
		i := sz.jobs + d.next + k
		d.src.PutJobs(d.job(i, ts(), k == 0))
		changes++
	}

	// Candidates: update, delete, add.
	candUsed := map[int]bool{0: true}
	for _, i := range d.pick(sz.cands, pct(sz.cands, 10), candUsed) {
		c, _, _ := d.src.LookupCandidate(bg, candID(i))
		c.Record.LastName = "Lee-Smith"
		c.ModifiedAt = ts()
		c.Record.LastModifiedAt = rsc.Millis(c.ModifiedAt)
		d.src.PutCandidates(c)
		changes++
	}
	for _, i := range d.pick(sz.cands, pct(sz.cands, 2), candUsed) {
		d.src.Delete(rscsync.Deletion{Kind: rscsync.KindCandidate, ID: candID(i), DeletedAt: ts(), Integration: d.org})
		changes++
	}
	var newCands []string
	for k := range pct(sz.cands, 5) {
		id := candID(sz.cands + d.next + k)
		d.src.PutCandidates(d.cand(id, ts()))
		newCands = append(newCands, id)
		changes++
	}

	// Placements: update (new stage, new source), delete (cascades its
	// notes and feedback), delete single stages, add.
	placeUsed := map[int]bool{0: true}
	for _, i := range d.pick(sz.places, pct(sz.places, 10), placeUsed) {
		p, _, _ := d.src.LookupApplication(bg, appID(i))
		p.ModifiedAt = ts()
		p.Record.Source = "Agency"
		p.Record.LastModifiedAt = rsc.Millis(p.ModifiedAt)
		p.Stages = append(slices.Clone(p.Stages), rsc.Stage{ID: appID(i) + "-offer", Stage: "Offer Extended", CreatedAt: rsc.Millis(p.ModifiedAt)})
		d.src.PutApplications(p)
		changes++
	}
	for _, i := range d.pick(sz.places, pct(sz.places, 2), placeUsed) {
		d.src.Delete(rscsync.Deletion{Kind: rscsync.KindApplication, ID: appID(i), DeletedAt: ts(), Integration: d.org})
		changes++
	}
	for _, i := range d.pick(sz.places, pct(sz.places, 2), placeUsed) {
		d.src.Delete(rscsync.Deletion{Kind: rscsync.KindStage, ID: appID(i) + "-0", Parent: appID(i), DeletedAt: ts(), Integration: d.org})
		changes++
	}
	var newApps []string
	for k := range pct(sz.places, 5) {
		id := appID(sz.places + d.next + k)
		d.src.PutApplications(d.place(id, newCands[k%len(newCands)], jobID(1+k%(sz.jobs-1)), ts(), 1+k%3))
		newApps = append(newApps, id)
		changes++
	}

	// Activities of surviving parents: edit, delete, add.
	actUsed := map[int]bool{}
	for _, i := range d.pick(sz.acts, pct(sz.acts, 10), actUsed) {
		a, ok := d.activity(actID(i))
		if !ok {
			continue // its application was deleted
		}
		a.ModifiedAt = ts()
		if a.Kind == rscsync.KindInterviewFeedback {
			a.Feedback.Feedback = "revised " + a.Feedback.ID
		} else {
			a.Note.Note = "edited " + a.Note.ID
		}
		d.src.PutActivities(a)
		changes++
	}
	for _, i := range d.pick(sz.acts, pct(sz.acts, 3), actUsed) {
		a, ok := d.activity(actID(i))
		if !ok {
			continue
		}
		kind := rscsync.KindCandidateNote
		parent := a.Candidate.CandidateID
		switch a.Kind {
		case rscsync.KindApplicationNote:
			kind, parent = rscsync.KindApplicationNote, a.Application.ApplicationID
		case rscsync.KindInterviewFeedback:
			kind, parent = rscsync.KindInterviewFeedback, a.Application.ApplicationID
		}
		d.src.Delete(rscsync.Deletion{Kind: kind, ID: a.ID(), Parent: parent, DeletedAt: ts(), Integration: d.org})
		changes++
	}
	for k := range pct(sz.acts, 5) {
		id := actID(sz.acts + d.next + k)
		switch k % 3 {
		case 0:
			d.src.PutActivities(d.candNote(id, newCands[k%len(newCands)], ts()))
		case 1:
			d.src.PutActivities(d.appNote(id, newApps[k%len(newApps)], ts()))
		default:
			d.src.PutActivities(d.feedback(id, newApps[k%len(newApps)], ts()))
		}
		changes++
	}
	d.next += 100_000
	return changes
}

// activity returns the source's activity with id, whatever its kind.
func (d *dataset) activity(id string) (rscsync.Activity, bool) {
	for a, err := range d.src.Activities(bg, rscsync.Cursor{}) {
		if err != nil {
			return rscsync.Activity{}, false
		}
		if a.ID() == id {
			return a, true
		}
	}
	return rscsync.Activity{}, false
}
