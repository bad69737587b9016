// Package fleetgen generates a fleet of customers and their ATS records,
// deterministically from a seed: the worker program (cmd/rscworker) syncs
// them, and the fleet proof and benchmarks check what LinkedIn's fake holds
// against the same records.
//
// Most customers are small (a few hundred candidates); a few are big
// (Plan.BigRecords and more). Customer i's records are candidates dated one
// second apart from the plan's epoch, so a stream from any cursor is
// computed, not stored: a worker holds no customer's records in memory.
package fleetgen

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"iter"
	"math/rand/v2"
	"sort"
	"time"

	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// Plan says which fleet to generate. The same plan always gives the same
// customers and records.
type Plan struct {
	Customers  int   // how many customers (positive)
	Big        int   // how many of them are big (0 to Customers)
	BigRecords int   // a big customer's candidates, at least (plus up to 1,000)
	SmallMax   int   // the most candidates of a small customer (positive)
	Seed       int64 // what the sizes and names derive from
	// Epoch is when the first record of every customer was modified; the
	// last one of a customer of n records, n-1 seconds later. It must lie
	// within the engine's window (two years by default) and before now.
	Epoch time.Time
}

// Check returns an error naming the first field of p that is out of range.
func (p Plan) Check() error {
	switch {
	case p.Customers <= 0:
		return fmt.Errorf("fleetgen: %d customers: must be positive", p.Customers)
	case p.Big < 0 || p.Big > p.Customers:
		return fmt.Errorf("fleetgen: %d big customers: must be between 0 and %d", p.Big, p.Customers)
	case p.Big > 0 && p.BigRecords <= 0:
		return fmt.Errorf("fleetgen: %d records per big customer: must be positive", p.BigRecords)
	case p.SmallMax <= 0:
		return fmt.Errorf("fleetgen: %d records per small customer at most: must be positive", p.SmallMax)
	case p.Epoch.IsZero():
		return errors.New("fleetgen: no epoch")
	}
	return nil
}

// Customer is one generated customer: its id in the ATS, its LinkedIn
// application's credentials and organization, and how many candidates its
// ATS holds.
type Customer struct {
	ID           string
	ClientID     string
	ClientSecret string
	Organization string
	Records      int
}

// All returns every customer of the plan, in order. p must pass Check.
func (p Plan) All() []Customer {
	rng := rand.New(rand.NewPCG(uint64(p.Seed), 0x5eed))
	big := map[int]bool{}
	for _, i := range rng.Perm(p.Customers)[:p.Big] {
		big[i] = true
	}
	out := make([]Customer, p.Customers)
	for i := range out {
		n := 1 + rng.IntN(p.SmallMax)
		if rng.IntN(5) != 0 { // four in five small customers are smaller still
			n = 1 + rng.IntN(max(p.SmallMax/10, 1))
		}
		if big[i] {
			n = p.BigRecords + rng.IntN(1001)
		}
		id := fmt.Sprintf("cust-%04d", i+1)
		out[i] = Customer{ID: id, ClientID: "client-" + id, ClientSecret: "secret-" + id,
			Organization: fmt.Sprintf("urn:li:organization:%d", 700000+i), Records: n}
	}
	return out
}

// IDs returns the ids of custs, in order.
func IDs(custs []Customer) []string {
	ids := make([]string, len(custs))
	for i, c := range custs {
		ids[i] = c.ID
	}
	return ids
}

// Total returns the candidates of every customer of the plan.
func (p Plan) Total() int {
	n := 0
	for _, c := range p.All() {
		n += c.Records
	}
	return n
}

// Source returns the customer's ATS: its candidates, dated from epoch on.
func (c Customer) Source(epoch time.Time) rscsync.Source {
	return &source{c: c, epoch: epoch.UTC()}
}

// source is a customer's generated ATS; it holds candidates only.
type source struct {
	c     Customer
	epoch time.Time
}

// at is when candidate i was last modified.
func (s *source) at(i int) time.Time { return s.epoch.Add(time.Duration(i) * time.Second) }

// id is candidate i's id; ids sort as their indexes do.
func id(i int) string { return fmt.Sprintf("C%07d", i) }

// Candidate returns the customer's candidate i (0 <= i < Records).
func (c Customer) Candidate(epoch time.Time, i int) rscsync.Candidate {
	return (&source{c: c, epoch: epoch.UTC()}).candidate(i)
}

func (s *source) candidate(i int) rscsync.Candidate {
	at := s.at(i)
	cid := id(i)
	h := fnv.New32a()
	fmt.Fprintf(h, "%s/%d", s.c.ID, i)
	v := h.Sum32()
	first := [...]string{"Ann", "Bo", "Chen", "Dana", "Emeka", "Farah", "Gus", "Hana"}[v%8]
	last := [...]string{"Ito", "Jones", "Kaur", "Lopez", "Moreau", "Nakamura"}[(v>>3)%6]
	email := fmt.Sprintf("%s.%s.%d@%s.example.com", first, last, i, s.c.ID)
	return rscsync.Candidate{ModifiedAt: at, Record: rsc.Candidate{
		Key:       rsc.CandidateKey{IntegrationContext: s.c.Organization, CandidateID: cid},
		FirstName: first, LastName: last, EmailAddresses: []string{email},
		CurrentJobTitle:    [...]string{"Engineer", "Designer", "Recruiter", "Analyst"}[(v>>6)%4],
		ExternalProfileURL: "https://ats.example.com/" + s.c.ID + "/candidates/" + cid,
		CreatedAt:          rsc.Millis(at), LastModifiedAt: rsc.Millis(at)}}
}

// after returns the index of the first candidate strictly after since.
func (s *source) after(since rscsync.Cursor) int {
	return sort.Search(s.c.Records, func(i int) bool { return since.After(s.at(i), id(i)) })
}

// Candidates yields the candidates after since, computing each.
func (s *source) Candidates(ctx context.Context, since rscsync.Cursor) iter.Seq2[rscsync.Candidate, error] {
	return func(yield func(rscsync.Candidate, error) bool) {
		for i := s.after(since); i < s.c.Records; i++ {
			if err := ctx.Err(); err != nil {
				yield(rscsync.Candidate{}, err)
				return
			}
			if !yield(s.candidate(i), nil) {
				return
			}
		}
	}
}

// Jobs yields nothing: the generated ATS holds candidates only.
func (s *source) Jobs(context.Context, rscsync.Cursor) iter.Seq2[rscsync.Job, error] {
	return func(func(rscsync.Job, error) bool) {}
}

// Applications yields nothing.
func (s *source) Applications(context.Context, rscsync.Cursor) iter.Seq2[rscsync.Application, error] {
	return func(func(rscsync.Application, error) bool) {}
}

// Activities yields nothing.
func (s *source) Activities(context.Context, rscsync.Cursor) iter.Seq2[rscsync.Activity, error] {
	return func(func(rscsync.Activity, error) bool) {}
}

// Deletions yields nothing.
func (s *source) Deletions(context.Context, rscsync.Cursor) iter.Seq2[rscsync.Deletion, error] {
	return func(func(rscsync.Deletion, error) bool) {}
}

// Totals counts the candidates modified at or after since.
func (s *source) Totals(_ context.Context, since time.Time) (rscsync.Totals, error) {
	i := sort.Search(s.c.Records, func(i int) bool { return !s.at(i).Before(since) })
	return rscsync.Totals{Candidates: int64(s.c.Records - i)}, nil
}
