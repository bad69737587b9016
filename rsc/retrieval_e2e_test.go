package rsc_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// collect gathers seq's values, failing the test on its first error.
func collect[T any](t *testing.T, seq func(func(T, error) bool)) []T {
	t.Helper()
	var out []T
	for v, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, v)
	}
	return out
}

// The finders, with lists of several values, read the same records from
// the fake in both families: on /rest the fake refuses the Rest.li 1.0
// list and time-range syntax under the 2.0 header the client sends there
// (docs/linkedin-api.md §3.2, §13.3). InMail history is read a day at a
// time, which LinkedIn serves 12 hours a call (§8.4).
func TestRetrievalAgainstFake(t *testing.T) {
	t.Parallel()
	for _, version := range []string{"", "202604"} {
		t.Run("version="+version, func(t *testing.T) {
			t.Parallel()
			start := time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)
			clock := rsctest.NewFakeClock(start)
			srv := rsctest.NewServer(rsctest.WithClock(clock), rsctest.WithoutListener())
			t.Cleanup(srv.Close)
			const c9, c10 = "urn:li:contract:9", "urn:li:contract:10"
			cust := srv.AddCustomer(rsctest.CustomerSpec{Contracts: []string{c9, c10}})
			var opts []rsc.Option
			if version != "" {
				opts = append(opts, rsc.WithVersion(version))
			}
			c, err := srv.CustomerClient(cust, append(opts, rsc.WithClock(clock))...)
			if err != nil {
				t.Fatal(err)
			}
			ctx := t.Context()

			ann := srv.AddMember(rsctest.MemberSpec{FirstName: "Ann", LastName: "Lee", Email: "ann@example.com"})
			bob := srv.AddMember(rsctest.MemberSpec{FirstName: "Bob", LastName: "Ray", Email: "bob@example.com"})
			prospect := srv.AddMember(rsctest.MemberSpec{FirstName: "Pat", LastName: "Doe", Email: "pat@example.com"})
			s1, err := cust.AddSeat(rsctest.SeatSpec{Member: ann.Person, Contract: c9})
			if err != nil {
				t.Fatal(err)
			}
			s2, err := cust.AddSeat(rsctest.SeatSpec{Member: bob.Person, Contract: c10, State: "INACTIVE"})
			if err != nil {
				t.Fatal(err)
			}

			seats := collect(t, c.Seats.List(ctx, []string{c9, c10}, "ACTIVE", "INACTIVE"))
			var got []string
			for _, s := range seats {
				got = append(got, s.URN()+" "+s.Member+" "+s.State)
			}
			want := []string{s1.URN + " " + ann.Person + " ACTIVE", s2.URN + " " + bob.Person + " INACTIVE"}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("seats (-want +got):\n%s", d)
			}

			// InMails 1 hour, 13 hours and 23 hours into the day, and one
			// the next day: a day's read crosses two 12-hour windows.
			var sent []string
			for _, at := range []time.Duration{time.Hour, 13 * time.Hour, 23 * time.Hour, 25 * time.Hour} {
				clock.Set(start.Add(at))
				conv, err := cust.SendInMail(s1.URN, prospect.Person, "Hello", "at "+at.String())
				if err != nil {
					t.Fatal(err)
				}
				sent = append(sent, conv)
			}
			if err := cust.ReplyInMail(sent[1], "Sure", true); err != nil {
				t.Fatal(err)
			}
			day := rsc.EpochMillis(start.UnixMilli())
			var bodies []string
			for _, e := range collect(t, c.InMail.Events(ctx, s1.URN, day, day+2*rsc.MaxInMailWindow)) {
				bodies = append(bodies, e.Body)
			}
			if d := cmp.Diff([]string{"at 1h0m0s", "at 13h0m0s", "at 23h0m0s"}, bodies); d != "" {
				t.Errorf("a day of InMail (-want +got):\n%s", d)
			}

			stubs := collect(t, c.MailStubs.List(ctx, c9, []string{s1.URN, s2.URN}, 0, 0))
			if len(stubs) != 1 || stubs[0].Member != prospect.Person || stubs[0].Owner != s1.URN {
				t.Errorf("stubs = %+v", stubs)
			}

			n1, err := cust.WriteProspectNote(s1.URN, prospect.Person, "Strong")
			if err != nil {
				t.Fatal(err)
			}
			n2, err := cust.WriteProspectNote(s2.URN, prospect.Person, "Maybe")
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, n := range collect(t, c.ProspectNotes.List(ctx, c9, []string{s1.URN, s2.URN}, 0, 0)) {
				ids = append(ids, n.ID)
			}
			for _, n := range collect(t, c.ProspectNotes.List(ctx, c10, []string{s1.URN, s2.URN}, 0, 0)) {
				ids = append(ids, n.ID)
			}
			if d := cmp.Diff([]string{n1, n2}, ids); d != "" {
				t.Errorf("prospect notes (-want +got):\n%s", d)
			}

			if res, err := c.Candidates.Upsert(ctx, []rsc.Candidate{candidate(cust.Organization, "C1", prospect.Email, clock.Now())}); err != nil || res.Err() != nil {
				t.Fatalf("Upsert: %v %v", err, res.Err())
			}
			if err := srv.CloseMemberAccount(prospect.Person); err != nil {
				t.Fatal(err)
			}
			closed := collect(t, c.ClosedProfiles.List(ctx, 0))
			if len(closed) != 1 || closed[0].Member != prospect.Person || !slices.Equal(closed[0].ATSCandidateIDs, []string{"C1"}) {
				t.Errorf("closed profiles = %+v", closed)
			}
		})
	}
}

// ProspectNotes.List reads (cutoff, before] from the fake, which serves
// LinkedIn's documented bounds: a note last modified exactly at cutoff is
// not listed, one at before is. Consecutive windows, each starting at the
// previous one's end, list every note once: the note at a shared end in
// the window it ends.
func TestProspectNotesWindowsAgainstFake(t *testing.T) {
	t.Parallel()
	start := time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)
	clock := rsctest.NewFakeClock(start)
	srv := rsctest.NewServer(rsctest.WithClock(clock), rsctest.WithoutListener())
	t.Cleanup(srv.Close)
	const c9 = "urn:li:contract:9"
	cust := srv.AddCustomer(rsctest.CustomerSpec{Contracts: []string{c9}})
	c, err := srv.CustomerClient(cust, rsc.WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	ann := srv.AddMember(rsctest.MemberSpec{FirstName: "Ann", LastName: "Lee", Email: "ann@example.com"})
	pat := srv.AddMember(rsctest.MemberSpec{FirstName: "Pat", LastName: "Doe", Email: "pat@example.com"})
	seat, err := cust.AddSeat(rsctest.SeatSpec{Member: ann.Person})
	if err != nil {
		t.Fatal(err)
	}
	// Notes at 0, 1, 2, 13 and 25 hours into the day, and one 1 ms
	// before the end of a 12-hour window that starts 1 ms before 0h.
	for _, h := range []int{0, 1, 2, 13, 25} {
		clock.Set(start.Add(time.Duration(h) * time.Hour))
		if _, err := cust.WriteProspectNote(seat.URN, pat.Person, fmt.Sprintf("at %dh", h)); err != nil {
			t.Fatal(err)
		}
	}
	clock.Set(start.Add(12*time.Hour - 2*time.Millisecond))
	if _, err := cust.WriteProspectNote(seat.URN, pat.Person, "at 12h-2ms"); err != nil {
		t.Fatal(err)
	}
	at := func(h int) rsc.EpochMillis { return rsc.Millis(start.Add(time.Duration(h) * time.Hour)) }
	for _, tc := range []struct {
		name    string
		windows [][2]rsc.EpochMillis // (cutoff, before] of each call
		want    []string
	}{
		{"cutoff at a note leaves it out", [][2]rsc.EpochMillis{{at(0), at(0) + 1000}}, nil},
		{"before at a note takes it in", [][2]rsc.EpochMillis{{at(0) - 1, at(0)}}, []string{"at 0h"}},
		{"consecutive windows read each note once", [][2]rsc.EpochMillis{{at(0) - 1, at(1)}, {at(1), at(2)}},
			[]string{"at 0h", "at 1h", "at 2h"}},
		{"a window ending 1 ms short of the next cutoff loses the note at that cutoff", [][2]rsc.EpochMillis{{at(0) - 1, at(1) - 1}, {at(1), at(2)}},
			[]string{"at 0h", "at 2h"}},
		{"a 30-hour range is read in windows of at most 12 hours", [][2]rsc.EpochMillis{{at(0) - 1, at(30)}},
			[]string{"at 0h", "at 1h", "at 2h", "at 12h-2ms", "at 13h", "at 25h"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var got []string
			for _, w := range tc.windows {
				for _, n := range collect(t, c.ProspectNotes.List(t.Context(), c9, []string{seat.URN}, w[0], w[1])) {
					got = append(got, n.Note)
				}
			}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("notes (-want +got):\n%s", d)
			}
		})
	}
}
