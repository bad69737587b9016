package inmail

import (
	"context"
	"fmt"

	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/rsc"
)

func (r *Retriever) pollNotes(ctx context.Context) (rep NotesReport, err error) {
	err = r.eachContract(ctx, milestones.InMailSync, streamsNotes, &rep.SkipReason, func(p contractPoll) error { return r.pollNotesContract(ctx, p, &rep) })
	r.log.DebugContext(ctx, "notes polled", "notes", rep.Notes, "upserted", rep.Upserted, "deleted", rep.Deleted)
	return rep, err
}

// PollNotes reads Recruiter prospect notes per contract by last-updated
// time, in windows of at most 12 hours, and writes active notes to the
// member's candidate (matched by person URN); notes that became inactive
// are deleted in the ATS. Notes never create a candidate; like InMail
// messages, notes of unmatched or not yet covered members are read again
// once a candidate matches. Notes are gated like InMail history
// (milestones.InMailSync: contract-level access, same record scope), since
// LinkedIn enables "InMail and Notes history" together. The query names the
// stored seats as owners; a seat that appears in them later has its notes
// read from the lookback on before the contract's stream goes on.
func (r *Retriever) PollNotes(ctx context.Context) (NotesReport, error) {
	return locked(r, ctx, r.pollNotes)
}

func (r *Retriever) pollNotesContract(ctx context.Context, p contractPoll, rep *NotesReport) error {
	st, seats, contract, key, owners, cur, end := p.st, p.seats, p.contract, p.key, p.owners, p.cur, p.end
	// readRange reads [from, to) in windows of at most 12 hours.
	readRange := func(from, to int64, f func(n rsc.ProspectNote) error) error {
		for w := from; w < to; w = maxWindow(w, to) {
			if err := r.readNotesWindow(ctx, contract, owners, w, maxWindow(w, to), f); err != nil {
				return err
			}
		}
		return nil
	}
	expired := 0
	if err := r.replay(ctx, st, milestones.InMailSync, cur, &expired, func(ctx context.Context, from, to int64, want map[string]Candidate) error {
		rep.Replayed += len(want)
		return readRange(from, to, func(n rsc.ProspectNote) error {
			c, ok := want[n.Member]
			if !ok || int64(n.LastModifiedAt) < cur.Pending[n.Member] {
				return nil
			}
			return r.deliver(ctx, streamsNotes, key, cur, noteRecord(n), &rep.DeadLettered, func() error { return r.applyNote(ctx, seats, c, n, rep) })
		})
	}); err != nil {
		return err
	}
	if err := r.saveStream(ctx, streamsNotes, key, cur); err != nil {
		return err
	}
	rep.Expired += expired // given up once the stream that dropped them is saved
	return r.advance(ctx, streamsNotes, key, cur, end, rsc.MaxInMailWindow, func(from, to int64) error {
		return readRange(from, to, func(n rsc.ProspectNote) error {
			rep.Notes++
			return r.deliver(ctx, streamsNotes, key, cur, noteRecord(n), &rep.DeadLettered, func() error { return r.takeNote(ctx, st, seats, cur, n, rep) })
		})
	})
}

// takeNote writes n to the candidate of its member (an inactive note is
// deleted), or keeps the member pending on cur when no candidate the
// milestones cover matches an active note.
func (r *Retriever) takeNote(ctx context.Context, st milestones.State, seats []SeatHolder, cur *Stream, n rsc.ProspectNote, rep *NotesReport) error {
	if n.Member == "" {
		return nil
	}
	c, found, err := FindMatch(ctx, r.cfg.Sink, n.Member, "")
	if err != nil {
		return err
	}
	if !n.Active {
		if !found {
			return nil
		}
		return r.applyNote(ctx, seats, c, n, rep)
	}
	if found {
		if ok, _ := milestones.Available(st, milestones.InMailSync, c.UpdatedAt); ok {
			return r.applyNote(ctx, seats, c, n, rep)
		}
	}
	rep.Pending++
	cur.addPending(n.Member, int64(n.LastModifiedAt))
	return nil
}

// noteRecord describes n as a dead letter would.
func noteRecord(n rsc.ProspectNote) DeadRecord {
	return DeadRecord{ID: n.ID, Member: n.Member, Seat: n.Owner, Contract: n.Contract, At: int64(n.LastModifiedAt)}
}

func (r *Retriever) applyNote(ctx context.Context, seats []SeatHolder, c Candidate, n rsc.ProspectNote, rep *NotesReport) error {
	if !n.Active {
		if err := r.cfg.Sink.DeleteNote(ctx, c.ID, n.ID); err != nil {
			return fmt.Errorf("delete: %w", err)
		}
		rep.Deleted++
		return nil
	}
	if err := r.cfg.Sink.UpsertNote(ctx, c.ID, Note{
		ID: n.ID, Seat: n.Owner, User: userOf(seats, n.Owner), Member: n.Member, Text: n.Note,
		CreatedAt: n.CreatedAt.Time(), UpdatedAt: n.LastModifiedAt.Time(),
	}); err != nil {
		return err
	}
	rep.Upserted++
	return nil
}

// notesPage is the page size of the prospect notes finder.
const notesPage = 100

// readNotesWindow calls f for each note of the window [from, to) (by last
// update). LinkedIn documents cutoffDate as an exclusive lower bound and
// beforeDate as an inclusive upper one, so the window is asked for as
// cutoffDate from-1 (from when it is 0) and beforeDate to-1; a LinkedIn
// that took cutoffDate as inclusive would list the millisecond before from
// again, which is harmless, every Sink write being idempotent.
// LinkedIn pages a window by offset, and a note edited while the
// window is read leaves it, shifting the later ones down a place: the note
// at a page boundary would be passed over, and never read again as its own
// time did not change. So a window of more than one page is listed again
// until a listing finds no note not seen yet (three times at most).
func (r *Retriever) readNotesWindow(ctx context.Context, contract string, owners []string, from, to int64, f func(n rsc.ProspectNote) error) error {
	lo, hi := from, to-1
	if lo > 0 {
		lo-- // cutoffDate is exclusive
	}
	seen := map[string]bool{}
	for pass := 0; pass < 3; pass++ {
		listed, fresh := 0, 0
		for n, err := range r.cfg.Client.ProspectNotes.List(ctx, contract, owners, rsc.EpochMillis(lo), rsc.EpochMillis(hi)) {
			if err != nil {
				return fmt.Errorf("inmail: prospectNotes: %w", err)
			}
			listed++
			if seen[n.ID] {
				continue
			}
			seen[n.ID] = true
			fresh++
			if err := f(n); err != nil {
				return err
			}
		}
		if listed < notesPage || pass > 0 && fresh == 0 {
			return nil
		}
	}
	return nil
}
