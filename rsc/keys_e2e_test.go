package rsc_test

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// trickyIDs are ids whose characters a Rest.li server decodes: '+' (a
// space to Java's URLDecoder), spaces, '%' and escape look-alikes.
var trickyIDs = []string{"C+1", "C 1", "C%1", "a%41", "aA", "100%", "%2B", "+", "a+ b", "x (y):z,'w'", "R&D=1"}

// A batch upsert of ids with '+', spaces and '%' round-trips through the
// fake in both protocols: every record is stored under its own id, read
// back and deleted under it, and notes with such ids (simple body keys) are
// stored too. The candidates go in one batch of 100, so the call is
// tunnelled.
func TestTrickyIDsRoundTrip(t *testing.T) {
	t.Parallel()
	eachCustomer(t, func(t *testing.T, srv *rsctest.Server, cust *rsctest.Customer, c *rsc.Client) {
		ctx := t.Context()
		org, now := cust.Organization, srv.Now()
		var cands []rsc.Candidate
		var keys []rsc.CandidateKey
		for i, id := range trickyIDs {
			cands = append(cands, candidate(org, id, fmt.Sprintf("c%d@example.com", i), now))
			keys = append(keys, cands[i].Key)
		}
		for i := range 89 { // 100 in the batch: tunnelled
			cands = append(cands, candidate(org, fmt.Sprintf("pad-%d-%s", i, strings.Repeat("x", 40)), "p@example.com", now))
		}
		res, err := c.Candidates.Upsert(ctx, cands)
		if err != nil || res.Err() != nil {
			t.Fatalf("Upsert: %v %v", err, res.Err())
		}
		var stored []string
		for _, r := range cust.Candidates() {
			if !strings.HasPrefix(r.ID, "pad-") {
				stored = append(stored, r.ID)
			}
		}
		slices.Sort(stored)
		want := slices.Sorted(slices.Values(trickyIDs))
		if d := cmp.Diff(want, stored); d != "" {
			t.Errorf("ids LinkedIn holds (-want +got):\n%s", d)
		}
		got, err := c.Candidates.Get(ctx, keys)
		if err != nil {
			t.Fatal(err)
		}
		var read []string
		for k := range got {
			read = append(read, k.CandidateID)
		}
		slices.Sort(read)
		if d := cmp.Diff(want, read); d != "" {
			t.Errorf("ids read back (-want +got):\n%s", d)
		}
		var notes []rsc.Note
		for _, id := range trickyIDs {
			notes = append(notes, rsc.Note{ID: id, Note: "n"})
		}
		if res, err := c.Candidates.UpsertNotes(ctx, keys[0], notes); err != nil || res.Err() != nil {
			t.Fatalf("UpsertNotes: %v %v", err, res.Err())
		}
		if n := len(cust.CandidateNotes()); n != len(trickyIDs) {
			t.Errorf("notes held = %d, want %d", n, len(trickyIDs))
		}
		if res, err := c.Candidates.Delete(ctx, keys); err != nil || res.Err() != nil {
			t.Fatalf("Delete: %v %v", err, res.Err())
		}
		if n := len(cust.Candidates()); n != 89 {
			t.Errorf("after delete LinkedIn holds %d candidates, want 89", n)
		}
	})
}

// UpsertManyNotes and DeleteManyNotes send the notes of several
// candidates in one call on the versioned endpoints and in one call per
// candidate on /v2; each note is stored under its own candidate, an id may
// repeat across candidates but not within one, and a note whose candidate
// key is invalid is refused alone.
func TestUpsertManyNotes(t *testing.T) {
	t.Parallel()
	eachCustomer(t, func(t *testing.T, srv *rsctest.Server, cust *rsctest.Customer, c *rsc.Client) {
		ctx := t.Context()
		org, now := cust.Organization, srv.Now()
		var cands []rsc.Candidate
		for _, id := range []string{"C1", "C 2", "C3"} {
			cands = append(cands, candidate(org, id, "c@example.com", now))
		}
		if res, err := c.Candidates.Upsert(ctx, cands); err != nil || res.Err() != nil {
			t.Fatalf("Upsert: %v %v", err, res.Err())
		}
		key := func(id string) rsc.CandidateKey { return rsc.CandidateKey{IntegrationContext: org, CandidateID: id} }
		srv.ResetRequests()
		res, err := c.Candidates.UpsertManyNotes(ctx, []rsc.CandidateNote{
			{Candidate: key("C1"), Note: rsc.Note{ID: "N1", Note: "a"}},
			{Candidate: key("C 2"), Note: rsc.Note{ID: "N1", Note: "b"}},
			{Candidate: key(""), Note: rsc.Note{ID: "N2", Note: "no candidate"}},
			{Candidate: key("C1"), Note: rsc.Note{ID: "N3", Note: "c"}},
			{Candidate: key("C3"), Note: rsc.Note{ID: "N4", Note: "d"}},
			{Candidate: key("C1"), Note: rsc.Note{ID: "N1", Note: "twice"}},
		})
		if err != nil {
			t.Fatal(err)
		}
		type item struct {
			Key rsc.NoteKey
			OK  bool
		}
		var got []item
		for _, it := range res.Items {
			got = append(got, item{it.Key, it.OK()})
		}
		want := []item{{rsc.NoteKey{Parent: "C1", NoteID: "N1"}, true}, {rsc.NoteKey{Parent: "C 2", NoteID: "N1"}, true},
			{rsc.NoteKey{Parent: "", NoteID: "N2"}, false}, {rsc.NoteKey{Parent: "C1", NoteID: "N3"}, true},
			{rsc.NoteKey{Parent: "C3", NoteID: "N4"}, true}, {rsc.NoteKey{Parent: "C1", NoteID: "N1"}, false}}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("items (-want +got):\n%s", d)
		}
		for _, i := range []int{2, 5} {
			if _, ok := errors.AsType[*rsc.ValidationError](res.Items[i].Err); !ok {
				t.Errorf("item %d: %v, want a *ValidationError", i, res.Items[i].Err)
			}
		}
		calls := 3 // one per candidate on /v2
		if c.Versioned() {
			calls = 1
		}
		held := func(want ...string) {
			t.Helper()
			var got []string
			for _, n := range cust.CandidateNotes() {
				got = append(got, fmt.Sprint(n.Key["atsCandidateId"], "/", n.Key["noteId"], "=", n.Fields["note"]))
			}
			slices.Sort(got)
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("notes LinkedIn holds (-want +got):\n%s", d)
			}
			if n := len(srv.Requests()); n != calls {
				t.Errorf("%d requests, want %d", n, calls)
			}
			srv.ResetRequests()
		}
		held("C 2/N1=b", "C1/N1=a", "C1/N3=c", "C3/N4=d")
		res, err = c.Candidates.DeleteManyNotes(ctx, []rsc.CandidateNote{
			{Candidate: key("C1"), Note: rsc.Note{ID: "N1"}},
			{Candidate: key("C 2"), Note: rsc.Note{ID: "N1"}},
			{Candidate: key("C3"), Note: rsc.Note{ID: "N4"}},
		})
		if err != nil || res.Err() != nil {
			t.Fatalf("DeleteManyNotes: %v %v", err, res.Err())
		}
		held("C1/N3=c")
	})
}

// A candidate's or application's key is one segment of the URL path of its
// notes, feedback and stages on /v2, which LinkedIn caps at 4 KB and no
// tunnel shortens (docs/linkedin-api.md §2.2). An id of 512 CJK characters,
// the longest the client takes, is about 4.6 KB there: such a parent's
// calls are refused before anything is sent, naming its id field, as
// ValidateParent does, where the fake (as LinkedIn) would answer 414. One
// of 440 fits. On /rest the key travels in the query, so both land.
func TestParentKeyOverPathSegment(t *testing.T) {
	t.Parallel()
	fits, over := strings.Repeat("候", 440), strings.Repeat("候", 512)
	eachFamily(t, func(t *testing.T, srv *rsctest.Server, opts []rsc.Option) {
		ctx := t.Context()
		cust := srv.AddCustomer(rsctest.CustomerSpec{})
		c, err := srv.CustomerClient(cust, opts...)
		if err != nil {
			t.Fatal(err)
		}
		versioned := len(opts) > 0
		org, now := cust.Organization, srv.Now()
		for _, id := range []string{fits, over} {
			refused := !versioned && id == over
			ck := rsc.CandidateKey{IntegrationContext: org, CandidateID: id}
			ak := rsc.ApplicationKey{IntegrationContext: org, ApplicationID: id}
			cand := candidate(org, id, "ann@example.com", now)
			app := rsc.Application{Key: ak, CandidateID: id, JobPostingID: "J1", JobPostingName: "Engineer", CandidateEmail: "ann@example.com",
				FirstName: "Ann", LastName: "Lee", CreatedAt: rsc.Millis(now.Add(-2 * time.Hour)), LastModifiedAt: rsc.Millis(now.Add(-time.Hour))}
			// The records themselves are named in the query: always sent.
			if res, err := c.Candidates.Upsert(ctx, []rsc.Candidate{cand}); err != nil || res.Err() != nil {
				t.Fatalf("%d characters: Candidates.Upsert: %v %v", len([]rune(id)), err, res.Err())
			}
			if res, err := c.Applications.Upsert(ctx, []rsc.Application{app}); err != nil || res.Err() != nil {
				t.Fatalf("%d characters: Applications.Upsert: %v %v", len([]rune(id)), err, res.Err())
			}
			created := rsc.Millis(now.Add(-time.Hour))
			candErr := &rsc.ValidationError{Resource: "atsCandidates", Key: id, Field: "atsCandidateId"}
			appErr := &rsc.ValidationError{Resource: "atsApplications", Key: id, Field: "atsJobApplicationId"}
			for _, call := range []struct {
				name string
				want *rsc.ValidationError
				do   func() (*rsc.BatchResult[rsc.NoteKey], error)
			}{
				{"candidate notes", candErr, func() (*rsc.BatchResult[rsc.NoteKey], error) {
					return c.Candidates.UpsertNotes(ctx, ck, []rsc.Note{{ID: "N1", Note: "n", CreatedAt: created}})
				}},
				{"application notes", appErr, func() (*rsc.BatchResult[rsc.NoteKey], error) {
					return c.Applications.UpsertNotes(ctx, ak, []rsc.Note{{ID: "N1", Note: "n", CreatedAt: created}})
				}},
				{"feedback", appErr, func() (*rsc.BatchResult[rsc.NoteKey], error) {
					return c.Applications.UpsertFeedback(ctx, ak, []rsc.InterviewFeedback{{ID: "F1", Feedback: "ok", InterviewType: "ONSITE"}})
				}},
				{"stages", appErr, func() (*rsc.BatchResult[rsc.NoteKey], error) {
					return c.Applications.UpsertStages(ctx, ak, []rsc.Stage{{ID: "S1", Stage: "Shortlisted", CreatedAt: created}})
				}},
				{"many stages", appErr, func() (*rsc.BatchResult[rsc.NoteKey], error) {
					return c.Applications.UpsertManyStages(ctx, []rsc.ApplicationStage{{Application: ak, Stage: rsc.Stage{ID: "S2", Stage: "Hired", CreatedAt: created}}})
				}},
				{"stage deletion", appErr, func() (*rsc.BatchResult[rsc.NoteKey], error) {
					return c.Applications.DeleteStages(ctx, ak, []string{"S1"})
				}},
				{"candidate note deletion", candErr, func() (*rsc.BatchResult[rsc.NoteKey], error) {
					return c.Candidates.DeleteNotes(ctx, ck, []string{"N1"})
				}},
			} {
				sent := len(srv.Requests())
				res, err := call.do()
				if err == nil {
					err = res.Err()
				}
				if !refused {
					if err != nil {
						t.Errorf("%d characters, %s: %v", len([]rune(id)), call.name, err)
					}
					continue
				}
				var ve *rsc.ValidationError
				if !errors.As(err, &ve) {
					t.Fatalf("%s of a parent over 4 KB: %v, want a *rsc.ValidationError", call.name, err)
				}
				if d := cmp.Diff(call.want, ve, cmpopts.IgnoreFields(rsc.ValidationError{}, "Rule")); d != "" || !strings.Contains(ve.Rule, "at most 4096 bytes") {
					t.Errorf("%s: refusal (-want +got):\n%s%s", call.name, d, ve.Rule)
				}
				if n := len(srv.Requests()) - sent; n != 0 {
					t.Errorf("%s: %d requests sent for a refused parent", call.name, n)
				}
			}
			candParent, appParent := c.Candidates.ValidateParent(ck), c.Applications.ValidateParent(ak)
			if refused != (candParent != nil) || refused != (appParent != nil) {
				t.Errorf("%d characters: ValidateParent = %v, %v; want refusals %v", len([]rune(id)), candParent, appParent, refused)
			}
		}
	})
}
