package inmail

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/time/rate"

	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/rsc"
)

// PollInMail reads each seat's InMail history (conversationEvents) in
// windows of at most 12 hours from its cursor up to now minus the lag
// (WithLag; now on the earlier of the injected clock and LinkedIn's, see
// the package documentation), and attaches each message to the candidate of the member
// (matched by person URN). It needs contract-level access
// (milestones.InMailSync).
//
// Messages never create a candidate: an outbound InMail without a reply, or
// a reply without shared contact information, is attached only when a
// candidate matches. Messages of a member with no match, or whose candidate
// the milestones do not cover yet (last modified before the integration was
// enabled, until Candidate Sync completes), are remembered per member (time
// only) and read again once a candidate matches, for up to the pending TTL
// (WithPendingTTL).
//
// Records are paced per seat (WithRecordsPerMinute) on the injected clock;
// the client paces the daily quota. Each finished window is persisted, so an
// interrupted poll resumes where it stopped.
func (r *Retriever) PollInMail(ctx context.Context) (InMailReport, error) {
	return locked(r, ctx, r.pollInMail)
}

func (r *Retriever) pollInMail(ctx context.Context) (InMailReport, error) {
	var rep InMailReport
	st, seats, skipped, err := r.gate(ctx, milestones.InMailSync)
	if err != nil || skipped != "" {
		rep.SkipReason = skipped
		return rep, err
	}
	end := r.windowEnd()
	var errs []error
	for _, seat := range seats {
		rep.Seats++
		if err := r.pollSeat(ctx, st, seats, seat, end, &rep); err != nil {
			errs = append(errs, fmt.Errorf("seat %s: %w", seat.Seat, err))
			if fatal(ctx, err) {
				break
			}
		}
	}
	r.log.DebugContext(ctx, "inmail polled", "seats", rep.Seats, "events", rep.Events, "attached", rep.Attached, "pending", rep.Pending)
	return rep, errors.Join(errs...)
}

func (r *Retriever) pollSeat(ctx context.Context, st milestones.State, seats []SeatHolder, seat SeatHolder, end int64, rep *InMailReport) error {
	cur, err := r.stream(ctx, streamsInMail, seat.Seat, end)
	if err != nil {
		return err
	}
	// 1. Members whose earlier messages are pending and who now match.
	expired := 0
	if err := r.replay(ctx, st, milestones.InMailSync, cur, &expired, func(ctx context.Context, from, to int64, want map[string]Candidate) error {
		for w := from; w < to; w = maxWindow(w, to) {
			rep.Windows++
			if err := r.readWindow(ctx, seats, seat, w, maxWindow(w, to), func(e rsc.ConversationEvent) error {
				c, ok := want[e.Member]
				if !ok || int64(e.CreatedAt) < cur.Pending[e.Member] {
					return nil
				}
				return r.deliver(ctx, streamsInMail, seat.Seat, cur, eventRecord(e), &rep.DeadLettered, func() error {
					if err := r.cfg.Sink.AttachMessage(ctx, c.ID, message(e, seats)); err != nil {
						return err
					}
					rep.Attached++
					return nil
				})
			}); err != nil {
				return err
			}
		}
		rep.Replayed += len(want)
		return nil
	}); err != nil {
		return err
	}
	if err := r.saveStream(ctx, streamsInMail, seat.Seat, cur); err != nil {
		return err
	}
	rep.Expired += expired // given up once the stream that dropped them is saved
	// 2. New windows.
	return r.advance(ctx, streamsInMail, seat.Seat, cur, end, rsc.MaxInMailWindow, func(from, to int64) error {
		rep.Windows++
		matches := map[string]*matchResult{}
		return r.readWindow(ctx, seats, seat, from, to, func(e rsc.ConversationEvent) error {
			rep.Events++
			return r.deliver(ctx, streamsInMail, seat.Seat, cur, eventRecord(e), &rep.DeadLettered, func() error {
				return r.takeEvent(ctx, st, seats, cur, matches, e, rep)
			})
		})
	})
}

// takeEvent attaches e to the candidate of its member, or keeps the
// member pending on cur when no candidate the milestones cover matches;
// matches memoises the lookups.
func (r *Retriever) takeEvent(ctx context.Context, st milestones.State, seats []SeatHolder, cur *Stream, matches map[string]*matchResult,
	e rsc.ConversationEvent, rep *InMailReport) error {
	if e.Member == "" {
		return nil
	}
	m := matches[e.Member]
	if m == nil {
		c, ok, err := r.allowedMatch(ctx, st, milestones.InMailSync, e.Member)
		if err != nil {
			return err
		}
		m = &matchResult{c, ok}
		matches[e.Member] = m
	}
	if !m.ok {
		rep.Pending++
		cur.addPending(e.Member, int64(e.CreatedAt))
		return nil
	}
	if err := r.cfg.Sink.AttachMessage(ctx, m.c.ID, message(e, seats)); err != nil {
		return err
	}
	rep.Attached++
	return nil
}

// eventRecord describes e as a dead letter would.
func eventRecord(e rsc.ConversationEvent) DeadRecord {
	return DeadRecord{ID: e.ID, Member: e.Member, Seat: e.Viewer, At: int64(e.CreatedAt)}
}

type matchResult struct {
	c  Candidate
	ok bool
}

// readWindow reads one seat window, pacing records, and calls f for each.
func (r *Retriever) readWindow(ctx context.Context, seats []SeatHolder, seat SeatHolder, from, to int64, f func(rsc.ConversationEvent) error) error {
	for e, err := range r.cfg.Client.InMail.Events(ctx, seat.Seat, rsc.EpochMillis(from), rsc.EpochMillis(to)) {
		if err != nil {
			return fmt.Errorf("inmail: conversationEvents: %w", err)
		}
		if err := r.pace(ctx, seat.Seat); err != nil {
			return err
		}
		if err := f(e); err != nil {
			return err
		}
	}
	return nil
}

// replay resolves pending members of cur: those that now match an allowed
// candidate are passed to read with the time range to read again
// ([oldest pending record within the TTL, cur.Next)); members whose newest
// pending record is older than the TTL are dropped, and counted in
// expired (which the caller reports once it saved cur). It updates
// cur.Pending and leaves persisting to the caller.
func (r *Retriever) replay(ctx context.Context, st milestones.State, feature milestones.FeatureID, cur *Stream, expired *int,
	read func(ctx context.Context, from, to int64, want map[string]Candidate) error) error {
	if len(cur.Pending) == 0 {
		return nil
	}
	expiry := ms(r.onLinkedIn(r.now()).Add(-r.opt.pendingTTL)) // the records' times are LinkedIn's
	want := map[string]Candidate{}
	from := cur.Next
	for m, at := range cur.Pending {
		if last := max(at, cur.PendingLast[m]); last < expiry {
			cur.dropPending(m) // even the newest record is older than the TTL
			*expired++
			continue
		}
		if at < expiry { // the records older than the TTL are given up
			at = expiry
			cur.Pending[m] = at
		}
		c, ok, err := r.allowedMatch(ctx, st, feature, m)
		if err != nil {
			return err
		}
		if ok {
			want[m] = c
			from = min(from, at)
		}
	}
	if len(want) == 0 {
		return nil
	}
	if err := read(ctx, from, cur.Next, want); err != nil {
		return err
	}
	for m := range want {
		cur.dropPending(m)
	}
	return nil
}

func message(e rsc.ConversationEvent, seats []SeatHolder) Message {
	return Message{
		ID: e.ID, Conversation: e.Conversation, Seat: e.Viewer, User: userOf(seats, e.Viewer),
		Member: e.Member, FromMember: e.FromMember(), Subject: e.Subject, Body: e.Body,
		At: e.CreatedAt.Time(), ContactInfoShared: e.ContactInfoShared,
	}
}

// pace waits until the seat may receive one more record.
func (r *Retriever) pace(ctx context.Context, seat string) error {
	r.limMu.Lock()
	lim := r.limiters[seat]
	if lim == nil {
		n := r.opt.recordsPerMinute
		lim = rate.NewLimiter(rate.Every(time.Minute/time.Duration(n)), n)
		r.limiters[seat] = lim
	}
	r.limMu.Unlock()
	now := r.now()
	res := lim.ReserveN(now, 1)
	if d := res.DelayFrom(now); d > 0 {
		if err := r.opt.clock.Sleep(ctx, d); err != nil {
			res.CancelAt(r.now())
			return err
		}
	}
	return nil
}
