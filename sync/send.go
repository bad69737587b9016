package sync

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// maxMinuteWaits bounds how often one call waits out a per-minute 429 that
// survived the client's own retries.
const maxMinuteWaits = 5

// throttled calls fn and, when LinkedIn's per-minute throttle outlasted the
// client's retries, waits for the window to pass and calls it again. It
// does not retry anything else: the client already retries transport errors
// and 5xx of safe calls.
func (r *run) throttled(ctx context.Context, fn func() error) error {
	for i := 0; ; i++ {
		err := fn()
		var rl *rsc.RateLimitError
		if err == nil || !errors.As(err, &rl) || rl.Daily || i >= maxMinuteWaits {
			return err
		}
		wait := rl.RetryAfter
		if wait <= 0 {
			now := r.e.cfg.clock.Now()
			wait = now.Truncate(time.Minute).Add(time.Minute).Sub(now)
		}
		if err := r.wait(ctx, "LinkedIn's per-minute throttle", wait, false); err != nil {
			return err
		}
	}
}

// rejected reports whether err is LinkedIn refusing a whole batch for its
// content (400, 413 or 422), which splitting can isolate.
func rejected(err error) (*rsc.APIError, bool) {
	var rl *rsc.RateLimitError
	if errors.As(err, &rl) {
		return nil, false
	}
	var ae *rsc.APIError
	if !errors.As(err, &ae) {
		return nil, false
	}
	switch ae.StatusCode {
	case http.StatusBadRequest, http.StatusRequestEntityTooLarge, http.StatusUnprocessableEntity:
		return ae, true
	}
	return nil, false
}

// sendSplit sends recs with fn (one call: len(recs) <= rsc.MaxBatchSize)
// and calls each(i, item) with the final outcome of every record, i being
// the record's index in recs. When LinkedIn rejects the whole call, the
// records the client refused are final and the others are split in halves
// and sent again, recursively, until the bad record is isolated: it gets
// the call's *rsc.APIError as its item error. Any other call failure is
// returned and the remaining records get no outcome.
func sendSplit[T any, K comparable](ctx context.Context, r *run, recs []T,
	fn func(context.Context, []T) (*rsc.BatchResult[K], error), each func(i int, it rsc.Item[K])) error {
	buf := r.bufs.positions.get(len(recs))
	defer r.bufs.positions.put(buf)
	idx := *buf
	for i := range idx {
		idx[i] = i
	}
	return splitRec(ctx, r, recs, idx, fn, each)
}

func splitRec[T any, K comparable](ctx context.Context, r *run, recs []T, idx []int,
	fn func(context.Context, []T) (*rsc.BatchResult[K], error), each func(i int, it rsc.Item[K])) error {
	var res *rsc.BatchResult[K]
	err := r.throttled(ctx, func() error {
		var err error
		res, err = fn(ctx, recs)
		return err
	})
	if err == nil {
		for j, it := range res.Items {
			each(idx[j], it)
		}
		return nil
	}
	ae, ok := rejected(err)
	if !ok {
		return err
	}
	var rest []int // positions in recs still to resolve
	for j := range recs {
		if res != nil && j < len(res.Items) {
			var ve *rsc.ValidationError
			if errors.As(res.Items[j].Err, &ve) {
				each(idx[j], res.Items[j])
				continue
			}
		}
		rest = append(rest, j)
	}
	switch len(rest) {
	case 0:
		return nil
	case 1:
		it := rsc.Item[K]{Status: ae.StatusCode, Err: ae}
		if res != nil && rest[0] < len(res.Items) {
			it.Key = res.Items[rest[0]].Key
		}
		each(idx[rest[0]], it)
		return nil
	}
	half := len(rest) / 2
	for _, part := range [][]int{rest[:half], rest[half:]} {
		sub := make([]T, len(part))
		subIdx := make([]int, len(part))
		for k, j := range part {
			sub[k], subIdx[k] = recs[j], idx[j]
		}
		if err := splitRec(ctx, r, sub, subIdx, fn, each); err != nil {
			return err
		}
	}
	return nil
}
