package pgstore_test

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/fleet/internal/pgtest"
	"github.com/rscgo/rscgo/fleet/pgstore"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

// TestUnstorableIDs: an ATS candidate or job whose id is not valid UTF-8
// (a legacy Latin-1 id) or holds NUL, which PostgreSQL's text and jsonb
// refuse, or is thousands of bytes long (past PostgreSQL's index entry
// limit, and the 512 and 200 characters the client takes), becomes a dead
// letter while the rest of the customer syncs, as with the memory stores;
// a job's never enters the job states (rows keyed by the id); the
// watermark after it reads back exactly, so the next run sends nothing
// again.
func TestUnstorableIDs(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"C\xe9te-1", "C\x00-1", pgtest.Incompressible(8000)} {
		t.Run(fmt.Sprintf("%.20q", bad), func(t *testing.T) {
			t.Parallel()
			db := open(t)
			ctx := context.Background()
			clock := rsctest.NewFakeClock(time.Date(2026, 11, 30, 8, 0, 0, 0, time.UTC))
			srv := rsctest.NewServer(rsctest.WithoutListener(), rsctest.WithClock(clock))
			t.Cleanup(srv.Close)
			cust := srv.AddCustomer(rsctest.CustomerSpec{})
			client, err := rsc.NewClient(rsc.WithBaseURL(srv.URL()), rsc.WithTokenURL(srv.TokenURL()), rsc.WithTransport(srv.Transport()),
				rsc.WithCredentials(cust.ClientID, cust.ClientSecret), rsc.WithClock(clock), rsc.WithLimits(rsc.Limits{Disabled: true}))
			if err != nil {
				t.Fatal(err)
			}
			src := rscsync.NewSliceSource()
			last := clock.Now().Add(-8 * time.Minute).UTC()
			for i, id := range []string{"C0001", "C0003", bad} { // the bad id last: the watermark ends on it
				at := clock.Now().Add(time.Duration(i-10) * time.Minute)
				src.PutCandidates(rscsync.Candidate{ModifiedAt: at, Record: rsc.Candidate{
					Key:       rsc.CandidateKey{IntegrationContext: cust.Organization, CandidateID: id},
					FirstName: "Ann", EmailAddresses: []string{fmt.Sprintf("c%d@example.com", i)}, ExternalProfileURL: fmt.Sprintf("https://ats.example.com/c/%d", i),
					CreatedAt: rsc.Millis(at), LastModifiedAt: rsc.Millis(at)}})
			}
			for i, id := range []string{"J0001", "J" + bad} {
				src.PutJobs(rscsync.Job{ModifiedAt: clock.Now().Add(time.Duration(i-10) * time.Minute), Posting: rsc.JobPosting{
					ExternalJobPostingID: id, IntegrationContext: cust.Organization, CompanyApplyURL: "https://ats.example.com/apply",
					Title: "Backend engineer", Description: strings.Repeat("Build the sync engine. ", 6), Location: "Paris, France",
					ListedAt: rsc.Millis(clock.Now().Add(-2 * time.Hour)), PosterEmail: "recruiter@example.com", Availability: rsc.AvailabilityPrivate}})
			}
			type result struct {
				Read, Refused int64
				Dead          []string // keys
				Cursor        rscsync.Cursor
				JobsRefused   int64
				Jobs          []string // the job states' ids
			}
			run := func(store rscsync.Store, dead rscsync.DeadLetterStore) result {
				t.Helper()
				eng, err := rscsync.NewEngine(client, "acme", src, rscsync.WithStore(store), rscsync.WithDeadLetters(dead),
					rscsync.WithClock(clock), rscsync.WithWaitWhenParked(false))
				if err != nil {
					t.Fatal(err)
				}
				rep, err := eng.RunSlice(ctx, 0)
				if err != nil {
					t.Fatal(err)
				}
				res := result{Read: rep.Phases[rscsync.PhaseCandidates].Read, Refused: rep.Phases[rscsync.PhaseCandidates].Refused,
					JobsRefused: rep.Phases[rscsync.PhaseJobs].Refused}
				for d, err := range dead.List(ctx, "acme") {
					if err != nil {
						t.Fatal(err)
					}
					res.Dead = append(res.Dead, d.Key())
				}
				cp, err := store.Load(ctx, "acme")
				if err != nil {
					t.Fatal(err)
				}
				slices.Sort(res.Dead)
				res.Cursor = cp.Phases[rscsync.PhaseCandidates].Cursor
				res.Jobs = slices.Sorted(maps.Keys(cp.Jobs))
				return res
			}
			dead := []string{rscsync.DeadLetter{Kind: rscsync.KindCandidate, ID: bad}.Escape().Key(),
				rscsync.DeadLetter{Kind: rscsync.KindJob, ID: "J" + bad}.Escape().Key()}
			slices.Sort(dead)
			first := result{Read: 3, Refused: 1, Dead: dead, Cursor: rscsync.Cursor{ModifiedAt: last, ID: bad}, JobsRefused: 1, Jobs: []string{"J0001"}}
			again := first
			again.Read, again.Refused, again.JobsRefused = 0, 0, 0
			got := []result{run(rscsync.NewMemoryStore(), rscsync.NewMemoryDeadLetters())}
			for range 2 {
				got = append(got, run(db.Checkpoints(), db.DeadLetters()))
			}
			if d := cmp.Diff([]result{first, first, again}, got); d != "" {
				t.Errorf("memory stores, then PostgreSQL's twice (-want +got):\n%s", d)
			}
		})
	}
}

// Dead letters whose keys are too long for PostgreSQL's index are listed
// whole, page by page, and deleted by their keys like any other.
func TestLongDeadLetterKeys(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	dead := open(t).DeadLetters()
	pgstore.SetPageSize(dead, 1)
	prefix := strings.Repeat("é", 600) // two bytes each: a cut must keep whole characters
	var want []string
	for _, id := range []string{"C1", prefix + "a", prefix + "b"} {
		d := rscsync.DeadLetter{Kind: rscsync.KindCandidate, ID: id, Reason: "too long"}
		if err := dead.Put(ctx, "acme", d); err != nil {
			t.Fatal(err)
		}
		want = append(want, d.Key())
	}
	list := func() []string {
		var keys []string
		for d, err := range dead.List(ctx, "acme") {
			if err != nil {
				t.Fatal(err)
			}
			keys = append(keys, d.Key())
		}
		slices.Sort(keys)
		return keys
	}
	if d := cmp.Diff(want, list()); d != "" {
		t.Errorf("listed (-want +got):\n%s", d)
	}
	if err := dead.Delete(ctx, "acme", want[2]); err != nil {
		t.Fatal(err)
	}
	if d := cmp.Diff(want[:2], list()); d != "" {
		t.Errorf("listed after deleting the last (-want +got):\n%s", d)
	}
}
