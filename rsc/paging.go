package rsc

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"strconv"

	"github.com/rscgo/rscgo/internal/restli"
)

// Paging is the paging block of a collection response.
type Paging struct {
	Start int `json:"start"`
	Count int `json:"count"`
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
		return nil, fmt.Errorf("rsc: decoding %s batch_get: %w", res.legacy, err)
	}
	return br, nil
}

// batchGet reads records by compound key (batch_get, at most MaxBatchSize
// keys a call), returning those LinkedIn holds. query, if not "", is added
// to the ids (a projection); check, if not nil, refuses a bad key before
// anything is sent.
func batchGet[K compoundKey, T any](ctx context.Context, c *Client, res *resource, keys []K, query string, check func(K) error) (map[K]*T, error) {
	out := make(map[K]*T, len(keys))
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
		for ks, raw := range br.Results {
			if j := responseKeyIndex(ks, rkeys); j >= 0 {
				rec := new(T)
				if err := c.decodeJSON(res, raw, rec); err != nil {
					return out, err
				}
				out[chunk[j]] = rec
			}
		}
	}
	return out, nil
}

// pageSize is the count requested per page when the caller gives none.
const pageSize = 100

// finder returns a lazy iterator over a finder's elements, fetching pages of
// count with start/count paging. It yields one error and stops on failure,
// stops when a page is short or empty, and returns as soon as the consumer
// breaks. query is the finder's own parameters, already encoded.
func finder[T any](c *Client, res *resource, query string, count int) func(ctx context.Context) iter.Seq2[T, error] {
	if count <= 0 {
		count = pageSize
	}
	return func(ctx context.Context) iter.Seq2[T, error] {
		return func(yield func(T, error) bool) {
			var zero T
			start := 0
			for {
				q := query + "&start=" + strconv.Itoa(start) + "&count=" + strconv.Itoa(count)
				resp, err := c.do(ctx, &call{method: http.MethodGet, path: "/" + c.fam.name(res), query: q,
					res: res, idempotent: true})
				if err != nil {
					yield(zero, err)
					return
				}
				var page collection[T]
				if err := json.Unmarshal(c.fam.unentity(res, resp.body), &page); err != nil {
					yield(zero, fmt.Errorf("rsc: decoding %s page: %w", res.legacy, err))
					return
				}
				for _, el := range page.Elements {
					if !yield(el, nil) {
						return
					}
				}
				if len(page.Elements) < count || (page.Paging.Total > 0 && start+len(page.Elements) >= page.Paging.Total) {
					return
				}
				start += len(page.Elements)
			}
		}
	}
}
