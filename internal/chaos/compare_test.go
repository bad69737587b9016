package chaos

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// state is one side's records: dead-letter key (kind/parent/id, see
// rscsync.DeadLetter.Key) → a fingerprint of the fields the suites change.
type state map[string]string

// Fields compared per kind (v2 wire names, as the fake stores them).
var (
	candFields  = []string{"firstName", "lastName", "emailAddresses", "atsLastModifiedAt"}
	appFields   = []string{"atsCandidateId", "atsJobPostingId", "source", "atsLastModifiedAt"}
	stageFields = []string{"stage", "atsCreatedAt"}
	noteFields  = []string{"note", "atsCreatedAt"}
	fbFields    = []string{"feedback", "interviewType"}
)

func fingerprint(fields map[string]any, names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteByte('|')
		}
		v, ok := fields[n]
		if !ok {
			b.WriteString("<none>")
			continue
		}
		j, _ := json.Marshal(v)
		b.Write(j)
	}
	return b.String()
}

// modelFields renders a client model the way it goes on the wire.
func modelFields(v any) map[string]any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	m := map[string]any{}
	if err := json.Unmarshal(b, &m); err != nil {
		panic(err)
	}
	return m
}

func jobPrint(state, title string) string {
	if state == rsctest.JobClosed {
		return state // a closed job is not updated any more
	}
	return state + "|" + title
}

// sourceState is what LinkedIn must hold for src.
func sourceState(ctx context.Context, src rscsync.Source) (state, error) {
	s := state{}
	all := rscsync.Cursor{}
	for j, err := range src.Jobs(ctx, all) {
		if err != nil {
			return nil, err
		}
		st := rsctest.JobListed
		if j.Closed {
			st = rsctest.JobClosed
		}
		s[dlKey(rscsync.KindJob, "", j.Posting.ExternalJobPostingID)] = jobPrint(st, j.Posting.Title)
	}
	for c, err := range src.Candidates(ctx, all) {
		if err != nil {
			return nil, err
		}
		s[dlKey(rscsync.KindCandidate, "", c.Record.Key.CandidateID)] = fingerprint(modelFields(c.Record), candFields)
	}
	for p, err := range src.Applications(ctx, all) {
		if err != nil {
			return nil, err
		}
		id := p.Record.Key.ApplicationID
		s[dlKey(rscsync.KindApplication, "", id)] = fingerprint(modelFields(p.Record), appFields)
		for _, st := range p.Stages {
			s[dlKey(rscsync.KindStage, id, st.ID)] = fingerprint(modelFields(st), stageFields)
		}
	}
	for a, err := range src.Activities(ctx, all) {
		if err != nil {
			return nil, err
		}
		switch a.Kind {
		case rscsync.KindCandidateNote:
			s[dlKey(rscsync.KindCandidateNote, a.Candidate.CandidateID, a.Note.ID)] = fingerprint(modelFields(a.Note), noteFields)
		case rscsync.KindApplicationNote:
			s[dlKey(rscsync.KindApplicationNote, a.Application.ApplicationID, a.Note.ID)] = fingerprint(modelFields(a.Note), noteFields)
		default:
			s[dlKey(rscsync.KindInterviewFeedback, a.Application.ApplicationID, a.Feedback.ID)] = fingerprint(modelFields(a.Feedback), fbFields)
		}
	}
	return s, nil
}

// fakeState is what the fake LinkedIn holds for cu.
func fakeState(cu *rsctest.Customer) state {
	s := state{}
	for _, j := range cu.Jobs() {
		s[dlKey(rscsync.KindJob, "", j.ExternalJobPostingID)] = jobPrint(j.State, j.Title)
	}
	for _, c := range cu.Candidates() {
		s[dlKey(rscsync.KindCandidate, "", c.ID)] = fingerprint(c.Fields, candFields)
	}
	for _, r := range cu.Applications() {
		s[dlKey(rscsync.KindApplication, "", r.Key["atsJobApplicationId"])] = fingerprint(r.Fields, appFields)
	}
	for _, r := range cu.Stages() {
		s[dlKey(rscsync.KindStage, r.Key["atsJobApplicationId"], r.Key["stageId"])] = fingerprint(r.Fields, stageFields)
	}
	for _, r := range cu.CandidateNotes() {
		s[dlKey(rscsync.KindCandidateNote, r.Key["atsCandidateId"], r.Key["noteId"])] = fingerprint(r.Fields, noteFields)
	}
	for _, r := range cu.ApplicationNotes() {
		s[dlKey(rscsync.KindApplicationNote, r.Key["atsJobApplicationId"], r.Key["noteId"])] = fingerprint(r.Fields, noteFields)
	}
	for _, r := range cu.InterviewFeedback() {
		s[dlKey(rscsync.KindInterviewFeedback, r.Key["atsJobApplicationId"], r.Key["feedbackId"])] = fingerprint(r.Fields, fbFields)
	}
	return s
}

// jobCreates counts CREATE operations per externalJobPostingId on the fake
// (one job task per submitted element).
func jobCreates(cu *rsctest.Customer) map[string]int {
	n := map[string]int{}
	for _, t := range cu.Tasks() {
		if t.Operation == "CREATE" {
			n[t.ExternalJobPostingID]++
		}
	}
	return n
}

// verdict is the outcome of comparing LinkedIn's side with the Source.
type verdict struct {
	Records  int      // records the Source holds (stages included)
	Problems []string // empty when LinkedIn equals the Source
	// Missing counts records neither on LinkedIn nor dead-lettered: the
	// records silently lost.
	Missing int
}

func (v verdict) ok() bool { return len(v.Problems) == 0 }

// String lists the problems (at most 40).
func (v verdict) String() string {
	if v.ok() {
		return "LinkedIn equals the Source"
	}
	p := v.Problems
	more := ""
	if len(p) > 40 {
		more = fmt.Sprintf("\n... and %d more", len(p)-40)
		p = p[:40]
	}
	return fmt.Sprintf("%d problems (%d records silently missing):\n%s%s", len(v.Problems), v.Missing, strings.Join(p, "\n"), more)
}

// compare checks that LinkedIn holds exactly src, record for record,
// except the invalid records, which must be in the dead letters (and
// nothing else may be); that no job was created twice; and so that every
// record is either on LinkedIn or dead-lettered.
func compare(ctx context.Context, src rscsync.Source, cu *rsctest.Customer, dead rscsync.DeadLetterStore, custID string, invalid map[string]bool) (verdict, error) {
	want, err := sourceState(ctx, src)
	if err != nil {
		return verdict{}, err
	}
	got := fakeState(cu)
	v := verdict{Records: len(want)}
	dl := map[string]rscsync.DeadLetter{}
	for d, err := range dead.List(ctx, custID) {
		if err != nil {
			return verdict{}, err
		}
		dl[d.Key()] = d
	}
	for _, k := range slices.Sorted(maps.Keys(invalid)) {
		if _, ok := dl[k]; !ok {
			v.Problems = append(v.Problems, "invalid record not dead-lettered: "+k)
		}
		if _, ok := got[k]; ok {
			v.Problems = append(v.Problems, "invalid record reached LinkedIn: "+k)
		}
		delete(want, k)
	}
	for _, k := range slices.Sorted(maps.Keys(dl)) {
		if !invalid[k] {
			d := dl[k]
			v.Problems = append(v.Problems, fmt.Sprintf("unexpected dead letter %s (status %d): %s", k, d.Status, d.Reason))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(want)) {
		g, ok := got[k]
		switch {
		case !ok:
			if _, isDead := dl[k]; !isDead {
				v.Missing++
			}
			v.Problems = append(v.Problems, "missing on LinkedIn: "+k)
		case g != want[k]:
			v.Problems = append(v.Problems, fmt.Sprintf("stale on LinkedIn: %s: want %s, got %s", k, want[k], g))
		}
	}
	for _, k := range slices.Sorted(maps.Keys(got)) {
		if _, ok := want[k]; !ok && !invalid[k] {
			v.Problems = append(v.Problems, "on LinkedIn but not in the Source (deleted?): "+k)
		}
	}
	creates := jobCreates(cu)
	for _, id := range slices.Sorted(maps.Keys(creates)) {
		if creates[id] > 1 {
			v.Problems = append(v.Problems, fmt.Sprintf("job %s created %d times", id, creates[id]))
		}
	}
	return v, nil
}
