package ctl

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	rscsync "github.com/rscgo/rscgo/sync"
)

// resync sends one phase again from its start (no KEY) or the records
// with the keys.
func (x *command) resync(ctx context.Context) error {
	id, keys := x.args[0], x.args[2:]
	var p rscsync.Phase
	if err := p.UnmarshalText([]byte(x.args[1])); err != nil || p == rscsync.PhaseDeletions {
		return &usageError{fmt.Sprintf("resync: %s is not a phase (jobs, candidates, applications or activities)", shown(x.args[1]))}
	}
	if err := x.s.known(ctx, id); err != nil {
		return err
	}
	if len(keys) == 0 {
		return x.rewind(ctx, id, p)
	}
	for i, k := range keys {
		full, err := recordKey(p, k)
		if err != nil {
			return err
		}
		keys[i] = full
	}
	if x.c.Engine != nil {
		eng, err := x.c.Engine(ctx, id)
		if err != nil {
			return err
		}
		if _, err := eng.Resync(ctx, keys...); err != nil {
			return err
		}
		return x.outcomes(ctx, id, keys, "done")
	}
	if x.o.console != "" {
		if _, err := x.consoleURL("resync"); err != nil { // before writing: a usage error writes nothing
			return err
		}
	}
	if _, err := rscsync.RequestResync(ctx, x.s.DeadLetters, id, x.c.Clock.Now(), keys...); err != nil {
		return err
	}
	if x.o.console == "" {
		return x.outcomes(ctx, id, keys, "queued")
	}
	if err := x.viaConsole(ctx, "resync", id, keys); err != nil {
		return err
	}
	return x.outcomes(ctx, id, keys, "done")
}

// bareIDKinds are the kinds a KEY may name by a bare id (no parent), by
// their phase: a job, a candidate or an application.
var bareIDKinds = map[rscsync.Phase]rscsync.EntityKind{rscsync.PhaseJobs: rscsync.KindJob,
	rscsync.PhaseCandidates: rscsync.KindCandidate, rscsync.PhaseApplications: rscsync.KindApplication}

// recordKey turns KEY into a dead-letter key of phase p: a full key
// (kind/parent/id) of one of the phase's kinds, or a bare id of a job,
// candidate or application. A key naming ids that are not valid UTF-8 or
// hold NUL comes back escaped, as the dead-letter store holds it
// (sync.DeadLetter.Escape).
func recordKey(p rscsync.Phase, key string) (string, error) {
	if !strings.Contains(key, "/") {
		kind, ok := bareIDKinds[p]
		if !ok {
			return "", &usageError{fmt.Sprintf("resync: %s: an activity's KEY is kind/parent/id (candidateNote/C7/N1)", shown(key))}
		}
		key = rscsync.DeadLetter{Kind: kind, ID: key}.Key()
	}
	d, err := rscsync.ParseDeadLetterKey(key)
	if err == nil && d.Delete {
		err = errors.New("a deletion is not resynced")
	}
	if err == nil && d.Kind.Phase() != p {
		err = fmt.Errorf("a %s is not a record of %s", d.Kind, p)
	}
	if err != nil {
		return "", &usageError{fmt.Sprintf("resync: KEY %s: %v", shown(key), err)}
	}
	return d.Escape().Key(), nil
}

// rewind makes the next sync send phase p again from its start.
func (x *command) rewind(ctx context.Context, id string, p rscsync.Phase) error {
	var cp *rscsync.Checkpoint
	var err error
	switch {
	case x.c.Engine != nil:
		var eng *rscsync.Engine
		if eng, err = x.c.Engine(ctx, id); err == nil {
			cp, err = eng.RewindPhase(ctx, p)
		}
	case x.s.Checkpoints != nil:
		cp, err = rscsync.RewindPhase(ctx, x.s.Checkpoints, id, p)
	default:
		err = rscsync.ErrNoCheckpoint
	}
	if errors.Is(err, rscsync.ErrNoCheckpoint) {
		return &notFoundError{fmt.Sprintf("no checkpoint of customer %s %s", shown(id), x.s.Where)}
	}
	if err != nil {
		return err
	}
	from := cp.WindowFrom
	if x.o.json {
		return jsonLines(x.c.Stdout, []map[string]any{{"customer": id, "phase": p, "rewound": true, "from": from}})
	}
	start := "the start of the history"
	if !from.IsZero() {
		start = "the window's start, " + from.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(x.c.Stdout, "customer %s: the next sync sends %s again from %s; the other phases are unchanged\n", id, p, start)
	return nil
}

// outcome is what resync did with one record.
type outcome struct {
	Customer string `json:"customer"`
	Key      string `json:"key"`
	// Outcome is "done" (LinkedIn accepted the record, or the ATS no
	// longer has it), "refused" (Reason says why) or "queued" (waiting for
	// the next retry).
	Outcome string `json:"outcome"`
	Reason  string `json:"reason,omitempty"`
}

// outcomes prints each key's outcome, read from the dead-letter store: a
// resync request left is queued, a dead letter refused (queued when ok is
// "queued": nothing was sent), none ok. Refused records exit 4.
func (x *command) outcomes(ctx context.Context, id string, keys []string, ok string) error {
	dls, err := x.s.deadLetters(ctx, id)
	if err != nil {
		return err
	}
	byKey := map[string]rscsync.DeadLetter{}
	for _, d := range dls {
		byKey[d.Key] = d.DeadLetter
	}
	var out []outcome
	refused := 0
	for _, k := range keys {
		o := outcome{Customer: id, Key: k, Outcome: ok}
		switch d, has := byKey[k]; {
		case !has:
		case ok == "queued" || d.Requested: // a dead letter is sent by the next retry too
			o.Outcome = "queued"
			if !d.Requested {
				o.Reason = d.Reason
			}
		default:
			o.Outcome, o.Reason = "refused", d.Reason
			refused++
		}
		out = append(out, o)
	}
	if x.o.json {
		err = jsonLines(x.c.Stdout, out)
	} else {
		tw := tabwriter.NewWriter(x.c.Stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "KEY\tOUTCOME\tREASON")
		for _, o := range out {
			fmt.Fprintf(tw, "%s\t%s\t%s\n", o.Key, o.Outcome, dash(oneLine(o.Reason)))
		}
		err = tw.Flush()
	}
	if err == nil && refused > 0 {
		err = &notExactError{fmt.Sprintf("%d of %d records of customer %s refused", refused, len(keys), shown(id))}
	}
	return err
}
