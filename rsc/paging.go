package rsc

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"hash/maphash"
	"iter"
	"math"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/rscgo/rscgo/internal/restli"
)

// Paging is the paging block of a collection response.
type Paging struct {
	// Start is the position of the page's first record in the
	// collection, from 0.
	Start int `json:"start"`
	// Count is the page size the server reports. A server that capped it
	// may echo the count asked for while serving fewer records
	// (docs/linkedin-api.md §2.3).
	Count int `json:"count"`
	// Total is the number of records in the collection, or 0 when the
	// server does not say (LinkedIn's total is optional, §2.3).
	Total int `json:"total,omitempty"`
}

type collection[T any] struct {
	Elements []T    `json:"elements"`
	Paging   Paging `json:"paging"`
}

// byRequest reads the elements of res's q=request finder for requestID.
func byRequest[T any](ctx context.Context, c *Client, res *resource, requestID string) ([]T, error) {
	resp, err := c.do(ctx, &call{method: http.MethodGet, path: "/" + c.fam.name(res),
		query: "q=request&" + restli.EncodeParam(c.fam.proto, "requestId", requestID), res: res, idempotent: true})
	if err != nil {
		return nil, err
	}
	var col collection[T]
	if err := c.decodeJSON(res, resp.body, &col); err != nil {
		return nil, err
	}
	return col.Elements, nil
}

type batchGetResponse struct {
	Results  map[string]json.RawMessage `json:"results"`
	Statuses map[string]int             `json:"statuses"`
	Errors   map[string]batchErr        `json:"errors"`
}

// getBatch sends one batch_get (GET path?query) and returns LinkedIn's
// answer, whose maps are keyed as the response spells each key.
func (c *Client) getBatch(ctx context.Context, res *resource, path, query string) (*batchGetResponse, error) {
	resp, err := c.do(ctx, &call{method: http.MethodGet, path: path, query: query, res: res, idempotent: true})
	if err != nil {
		return nil, err
	}
	br := new(batchGetResponse)
	if err := json.Unmarshal(resp.body, br); err != nil {
		return nil, c.red.Error(fmt.Errorf("rsc: decoding %s batch_get: %w", res.legacy, err))
	}
	return br, nil
}

// BatchGetError reports the keys of a batch_get (CandidatesService.Get,
// IntegrationsService.Get) that LinkedIn answered, in the errors or
// statuses map of its 200 answer, with a status other than 404. A 404 means
// the record is absent: its key is only missing from the result. The
// records that were found come back with the error, so a caller may use
// them and retry the failed keys.
//
// Use errors.As to get it from the error Get returns; each of Errors is
// also reachable with errors.As as an *EntityError.
type BatchGetError struct {
	Resource string // e.g. "atsCandidates"
	// Errors has one entry per failed key, in the order the keys were
	// given: the key as its String method shows it (or the answer's key
	// when it names none of the keys asked), the status, and LinkedIn's
	// message and serviceErrorCode, if any.
	Errors []*EntityError
}

// Error implements error.
func (e *BatchGetError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rsc: %s batch_get: LinkedIn could not read %d record(s):", e.Resource, len(e.Errors))
	for i, ee := range e.Errors {
		if i > 0 {
			b.WriteByte(';')
		}
		fmt.Fprintf(&b, " %q: %d", ee.Key, ee.Status)
		if m := strings.TrimSpace(ee.Message); m != "" {
			b.WriteString(" " + m)
		}
	}
	return b.String()
}

// Unwrap returns the per-key errors, for errors.As and errors.Is.
func (e *BatchGetError) Unwrap() []error {
	errs := make([]error, len(e.Errors))
	for i, ee := range e.Errors {
		errs[i] = ee
	}
	return errs
}

// batchGet reads records by compound key (batch_get, at most MaxBatchSize
// keys a call), returning those LinkedIn holds. A key LinkedIn answers 404
// is absent from the map; any other per-key error status comes back as a
// *BatchGetError, with the records that were found. query, if not "", is
// added to the ids (a projection); check, if not nil, refuses a bad key
// before anything is sent.
func batchGet[K compoundKey, T any](ctx context.Context, c *Client, res *resource, keys []K, query string, check func(K) error) (map[K]*T, error) {
	out := make(map[K]*T, len(keys))
	var failed []*EntityError
	for start := 0; start < len(keys); start += MaxBatchSize {
		chunk := keys[start:min(start+MaxBatchSize, len(keys))]
		rkeys := make([]restli.Key, len(chunk))
		for i, k := range chunk {
			if check != nil {
				if err := check(k); err != nil {
					return out, err
				}
			}
			rkeys[i] = k.restli(c.fam)
		}
		q := restli.EncodeBatchIDs(c.fam.proto, rkeys)
		if query != "" {
			q += "&" + query
		}
		br, err := c.getBatch(ctx, res, "/"+c.fam.name(res), q)
		if err != nil {
			return out, err
		}
		byKey := keyIndex{keys: rkeys}
		for ks, raw := range br.Results {
			if j := byKey.find(ks); j >= 0 {
				rec := new(T)
				if err := c.decodeJSON(res, raw, rec); err != nil {
					return out, err
				}
				out[chunk[j]] = rec
			}
		}
		failed = append(failed, keyFailures(c, res, br, func(ks string) (int, string) {
			if j := byKey.find(ks); j >= 0 {
				return j, chunk[j].String()
			}
			return -1, ks
		})...)
	}
	if len(failed) > 0 {
		return out, &BatchGetError{Resource: res.legacy, Errors: failed}
	}
	return out, nil
}

// keyFailures returns the per-key failures of one batch_get answer: each
// key of its errors map, and each key of its statuses map with a status of
// 400 or more, unless the status is 404 (absent). key gives a response
// key's position among the keys asked and its label (-1 and the response
// key itself when it names none of them); the failures come in the order
// of the keys asked, those naming none last.
func keyFailures(c *Client, res *resource, br *batchGetResponse, key func(string) (int, string)) []*EntityError {
	type failure struct {
		at  int
		raw string
		err *EntityError
	}
	var fs []failure
	add := func(ks string, status int, e *batchErr) {
		if status == http.StatusNotFound {
			return
		}
		at, name := key(ks)
		if at < 0 {
			at = math.MaxInt
		}
		ee := &EntityError{Resource: res.legacy, Key: c.red.String(name), Status: status}
		if e != nil {
			ee.ServiceErrorCode, ee.Message = e.ServiceErrorCode, c.red.String(e.Message)
		}
		fs = append(fs, failure{at, ks, ee})
	}
	for ks, e := range br.Errors {
		st := e.Status
		if st == 0 {
			st = br.Statuses[ks]
		}
		add(ks, st, &e)
	}
	for ks, st := range br.Statuses {
		if _, dup := br.Errors[ks]; !dup && st >= 400 {
			add(ks, st, nil)
		}
	}
	slices.SortFunc(fs, func(a, b failure) int { return cmp.Or(cmp.Compare(a.at, b.at), strings.Compare(a.raw, b.raw)) })
	out := make([]*EntityError, len(fs))
	for i, f := range fs {
		out[i] = f.err
	}
	return out
}

// pageSize is the count requested per page when the caller gives none.
const pageSize = 100

// maxPages bounds the pages one finder iteration reads: a million records
// even at 10 a page (LinkedIn's default count, should a server cap count
// there), far beyond any RSC finder's answer (the stub search stops at
// 20,000 results, docs/linkedin-api.md §2.3).
const maxPages = 100_000

// finder returns a lazy iterator over a finder's elements, fetching pages of
// count with start/count paging. It yields one error and stops on failure,
// and returns as soon as the consumer breaks. query is the finder's own
// parameters, already encoded.
//
// It reads on until the records paging.total announces are read, or, when
// the server gives no total, until a page holds fewer records than the
// page size, which is count or the smaller count the server's paging
// says it served (a server may cap count below what was asked: a short
// page then ends nothing), or until a page is empty. The next page starts
// a page size after the last (docs/linkedin-api.md §2.3), also after a
// page the server filtered: a server that serves fewer records than it
// was asked must say so in paging.count. A server that ignores
// start (a page holds the same records as an earlier page of the
// iteration, white space aside: the page before it, or a cycle of pages)
// is an error, not an endless read; so is a read past maxPages pages, a
// guard against any other endless paging.
func finder[T any](c *Client, res *resource, query string, count int) func(ctx context.Context) iter.Seq2[T, error] {
	if count <= 0 {
		count = pageSize
	}
	return func(ctx context.Context) iter.Seq2[T, error] {
		return func(yield func(T, error) bool) {
			var zero T
			start := 0
			seen := map[uint64]bool{} // the digests of the pages read, compacted
			seed := maphash.MakeSeed()
			pages, fam := 0, c.fam.of(res) // fam: the family res is sent in
			for {
				q := query + "&start=" + strconv.Itoa(start) + "&count=" + strconv.Itoa(count)
				resp, err := c.do(ctx, &call{method: http.MethodGet, path: "/" + fam.name(res), query: q,
					res: res, idempotent: true})
				if err != nil {
					yield(zero, err)
					return
				}
				var page struct {
					Elements json.RawMessage `json:"elements"`
					Paging   *Paging         `json:"paging"`
				}
				var els []T
				err = json.Unmarshal(fam.unentity(res, resp.body), &page)
				if err == nil && len(page.Elements) > 0 {
					err = json.Unmarshal(page.Elements, &els)
				}
				if err != nil {
					yield(zero, c.red.Error(fmt.Errorf("rsc: decoding %s page: %w", res.legacy, err)))
					return
				}
				if len(els) == 0 {
					return
				}
				// A server that ignores start serves its first page (or a
				// few pages in turn) again and again: stop rather than
				// yield the same records forever.
				var compact bytes.Buffer
				if json.Compact(&compact, page.Elements) != nil {
					compact.Write(page.Elements)
				}
				sum := maphash.Bytes(seed, compact.Bytes())
				if seen[sum] {
					yield(zero, fmt.Errorf("rsc: %s: the page at start=%d holds the same records as an earlier page; stopping rather than reading them again",
						res.legacy, start))
					return
				}
				seen[sum] = true
				if pages++; pages > maxPages {
					yield(zero, fmt.Errorf("rsc: %s: more than %d pages; stopping rather than paging on without end", res.legacy, maxPages))
					return
				}
				for _, el := range els {
					if !yield(el, nil) {
						return
					}
				}
				size := count
				if p := page.Paging; p != nil && p.Count > 0 && p.Count < count {
					size = p.Count
				}
				// The next page starts size after this one (LinkedIn's 0,
				// N, 2N, ..., docs/linkedin-api.md §2.3), however many
				// records this one held: a page the server filtered holds
				// fewer, and its next one starts no earlier.
				next := start + max(size, len(els))
				switch p := page.Paging; {
				case p != nil && p.Total > 0:
					if next >= p.Total {
						return
					}
				case len(els) < size:
					return
				}
				start = next
			}
		}
	}
}
