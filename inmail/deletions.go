package inmail

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/rsc"
)

// deletionOverlap is read again on every closed-profiles poll, for notices
// LinkedIn lists late; notices are idempotent, so overlap is harmless.
const deletionOverlap = 24 * time.Hour

// ClosedMemberTTL is how long a member who closed their LinkedIn account
// is remembered (from the
// closure, by the earlier of the Retriever's clock and LinkedIn's as the
// client knows it, rsc.Client.LinkedInNow: a clock that runs ahead does
// not forget the member early), so that a candidate an export or a stub
// profile brings in later gets the NoticeMemberDeleted notice (see
// PollDeletions). A member is remembered longer while an export journaled
// or dead-lettered before the closure was read, or a dead-lettered stub
// profile of the member, is still held: those may bring the candidate in
// at any time.
const ClosedMemberTTL = 90 * 24 * time.Hour

// MaxClosedMembers bounds the remembered closed members (ClosedMemberTTL).
// A member of whom the ATS holds no candidate that finds it full is not
// dropped: it stays pending on the closed-profiles stream, listed and
// looked for again on every poll (up to the pending TTL, WithPendingTTL),
// and PollDeletions fails with an error wrapping ErrClosedMembersFull that
// names it. One whose candidates got the notice is not remembered then.
const MaxClosedMembers = 10_000

// ErrClosedMembersFull means MaxClosedMembers closed members are
// remembered already.
var ErrClosedMembersFull = errors.New("inmail: remembered closed members full")

// ClosedMember is a member who closed their LinkedIn account. Times are
// epoch milliseconds.
type ClosedMember struct {
	// ClosedAt is when the member closed their account.
	ClosedAt int64 `json:"closedAt"`
	// SeenAt is when a closed-profiles poll last listed the member.
	SeenAt int64 `json:"seenAt"`
}

// PollDeletions lists members who closed their LinkedIn account
// (closed profiles) and records a NoticeMemberDeleted notice on every
// affected candidate: those LinkedIn names (atsCandidateIds) and those whose
// stored person URN is the member. The customer, as data controller,
// decides what to delete. Members whose candidates the milestones
// (milestones.MemberDeletionActivity) do not cover yet are remembered and
// retried. Closed members are remembered for ClosedMemberTTL
// (Cursors.ClosedMembers, at most MaxClosedMembers): those of whom the ATS
// holds no candidate yet (their export is still journaled, say), and, as
// room allows, those whose candidates got the notice, as the customer may
// delete them and a journaled export bring the member in again.
// HandleExport and PollStubs record the notice on the candidate they
// create or match for such a member. LinkedIn requires this at least every 30 days; RunOnce
// calls it every WithDeletionInterval.
//
// A member whose notice the Sink fails to write (or whose candidates it
// fails to list) does not stop the poll: the others' notices are written,
// the member is kept pending on the closed-profiles stream and read again
// by the next poll, for as long as it takes (the pending TTL does not
// apply: a deletion notice is never given up on), and the error, naming
// the candidate, is returned. The poll does not count as made
// (Cursors.ClosedAt), so RunOnce polls again on its next run.
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
		rep.SkipReason = why
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
	cur.Next = r.aheadOf(ctx, "closed profiles", cur.Next, ms(r.onLinkedIn(started).Add(-deletionOverlap)))
	since := cur.Next
	for _, at := range cur.Pending {
		since = min(since, at)
	}
	found, err := r.listClosed(ctx, st, cur, since, started, &rep)
	if err != nil {
		return rep, err
	}
	pending, heldSince, failing := found.pending, found.heldSince, found.failing
	expiry := ms(started.Add(-r.opt.pendingTTL))
	// The start on LinkedIn's clock, as the listing's answers tell it: the
	// closures are stamped on it (docs/linkedin-api.md §2.5).
	onLinkedIn := r.onLinkedIn(started)
	// The pending TTL runs from when a member was first found held, not
	// from the closure: a closure older than the TTL found before
	// Candidate Sync completes must still reach its candidate.
	// A member whose notice the Sink failed to write is never given up on.
	maps.DeleteFunc(pending, func(m string, _ int64) bool { return heldSince[m] < expiry && !failing[m] })
	maps.DeleteFunc(heldSince, func(m string, _ int64) bool { _, ok := pending[m]; return !ok })
	cur.Pending, cur.PendingLast = pending, heldSince
	cur.Next = ms(onLinkedIn.Add(-deletionOverlap)) // even if the stream was ahead of it
	var unfit []string
	err = r.update(ctx, func(c *Cursors) {
		c.Closed = cur.clone()
		if len(failing) == 0 {
			c.ClosedAt = ms(started)
		}
		unfit = c.rememberClosed(found.absent, found.noticed, ms(onLinkedIn), ms(onLinkedIn.Add(-r.opt.pendingTTL)))
	})
	rep.Remembered = len(found.absent) - len(unfit)
	if err == nil {
		err = r.recheckAbsent(ctx, st, found.absent, unfit)
	}
	if err == nil && len(unfit) > 0 {
		err = fmt.Errorf("inmail: closed members %s kept pending: %w", strings.Join(unfit, ", "), ErrClosedMembersFull)
	}
	r.log.DebugContext(ctx, "closed profiles polled", "profiles", rep.Profiles, "notices", rep.Notices)
	return rep, errors.Join(append(found.errs, err)...)
}

// closedPoll is what one listing of closed profiles found.
type closedPoll struct {
	pending   map[string]int64        // members kept pending, by closure
	heldSince map[string]int64        // when each pending member was first found held
	absent    map[string]ClosedMember // members of whom the ATS holds no candidate
	noticed   map[string]ClosedMember // members whose candidates were found
	failing   map[string]bool         // members whose notice the Sink failed to write
	errs      []error                 // the failures of those notices
}

// listClosed lists the profiles closed since since and records each
// member's notice on their candidates (memberDeleted). A member whose
// notice fails is kept pending and the listing goes on; a failed listing
// or a fatal failure (cancellation, a spent daily quota) ends it with the
// errors so far.
func (r *Retriever) listClosed(ctx context.Context, st milestones.State, cur *Stream, since int64, started time.Time, rep *DeletionReport) (*closedPoll, error) {
	f := &closedPoll{pending: map[string]int64{}, heldSince: map[string]int64{},
		absent: map[string]ClosedMember{}, noticed: map[string]ClosedMember{}, failing: map[string]bool{}}
	keep := func(member string, closedAt rsc.EpochMillis) {
		f.pending[member] = int64(closedAt)
		first := ms(started)
		if s, ok := cur.PendingLast[member]; ok && s > 0 {
			first = min(first, s)
		}
		f.heldSince[member] = first
	}
	for p, err := range r.cfg.Client.ClosedProfiles.List(ctx, rsc.EpochMillis(since)) {
		if err != nil {
			return nil, errors.Join(append(f.errs, fmt.Errorf("inmail: closed profiles: %w", err))...)
		}
		rep.Profiles++
		ids, err := r.closedCandidates(ctx, p)
		held, found := false, 0
		if err == nil {
			held, found, err = r.memberDeleted(ctx, st, p, ids, rep)
		}
		if err != nil {
			// The member's notice is owed still: the poll goes on past it
			// (one candidate the ATS refuses must not keep the notices of
			// the members listed after it from theirs), and the member
			// stays pending, read again by the next poll.
			f.errs = append(f.errs, err)
			if fatal(ctx, err) || p.Member == "" {
				return nil, errors.Join(f.errs...)
			}
			f.failing[p.Member] = true
			keep(p.Member, p.ClosedAt)
			continue
		}
		if held {
			rep.Pending++
			keep(p.Member, p.ClosedAt)
		}
		if p.Member != "" {
			cm := ClosedMember{ClosedAt: int64(p.ClosedAt), SeenAt: ms(started)}
			if found == 0 {
				f.absent[p.Member] = cm
			} else {
				f.noticed[p.Member] = cm
			}
		}
	}
	return f, nil
}

// closedCandidates is the ATS candidates of a closed profile: those it
// names, and those the ATS holds for its member.
func (r *Retriever) closedCandidates(ctx context.Context, p rsc.ClosedProfile) ([]string, error) {
	ids := slices.Clone(p.ATSCandidateIDs)
	if p.Member == "" {
		return ids, nil
	}
	cs, err := r.cfg.Sink.CandidatesByPerson(ctx, p.Member)
	if err != nil {
		return nil, fmt.Errorf("inmail: candidates of closed member: %w", err)
	}
	for _, c := range cs {
		ids = append(ids, c.ID)
	}
	return ids, nil
}

// recheckAbsent looks again, once they are remembered, for the
// candidates of the closed members absent listed (but for those in
// unfit): an export or a stub profile handled while the poll ran may have
// brought one in after the poll looked, and before it remembered the
// member, so that its own check (noticeIfClosed, which reads the stored
// cursors after it created the candidate) found nothing. One of the two
// always sees the other: each looks after its own write.
func (r *Retriever) recheckAbsent(ctx context.Context, st milestones.State, absent map[string]ClosedMember, unfit []string) error {
	for _, m := range slices.Sorted(maps.Keys(absent)) {
		if slices.Contains(unfit, m) {
			continue
		}
		cs, err := r.cfg.Sink.CandidatesByPerson(ctx, m)
		if err != nil {
			return fmt.Errorf("inmail: candidates of closed member: %w", err)
		}
		for _, c := range cs {
			if err := r.noticeIfClosed(ctx, st, c.ID, m); err != nil {
				return err
			}
		}
	}
	return nil
}

// rememberClosed forgets the closed members past their time (see
// ClosedMemberTTL), then remembers absent ones. Those that do not fit
// (MaxClosedMembers) are returned, sorted, and kept pending on the
// closed-profiles stream instead, unless they closed their account before
// expiry (the pending TTL). Then it remembers the noticed ones, whose
// candidates got the notice, as room allows: the customer may delete
// those candidates, and a journaled export would bring the member in
// again. now and expiry are on LinkedIn's clock, as the closures are
// (Retriever.onLinkedIn).
func (c *Cursors) rememberClosed(absent, noticed map[string]ClosedMember, now, expiry int64) (unfit []string) {
	// The oldest journaled or dead-lettered export, which may bring in the
	// candidate of a member remembered after it was received.
	oldest, exports := int64(0), false
	received := func(at int64) {
		if !exports || at < oldest {
			oldest, exports = at, true
		}
	}
	for _, p := range c.PendingExports {
		received(p.ReceivedAt)
	}
	for _, d := range c.DeadExports {
		received(d.ReceivedAt)
	}
	deadStubs := map[string]bool{}
	for _, d := range c.DeadRecords {
		if d.Kind == RecordStub {
			deadStubs[d.Member] = true
		}
	}
	for m, cm := range c.ClosedMembers {
		if cm.ClosedAt < now-ClosedMemberTTL.Milliseconds() && (!exports || oldest > cm.SeenAt) && !deadStubs[m] {
			delete(c.ClosedMembers, m)
		}
	}
	for _, m := range slices.Sorted(maps.Keys(absent)) {
		if _, ok := c.ClosedMembers[m]; !ok && len(c.ClosedMembers) >= MaxClosedMembers {
			unfit = append(unfit, m)
			if absent[m].ClosedAt >= expiry {
				c.Closed.addClosed(m, absent[m].ClosedAt)
			}
			continue
		}
		if c.ClosedMembers == nil {
			c.ClosedMembers = map[string]ClosedMember{}
		}
		c.ClosedMembers[m] = absent[m]
	}
	for _, m := range slices.Sorted(maps.Keys(noticed)) {
		if _, ok := c.ClosedMembers[m]; ok || len(c.ClosedMembers) < MaxClosedMembers {
			if c.ClosedMembers == nil {
				c.ClosedMembers = map[string]ClosedMember{}
			}
			c.ClosedMembers[m] = noticed[m]
		}
	}
	return unfit
}

// addClosed keeps a closed member pending on the closed-profiles stream:
// listed and looked for again on every poll.
func (s *Stream) addClosed(member string, closedAt int64) {
	if s.Pending == nil {
		s.Pending = map[string]int64{}
	}
	s.Pending[member] = closedAt
}

// noticeIfClosed records the NoticeMemberDeleted notice on the candidate
// id that an export or a stub profile of person created or matched, when
// person closed their account (Cursors.ClosedMembers). A candidate the milestones do not cover yet
// leaves the member pending on the closed-profiles stream, for
// PollDeletions.
func (r *Retriever) noticeIfClosed(ctx context.Context, st milestones.State, id, person string) error {
	c, err := r.Cursors(ctx) // the store's: see recheckAbsent
	if err != nil {
		return err
	}
	cm, ok := c.ClosedMembers[person]
	if !ok || person == "" {
		return nil
	}
	p := rsc.ClosedProfile{Member: person, ClosedAt: rsc.EpochMillis(cm.ClosedAt)}
	held, _, err := r.memberDeleted(ctx, st, p, []string{id}, &DeletionReport{})
	if err != nil || !held {
		return err
	}
	overlap := ms(r.onLinkedIn(r.now()).Add(-deletionOverlap))
	return r.update(ctx, func(c *Cursors) {
		if c.Closed == nil {
			c.Closed = &Stream{Next: overlap}
		}
		c.Closed.addClosed(person, cm.ClosedAt)
	})
}

// memberDeleted records the notice on the candidates ids of the closed
// member p; held reports that some candidate was not covered by the
// milestones yet, found how many the ATS holds.
func (r *Retriever) memberDeleted(ctx context.Context, st milestones.State, p rsc.ClosedProfile, ids []string, rep *DeletionReport) (held bool, found int, err error) {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for _, id := range ids {
		c, err := r.cfg.Sink.Candidate(ctx, id)
		if errors.Is(err, ErrCandidateNotFound) {
			continue // already deleted in the ATS
		}
		if err != nil {
			return held, found, fmt.Errorf("inmail: candidate %s: %w", id, err)
		}
		found++
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
			return held, found, fmt.Errorf("inmail: record deletion on %s: %w", id, err)
		}
		rep.Notices++
	}
	return held, found, nil
}

// deletionsDue reports whether closed profiles should be polled now: never
// polled, polled longer than the deletion interval ago, or last polled
// seemingly in the future, by a clock that ran ahead and has since been set
// back (waiting for it to catch up could break LinkedIn's 30-day rule).
func (r *Retriever) deletionsDue(c Cursors) bool {
	age := r.now().Sub(time.UnixMilli(c.ClosedAt))
	return c.ClosedAt == 0 || age >= r.opt.deletionInterval || age < 0
}
