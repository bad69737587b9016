package inmail

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/rscgo/rscgo/rsc"
)

// TestStubWindowSilentLimit: a stub search that stops at its limit without
// an error (LinkedIn documents only that "results stop at 20,000") is not
// taken for the whole window: a window whose listing reaches the limit is
// read in halves too (the limit lowered to 100 here, in the package and the
// fake).
func TestStubWindowSilentLimit(t *testing.T) {
	inBubble(t, func(t *testing.T, e *env, ctx context.Context, now time.Time) {
		e.r.opt.stubLimit = 100
		e.fake.stubCap = 100
		e.fake.seats = []rsc.Seat{seat(7, rec7)}
		var want []string
		for i := range 250 {
			p := fmt.Sprintf("urn:li:person:m%03d", i)
			want = append(want, p)
			e.fake.stubs = append(e.fake.stubs, rsc.MailStub{ID: fmt.Sprintf("s%03d", i), Contract: testContract, Owner: seat7,
				Member: p, FirstName: "M", LastName: fmt.Sprint(i), CreatedAt: at(now.Add(-time.Duration(i+1) * time.Minute))})
		}
		rep, err := e.r.PollStubs(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(StubReport{Stubs: 250, Created: 250}, rep); d != "" {
			t.Errorf("report (-want +got):\n%s", d)
		}
		var got []string
		for _, c := range e.sink.Candidates() {
			got = append(got, c.Person)
		}
		slices.Sort(got)
		if d := cmp.Diff(want, got); d != "" {
			t.Errorf("stub candidates (-want +got):\n%s", d)
		}
		c, err := e.r.Cursors(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if end := ms(now.Add(-time.Millisecond)); c.Stubs[testContract].Next != end {
			t.Errorf("stub stream at %d, want the poll's end %d", c.Stubs[testContract].Next, end)
		}
	})
}
