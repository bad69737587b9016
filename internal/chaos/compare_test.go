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
// rscsync.DeadLetter.Key) → a fingerprint of every field the engine sends
// for the record (the fields of its client model on the wire, keys apart).
type state map[string]string

// keyFields are the wire fields that travel in the URL as the record's key,
// not in its body.
var keyFields = map[string]bool{"key": true, "id": true, "jobPostingOperationType": true}

// sentFields returns the names of the fields a client model carries on the
// wire, sorted, keys apart.
func sentFields(fields map[string]any) []string {
	var names []string
	for n := range fields {
		if !keyFields[n] {
			names = append(names, n)
		}
	}
	slices.Sort(names)
	return names
}

func fingerprint(fields map[string]any, names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteByte('|')
		}
		v := fields[n]
		if empty(v) { // absent, null, [] and {} are one value on the wire
			b.WriteString(n + "=<empty>")
			continue
		}
		j, _ := json.Marshal(v)
		b.WriteString(n + "=")
		b.Write(j)
	}
	return b.String()
}

func empty(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
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

func jobPrint(state, fields string) string {
	if state == rsctest.JobClosed {
		return state // a closed job is not updated any more
	}
	return state + "|" + fields
}

// fieldNames are, per record key, the fields the Source side sent.
type fieldNames map[string][]string

// print fingerprints a client model and remembers its field names.
func (fn fieldNames) print(key string, model any) string {
	m := modelFields(model)
	fn[key] = sentFields(m)
	return fingerprint(m, fn[key])
}

// sourceState is what LinkedIn must hold for src, and the fields compared
// per record.
func sourceState(ctx context.Context, src rscsync.Source) (state, fieldNames, error) {
	s := state{}
	fn := fieldNames{}
	all := rscsync.Cursor{}
	for j, err := range src.Jobs(ctx, all) {
		if err != nil {
			return nil, nil, err
		}
		st := rsctest.JobListed
		if j.Closed {
			st = rsctest.JobClosed
		}
		k := dlKey(rscsync.KindJob, "", j.Posting.ExternalJobPostingID)
		s[k] = jobPrint(st, fn.print(k, j.Posting))
	}
	for c, err := range src.Candidates(ctx, all) {
		if err != nil {
			return nil, nil, err
		}
		k := dlKey(rscsync.KindCandidate, "", c.Record.Key.CandidateID)
		s[k] = fn.print(k, c.Record)
	}
	for p, err := range src.Applications(ctx, all) {
		if err != nil {
			return nil, nil, err
		}
		id := p.Record.Key.ApplicationID
		k := dlKey(rscsync.KindApplication, "", id)
		s[k] = fn.print(k, p.Record)
		for _, st := range p.Stages {
			k := dlKey(rscsync.KindStage, id, st.ID)
			s[k] = fn.print(k, st)
		}
	}
	for a, err := range src.Activities(ctx, all) {
		if err != nil {
			return nil, nil, err
		}
		switch a.Kind {
		case rscsync.KindCandidateNote:
			k := dlKey(rscsync.KindCandidateNote, a.Candidate.CandidateID, a.Note.ID)
			s[k] = fn.print(k, a.Note)
		case rscsync.KindApplicationNote:
			k := dlKey(rscsync.KindApplicationNote, a.Application.ApplicationID, a.Note.ID)
			s[k] = fn.print(k, a.Note)
		default:
			k := dlKey(rscsync.KindInterviewFeedback, a.Application.ApplicationID, a.Feedback.ID)
			s[k] = fn.print(k, a.Feedback)
		}
	}
	return s, fn, nil
}

// fakeState is what the fake LinkedIn holds for cu, fingerprinting the
// fields fn names for each record (all the fields of a record the Source
// does not have).
func fakeState(cu *rsctest.Customer, fn fieldNames) state {
	s := state{}
	print := func(key string, fields map[string]any) string {
		names, ok := fn[key]
		if !ok {
			names = sentFields(fields)
		}
		return fingerprint(fields, names)
	}
	for _, j := range cu.Jobs() {
		k := dlKey(rscsync.KindJob, "", j.ExternalJobPostingID)
		s[k] = jobPrint(j.State, print(k, j.Fields))
	}
	for _, c := range cu.Candidates() {
		k := dlKey(rscsync.KindCandidate, "", c.ID)
		s[k] = print(k, c.Fields)
	}
	for _, x := range []struct {
		kind        rscsync.EntityKind
		recs        []rsctest.Record
		parent, key string // names of the parent's and the record's key parts
	}{
		{rscsync.KindApplication, cu.Applications(), "", "atsJobApplicationId"},
		{rscsync.KindStage, cu.Stages(), "atsJobApplicationId", "stageId"},
		{rscsync.KindCandidateNote, cu.CandidateNotes(), "atsCandidateId", "noteId"},
		{rscsync.KindApplicationNote, cu.ApplicationNotes(), "atsJobApplicationId", "noteId"},
		{rscsync.KindInterviewFeedback, cu.InterviewFeedback(), "atsJobApplicationId", "feedbackId"},
	} {
		for _, r := range x.recs {
			k := dlKey(x.kind, r.Key[x.parent], r.Key[x.key])
			s[k] = print(k, r.Fields)
		}
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
	want, names, err := sourceState(ctx, src)
	if err != nil {
		return verdict{}, err
	}
	got := fakeState(cu, names)
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
