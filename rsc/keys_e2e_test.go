package rsc_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

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
	eachFamily(t, func(t *testing.T, srv *rsctest.Server, opts []rsc.Option) {
		ctx := t.Context()
		cust := srv.AddCustomer(rsctest.CustomerSpec{})
		c, err := srv.CustomerClient(cust, opts...)
		if err != nil {
			t.Fatal(err)
		}
		org, now := cust.Organization, srv.Now()
		var cands []rsc.Candidate
		var keys []rsc.CandidateKey
		for i, id := range trickyIDs {
			cands = append(cands, candidate(org, id, fmt.Sprintf("c%d@example.com", i), now))
			cands[i].ExternalProfileURL = "https://ats.example.com/c/" + url.PathEscape(id)
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
