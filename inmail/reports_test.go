package inmail

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// Reports encode with the names of the Go fields in camelCase, a skipped
// flow's reason as skipReason, and an export item's failure as its message.
func TestReportsJSON(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    any
		want string
	}{
		{"run", RunReport{
			Seats:  SeatReport{SkipReason: "no contracts configured"},
			InMail: InMailReport{Seats: 1, Windows: 2, Events: 3, Attached: 2, Pending: 1, DeadLettered: 1},
			Stubs:  StubReport{Stubs: 1, Matched: 1, Linked: 1},
			Links:  LinkReport{Checked: 2, Linked: 1, Unmatched: 1},
		}, `{"seats":{"skipReason":"no contracts configured","unmapped":0},"exports":{"due":0,"completed":0,"failed":0,"deadLettered":0,"pending":0},` +
			`"stubs":{"stubs":1,"created":0,"matched":1,"linked":1,"deadLettered":0},` +
			`"inMail":{"seats":1,"windows":2,"events":3,"attached":2,"pending":1,"replayed":0,"expired":0,"deadLettered":1},` +
			`"notes":{"notes":0,"upserted":0,"deleted":0,"pending":0,"replayed":0,"expired":0,"deadLettered":0},` +
			`"links":{"checked":2,"linked":1,"unmatched":1,"notAllowed":0,"missing":0},"attached":0,` +
			`"deletions":{"profiles":0,"notices":0,"pending":0,"remembered":0}}`},
		{"skipped", NotesReport{SkipReason: "InMail Sync is off"},
			`{"skipReason":"InMail Sync is off","notes":0,"upserted":0,"deleted":0,"pending":0,"replayed":0,"expired":0,"deadLettered":0}`},
		{"export", ExportResult{RequestID: "r1", Items: []ExportItem{
			{Person: "urn:li:person:a", JobID: "J1", CandidateID: "C1", CandidateCreated: true, Attached: true},
			{Person: "urn:li:person:b", Err: errors.New("inmail: no such job")},
		}}, `{"requestId":"r1","items":[{"person":"urn:li:person:a","jobId":"J1","candidateId":"C1","candidateCreated":true,"attached":true},` +
			`{"person":"urn:li:person:b","error":"inmail: no such job"}]}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := json.Marshal(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, string(got)); diff != "" {
				t.Errorf("JSON (-want +got):\n%s", diff)
			}
		})
	}
}
