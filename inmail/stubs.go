package inmail

import (
	"context"
	"fmt"
	"time"

	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/rsc"
)

// StubWindow is the longest createdDate range of one mailStubs query; it
// keeps each result set well under LinkedIn's 20,000-record window.
const StubWindow = 7 * 24 * time.Hour

func (r *Retriever) pollStubs(ctx context.Context) (rep StubReport, err error) {
	defer func() {
		r.log.DebugContext(ctx, "stubs polled", "stubs", rep.Stubs, "created", rep.Created, "matched", rep.Matched)
	}()
	poll := func(p contractPoll) error { return r.pollStubContract(ctx, p, &rep) }
	err = r.eachContract(ctx, milestones.ShareContactInfoInMail, streamsStubs, &rep.Skipped, poll)
	return rep, err
}

// PollStubs reads InMail stub profiles (mailStubs: members who replied and
// shared their contact information) per contract, owned by the stored
// seats, and creates or matches a candidate for each: person URN first,
// then email, never a duplicate (FindMatch). A matched candidate without a
// person URN gets it; the shared email and phone are recorded as an
// NoticeContactShared notice (the ATS's own fields are not changed).
// It needs contract-level access and the InMail Stub Profile setting
// (milestones.ShareContactInfoInMail). A seat that appears in the stored
// seats later has its stubs read from the lookback on before the contract's
// stream goes on.
func (r *Retriever) PollStubs(ctx context.Context) (StubReport, error) {
	return locked(r, ctx, r.pollStubs)
}

func (r *Retriever) pollStubContract(ctx context.Context, p contractPoll, rep *StubReport) error {
	st, seats, contract, key, owners, cur, end := p.st, p.seats, p.contract, p.key, p.owners, p.cur, p.end
	return r.advance(ctx, streamsStubs, key, cur, end, StubWindow.Milliseconds(), func(from, to int64) error {
		for s, err := range r.cfg.Client.MailStubs.List(ctx, contract, owners, rsc.EpochMillis(from), rsc.EpochMillis(to)) {
			if err != nil {
				return fmt.Errorf("inmail: mailStubs: %w", err)
			}
			rep.Stubs++
			if err := r.importStub(ctx, st, seats, s, rep); err != nil {
				return err
			}
		}
		return nil
	})
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
		return fmt.Errorf("inmail: stub %s: %w", s.ID, err)
	}
	if created {
		rep.Created++
	} else {
		rep.Matched++
		if ok, why := milestones.Available(st, milestones.ShareContactInfoInMail, c.UpdatedAt); !ok {
			r.log.DebugContext(ctx, "stub not applied", "stub", s.ID, "candidate", c.ID, "reason", why)
			return nil
		}
		if c.Person == "" && s.Member != "" {
			if err := r.cfg.Sink.SetLinkedInProfile(ctx, c.ID, Profile{Person: s.Member, URL: r.opt.profileURL(s.Member)}); err != nil {
				return fmt.Errorf("inmail: stub %s: %w", s.ID, err)
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
