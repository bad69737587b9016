package sync

import (
	"cmp"
	"context"
	"iter"
	"slices"
	gosync "sync"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// SliceSource is an in-memory Source (and Lookup) for examples, tests and
// small imports. Put methods insert or replace records by id; streams yield
// a sorted snapshot. It is safe for concurrent use.
type SliceSource struct {
	mu    gosync.RWMutex
	jobs  map[string]Job
	cands map[string]Candidate
	apps  map[string]Application
	acts  map[string]Activity
	dels  map[string]Deletion
}

// NewSliceSource returns an empty SliceSource.
func NewSliceSource() *SliceSource {
	return &SliceSource{jobs: map[string]Job{}, cands: map[string]Candidate{}, apps: map[string]Application{},
		acts: map[string]Activity{}, dels: map[string]Deletion{}}
}

// PutJobs inserts or replaces jobs (by id).
func (s *SliceSource) PutJobs(v ...Job) *SliceSource {
	return put(s, s.jobs, v, func(x *Job) string { return x.Posting.ExternalJobPostingID })
}

// PutCandidates inserts or replaces candidates (by id).
func (s *SliceSource) PutCandidates(v ...Candidate) *SliceSource {
	return put(s, s.cands, v, func(x *Candidate) string { return x.Record.Key.CandidateID })
}

// PutApplications inserts or replaces applications (by id).
func (s *SliceSource) PutApplications(v ...Application) *SliceSource {
	return put(s, s.apps, v, func(x *Application) string { return x.Record.Key.ApplicationID })
}

// PutActivities inserts or replaces activities (by kind, parent and id: a
// note and a feedback, or notes of two parents, may share an id).
func (s *SliceSource) PutActivities(v ...Activity) *SliceSource {
	return put(s, s.acts, v, func(a *Activity) string { return actKey(a.Kind, a.parent(), a.ID()) })
}

func put[T any](s *SliceSource, m map[string]T, v []T, id func(*T) string) *SliceSource {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range v {
		m[id(&v[i])] = v[i]
	}
	return s
}

// Delete removes a record and records its deletion at d.DeletedAt, with
// the record's ModifiedAt when d has none (Deletion.ModifiedAt) and the
// source holds the record. Deleting an application removes its notes and
// feedback, as LinkedIn does.
func (s *SliceSource) Delete(d Deletion) *SliceSource {
	s.mu.Lock()
	defer s.mu.Unlock()
	modified := func(t time.Time, found bool) {
		if found && d.ModifiedAt.IsZero() {
			d.ModifiedAt = t
		}
	}
	switch d.Kind {
	case KindJob:
		j, ok := s.jobs[d.ID]
		modified(j.ModifiedAt, ok)
		delete(s.jobs, d.ID)
	case KindCandidate:
		c, ok := s.cands[d.ID]
		modified(c.ModifiedAt, ok)
		delete(s.cands, d.ID)
	case KindApplication:
		a, ok := s.apps[d.ID]
		modified(a.ModifiedAt, ok)
		delete(s.apps, d.ID) // LinkedIn deletes its notes and feedback too
		for id, a := range s.acts {
			if a.Kind != KindCandidateNote && a.Application.ApplicationID == d.ID {
				delete(s.acts, id)
			}
		}
	case KindCandidateNote, KindApplicationNote, KindInterviewFeedback:
		k := actKey(d.Kind, d.Parent, d.ID)
		a, ok := s.acts[k]
		modified(a.ModifiedAt, ok)
		delete(s.acts, k)
	case KindStage:
		if p, ok := s.apps[d.Parent]; ok {
			p.Stages = slices.DeleteFunc(slices.Clone(p.Stages), func(st rsc.Stage) bool { return st.ID == d.ID })
			s.apps[d.Parent] = p
		}
	}
	s.dels[string(d.Kind)+"/"+d.Parent+"/"+d.ID] = d
	return s
}

func sortedSnapshot[T any](mu *gosync.RWMutex, m map[string]T, pos func(*T) (time.Time, string)) []T {
	mu.RLock()
	out := make([]T, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	mu.RUnlock()
	slices.SortFunc(out, func(a, b T) int {
		ta, ia := pos(&a)
		tb, ib := pos(&b)
		if c := ta.Compare(tb); c != 0 {
			return c
		}
		return cmp.Compare(ia, ib)
	})
	return out
}

func streamAfter[T any](ctx context.Context, recs []T, since Cursor, pos func(*T) (time.Time, string)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for i := range recs {
			if err := ctx.Err(); err != nil {
				var zero T
				yield(zero, err)
				return
			}
			if t, id := pos(&recs[i]); !since.After(t, id) {
				continue
			}
			if !yield(recs[i], nil) {
				return
			}
		}
	}
}

// Jobs implements Source.
func (s *SliceSource) Jobs(ctx context.Context, since Cursor) iter.Seq2[Job, error] {
	if ctx == nil {
		return nilContextSeq[Job]()
	}
	return streamAfter(ctx, sortedSnapshot(&s.mu, s.jobs, jobPos), since, jobPos)
}

// Candidates implements Source.
func (s *SliceSource) Candidates(ctx context.Context, since Cursor) iter.Seq2[Candidate, error] {
	if ctx == nil {
		return nilContextSeq[Candidate]()
	}
	return streamAfter(ctx, sortedSnapshot(&s.mu, s.cands, candidatePos), since, candidatePos)
}

// Applications implements Source.
func (s *SliceSource) Applications(ctx context.Context, since Cursor) iter.Seq2[Application, error] {
	if ctx == nil {
		return nilContextSeq[Application]()
	}
	return streamAfter(ctx, sortedSnapshot(&s.mu, s.apps, applicationPos), since, applicationPos)
}

// Activities implements Source.
func (s *SliceSource) Activities(ctx context.Context, since Cursor) iter.Seq2[Activity, error] {
	if ctx == nil {
		return nilContextSeq[Activity]()
	}
	return streamAfter(ctx, sortedSnapshot(&s.mu, s.acts, activityPos), since, activityPos)
}

// Deletions implements Source.
func (s *SliceSource) Deletions(ctx context.Context, since Cursor) iter.Seq2[Deletion, error] {
	if ctx == nil {
		return nilContextSeq[Deletion]()
	}
	return streamAfter(ctx, sortedSnapshot(&s.mu, s.dels, deletionPos), since, deletionPos)
}

// Totals implements Source.
func (s *SliceSource) Totals(ctx context.Context, since time.Time) (Totals, error) {
	if ctx == nil {
		return Totals{}, errNilContext
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return Totals{
		Jobs:         countSince(s.jobs, since, func(x *Job) time.Time { return x.ModifiedAt }),
		Candidates:   countSince(s.cands, since, func(x *Candidate) time.Time { return x.ModifiedAt }),
		Applications: countSince(s.apps, since, func(x *Application) time.Time { return x.ModifiedAt }),
		Activities:   countSince(s.acts, since, func(x *Activity) time.Time { return x.ModifiedAt }),
	}, nil
}

// countSince counts the records modified at or after since (all when since
// is zero).
func countSince[T any](m map[string]T, since time.Time, modified func(*T) time.Time) int64 {
	var n int64
	for _, x := range m {
		if !modified(&x).Before(since) {
			n++
		}
	}
	return n
}

// LookupJob implements Lookup.
func (s *SliceSource) LookupJob(ctx context.Context, id string) (Job, bool, error) {
	if ctx == nil {
		return Job{}, false, errNilContext
	}
	return lookupIn(s, s.jobs, id)
}

// LookupCandidate implements Lookup.
func (s *SliceSource) LookupCandidate(ctx context.Context, id string) (Candidate, bool, error) {
	if ctx == nil {
		return Candidate{}, false, errNilContext
	}
	return lookupIn(s, s.cands, id)
}

// LookupApplication implements Lookup.
func (s *SliceSource) LookupApplication(ctx context.Context, id string) (Application, bool, error) {
	if ctx == nil {
		return Application{}, false, errNilContext
	}
	return lookupIn(s, s.apps, id)
}

func lookupIn[T any](s *SliceSource, m map[string]T, id string) (T, bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, ok := m[id]
	return v, ok, nil
}

// LookupActivity implements Lookup.
func (s *SliceSource) LookupActivity(ctx context.Context, kind EntityKind, parent, id string) (Activity, bool, error) {
	if ctx == nil {
		return Activity{}, false, errNilContext
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	v, ok := s.acts[actKey(kind, parent, id)]
	return v, ok, nil
}
