package inmail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rscgo/rscgo/internal/pushq/pushqtest"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/rsc"
)

const (
	ann    = "urn:li:person:ann"
	bob    = "urn:li:person:bob"
	rec7   = "urn:li:person:rec7"
	seat7  = "urn:li:seat:7"
	seat8  = "urn:li:seat:8"
	custID = "cust-1"
)

func TestFindMatch(t *testing.T) {
	ctx := context.Background()
	s := NewMemorySink()
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	s.AddCandidate(Candidate{ID: "A", Emails: []string{"Ann@Example.com"}, UpdatedAt: t0})
	s.AddCandidate(Candidate{ID: "B", Emails: []string{"ann@example.com"}, UpdatedAt: t0.Add(time.Hour)})
	s.AddCandidate(Candidate{ID: "C", Person: ann, UpdatedAt: t0.Add(-time.Hour)})
	s.AddCandidate(Candidate{ID: "D", Person: bob, UpdatedAt: t0})
	s.AddCandidate(Candidate{ID: "E", Person: bob, UpdatedAt: t0})
	for _, tc := range []struct {
		person, email, want string
	}{
		{ann, "ann@example.com", "C"},               // person URN first, even if older
		{"urn:li:person:x", "ANN@example.COM", "B"}, // then email, case-insensitive; most recent wins
		{bob, "", "D"}, // equal times: smallest id
		{"urn:li:person:x", "", ""},
		{"", "nobody@example.com", ""},
	} {
		c, found, err := FindMatch(ctx, s, tc.person, tc.email)
		if err != nil {
			t.Fatal(err)
		}
		if found != (tc.want != "") || c.ID != tc.want {
			t.Errorf("FindMatch(%q, %q) = %q, %v; want %q", tc.person, tc.email, c.ID, found, tc.want)
		}
	}
}

func TestCursorStores(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "cursors")
	want := Cursors{
		Seats:   []SeatHolder{{Seat: seat7, Contract: testContract, Member: rec7, User: "U7"}},
		SeatsAt: 42,
		InMail:  map[string]*Stream{seat7: {Next: 100, Pending: map[string]int64{ann: 50}}},
		Closed:  &Stream{Next: 7},
		Exports: []string{"r1"},
	}
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	files, err := NewFileCursors(dir)
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("directory mode = %v, %v; want 0700 (tightened)", fi.Mode(), err)
	}
	for name, s := range map[string]CursorStore{"memory": NewMemoryCursors(), "file": files} {
		t.Run(name, func(t *testing.T) {
			got, err := s.Load(ctx, "weird/id")
			if err != nil || !cmp.Equal(got, Cursors{}) {
				t.Fatalf("Load of unknown = %+v, %v", got, err)
			}
			if err := s.Save(ctx, "weird/id", want); err != nil {
				t.Fatal(err)
			}
			want.InMail[seat7].Next = 999 // the store must hold a copy
			got, err = s.Load(ctx, "weird/id")
			want.InMail[seat7].Next = 100
			if err != nil {
				t.Fatal(err)
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("round trip (-want +got):\n%s", d)
			}
		})
	}
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 || !strings.HasPrefix(ents[0].Name(), "x-") {
		t.Fatalf("files = %v", ents)
	}
	fi, _ := os.Stat(filepath.Join(dir, ents[0].Name()))
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("mode = %v, want 0600", fi.Mode().Perm())
	}
	// A file renamed to another customer is refused.
	os.Rename(filepath.Join(dir, ents[0].Name()), filepath.Join(dir, "c-other.json"))
	if _, err := files.Load(ctx, "other"); err == nil {
		t.Error("loading another customer's file succeeded")
	}
}

// plainCursors is a CursorStore that is not a CursorUpdater: the
// Retriever reads and then saves it.
type plainCursors struct{ s CursorStore }

func (p plainCursors) Load(ctx context.Context, id string) (Cursors, error) { return p.s.Load(ctx, id) }
func (p plainCursors) Save(ctx context.Context, id string, c Cursors) error {
	return p.s.Save(ctx, id, c)
}

// cursorStores returns one empty store of each kind.
func cursorStores(t *testing.T) map[string]CursorStore {
	files, err := NewFileCursors(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return map[string]CursorStore{"memory": NewMemoryCursors(), "file": files, "without Update": plainCursors{NewMemoryCursors()}}
}

// TestSecondRetrieverKeepsJournal: the scheduler's Retriever has read the
// customer's cursors; the webhook's Retriever over the same store
// journals a pushed export (answered 200); the scheduler's next save keeps
// that export, and its own progress.
func TestSecondRetrieverKeepsJournal(t *testing.T) {
	for name := range cursorStores(t) {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				ctx := t.Context()
				store := cursorStores(t)[name]
				a := newEnv(t, WithCursorStore(store)) // the scheduler's Retriever
				a.fake.seats = []rsc.Seat{seat(7, rec7)}
				if _, err := a.r.RunOnce(ctx); err != nil {
					t.Fatal(err)
				}
				web, err := New(a.r.cfg, WithCursorStore(store), WithLag(time.Millisecond)) // the webhook's Retriever
				if err != nil {
					t.Fatal(err)
				}
				if err := web.AcceptExport(ctx, "r1"); err != nil {
					t.Fatal(err)
				}
				time.Sleep(time.Hour)
				if _, err := a.r.PollInMail(ctx); err != nil {
					t.Fatal(err)
				}
				c, err := store.Load(ctx, custID)
				if err != nil {
					t.Fatal(err)
				}
				if _, ok := c.PendingExports["r1"]; !ok {
					t.Errorf("journaled export r1 lost by the other Retriever's save: pending %v", c.PendingExports)
				}
				if got, want := c.InMail[seat7].Next, ms(time.Now().Add(-time.Millisecond)); got != want {
					t.Errorf("seat 7's InMail position = %d, want %d (the poll's progress)", got, want)
				}
				// The scheduler's Retriever sees the export: its reads of the
				// journal read the store.
				got, err := a.r.Cursors(ctx)
				if err != nil {
					t.Fatal(err)
				}
				if d := cmp.Diff(c, got, cmpopts.EquateEmpty()); d != "" {
					t.Errorf("Cursors (-stored +got):\n%s", d)
				}
			})
		})
	}
}

// TestRetrieversJournalConcurrently: Retrievers of one customer over one
// CursorUpdater, each having read the cursors, journal exports at the
// same time; none is lost.
func TestRetrieversJournalConcurrently(t *testing.T) {
	const retrievers, pushes = 4, 25
	for name, store := range cursorStores(t) {
		if _, ok := store.(CursorUpdater); !ok {
			continue
		}
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, WithCursorStore(store))
			var wg sync.WaitGroup
			want := map[string]bool{}
			for i := range retrievers {
				r, err := New(e.r.cfg, WithCursorStore(store))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := r.Cursors(t.Context()); err != nil { // each has read them before
					t.Fatal(err)
				}
				for j := range pushes {
					want[fmt.Sprintf("r%d-%d", i, j)] = true
				}
				wg.Go(func() {
					for j := range pushes {
						if err := r.AcceptExport(t.Context(), fmt.Sprintf("r%d-%d", i, j)); err != nil {
							t.Error(err)
						}
					}
				})
			}
			wg.Wait()
			c, err := store.Load(t.Context(), custID)
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for id := range c.PendingExports {
				got[id] = true
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("journaled exports (-want +got):\n%s", d)
			}
		})
	}
}

// New refuses an Organization or a contract that is not a URN with a
// well-formed id: a Retriever taking one would dead-letter every export of
// the customer as another integration context's.
func TestNewValidatesURNs(t *testing.T) {
	fake := newFake(t)
	base := Config{CustomerID: custID, Client: fake.client(t), Organization: testOrg, Contracts: []string{testContract},
		Sink: NewMemorySink(), State: fullState(time.Now()).get}
	const orgRule, contractRule = " is not urn:li:organization:{digits}",
		" is not urn:li:contract:{id} with an id of valid UTF-8 without white space or control characters"
	for _, tc := range []struct {
		name string
		mod  func(*Config)
		want string // "" for accepted
	}{
		{"valid", func(*Config) {}, ""},
		{"org trailing space", func(c *Config) { c.Organization = testOrg + " " }, `inmail: Config.Organization "urn:li:organization:1 "` + orgRule},
		{"org without id", func(c *Config) { c.Organization = "urn:li:organization:" }, `inmail: Config.Organization "urn:li:organization:"` + orgRule},
		{"org NUL", func(c *Config) { c.Organization = testOrg + "\x00" }, `inmail: Config.Organization "urn:li:organization:1\x00"` + orgRule},
		{"org not digits", func(c *Config) { c.Organization = "urn:li:organization:acme" }, `inmail: Config.Organization "urn:li:organization:acme"` + orgRule},
		{"contract without id", func(c *Config) { c.Contracts = []string{"urn:li:contract:"} }, `inmail: Config.Contracts: "urn:li:contract:"` + contractRule},
		{"contract space", func(c *Config) { c.Contracts = []string{"urn:li:contract:1 "} }, `inmail: Config.Contracts: "urn:li:contract:1 "` + contractRule},
		{"contract NUL", func(c *Config) { c.Contracts = []string{testContract, "urn:li:contract:2\x00"} }, `inmail: Config.Contracts: "urn:li:contract:2\x00"` + contractRule},
		{"contract invalid UTF-8", func(c *Config) { c.Contracts = []string{"urn:li:contract:\xff"} }, `inmail: Config.Contracts: "urn:li:contract:\xff"` + contractRule},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := base
			tc.mod(&c)
			got := ""
			if _, err := New(c); err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("New error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewValidates(t *testing.T) {
	fake := newFake(t)
	base := Config{CustomerID: custID, Client: fake.client(t), Organization: testOrg, Sink: NewMemorySink(),
		State: fullState(time.Now()).get}
	if _, err := New(base); err != nil {
		t.Fatal(err)
	}
	for name, mod := range map[string]func(*Config){
		"no customer":     func(c *Config) { c.CustomerID = "" },
		"no client":       func(c *Config) { c.Client = nil },
		"bad org":         func(c *Config) { c.Organization = "urn:li:contract:1" },
		"no sink":         func(c *Config) { c.Sink = nil },
		"nil *MemorySink": func(c *Config) { c.Sink = (*MemorySink)(nil) },
		"no state":        func(c *Config) { c.State = nil },
		"bad contract":    func(c *Config) { c.Contracts = []string{"1"} },
	} {
		c := base
		mod(&c)
		if _, err := New(c); err == nil {
			t.Errorf("%s: New succeeded", name)
		}
	}
	for _, tc := range []struct {
		name string
		opt  Option
		want string
	}{
		{"deletions 31d", WithDeletionInterval(31 * 24 * time.Hour), "inmail: WithDeletionInterval(744h0m0s): must be at most 720h0m0s"},
		{"zero lag", WithLag(0), "inmail: WithLag(0s): must be positive"},
		{"nil clock", WithClock(nil), "inmail: WithClock: nil argument"},
		{"push option", WithUnsignedPushes(), "inmail: WithUnsignedPushes does not apply to New"},
		{"scheduler option", WithInterval(time.Minute), "inmail: WithInterval does not apply to New"},
	} {
		_, err := New(base, tc.opt)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s: New = %v, want %q", tc.name, err, tc.want)
		}
	}
	r, err := New(base)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.PushHandler(nil); err == nil {
		t.Error("PushHandler without a secret and without WithUnsignedPushes succeeded")
	}
	if _, err := NewScheduler(WithLookback(time.Hour)); err == nil {
		t.Error("NewScheduler took a Retriever option")
	}
}

func TestRefreshSeats(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		e.fake.seats = []rsc.Seat{seat(8, "urn:li:person:rec8"), seat(7, rec7),
			{ID: 9, Contract: testContract, Member: "urn:li:person:gone", State: "INACTIVE"},
			{ID: 10, Contract: "urn:li:contract:2", Member: "urn:li:person:x", State: "ACTIVE"}}
		e.sink.AddUser("U7", rec7)
		rep, err := e.r.RefreshSeats(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		want := []SeatHolder{{Seat: seat7, Contract: testContract, Member: rec7, User: "U7", State: "ACTIVE"},
			{Seat: "urn:li:seat:8", Contract: testContract, Member: "urn:li:person:rec8", State: "ACTIVE"}}
		if d := cmp.Diff(want, rep.Seats); d != "" || rep.Unmapped != 1 {
			t.Errorf("seats (-want +got):\n%s unmapped=%d", d, rep.Unmapped)
		}
		stored, _ := e.r.Seats(t.Context())
		if d := cmp.Diff(want, stored); d != "" {
			t.Errorf("stored seats (-want +got):\n%s", d)
		}

		e.state.set(func(st *milestones.State) { st.Access.ContractLevel = false })
		rep, err = e.r.RefreshSeats(t.Context())
		if err != nil || rep.SkipReason == "" {
			t.Errorf("company-only RefreshSeats = %+v, %v; want skipped", rep, err)
		}
	})
}

func TestPollInMail(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env, ctx context.Context, now time.Time) {
		e.fake.seats = []rsc.Seat{seat(7, rec7)}
		e.sink.AddUser("U7", rec7)
		annID := e.sink.AddCandidate(Candidate{Person: ann, FirstName: "Ann", UpdatedAt: now.Add(-time.Hour)})
		t0 := now.Add(-3 * 24 * time.Hour)
		e.fake.events = []rsc.ConversationEvent{
			{ID: "e1", Conversation: "c1", Viewer: seat7, Member: ann, Author: seat7, CreatedAt: at(t0), Subject: "Hi", Body: "Hello Ann"},
			{ID: "e2", Conversation: "c1", Viewer: seat7, Member: ann, Author: ann, CreatedAt: at(t0.Add(30 * time.Hour)), Body: "Hi!"},
			{ID: "e3", Conversation: "c2", Viewer: seat7, Member: bob, Author: seat7, CreatedAt: at(t0.Add(time.Hour)), Body: "Hello Bob"},
			{ID: "e4", Conversation: "c2", Viewer: seat7, Member: bob, Author: bob, CreatedAt: at(t0.Add(2 * time.Hour)), Body: "no thanks"},
		}
		rep, err := e.r.PollInMail(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Attached != 2 || rep.Pending != 2 || rep.Events != 4 || rep.Windows != 60 {
			t.Errorf("report = %+v", rep)
		}
		got, _ := e.sink.Get(annID)
		want := []Message{
			{ID: "e1", Conversation: "c1", Seat: seat7, User: "U7", Member: ann, Subject: "Hi", Body: "Hello Ann", At: t0},
			{ID: "e2", Conversation: "c1", Seat: seat7, User: "U7", Member: ann, FromMember: true, Body: "Hi!", At: t0.Add(30 * time.Hour)},
		}
		if d := cmp.Diff(want, got.Messages, cmpopts.EquateApproxTime(time.Millisecond)); d != "" {
			t.Errorf("messages (-want +got):\n%s", d)
		}
		if n := len(e.sink.Candidates()); n != 1 {
			t.Errorf("%d candidates; an InMail without shared contact info must not create one", n)
		}

		// Resumes from the cursor: one more hour is one window.
		time.Sleep(time.Hour)
		calls := e.fake.count("conversationEvents")
		if rep, err = e.r.PollInMail(ctx); err != nil || rep.Windows != 1 {
			t.Errorf("second run = %+v, %v", rep, err)
		}
		if d := e.fake.count("conversationEvents") - calls; d != 1 {
			t.Errorf("second run made %d calls, want 1", d)
		}

		// Bob becomes a candidate (e.g. linked by the profile widget): his
		// pending messages are read again and attached.
		bobID := e.sink.AddCandidate(Candidate{Person: bob, FirstName: "Bob", UpdatedAt: time.Now()})
		if rep, err = e.r.PollInMail(ctx); err != nil || rep.Replayed != 1 || rep.Attached != 2 {
			t.Errorf("replay run = %+v, %v", rep, err)
		}
		b, _ := e.sink.Get(bobID)
		if len(b.Messages) != 2 || b.Messages[0].ID != "e3" || b.Messages[1].ID != "e4" {
			t.Errorf("bob's messages = %+v", b.Messages)
		}
		c, _ := e.r.Cursors(ctx)
		if len(c.InMail[seat7].Pending) != 0 {
			t.Errorf("pending = %v", c.InMail[seat7].Pending)
		}
	})
}

func TestPollInMailMilestones(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env, ctx context.Context, now time.Time) {
		e.state.set(func(st *milestones.State) { st.EnabledAt = now.Add(-24 * time.Hour) })
		e.fake.seats = []rsc.Seat{seat(7, rec7)}
		old := e.sink.AddCandidate(Candidate{Person: ann, UpdatedAt: now.Add(-48 * time.Hour)})
		e.fake.events = []rsc.ConversationEvent{{ID: "e1", Viewer: seat7, Member: ann, Author: seat7, CreatedAt: at(now.Add(-time.Hour))}}
		if rep, err := e.r.PollInMail(ctx); err != nil || rep.Attached != 0 || rep.Pending != 1 {
			t.Fatalf("before candidate sync = %+v, %v", rep, err)
		}
		e.state.set(completeCandidates)
		if rep, err := e.r.PollInMail(ctx); err != nil || rep.Attached != 1 {
			t.Fatalf("after candidate sync = %+v, %v", rep, err)
		}
		if c, _ := e.sink.Get(old); len(c.Messages) != 1 {
			t.Errorf("messages = %+v", c.Messages)
		}
	})
}

// Records are paced per seat: a burst of the per-minute rate, then one
// every minute/rate (DefaultRecordsPerMinute, or WithRecordsPerMinute).
func TestPollInMailPacing(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts []Option
		want time.Duration
	}{
		{"default", nil, 2 * time.Minute},                                  // 12 at once, then one every 5 s: 24 more take 2 minutes
		{"6 a minute", []Option{WithRecordsPerMinute(6)}, 5 * time.Minute}, // 6 at once, then one every 10 s: 30 more take 5 minutes
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t, append([]Option{WithLookback(12 * time.Hour)}, tc.opts...)...)
				now := time.Now()
				e.fake.seats = []rsc.Seat{seat(7, rec7)}
				e.sink.AddCandidate(Candidate{Person: ann, UpdatedAt: now})
				for i := range 36 {
					e.fake.events = append(e.fake.events, rsc.ConversationEvent{ID: "e" + string(rune('A'+i)), Viewer: seat7,
						Member: ann, Author: seat7, CreatedAt: at(now.Add(-time.Hour))})
				}
				start := time.Now()
				rep, err := e.r.PollInMail(t.Context())
				if err != nil || rep.Attached != 36 {
					t.Fatalf("= %+v, %v", rep, err)
				}
				if d := time.Since(start); d < tc.want || d > tc.want+time.Second {
					t.Errorf("36 records took %v, want %v", d, tc.want)
				}
			})
		})
	}
}

func TestPollStubs(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env, ctx context.Context, now time.Time) {
		e.fake.seats = []rsc.Seat{seat(7, rec7)}
		e.sink.AddUser("U7", rec7)
		existing := e.sink.AddCandidate(Candidate{FirstName: "Carl", Emails: []string{"Carl@Example.com"}, UpdatedAt: now})
		e.fake.stubs = []rsc.MailStub{
			{ID: "s1", Contract: testContract, Owner: seat7, Member: ann, FirstName: "Ann", LastName: "Lee",
				EmailAddress: "ann@example.com", PhoneNumber: "+1 555", CreatedAt: at(now.Add(-2 * time.Hour))},
			{ID: "s2", Contract: testContract, Owner: seat7, Member: ann, FirstName: "Ann", LastName: "Lee",
				EmailAddress: "ann@example.com", CreatedAt: at(now.Add(-time.Hour))},
			{ID: "s3", Contract: testContract, Owner: seat7, Member: "urn:li:person:carl", FirstName: "Carl",
				EmailAddress: "carl@example.COM", CreatedAt: at(now.Add(-time.Hour))},
		}
		rep, err := e.r.PollStubs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if rep.Stubs != 3 || rep.Created != 1 || rep.Matched != 2 || rep.Linked != 1 {
			t.Errorf("report = %+v", rep)
		}
		cands := e.sink.Candidates()
		if len(cands) != 2 {
			t.Fatalf("%d candidates, want 2 (no duplicate)", len(cands))
		}
		a := cands[1]
		if a.Person != ann || a.Origin != OriginInMailStub || a.Owner != "U7" || !cmp.Equal(a.Emails, []string{"ann@example.com"}) ||
			a.ProfileURL != "https://www.linkedin.com/in/ann" || len(a.Notices) != 2 {
			t.Errorf("created = %+v", a)
		}
		c, _ := e.sink.Get(existing)
		if c.Person != "urn:li:person:carl" || len(c.Notices) != 1 || c.Notices[0].Kind != NoticeContactShared ||
			c.Notices[0].Email != "carl@example.COM" {
			t.Errorf("matched = %+v", c)
		}
		// A second poll reads nothing new and creates nothing.
		if rep, err := e.r.PollStubs(ctx); err != nil || rep.Stubs != 0 {
			t.Errorf("second poll = %+v, %v", rep, err)
		}
		if len(e.sink.Candidates()) != 2 {
			t.Error("second poll created candidates")
		}
	})
}

func TestPollNotes(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env, ctx context.Context, now time.Time) {
		e.fake.seats = []rsc.Seat{seat(7, rec7)}
		annID := e.sink.AddCandidate(Candidate{Person: ann, UpdatedAt: now})
		e.fake.notes = []rsc.ProspectNote{
			{ID: "n1", Contract: testContract, Owner: seat7, Member: ann, Note: "great", Active: true,
				CreatedAt: at(now.Add(-3 * time.Hour)), LastModifiedAt: at(now.Add(-3 * time.Hour))},
			{ID: "n2", Contract: testContract, Owner: seat7, Member: ann, Note: "call back", Active: true,
				CreatedAt: at(now.Add(-2 * time.Hour)), LastModifiedAt: at(now.Add(-2 * time.Hour))},
			{ID: "n3", Contract: testContract, Owner: seat7, Member: bob, Note: "maybe", Active: true,
				CreatedAt: at(now.Add(-2 * time.Hour)), LastModifiedAt: at(now.Add(-2 * time.Hour))},
		}
		if rep, err := e.r.PollNotes(ctx); err != nil || rep.Upserted != 2 || rep.Pending != 1 {
			t.Fatalf("first poll = %+v, %v", rep, err)
		}
		// n2 is deleted on LinkedIn: it comes back inactive with a new update time.
		time.Sleep(time.Hour)
		e.fake.mu.Lock()
		e.fake.notes[1].Active = false
		e.fake.notes[1].LastModifiedAt = at(time.Now().Add(-time.Minute))
		e.fake.mu.Unlock()
		if rep, err := e.r.PollNotes(ctx); err != nil || rep.Deleted != 1 {
			t.Fatalf("second poll = %+v, %v", rep, err)
		}
		c, _ := e.sink.Get(annID)
		if len(c.Notes) != 1 || c.Notes[0].ID != "n1" || c.Notes[0].Text != "great" {
			t.Errorf("notes = %+v", c.Notes)
		}
	})
}

// A note modified exactly at the first millisecond of a notes window is
// read, whether LinkedIn takes cutoffDate as exclusive (as it documents)
// or as inclusive; the inclusive reading lists the millisecond before the
// window again, which changes nothing in the ATS.
func TestNotesWindowBoundary(t *testing.T) {
	for _, exclusive := range []bool{true, false} {
		t.Run(fmt.Sprintf("exclusive cutoff %v", exclusive), func(t *testing.T) {
			inBubble(t, func(t *testing.T, e *env, ctx context.Context, now time.Time) {
				e.fake.notesCutoffInclusive = !exclusive
				e.fake.seats = []rsc.Seat{seat(7, rec7)}
				annID := e.sink.AddCandidate(Candidate{Person: ann, UpdatedAt: now})
				note := func(id string, m rsc.EpochMillis) rsc.ProspectNote {
					return rsc.ProspectNote{ID: id, Contract: testContract, Owner: seat7, Member: ann, Note: id, Active: true,
						CreatedAt: m, LastModifiedAt: m}
				}
				e.fake.notes = []rsc.ProspectNote{note("before", at(now.Add(-time.Hour)))}
				if _, err := e.r.PollNotes(ctx); err != nil {
					t.Fatal(err)
				}
				c, err := e.r.Cursors(ctx)
				if err != nil {
					t.Fatal(err)
				}
				next := c.Notes[testContract].Next
				e.fake.mu.Lock()
				e.fake.notes = append(e.fake.notes, note("at the boundary", rsc.EpochMillis(next)))
				e.fake.mu.Unlock()
				time.Sleep(time.Hour)
				if _, err := e.r.PollNotes(ctx); err != nil {
					t.Fatal(err)
				}
				a, _ := e.sink.Get(annID)
				if d := cmp.Diff([]string{"at the boundary", "before"}, each(a.Notes, func(n Note) string { return n.ID })); d != "" {
					t.Errorf("ann's notes (-want +got):\n%s", d)
				}
			})
		})
	}
}

func exportOf(req, person, job string, t time.Time) rsc.ExportedCandidate {
	return rsc.ExportedCandidate{RequestID: req, IntegrationContext: testOrg, ExternalJobPostingID: job, Exporter: seat7,
		ExportedAt: at(t), Candidate: rsc.StubProfile{Person: person, FirstName: "Ann", LastName: "Lee",
			Headline: "Engineer", ProfileURL: "https://www.linkedin.com/in/ann-lee"}}
}

func TestHandleExport(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var resynced []string
		var e *env
		e = newEnv(t, WithResync(func(_ context.Context, id string) error {
			resynced = append(resynced, id)
			e.fake.mu.Lock()
			e.fake.order = append(e.fake.order, "resync:"+id)
			e.fake.mu.Unlock()
			return nil
		}))
		ctx := t.Context()
		now := time.Now()
		e.fake.exports["r1"] = []rsc.ExportedCandidate{exportOf("r1", ann, "J1", now)}
		e.fake.exports["r2"] = []rsc.ExportedCandidate{exportOf("r2", ann, "J2", now.Add(time.Minute))}
		e.fake.exports["r3"] = []rsc.ExportedCandidate{exportOf("r3", bob, "J1", now)}
		e.fake.exports["r3"][0].IntegrationContext = "urn:li:organization:2"

		res, err := e.r.HandleExport(ctx, "r1")
		if err != nil {
			t.Fatal(err)
		}
		want := []ExportItem{{Person: ann, JobID: "J1", CandidateID: "C1", CandidateCreated: true, ApplicationCreated: true, Resynced: true, Attached: true}}
		if d := cmp.Diff(want, res.Items); d != "" {
			t.Errorf("first export (-want +got):\n%s", d)
		}
		res, err = e.r.HandleExport(ctx, "r2")
		if err != nil {
			t.Fatal(err)
		}
		want = []ExportItem{{Person: ann, JobID: "J2", CandidateID: "C1", ApplicationCreated: true, Resynced: true, Attached: true}}
		if d := cmp.Diff(want, res.Items); d != "" {
			t.Errorf("re-export (-want +got):\n%s", d)
		}
		if res, err := e.r.HandleExport(ctx, "r1"); err != nil || !res.Duplicate {
			t.Errorf("replayed id = %+v, %v", res, err)
		}
		// Another customer's export is a dead letter at once: retrying cannot help.
		_, err = e.r.HandleExport(ctx, "r3")
		var dl *DeadLetterError
		if !errors.Is(err, ErrWrongContext) || !errors.As(err, &dl) || dl.Attempts != 1 {
			t.Errorf("wrong context err = %v, want a dead letter after 1 attempt wrapping ErrWrongContext", err)
		}
		if _, err := e.r.HandleExport(ctx, "nope"); !errors.Is(err, rsc.ErrNotFound) {
			t.Errorf("unknown id err = %v", err)
		}
		cands := e.sink.Candidates()
		if len(cands) != 1 {
			t.Fatalf("%d candidates, want 1", len(cands))
		}
		c := cands[0]
		if d := cmp.Diff([]Application{{"J1", OriginExport}, {"J2", OriginExport}}, c.Applications); d != "" {
			t.Errorf("applications (-want +got):\n%s", d)
		}
		if c.ProfileURL != "https://www.linkedin.com/in/ann-lee" || c.Person != ann || c.Headline != "Engineer" || len(c.Notices) != 2 {
			t.Errorf("candidate = %+v", c)
		}
		if d := cmp.Diff([]string{"resync:C1", "attach:C1", "resync:C1", "attach:C1"}, e.fake.order); d != "" {
			t.Errorf("order (-want +got):\n%s", d)
		}
		if e.fake.attached["C1"] != ann {
			t.Errorf("attached = %v", e.fake.attached)
		}

		// Without the 1-Click Export setting the export is refused.
		e.state.set(func(st *milestones.State) { st.Settings.OneClickExport = false })
		var ue *UnavailableError
		e.fake.exports["r4"] = []rsc.ExportedCandidate{exportOf("r4", ann, "J3", now)}
		if _, err := e.r.HandleExport(ctx, "r4"); !errors.As(err, &ue) {
			t.Errorf("gated export err = %v", err)
		}
	})
}

func TestPushHandler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var failed []string
		e := newEnv(t)
		h := e.pushHandler(t, "s3cret", WithExportErrors(func(id string, err error) { mu.Lock(); failed = append(failed, id); mu.Unlock() }))
		now := time.Now()
		e.fake.exports["r1"] = []rsc.ExportedCandidate{exportOf("r1", ann, "J1", now)}
		post := func(body, sig string) int { return pushqtest.Post(t.Context(), h, "/callback", sig, []byte(body)) }
		body := `{"id":"r1","type":"EXPORT_CANDIDATE_PROFILE","expiresAt":1}`
		if code := post(body, "hmacsha256=00"); code != http.StatusUnauthorized {
			t.Errorf("bad signature: %d", code)
		}
		for range 3 { // LinkedIn redelivers: processed once
			if code := post(body, rsc.SignPush([]byte(body), "s3cret")); code != http.StatusOK {
				t.Errorf("signed: %d", code)
			}
		}
		if err := h.Wait(t.Context()); err != nil {
			t.Fatal(err)
		}
		if code := post(body, ""); code != http.StatusUnauthorized { // signatures are required
			t.Errorf("unsigned: %d", code)
		}
		sign := func(b string) string { return rsc.SignPush([]byte(b), "s3cret") }
		if n := e.fake.count("exportedCandidates"); n != 1 {
			t.Errorf("exportedCandidates fetched %d times, want 1", n)
		}
		for _, b := range []string{`{"id":"x","type":"INTEGRATION_STATUS_CHANGE"}`, `{"id":"gone","type":"EXPORT_CANDIDATE_PROFILE"}`} {
			if code := post(b, sign(b)); code != http.StatusOK {
				t.Errorf("%s: %d", b, code)
			}
		}
		if code := post(`{}`, sign(`{}`)); code != http.StatusBadRequest {
			t.Errorf("bad body: %d", code)
		}
		if err := h.Wait(t.Context()); err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		if !cmp.Equal(failed, []string{"gone"}) {
			t.Errorf("failed = %v", failed)
		}
		mu.Unlock()
		w := httptest.NewRecorder()
		h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/callback", nil))
		if w.Code != http.StatusMethodNotAllowed {
			t.Errorf("GET: %d", w.Code)
		}
		if len(e.sink.Candidates()) != 1 {
			t.Errorf("candidates = %d", len(e.sink.Candidates()))
		}
	})
}

// A push whose X-LI-Signature is ambiguous (the header twice, even once
// valid, or not "hmacsha256=" and 64 hex digits) is refused as a bad
// signature and fetches nothing.
func TestPushHandlerAmbiguousSignature(t *testing.T) {
	body := `{"id":"r1","type":"EXPORT_CANDIDATE_PROFILE"}`
	valid := rsc.SignPush([]byte(body), "s3cret")
	zeros := "hmacsha256=" + strings.Repeat("0", 64)
	for _, tc := range []struct {
		name string
		sigs []string
	}{
		{"valid then invalid", []string{valid, zeros}},
		{"invalid then valid", []string{zeros, valid}},
		{"valid twice", []string{valid, valid}},
		{"empty", []string{""}},
		{"short", []string{"hmacsha256=00"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newEnv(t)
				h := e.pushHandler(t, "s3cret")
				e.fake.exports["r1"] = []rsc.ExportedCandidate{exportOf("r1", ann, "J1", time.Now())}
				req := httptest.NewRequest(http.MethodPost, "/callback", strings.NewReader(body))
				for _, s := range tc.sigs {
					req.Header.Add(rsc.SignatureHeader, s)
				}
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != http.StatusUnauthorized || strings.TrimSpace(w.Body.String()) != "bad signature" {
					t.Errorf("answer %d %q, want 401 \"bad signature\"", w.Code, w.Body.String())
				}
				if err := h.Wait(t.Context()); err != nil {
					t.Fatal(err)
				}
				if n := e.fake.count("exportedCandidates"); n != 0 {
					t.Errorf("exportedCandidates fetched %d times, want 0", n)
				}
			})
		})
	}
}

func TestRefreshLinks(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env, ctx context.Context, now time.Time) {
		e.state.set(func(st *milestones.State) { st.EnabledAt = now.Add(-time.Hour) })
		e.sink.AddCandidate(Candidate{ID: "M", UpdatedAt: now})                     // manual match
		e.sink.AddCandidate(Candidate{ID: "A", UpdatedAt: now})                     // one algorithmic match
		e.sink.AddCandidate(Candidate{ID: "X", UpdatedAt: now})                     // ambiguous
		e.sink.AddCandidate(Candidate{ID: "O", UpdatedAt: now.Add(-2 * time.Hour)}) // before enablement
		e.sink.AddCandidate(Candidate{ID: "K", Person: "urn:li:person:kept", ProfileURL: "u", UpdatedAt: now})
		e.fake.records = map[string]rsc.CandidateRecord{
			"M": {MatchedMembers: []string{bob}, ManualMatchedMember: ann},
			"A": {MatchedMembers: []string{bob}},
			"X": {MatchedMembers: []string{bob, ann}},
			"O": {MatchedMembers: []string{bob}},
			"K": {MatchedMembers: []string{bob}},
		}
		e.r.QueueLinks("M", "A", "X", "O", "K", "missing")
		rep, err := e.r.RefreshQueuedLinks(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(LinkReport{Checked: 5, Linked: 2, Unmatched: 1, NotAllowed: 1, Missing: 1}, rep); d != "" {
			t.Errorf("report (-want +got):\n%s", d)
		}
		got := map[string]Profile{}
		for _, c := range e.sink.Candidates() {
			got[c.ID] = Profile{c.Person, c.ProfileURL}
		}
		want := map[string]Profile{"M": {ann, "https://www.linkedin.com/in/ann"}, "A": {bob, "https://www.linkedin.com/in/bob"},
			"X": {}, "O": {}, "K": {"urn:li:person:kept", "u"}}
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("profiles (-want +got):\n%s", d)
		}
	})
}

func TestPollDeletions(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env, ctx context.Context, now time.Time) {
		e.state.set(func(st *milestones.State) { st.EnabledAt = now.Add(-time.Hour) })
		e.sink.AddCandidate(Candidate{ID: "C1", Person: ann, UpdatedAt: now})
		e.sink.AddCandidate(Candidate{ID: "C2", UpdatedAt: now})                                   // named by LinkedIn only
		e.sink.AddCandidate(Candidate{ID: "C3", Person: bob, UpdatedAt: now.Add(-48 * time.Hour)}) // not covered yet
		e.fake.closed = []rsc.ClosedProfile{
			{Member: ann, ATSCandidateIDs: []string{"C1", "C2", "gone"}, ClosedAt: at(now.Add(-time.Minute))},
			{Member: bob, ClosedAt: at(now.Add(-time.Minute))},
		}
		rep, err := e.r.PollDeletions(ctx)
		if err != nil || rep.Profiles != 2 || rep.Notices != 2 || rep.Pending != 1 {
			t.Fatalf("first poll = %+v, %v", rep, err)
		}
		for _, id := range []string{"C1", "C2"} {
			c, _ := e.sink.Get(id)
			if len(c.Notices) != 1 || c.Notices[0].Kind != NoticeMemberDeleted || c.Notices[0].Member != ann {
				t.Errorf("%s activities = %+v", id, c.Notices)
			}
		}
		// Much later (past the overlap), Candidate Sync completes: bob's notice is read again.
		time.Sleep(72 * time.Hour)
		e.state.set(completeCandidates)
		if rep, err := e.r.PollDeletions(ctx); err != nil || rep.Notices < 1 || rep.Pending != 0 {
			t.Fatalf("second poll = %+v, %v", rep, err)
		}
		if c, _ := e.sink.Get("C3"); len(c.Notices) != 1 {
			t.Errorf("C3 activities = %+v", c.Notices)
		}
		if c, _ := e.sink.Get("C1"); len(c.Notices) != 1 {
			t.Errorf("C1 activities = %+v (must stay one)", c.Notices)
		}
	})
}

func TestCompanyLevelOnly(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		e.state.set(func(st *milestones.State) { st.Access.ContractLevel = false })
		e.fake.seats = []rsc.Seat{seat(7, rec7)}
		e.fake.events = []rsc.ConversationEvent{{ID: "e1", Viewer: seat7, Member: ann, Author: ann, CreatedAt: at(time.Now().Add(-time.Hour))}}
		e.fake.exports["r1"] = []rsc.ExportedCandidate{exportOf("r1", ann, "J1", time.Now())}
		rep, err := e.r.RunOnce(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if rep.Seats.SkipReason == "" || rep.InMail.SkipReason == "" || rep.Stubs.SkipReason == "" || rep.Notes.SkipReason == "" || !rep.DeletionsRun {
			t.Errorf("report = %+v", rep)
		}
		for _, res := range []string{"seatsV2", "conversationEvents", "mailStubs", "prospectNotes"} {
			if n := e.fake.count(res); n != 0 {
				t.Errorf("%s called %d times", res, n)
			}
		}
		if e.fake.count("atsPurgedExportedCandidates") != 1 {
			t.Error("closed profiles not polled")
		}
		// Export still works with company-level access.
		if _, err := e.r.HandleExport(t.Context(), "r1"); err != nil {
			t.Fatal(err)
		}
		if n := len(e.sink.Candidates()); n != 1 {
			t.Errorf("candidates = %d", n)
		}
	})
}

func TestRunOnceDeletionInterval(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, WithDeletionInterval(30*24*time.Hour))
		e.fake.seats = []rsc.Seat{seat(7, rec7)}
		for _, wait := range []time.Duration{0, 29 * 24 * time.Hour, 24 * time.Hour} {
			time.Sleep(wait)
			if _, err := e.r.RunOnce(t.Context()); err != nil {
				t.Fatal(err)
			}
		}
		if n := e.fake.count("atsPurgedExportedCandidates"); n != 2 {
			t.Errorf("closed profiles polled %d times over 30 days, want 2", n)
		}
	})
}

// Add refuses a nil Retriever and a customer already scheduled.
func TestSchedulerAddRefuses(t *testing.T) {
	for _, tc := range []struct {
		name string
		add  func(scheduled *Retriever) *Retriever // what is added next
		want string
	}{
		{"nil", func(*Retriever) *Retriever { return nil }, "inmail: Scheduler.Add: nil Retriever"},
		{"duplicate", func(r *Retriever) *Retriever { return r }, `inmail: customer "cust-1" already scheduled`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				r := newEnv(t).r
				s, err := NewScheduler()
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Add(r); err != nil {
					t.Fatal(err)
				}
				if err := s.Add(tc.add(r)); err == nil || err.Error() != tc.want {
					t.Errorf("Add = %v, want %s", err, tc.want)
				}
			})
		})
	}
}

func TestScheduler(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e1 := newEnv(t)
		e2 := newEnvFor(t, "cust-2")
		e2.state.set(func(st *milestones.State) {}) // replaced below
		var fail sync.Mutex
		failing := true
		r2cfg := e2.r.cfg
		r2cfg.State = func(ctx context.Context) (milestones.State, error) {
			fail.Lock()
			defer fail.Unlock()
			if failing {
				return milestones.State{}, errors.New("state store down")
			}
			return e2.state.get(ctx)
		}
		r2, err := New(r2cfg, WithLag(time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		type run struct {
			id  string
			at  time.Duration
			err bool
		}
		var mu sync.Mutex
		var runs []run
		start := time.Now()
		s, err := NewScheduler(WithInterval(10*time.Minute), WithJitter(0.1, rand.New(rand.NewPCG(1, 2))), WithBackoff(time.Minute, 4*time.Minute),
			WithRunReports(func(id string, _ RunReport, err error) {
				mu.Lock()
				runs = append(runs, run{id, time.Since(start), err != nil})
				mu.Unlock()
			}))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Add(e1.r); err != nil {
			t.Fatal(err)
		}
		if err := s.Add(r2); err != nil {
			t.Fatal(err)
		}
		if err := s.Add(e1.r); err == nil {
			t.Error("duplicate Add succeeded")
		}
		ctx, cancel := context.WithTimeout(t.Context(), 35*time.Minute)
		defer cancel()
		go func() {
			time.Sleep(8 * time.Minute)
			fail.Lock()
			failing = false
			fail.Unlock()
		}()
		if err := s.Run(ctx); !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("Run = %v", err)
		}
		mu.Lock()
		defer mu.Unlock()
		var ok1, fails2, ok2 int
		var gaps []time.Duration
		var last time.Duration
		for _, r := range runs {
			switch {
			case r.id == custID && !r.err:
				ok1++
				if last != 0 {
					gaps = append(gaps, r.at-last)
				}
				last = r.at
			case r.id == "cust-2" && r.err:
				fails2++
			case r.id == "cust-2":
				ok2++
			}
		}
		if ok1 != 4 {
			t.Errorf("cust-1 ran %d times in 35 minutes at a 10-minute interval, want 4: %+v", ok1, runs)
		}
		for _, g := range gaps {
			if g < 9*time.Minute || g > 11*time.Minute {
				t.Errorf("gap %v outside 10m±10%%", g)
			}
		}
		// Backoff 1, 2, 4 minutes (±10%) while failing for 8 minutes, then success.
		if fails2 < 3 || fails2 > 4 || ok2 < 1 {
			t.Errorf("cust-2: %d failures, %d successes: %+v", fails2, ok2, runs)
		}
	})
}

// slowPollEnv is a Retriever whose first milestones-state read blocks,
// closing entered, until release is closed or that read's context ends;
// reads counts the reads.
type slowPollEnv struct {
	*env
	entered, release chan struct{}
	mu               sync.Mutex
	reads            int
}

func newSlowPollEnv(t *testing.T) *slowPollEnv {
	t.Helper()
	e := &slowPollEnv{env: newEnv(t), entered: make(chan struct{}), release: make(chan struct{})}
	e.fake.seats = []rsc.Seat{seat(7, rec7)}
	cfg := e.r.cfg
	cfg.State = func(ctx context.Context) (milestones.State, error) {
		e.mu.Lock()
		e.reads++
		first := e.reads == 1
		e.mu.Unlock()
		if first {
			close(e.entered)
			select {
			case <-e.release:
			case <-ctx.Done():
				return milestones.State{}, ctx.Err()
			}
		}
		return e.state.get(ctx)
	}
	var err error
	if e.r, err = New(cfg, WithLag(time.Millisecond)); err != nil {
		t.Fatal(err)
	}
	return e
}

func (e *slowPollEnv) stateReads() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.reads
}

// holdPoll starts a RunOnce (the webhook's, an operator's) and returns once
// it blocks in its milestones-state read, holding the poll lock; the
// returned channel is closed when it ends.
func (e *slowPollEnv) holdPoll() <-chan struct{} {
	done := make(chan struct{})
	go func() {
		defer close(done)
		_, _ = e.r.RunOnce(context.Background())
	}()
	<-e.entered
	return done
}

// Polls are serialised, but a poll waiting for another returns its own
// context's error, having done nothing, when that context ends first; the
// poll lock is free afterwards.
func TestPollWaitingHonoursContext(t *testing.T) {
	for _, tc := range []struct {
		name string
		poll func(context.Context, *Retriever) error
	}{
		{"RunOnce", func(ctx context.Context, r *Retriever) error { _, err := r.RunOnce(ctx); return err }},
		{"PollStubs", func(ctx context.Context, r *Retriever) error { _, err := r.PollStubs(ctx); return err }},
		{"PollInMail", func(ctx context.Context, r *Retriever) error { _, err := r.PollInMail(ctx); return err }},
		{"PollNotes", func(ctx context.Context, r *Retriever) error { _, err := r.PollNotes(ctx); return err }},
		{"PollDeletions", func(ctx context.Context, r *Retriever) error { _, err := r.PollDeletions(ctx); return err }},
		{"RetryRecord", func(ctx context.Context, r *Retriever) error { return r.RetryRecord(ctx, RecordMessage, "e1") }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				e := newSlowPollEnv(t)
				held := e.holdPoll()
				ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
				defer cancel()
				start := time.Now()
				err := tc.poll(ctx, e.r)
				type result struct {
					Err        error
					Waited     time.Duration
					StateReads int
				}
				want := result{Err: context.DeadlineExceeded, Waited: time.Minute, StateReads: 1}
				if diff := cmp.Diff(want, result{err, time.Since(start), e.stateReads()}, cmpopts.EquateErrors()); diff != "" {
					t.Errorf("%s while another poll runs (-want +got):\n%s", tc.name, diff)
				}
				close(e.release)
				<-held
				if _, err := e.r.RunOnce(t.Context()); err != nil {
					t.Errorf("RunOnce once the polls ended: %v", err)
				}
			})
		})
	}
}

// The Scheduler's Run returns when its context ends even while its
// customer's RunOnce waits for a poll started elsewhere that still runs.
func TestSchedulerStopsWhileAnotherPollRuns(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newSlowPollEnv(t)
		held := e.holdPoll()
		var reports int
		s, err := NewScheduler(WithInterval(time.Millisecond), WithJitter(0, nil),
			WithRunReports(func(string, RunReport, error) { reports++ }))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Add(e.r); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
		defer cancel()
		start := time.Now()
		err = s.Run(ctx)
		type result struct {
			Err        error
			Took       time.Duration
			Reports    int
			StateReads int
		}
		want := result{Err: context.DeadlineExceeded, Took: time.Minute, StateReads: 1}
		if diff := cmp.Diff(want, result{err, time.Since(start), reports, e.stateReads()}, cmpopts.EquateErrors()); diff != "" {
			t.Errorf("Scheduler.Run while another poll of its customer runs (-want +got):\n%s", diff)
		}
		close(e.release)
		<-held
	})
}

func TestNothingLoggedByDefault(t *testing.T) {
	// With a logger, records carry ids and counts, never bodies or emails.
	synctest.Test(t, func(t *testing.T) {
		var buf bytes.Buffer
		e := newEnv(t, WithLogger(slogJSON(&buf)))
		now := time.Now()
		e.fake.seats = []rsc.Seat{seat(7, rec7)}
		e.sink.AddCandidate(Candidate{Person: ann, UpdatedAt: now})
		e.fake.events = []rsc.ConversationEvent{{ID: "e1", Viewer: seat7, Member: ann, Author: ann, CreatedAt: at(now.Add(-time.Hour)), Body: "BODY-TEXT"}}
		e.fake.stubs = []rsc.MailStub{{ID: "s1", Contract: testContract, Owner: seat7, Member: ann, EmailAddress: "ann@secret.example", CreatedAt: at(now.Add(-time.Hour))}}
		if _, err := e.r.RunOnce(t.Context()); err != nil {
			t.Fatal(err)
		}
		if s := buf.String(); strings.Contains(s, "BODY-TEXT") || strings.Contains(s, "secret.example") || s == "" {
			t.Errorf("log = %q", s)
		}
	})
}

func TestExportAttachLater(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t) // no Resync: LinkedIn does not hold the new candidate yet
		ctx := t.Context()
		e.fake.missing["C1"] = true
		e.fake.exports["r1"] = []rsc.ExportedCandidate{exportOf("r1", ann, "J1", time.Now())}
		res, err := e.r.HandleExport(ctx, "r1")
		if err != nil || res.Items[0].Attached {
			t.Fatalf("export = %+v, %v", res, err)
		}
		if c, _ := e.r.Cursors(ctx); c.Attaches["C1"] != ann {
			t.Fatalf("pending attaches = %v", c.Attaches)
		}
		if n, err := e.r.AttachPending(ctx); err != nil || n != 0 {
			t.Errorf("still missing: %d, %v", n, err)
		}
		// The sync package has since synced the candidate.
		e.fake.mu.Lock()
		delete(e.fake.missing, "C1")
		e.fake.mu.Unlock()
		rep, err := e.r.RunOnce(ctx)
		if err != nil || rep.Attached != 1 || e.fake.attached["C1"] != ann {
			t.Fatalf("RunOnce = %+v, %v; attached %v", rep, err, e.fake.attached)
		}
		if c, _ := e.r.Cursors(ctx); len(c.Attaches) != 0 {
			t.Errorf("pending attaches = %v", c.Attaches)
		}
	})
}

// blockingSink holds every candidate creation until release is closed.
type blockingSink struct {
	*MemorySink
	release chan struct{}
}

func (s blockingSink) CreateCandidate(ctx context.Context, n NewCandidate) (string, error) {
	<-s.release
	return s.MemorySink.CreateCandidate(ctx, n)
}

// TestPushHandlerBounded: exports wait in a bounded queue; when it is full
// the handler still acknowledges them, because they are journaled, and
// leaves them to RunOnce instead of starting more work.
func TestPushHandlerBounded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t)
		sink := blockingSink{e.sink, make(chan struct{})}
		r, err := New(Config{CustomerID: "cust-1", Client: e.fake.client(t), Organization: testOrg, Contracts: []string{testContract},
			Sink: sink, State: e.state.get})
		if err != nil {
			t.Fatal(err)
		}
		h, err := r.PushHandler(func(context.Context) (string, error) { return "k", nil }, WithPushWorkers(1, 1))
		if err != nil {
			t.Fatal(err)
		}
		defer h.Close()
		var codes []int
		for i := range 4 {
			id := fmt.Sprintf("r%d", i)
			e.fake.mu.Lock()
			e.fake.exports[id] = []rsc.ExportedCandidate{exportOf(id, fmt.Sprintf("urn:li:person:p%d", i), "J1", time.Now())}
			e.fake.mu.Unlock()
			body := fmt.Appendf(nil, `{"id":%q,"type":"EXPORT_CANDIDATE_PROFILE"}`, id)
			codes = append(codes, pushqtest.Post(t.Context(), h, "/callback", rsc.SignPush(body, "k"), body))
			synctest.Wait() // the worker takes what it can
		}
		// One export runs (held by the sink), one waits, two are journaled
		// for RunOnce: all four are acknowledged.
		if d := cmp.Diff([]int{200, 200, 200, 200}, codes); d != "" {
			t.Errorf("codes (-want +got):\n%s", d)
		}
		close(sink.release)
		if err := h.Wait(t.Context()); err != nil {
			t.Fatal(err)
		}
		if n := len(e.sink.Candidates()); n != 2 {
			t.Errorf("%d candidates created by the workers, want 2", n)
		}
		rep, err := r.RunOnce(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(ExportRetryReport{Due: 2, Completed: 2}, rep.Exports); d != "" {
			t.Errorf("RunOnce exports (-want +got):\n%s", d)
		}
		if n := len(e.sink.Candidates()); n != 4 {
			t.Errorf("%d candidates after RunOnce, want 4", n)
		}
		if n := e.fake.count("exportedCandidates"); n != 4 {
			t.Errorf("exportedCandidates fetched %d times, want 4", n)
		}
	})
}

// inBubble runs f in a testing/synctest bubble with a default env, the
// test's context and the bubble's start time.
func inBubble(t *testing.T, f func(t *testing.T, e *env, ctx context.Context, now time.Time)) {
	synctest.Test(t, func(t *testing.T) { f(t, newEnv(t), t.Context(), time.Now()) })
}

// A stop after the candidate was created and before its person URN was
// attached on LinkedIn (here: the re-sync fails, as a crash there would
// leave it) keeps the attachment in the cursors, so RunOnce attaches it
// later instead of losing it.
func TestExportAttachSurvivesAStop(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		stop := errors.New("stopped before the attach")
		e := newEnv(t, WithResync(func(context.Context, string) error { return stop }))
		ctx := t.Context()
		e.fake.exports["r1"] = []rsc.ExportedCandidate{exportOf("r1", ann, "J1", time.Now())}
		if _, err := e.r.HandleExport(ctx, "r1"); !errors.Is(err, stop) {
			t.Fatalf("HandleExport = %v, want the stop", err)
		}
		if c, _ := e.r.Cursors(ctx); c.Attaches["C1"] != ann {
			t.Fatalf("pending attaches after the stop = %v, want C1 → %s", c.Attaches, ann)
		}
		rep, err := e.r.RunOnce(ctx)
		if err != nil || rep.Attached != 1 || e.fake.attached["C1"] != ann {
			t.Fatalf("RunOnce = %+v, %v; attached %v", rep, err, e.fake.attached)
		}
		if c, _ := e.r.Cursors(ctx); len(c.Attaches) != 0 {
			t.Errorf("pending attaches after RunOnce = %v", c.Attaches)
		}
	})
}

// A member's pending messages are given up when the newest of them is
// older than the pending TTL, not the oldest: a candidate that matches two
// days after a second message gets that message, and not the one past the
// TTL.
func TestPendingTTLKeepsRecentRecords(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env, ctx context.Context, now time.Time) {
		e.fake.seats = []rsc.Seat{seat(7, rec7)}
		ev := func(id string) {
			e.fake.mu.Lock()
			e.fake.events = append(e.fake.events, rsc.ConversationEvent{ID: id, Viewer: seat7, Member: bob, Author: seat7,
				CreatedAt: at(time.Now()), Body: id})
			e.fake.mu.Unlock()
			time.Sleep(time.Hour) // then polled, past the lag
		}
		poll := func() {
			t.Helper()
			if _, err := e.r.PollInMail(ctx); err != nil {
				t.Fatal(err)
			}
		}
		ev("old")
		poll()
		for range 29 { // daily polls
			time.Sleep(24 * time.Hour)
			poll()
		}
		ev("recent") // day 29
		poll()
		time.Sleep(2 * 24 * time.Hour) // day 31: "old" is past the TTL, "recent" is 2 days old
		poll()
		bobID := e.sink.AddCandidate(Candidate{Person: bob, UpdatedAt: time.Now()})
		poll()
		b, _ := e.sink.Get(bobID)
		if d := cmp.Diff([]string{"recent"}, each(b.Messages, func(m Message) string { return m.Body })); d != "" {
			t.Errorf("bob's messages (-want +got):\n%s", d)
		}
	})
}

// A member whose pending messages all pass the pending TTL with no
// candidate to take them is given up, and the poll that gives them up
// says so (InMailReport.Expired), once.
func TestPendingTTLExpiryReported(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env, ctx context.Context, now time.Time) {
		e.fake.seats = []rsc.Seat{seat(7, rec7)}
		e.fake.mu.Lock()
		e.fake.events = append(e.fake.events, rsc.ConversationEvent{ID: "e1", Viewer: seat7, Member: bob, Author: seat7,
			CreatedAt: at(time.Now()), Body: "hello"})
		e.fake.mu.Unlock()
		time.Sleep(time.Hour)
		var got []InMailReport
		for _, wait := range []time.Duration{0, 31 * 24 * time.Hour, time.Hour} {
			time.Sleep(wait)
			rep, err := e.r.PollInMail(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, InMailReport{Pending: rep.Pending, Expired: rep.Expired})
		}
		if d := cmp.Diff([]InMailReport{{Pending: 1}, {Expired: 1}, {}}, got); d != "" {
			t.Errorf("pending and expired per poll (-want +got):\n%s", d)
		}
	})
}

// A seat assigned after the notes and stubs streams started (and seen only
// at the next seat refresh) has its notes and stubs read from the lookback
// on: the per-contract streams, which read their owners' records only, had
// already passed them.
func TestNewSeatHistoryIsRead(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env, ctx context.Context, now time.Time) {
		e.fake.seats = []rsc.Seat{seat(7, rec7)}
		annID := e.sink.AddCandidate(Candidate{Person: ann, UpdatedAt: now})
		run := func() { t.Helper(); e.runOnce(t, ctx) }
		run()
		time.Sleep(time.Hour)
		e.fake.mu.Lock()
		e.fake.seats = append(e.fake.seats, seat(8, "urn:li:person:rec8"))
		e.fake.notes = append(e.fake.notes, rsc.ProspectNote{ID: "n8", Contract: testContract, Owner: seat8, Member: ann,
			Note: "by seat 8", Active: true, CreatedAt: at(time.Now()), LastModifiedAt: at(time.Now())})
		e.fake.stubs = append(e.fake.stubs, rsc.MailStub{ID: "s8", Contract: testContract, Owner: seat8, Member: bob,
			FirstName: "Bob", EmailAddress: "bob@example.com", CreatedAt: at(time.Now())})
		e.fake.mu.Unlock()
		time.Sleep(time.Hour)
		run() // the stored seats are still fresh: seat 8 is not asked for
		time.Sleep(25 * time.Hour)
		run() // the seats are refreshed: seat 8's history is read
		a, _ := e.sink.Get(annID)
		if d := cmp.Diff([]string{"n8"}, each(a.Notes, func(n Note) string { return n.ID })); d != "" {
			t.Errorf("ann's notes (-want +got):\n%s", d)
		}
		if n := len(e.sink.Candidates()); n != 2 {
			t.Errorf("%d candidates, want 2 (the stub of seat 8 creates Bob)", n)
		}
		c, err := e.r.Cursors(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range []map[string]*Stream{c.Notes, c.Stubs} {
			if s := m[testContract]; s == nil || !slices.Equal(s.Owners, []string{seat7, seat8}) || len(m) != 1 {
				t.Errorf("streams %v: want the contract's, owned by seats 7 and 8, and no backfill left", m)
			}
		}
	})
}

// A seat deactivated between two polls has its records of the gap (from
// the last poll to the refresh that found it inactive) read: it is kept
// as a retiring seat until every stream has passed that refresh, then
// forgotten.
func TestDeactivatedSeatIsDrained(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env, ctx context.Context, now time.Time) {
		e.fake.seats = []rsc.Seat{seat(7, rec7), seat(8, "urn:li:person:rec8")}
		annID := e.sink.AddCandidate(Candidate{Person: ann, UpdatedAt: now})
		run := func() { t.Helper(); e.runOnce(t, ctx) }
		run()
		time.Sleep(23*time.Hour + 30*time.Minute)
		run() // the last run before the seats are refreshed
		time.Sleep(5 * time.Minute)
		e.fake.mu.Lock()
		t1 := at(time.Now())
		e.fake.stubs = append(e.fake.stubs, rsc.MailStub{ID: "s7", Contract: testContract, Owner: seat7, Member: bob,
			FirstName: "Bob", EmailAddress: "bob@example.com", CreatedAt: t1})
		e.fake.events = append(e.fake.events, rsc.ConversationEvent{ID: "e7", Conversation: "c7", Viewer: seat7,
			Member: ann, Author: ann, CreatedAt: t1, Body: "yes, call me"})
		e.fake.notes = append(e.fake.notes, rsc.ProspectNote{ID: "n7", Contract: testContract, Owner: seat7, Member: ann,
			Note: "great fit", Active: true, CreatedAt: t1, LastModifiedAt: t1})
		e.fake.seats[0].State = "INACTIVE"
		e.fake.mu.Unlock()
		time.Sleep(25 * time.Minute)
		refreshed := ms(time.Now())
		run() // the seats are refreshed: seat 7 is retiring, and read up to now
		c, err := e.r.Cursors(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := []RetiringSeat{{SeatHolder: SeatHolder{Seat: seat7, Contract: testContract, Member: rec7, State: "ACTIVE"}, Until: refreshed}}
		if d := cmp.Diff(want, c.Retiring); d != "" {
			t.Errorf("retiring seats (-want +got):\n%s", d)
		}
		a, _ := e.sink.Get(annID)
		if d := cmp.Diff([]string{"e7"}, each(a.Messages, func(m Message) string { return m.ID })); d != "" {
			t.Errorf("ann's messages (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]string{"n7"}, each(a.Notes, func(n Note) string { return n.ID })); d != "" {
			t.Errorf("ann's notes (-want +got):\n%s", d)
		}
		if d := cmp.Diff([]string{ann, bob}, each(e.sink.Candidates(), func(c SinkCandidate) string { return c.Person })); d != "" {
			t.Errorf("candidates (-want +got): Bob's stub s7 creates Bob\n%s", d)
		}
		for range 2 { // the first run reads up to now (the last one up to the refresh minus the lag); the next forgets seat 7
			time.Sleep(30 * time.Minute)
			run()
		}
		if c, err = e.r.Cursors(ctx); err != nil {
			t.Fatal(err)
		}
		if len(c.Retiring) != 0 {
			t.Errorf("retiring seats after they were drained = %+v", c.Retiring)
		}
		for _, m := range []map[string]*Stream{c.Notes, c.Stubs} {
			if s := m[testContract]; s == nil || !slices.Equal(s.Owners, []string{seat8}) {
				t.Errorf("streams %v: want the contract's owned by seat 8 only", m)
			}
		}
	})
}

// retire keeps the seats a refresh no longer lists as retiring since the
// refresh, once, and forgets those listed again.
func TestRetire(t *testing.T) {
	h := func(seat string) SeatHolder { return SeatHolder{Seat: seat, Contract: testContract} }
	for _, tc := range []struct {
		name     string
		old      []SeatHolder
		retiring []RetiringSeat
		active   []SeatHolder
		want     []RetiringSeat
	}{
		{"none removed", []SeatHolder{h("s1")}, nil, []SeatHolder{h("s1"), h("s2")}, nil},
		{"removed", []SeatHolder{h("s1"), h("s2")}, nil, []SeatHolder{h("s2")}, []RetiringSeat{{h("s1"), 9}}},
		{"retiring already", []SeatHolder{h("s1")}, []RetiringSeat{{h("s1"), 5}}, nil, []RetiringSeat{{h("s1"), 5}}},
		{"active again", []SeatHolder{h("s2")}, []RetiringSeat{{h("s1"), 5}}, []SeatHolder{h("s1"), h("s2")}, []RetiringSeat{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if d := cmp.Diff(tc.want, retire(tc.old, tc.retiring, tc.active, 9), cmpopts.EquateEmpty()); d != "" {
				t.Errorf("retiring (-want +got):\n%s", d)
			}
		})
	}
}

// noteShiftSink edits an already-read note on LinkedIn while the poll
// upserts the next one, as a recruiter may: the edited note leaves the
// window being paged.
type noteShiftSink struct {
	*MemorySink
	once sync.Once
	f    *fakeLI
}

func (s *noteShiftSink) UpsertNote(ctx context.Context, id string, n Note) error {
	if n.ID == "n001" {
		s.once.Do(func() {
			s.f.mu.Lock()
			s.f.notes[0].LastModifiedAt, s.f.notes[0].Note = at(time.Now()), "edited"
			s.f.mu.Unlock()
		})
	}
	return s.MemorySink.UpsertNote(ctx, id, n)
}

// A note edited while its window is paged shifts the later ones down a
// place: the window is listed again, so the note at the page boundary is
// not passed over, and the edit arrives with the next window.
func TestNoteEditedWhilePaging(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		e := newEnv(t, WithLookback(6*time.Hour))
		e.r.cfg.Sink = &noteShiftSink{MemorySink: e.sink, f: e.fake}
		now := time.Now()
		e.fake.seats = []rsc.Seat{seat(7, rec7)}
		annID := e.sink.AddCandidate(Candidate{Person: ann, UpdatedAt: now})
		for i := range 150 {
			m := at(now.Add(-5*time.Hour + time.Duration(i)*time.Second))
			e.fake.notes = append(e.fake.notes, rsc.ProspectNote{ID: fmt.Sprintf("n%03d", i), Contract: testContract, Owner: seat7,
				Member: ann, Note: "x", Active: true, CreatedAt: m, LastModifiedAt: m})
		}
		for range 2 {
			if _, err := e.r.PollNotes(t.Context()); err != nil {
				t.Fatal(err)
			}
			time.Sleep(time.Hour)
		}
		a, _ := e.sink.Get(annID)
		texts := map[string]string{}
		for _, n := range a.Notes {
			texts[n.ID] = n.Text
		}
		if len(texts) != 150 || texts["n000"] != "edited" || texts["n100"] != "x" {
			t.Errorf("%d notes upserted, n000 %q, n100 %q; want 150, the edit and n100", len(texts), texts["n000"], texts["n100"])
		}
	})
}

// each returns f of each of xs, in order (nil for none).
func each[T any](xs []T, f func(T) string) []string {
	var out []string
	for _, x := range xs {
		out = append(out, f(x))
	}
	return out
}

// A deactivated seat stays among the notes stream's owners while a note of
// it waits for its member's candidate: once the candidate appears, the
// replay lists the seat's notes again and delivers the note, rather than
// dropping the member from Pending with nothing written.
func TestRetiredSeatKeepsItsPendingNote(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env, ctx context.Context, now time.Time) {
		rec8 := "urn:li:person:rec8"
		e.fake.seats = []rsc.Seat{seat(7, rec7), seat(8, rec8)}
		e.fake.notes = []rsc.ProspectNote{{ID: "n8", Contract: testContract, Owner: seat8, Member: bob, Note: "call back",
			Active: true, CreatedAt: at(now.Add(-time.Hour)), LastModifiedAt: at(now.Add(-time.Hour))}}
		e.runOnce(t, ctx) // n8 waits: Bob has no candidate
		e.fake.mu.Lock()
		e.fake.seats = []rsc.Seat{seat(7, rec7)} // seat 8 deactivated
		e.fake.mu.Unlock()
		for range 3 {
			time.Sleep(25 * time.Hour)
			e.runOnce(t, ctx)
		}
		bobID := e.sink.AddCandidate(Candidate{Person: bob, UpdatedAt: time.Now()})
		time.Sleep(time.Hour)
		if _, err := e.r.PollNotes(ctx); err != nil {
			t.Fatal(err)
		}
		b, _ := e.sink.Get(bobID)
		var notes []string
		for _, n := range b.Notes {
			notes = append(notes, n.ID)
		}
		if d := cmp.Diff([]string{"n8"}, notes); d != "" {
			t.Errorf("Bob's notes (-want +got):\n%s", d)
		}
	})
}

// A stub profile is not matched by email to a candidate bound to another
// member (a shared family address): the member gets a candidate of their
// own, their contact details land there, and their InMail reply is
// delivered to it instead of waiting.
func TestStubNotMatchedToAnotherMembersCandidate(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env, ctx context.Context, now time.Time) {
		e.fake.seats = []rsc.Seat{seat(7, rec7)}
		bobID := e.sink.AddCandidate(Candidate{FirstName: "Bob", Person: bob, Emails: []string{"family@example.com"}, UpdatedAt: now})
		e.fake.stubs = []rsc.MailStub{{ID: "s1", Contract: testContract, Owner: seat7, Member: ann, FirstName: "Ann",
			EmailAddress: "family@example.com", PhoneNumber: "+1 555 0100", CreatedAt: at(now.Add(-time.Hour))}}
		e.fake.events = []rsc.ConversationEvent{{ID: "e1", Viewer: seat7, Member: ann, Author: ann, CreatedAt: at(now.Add(-time.Hour)),
			Body: "here is my number", ContactInfoShared: true}}
		if _, err := e.r.RunOnce(ctx); err != nil {
			t.Fatal(err)
		}
		b, _ := e.sink.Get(bobID)
		for _, n := range b.Notices {
			if n.Member == ann {
				t.Errorf("Ann's notice %s recorded on Bob's candidate %s", n.ID, bobID)
			}
		}
		cs, err := e.sink.CandidatesByPerson(ctx, ann)
		if err != nil || len(cs) != 1 {
			t.Fatalf("Ann's candidates: %+v, %v; want one", cs, err)
		}
		annC, _ := e.sink.Get(cs[0].ID)
		var got []string
		for _, n := range annC.Notices {
			got = append(got, n.ID)
		}
		for _, m := range annC.Messages {
			got = append(got, m.ID)
		}
		if d := cmp.Diff([]string{"stub:s1", "e1"}, got); d != "" {
			t.Errorf("the notices and messages on Ann's candidate (-want +got):\n%s", d)
		}
	})
}

// A cursors file written by a newer version, holding fields this one does
// not know (say, a journal of another shape), is refused rather than read
// without them: the first change this version saved would drop them, and
// the exports or notices they hold with them. The file is left as it was.
func TestFileCursorsOfANewerVersion(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	files, err := NewFileCursors(dir)
	if err != nil {
		t.Fatal(err)
	}
	if err := files.Save(ctx, "acme", Cursors{PendingExports: map[string]PendingExport{"r1": {ReceivedAt: 1}}}); err != nil {
		t.Fatal(err)
	}
	name := filepath.Join(dir, "c-acme.json")
	b, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	for _, newer := range []struct{ old, new string }{
		{`"value":{`, `"value":{"exportJournal":{"r9":{"receivedAt":2}},`}, // a field of Cursors
		{`"receivedAt":1`, `"receivedAt":1,"priority":3`},                  // a field of PendingExport
	} {
		t.Run(newer.new, func(t *testing.T) {
			doc := []byte(strings.Replace(string(b), newer.old, newer.new, 1))
			if err := os.WriteFile(name, doc, 0o600); err != nil {
				t.Fatal(err)
			}
			if _, err := files.Load(ctx, "acme"); err == nil || !strings.Contains(err.Error(), "unknown field") {
				t.Errorf("Load = %v, want an error naming the unknown field", err)
			}
			e := newEnv(t, WithCursorStore(files))
			e.r.cfg.CustomerID = "acme"
			if err := e.r.AcceptExport(ctx, "r2"); err == nil {
				t.Error("AcceptExport over the newer file succeeded")
			}
			if got, _ := os.ReadFile(name); string(got) != string(doc) {
				t.Errorf("file changed:\n%s\nwant\n%s", got, doc)
			}
		})
	}
}
