package rsctest

import (
	"context"
	"fmt"
	"maps"

	"github.com/rscgo/rscgo/rsc"
)

// Holdings is a read-only view of what the fake holds for a customer, per
// kind of record an ATS syncs: jobs, candidates, applications, stages,
// candidate notes, application notes and interview feedback. Its Held
// method has the shape of the sync package's Holdings interface, so a
// content reconciliation against the fake compares every kind and finds
// the records the fake holds that the ATS deleted or never sent:
//
//	eng, err := rscsync.NewEngine(client, custID, src, rscsync.WithHoldings(cu.Holdings()))
//
// A view of a CustomerState (CustomerState.Holdings) reads a snapshot, such
// as one fetched from the admin API of a fake in another process.
type Holdings struct {
	cu *Customer      // live, or
	st *CustomerState // a snapshot
}

// Holdings returns a read-only view of what the fake holds for the
// customer, read afresh by every call of Held.
func (cu *Customer) Holdings() Holdings { return Holdings{cu: cu} }

// Holdings returns a read-only view of the snapshot's records.
func (st CustomerState) Holdings() Holdings { return Holdings{st: &st} }

// Held returns every record of a kind the fake holds, whatever keys asks
// for, and all = true. kind is one of the sync package's EntityKind
// values: "job", "candidate", "application", "stage", "candidateNote",
// "applicationNote", "interviewFeedback"; any other kind is an error.
//
// Each record is keyed by its own id (NoteID) and, for a stage, note or
// feedback, its parent's candidate or application id (Parent), and holds
// its fields as the client sends them (key fields left out). A job holds
// its last CREATE, UPDATE or RENEW element, with jobPostingOperationType
// CLOSE when the job is closed and absent when it is listed.
func (h Holdings) Held(_ context.Context, kind string, _ []rsc.NoteKey) (map[rsc.NoteKey]map[string]any, bool, error) {
	out := map[rsc.NoteKey]map[string]any{}
	if kind == "job" {
		jobs := h.cu.Jobs
		if h.st != nil {
			jobs = func() []JobRecord { return h.st.Jobs }
		}
		for _, j := range jobs() {
			f := maps.Clone(j.Fields)
			if f == nil {
				f = map[string]any{}
			}
			delete(f, "jobPostingOperationType")
			if j.State == "CLOSED" {
				f["jobPostingOperationType"] = "CLOSE"
			}
			out[rsc.NoteKey{NoteID: j.ExternalJobPostingID}] = f
		}
		return out, true, nil
	}
	hk, ok := heldKinds()[kind]
	if !ok {
		return nil, false, fmt.Errorf("rsctest: Holdings: unknown kind %q", kind)
	}
	recs := func() []Record { return h.cu.records(hk.k) }
	if h.st != nil {
		recs = func() []Record { return hk.snap(h.st) }
	}
	for _, r := range recs() {
		f := maps.Clone(r.Fields)
		for name := range r.Key {
			delete(f, name)
		}
		out[rsc.NoteKey{Parent: r.Key[hk.parentField], NoteID: r.Key[hk.idField]}] = f
	}
	return out, true, nil
}

// heldKind is a kind's table, id field and parent's id field ("" for a
// record without a parent).
type heldKind struct {
	k                    *kind
	idField, parentField string
	snap                 func(*CustomerState) []Record // the kind's records in a snapshot
}

// heldKinds are the tables Held reads, by kind name (jobs aside).
func heldKinds() map[string]heldKind {
	return map[string]heldKind{
		"candidate":         {candidateKind, "atsCandidateId", "", snapCandidates},
		"application":       {applicationKind, "atsJobApplicationId", "", func(st *CustomerState) []Record { return st.Applications }},
		"stage":             {stageKind, "stageId", "atsJobApplicationId", func(st *CustomerState) []Record { return st.Stages }},
		"candidateNote":     {candidateNoteKind, "noteId", "atsCandidateId", func(st *CustomerState) []Record { return st.CandidateNotes }},
		"applicationNote":   {applicationNoteKind, "noteId", "atsJobApplicationId", func(st *CustomerState) []Record { return st.ApplicationNotes }},
		"interviewFeedback": {feedbackKind, "feedbackId", "atsJobApplicationId", func(st *CustomerState) []Record { return st.InterviewFeedback }},
	}
}

// snapCandidates returns a snapshot's candidates as records.
func snapCandidates(st *CustomerState) []Record {
	out := make([]Record, len(st.Candidates))
	for i, c := range st.Candidates {
		out[i] = Record{Key: map[string]string{"integrationContext": c.IntegrationContext, "atsCandidateId": c.ID}, Fields: c.Fields}
	}
	return out
}
