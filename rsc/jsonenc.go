package rsc

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/rscgo/rscgo/internal/restli"
)

// marshalBody is json.Marshal without HTML escaping: '<', '>' and '&'
// are written as they are, as LinkedIn's sample requests write them, not
// as \u003c, \u003e and \u0026 (the same JSON, other bytes). Every
// request body the client builds is encoded by it or by the append-style
// encoders below, which write the same bytes.
func marshalBody(v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte{'\n'}), nil
}

// jsonObject appends a JSON object's members to b, for the append-style
// encoders of the records sent in bulk (Candidate.appendJSON). Each method
// writes one member; the caller writes the braces.
type jsonObject struct {
	b []byte
	n int // members written
}

// key writes the separator and "name":.
func (o *jsonObject) key(name string) {
	if o.n > 0 {
		o.b = append(o.b, ',')
	}
	o.n++
	o.b = append(o.b, '"')
	o.b = append(o.b, name...)
	o.b = append(o.b, '"', ':')
}

// str writes a string member.
func (o *jsonObject) str(name, v string) {
	o.key(name)
	o.b = appendJSONString(o.b, v)
}

// strOmit writes a string member unless v is empty (omitempty).
func (o *jsonObject) strOmit(name, v string) {
	if v != "" {
		o.str(name, v)
	}
}

// millis writes an EpochMillis member.
func (o *jsonObject) millis(name string, v EpochMillis) {
	o.key(name)
	o.b = strconv.AppendInt(o.b, int64(v), 10)
}

// strsOmit writes a string array member unless v is empty (omitempty).
func (o *jsonObject) strsOmit(name string, v []string) {
	if len(v) == 0 {
		return
	}
	o.key(name)
	o.b = append(o.b, '[')
	for i, s := range v {
		if i > 0 {
			o.b = append(o.b, ',')
		}
		o.b = appendJSONString(o.b, s)
	}
	o.b = append(o.b, ']')
}

// open starts an array element or member object: it writes the separator
// when i > 0 and '{', and returns the inner object to write members into;
// close it with endObject.
func (o *jsonObject) open(i int) jsonObject {
	if i > 0 {
		o.b = append(o.b, ',')
	}
	return jsonObject{b: append(o.b, '{')}
}

// endObject writes inner's '}' back into o.
func (o *jsonObject) endObject(inner jsonObject) { o.b = append(inner.b, '}') }

// bulkRecord is a record type sent in bulk by batch_update (Candidate,
// Application), as a pointer to T.
type bulkRecord[K compoundKey, T any] interface {
	*T
	// recordKey returns the key, its id as shown in errors, and the id's
	// field name.
	recordKey() (key K, id, idField string)
	// validateAt checks the record's rules at time now, as res.
	validateAt(res *resource, now time.Time) error
	// appendKey appends the fields of the record's key in family f.
	appendKey(dst restli.Key, f family) restli.Key
	appendJSON(dst []byte) []byte
}

// upsertRecords validates recs, encodes the valid ones and sends them by
// batch_update, in batches of at most MaxBatchSize. Their JSON is written
// in chunks from the client's pool, and what encoding needs besides comes
// from scratch; both are given back once the calls are done.
func upsertRecords[K compoundKey, T any, P bulkRecord[K, T]](ctx context.Context, c *Client, res *resource, scratch *scratchPool[K], recs []T) (*BatchResult[K], error) {
	arena := recordArena{pool: &c.chunks}
	defer arena.release()
	sc := scratch.get(len(recs))
	defer scratch.put(sc, len(recs))
	entries := encodeRecords[K, T, P](c, res, recs, &arena, sc)
	return writeBatches(ctx, c, c.batchOpFor(http.MethodPut, res, ""), entries)
}

// encodeRecords validates recs (each on its own, and no key twice) and
// encodes the valid ones into arena, their key fields sharing a few
// allocations. The entries live in sc, their bodies in arena: they are
// valid until those are given back.
func encodeRecords[K compoundKey, T any, P bulkRecord[K, T]](c *Client, res *resource, recs []T, arena *recordArena, sc *encodeScratch[K]) []entry[K] {
	entries := sc.entries[:len(recs)]
	keys := sc.keys // records' key fields one after the other, a batch's worth at a time
	// The records of one call are checked at one instant.
	now := c.cfg.clock.Now()
	for i := range recs {
		rec, e := P(&recs[i]), &entries[i]
		key, id, idField := rec.recordKey()
		e.key, e.label = key, id
		e.err = rec.validateAt(res, now)
		n := len(sc.seen)
		sc.seen[key] = true // one map operation: the map grows unless the key is in it
		if len(sc.seen) == n && e.err == nil {
			e.err = &ValidationError{Resource: res.legacy, Key: id, Field: idField, Rule: RuleRepeated}
		}
		if e.err != nil {
			continue
		}
		if cap(keys)-len(keys) < 4 {
			keys = make(restli.Key, 0, 3*min(len(recs)-i, MaxBatchSize)+1)
		}
		start := len(keys)
		keys = rec.appendKey(keys, c.fam)
		e.rkey = keys[start:len(keys):len(keys)]
		arena.reserve()
		start = len(arena.buf)
		arena.buf = rec.appendJSON(arena.buf)
		e.body = arena.take(start)
	}
	sc.keys = keys
	return entries
}

// encodeScratch is what encodeRecords needs besides the JSON: the entries,
// the keys seen, the key fields.
type encodeScratch[K comparable] struct {
	entries []entry[K]
	seen    map[K]bool
	keys    restli.Key
}

// scratchPool keeps encodeScratch from call to call (a Client has one per
// record type). Only scratch for at most MaxBatchSize records is kept, so
// that one large call does not make every later one clear a large map.
type scratchPool[K comparable] struct{ p sync.Pool }

// get returns empty scratch with room for n entries.
func (sp *scratchPool[K]) get(n int) *encodeScratch[K] {
	sc, ok := sp.p.Get().(*encodeScratch[K])
	if !ok {
		sc = &encodeScratch[K]{seen: make(map[K]bool, min(n, MaxBatchSize))}
	}
	sc.entries = slices.Grow(sc.entries[:0], n)
	return sc
}

// put gives back sc, got for n records: the entries taken from it must not
// be used any more.
func (sp *scratchPool[K]) put(sc *encodeScratch[K], n int) {
	if n > MaxBatchSize {
		return
	}
	clear(sc.entries[:cap(sc.entries)])
	clear(sc.seen)
	clear(sc.keys[:cap(sc.keys)])
	sc.keys = sc.keys[:0]
	sp.p.Put(sc)
}

// arenaChunk is the size of a recordArena chunk.
const arenaChunk = 64 << 10

// recordArena holds the JSON of many records one after the other, in
// 64 KiB chunks, so that encoding a batch allocates a few chunks rather
// than one buffer per record; with a pool, the chunks are reused from call
// to call. Use it as
//
//	ar.reserve()
//	start := len(ar.buf)
//	ar.buf = rec.appendJSON(ar.buf)
//	body := ar.take(start)
//
// and release it once no body taken is used any more.
type recordArena struct {
	buf  []byte
	pool *bufferPool // nil: allocate each chunk
	held []*[]byte   // the chunks in use, given back by release
}

// reserve starts a new chunk when the current one is nearly full.
func (a *recordArena) reserve() {
	if cap(a.buf)-len(a.buf) >= 2<<10 {
		return
	}
	var c *[]byte
	if a.pool != nil {
		c = a.pool.get(arenaChunk)
	} else {
		b := make([]byte, 0, arenaChunk)
		c = &b
	}
	a.held = append(a.held, c)
	a.buf = *c
}

// take returns the bytes written since start, capped so that later
// appends never write into them.
func (a *recordArena) take(start int) []byte { return a.buf[start:len(a.buf):len(a.buf)] }

// release gives the chunks back to the pool: what take returned must not
// be used any more.
func (a *recordArena) release() {
	if a.pool != nil {
		for _, c := range a.held {
			a.pool.put(c)
		}
	}
	a.buf, a.held = nil, nil
}

// The bulkRecord methods of Application and Candidate.

func (a *Application) recordKey() (ApplicationKey, string, string) {
	return a.Key, a.Key.ApplicationID, "atsJobApplicationId"
}

func (cand *Candidate) recordKey() (CandidateKey, string, string) {
	return cand.Key, cand.Key.CandidateID, "atsCandidateId"
}

func (a *Application) validateAt(res *resource, now time.Time) error {
	return checkRecord(res, a.Key.ApplicationID, now, a, validateApplication)
}

func (cand *Candidate) validateAt(res *resource, now time.Time) error {
	return checkRecord(res, cand.Key.CandidateID, now, cand, validateCandidate)
}

func (a *Application) appendKey(dst restli.Key, f family) restli.Key {
	return append(dst, a.Key.restli(f)...)
}

func (cand *Candidate) appendKey(dst restli.Key, f family) restli.Key {
	return append(dst, cand.Key.restli(f)...)
}

// appendJSON appends the application as json.Marshal writes it, except
// that '<', '>' and '&' are not escaped; without reflection.
func (a *Application) appendJSON(dst []byte) []byte {
	o := jsonObject{b: append(dst, '{')}
	for _, f := range [...]struct {
		name, v   string
		omitEmpty bool
	}{{"atsCandidateId", a.CandidateID, true}, {"atsJobPostingId", a.JobPostingID, false},
		{"atsJobPostingName", a.JobPostingName, false}, {"candidateEmail", a.CandidateEmail, true},
		{"firstName", a.FirstName, false}, {"lastName", a.LastName, false}, {"source", a.Source, false},
		{"dispositionReason", a.DispositionReason, false}} {
		if !f.omitEmpty || f.v != "" {
			o.str(f.name, f.v)
		}
	}
	o.millis("atsCreatedAt", a.CreatedAt)
	o.millis("atsLastModifiedAt", a.LastModifiedAt)
	return append(o.b, '}')
}

// appendJSON appends the candidate as json.Marshal writes it, except that
// nil phone numbers and addresses are [] (LinkedIn requires both lists)
// and '<', '>' and '&' are not escaped; without reflection.
func (cand *Candidate) appendJSON(dst []byte) []byte {
	o := jsonObject{b: append(dst, '{')}
	o.str("firstName", cand.FirstName)
	o.strOmit("lastName", cand.LastName)
	o.strOmit("middleInitial", cand.MiddleInitial)
	o.strOmit("prefix", cand.Prefix)
	o.strOmit("suffix", cand.Suffix)
	o.strsOmit("emailAddresses", cand.EmailAddresses)
	o.key("phoneNumbers")
	o.b = append(o.b, '[')
	for i := range cand.PhoneNumbers {
		p := o.open(i)
		p.str("number", cand.PhoneNumbers[i].Number)
		p.strOmit("extension", cand.PhoneNumbers[i].Extension)
		o.endObject(p)
	}
	o.b = append(o.b, ']')
	o.key("addresses")
	o.b = append(o.b, '[')
	for i := range cand.Addresses {
		ad, a := &cand.Addresses[i], o.open(i)
		for _, f := range [...]struct{ name, v string }{{"line1", ad.Line1}, {"line2", ad.Line2}, {"line3", ad.Line3},
			{"line4", ad.Line4}, {"city", ad.City}, {"geographicArea", ad.GeographicArea},
			{"geographicAreaType", ad.GeographicAreaType}, {"postalCode", ad.PostalCode}, {"country", ad.Country}} {
			a.strOmit(f.name, f.v)
		}
		o.endObject(a)
	}
	o.b = append(o.b, ']')
	o.strOmit("currentCompanyName", cand.CurrentCompanyName)
	o.strOmit("currentJobTitle", cand.CurrentJobTitle)
	o.str("externalProfileUrl", cand.ExternalProfileURL)
	o.strOmit("linkedInProfileUrl", cand.LinkedInProfileURL)
	if cand.DoNotContact {
		o.key("doNotContact")
		o.b = append(o.b, "true"...)
	}
	o.millis("atsCreatedAt", cand.CreatedAt)
	o.millis("atsLastModifiedAt", cand.LastModifiedAt)
	return append(o.b, '}')
}
