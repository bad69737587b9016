package inmail

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/oauth2"

	"github.com/rscgo/rscgo/rsc"
)

// failEventsOnce answers the next conversationEvents call with a 500 when
// armed, and passes everything else to the fake.
type failEventsOnce struct {
	f   *fakeLI
	arm atomic.Bool
}

func (t *failEventsOnce) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.Contains(req.URL.Path, "conversationEvents") && t.arm.CompareAndSwap(true, false) {
		return &http.Response{StatusCode: 500, Header: http.Header{}, Body: http.NoBody, Request: req}, nil
	}
	return t.f.RoundTrip(req)
}

// A member given up (past the TTL) is counted in Expired once: a poll
// whose replay read fails after the drop saves no drop and counts none;
// the next poll gives the member up and counts it.
func TestExpiredCountedOnceAcrossAFailedPoll(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := t.Context()
		fake := newFake(t)
		tr := &failEventsOnce{f: fake}
		cl, err := rsc.NewClient(rsc.WithBaseURL("http://fake.invalid"), rsc.WithTransport(tr),
			rsc.WithTokenSource(oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok"})),
			rsc.WithRetryPolicy(rsc.RetryPolicy{MaxAttempts: 1}))
		if err != nil {
			t.Fatal(err)
		}
		sink := NewMemorySink()
		state := fullState(time.Now().Add(-365 * 24 * time.Hour))
		r, err := New(Config{CustomerID: custID, Client: cl, Organization: testOrg, Contracts: []string{testContract},
			Sink: sink, State: state.get}, WithLag(time.Millisecond))
		if err != nil {
			t.Fatal(err)
		}
		fake.seats = []rsc.Seat{seat(7, rec7)}
		ev := func(id, member string) {
			fake.mu.Lock()
			fake.events = append(fake.events, rsc.ConversationEvent{ID: id, Viewer: seat7, Member: member, Author: seat7,
				CreatedAt: at(time.Now()), Body: id})
			fake.mu.Unlock()
			time.Sleep(time.Hour)
		}
		ev("b1", bob) // bob never gets a candidate
		if _, err := r.PollInMail(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(29 * 24 * time.Hour)
		ev("a1", ann)
		if _, err := r.PollInMail(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(2 * 24 * time.Hour) // bob's message is past the TTL, ann's is not
		sink.AddCandidate(Candidate{Person: ann, UpdatedAt: time.Now()})
		tr.arm.Store(true) // the replay read of ann's message fails
		var expired []int
		rep, err := r.PollInMail(ctx)
		if err == nil {
			t.Fatal("the poll with the failing replay read succeeded")
		}
		expired = append(expired, rep.Expired)
		rep, err = r.PollInMail(ctx)
		if err != nil {
			t.Fatal(err)
		}
		expired = append(expired, rep.Expired)
		if d := cmp.Diff([]int{0, 1}, expired); d != "" {
			t.Errorf("bob given up per poll (-want +got):\n%s", d)
		}
	})
}

// Expired counts per seat, as Replayed does: a member pending on two
// seats' streams, whose messages all pass the TTL, counts twice.
func TestExpiredCountsPerSeat(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env, ctx context.Context, now time.Time) {
		e.fake.seats = []rsc.Seat{seat(7, rec7), seat(8, "urn:li:person:rec8")}
		e.fake.mu.Lock()
		e.fake.events = append(e.fake.events,
			rsc.ConversationEvent{ID: "e7", Viewer: seat7, Member: bob, Author: seat7, CreatedAt: at(time.Now()), Body: "7"},
			rsc.ConversationEvent{ID: "e8", Viewer: seat8, Member: bob, Author: seat8, CreatedAt: at(time.Now()), Body: "8"})
		e.fake.mu.Unlock()
		time.Sleep(time.Hour)
		if _, err := e.r.PollInMail(ctx); err != nil {
			t.Fatal(err)
		}
		time.Sleep(31 * 24 * time.Hour)
		rep, err := e.r.PollInMail(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(2, rep.Expired); d != "" {
			t.Errorf("members given up, per seat (-want +got):\n%s", d)
		}
	})
}
