package sync

import (
	"context"
)

// Lookup is an optional interface of a Source: reading single records by
// id. The engine uses it to retry dead letters and to resend jobs whose
// task asked for another operation. Without it the engine re-scans the
// Source's stream from the beginning, keeping only the ids it needs, which
// is correct but slow for large tables.
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

func (r *run) lookupJobs(ctx context.Context, ids map[string]bool) (map[string]Job, error) {
	out := map[string]Job{}
	if l, ok := r.e.src.(Lookup); ok {
		for id := range ids {
			j, found, err := l.LookupJob(ctx, id)
			if err != nil {
				return nil, err
			}
			if found {
				out[id] = j
			}
		}
		return out, nil
	}
	for j, err := range r.e.src.Jobs(ctx, Cursor{}) {
		if err != nil {
			return nil, err
		}
		if id := j.Posting.ExternalJobPostingID; ids[id] {
			out[id] = j
			if len(out) == len(ids) {
				break
			}
		}
	}
	return out, nil
}

func (r *run) lookupCandidates(ctx context.Context, ids map[string]bool) (map[string]Candidate, error) {
	out := map[string]Candidate{}
	if l, ok := r.e.src.(Lookup); ok {
		for id := range ids {
			c, found, err := l.LookupCandidate(ctx, id)
			if err != nil {
				return nil, err
			}
			if found {
				out[id] = c
			}
		}
		return out, nil
	}
	for c, err := range r.e.src.Candidates(ctx, Cursor{}) {
		if err != nil {
			return nil, err
		}
		if id := c.Record.Key.CandidateID; ids[id] {
			out[id] = c
			if len(out) == len(ids) {
				break
			}
		}
	}
	return out, nil
}

func (r *run) lookupApplications(ctx context.Context, ids map[string]bool) (map[string]Application, error) {
	out := map[string]Application{}
	if l, ok := r.e.src.(Lookup); ok {
		for id := range ids {
			p, found, err := l.LookupApplication(ctx, id)
			if err != nil {
				return nil, err
			}
			if found {
				out[id] = p
			}
		}
		return out, nil
	}
	for p, err := range r.e.src.Applications(ctx, Cursor{}) {
		if err != nil {
			return nil, err
		}
		if id := p.Record.Key.ApplicationID; ids[id] {
			out[id] = p
			if len(out) == len(ids) {
				break
			}
		}
	}
	return out, nil
}

// lookupActivities finds activities by actKey.
func (r *run) lookupActivities(ctx context.Context, keys map[string]DeadLetter) (map[string]Activity, error) {
	out := map[string]Activity{}
	if l, ok := r.e.src.(Lookup); ok {
		for k, d := range keys {
			a, found, err := l.LookupActivity(ctx, d.Kind, d.Parent, d.ID)
			if err != nil {
				return nil, err
			}
			if found {
				out[k] = a
			}
		}
		return out, nil
	}
	for a, err := range r.e.src.Activities(ctx, Cursor{}) {
		if err != nil {
			return nil, err
		}
		k := actKey(a.Kind, a.parent(), a.ID())
		if _, ok := keys[k]; ok {
			out[k] = a
			if len(out) == len(keys) {
				break
			}
		}
	}
	return out, nil
}
