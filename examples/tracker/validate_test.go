package tracker

import (
	"context"
	"testing"

	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// Every record the Source yields passes rsc's client-side validation of
// LinkedIn's rules, except the ones Generate broke on purpose.
func TestRecordsPassValidation(t *testing.T) {
	for _, bad := range []float64{0, 0.05} {
		db, res := generateTest(t, GenerateOptions{Candidates: 1000, Seed: 17, BadRecords: bad})
		ctx := context.Background()
		client, err := rsc.NewClient(rsc.WithCredentials("id", "secret"))
		if err != nil {
			t.Fatal(err)
		}
		src := newSource(t, db, Config{IntegrationContext: testOrg})
		var badJobs, badCands, badApps int
		for j, err := range src.Jobs(ctx, rscsync.Cursor{}) {
			if err != nil {
				t.Fatal(err)
			}
			j.Posting.OperationType = rsc.JobCreate
			if err := client.Jobs.Validate(&j.Posting); err != nil {
				badJobs++
				if bad == 0 {
					t.Errorf("job %s: %v", j.Posting.ExternalJobPostingID, err)
				}
			}
		}
		for c, err := range src.Candidates(ctx, rscsync.Cursor{}) {
			if err != nil {
				t.Fatal(err)
			}
			if err := client.Candidates.Validate(&c.Record); err != nil {
				badCands++
				if bad == 0 {
					t.Errorf("candidate %s: %v", c.Record.Key.CandidateID, err)
				}
			}
		}
		for p, err := range src.Applications(ctx, rscsync.Cursor{}) {
			if err != nil {
				t.Fatal(err)
			}
			if err := client.Applications.Validate(&p.Record); err != nil {
				badApps++ // an application carries its candidate's email
				if bad == 0 {
					t.Errorf("placement %s: %v", p.Record.Key.ApplicationID, err)
				}
			}
		}
		if badJobs != res.BadJobs || badCands != res.BadCandidates {
			t.Errorf("BadRecords %v: %d jobs and %d candidates refused, generated %d and %d bad", bad, badJobs, badCands, res.BadJobs, res.BadCandidates)
		}
		t.Logf("BadRecords %v: refused %d jobs, %d candidates, %d placements", bad, badJobs, badCands, badApps)
	}
}
