package inmail

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/rsc"
)

// deletionOverlap is read again on every closed-profiles poll, for notices
// LinkedIn lists late; notices are idempotent, so overlap is harmless.
const deletionOverlap = 24 * time.Hour

// PollDeletions lists members who closed their LinkedIn account
// (closed profiles) and records a NoticeMemberDeleted notice on every
// affected candidate: those LinkedIn names (atsCandidateIds) and those whose
// stored person URN is the member. The customer, as data controller,
// decides what to delete. Members whose candidates the milestones
// (milestones.MemberDeletionActivity) do not cover yet are remembered and
// retried. LinkedIn requires this at least every 30 days; RunOnce calls it
// every WithDeletionInterval.
func (r *Retriever) PollDeletions(ctx context.Context) (DeletionReport, error) {
	return locked(r, ctx, r.pollDeletions)
}

func (r *Retriever) pollDeletions(ctx context.Context) (DeletionReport, error) {
	var rep DeletionReport
	st, err := r.state(ctx)
	if err != nil {
		return rep, err
	}
	if on, why := featureOn(st, milestones.MemberDeletionActivity); !on {
		rep.Skipped = why
		return rep, nil
	}
	c, err := r.cached(ctx)
	if err != nil {
		return rep, err
	}
	cur := c.Closed.clone()
	if cur == nil {
		cur = &Stream{}
	}
	started := r.now()
	cur.Next = r.aheadOf(ctx, "closed profiles", cur.Next, ms(started.Add(-deletionOverlap)))
	since := cur.Next
	for _, at := range cur.Pending {
		since = min(since, at)
	}
	pending := map[string]int64{}
	for p, err := range r.cfg.Client.ClosedProfiles.List(ctx, r.cfg.Organization, rsc.EpochMillis(since)) {
		if err != nil {
			return rep, fmt.Errorf("inmail: closed profiles: %w", err)
		}
		rep.Profiles++
		held, err := r.memberDeleted(ctx, st, p, &rep)
		if err != nil {
			return rep, err
		}
		if held {
			pending[p.Member] = int64(p.ClosedAt)
		}
	}
	rep.Pending = len(pending)
	expiry := ms(started.Add(-r.opt.pendingTTL))
	for m, at := range pending {
		if at < expiry {
			delete(pending, m)
		}
	}
	cur.Pending = pending
	cur.Next = max(cur.Next, ms(started.Add(-deletionOverlap)))
	err = r.update(ctx, func(c *Cursors) { c.Closed, c.ClosedAt = cur.clone(), ms(started) })
	r.log.DebugContext(ctx, "closed profiles polled", "profiles", rep.Profiles, "notices", rep.Notices)
	return rep, err
}

// memberDeleted records the notice on the member's candidates; held
// reports that some candidate was not covered by the milestones yet.
func (r *Retriever) memberDeleted(ctx context.Context, st milestones.State, p rsc.ClosedProfile, rep *DeletionReport) (held bool, err error) {
	ids := slices.Clone(p.ATSCandidateIDs)
	if p.Member != "" {
		cs, err := r.cfg.Sink.CandidatesByPerson(ctx, p.Member)
		if err != nil {
			return false, fmt.Errorf("inmail: candidates of closed member: %w", err)
		}
		for _, c := range cs {
			ids = append(ids, c.ID)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for _, id := range ids {
		c, err := r.cfg.Sink.Candidate(ctx, id)
		if errors.Is(err, ErrCandidateNotFound) {
			continue // already deleted in the ATS
		}
		if err != nil {
			return held, fmt.Errorf("inmail: candidate %s: %w", id, err)
		}
		if ok, _ := milestones.Available(st, milestones.MemberDeletionActivity, c.UpdatedAt); !ok {
			held = true
			continue
		}
		if err := r.cfg.Sink.RecordNotice(ctx, id, Notice{
			ID: "member-deleted:" + p.Member + ":" + strconv.FormatInt(int64(p.ClosedAt), 10), Kind: NoticeMemberDeleted,
			At:     p.ClosedAt.Time(),
			Text:   "The LinkedIn member closed their account; review and delete LinkedIn-sourced data (InMails, notes, profile) unless you have a legal basis to keep it",
			Member: p.Member,
		}); err != nil {
			return held, fmt.Errorf("inmail: record deletion on %s: %w", id, err)
		}
		rep.Notices++
	}
	return held, nil
}

// deletionsDue reports whether closed profiles should be polled now: never
// polled, polled longer than the deletion interval ago, or last polled
// seemingly in the future, by a clock that ran ahead and has since been set
// back (waiting for it to catch up could break LinkedIn's 30-day rule).
func (r *Retriever) deletionsDue(c Cursors) bool {
	age := r.now().Sub(time.UnixMilli(c.ClosedAt))
	return c.ClosedAt == 0 || age >= r.opt.deletionInterval || age < 0
}
