package inmail

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/rsc"
)

// StubWindow is the longest createdDate range of one mailStubs query. A
// range holding more stubs than LinkedIn's stub search lists for one query
// (20,000, docs/linkedin-api.md §2.3, §8.5) is read in halves instead,
// recursively (see PollStubs).
const StubWindow = 7 * 24 * time.Hour

// stubSearchLimit is how many results LinkedIn's InMail stub search lists
// for one query: "results stop at 20,000" (docs/linkedin-api.md §2.3,
// §8.5).
const stubSearchLimit = 20_000

// StubWindowError reports a millisecond of InMail stubs that LinkedIn's
// stub search cannot list whole: more stubs of the contract's seats were
// created within it than one query lists (docs/linkedin-api.md §2.3). A
// longer window holding too many is read in halves; one millisecond cannot
// be split, so PollStubs stops there rather than pass stubs over: the
// stream stays at Start, and every later poll of the contract fails with
// this error at the same place (the other contracts and flows go on).
type StubWindowError struct {
	// Contract is the contract whose stubs were listed.
	Contract string
	// Start and End bound the window, [Start, End), in epoch milliseconds.
	Start, End int64
	// Listed is how many stubs the search listed before it stopped.
	Listed int
	// Err is LinkedIn's answer that stopped the listing (a 400 past the
	// search's limit), nil when the listing reached the limit.
	Err error
}

// Error implements error.
func (e *StubWindowError) Error() string {
	s := fmt.Sprintf("inmail: mailStubs of %s: LinkedIn's search cannot list the stubs created in [%d, %d) whole (it stopped after %d), and one millisecond cannot be split further",
		e.Contract, e.Start, e.End, e.Listed)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the underlying error.
func (e *StubWindowError) Unwrap() error { return e.Err }

func (r *Retriever) pollStubs(ctx context.Context) (rep StubReport, err error) {
	defer func() {
		r.log.DebugContext(ctx, "stubs polled", "stubs", rep.Stubs, "created", rep.Created, "matched", rep.Matched)
	}()
	poll := func(p contractPoll) error { return r.pollStubContract(ctx, p, &rep) }
	err = r.eachContract(ctx, milestones.ShareContactInfoInMail, streamsStubs, &rep.SkipReason, poll)
	return rep, err
}

// PollStubs reads InMail stub profiles (mailStubs: members who replied and
// shared their contact information) per contract, owned by the stored
// seats, and creates or matches a candidate for each: person URN first,
// then email, never a duplicate (FindMatch). A matched candidate without a
// person URN gets it; the shared email and phone are recorded as an
// NoticeContactShared notice (the ATS's own fields are not changed). A
// member who closed their LinkedIn account while the ATS held no candidate
// of theirs gets the NoticeMemberDeleted notice too (see PollDeletions).
// It needs contract-level access and the InMail Stub Profile setting
// (milestones.ShareContactInfoInMail). A seat that appears in the stored
// seats later has its stubs read from the lookback on before the contract's
// stream goes on.
//
// Stubs are read in windows of createdDate of at most StubWindow. LinkedIn's
// stub search lists at most 20,000 results a query (docs/linkedin-api.md
// §2.3): a window whose listing reaches that many, or is refused (400) on a
// later page after its first ones were served, is read again in halves,
// recursively, and the stream advances only past windows listed whole.
// Only a single millisecond holding too many stubs stops the contract's
// poll, with a *StubWindowError.
func (r *Retriever) PollStubs(ctx context.Context) (StubReport, error) {
	return locked(r, ctx, r.pollStubs)
}

func (r *Retriever) pollStubContract(ctx context.Context, p contractPoll, rep *StubReport) error {
	st, seats, contract, key, owners, cur, end := p.st, p.seats, p.contract, p.key, p.owners, p.cur, p.end
	return r.advance(ctx, streamsStubs, key, cur, end, StubWindow.Milliseconds(), func(from, to int64) error {
		stubs, err := r.listStubs(ctx, contract, owners, from, to)
		if err != nil {
			return err
		}
		for _, s := range stubs {
			rep.Stubs++
			d := DeadRecord{ID: s.ID, Member: s.Member, Seat: s.Owner, Contract: s.Contract, At: int64(s.CreatedAt)}
			if err := r.deliver(ctx, streamsStubs, key, cur, d, &rep.DeadLettered, func() error { return r.importStub(ctx, st, seats, s, rep) }); err != nil {
				return err
			}
		}
		return nil
	})
}

// listStubs lists the stubs of owners created in [from, to). A window
// LinkedIn's search cannot list whole is errSplit (advance reads it again
// in halves), or a *StubWindowError when it is one millisecond. The stubs
// are held until the listing ends, so that a window read again in halves
// is not imported twice.
//
// rsc's finder does not expose paging.total, so a window is known to be
// too full only by listing it: when the listing reaches the search's limit
// (LinkedIn's documented "results stop at 20,000" may be a silent stop),
// or when a later page is refused with a 400 after the same query served
// the first ones, which can only be about start, the search window
// (rsctest's fake answers so, docs/linkedin-api.md §13.11).
func (r *Retriever) listStubs(ctx context.Context, contract string, owners []string, from, to int64) ([]rsc.MailStub, error) {
	var stubs []rsc.MailStub
	full := func(cause error) error {
		if to-from > 1 {
			return errSplit
		}
		return &StubWindowError{Contract: contract, Start: from, End: to, Listed: len(stubs), Err: cause}
	}
	for s, err := range r.cfg.Client.MailStubs.List(ctx, contract, owners, rsc.EpochMillis(from), rsc.EpochMillis(to)) {
		if err != nil {
			var ae *rsc.APIError
			if len(stubs) > 0 && errors.As(err, &ae) && ae.StatusCode == http.StatusBadRequest {
				return nil, full(fmt.Errorf("inmail: mailStubs: %w", err))
			}
			return nil, fmt.Errorf("inmail: mailStubs: %w", err)
		}
		stubs = append(stubs, s)
		if len(stubs) >= r.opt.stubLimit {
			return nil, full(nil)
		}
	}
	return stubs, nil
}

func (r *Retriever) importStub(ctx context.Context, st milestones.State, seats []SeatHolder, s rsc.MailStub, rep *StubReport) error {
	if s.Member == "" && s.EmailAddress == "" {
		return nil // nothing to match or create on
	}
	c, created, err := r.matchOrCreate(ctx, s.Member, s.EmailAddress, NewCandidate{
		Person: s.Member, FirstName: s.FirstName, LastName: s.LastName,
		ProfileURL: r.opt.profileURL(s.Member), Email: s.EmailAddress, Phone: s.PhoneNumber,
		Origin: OriginInMailStub, Owner: userOf(seats, s.Owner), At: s.CreatedAt.Time(),
	})
	if err != nil {
		return err
	}
	if err := r.noticeIfClosed(ctx, st, c.ID, s.Member); err != nil {
		return err
	}
	if created {
		rep.Created++
	} else {
		rep.Matched++
		if ok, why := milestones.Available(st, milestones.ShareContactInfoInMail, c.UpdatedAt); !ok {
			// A failure, retried and dead-lettered as any: the member's
			// shared details are never dropped.
			return fmt.Errorf("candidate %s: %s", c.ID, why)
		}
		if c.Person == "" && s.Member != "" {
			if err := r.cfg.Sink.SetLinkedInProfile(ctx, c.ID, Profile{Person: s.Member, URL: r.opt.profileURL(s.Member)}); err != nil {
				return err
			}
			rep.Linked++
		}
	}
	return r.cfg.Sink.RecordNotice(ctx, c.ID, Notice{
		ID: "stub:" + s.ID, Kind: NoticeContactShared, At: s.CreatedAt.Time(),
		Text:   "Replied to an InMail and shared contact information",
		Member: s.Member, Seat: s.Owner, User: userOf(seats, s.Owner),
		Email: s.EmailAddress, Phone: s.PhoneNumber,
	})
}
