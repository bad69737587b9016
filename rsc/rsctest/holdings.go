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
//	eng, err := rscsync.NewEngine(client, src, custID, rscsync.WithHoldings(cu.Holdings()))
type Holdings struct{ cu *Customer }

// Holdings returns a read-only view of what the fake holds for the customer.
func (cu *Customer) Holdings() Holdings { return Holdings{cu: cu} }

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
		for _, j := range h.cu.Jobs() {
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
	for _, r := range h.cu.records(hk.k) {
		f := r.Fields
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
}

// heldKinds are the tables Held reads, by kind name (jobs aside).
func heldKinds() map[string]heldKind {
	return map[string]heldKind{
		"candidate":         {candidateKind, "atsCandidateId", ""},
		"application":       {applicationKind, "atsJobApplicationId", ""},
		"stage":             {stageKind, "stageId", "atsJobApplicationId"},
		"candidateNote":     {candidateNoteKind, "noteId", "atsCandidateId"},
		"applicationNote":   {applicationNoteKind, "noteId", "atsJobApplicationId"},
		"interviewFeedback": {feedbackKind, "feedbackId", "atsJobApplicationId"},
	}
}
