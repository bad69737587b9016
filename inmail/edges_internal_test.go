package inmail

import (
	"context"
	"errors"
	"fmt"
	"net/url"
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
		got := each(e.sink.Candidates(), func(c SinkCandidate) string { return c.Person })
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

// TestTimedOut: an export attempt ran out of time when all its failures
// are deadlines, however wrapped or joined; one other failure among them
// makes it a failed attempt.
func TestTimedOut(t *testing.T) {
	deadline := fmt.Errorf("inmail: export r1 of %s: ATS: %w", ann, context.DeadlineExceeded)
	other := fmt.Errorf("inmail: export r1 of %s: %w", bob, errors.New("ATS: no such job"))
	http := &url.Error{Op: "Get", URL: "https://api.linkedin.com/v2/exportedCandidates", Err: context.DeadlineExceeded}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"the deadline", context.DeadlineExceeded, true},
		{"a wrapped deadline", deadline, true},
		{"LinkedIn's call past the deadline", fmt.Errorf("inmail: exportedCandidates r1: %w", http), true},
		{"every member timed out", errors.Join(deadline, deadline), true},
		{"wrapped, every member timed out", fmt.Errorf("attempt: %w", errors.Join(deadline, deadline)), true},
		{"one member failed otherwise", errors.Join(deadline, other), false},
		{"wrapped, one member failed otherwise", fmt.Errorf("attempt: %w", errors.Join(other, deadline)), false},
		{"another failure", other, false},
		{"cancellation", context.Canceled, false},
		{"nothing joined", errors.Join(), false},
	} {
		if got := timedOut(tc.err); got != tc.want {
			t.Errorf("%s: timedOut(%v) = %v, want %v", tc.name, tc.err, got, tc.want)
		}
	}
}

// The reason kept of an error (an ATS's, in the cursors) is valid UTF-8
// without NUL, so that every cursor store keeps it as it is: JSON would
// replace bytes that are not UTF-8, and PostgreSQL's jsonb refuses NUL.
func TestReasonIsStorable(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ATS: 503", "ATS: 503"},
		{"ATS: bad row 'a\x00b'", "ATS: bad row 'a\uFFFDb'"},
		{"ATS: C\xe9te", "ATS: C\uFFFDte"},
	} {
		if got := reason(errors.New(tc.in)); got != tc.want {
			t.Errorf("reason(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	// The bound holds once NUL bytes are replaced by three-byte U+FFFD.
	if got := reason(errors.New(string(make([]byte, maxReason)))); len(got) > maxReason+len("…") {
		t.Errorf("the reason of %d NUL bytes is %d bytes long, want at most %d", maxReason, len(got), maxReason+len("…"))
	}
}
