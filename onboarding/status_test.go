package onboarding

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// failOnceStore fails the next SaveState once armed.
type failOnceStore struct {
	*MemoryStore
	armed atomic.Bool
}

func (s *failOnceStore) SaveState(ctx context.Context, st *FlowState) error {
	if s.armed.CompareAndSwap(true, false) {
		return errors.New("transient: state store unavailable")
	}
	return s.MemoryStore.SaveState(ctx, st)
}

// A state save failing once after the historical sync started (a store
// blip) does not have the next Advance start it again: its start is
// saved at once, and again at the end of the Advance.
func TestSyncStartsOnceWhenAStateSaveFails(t *testing.T) {
	store := &failOnceStore{MemoryStore: NewMemoryStore()}
	starts := 0
	e := newEnv(t, []Option{
		WithStateStore(store),
		WithStartSync(func(_ context.Context, _ string, _ Contract) error {
			starts++
			if starts == 1 {
				store.armed.Store(true) // the save that records SyncStartedAt fails once
			}
			return nil
		}),
	})
	cu := e.toWidget(t, "acme")
	cu.RequestIntegrations()
	if _, err := e.flow.Advance(t.Context(), "acme", Input{Widget: widgetFor(cu, cu.Contracts[0])}); err != nil {
		t.Logf("first post-back: %v", err)
	}
	if starts != 1 || store.armed.Load() {
		t.Fatalf("%d starts, the failing save armed %v: the test proves nothing", starts, store.armed.Load())
	}
	// The admin (or the ATS page) retries the post-back.
	if _, err := e.flow.Advance(t.Context(), "acme", Input{Widget: widgetFor(cu, cu.Contracts[0])}); err != nil {
		t.Fatal(err)
	}
	if starts != 1 {
		t.Errorf("historical sync started %d times for one contract, want 1", starts)
	}
}

// The same holds for a sync started again once consent is given again
// (after a withdrawal stopped it): its restart is saved at once, so a
// state save failing once after it does not have the admin's next click
// start it a third time.
func TestSyncRestartsOnceWhenAStateSaveFails(t *testing.T) {
	store := &failOnceStore{MemoryStore: NewMemoryStore()}
	starts := 0
	e := newEnv(t, []Option{
		WithStateStore(store),
		WithStartSync(func(_ context.Context, _ string, _ Contract) error {
			if starts++; starts == 2 {
				store.armed.Store(true) // the next state save, after the restart, fails once
			}
			return nil
		}),
	})
	cu := e.toSaved(t, "rs")
	cu.EnableAll()
	e.deliver(t)
	e.advance(t, "rs", Input{ToggleOff: true, By: "admin"})
	e.advance(t, "rs", Input{ToggleOn: true})
	if _, err := e.flow.Advance(t.Context(), "rs", Input{Consent: &ConsentAnswer{Accept: true, By: "dpo"}}); err != nil {
		t.Logf("consent given again: %v", err)
	}
	if starts != 2 || store.armed.Load() {
		t.Fatalf("%d starts, the failing save armed %v: the test proves nothing", starts, store.armed.Load())
	}
	// The admin clicks again.
	if _, err := e.flow.Advance(t.Context(), "rs", Input{Consent: &ConsentAnswer{Accept: true, By: "dpo"}}); err != nil {
		t.Fatal(err)
	}
	if starts != 2 {
		t.Errorf("sync started %d times (once, then once after consent was given again), want 2", starts)
	}
}

// A contract chosen under a second label is refused, before any child
// application is provisioned for it: one contract is one instance.
func TestOneContractIsOneInstance(t *testing.T) {
	e := newEnv(t, nil)
	e.advance(t, "dup", Input{ToggleOn: true})
	e.advance(t, "dup", Input{Consent: &ConsentAnswer{Accept: true, By: "admin"}})
	e.advance(t, "dup", Input{SignedIn: true, Contract: &ContractChoice{Label: "a", ContractURN: "urn:li:contract:9"}})
	_, err := e.flow.Advance(t.Context(), "dup", Input{Contract: &ContractChoice{Label: "b", ContractURN: "urn:li:contract:9"}})
	if err == nil {
		t.Error("contract urn:li:contract:9 connected under a second label without error")
	}
	if e.fake.CustomerByForeignID("dup:b") != nil {
		t.Error("a second child application (dup:b) was provisioned for urn:li:contract:9")
	}
}

// A late ENABLED status push (redelivered after a DISABLED one) whose
// re-read from LinkedIn fails does not enable a disabled integration
// again: unconfirmed, a push may only take access away.
func TestStalePushDoesNotReenable(t *testing.T) {
	e := newEnv(t, []Option{WithCustomerOptions(rsc.WithRetryPolicy(rsc.RetryPolicy{MaxAttempts: 1}))})
	cu := e.toSaved(t, "late")
	cu.EnableAll()
	e.deliver(t)
	st, _ := e.flow.State(t.Context(), "late")
	c := st.Contract(DefaultContract)
	if c.Status.State != StateBothEnabled {
		t.Fatalf("state = %s, want enabled", c.Status.State)
	}
	// The snapshot the ENABLED event carried.
	var enabled []rsc.Integration
	for _, k := range integrationKeys(c.Organization, c.ContractURN) {
		enabled = append(enabled, rsc.Integration{IntegrationContext: k.IntegrationContext, IntegrationType: k.Type, TenantType: "RECRUITER", Status: rsc.StatusEnabled})
	}
	// The LinkedIn admin switches access off; the flow learns it.
	cu.SetCompanyAccess(false)
	cu.SetContractAccess(false)
	e.deliver(t)
	if p, _ := e.flow.Next(t.Context(), "late"); p.Status.State != StateDisabled {
		t.Fatalf("after disable: %s", p.Status.State)
	}
	// The old ENABLED event is redelivered (after a restart) while the
	// status read fails.
	e.fake.SetFaults(rsctest.Fault{Route: "atsIntegrations", ErrorRate: 1})
	if err := e.flow.ApplyStatus(t.Context(), Instance{CustomerID: "late"}, enabled); err != nil {
		t.Logf("ApplyStatus: %v", err)
	}
	e.fake.SetFaults()
	p, _ := e.flow.Next(t.Context(), "late")
	if p.Status.State != StateDisabled {
		t.Errorf("state = %s (%s), want disabled: LinkedIn says DISABLED", p.Status.State, p.StatusLine)
	}
}
