package inmail

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// SeatHolder is a Recruiter seat mapped to an ATS user. It carries ids
// only (it is persisted in the cursors).
type SeatHolder struct {
	Seat     string `json:"seat"`            // urn:li:seat:{id}
	Contract string `json:"contract"`        // urn:li:contract:{id}
	Member   string `json:"member"`          // the seat holder's person URN
	User     string `json:"user,omitempty"`  // the ATS user it maps to (WithUsers), "" if unmapped
	State    string `json:"state,omitempty"` // the seat's state as seatsV2 lists it
}

// RetiringSeat is a seat a refresh found no longer active. Its records
// created before the refresh, since the last poll, are read still: it
// stays among the seats the InMail, note and stub pollers read until their
// streams have passed Until (and its InMail stream has no pending member),
// or for the pending TTL (WithPendingTTL) after Until at most.
type RetiringSeat struct {
	// SeatHolder is the seat as it was last listed.
	SeatHolder
	// Until is when the refresh that removed it ran (epoch milliseconds).
	Until int64 `json:"until"`
}

const reasonNoContract = "seats, InMail history and notes need contract-level access (CSA_API), which is not enabled"

// RefreshSeats lists the ACTIVE Recruiter seat holders of the customer's
// contracts (seatsV2), maps each to an ATS user by person URN (WithUsers)
// and stores them: the InMail, stub and note pollers read these seats
// (the "Refresh Seats" button of other ATSs). A stored seat that is no
// longer listed becomes a RetiringSeat: the pollers read it on until they
// have passed the refresh. It needs contract-level access.
func (r *Retriever) RefreshSeats(ctx context.Context) (SeatReport, error) {
	if ctx == nil {
		return SeatReport{}, errNilContext
	}
	st, err := r.state(ctx)
	if err != nil {
		return SeatReport{}, err
	}
	if !st.Access.ContractLevel {
		return SeatReport{SkipReason: reasonNoContract}, nil
	}
	if len(r.cfg.Contracts) == 0 {
		return SeatReport{SkipReason: "no contracts configured"}, nil
	}
	var rep SeatReport
	for s, err := range r.cfg.Client.Seats.List(ctx, r.cfg.Contracts, "ACTIVE") {
		if err != nil {
			return SeatReport{}, fmt.Errorf("inmail: seatsV2: %w", err)
		}
		h := SeatHolder{Seat: s.URN(), Contract: s.Contract, Member: s.Member, State: s.State}
		if r.opt.users != nil && s.Member != "" {
			u, ok, err := r.opt.users.UserByPerson(ctx, s.Member)
			if err != nil {
				return SeatReport{}, fmt.Errorf("inmail: map seat %s: %w", h.Seat, err)
			}
			if ok {
				h.User = u
			}
		}
		if h.User == "" {
			rep.Unmapped++
		}
		rep.Seats = append(rep.Seats, h)
	}
	slices.SortFunc(rep.Seats, func(a, b SeatHolder) int { return cmp.Compare(a.Seat, b.Seat) })
	rep.Seats = slices.CompactFunc(rep.Seats, func(a, b SeatHolder) bool { return a.Seat == b.Seat })
	now := ms(r.now())
	if err := r.update(ctx, func(c *Cursors) {
		c.Retiring = retire(c.Seats, c.Retiring, rep.Seats, now)
		c.Seats, c.SeatsAt = slices.Clone(rep.Seats), now
	}); err != nil {
		return rep, err
	}
	r.log.DebugContext(ctx, "seats refreshed", "seats", len(rep.Seats), "unmapped", rep.Unmapped)
	return rep, nil
}

// Seats returns the stored seat holders (from the last RefreshSeats).
func (r *Retriever) Seats(ctx context.Context) ([]SeatHolder, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	c, err := r.Cursors(ctx)
	return c.Seats, err
}

// seats returns the stored seats, refreshing them first when there are none
// or they are older than the seat refresh interval.
func (r *Retriever) seats(ctx context.Context) ([]SeatHolder, error) {
	c, err := r.cached(ctx)
	if err != nil {
		return nil, err
	}
	age := r.now().Sub(time.UnixMilli(c.SeatsAt))
	if c.SeatsAt != 0 && age < r.opt.seatRefresh && age >= 0 {
		return c.Seats, nil
	}
	rep, err := r.RefreshSeats(ctx)
	if err != nil {
		if len(c.Seats) > 0 && !fatal(ctx, err) {
			r.log.WarnContext(ctx, "seat refresh failed; using stored seats", "err", err)
			return c.Seats, nil
		}
		return nil, err
	}
	return rep.Seats, nil // none when skipped: the flows then have nothing to read
}

// retire returns the retiring seats once the seats old are replaced by
// active at now: those of old no longer active join them, and those active
// again leave them.
func retire(old []SeatHolder, retiring []RetiringSeat, active []SeatHolder, now int64) []RetiringSeat {
	listed := func(seat string) bool {
		return slices.ContainsFunc(active, func(h SeatHolder) bool { return h.Seat == seat })
	}
	out := slices.DeleteFunc(slices.Clone(retiring), func(s RetiringSeat) bool { return listed(s.Seat) })
	for _, h := range old {
		if !listed(h.Seat) && !slices.ContainsFunc(out, func(s RetiringSeat) bool { return s.Seat == h.Seat }) {
			out = append(out, RetiringSeat{SeatHolder: h, Until: now})
		}
	}
	return out
}

// withRetiring returns the seats the pollers read: the active ones and
// the retiring ones not yet drained, forgetting those drained (their
// InMail stream and their contract's note and stub streams have passed
// Until, and the InMail stream has no pending member) or retired longer
// than the pending TTL ago.
func (r *Retriever) withRetiring(ctx context.Context, active []SeatHolder) ([]SeatHolder, error) {
	c, err := r.cached(ctx)
	if err != nil || len(c.Retiring) == 0 {
		return active, err
	}
	expiry := ms(r.now().Add(-r.opt.pendingTTL))
	drained := func(c *Cursors, s RetiringSeat) bool {
		passed := func(st *Stream) bool { return st != nil && st.Next >= s.Until }
		in := c.InMail[s.Seat]
		return s.Until < expiry ||
			passed(in) && len(in.Pending) == 0 && passed(c.Notes[s.Contract]) && len(c.Notes[s.Contract].Pending) == 0 && passed(c.Stubs[s.Contract])
	}
	if slices.ContainsFunc(c.Retiring, func(s RetiringSeat) bool { return drained(&c, s) }) {
		if err := r.update(ctx, func(c *Cursors) {
			c.Retiring = slices.DeleteFunc(c.Retiring, func(s RetiringSeat) bool { return drained(c, s) })
		}); err != nil {
			return nil, err
		}
		if c, err = r.cached(ctx); err != nil {
			return nil, err
		}
	}
	seats := slices.Clone(active)
	for _, s := range c.Retiring {
		if !slices.ContainsFunc(seats, func(h SeatHolder) bool { return h.Seat == s.Seat }) {
			seats = append(seats, s.SeatHolder)
		}
	}
	return seats, nil
}

// owners returns the seat URNs per contract.
func owners(seats []SeatHolder) map[string][]string {
	m := map[string][]string{}
	for _, s := range seats {
		m[s.Contract] = append(m[s.Contract], s.Seat)
	}
	return m
}

func userOf(seats []SeatHolder, seat string) string {
	for _, s := range seats {
		if s.Seat == seat {
			return s.User
		}
	}
	return ""
}
