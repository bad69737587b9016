package sync

import (
	"container/heap"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// maxContentKeys caps the keys a ContentReport lists per kind and outcome
// (counts stay exact).
const maxContentKeys = 100

// ContentReport compares, record by record, what the Source holds with what
// LinkedIn holds, read back with batch_get: not totals, but a fingerprint of
// every field the engine sends for a record against the same fields on
// LinkedIn. See Engine.ReconcileContent.
type ContentReport struct {
	CustomerID string        `json:"customerId"`
	CheckedAt  time.Time     `json:"checkedAt"`
	Kinds      []KindContent `json:"kinds"`
}

// KindContent is the content reconciliation of one kind of record. Keys
// are dead-letter keys (DeadLetter.Key). Each list holds at most 100 keys;
// the counts are exact.
type KindContent struct {
	Kind EntityKind `json:"kind"`
	// Unchecked says why the kind was not compared (the client cannot read
	// it back from LinkedIn); the counts are then zero.
	Unchecked string `json:"unchecked,omitempty"`
	// Checked counts the records compared: the Source's eligible records in
	// the window that are not dead-lettered (or a sample of them), the
	// deletions checked and, where the Holdings lists everything LinkedIn
	// holds, the candidates and applications from before the window that
	// LinkedIn holds and the Source has (the engine sends them as parents:
	// PhaseReport.ParentsSent).
	Checked int64 `json:"checked"`
	Equal   int64 `json:"equal"`
	// Missing: records the Source holds that LinkedIn does not.
	Missing      int64    `json:"missing"`
	MissingKeys  []string `json:"missingKeys,omitempty"`
	Stale        int64    `json:"stale"`
	StaleRecords []Stale  `json:"staleRecords,omitempty"`
	// Extra: records LinkedIn holds that the engine would not send: deleted
	// in the ATS (Source.Deletions since the window start) or, where the
	// Holdings lists everything LinkedIn holds, never sent (not in the
	// Source's window, nor a parent from before it).
	Extra     int64    `json:"extra"`
	ExtraKeys []string `json:"extraKeys,omitempty"`
}

// Stale is a record whose content on LinkedIn differs from the Source's.
type Stale struct {
	Key    string   `json:"key"`
	Fields []string `json:"fields"` // the wire names of the fields that differ
}

// Differs reports whether the reconciliation found any difference.
func (r *ContentReport) Differs() bool {
	for _, k := range r.Kinds {
		if k.Missing+k.Stale+k.Extra > 0 {
			return true
		}
	}
	return false
}

// WriteText writes the reconciliation, one line per kind, then one line
// per key listed (quoted when a key holds a character that is not
// printable).
func (r *ContentReport) WriteText(w io.Writer) error {
	ew := &errWriter{w: w}
	for _, k := range r.Kinds {
		if k.Unchecked != "" {
			ew.printf("content %s: not checked: %s\n", k.Kind, k.Unchecked)
			continue
		}
		ew.printf("content %s: checked %d, equal %d, missing %d, stale %d, extra %d\n",
			k.Kind, k.Checked, k.Equal, k.Missing, k.Stale, k.Extra)
		for _, key := range k.MissingKeys {
			ew.printf("  missing on LinkedIn: %s\n", clean(key))
		}
		for _, s := range k.StaleRecords {
			ew.printf("  stale on LinkedIn: %s (%s)\n", clean(s.Key), clean(strings.Join(s.Fields, ", ")))
		}
		for _, key := range k.ExtraKeys {
			ew.printf("  on LinkedIn, deleted in the ATS or never sent: %s\n", clean(key))
		}
	}
	return ew.err
}

// Holdings reads back what LinkedIn holds for the engine's customer, for
// Engine.ReconcileContent (install it with WithHoldings). The default
// reads candidates back with batch_get (docs/linkedin-api.md §7) and
// reports every other kind as not checked: LinkedIn documents no read for
// them. rsctest's Customer.Holdings returns everything the fake holds.
type Holdings interface {
	// Held returns the records of kind (an EntityKind's value) that
	// LinkedIn holds among keys: each by key (NoteID is the record's id;
	// Parent is its candidate's or application's id for a stage, note or
	// feedback, "" otherwise), as the fields the client sends, by wire
	// name. A job's jobPostingOperationType is CLOSE when the job is
	// closed and absent when it is listed.
	//
	// all reports that held is every record of the kind LinkedIn holds,
	// asked for or not: the others are then reported as extra. An error
	// wrapping errors.ErrUnsupported means the kind cannot be read back;
	// it is reported as not checked.
	Held(ctx context.Context, kind string, keys []rsc.NoteKey) (held map[rsc.NoteKey]map[string]any, all bool, err error)
}

// WithHoldings sets how Engine.ReconcileContent reads what LinkedIn holds
// (default: candidates only, with batch_get). Pass rsctest's
// Customer.Holdings to compare every kind against the fake.
func WithHoldings(h Holdings) Option {
	return engineOption("WithHoldings", func(c *config) error {
		if h == nil {
			return errors.New("sync: WithHoldings: nil Holdings")
		}
		c.holdings = h
		return nil
	})
}

// contentKinds are the kinds ReconcileContent reports, in order (candidates,
// the kind every Holdings reads, first).
var contentKinds = [...]EntityKind{KindCandidate, KindJob, KindApplication, KindStage, KindCandidateNote,
	KindApplicationNote, KindInterviewFeedback}

// ReconcileContent reads back from LinkedIn the records of the Source that
// the engine would have sent (eligible, in the checkpoint's window, not
// dead-lettered) and compares every field sent, record by record; it also
// checks that the records deleted in the ATS are gone and, where the
// Holdings lists everything LinkedIn holds (rsctest), that LinkedIn holds
// nothing else. sample bounds the records checked per kind (0: every
// record, as against rsctest; against a real account pass a sample size,
// which LinkedIn's quota can afford): the records whose key hashes lowest
// are taken, so repeated checks look at the same ones. It sends nothing
// and changes no store.
//
// What LinkedIn holds is read with the Holdings of WithHoldings; by
// default candidates only, the other kinds listed with Unchecked set.
func (e *Engine) ReconcileContent(ctx context.Context, sample int) (*ContentReport, error) {
	if ctx == nil {
		return nil, errNilContext
	}
	if sample < 0 {
		return nil, errors.New("sync: ReconcileContent: negative sample")
	}
	cp, err := e.load(ctx)
	if err != nil {
		return nil, err
	}
	var from time.Time
	if cp != nil {
		from = cp.WindowFrom
	}
	dead := map[string]bool{}
	for d, err := range e.cfg.dead.List(ctx, e.cust) {
		if err != nil {
			return nil, fmt.Errorf("sync: listing dead letters: %w", err)
		}
		dead[d.Key()] = !d.Requested // a record queued for a resync is checked
	}
	want, err := e.contentWanted(ctx, Cursor{ModifiedAt: from}, sample, dead)
	if err != nil {
		return nil, err
	}
	h := e.cfg.holdings
	if h == nil {
		h = clientHoldings{c: e.client, integration: want.integration}
	}
	rep := &ContentReport{CustomerID: e.cust, CheckedAt: e.cfg.clock.Now()}
	for _, k := range contentKinds {
		kc, err := want.kinds[k].compare(ctx, h, k, e.beforeWindow(k, dead))
		if err != nil {
			return rep, err
		}
		rep.Kinds = append(rep.Kinds, kc)
	}
	return rep, nil
}

// wanted is, per kind, what the Source says LinkedIn should hold.
type wanted struct {
	kinds       map[EntityKind]*kindWanted
	integration map[rsc.NoteKey]string // candidate key -> integration context
}

// kindWanted is what LinkedIn should hold of one kind.
type kindWanted struct {
	pick    *sampler[sentRecord]
	known   map[rsc.NoteKey]bool // every key the Source holds, sampled or not, compared or not
	deleted []rsc.NoteKey        // deleted in the ATS, not held by the Source
	dead    map[string]bool
}

// sentRecord is a record as the engine sends it: its key and wire fields.
type sentRecord struct {
	key    rsc.NoteKey
	fields map[string]any
}

// add notes a Source record; ok false: not sent (ineligible or
// dead-lettered), so not compared, but not extra either.
func (kw *kindWanted) add(kind EntityKind, key rsc.NoteKey, rec any, ok bool) {
	kw.known[key] = true
	if ok && !kw.dead[dlKey(kind, key.Parent, key.NoteID)] {
		kw.pick.add(dlKey(kind, key.Parent, key.NoteID), sentRecord{key: key, fields: wireFields(rec)})
	}
}

// contentWanted reads the Source's records and deletions since from.
func (e *Engine) contentWanted(ctx context.Context, from Cursor, sample int, dead map[string]bool) (*wanted, error) {
	w := &wanted{kinds: map[EntityKind]*kindWanted{}, integration: map[rsc.NoteKey]string{}}
	for _, k := range contentKinds {
		w.kinds[k] = &kindWanted{pick: newSampler[sentRecord](sample), known: map[rsc.NoteKey]bool{}, dead: dead}
	}
	ok := func(r Record) bool {
		ok, _ := e.eligible(ctx, r)
		return ok
	}
	for j, err := range e.src.Jobs(ctx, from) {
		if err != nil {
			return nil, &SourceError{Phase: PhaseJobs, Err: err}
		}
		p := j.Posting
		p.OperationType = ""
		if j.Closed {
			p.OperationType = rsc.JobClose
		}
		w.kinds[KindJob].add(KindJob, rsc.NoteKey{NoteID: p.ExternalJobPostingID}, e.client.Jobs.Wire(p), ok(jobRecord(&j)))
	}
	for c, err := range e.src.Candidates(ctx, from) {
		if err != nil {
			return nil, &SourceError{Phase: PhaseCandidates, Err: err}
		}
		key := rsc.NoteKey{NoteID: c.Record.Key.CandidateID}
		w.integration[key] = c.Record.Key.IntegrationContext
		w.kinds[KindCandidate].add(KindCandidate, key, c.Record, ok(candidateRecord(&c)))
	}
	for a, err := range e.src.Applications(ctx, from) {
		if err != nil {
			return nil, &SourceError{Phase: PhaseApplications, Err: err}
		}
		id := a.Record.Key.ApplicationID
		sent := ok(applicationRecord(&a)) && !dead[dlKey(KindApplication, "", id)]
		w.kinds[KindApplication].add(KindApplication, rsc.NoteKey{NoteID: id}, a.Record, sent)
		for _, s := range a.Stages {
			w.kinds[KindStage].add(KindStage, rsc.NoteKey{Parent: id, NoteID: s.ID}, s, sent)
		}
	}
	for a, err := range e.src.Activities(ctx, from) {
		if err != nil {
			return nil, &SourceError{Phase: PhaseActivities, Err: err}
		}
		kw := w.kinds[a.Kind]
		if kw == nil {
			continue // refused by the engine as an unknown kind
		}
		var rec any
		switch a.Kind {
		case KindCandidateNote:
			rec = e.client.Candidates.WireNote(a.Note)
		case KindApplicationNote:
			rec = e.client.Applications.WireNote(a.Note)
		default:
			rec = a.Feedback
		}
		kw.add(a.Kind, rsc.NoteKey{Parent: a.parent(), NoteID: a.ID()}, rec, ok(activityRecord(&a)))
	}
	for d, err := range e.src.Deletions(ctx, from) {
		if err != nil {
			return nil, &SourceError{Phase: PhaseDeletions, Err: err}
		}
		key := rsc.NoteKey{Parent: d.Parent, NoteID: d.ID}
		if kw := w.kinds[d.Kind]; kw != nil && !kw.known[key] {
			kw.known[key] = true
			kw.deleted = append(kw.deleted, key)
			if d.Kind == KindCandidate {
				w.integration[key] = d.Integration
			}
		}
	}
	return w, nil
}

// beforeWindow returns, for the kinds the engine sends from before the
// window (a candidate or application, the parent of a note or feedback in
// the window that LinkedIn refused for want of it: PhaseReport.ParentsSent),
// a func that reads the Source's eligible, not dead-lettered records of
// kind among keys, as the engine would send them, from the beginning of the
// Source; nil for the other kinds.
func (e *Engine) beforeWindow(kind EntityKind, dead map[string]bool) func(context.Context, []rsc.NoteKey) (map[rsc.NoteKey]map[string]any, error) {
	sendable := func(ctx context.Context, r Record, id string) bool {
		ok, _ := e.eligible(ctx, r)
		return ok && !dead[dlKey(kind, "", id)]
	}
	lr := &run{e: e} // the lookups read only the engine's Source
	switch kind {
	case KindCandidate:
		return sentFrom(lr.lookupCandidates, sendable, func(c *Candidate) (Record, any) { return candidateRecord(c), c.Record })
	case KindApplication:
		return sentFrom(lr.lookupApplications, sendable, func(a *Application) (Record, any) { return applicationRecord(a), a.Record })
	}
	return nil
}

// sentFrom is beforeWindow's func over a lookup of one kind: the records
// found from the beginning of the Source that sendable takes, by key, as
// their wire fields (rec gives a record's Record and what the client
// sends).
func sentFrom[T any](lookup func(context.Context, []string, Cursor) (map[string]T, error),
	sendable func(context.Context, Record, string) bool, rec func(*T) (Record, any)) func(context.Context, []rsc.NoteKey) (map[rsc.NoteKey]map[string]any, error) {
	return func(ctx context.Context, keys []rsc.NoteKey) (map[rsc.NoteKey]map[string]any, error) {
		found, err := lookup(ctx, noteIDs(keys), Cursor{})
		out := map[rsc.NoteKey]map[string]any{}
		for id, v := range found {
			if r, wire := rec(&v); sendable(ctx, r, id) {
				out[rsc.NoteKey{NoteID: id}] = wireFields(wire)
			}
		}
		return out, err
	}
}

// noteIDs returns the keys' record ids.
func noteIDs(keys []rsc.NoteKey) []string {
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k.NoteID
	}
	return ids
}

// compare reads what LinkedIn holds of kind and compares it with kw.
// Where the Holdings lists everything LinkedIn holds, a record the Source
// does not hold in the window is extra, unless before (nil for kinds the
// engine never sends from before the window) finds it in the Source: it
// is then compared as the others are.
func (kw *kindWanted) compare(ctx context.Context, h Holdings, kind EntityKind, before func(context.Context, []rsc.NoteKey) (map[rsc.NoteKey]map[string]any, error)) (KindContent, error) {
	kc := KindContent{Kind: kind}
	want := kw.pick.records()
	keys := make([]rsc.NoteKey, 0, len(want)+len(kw.deleted))
	for _, r := range want {
		keys = append(keys, r.key)
	}
	keys = append(keys, kw.deleted...)
	held, all, err := h.Held(ctx, string(kind), keys)
	switch {
	case errors.Is(err, errors.ErrUnsupported):
		return KindContent{Kind: kind, Unchecked: err.Error()}, nil
	case err != nil:
		return kc, fmt.Errorf("sync: reading %s records back from LinkedIn: %w", kind, err)
	}
	for _, r := range want {
		kc.Checked++
		key := dlKey(kind, r.key.Parent, r.key.NoteID)
		if got, ok := held[r.key]; ok {
			kc.match(key, r.fields, got)
		} else {
			kc.Missing++
			kc.MissingKeys = appendKey(kc.MissingKeys, key)
		}
	}
	var extra []string
	for _, k := range kw.deleted {
		if _, ok := held[k]; ok {
			extra = append(extra, dlKey(kind, k.Parent, k.NoteID))
		} else {
			kc.Checked++
			kc.Equal++
		}
	}
	if all {
		var outside []rsc.NoteKey
		for k := range held {
			if !kw.known[k] {
				outside = append(outside, k)
			}
		}
		var sent map[rsc.NoteKey]map[string]any
		if before != nil && len(outside) > 0 {
			slices.SortFunc(outside, func(a, b rsc.NoteKey) int { return strings.Compare(a.NoteID, b.NoteID) })
			if sent, err = before(ctx, outside); err != nil {
				return kc, fmt.Errorf("sync: looking up %s records from before the window: %w", kind, err)
			}
		}
		for _, k := range outside {
			fields, ok := sent[k]
			if !ok {
				extra = append(extra, dlKey(kind, k.Parent, k.NoteID))
				continue
			}
			kc.Checked++
			kc.match(dlKey(kind, k.Parent, k.NoteID), fields, held[k])
		}
	}
	slices.Sort(extra)
	for _, k := range extra {
		kc.Checked++
		kc.Extra++
		kc.ExtraKeys = appendKey(kc.ExtraKeys, k)
	}
	return kc, nil
}

// match counts a record LinkedIn holds as got, whose wire fields the
// engine sends as want: equal, or stale with the fields that differ.
func (kc *KindContent) match(key string, want, got map[string]any) {
	diff := fieldsDiffer(want, got)
	if len(diff) == 0 {
		kc.Equal++
		return
	}
	kc.Stale++
	if len(kc.StaleRecords) < maxContentKeys {
		kc.StaleRecords = append(kc.StaleRecords, Stale{Key: key, Fields: diff})
	}
}

// unreadable is a Holdings error for a kind it cannot read; it wraps
// errors.ErrUnsupported.
type unreadable string

func (u unreadable) Error() string        { return string(u) }
func (u unreadable) Is(target error) bool { return target == errors.ErrUnsupported }

// clientHoldings reads candidates back from LinkedIn with batch_get; the
// other kinds have no documented read (docs/linkedin-api.md §1, §7).
type clientHoldings struct {
	c           *rsc.Client
	integration map[rsc.NoteKey]string
}

func (h clientHoldings) Held(ctx context.Context, kind string, keys []rsc.NoteKey) (map[rsc.NoteKey]map[string]any, bool, error) {
	if kind != string(KindCandidate) {
		return nil, false, unreadable("the client cannot read " + kind + " records back from LinkedIn")
	}
	out := map[rsc.NoteKey]map[string]any{}
	if len(keys) == 0 {
		return out, false, nil
	}
	ck := make([]rsc.CandidateKey, len(keys))
	for i, k := range keys {
		ck[i] = rsc.CandidateKey{IntegrationContext: h.integration[k], CandidateID: k.NoteID}
	}
	got, err := h.c.Candidates.Get(ctx, ck)
	if err != nil {
		return nil, false, err
	}
	for k, r := range got {
		if r != nil {
			out[rsc.NoteKey{NoteID: k.CandidateID}] = wireFields(r.Candidate)
		}
	}
	return out, false, nil
}

func appendKey(keys []string, k string) []string {
	if len(keys) < maxContentKeys {
		keys = append(keys, k)
	}
	return keys
}

// fieldsDiffer compares every field a record sends (its wire form, as the
// client marshals it) with the same fields of what LinkedIn holds, and
// returns the names of those that differ. Absent, null and empty values
// are one value on the wire.
func fieldsDiffer(s, h map[string]any) []string {
	var diff []string
	for _, n := range slices.Sorted(maps.Keys(s)) {
		if n == "key" {
			continue // the record's key, in the URL
		}
		a, b := s[n], h[n]
		if emptyValue(a) && emptyValue(b) {
			continue
		}
		if !reflect.DeepEqual(a, b) {
			diff = append(diff, n)
		}
	}
	return diff
}

func wireFields(v any) map[string]any {
	m := map[string]any{}
	if b, err := json.Marshal(v); err == nil {
		_ = json.Unmarshal(b, &m)
	}
	return m
}

func emptyValue(v any) bool {
	switch x := v.(type) {
	case nil:
		return true
	case string:
		return x == ""
	case []any:
		return len(x) == 0
	case map[string]any:
		return len(x) == 0
	}
	return false
}

// sampler keeps the n records whose keys hash lowest (all when n is 0).
type sampler[T any] struct {
	n int
	h keyHeap[T]
}

func newSampler[T any](n int) *sampler[T] { return &sampler[T]{n: n} }

func (s *sampler[T]) add(key string, v T) {
	f := fnv.New64a()
	f.Write([]byte(key))
	it := sampled[T]{hash: f.Sum64(), key: key, v: v}
	if s.n == 0 || s.h.Len() < s.n {
		heap.Push(&s.h, it)
		return
	}
	if it.hash < s.h[0].hash {
		s.h[0] = it
		heap.Fix(&s.h, 0)
	}
}

// records returns the kept records in key order.
func (s *sampler[T]) records() []T {
	items := slices.Clone(s.h)
	slices.SortFunc(items, func(a, b sampled[T]) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return 0
	})
	out := make([]T, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out
}

type sampled[T any] struct {
	hash uint64
	key  string
	v    T
}

// keyHeap is a max-heap by hash: its root is the record to drop first.
type keyHeap[T any] []sampled[T]

func (h keyHeap[T]) Len() int           { return len(h) }
func (h keyHeap[T]) Less(i, j int) bool { return h[i].hash > h[j].hash }
func (h keyHeap[T]) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *keyHeap[T]) Push(x any)        { *h = append(*h, x.(sampled[T])) }
func (h *keyHeap[T]) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}
