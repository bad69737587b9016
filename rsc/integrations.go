package rsc

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/rscgo/rscgo/internal/restli"
)

// IntegrationsService names, reads and configures a customer's integrations
// (atsIntegrations and their configurations; versioned: integrations and
// integrationConfigurations). Use a customer client.
type IntegrationsService service

// IntegrationStatus is an integration's state in our model (docs/linkedin-api.md §6.6).
type IntegrationStatus string

// The integration states.
const (
	StatusNotRequested IntegrationStatus = "NOT_REQUESTED"
	StatusRequested    IntegrationStatus = "REQUESTED"
	StatusPartnerReady IntegrationStatus = "PARTNER_READY"
	StatusEnabled      IntegrationStatus = "ENABLED"
	StatusDisabled     IntegrationStatus = "DISABLED"
)

// ProductSettings are the LinkedIn admin's toggles for an integration.
type ProductSettings struct {
	// OneClickExport, InMailStubProfile, InATSIndicator and ProfileWidget
	// say whether the admin turned on 1-Click Export, InMail stub
	// profiles, the In-ATS indicator and the profile plugin. LinkedIn does
	// not document these settings: the fields are our model
	// (docs/linkedin-api.md §6.6).
	OneClickExport    bool `json:"oneClickExport"`
	InMailStubProfile bool `json:"inMailStubProfile"`
	InATSIndicator    bool `json:"inAtsIndicator"`
	ProfileWidget     bool `json:"profileWidget"`
}

// Integration is an atsIntegrations entity.
type Integration struct {
	// IntegrationContext is the customer's organization URN, or its
	// contract URN for CSA_API (docs/linkedin-api.md §6.3).
	IntegrationContext string `json:"integrationContext"`
	// IntegrationType is the integration's type, such as ONE_CLICK_EXPORT.
	IntegrationType IntegrationType `json:"integrationType"`
	// TenantType is RECRUITER for RSC integrations (docs/linkedin-api.md
	// §3.1); Key maps it to "".
	TenantType string `json:"tenantType,omitempty"`
	// IntegrationName is the name Recruiter shows the customer, as
	// IntegrationsService.Name sets it.
	IntegrationName string `json:"integrationName,omitempty"`
	// Status is the integration's state, empty when LinkedIn sends none.
	Status IntegrationStatus `json:"status,omitempty"`
	// ProductSettings are the admin's toggles, nil when LinkedIn sends
	// none.
	ProductSettings *ProductSettings `json:"productSettings,omitempty"`
}

// Key returns the integration's key, with TenantType "" for RECRUITER so
// that it equals keys built by callers who leave it empty.
func (i *Integration) Key() IntegrationKey {
	tt := i.TenantType
	if tt == "RECRUITER" {
		tt = ""
	}
	return IntegrationKey{IntegrationContext: i.IntegrationContext, Type: i.IntegrationType, TenantType: tt}
}

// IntegrationName names one integration as Recruiter shows it (RSC-101).
type IntegrationName struct {
	// Key is the integration: its IntegrationContext must be a URN
	// (urn:li:...) and its Type required text of at most 64 characters.
	Key IntegrationKey
	// Name is required text of at most 255 characters.
	Name string
}

// Name sets integrationName on integrations (batch_partial_update).
func (s *IntegrationsService) Name(ctx context.Context, names []IntegrationName) (*BatchResult[IntegrationKey], error) {
	return setField(ctx, s.c, resIntegrations, "integrationName", names, func(n IntegrationName) (IntegrationKey, any) {
		return n.Key, n.Name
	}, func(v *validator, n IntegrationName) {
		v.urn("integrationContext", n.Key.IntegrationContext, "urn:li:", true)
		v.text("integrationType", string(n.Key.Type), true, 64)
		v.text("integrationName", n.Name, true, 255)
	})
}

// Get reads integrations (batch_get). Integrations LinkedIn does not hold are
// missing from the map; any other per-key error status returns a
// *BatchGetError, with the integrations that were found.
func (s *IntegrationsService) Get(ctx context.Context, keys []IntegrationKey) (map[IntegrationKey]*Integration, error) {
	return batchGet[IntegrationKey, Integration](ctx, s.c, resIntegrations, keys, "", nil)
}

// ByRequest reads the integrations an INTEGRATION_STATUS_CHANGE push event
// refers to (finder q=request).
func (s *IntegrationsService) ByRequest(ctx context.Context, requestID string) ([]Integration, error) {
	return byRequest[Integration](ctx, s.c, resIntegrations, requestID)
}

// ConfigKey is an integration configuration key.
type ConfigKey string

// The configuration keys (docs/linkedin-api.md §6.3).
const (
	ConfigCallbackURL       ConfigKey = "CALLBACK_URL"        // on ONE_CLICK_EXPORT
	ConfigJobPostingViewers ConfigKey = "JOB_POSTING_VIEWERS" // on ONE_CLICK_EXPORT
	ConfigAppViewers        ConfigKey = "APPLICATION_VIEWERS" // on IN_ATS_INDICATOR
)

// AllProductUsers is the only documented value of the *_VIEWERS keys.
const AllProductUsers = "ALL_PRODUCT_USERS"

type configValue struct {
	ConfigurationValue struct {
		String string `json:"string"`
	} `json:"configurationValue"`
}

func (c *Client) configPath(k IntegrationKey) string {
	if c.fam.versioned {
		return "/" + resIntegrationConfig.versioned
	}
	return "/" + resIntegrations.legacy + "/" + c.keyPath(k.restli(c.fam)) + "/" + resIntegrationConfig.legacy
}

// configEntry returns the batch key of one configuration entry: the simple key
// on /v2, a compound key with the integration's fields on /rest.
func (c *Client) configEntry(k IntegrationKey, ck ConfigKey) (restli.Key, string) {
	if !c.fam.versioned {
		return nil, string(ck)
	}
	return append(k.restli(c.fam), restli.Field{Name: "configurationKey", Value: string(ck)}), ""
}

// SetConfig upserts configuration values of one integration (batch_update).
func (s *IntegrationsService) SetConfig(ctx context.Context, k IntegrationKey, values map[ConfigKey]string) (*BatchResult[ConfigKey], error) {
	c := s.c
	entries := make([]entry[ConfigKey], 0, len(values))
	for _, ck := range sortedConfigKeys(values) {
		val := values[ck]
		e := entry[ConfigKey]{key: ck, label: string(ck)}
		v := c.validator(resIntegrationConfig.legacy, string(ck))
		v.text("configurationValue", val, true, 2048)
		if ck == ConfigCallbackURL {
			v.url("configurationValue", val, true)
			if v.err == nil && !strings.HasPrefix(val, "https://") && !isLoopbackURL(val) {
				v.fail("configurationValue", "CALLBACK_URL must be https (plain http only on a loopback host, for tests)")
			}
		}
		e.err = v.result()
		e.rkey, e.simple = c.configEntry(k, ck)
		var cv configValue
		cv.ConfigurationValue.String = val
		e.body, _ = marshalBody(cv)
		entries = append(entries, e)
	}
	return writeBatches(ctx, c, c.batchOpFor(http.MethodPut, resIntegrationConfig, c.configPath(k)), entries)
}

// Config reads configuration values of one integration (batch_get). With
// no keys it sends nothing and returns an empty map, as every batch method
// does with no input: a batch_get without ids would be a GET of every
// configuration, which LinkedIn does not document. A key LinkedIn answers
// 404 for holds no value (it is not in the map); any other per-key error
// is reported as a *BatchGetError naming the key, beside the values read.
func (s *IntegrationsService) Config(ctx context.Context, k IntegrationKey, keys ...ConfigKey) (map[ConfigKey]string, error) {
	c := s.c
	if len(keys) == 0 {
		return map[ConfigKey]string{}, nil
	}
	var q string
	if c.fam.versioned {
		rk := make([]restli.Key, len(keys))
		for i, ck := range keys {
			rk[i], _ = c.configEntry(k, ck)
		}
		q = restli.EncodeBatchIDs(c.fam.proto, rk)
	} else {
		ids := make([]string, len(keys))
		for i, ck := range keys {
			ids[i] = string(ck)
		}
		q = restli.EncodeSimpleIDs(c.fam.proto, ids)
	}
	br, err := c.getBatch(ctx, resIntegrationConfig, c.configPath(k), q)
	if err != nil {
		return nil, err
	}
	out := make(map[ConfigKey]string, len(br.Results))
	for ks, raw := range br.Results {
		var cv configValue
		if err := json.Unmarshal(raw, &cv); err != nil {
			return nil, c.red.Error(fmt.Errorf("rsc: decoding configuration %s: %w", ks, err))
		}
		name := ks
		if dk, err := restli.DecodeKey(ks); err == nil {
			if v, ok := dk.Get("configurationKey"); ok {
				name = v
			}
		}
		out[ConfigKey(name)] = cv.ConfigurationValue.String
	}
	// A key LinkedIn failed to read is not a key without a value: report
	// it as batchGet does (404 means absent).
	if failed := keyFailures(c, resIntegrationConfig, br, func(ks string) (int, string) {
		name := ks
		if dk, err := restli.DecodeKey(ks); err == nil {
			if v, ok := dk.Get("configurationKey"); ok {
				name = v
			}
		} else if d, err := restli.DecodeSimpleKey(ks); err == nil {
			name = d
		}
		for i, ck := range keys {
			if string(ck) == name {
				return i, name
			}
		}
		return -1, ks
	}); len(failed) > 0 {
		return out, &BatchGetError{Resource: resIntegrationConfig.legacy, Errors: failed}
	}
	return out, nil
}

// DeleteConfig removes configuration values of one integration
// (batch_delete). A key given twice is refused with a *ValidationError.
func (s *IntegrationsService) DeleteConfig(ctx context.Context, k IntegrationKey, keys ...ConfigKey) (*BatchResult[ConfigKey], error) {
	c := s.c
	entries := make([]entry[ConfigKey], len(keys))
	seen := make(map[ConfigKey]bool, len(keys))
	for i, ck := range keys {
		entries[i] = entry[ConfigKey]{key: ck, label: string(ck)}
		v := c.validator(resIntegrationConfig.legacy, string(ck))
		unique(v, "configurationKey", seen, ck)
		if entries[i].err = v.result(); entries[i].err != nil {
			continue
		}
		entries[i].rkey, entries[i].simple = c.configEntry(k, ck)
	}
	return writeBatches(ctx, c, c.batchOpFor(http.MethodDelete, resIntegrationConfig, c.configPath(k)), entries)
}

func sortedConfigKeys(m map[ConfigKey]string) []ConfigKey {
	order := []ConfigKey{ConfigCallbackURL, ConfigJobPostingViewers, ConfigAppViewers}
	out := make([]ConfigKey, 0, len(m))
	for _, k := range order {
		if _, ok := m[k]; ok {
			out = append(out, k)
		}
	}
	n := len(out)
	for k := range m {
		if k != ConfigCallbackURL && k != ConfigJobPostingViewers && k != ConfigAppViewers {
			out = append(out, k)
		}
	}
	slices.Sort(out[n:])
	return out
}

// isLoopbackURL reports whether u is an http URL on a loopback host.
func isLoopbackURL(u string) bool {
	p, err := url.Parse(u)
	return err == nil && p.Scheme == "http" && isLoopbackHost(p.Hostname())
}
