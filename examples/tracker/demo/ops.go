package demo

import (
	"context"
	"errors"
	"time"

	rscconsole "github.com/rscgo/rscgo/console"
	"github.com/rscgo/rscgo/milestones"
	"github.com/rscgo/rscgo/onboarding"
	rscsync "github.com/rscgo/rscgo/sync"
)

// loopbackHosts are the Host names the console answers in the demo; the
// Monitor's Handler refuses any other host before the console sees it.
var loopbackHosts = []string{"localhost", "127.0.0.1", "::1"}

// openConsole gives the Monitor the operators' console (package console)
// over the run's stores, once they are open: the demo's one customer, its
// onboarding, milestones, progress and dead letters, retried through the
// sync engine, and its content reconciliation against the fake.
func (r *run) openConsole(flows onboarding.StateStore, events milestones.EventStore) error {
	if r.mon == nil {
		return nil
	}
	h, err := rscconsole.New(
		rscconsole.WithCustomers(func(context.Context) ([]string, error) { return []string{r.cust}, nil }),
		rscconsole.WithAuthorizer(r.mon.Authorize),
		rscconsole.WithAllowedHosts(loopbackHosts...),
		rscconsole.WithOnboarding(flows), rscconsole.WithCheckpoints(r.store),
		rscconsole.WithDeadLetters(r.dead), rscconsole.WithMilestones(events),
		rscconsole.WithRetry(rscconsole.EngineRetry(r.engine)),
		rscconsole.WithReconcile(func(ctx context.Context, id string) (*rscsync.ContentReport, error) {
			if _, err := r.engine(ctx, id); err != nil {
				return nil, err
			}
			return r.reconcileContent()
		}),
		rscconsole.WithRefresh(2*time.Second),
	)
	if err != nil {
		return err
	}
	r.mon.serve(served{console: h})
	return nil
}

// engine returns the customer's sync engine, for the console's retries.
func (r *run) engine(_ context.Context, customerID string) (*rscsync.Engine, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	switch {
	case customerID != r.cust:
		return nil, errors.New("demo: no such customer")
	case r.eng == nil:
		return nil, errors.New("demo: the historical sync has not started yet")
	}
	return r.eng, nil
}
