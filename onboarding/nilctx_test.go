package onboarding

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/rscgo/rscgo/internal/nilctx"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
)

// countingStores counts the calls that reach a StateStore, a
// ConsentStore and a SecretStore.
type countingStores struct {
	ms    *MemoryStore
	sec   *MemorySecretStore
	calls atomic.Int64
}

func (s *countingStores) LoadState(ctx context.Context, id string) (*FlowState, error) {
	s.calls.Add(1)
	return s.ms.LoadState(ctx, id)
}

func (s *countingStores) SaveState(ctx context.Context, st *FlowState) error {
	s.calls.Add(1)
	return s.ms.SaveState(ctx, st)
}

func (s *countingStores) LoadConsent(ctx context.Context, id string) (*Consent, error) {
	s.calls.Add(1)
	return s.ms.LoadConsent(ctx, id)
}

func (s *countingStores) SaveConsent(ctx context.Context, c *Consent) error {
	s.calls.Add(1)
	return s.ms.SaveConsent(ctx, c)
}

func (s *countingStores) Put(ctx context.Context, ref string, creds Credentials) error {
	s.calls.Add(1)
	return s.sec.Put(ctx, ref, creds)
}

func (s *countingStores) Get(ctx context.Context, ref string) (Credentials, error) {
	s.calls.Add(1)
	return s.sec.Get(ctx, ref)
}

func (s *countingStores) Delete(ctx context.Context, ref string) error {
	s.calls.Add(1)
	return s.sec.Delete(ctx, ref)
}

// nilFixture is what the calls of TestNilContext are made on: a Flow, its
// consent registry, provisioner and push handler over counting stores, and
// stores of each kind holding one customer's data.
type nilFixture struct {
	srv     *rsctest.Server
	partner *rsc.Client
	counted *countingStores
	hooks   atomic.Int64 // WithStartSync and WithContractOptions calls
	reg     *ConsentRegistry
	flow    *Flow
	prov    *Provisioner
	push    *PushHandler
	fs      *FileStore
	fsec    *FileSecretStore
	signer  *StateSigner
	dir     string
}

const (
	nilCust = "acme"
	nilRef  = "rsc/child-app/acme"
)

func newNilFixture(t *testing.T) *nilFixture {
	t.Helper()
	ctx := t.Context()
	fx := &nilFixture{srv: rsctest.NewServer(rsctest.WithoutListener()), dir: t.TempDir(),
		counted: &countingStores{ms: NewMemoryStore(), sec: NewMemorySecretStore()}}
	t.Cleanup(fx.srv.Close)
	id, secret := fx.srv.PartnerCredentials()
	var err error
	fx.partner, err = rsc.NewClient(rsc.WithBaseURL(fx.srv.URL()), rsc.WithTokenURL(fx.srv.TokenURL()),
		rsc.WithTransport(fx.srv.Transport()), rsc.WithCredentials(id, secret))
	must(t, err)
	st := &FlowState{CustomerID: nilCust, CustomerName: "Acme", ToggledOn: true}
	consent := &Consent{CustomerID: nilCust, GrantedBy: "admin", GrantedAt: time.Now(), HistoryYears: 2}
	creds := Credentials{ClientID: "child", ClientSecret: "secret"}
	must(t, fx.counted.ms.SaveState(ctx, st))
	must(t, fx.counted.ms.SaveConsent(ctx, consent))
	must(t, fx.counted.sec.Put(ctx, nilRef, creds))
	fx.fs, err = NewFileStore(filepath.Join(fx.dir, "state"))
	must(t, err)
	fx.fsec, err = NewFileSecretStore(filepath.Join(fx.dir, "secrets"))
	must(t, err)
	must(t, fx.fs.SaveState(ctx, st))
	must(t, fx.fs.SaveConsent(ctx, consent))
	must(t, fx.fsec.Put(ctx, nilRef, creds))

	fx.reg, err = NewConsentRegistry(fx.counted)
	must(t, err)
	fx.flow, err = NewFlow(FlowConfig{Partner: fx.partner, ATSName: "Tracker", Domains: []string{"https://ats.example.com"},
		PushBase: "https://ats.example.com/rsc/push"},
		WithStateStore(fx.counted), WithSecretStore(fx.counted), WithConsentRegistry(fx.reg),
		WithStartSync(func(context.Context, string, Contract) error { fx.hooks.Add(1); return nil }),
		WithContractOptions(func(context.Context, string) ([]ContractOption, error) { fx.hooks.Add(1); return nil, nil }))
	must(t, err)
	fx.prov, err = NewProvisioner(fx.partner, fx.counted)
	must(t, err)
	fx.push, err = fx.flow.PushHandler("/rsc/push")
	must(t, err)
	t.Cleanup(fx.push.Close)
	fx.signer = mustSigner(t, "0123456789abcdef0123456789abcdef")
	return fx
}

// nilSnapshot is everything a call could have touched.
type nilSnapshot struct {
	Requests   int
	StoreCalls int64
	Hooks      int64
	Stored     string
	Files      []string
}

func (fx *nilFixture) snapshot(t *testing.T) nilSnapshot {
	t.Helper()
	ctx := t.Context()
	s := nilSnapshot{Requests: len(fx.srv.Requests()), StoreCalls: fx.counted.calls.Load(), Hooks: fx.hooks.Load()}
	st, err := fx.counted.ms.LoadState(ctx, nilCust)
	must(t, err)
	c, err := fx.counted.ms.LoadConsent(ctx, nilCust)
	must(t, err)
	creds, err := fx.counted.sec.Get(ctx, nilRef)
	must(t, err)
	s.Stored = nilctx.JSON(t, []any{st, c, creds.ClientID, creds.ClientSecret})
	s.Files = nilctx.Files(t, fx.dir)
	return s
}

// Every function and method of the package that takes a context refuses a
// nil one with "onboarding: nil context" before reading or writing a
// store, calling a hook or sending a request.
func TestNilContext(t *testing.T) {
	t.Parallel()
	one := func(_ any, err error) error { return err }
	inst := Instance{CustomerID: nilCust, Label: "main"}
	creds := Credentials{ClientID: "other", ClientSecret: "other"}
	for _, tc := range []struct {
		name string
		call func(ctx context.Context, fx *nilFixture) error
	}{
		{"Flow.State", func(ctx context.Context, fx *nilFixture) error { return one(fx.flow.State(ctx, nilCust)) }},
		{"Flow.Next", func(ctx context.Context, fx *nilFixture) error { return one(fx.flow.Next(ctx, nilCust)) }},
		{"Flow.Advance", func(ctx context.Context, fx *nilFixture) error {
			return one(fx.flow.Advance(ctx, nilCust, Input{SignedIn: true}))
		}},
		{"Flow.Contracts", func(ctx context.Context, fx *nilFixture) error { return one(fx.flow.Contracts(ctx, nilCust)) }},
		{"Flow.Widget", func(ctx context.Context, fx *nilFixture) error {
			return one(fx.flow.Widget(ctx, nilCust, "session", "https://ats.example.com/widget", fx.signer))
		}},
		{"Flow.ApplyStatus", func(ctx context.Context, fx *nilFixture) error { return fx.flow.ApplyStatus(ctx, inst, nil) }},
		{"Flow.CustomerClient", func(ctx context.Context, fx *nilFixture) error { return one(fx.flow.CustomerClient(ctx, inst)) }},
		{"ConsentRegistry.Grant", func(ctx context.Context, fx *nilFixture) error {
			return one(fx.reg.Grant(ctx, Consent{CustomerID: "other", GrantedBy: "admin"}))
		}},
		{"ConsentRegistry.Revoke", func(ctx context.Context, fx *nilFixture) error {
			return fx.reg.Revoke(ctx, nilCust, "admin", "asked")
		}},
		{"ConsentRegistry.Get", func(ctx context.Context, fx *nilFixture) error { return one(fx.reg.Get(ctx, nilCust)) }},
		{"ConsentRegistry.CheckConsent", func(ctx context.Context, fx *nilFixture) error {
			return fx.reg.CheckConsent(ctx, nilCust)
		}},
		{"ConsentRegistry.WithConsent", func(ctx context.Context, fx *nilFixture) error {
			run, cancel, err := fx.reg.WithConsent(ctx, nilCust)
			if run != nil || cancel == nil {
				return fmt.Errorf("WithConsent(nil) = %v, cancel %v; want nil and a function", run, cancel != nil)
			}
			cancel()
			return err
		}},
		{"Provisioner.Lookup", func(ctx context.Context, fx *nilFixture) error { return one(fx.prov.Lookup(ctx, "acme")) }},
		{"Provisioner.Ensure", func(ctx context.Context, fx *nilFixture) error {
			return one(fx.prov.Ensure(ctx, ProvisionSpec{ForeignID: "acme", Name: "Tracker for Acme"}))
		}},
		{"Provisioner.CustomerClient", func(ctx context.Context, fx *nilFixture) error {
			return one(fx.prov.CustomerClient(ctx, nilRef))
		}},
		{"PushHandler.Wait", func(ctx context.Context, fx *nilFixture) error { return fx.push.Wait(ctx) }},
		{"ReadStatus", func(ctx context.Context, fx *nilFixture) error {
			return one(ReadStatus(ctx, fx.partner, "urn:li:organization:1", "urn:li:contract:1", Status{}, time.Now()))
		}},
		{"MemoryStore.LoadState", func(ctx context.Context, fx *nilFixture) error {
			return one(fx.counted.ms.LoadState(ctx, nilCust))
		}},
		{"MemoryStore.SaveState", func(ctx context.Context, fx *nilFixture) error {
			return fx.counted.ms.SaveState(ctx, &FlowState{CustomerID: nilCust})
		}},
		{"MemoryStore.LoadConsent", func(ctx context.Context, fx *nilFixture) error {
			return one(fx.counted.ms.LoadConsent(ctx, nilCust))
		}},
		{"MemoryStore.SaveConsent", func(ctx context.Context, fx *nilFixture) error {
			return fx.counted.ms.SaveConsent(ctx, &Consent{CustomerID: nilCust})
		}},
		{"FileStore.LoadState", func(ctx context.Context, fx *nilFixture) error { return one(fx.fs.LoadState(ctx, nilCust)) }},
		{"FileStore.SaveState", func(ctx context.Context, fx *nilFixture) error {
			return fx.fs.SaveState(ctx, &FlowState{CustomerID: "other"})
		}},
		{"FileStore.LoadConsent", func(ctx context.Context, fx *nilFixture) error {
			return one(fx.fs.LoadConsent(ctx, nilCust))
		}},
		{"FileStore.SaveConsent", func(ctx context.Context, fx *nilFixture) error {
			return fx.fs.SaveConsent(ctx, &Consent{CustomerID: "other"})
		}},
		{"MemorySecretStore.Put", func(ctx context.Context, fx *nilFixture) error {
			return fx.counted.sec.Put(ctx, nilRef, creds)
		}},
		{"MemorySecretStore.Get", func(ctx context.Context, fx *nilFixture) error {
			return one(fx.counted.sec.Get(ctx, nilRef))
		}},
		{"MemorySecretStore.Delete", func(ctx context.Context, fx *nilFixture) error {
			return fx.counted.sec.Delete(ctx, nilRef)
		}},
		{"FileSecretStore.Put", func(ctx context.Context, fx *nilFixture) error { return fx.fsec.Put(ctx, "other", creds) }},
		{"FileSecretStore.Get", func(ctx context.Context, fx *nilFixture) error { return one(fx.fsec.Get(ctx, nilRef)) }},
		{"FileSecretStore.Delete", func(ctx context.Context, fx *nilFixture) error { return fx.fsec.Delete(ctx, nilRef) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				fx := newNilFixture(t)
				nilctx.Check(t, "onboarding: nil context", func() nilSnapshot { return fx.snapshot(t) }, func(ctx context.Context) error { return tc.call(ctx, fx) })
			})
		})
	}
}
