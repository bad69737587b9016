package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	gosync "sync"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/rscgo/rscgo/fleet/internal/fleetrun"
	"github.com/rscgo/rscgo/fleet/lease"
	"github.com/rscgo/rscgo/fleet/riverrun"
	"github.com/rscgo/rscgo/internal/reqtag"
	rscsync "github.com/rscgo/rscgo/sync"
)

// events writes fleetrun.Events as JSON lines, when enabled.
type events struct {
	mu     gosync.Mutex
	enc    *json.Encoder // nil: disabled
	worker string
}

func newEvents(w io.Writer, on bool, worker string) *events {
	ev := &events{worker: worker}
	if on {
		ev.enc = json.NewEncoder(w)
	}
	return ev
}

func (ev *events) emit(e fleetrun.Event) {
	if ev.enc == nil {
		return
	}
	e.Time, e.Worker = time.Now().UTC(), ev.worker
	ev.mu.Lock()
	defer ev.mu.Unlock()
	_ = ev.enc.Encode(e)
}

// slice identifies the slice a context runs.
type slice struct{ customer, id string }

type sliceKey struct{}

// sliceOf returns the slice ctx runs, if any.
func sliceOf(ctx context.Context) slice {
	s, _ := ctx.Value(sliceKey{}).(slice)
	return s
}

// observe is River middleware: around each slice job it names the slice in
// the context (for tagging and observedStore) and emits start and end
// events.
func (w *worker) observe(ctx context.Context, job *rivertype.JobRow, inner func(context.Context) error) error {
	if job.Kind != (riverrun.SliceArgs{}).Kind() {
		return inner(ctx)
	}
	var args riverrun.SliceArgs
	if err := json.Unmarshal(job.EncodedArgs, &args); err != nil {
		return inner(ctx)
	}
	s := slice{customer: args.CustomerID, id: fmt.Sprintf("%s/%d/%d", w.cfg.id, job.ID, job.Attempt)}
	w.ev.emit(fleetrun.Event{Event: "start", Customer: s.customer, Slice: s.id})
	err := inner(context.WithValue(ctx, sliceKey{}, s))
	e := fleetrun.Event{Event: "end", Customer: s.customer, Slice: s.id, Result: "done"}
	var snooze *river.JobSnoozeError
	var lost *lease.LostError
	switch {
	case errors.As(err, &snooze):
		e.Result = "snoozed"
	case errors.As(err, &lost):
		e.Result, e.Error = "fenced", err.Error()
	case err != nil:
		e.Result, e.Error = "failed", err.Error()
	}
	w.ev.emit(e)
	return err
}

// observedStore emits a commit event for every checkpoint commit of its
// fenced store, and a refused event for every one the fence refuses.
type observedStore struct {
	rscsync.Store
	ev    *events
	slice slice
}

func (s observedStore) Save(ctx context.Context, customerID string, cp *rscsync.Checkpoint) error {
	began := time.Now().UTC()
	err := s.Store.Save(ctx, customerID, cp)
	_, lost := errors.AsType[*lease.LostError](err)
	switch {
	case err == nil:
		s.ev.emit(fleetrun.Event{Event: "commit", Customer: customerID, Slice: s.slice.id, Began: began})
	case lost:
		s.ev.emit(fleetrun.Event{Event: "refused", Customer: customerID, Slice: s.slice.id, Error: err.Error(), Began: began})
	}
	return err
}

// tagging returns a transport that sets the header of worker id on
// requests, and the customer and slice headers on those of a slice.
func tagging(id string) http.RoundTripper {
	return reqtag.Transport{Tag: func(r *http.Request) {
		r.Header.Set(fleetrun.HeaderWorker, id)
		if s := sliceOf(r.Context()); s.id != "" {
			r.Header.Set(fleetrun.HeaderCustomer, s.customer)
			r.Header.Set(fleetrun.HeaderSlice, s.id)
		}
	}}
}
