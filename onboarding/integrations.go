package onboarding

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// integrationKeys returns the RSC integrations of a customer instance:
// ONE_CLICK_EXPORT, IN_ATS_INDICATOR and PROFILE_PLUGIN on the organization
// URN and, when contract is not empty, CSA_API on the contract URN.
func integrationKeys(org, contract string) []rsc.IntegrationKey {
	var keys []rsc.IntegrationKey
	if org != "" {
		for _, t := range companyTypes {
			keys = append(keys, rsc.IntegrationKey{IntegrationContext: org, Type: t, TenantType: "RECRUITER"})
		}
	}
	if contract != "" {
		keys = append(keys, rsc.IntegrationKey{IntegrationContext: contract, Type: rsc.CSAAPI, TenantType: "RECRUITER"})
	}
	return keys
}

var typeTitles = map[rsc.IntegrationType]string{
	rsc.OneClickExport: "One-Click Export",
	rsc.InATSIndicator: "In-ATS Indicator",
	rsc.ProfilePlugin:  "Profile Plugin",
	rsc.CSAAPI:         "Recruiter Data Access",
}

// integrationName returns the name Recruiter shows for an integration
// (RSC-101), after LinkedIn's Postman collection: "{customer} LinkedIn
// Recruiter One-Click Export Integration". (The "no LinkedIn" rule applies
// to application names, not integration names.)
func integrationName(customerName string, t rsc.IntegrationType) string {
	title := typeTitles[t]
	if title == "" {
		title = string(t)
	}
	return strings.TrimSpace(customerName + " LinkedIn Recruiter " + title + " Integration")
}

// integrationConfig is what a customer instance's integrations are set to
// (docs/linkedin-api.md §6.3, RSC-104).
type integrationConfig struct {
	// CallbackURL receives push events; HTTPS and unique per customer
	// instance (http is accepted on loopback hosts only, for tests).
	CallbackURL string
	// UsesACLs: the customer restricts job visibility with ACLs, so
	// JOB_POSTING_VIEWERS and APPLICATION_VIEWERS are removed instead of set
	// to ALL_PRODUCT_USERS.
	UsesACLs bool
}

// values returns the configuration values per integration type.
func (c integrationConfig) values() map[rsc.IntegrationType]map[rsc.ConfigKey]string {
	out := map[rsc.IntegrationType]map[rsc.ConfigKey]string{
		rsc.OneClickExport: {rsc.ConfigCallbackURL: c.CallbackURL},
	}
	if !c.UsesACLs {
		out[rsc.OneClickExport][rsc.ConfigJobPostingViewers] = rsc.AllProductUsers
		out[rsc.InATSIndicator] = map[rsc.ConfigKey]string{rsc.ConfigAppViewers: rsc.AllProductUsers}
	}
	return out
}

// validateCallbackURL checks a CALLBACK_URL: absolute, https on port 80 or
// 443 (or the default) as LinkedIn asks (docs/linkedin-api.md §8.1), http
// only on loopback hosts (tests), no user info, query or fragment (the
// push handler finds the instance from the path alone).
func validateCallbackURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return fmt.Errorf("onboarding: CALLBACK_URL %q must be an absolute URL", raw)
	}
	if u.Fragment != "" || u.User != nil || u.RawQuery != "" || u.ForceQuery {
		return fmt.Errorf("onboarding: CALLBACK_URL %q must not carry user info, a query or a fragment", raw)
	}
	switch u.Scheme {
	case "https":
		if p := u.Port(); p != "" && p != "443" && p != "80" {
			return fmt.Errorf("onboarding: CALLBACK_URL %q must use port 80 or 443", raw)
		}
		return nil
	case "http":
		if isLoopback(u.Hostname()) {
			return nil
		}
	}
	return fmt.Errorf("onboarding: CALLBACK_URL %q must use https", raw)
}

func isLoopback(h string) bool {
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// ConfigMismatchError says a configuration read back differs from what was
// written.
type ConfigMismatchError struct {
	Key       rsc.IntegrationKey // the integration
	ConfigKey rsc.ConfigKey      // the configuration key
	Want, Got string             // the value written and the value read back
}

// Error implements error.
func (e *ConfigMismatchError) Error() string {
	return fmt.Sprintf("onboarding: %s %s reads back %q, want %q", e.Key, e.ConfigKey, e.Got, e.Want)
}

// nameIntegrations names the instance's integrations (I1, one
// batch_partial_update; a $set, so repeating it is harmless). LinkedIn
// moves requested integrations to PARTNER_READY when they are named.
func nameIntegrations(ctx context.Context, cust *rsc.Client, customerName, org, contract string) error {
	keys := integrationKeys(org, contract)
	if len(keys) == 0 {
		return errors.New("onboarding: no organization or contract URN to name integrations for")
	}
	names := make([]rsc.IntegrationName, len(keys))
	for i, k := range keys {
		names[i] = rsc.IntegrationName{Key: k, Name: integrationName(customerName, k.Type)}
	}
	res, err := cust.Integrations.Name(ctx, names)
	if err != nil {
		return err
	}
	return res.Err()
}

// configure writes the configurations (I4-I6 upserts) and reads them back
// to verify (RSC-104). With UsesACLs the *_VIEWERS values are deleted.
func configure(ctx context.Context, cust *rsc.Client, org string, cfg integrationConfig) error {
	if err := validateCallbackURL(cfg.CallbackURL); err != nil {
		return err
	}
	if !isOrganizationURN(org) {
		return fmt.Errorf("onboarding: %q is not an organization URN", org)
	}
	for t, vals := range cfg.values() {
		k := rsc.IntegrationKey{IntegrationContext: org, Type: t, TenantType: "RECRUITER"}
		res, err := cust.Integrations.SetConfig(ctx, k, vals)
		if err != nil {
			return err
		}
		if err := res.Err(); err != nil {
			return err
		}
	}
	if cfg.UsesACLs {
		del := map[rsc.IntegrationType]rsc.ConfigKey{rsc.OneClickExport: rsc.ConfigJobPostingViewers, rsc.InATSIndicator: rsc.ConfigAppViewers}
		for t, ck := range del {
			k := rsc.IntegrationKey{IntegrationContext: org, Type: t, TenantType: "RECRUITER"}
			// Deleting an absent value may fail per key; the read-back decides.
			_, _ = cust.Integrations.DeleteConfig(ctx, k, ck)
		}
	}
	return verifyConfig(ctx, cust, org, cfg)
}

// verifyConfig reads the configurations back and returns a
// *ConfigMismatchError for the first difference.
func verifyConfig(ctx context.Context, cust *rsc.Client, org string, cfg integrationConfig) error {
	want := cfg.values()
	if cfg.UsesACLs {
		want[rsc.OneClickExport][rsc.ConfigJobPostingViewers] = ""
		want[rsc.InATSIndicator] = map[rsc.ConfigKey]string{rsc.ConfigAppViewers: ""}
	}
	for _, t := range []rsc.IntegrationType{rsc.OneClickExport, rsc.InATSIndicator} {
		vals := want[t]
		k := rsc.IntegrationKey{IntegrationContext: org, Type: t, TenantType: "RECRUITER"}
		keys := make([]rsc.ConfigKey, 0, len(vals))
		for ck := range vals {
			keys = append(keys, ck)
		}
		got, err := cust.Integrations.Config(ctx, k, keys...)
		if err != nil {
			return err
		}
		for _, ck := range keys {
			if got[ck] != vals[ck] {
				return &ConfigMismatchError{Key: k, ConfigKey: ck, Want: vals[ck], Got: got[ck]}
			}
		}
	}
	return nil
}

// ReadStatus reads the instance's integrations (I2) and merges them into
// prev, stamped now.
func ReadStatus(ctx context.Context, cust *rsc.Client, org, contract string, prev Status, now time.Time) (Status, error) {
	if ctx == nil {
		return Status{}, errNilContext
	}
	keys := integrationKeys(org, contract)
	got, err := cust.Integrations.Get(ctx, keys)
	if err != nil {
		return prev, err
	}
	ints := make([]rsc.Integration, 0, len(got))
	for _, k := range keys {
		if in := got[k]; in != nil {
			ints = append(ints, *in)
		}
	}
	return prev.Merge(ints, now), nil
}
