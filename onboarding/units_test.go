package onboarding

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
	"github.com/rscgo/rscgo/internal/fsutil"
	"github.com/rscgo/rscgo/internal/pushq/pushqtest"
	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest"
	rscsync "github.com/rscgo/rscgo/sync"
)

func TestSecretStores(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	// An existing directory readable by others is tightened.
	if err := os.Mkdir(filepath.Join(dir, "s"), 0o755); err != nil {
		t.Fatal(err)
	}
	fs, err := NewFileSecretStore(filepath.Join(dir, "s"))
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(filepath.Join(dir, "s")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("secret directory mode = %v, %v; want 0700", fi.Mode(), err)
	}
	for name, s := range map[string]SecretStore{"memory": NewMemorySecretStore(), "file": fs} {
		ctx := t.Context()
		if _, err := s.Get(ctx, "r"); !errors.Is(err, ErrSecretNotFound) {
			t.Errorf("%s: missing: %v", name, err)
		}
		c := Credentials{ClientID: "id", ClientSecret: "s3cr3t"}
		if err := s.Put(ctx, "r/x:y", c); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, "r/x:y")
		if err != nil || got != c {
			t.Errorf("%s: got %v %v", name, got, err)
		}
		if err := s.Delete(ctx, "r/x:y"); err != nil {
			t.Fatal(err)
		}
		if err := s.Delete(ctx, "r/x:y"); err != nil {
			t.Errorf("%s: second delete: %v", name, err)
		}
	}
	_ = fs.Put(t.Context(), "p", Credentials{ClientSecret: "x"})
	fi, err := os.Stat(filepath.Join(dir, "s", fsutil.FileName("p")))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Errorf("secret file mode = %v, %v", fi.Mode(), err)
	}
}

func TestAppNameAndSpec(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ customer, want string }{
		{"Acme LinkedIn Team", "Tracker - Acme Team"},
		{"linkedINlinkedin Acme", "Tracker - Acme"},
		// Letters whose lower case is shorter in bytes before "LinkedIn":
		// the cut is made in the name itself, not at an index of its
		// lower case, and leaves valid UTF-8.
		{"İLinkedIn", "Tracker - İ"},
		{"Acme İ LinkedIn Jobs", "Tracker - Acme İ Jobs"},
		{"\u212A LinkedIn", "Tracker - \u212A"}, // the Kelvin sign
		{"Acme \u212Aelvin", "Tracker - Acme \u212Aelvin"},
		{"LIN\u212AEDIN Acme", "Tracker - Acme"}, // "LinkedIn" with a Kelvin sign, refused by Validate too
	} {
		if got := appName("Tracker", tc.customer); got != tc.want || !utf8.ValidString(got) {
			t.Errorf("appName(%q) = %q, want %q", tc.customer, got, tc.want)
		}
	}
	long := appName("Tracker", strings.Repeat("é", 80))
	if n := len([]rune(long)); n != maxAppNameLen {
		t.Errorf("long name has %d runes", n)
	}
	ok := ProvisionSpec{ForeignID: "c", Name: "Tracker - C", Domains: []string{"https://ats.example.com", "http://localhost:5000"}}
	if err := ok.Validate(); err != nil {
		t.Errorf("valid spec: %v", err)
	}
	for name, mod := range map[string]func(*ProvisionSpec){
		"no id":           func(s *ProvisionSpec) { s.ForeignID = "" },
		"no name":         func(s *ProvisionSpec) { s.Name = "" },
		"51 chars":        func(s *ProvisionSpec) { s.Name = strings.Repeat("a", 51) },
		"linkedin":        func(s *ProvisionSpec) { s.Name = "Tracker for Linkedin" },
		"kelvin linkedin": func(s *ProvisionSpec) { s.Name = "Tracker for Lin\u212Aedin" },
		"bad UTF-8 name":  func(s *ProvisionSpec) { s.Name = "Acme \xff" },
		"bad UTF-8 desc":  func(s *ProvisionSpec) { s.Description = "Acme \xff" },
		"trailing slash":  func(s *ProvisionSpec) { s.Domains = []string{"https://ats.example.com/"} },
		"path":            func(s *ProvisionSpec) { s.Domains = []string{"https://ats.example.com/app"} },
		"not a url":       func(s *ProvisionSpec) { s.Domains = []string{"ats.example.com"} },
		"bad callback":    func(s *ProvisionSpec) { s.CallbackURLs = []string{"/cb"} },
	} {
		s := ok
		mod(&s)
		var se *SpecError
		if err := s.Validate(); !errors.As(err, &se) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

// The constructors taking a store refuse one holding a nil pointer, which
// would panic at the first use; NewConsentRegistry's nil store means memory.
func TestConstructorsRefuseNilStores(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	for _, tc := range []struct {
		name string
		make func() (any, error)
		want string // error; "" for none
	}{
		{"provisioner, nil partner", func() (any, error) { return NewProvisioner(nil, NewMemorySecretStore()) },
			"onboarding: NewProvisioner needs a partner client and a secret store"},
		{"provisioner, nil secrets", func() (any, error) { return NewProvisioner(e.partner, nil) },
			"onboarding: NewProvisioner needs a partner client and a secret store"},
		{"provisioner, typed nil secrets", func() (any, error) { return NewProvisioner(e.partner, (*MemorySecretStore)(nil)) },
			"onboarding: NewProvisioner needs a partner client and a secret store"},
		{"provisioner", func() (any, error) { return NewProvisioner(e.partner, NewMemorySecretStore()) }, ""},
		{"consent registry, nil store", func() (any, error) { return NewConsentRegistry(nil) }, ""},
		{"consent registry, typed nil store", func() (any, error) { return NewConsentRegistry((*MemoryStore)(nil)) },
			"onboarding: NewConsentRegistry: store is a nil *onboarding.MemoryStore"},
		{"consent registry", func() (any, error) { return NewConsentRegistry(NewMemoryStore()) }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.make()
			got := ""
			if err != nil {
				got = err.Error()
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("error (-want +got):\n%s", diff)
			}
		})
	}
}

func TestProvisionerEnsure(t *testing.T) {
	t.Parallel()
	e := newEnv(t, nil)
	secrets := NewMemorySecretStore()
	p, err := NewProvisioner(e.partner, secrets)
	if err != nil {
		t.Fatal(err)
	}
	spec := ProvisionSpec{ForeignID: "p1", Name: "Tracker - P1", Domains: []string{"https://a.example.com"}}
	a1, err := p.Ensure(t.Context(), spec)
	if err != nil || !a1.Created {
		t.Fatalf("first Ensure: %+v %v", a1, err)
	}
	spec.Domains = []string{"https://b.example.com"}
	spec.CallbackURLs = []string{"https://b.example.com/oauth"}
	a2, err := p.Ensure(t.Context(), spec)
	if err != nil || a2.Created || a2.Key != a1.Key {
		t.Fatalf("second Ensure: %+v %v", a2, err)
	}
	cu := e.fake.CustomerByForeignID("p1")
	if diff := cmp.Diff([]string{"https://b.example.com"}, cu.App().ValidJsSdkDomains); diff != "" {
		t.Errorf("domains (-want +got):\n%s", diff)
	}
	creds, err := secrets.Get(t.Context(), a1.SecretRef)
	if err != nil || creds.ClientSecret != cu.ClientSecret {
		t.Errorf("stored credentials wrong: %v", err)
	}
	if _, err := p.Lookup(t.Context(), "nobody"); !errors.Is(err, rsc.ErrNotFound) {
		t.Errorf("lookup unknown: %v", err)
	}
	if _, err := p.Ensure(t.Context(), ProvisionSpec{ForeignID: "x", Name: "LinkedIn x"}); err == nil {
		t.Error("bad name sent")
	}
	if n := len(e.fake.Customers()); n != 1 {
		t.Errorf("%d applications at the fake, want 1", n)
	}
	cl, err := p.CustomerClient(t.Context(), a1.SecretRef)
	if err != nil || cl == nil {
		t.Fatal(err)
	}
}

func TestWidgetRender(t *testing.T) {
	t.Parallel()
	var b bytes.Buffer
	w := IntegrationWidget{APIKey: "abc123", PostURL: "/rsc/widget?x=\"</script>", State: "st.ate"}
	if err := w.Render(&b); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		`src="https://platform.linkedin.com/xdoor/scripts/in.js"`,
		"api_key: abc123\n",
		"extensions: ATSIntegrationWidget@https://www.linkedin.com/recruiter/widget/ATSIntegration\n",
		`<script type="IN/ATSIntegrationWidget"`,
		`data-supported-bundled-integration-types="RECRUITER_SYSTEM_CONNECT_COMPANY,RECRUITER_SYSTEM_CONNECT_CONTRACT"`,
		`data-onintegrate="rscgoIntegrationRequest"`,
		`data-width="500"`,
		"function rscgoIntegrationRequest(integrations)",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, `x="</script>`) {
		t.Error("post URL not escaped")
	}
	for _, bad := range []IntegrationWidget{
		{APIKey: "a b", PostURL: "/x"},
		{APIKey: "a\nextensions: evil", PostURL: "/x"},
		{APIKey: "a", PostURL: "/x", Callback: "alert(1)"},
		{APIKey: "a", PostURL: "/x", ExtensionURL: "http://evil"},
		{APIKey: "a"},
	} {
		if err := bad.Render(new(bytes.Buffer)); err == nil {
			t.Errorf("rendered %+v", bad)
		}
	}

	b.Reset()
	pp := ProfilePlugin{APIKey: "abc123", ATSCandidateID: `C"1`, IntegrationContext: "urn:li:organization:9", ShowUnlinkURL: true, OnLink: "link"}
	if err := pp.Render(&b); err != nil {
		t.Fatal(err)
	}
	out = b.String()
	for _, want := range []string{
		"extensions: HcmWidget@https://platform.linkedin.com/rsc/extensions/profile-widget\n",
		`<script type="IN/HcmWidget"`, `data-widget-type="ATS"`, `data-ats-candidate-id="C&#34;1"`,
		`data-integration-context="urn:li:organization:9"`, `data-show-unlink-url="true"`,
		`data-confirm-unlink="false"`, `data-onlink="link"`, `data-width="800"`,
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in\n%s", want, out)
		}
	}
	if strings.Contains(out, "data-onunlink") {
		t.Error("empty onunlink rendered")
	}
	if err := (ProfilePlugin{APIKey: "a", ATSCandidateID: "1", IntegrationContext: "urn:li:contract:1"}).Render(new(bytes.Buffer)); err == nil {
		t.Error("contract URN accepted as profile plugin context")
	}
}

func TestParseWidgetPayload(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, body string
		org, con   string
		err        bool
	}{
		{"object", `{"state":"s","integrations":[{"integrationType":"ONE_CLICK_EXPORT","integrationContext":"urn:li:organization:1"},{"integrationType":"CSA_API","integrationContext":"urn:li:contract:2"}]}`, "urn:li:organization:1", "urn:li:contract:2", false},
		{"array", `[{"integrationContext":"urn:li:organization:1"}]`, "urn:li:organization:1", "", false},
		{"top level", `{"organization":"urn:li:organization:1","contract":"urn:li:contract:2"}`, "urn:li:organization:1", "urn:li:contract:2", false},
		{"bundles", `{"integrations":[{"integrationType":"RECRUITER_SYSTEM_CONNECT_CONTRACT","integrationContext":"urn:li:contract:3"}]}`, "", "urn:li:contract:3", false},
		{"two orgs", `[{"integrationContext":"urn:li:organization:1"},{"integrationContext":"urn:li:organization:2"}]`, "", "", true},
		{"bad urn", `[{"integrationContext":"urn:li:person:1"}]`, "", "", true},
		{"empty", `{}`, "", "", true},
		{"not json", `<x>`, "", "", true},
	} {
		p, err := parseWidgetPayload([]byte(tc.body))
		if (err != nil) != tc.err || (!tc.err && (p.Organization != tc.org || p.Contract != tc.con)) {
			t.Errorf("%s: %+v %v", tc.name, p, err)
		}
	}
}

func TestStateSigner(t *testing.T) {
	t.Parallel()
	clk := rsctest.NewFakeClock(time.Unix(1_700_000_000, 0))
	s := mustSigner(t, "0123456789abcdef0123456789abcdef", WithClock(clk))
	tok, nonce, err := s.Sign("cust", "emea", "session-1")
	if err != nil {
		t.Fatal(err)
	}
	if c, l, n, err := s.Verify(tok, "session-1"); err != nil || c != "cust" || l != "emea" || n != nonce || n == "" {
		t.Errorf("verify: %q %q %q %v", c, l, n, err)
	}
	if strings.Contains(tok, "session-1") {
		t.Error("the token carries the session itself")
	}
	other := mustSigner(t, "another key of 32 bytes.........", WithClock(clk))
	for name, verify := range map[string]func() error{
		"tampered":        func() error { _, _, _, err := s.Verify(tok[:len(tok)-2]+"AA", "session-1"); return err },
		"another key":     func() error { _, _, _, err := other.Verify(tok, "session-1"); return err },
		"another session": func() error { _, _, _, err := s.Verify(tok, "session-2"); return err },
		"no session":      func() error { _, _, _, err := s.Verify(tok, ""); return err },
		"expired": func() error {
			clk.Advance(DefaultStateTTL + time.Second)
			defer clk.Advance(-DefaultStateTTL - time.Second)
			_, _, _, err := s.Verify(tok, "session-1")
			return err
		},
	} {
		if err := verify(); !errors.Is(err, ErrBadState) {
			t.Errorf("%s: Verify = %v, want ErrBadState", name, err)
		}
	}
	if _, _, err := s.Sign("cust", "", ""); err == nil {
		t.Error("Sign without a session succeeded")
	}
	if _, err := NewStateSigner([]byte("short key")); err == nil {
		t.Error("NewStateSigner took a 9-byte key")
	}
	if _, err := NewStateSigner(make([]byte, 32)); err == nil {
		t.Error("NewStateSigner took a zeroed key")
	}
	for _, d := range []time.Duration{0, 2 * time.Hour} {
		if _, err := NewStateSigner([]byte("0123456789abcdef0123456789abcdef"), WithStateTTL(d)); err == nil {
			t.Errorf("WithStateTTL(%s) accepted", d)
		}
	}
	short := mustSigner(t, "0123456789abcdef0123456789abcdef", WithClock(clk), WithStateTTL(time.Minute))
	tok, _, _ = short.Sign("cust", "", "s")
	clk.Advance(2 * time.Minute)
	if _, _, _, err := short.Verify(tok, "s"); !errors.Is(err, ErrBadState) {
		t.Errorf("a token of a one-minute signer verified after two: %v", err)
	}
}

func TestComputeStatus(t *testing.T) {
	t.Parallel()
	mk := func(company, contract rsc.IntegrationStatus) []rsc.Integration {
		var out []rsc.Integration
		if company != "" {
			for _, ty := range companyTypes {
				out = append(out, rsc.Integration{IntegrationContext: "urn:li:organization:1", IntegrationType: ty, Status: company})
			}
		}
		if contract != "" {
			out = append(out, rsc.Integration{IntegrationContext: "urn:li:contract:1", IntegrationType: rsc.CSAAPI, Status: contract})
		}
		return out
	}
	for _, tc := range []struct {
		company, contract rsc.IntegrationStatus
		want              State
	}{
		{"", "", StateNotRequested},
		{rsc.StatusNotRequested, rsc.StatusNotRequested, StateNotRequested},
		{rsc.StatusRequested, rsc.StatusRequested, StateRequested},
		{rsc.StatusPartnerReady, rsc.StatusRequested, StatePartnerReady},
		{rsc.StatusPartnerReady, rsc.StatusEnabled, StateContractEnabled},
		{rsc.StatusEnabled, rsc.StatusPartnerReady, StateCompanyEnabled},
		{rsc.StatusEnabled, "", StateCompanyEnabled},
		{rsc.StatusEnabled, rsc.StatusEnabled, StateBothEnabled},
		{rsc.StatusDisabled, rsc.StatusDisabled, StateDisabled},
		{rsc.StatusDisabled, rsc.StatusEnabled, StateContractEnabled},
	} {
		s := computeStatus(mk(tc.company, tc.contract), time.Time{})
		if s.State != tc.want {
			t.Errorf("company %s contract %s: %s, want %s", tc.company, tc.contract, s.State, tc.want)
		}
		if s.Line() == "" {
			t.Error("empty line")
		}
	}
	// A push with only CSA_API keeps the company level.
	s := computeStatus(mk(rsc.StatusEnabled, rsc.StatusPartnerReady), time.Time{})
	s = s.Merge(mk("", rsc.StatusEnabled), time.Unix(1, 0))
	if s.State != StateBothEnabled || s.UpdatedAt.IsZero() {
		t.Errorf("merged: %+v", s)
	}
	s.Settings = &rsc.ProductSettings{OneClickExport: true, InMailStubProfile: true}
	if !s.SettingsOK() || !slices_Equal(s.MissingSettings(), []string{"In-ATS Indicator and Profile Widget"}) {
		t.Errorf("settings: %v", s.MissingSettings())
	}
	if f := s.Features(); !f.OneClickExport || f.InATSIndicator || f.ProfileWidget || !f.InMailStubProfile || !f.RecruiterData {
		t.Errorf("features: %+v", f)
	}
}

func TestConsentRegistry(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	r, err := NewConsentRegistry(nil, WithClock(rsctest.NewFakeClock(now)))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	var g rscsync.ConsentGuard = r
	if err := g.CheckConsent(ctx, "a"); !errors.Is(err, rscsync.ErrNoConsent) || errors.Is(err, ErrConsentRevoked) {
		t.Errorf("none: %v", err)
	}
	c, err := r.Grant(ctx, Consent{CustomerID: "a", GrantedBy: "admin@a"})
	if err != nil {
		t.Fatal(err)
	}
	want := &Consent{CustomerID: "a", GrantedBy: "admin@a", GrantedAt: now, HistoryYears: 2, Categories: allDataCategories(), Text: ConsentWarning}
	if diff := cmp.Diff(want, c); diff != "" {
		t.Errorf("consent (-want +got):\n%s", diff)
	}
	if got := c.HistoryStart(now); !got.Equal(time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("history start %v", got)
	}
	if !c.Covers(DataApplications) {
		t.Error("applications not covered")
	}
	// A consent stored when applications were recorded as "placement".
	legacy := &Consent{Categories: []DataCategory{DataCandidates, DataJobs, "placement", DataActivities}}
	for _, cat := range allDataCategories() {
		if !legacy.Covers(cat) {
			t.Errorf("a consent stored with the category \"placement\" does not cover %q", cat)
		}
	}
	if err := r.CheckConsent(ctx, "a"); err != nil {
		t.Errorf("granted: %v", err)
	}
	if err := r.CheckConsent(ctx, "a:emea"); err != nil {
		t.Errorf("second contract instance: %v", err)
	}
	if err := r.Revoke(ctx, "a", "dpo", "request"); err != nil {
		t.Fatal(err)
	}
	err = r.CheckConsent(ctx, "a")
	var cre *ConsentRequiredError
	if !errors.Is(err, ErrConsentRevoked) || !errors.Is(err, rscsync.ErrNoConsent) || !errors.As(err, &cre) || !cre.RevokedAt.Equal(now) {
		t.Errorf("revoked: %v", err)
	}
	if _, err := r.Grant(ctx, Consent{CustomerID: "a"}); err == nil {
		t.Error("grant without who")
	}
	_, err = r.Grant(ctx, Consent{CustomerID: "a", GrantedBy: "admin@a", HistoryYears: -1})
	if want := "onboarding: consent historyYears -1: must not be negative (0 means 2)"; err == nil || err.Error() != want {
		t.Errorf("grant of a negative window: %v, want %q", err, want)
	}
	for _, tc := range []struct {
		name string
		cats []DataCategory
		want string
	}{
		{"one left out", []DataCategory{DataCandidates, DataJobs, DataActivities},
			`onboarding: consent categories leave out "application": the sync shares candidate, job, application and activity data, so a consent covers all four`},
		{"unknown", []DataCategory{DataCandidates, DataJobs, DataApplications, DataActivities, "salary"},
			`onboarding: consent category "salary": not one of candidate, job, application, activity`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := r.Grant(ctx, Consent{CustomerID: "a", GrantedBy: "admin@a", Categories: tc.cats})
			if err == nil || err.Error() != tc.want {
				t.Errorf("grant: %v, want %q", err, tc.want)
			}
		})
	}
	if c, err := r.Get(ctx, "a"); err != nil || !c.Revoked() {
		t.Errorf("after a refused grant: %+v, %v; want the revoked consent kept", c, err)
	}
}

// gatedConsents is a ConsentStore whose next LoadConsent, once gated,
// reads the store, says so on read, and returns only when released.
type gatedConsents struct {
	ConsentStore
	gate          chan struct{} // closed by the test to release
	read, release chan struct{}
}

func (g *gatedConsents) LoadConsent(ctx context.Context, id string) (*Consent, error) {
	c, err := g.ConsentStore.LoadConsent(ctx, id)
	select {
	case <-g.gate: // gated once
		g.gate = nil
		close(g.read)
		<-g.release
	default:
	}
	return c, err
}

// A check that read the store before a Revoke, and returns after it,
// does not put the revoked consent back in the cache as granted.
func TestConsentCheckRacingRevoke(t *testing.T) {
	t.Parallel()
	clock := rsctest.NewFakeClock(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC))
	st := &gatedConsents{ConsentStore: NewMemoryStore(), gate: make(chan struct{}), read: make(chan struct{}), release: make(chan struct{})}
	r, err := NewConsentRegistry(st, WithClock(clock))
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	if _, err := r.Grant(ctx, Consent{CustomerID: "acme", GrantedBy: "admin"}); err != nil {
		t.Fatal(err)
	}
	clock.Advance(consentCacheTTL) // the next check reads the store
	close(st.gate)
	done := make(chan error)
	go func() { done <- r.CheckConsent(ctx, "acme") }() // a batch's check, in flight
	<-st.read
	if err := r.Revoke(ctx, "acme", "dpo", "privacy request"); err != nil {
		t.Fatal(err)
	}
	close(st.release)
	if err := <-done; err != nil {
		t.Errorf("the check begun before Revoke: %v, want nil (it read the consent granted)", err)
	}
	if err := r.CheckConsent(ctx, "acme"); !errors.Is(err, ErrConsentRevoked) {
		t.Errorf("CheckConsent after Revoke returned: %v, want ErrConsentRevoked", err)
	}
}

func TestPushHandlerUnit(t *testing.T) {
	t.Parallel()
	h := testPushHandler(t, pushConfig{
		resolve: instanceFromPath("/push"),
		secret:  func(contextCtx, Instance) (string, error) { return "k", nil },
		client:  func(contextCtx, Instance) (*rsc.Client, error) { return nil, errors.New("offline") },
	}, WithUnsignedPushes())
	srv := httptest.NewServer(h)
	defer srv.Close()
	body := []byte(`{"id":"r1","type":"INTEGRATION_STATUS_CHANGE"}`)
	for _, tc := range []struct {
		name, path, sig string
		body            []byte
		want            int
	}{
		{"signed", "/push/c1", rsc.SignPush(body, "k"), body, 200},
		{"unsigned", "/push/c1/emea", "", body, 200},
		{"bad signature", "/push/c1", rsc.SignPush(body, "x"), body, 401},
		{"unknown path", "/elsewhere/c1", "", body, 404},
		{"bad label", "/push/c1/b%20d", "", body, 404},
		{"bad body", "/push/c1", "", []byte(`{}`), 400},
	} {
		if got := postPush(t, srv.URL+tc.path, tc.sig, tc.body); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
	if got := callbackURL("https://ats.example.com/push/", "a b", "emea"); got != "https://ats.example.com/push/a%20b/emea" {
		t.Errorf("CallbackURL = %q", got)
	}
}

// A CALLBACK_URL is https on port 80 or 443 (docs/linkedin-api.md §8.1),
// or http on a loopback host, and carries no user info, query or fragment:
// the push handler finds the instance from the path alone.
func TestValidateCallbackURL(t *testing.T) {
	t.Parallel()
	for raw, ok := range map[string]bool{
		"https://ats.example.com/push/acme":       true,
		"https://ats.example.com:443/push/acme":   true,
		"https://ats.example.com:80/push/acme":    true,
		"http://127.0.0.1:8080/push/acme":         true,
		"http://localhost/push/acme":              true,
		"http://ats.example.com/push/acme":        false,
		"https://ats.example.com:8443/push/acme":  false,
		"https://ats.example.com/push?src=li/a":   false,
		"https://ats.example.com/push/acme?":      false,
		"https://ats.example.com/push/acme#frag":  false,
		"https://user:pw@ats.example.com/push/ac": false,
		"/push/acme": false,
	} {
		if err := validateCallbackURL(raw); (err == nil) != ok {
			t.Errorf("validateCallbackURL(%q) = %v, want accepted %v", raw, err, ok)
		}
	}
}

func TestPushExportDispatch(t *testing.T) {
	t.Parallel()
	cl, err := rsc.NewClient(rsc.WithCredentials("id", "secret"))
	if err != nil {
		t.Fatal(err)
	}
	got := make(chan rsc.PushEvent, 4)
	h := testPushHandler(t, pushConfig{
		resolve: instanceFromPath("/push"),
		client:  func(contextCtx, Instance) (*rsc.Client, error) { return cl, nil },
	}, WithUnsignedPushes(), WithExportHandler(func(_ contextCtx, in Instance, ev rsc.PushEvent, c *rsc.Client) error {
		if in.CustomerID != "c9" || c != cl {
			t.Errorf("instance %+v", in)
		}
		got <- ev
		return nil
	}))
	for range 2 { // the second is a replay
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/push/c9", strings.NewReader(`{"requestId":"e1","eventType":"EXPORT_CANDIDATE_PROFILE"}`)))
		if rec.Code != 200 {
			t.Errorf("code %d", rec.Code)
		}
	}
	if err := h.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	close(got)
	var ids []string
	for ev := range got {
		ids = append(ids, ev.ID)
	}
	if diff := cmp.Diff([]string{"e1"}, ids); diff != "" {
		t.Errorf("exports (-want +got):\n%s", diff)
	}
}

func TestValidCustomerID(t *testing.T) {
	for id, ok := range map[string]bool{"acme": true, "tenant-42_eu.1": true, "": false, "a:b": false, "a\nb": false, strings.Repeat("x", 101): false,
		".": false, "..": false, "...": true, ".acme": true, "acme\xff": false, "caf\xc3": false, "café": true,
		strings.Repeat("é", 100): true, strings.Repeat("é", 101): false, // characters, not bytes
		"acme\u0085corp": false, "acme\x7fcorp": false, "acme\u200bcorp": true} { // C1 and DEL are control characters

		if err := validCustomerID(id); (err == nil) != ok {
			t.Errorf("validCustomerID(%q) = %v, want ok=%v", id, err, ok)
		}
	}
}

// A customer id that is not valid UTF-8 is refused before anything is
// saved or provisioned: the state's JSON would turn it into another id
// ("acme\uFFFD"), under which the state would be saved and the child
// application provisioned.
func TestAdvanceRefusesInvalidUTF8CustomerID(t *testing.T) {
	e := newEnv(t, nil)
	const id = "acme\xff"
	_, err := e.flow.Advance(t.Context(), id, Input{ToggleOn: true, CustomerName: "Acme"})
	want := `onboarding: customer id "acme\xff" must be 1-100 characters of valid UTF-8 without ':' or control characters, other than "." and ".."`
	if err == nil || err.Error() != want {
		t.Fatalf("Advance(%q) = %v, want %s", id, err, want)
	}
	var provisioned []string
	for _, c := range e.fake.Customers() {
		provisioned = append(provisioned, c.UniqueForeignID)
	}
	if diff := cmp.Diff([]string(nil), provisioned); diff != "" {
		t.Errorf("child applications provisioned (-want +got):\n%s", diff)
	}
}

// "." and ".." are not contract labels: as the last segment of the push
// callback URL, clients and servers remove them, so no push would arrive.
func TestValidLabel(t *testing.T) {
	for label, ok := range map[string]bool{DefaultContract: true, "emea": true, "eu.1": true, "...": true,
		".": false, "..": false, "a/b": false, strings.Repeat("x", 41): false} {
		if err := validLabel(label); (err == nil) != ok {
			t.Errorf("validLabel(%q) = %v, want ok=%v", label, err, ok)
		}
	}
}

// A redelivery of an export push that arrives while the first delivery's
// AcceptFunc is still recording it is answered 503, not 200: the first
// may still fail (503, its id forgotten), and LinkedIn, told 200 for the
// redelivery, would not send the event again, so the export would never
// be recorded. Once the first delivery failed, the next is handled.
func TestPushRedeliveryWhileFirstIsRecorded(t *testing.T) {
	t.Parallel()
	const secret = "instance-secret"
	entered, release := make(chan struct{}), make(chan struct{})
	var calls atomic.Int32
	h := testPushHandler(t, pushConfig{
		resolve: instanceFromPath("/rsc/push"),
		secret:  func(contextCtx, Instance) (string, error) { return secret, nil },
		// The export handler needs no client; an error here would fail the
		// handling, which forgets the id.
		client: func(contextCtx, Instance) (*rsc.Client, error) { return nil, nil },
	}, WithExportAccept(func(contextCtx, Instance, rsc.PushEvent) error {
		if calls.Add(1) == 1 {
			close(entered)
			<-release
			return errors.New("journal unavailable")
		}
		return nil
	}), WithExportHandler(func(contextCtx, Instance, rsc.PushEvent, *rsc.Client) error { return nil }))
	body := []byte(`{"id":"req-1","type":"EXPORT_CANDIDATE_PROFILE"}`)
	sig := rsc.SignPush(body, secret)
	post := func() int { return pushqtest.Post(t.Context(), h, "/rsc/push/acme", sig, body) }
	first := make(chan int, 1)
	go func() { first <- post() }()
	<-entered
	var got []int
	got = append(got, post()) // LinkedIn's redelivery, while the first is recorded
	close(release)
	got = append(got, <-first, post())
	// The last delivery comes once the event has been handled, as a late
	// redelivery would: it is a duplicate.
	if err := h.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	got = append(got, post())
	want := []int{http.StatusServiceUnavailable, http.StatusServiceUnavailable, http.StatusOK, http.StatusOK}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers to the redelivery, the first delivery, and two more (-want +got):\n%s", diff)
	}
	if n := calls.Load(); n != 2 {
		t.Errorf("AcceptFunc called %d times, want 2 (the failed first, then the next delivery; the last is a duplicate)", n)
	}
}

// revokeDuringRead is a consent store whose next read is followed, before
// it returns, by a Revoke of the customer: a revocation that completes
// while WithConsent checks the consent.
type revokeDuringRead struct {
	ConsentStore
	reg   *ConsentRegistry
	armed bool
}

func (s *revokeDuringRead) LoadConsent(ctx context.Context, id string) (*Consent, error) {
	c, err := s.ConsentStore.LoadConsent(ctx, id)
	if s.armed {
		s.armed = false
		if err := s.reg.Revoke(ctx, id, "admin", "privacy request"); err != nil {
			return nil, err
		}
	}
	return c, err
}

// A consent revoked while WithConsent checks it cancels the run context
// WithConsent returns (or WithConsent refuses): the context is what stops
// the work the engine does not see, such as the InMail pollers.
func TestWithConsentSeesARevokeDuringItsCheck(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store := &revokeDuringRead{ConsentStore: NewMemoryStore()}
	reg, err := NewConsentRegistry(store)
	if err != nil {
		t.Fatal(err)
	}
	store.reg = reg
	if _, err := reg.Grant(ctx, Consent{CustomerID: "acme", GrantedBy: "admin"}); err != nil {
		t.Fatal(err)
	}
	store.armed = true
	run, cancel, err := reg.WithConsent(ctx, "acme")
	if err != nil {
		return // refusing is right too
	}
	defer cancel()
	if !errors.Is(context.Cause(run), ErrConsentRevoked) {
		t.Errorf("consent revoked during WithConsent's check, but its run context is live (cause %v)", context.Cause(run))
	}
}

// A stored consent that does not cover every data category (written by an
// earlier version, or straight to the store) does not let the sync run:
// the sync shares all four.
func TestConsentPartialStoredRefused(t *testing.T) {
	t.Parallel()
	store := NewMemoryStore()
	partial := &Consent{CustomerID: "a", GrantedBy: "admin@a", GrantedAt: time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC),
		Categories: []DataCategory{DataCandidates, DataJobs}}
	if err := store.SaveConsent(t.Context(), partial); err != nil {
		t.Fatal(err)
	}
	r, err := NewConsentRegistry(store)
	if err != nil {
		t.Fatal(err)
	}
	err = r.CheckConsent(t.Context(), "a")
	var cre *ConsentRequiredError
	if !errors.As(err, &cre) || !errors.Is(err, rscsync.ErrNoConsent) || errors.Is(err, ErrConsentRevoked) {
		t.Fatalf("CheckConsent: %v, want a *ConsentRequiredError matching rscsync.ErrNoConsent only", err)
	}
	if d := cmp.Diff(&ConsentRequiredError{CustomerID: "a", Category: DataApplications}, cre); d != "" {
		t.Errorf("error (-want +got):\n%s", d)
	}
	if want := `onboarding: customer "a"'s consent does not cover application data`; err.Error() != want {
		t.Errorf("error %q, want %q", err, want)
	}
}

// A state token verifies until its TTL has run out, to the millisecond,
// wherever in a second it was issued.
func TestStateTokenExpiresAtItsTTL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		after time.Duration
		ok    bool
	}{
		{"1 ms before the TTL", time.Minute - time.Millisecond, true},
		{"at the TTL", time.Minute, false},
		{"50 ms after the TTL", time.Minute + 50*time.Millisecond, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			clk := rsctest.NewFakeClock(time.Date(2026, 3, 1, 12, 0, 0, 900_000_000, time.UTC)) // .9 s into a second
			s := mustSigner(t, "0123456789abcdef0123456789abcdef", WithClock(clk), WithStateTTL(time.Minute))
			tok, _, err := s.Sign("acme", "", "sess")
			if err != nil {
				t.Fatal(err)
			}
			clk.Advance(tc.after)
			_, _, _, err = s.Verify(tok, "sess")
			if got := err == nil; got != tc.ok || (err != nil && !errors.Is(err, ErrBadState)) {
				t.Errorf("Verify %v after issue: %v, want valid %v", tc.after, err, tc.ok)
			}
		})
	}
}

// syncStarted sees a first start and a restart (consent given again) of a
// contract's sync between two states, so that a failed widget step never
// undoes a start whose WithStartSync call was made.
func TestSyncStartedSeesRestarts(t *testing.T) {
	t0 := time.Date(2026, 11, 30, 9, 0, 0, 0, time.UTC)
	state := func(started time.Time) *FlowState {
		return &FlowState{Contracts: []Contract{{Label: "", SyncStartedAt: started}}}
	}
	for _, tc := range []struct {
		name          string
		before, after *FlowState
		want          bool
	}{
		{"not started", state(time.Time{}), state(time.Time{}), false},
		{"started", state(time.Time{}), state(t0), true},
		{"a new contract started", &FlowState{}, state(t0), true},
		{"started again", state(t0), state(t0.Add(time.Hour)), true},
		{"unchanged", state(t0), state(t0), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := syncStarted(tc.before, tc.after); got != tc.want {
				t.Errorf("syncStarted = %v, want %v", got, tc.want)
			}
		})
	}
}
