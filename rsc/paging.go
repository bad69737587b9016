package rsc

import (
	"context"
	"encoding/json"
	"fmt"
	"iter"
	"net/http"
	"strconv"
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
