package inmail

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/rsc"
)

// Polled records the ATS refuses: InMail messages, prospect notes and stub
// profiles are read in time order, and a stream stops at a record its
// write fails on, so that nothing after it is passed over. A record the
// ATS refuses for good would stop its stream for ever; so a record whose
// write fails in WithRecordAttempts polls in a row becomes a dead letter
// (DeadRecords), and the stream goes on past it.

// RecordKind names a kind of polled record.
type RecordKind string

// The kinds of polled records.
const (
	// RecordMessage is an InMail message (conversationEvents).
	RecordMessage RecordKind = "message"
	// RecordNote is a prospect note.
	RecordNote RecordKind = "note"
	// RecordStub is an InMail stub profile (mailStubs).
	RecordStub RecordKind = "stub"
)

// record returns the kind of the records of a stream kind.
func (k streamKind) record() RecordKind {
	switch k {
	case streamsNotes:
		return RecordNote
	case streamsStubs:
		return RecordStub
	}
	return RecordMessage
}

// MaxDeadRecords bounds the dead letters of polled records. While that
// many are held, a record that fails is not given up on: its stream stops at it,
// with an error wrapping ErrDeadRecordsFull, until RetryRecord or
// DismissRecord makes room.
const MaxDeadRecords = 1000

// ErrDeadRecordsFull means MaxDeadRecords records are dead letters already.
var ErrDeadRecordsFull = errors.New("inmail: record dead letters full")

// ErrNotDeadRecord means RetryRecord or DismissRecord was given a record
// that is not a dead letter.
var ErrNotDeadRecord = errors.New("inmail: not a dead-lettered record")

// RecordFailure is the record a stream stopped at: its write failed in
// Attempts polls in a row. Times are epoch milliseconds.
type RecordFailure struct {
	// ID is the record's LinkedIn id (DeadRecord.ID).
	ID string `json:"id"`
	// Attempts counts the polls in a row that failed to write it.
	Attempts int `json:"attempts"`
	// Since is when the first of them failed.
	Since int64 `json:"since"`
	// At is the record's time on LinkedIn (DeadRecord.At): a window read
	// whole across it without meeting the record (LinkedIn lists it at
	// another time now, or no longer) ends the failure.
	At int64 `json:"at,omitempty"`
}

// DeadRecord is a polled record given up on: the ATS refused it in
// WithRecordAttempts polls in a row. It holds ids, times and the error
// text only. Times are epoch milliseconds.
type DeadRecord struct {
	// Kind says what the record is: a message, a note or a stub.
	Kind RecordKind `json:"kind"`
	// ID is the record's LinkedIn id: the conversation event's, the
	// prospect note's or the stub profile's.
	ID string `json:"id"`
	// Member is the LinkedIn member (person URN) the record is about.
	Member string `json:"member,omitempty"`
	// Seat is the seat that viewed the message, or owns the note or stub.
	Seat string `json:"seat,omitempty"`
	// Contract is the contract of a note or stub ("" for a message).
	Contract string `json:"contract,omitempty"`
	// At is the record's time on LinkedIn: a message's or stub's creation,
	// a note's last modification.
	At int64 `json:"at"`
	// Since is when the first failed attempt was made, DeadAt when it was
	// given up on.
	Since  int64 `json:"since"`
	DeadAt int64 `json:"deadAt"`
	// Attempts counts the polls in a row that failed to write it.
	Attempts int `json:"attempts"`
	// Reason is the last attempt's error.
	Reason string `json:"reason"`
}

func (d DeadRecord) key() string { return deadRecordKey(d.Kind, d.ID) }

func deadRecordKey(kind RecordKind, id string) string { return string(kind) + ":" + id }

// recordError names a record, and its member when known, in the error of
// its write.
func recordError(kind RecordKind, id, member string, err error) error {
	if member == "" {
		return fmt.Errorf("inmail: %s %s: %w", kind, id, err)
	}
	return fmt.Errorf("inmail: %s %s of %s: %w", kind, id, member, err)
}

// deliver writes the record d of the stream cur of key with write,
// counting it in *dead when it becomes a dead letter. A
// failure is returned naming the record (the stream stops there) and is
// counted on cur.Failing, saved at once; a failure of cancellation or a
// spent daily quota is not counted. Once the record has failed in
// WithRecordAttempts polls in a row it becomes a dead letter, saved with
// the stream, and deliver returns nil, so that the stream goes on;
// unless MaxDeadRecords are held, in which case the stream stays stopped.
// A record that is a dead letter already (its window read again for a
// record after it) is passed over when its write fails again, its dead
// letter moved to its time now, without touching cur.Failing.
func (r *Retriever) deliver(ctx context.Context, kind streamKind, key string, cur *Stream, d DeadRecord, dead *int, write func() error) error {
	d.Kind = kind.record()
	err := write()
	if err == nil {
		if cur.Failing != nil && cur.Failing.ID == d.ID {
			cur.Failing = nil
		}
		return nil
	}
	err = recordError(d.Kind, d.ID, d.Member, err)
	if fatal(ctx, err) {
		return err
	}
	if r.deadAlready(d.key()) {
		// Given up on already (its window is read again for a record
		// after it): it must not take the stream's failure from that
		// record, whose count would start over at every poll. Its dead
		// letter takes its time now, where RetryRecord reads it.
		return r.update(ctx, func(c *Cursors) {
			if old, ok := c.DeadRecords[d.key()]; ok {
				old.At, old.Reason = d.At, reason(err)
				c.DeadRecords[d.key()] = old
			}
		})
	}
	now := ms(r.now())
	f := cur.Failing
	if f == nil || f.ID != d.ID {
		f = &RecordFailure{ID: d.ID, Since: now}
	}
	f = &RecordFailure{ID: f.ID, Attempts: f.Attempts + 1, Since: f.Since, At: d.At}
	cur.Failing = f
	d.Attempts, d.Since, d.DeadAt, d.Reason = f.Attempts, f.Since, now, reason(err)
	bury := f.Attempts >= r.opt.recordAttempts
	full := false
	if uerr := r.update(ctx, func(c *Cursors) {
		full = false
		s := cur.clone()
		if bury {
			if full = len(c.DeadRecords) >= MaxDeadRecords; !full {
				if c.DeadRecords == nil {
					c.DeadRecords = map[string]DeadRecord{}
				}
				c.DeadRecords[d.key()] = d
				s.Failing = nil
			}
		}
		putStream(c, kind, key, s)
	}); uerr != nil {
		return errors.Join(err, uerr)
	}
	switch {
	case full:
		return fmt.Errorf("%w; not given up on after %d attempts: %w", err, f.Attempts, ErrDeadRecordsFull)
	case bury:
		cur.Failing = nil
		*dead++
		r.log.WarnContext(ctx, "record given up on", "kind", d.Kind, "record", d.ID, "attempts", d.Attempts)
		return nil
	}
	return err
}

// deadAlready reports whether the record of key is a dead letter in the
// latest cursors the Retriever read or wrote.
func (r *Retriever) deadAlready(key string) bool {
	r.curMu.Lock()
	defer r.curMu.Unlock()
	_, ok := r.cur.DeadRecords[key]
	return ok
}

func (c *Cursors) deadRecords() []DeadRecord {
	return slices.SortedFunc(maps.Values(c.DeadRecords), func(a, b DeadRecord) int {
		return cmp.Or(cmp.Compare(a.DeadAt, b.DeadAt), strings.Compare(a.key(), b.key()))
	})
}

// DeadRecords returns the polled records given up on (InMail messages,
// notes, stub profiles), oldest first. Each stays until RetryRecord or
// DismissRecord; RunOnce lists them in its report.
func (r *Retriever) DeadRecords(ctx context.Context) ([]DeadRecord, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	c, err := r.Cursors(ctx)
	return c.deadRecords(), err
}

// DismissRecord forgets a dead-lettered record: the operator has handled
// it. It fails with ErrNotDeadRecord for a record that is not a dead
// letter.
func (r *Retriever) DismissRecord(ctx context.Context, kind RecordKind, id string) error {
	if ctx == nil {
		return errNilContext
	}
	found := false
	err := r.updateIf(ctx, func(c *Cursors) bool {
		_, found = c.DeadRecords[deadRecordKey(kind, id)]
		delete(c.DeadRecords, deadRecordKey(kind, id))
		return found
	})
	if err == nil && !found {
		err = fmt.Errorf("%w: %s %q", ErrNotDeadRecord, kind, id)
	}
	return err
}

// RetryRecord reads a dead-lettered record again from LinkedIn (at its
// time, from its seat) and writes it to the ATS as its poll would: a
// message or note whose member has no candidate the milestones cover is
// kept pending for its member, like any other. Once written it is no
// longer a dead letter; when the write fails again, LinkedIn no longer
// lists the record at its time (a note edited since is read again at its
// new time), or the feature its poll needs is off (milestones.InMailSync
// for messages and notes, milestones.ShareContactInfoInMail for stubs),
// the error is returned and the dead letter stays. It fails
// with ErrNotDeadRecord for a record that is not a dead letter. It runs
// between polls, as they do.
func (r *Retriever) RetryRecord(ctx context.Context, kind RecordKind, id string) error {
	_, err := locked(r, ctx, func(ctx context.Context) (struct{}, error) { return struct{}{}, r.retryRecord(ctx, kind, id) })
	return err
}

func (r *Retriever) retryRecord(ctx context.Context, kind RecordKind, id string) error {
	c, err := r.Cursors(ctx)
	if err != nil {
		return err
	}
	d, ok := c.DeadRecords[deadRecordKey(kind, id)]
	if !ok {
		return fmt.Errorf("%w: %s %q", ErrNotDeadRecord, kind, id)
	}
	st, err := r.state(ctx)
	if err != nil {
		return err
	}
	feature := milestones.InMailSync // messages and notes
	if d.Kind == RecordStub {
		feature = milestones.ShareContactInfoInMail
	}
	if on, why := featureOn(st, feature); !on { // as its poll would not run
		return recordError(d.Kind, d.ID, d.Member, errors.New(why))
	}
	found := false
	switch d.Kind {
	case RecordMessage:
		err = r.readWindow(ctx, c.Seats, SeatHolder{Seat: d.Seat}, d.At, d.At+1, func(e rsc.ConversationEvent) error {
			if e.ID != d.ID {
				return nil
			}
			found = true
			return r.retryInStream(ctx, streamsInMail, d.Seat, func(cur *Stream) error {
				return r.takeEvent(ctx, st, c.Seats, cur, map[string]*matchResult{}, e, &InMailReport{})
			})
		})
	case RecordNote:
		err = r.readNotesWindow(ctx, d.Contract, []string{d.Seat}, d.At, d.At+1, func(n rsc.ProspectNote) error {
			if n.ID != d.ID {
				return nil
			}
			found = true
			return r.retryInStream(ctx, streamsNotes, d.Contract, func(cur *Stream) error {
				return r.takeNote(ctx, st, c.Seats, cur, n, &NotesReport{})
			})
		})
	case RecordStub:
		var stubs []rsc.MailStub
		if stubs, err = r.listStubs(ctx, d.Contract, []string{d.Seat}, d.At, d.At+1); err == nil {
			for _, s := range stubs {
				if s.ID == d.ID {
					found = true
					err = r.importStub(ctx, st, c.Seats, s, &StubReport{})
				}
			}
		}
	}
	switch {
	case err != nil:
		return recordError(d.Kind, d.ID, d.Member, err)
	case !found:
		return recordError(d.Kind, d.ID, d.Member, errors.New("LinkedIn no longer lists it at its time"))
	}
	return r.update(ctx, func(c *Cursors) { delete(c.DeadRecords, d.key()) })
}

// retryInStream runs take on the stream of key (whose pending members it
// may add to) and saves the stream.
func (r *Retriever) retryInStream(ctx context.Context, kind streamKind, key string, take func(cur *Stream) error) error {
	cur, err := r.stream(ctx, kind, key, r.windowEnd())
	if err != nil {
		return err
	}
	if err := take(cur); err != nil {
		return err
	}
	return r.saveStream(ctx, kind, key, cur)
}
