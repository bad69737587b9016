package sourcetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/rscgo/rscgo/rsc"
	rscsync "github.com/rscgo/rscgo/sync"
)

// lookupSamples bounds the Lookup calls of the Lookup checks: at most this
// many records of each stream, and deletions of each kind, are looked up
// (plus one made-up id per stream), so that the kit stays fast on large
// Sources.
const lookupSamples = 16

// sampled reports whether the record at index i of a stream is one of
// those looked up: the first three and those at powers of two (the last
// record is added at the end of the read), spreading the samples over the
// stream whatever its length.
func sampled(i int) bool { return i < 3 || i&(i-1) == 0 }

// recKey is what the Lookup methods find a record by: its kind, its id,
// and for notes and feedback the candidate or application id.
type recKey struct {
	kind   rscsync.EntityKind
	parent string
	id     string
}

// call returns the Lookup call that finds the record, for messages.
func (k recKey) call() string {
	switch k.kind {
	case rscsync.KindJob:
		return fmt.Sprintf("LookupJob(%q)", k.id)
	case rscsync.KindCandidate:
		return fmt.Sprintf("LookupCandidate(%q)", k.id)
	case rscsync.KindApplication:
		return fmt.Sprintf("LookupApplication(%q)", k.id)
	}
	return fmt.Sprintf("LookupActivity(%s, %q, %q)", k.kind, k.parent, k.id)
}

func (k recKey) String() string {
	if k.parent != "" {
		return fmt.Sprintf("%s %q of %q", k.kind, k.id, k.parent)
	}
	return fmt.Sprintf("%s %q", k.kind, k.id)
}

// looked is what the kit compares of a record streamed and the record
// Lookup finds under its key.
type looked struct {
	key     recKey
	t       time.Time // ModifiedAt
	closed  bool      // a closed job
	context string    // the integration context of the record's key
	// rec is the whole record but its ModifiedAt (compared as t): the
	// engine sends what Lookup returns when it retries a dead letter or
	// resyncs a record, and a batch_update replaces the record whole on
	// LinkedIn, so a Lookup that leaves a field or an application's stage
	// out loses it there (a stage it leaves out is taken as gone).
	rec any
}

// differing names the fields in which a looked-up record differs from the
// streamed one ("" for none): nil and empty slices alike, and an
// application's stages in any order.
func differing(stream, lookedUp any) string {
	var d diffFields
	cmp.Equal(stream, lookedUp, cmpopts.EquateEmpty(), cmpopts.SortSlices(func(a, b rsc.Stage) bool { return a.ID < b.ID }),
		cmp.Reporter(&d))
	return strings.Join(d.fields, ", ")
}

// diffFields is a cmp.Reporter keeping the paths of the differences, once
// each, without slice indexes.
type diffFields struct {
	path   cmp.Path
	fields []string
}

func (d *diffFields) PushStep(ps cmp.PathStep) { d.path = append(d.path, ps) }
func (d *diffFields) PopStep()                 { d.path = d.path[:len(d.path)-1] }

func (d *diffFields) Report(r cmp.Result) {
	if r.Equal() {
		return
	}
	var names []string
	for _, ps := range d.path {
		if f, ok := ps.(cmp.StructField); ok {
			names = append(names, f.Name())
		}
	}
	if f := strings.Join(names, "."); f != "" && !slices.Contains(d.fields, f) {
		d.fields = append(d.fields, f)
	}
}

// sample is a record of a stream to look up, at index i.
type sample struct {
	i int
	looked
}

// summary is the looked of a record keyed k in the integration context
// ictx. modifiedAt points at rec's ModifiedAt, which summary moves out of
// the record into t: rec is compared without it.
func summary[T any](k recKey, ictx string, rec *T, modifiedAt *time.Time) looked {
	l := looked{key: k, t: *modifiedAt, context: ictx}
	*modifiedAt = time.Time{}
	l.rec = *rec
	return l
}

func jobSummary(j rscsync.Job) looked {
	l := summary(recKey{kind: rscsync.KindJob, id: j.Posting.ExternalJobPostingID}, j.Posting.IntegrationContext, &j, &j.ModifiedAt)
	l.closed = j.Closed
	return l
}

func candidateSummary(c rscsync.Candidate) looked {
	return summary(recKey{kind: rscsync.KindCandidate, id: c.Record.Key.CandidateID}, c.Record.Key.IntegrationContext, &c, &c.ModifiedAt)
}

func applicationSummary(p rscsync.Application) looked {
	return summary(recKey{kind: rscsync.KindApplication, id: p.Record.Key.ApplicationID}, p.Record.Key.IntegrationContext, &p, &p.ModifiedAt)
}

// activityKey is an activity's Lookup key.
func activityKey(a rscsync.Activity) recKey {
	if a.Kind == rscsync.KindCandidateNote {
		return recKey{kind: a.Kind, parent: a.Candidate.CandidateID, id: a.ID()}
	}
	return recKey{kind: a.Kind, parent: a.Application.ApplicationID, id: a.ID()}
}

func activitySummary(a rscsync.Activity) looked {
	ctx := a.Application.IntegrationContext
	if a.Kind == rscsync.KindCandidateNote {
		ctx = a.Candidate.IntegrationContext
	}
	return summary(activityKey(a), ctx, &a, &a.ModifiedAt)
}

// lookupRecord calls the Lookup method for k's kind, turning a panic into
// an error.
func lookupRecord(ctx context.Context, l rscsync.Lookup, k recKey) (got looked, found bool, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panicked: %v", p)
		}
	}()
	switch k.kind {
	case rscsync.KindJob:
		j, found, err := l.LookupJob(ctx, k.id)
		return jobSummary(j), found, err
	case rscsync.KindCandidate:
		c, found, err := l.LookupCandidate(ctx, k.id)
		return candidateSummary(c), found, err
	case rscsync.KindApplication:
		p, found, err := l.LookupApplication(ctx, k.id)
		return applicationSummary(p), found, err
	}
	a, found, err := l.LookupActivity(ctx, k.kind, k.parent, k.id)
	return activitySummary(a), found, err
}

// streamOf names the stream that yields records of kind k.
func streamOf(k rscsync.EntityKind) string {
	switch k {
	case rscsync.KindJob:
		return "Jobs"
	case rscsync.KindCandidate:
		return "Candidates"
	case rscsync.KindApplication:
		return "Applications"
	}
	return "Activities"
}

// checkLookup looks up sampled records of a stream, which Lookup must find
// as the stream yields them (the same key, ModifiedAt, integration
// context, (jobs) Closed, and every other field, an application's stages
// in any order), and an id made up from the stream's, which it must not
// find.
func checkLookup(r reporter, l rscsync.Lookup, data streamData) {
	r.Helper()
	if !data.ok {
		return // reported by the stream's own subtests
	}
	ctx := context.Background()
	for _, s := range data.samples {
		what := fmt.Sprintf("%s[%d] %s: %s", data.name, s.i, data.pos[s.i], s.key.call())
		got, found, err := lookupRecord(ctx, l, s.key)
		switch {
		case err != nil:
			r.Errorf("%s failed: %v", what, err)
		case !found:
			r.Errorf("%s found nothing; Lookup must find every record the streams yield", what)
		case got.key != s.key:
			r.Errorf("%s returned %s", what, got.key)
		default:
			if !got.t.Equal(s.t) {
				r.Errorf("%s returned ModifiedAt %s; the stream has %s", what, fmtTime(got.t), fmtTime(s.t))
			}
			if got.closed != s.closed {
				r.Errorf("%s returned Closed %t; the stream has %t", what, got.closed, s.closed)
			}
			if got.context != s.context {
				r.Errorf("%s returned integration context %q; the stream has %q", what, got.context, s.context)
			}
			if got.t.Equal(s.t) && got.closed == s.closed && got.context == s.context {
				if fields := differing(s.rec, got.rec); fields != "" {
					r.Errorf("%s returned the record with other values than the stream's in %s: a retry or resync sends "+
						"what Lookup returns, and LinkedIn replaces the record whole", what, fields)
				}
			}
		}
	}
	if len(data.samples) == 0 {
		return
	}
	k := data.samples[0].key
	unknown := unknownID(data.pos, k.id)
	for _, id := range append([]string{unknown}, foldedIDs(data.pos, k.id)...) {
		if id == "" {
			continue
		}
		k.id = id
		got, found, err := lookupRecord(ctx, l, k)
		switch {
		case id != unknown: // a folded id: only finding another id's record is wrong here
			if err == nil && found && got.key.id != k.id {
				r.Errorf("%s: %s, an id the stream does not yield, returned the record %q; Lookup must find ids byte for byte, "+
					"as the streams order them (a collation that folds case or trailing blanks finds another record, whose "+
					"deletion or retry the engine would then get wrong)", data.name, k.call(), got.key.id)
			}
		case err != nil:
			r.Errorf("%s: %s, an id the stream does not yield, failed: %v", data.name, k.call(), err)
		case found && data.beyond(got):
			r.Logf("%s: %s, an id not among the first %d records read (WithMaxRecords), found a record later in the stream", data.name, k.call(), len(data.pos))
		case found:
			r.Errorf("%s: %s found a record (ModifiedAt %s), but the stream yields no record with that id; Lookup must find only records the streams yield",
				data.name, k.call(), fmtTime(got.t))
		}
	}
}

// foldedIDs returns the ids a collation that folds case or trailing
// blanks takes for id, which no record of ps has: id with the case of its
// letters swapped, and id with a trailing space.
func foldedIDs(ps []pos, id string) []string {
	ids := make(map[string]bool, len(ps))
	for _, p := range ps {
		ids[p.key.id] = true
	}
	swapped := strings.Map(func(r rune) rune {
		if unicode.IsUpper(r) {
			return unicode.ToLower(r)
		}
		return unicode.ToUpper(r)
	}, id)
	var out []string
	for _, f := range []string{swapped, id + " "} {
		if f != id && !ids[f] {
			out = append(out, f)
		}
	}
	return out
}

// beyond reports whether got lies after the part of the stream read, when
// WithMaxRecords cut the read short: the kit cannot tell then whether the
// stream yields it.
func (d streamData) beyond(got looked) bool {
	return d.truncated && len(d.pos) > 0 && d.pos[len(d.pos)-1].cursor().After(got.t, got.key.id)
}

// unknownID returns an id that no record of ps has, made from id by
// changing one character into another of its class (digits, hexadecimal
// letters, other letters, in their case), from the end, so that it keeps
// the form of the Source's ids (a number, a UUID); "" if there is none.
func unknownID(ps []pos, id string) string {
	ids := make(map[string]bool, len(ps))
	for _, p := range ps {
		ids[p.key.id] = true
	}
	b := []byte(id)
	for i := len(b) - 1; i >= 0; i-- {
		orig := b[i]
		for _, class := range []string{"0123456789", "abcdef", "ABCDEF", "ghijklmnopqrstuvwxyz", "GHIJKLMNOPQRSTUVWXYZ"} {
			if !slices.Contains([]byte(class), orig) {
				continue
			}
			for _, c := range []byte(class) {
				if b[i] = c; c != orig && !ids[string(b)] {
					return string(b)
				}
			}
		}
		b[i] = orig
	}
	return ""
}

// checkDeletedLookup looks up sampled deleted records that no stream
// yields (streams holds what the record streams yielded, in the order
// jobs, candidates, applications, activities): Lookup must not find them,
// or find a job Closed. The engine skips a deletion when Lookup finds the
// record modified after it (SkipRecreated). Stages are not looked up, as
// the engine does not.
func checkDeletedLookup(r reporter, l rscsync.Lookup, data streamData, streams []streamData) {
	r.Helper()
	if !data.ok {
		return
	}
	byName := map[string]streamData{}
	held := map[recKey]bool{}
	for _, s := range streams {
		byName[s.name] = s
		for _, p := range s.pos {
			held[p.key] = true
		}
	}
	ctx := context.Background()
	// As in the record streams: the first deletions of each kind, those at
	// powers of two and the last.
	tried, chosen := map[rscsync.EntityKind]int{}, map[rscsync.EntityKind]int{}
	last := map[rscsync.EntityKind]int{}
	var picked []int
	for i, p := range data.pos {
		k := p.key
		s, known := byName[streamOf(k.kind)]
		if k.kind == rscsync.KindStage || !knownKind(k.kind) || k.id == "" || !known || !s.ok || held[k] {
			continue
		}
		if chosen[k.kind] < lookupSamples-1 && sampled(tried[k.kind]) {
			picked = append(picked, i)
			chosen[k.kind]++
		}
		tried[k.kind]++
		last[k.kind] = i
	}
	for _, i := range last {
		if !slices.Contains(picked, i) {
			picked = append(picked, i)
		}
	}
	slices.Sort(picked)
	for _, i := range picked {
		p := data.pos[i]
		s := byName[streamOf(p.key.kind)]
		what := fmt.Sprintf("%s[%d] %s: %s", data.name, i, p, p.key.call())
		got, found, err := lookupRecord(ctx, l, p.key)
		switch {
		case err != nil:
			r.Errorf("%s failed: %v", what, err)
		case !found || got.closed || s.beyond(got):
			// Not held: a closed job counts as deleted.
		case got.t.After(p.t):
			r.Errorf("%s found a record modified at %s, after the deletion, that the %s stream does not yield: the engine skips a deletion older than the record Lookup finds (SkipRecreated), so LinkedIn would keep the deleted record",
				what, fmtTime(got.t), s.name)
		default:
			r.Errorf("%s found a record (ModifiedAt %s) that the %s stream does not yield; Lookup must not find deleted records",
				what, fmtTime(got.t), s.name)
		}
	}
}
