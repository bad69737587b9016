package sync

import (
	"context"
	"fmt"
	"iter"
)

// Lookup is an optional interface of a Source: reading single records by
// id. The engine uses it to retry dead letters, to resend jobs whose task
// asked for another operation, and before sending deletions, to skip those
// whose id the ATS holds again (SkipRecreated). Without it the engine
// scans the Source's streams instead (from the beginning for dead letters
// and jobs, from the earliest deletion time for deletions), keeping only
// the ids it needs: correct, but slow for large tables. Either way the
// engine reads records while the Deletions stream is open, so a Source
// must serve one stream while another is being read. A Lookup finds an id
// byte for byte, as the streams order them: one that returns a record of
// another id (a collation that folds case or trailing blanks) makes the
// engine's call fail with an error naming both.
type Lookup interface {
	LookupJob(ctx context.Context, id string) (Job, bool, error)
	LookupCandidate(ctx context.Context, id string) (Candidate, bool, error)
	LookupApplication(ctx context.Context, id string) (Application, bool, error)
	// LookupActivity finds a note or feedback by kind, parent (candidate or
	// application id) and id.
	LookupActivity(ctx context.Context, kind EntityKind, parent, id string) (Activity, bool, error)
}

// actKey identifies an activity across kinds and parents.
func actKey(kind EntityKind, parent, id string) string {
	return string(kind) + "\x00" + parent + "\x00" + id
}

// lookup reads the records with the given keys from the Source: one by one
// with one when the Source implements Lookup, else by scanning the stream
// all from the beginning. Keys not found are absent from the result; a
// Lookup that returns a record of another key is an error.
func lookup[T any](ctx context.Context, keys []string, one func(context.Context, string) (T, bool, error),
	all func() iter.Seq2[T, error], keyOf func(*T) string) (map[string]T, error) {
	out := make(map[string]T, len(keys))
	if len(keys) == 0 {
		return out, nil
	}
	if one != nil {
		for _, k := range keys {
			v, found, err := one(ctx, k)
			if err != nil {
				return nil, err
			}
			if !found {
				continue
			}
			if got := keyOf(&v); got != k {
				// A Lookup that folds case or blanks (a database
				// collation) found another record: taking it for k's
				// would skip k's deletion, or send the other record.
				return nil, fmt.Errorf("sync: the Source's Lookup of %q returned the record %q: a Lookup must find the id byte for byte", k, got)
			}
			out[k] = v
		}
		return out, nil
	}
	want := make(map[string]bool, len(keys))
	for _, k := range keys {
		want[k] = true
	}
	for v, err := range all() {
		if err != nil {
			return nil, err
		}
		if k := keyOf(&v); want[k] {
			out[k] = v
			if len(out) == len(want) {
				break
			}
		}
	}
	return out, nil
}

// lookupOne returns the Source's Lookup method chosen by pick, nil when the
// Source does not implement Lookup.
func lookupOne[T any](src Source, pick func(Lookup) func(context.Context, string) (T, bool, error)) func(context.Context, string) (T, bool, error) {
	if l, ok := src.(Lookup); ok {
		return pick(l)
	}
	return nil
}

// The lookups below read the records with the given ids (through Lookup,
// or by scanning the Source's stream from since: only a record modified
// after since can be found then).

func (r *run) lookupJobs(ctx context.Context, ids []string, since Cursor) (map[string]Job, error) {
	one := lookupOne(r.e.src, func(l Lookup) func(context.Context, string) (Job, bool, error) { return l.LookupJob })
	return lookup(ctx, ids, one, func() iter.Seq2[Job, error] { return r.e.src.Jobs(ctx, since) },
		func(j *Job) string { return j.Posting.ExternalJobPostingID })
}

func (r *run) lookupCandidates(ctx context.Context, ids []string, since Cursor) (map[string]Candidate, error) {
	one := lookupOne(r.e.src, func(l Lookup) func(context.Context, string) (Candidate, bool, error) { return l.LookupCandidate })
	return lookup(ctx, ids, one, func() iter.Seq2[Candidate, error] { return r.e.src.Candidates(ctx, since) },
		func(c *Candidate) string { return c.Record.Key.CandidateID })
}

func (r *run) lookupApplications(ctx context.Context, ids []string, since Cursor) (map[string]Application, error) {
	one := lookupOne(r.e.src, func(l Lookup) func(context.Context, string) (Application, bool, error) { return l.LookupApplication })
	return lookup(ctx, ids, one, func() iter.Seq2[Application, error] { return r.e.src.Applications(ctx, since) },
		func(a *Application) string { return a.Record.Key.ApplicationID })
}

// lookupActivities finds activities by actKey; dead maps each key to the
// dead letter that names the activity.
func (r *run) lookupActivities(ctx context.Context, keys []string, dead map[string]DeadLetter, since Cursor) (map[string]Activity, error) {
	one := lookupOne(r.e.src, func(l Lookup) func(context.Context, string) (Activity, bool, error) {
		return func(ctx context.Context, k string) (Activity, bool, error) {
			d := dead[k]
			return l.LookupActivity(ctx, d.Kind, d.Parent, d.ID)
		}
	})
	return lookup(ctx, keys, one, func() iter.Seq2[Activity, error] { return r.e.src.Activities(ctx, since) },
		func(a *Activity) string { return actKey(a.Kind, a.parent(), a.ID()) })
}
