package rsctest

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// Integration statuses (docs/wire-model.md).
const (
	StatusNotRequested = "NOT_REQUESTED"
	StatusRequested    = "REQUESTED"
	StatusPartnerReady = "PARTNER_READY"
	StatusEnabled      = "ENABLED"
	StatusDisabled     = "DISABLED"
)

// CompanyIntegrationTypes returns the organization-level RSC integration
// types (company-level access), a new slice at each call.
func CompanyIntegrationTypes() []string {
	return []string{"ONE_CLICK_EXPORT", "IN_ATS_INDICATOR", "PROFILE_PLUGIN"}
}

// ContractIntegrationTypes returns the contract-level RSC integration types
// (contract-level access), a new slice at each call.
func ContractIntegrationTypes() []string { return []string{"CSA_API"} }

var orgTypes = map[string]bool{
	"ONE_CLICK_EXPORT": true, "IN_ATS_INDICATOR": true, "PROFILE_PLUGIN": true, "RECOMMENDED_MATCHES": true,
	"UNIFIED_SEARCH": true, "APPLY_CONNECT": true, "APPLY_WITH_LINKEDIN": true, "CRM_ONE_CLICK_EXPORT": true, "IN_CRM_INDICATOR": true,
}

var contractTypes = map[string]bool{"CSA_API": true, "PREMIUM_JOB_POSTING": true}

// integrationKind carries the key rules of atsIntegrations / integrations
// (custom handler and store).
var integrationKind = newKind(&kind{
	fields: []string{"integrationContext", "integrationType", "tenantType"},
	schema: integrationSchema,
})

// configFields are the key fields of an integration's configuration.
var configFields = []string{"integrationContext", "integrationType", "tenantType", "configurationType"}

// configKind: atsIntegrations/{key}/configurations?ids=CALLBACK_URL (v2) and
// integrationConfigurations (rest, key fields integrationContext,
// integrationType, tenantType, configurationType).
var configKind = newKind(&kind{
	table:        "configurations",
	fields:       configFields,
	parentFields: 3,
	idField:      "configurationType",
	validate:     validateConfig,
	schema:       configSchema,
	check:        checkConfig,
	onDelete:     unregisterCallback,
	noPartial:    true,
})

type integration struct {
	context, typ, tenant, name, status string
}

func intKey(ctx, typ, tenant string) string {
	return recKey(fieldMap{"integrationContext": ctx, "integrationType": typ, "tenantType": tenant}, integrationKind.fields)
}

// integrationView is the integration entity on the wire.
type integrationView struct {
	IntegrationContext string               `json:"integrationContext"`
	IntegrationType    string               `json:"integrationType"`
	TenantType         string               `json:"tenantType"`
	DataProvider       string               `json:"dataProvider,omitempty"`
	IntegrationName    string               `json:"integrationName,omitempty"`
	Status             string               `json:"status"`
	ProductSettings    *rsc.ProductSettings `json:"productSettings,omitempty"`
}

func (cu *Customer) view(in *integration, rest bool) integrationView {
	ps := cu.settings
	v := integrationView{IntegrationContext: in.context, IntegrationType: in.typ, TenantType: in.tenant,
		IntegrationName: in.name, Status: in.status, ProductSettings: &ps}
	if !rest {
		v.DataProvider = "ATS"
	}
	return v
}

type intRequest struct {
	id      string
	views   []*integration // snapshot copies
	expires time.Time
}

// recordChange snapshots changed integrations, stores them for I3 and queues
// an INTEGRATION_STATUS_CHANGE push. Caller holds cu.mu.
func (cu *Customer) recordChange(changed []*integration) string {
	if len(changed) == 0 {
		return ""
	}
	now := cu.s.now()
	req := &intRequest{id: cu.s.uuid(), expires: now.Add(cu.s.limits.PushPayloadTTL)}
	for _, in := range changed {
		cp := *in
		req.views = append(req.views, &cp)
	}
	cu.intRequests[req.id] = req
	cu.s.pushes.add(cu, PushIntegrationStatusChange, req.id, req.expires)
	return req.id
}

func validIntegration(ctx, typ, tenant string) *entityError {
	if tenant != "RECRUITER" && tenant != "JOBS" {
		return fieldErr("tenantType", `"`+tenant+`" is not an enum symbol (RECRUITER, JOBS)`)
	}
	switch {
	case orgTypes[typ]:
		if !strings.HasPrefix(ctx, "urn:li:organization:") {
			return fieldErr("integrationContext", typ+" needs an organization URN")
		}
	case contractTypes[typ]:
		if !strings.HasPrefix(ctx, "urn:li:contract:") {
			return fieldErr("integrationContext", typ+" needs a contract URN")
		}
	default:
		return fieldErr("integrationType", `"`+typ+`" is not an enum symbol`)
	}
	return nil
}

// handleIntegrations serves I1 (batch_partial_update), I2 (batch_get) and I3 (finder request).
func handleIntegrations(c *call) {
	switch {
	case c.method == http.MethodGet && c.param("q") != "":
		findIntegrationRequest(c)
	case c.method == http.MethodGet:
		getIntegrations(c)
	case c.method == http.MethodPost:
		if c.requireMethod("batch_partial_update") {
			nameIntegrations(c)
		}
	default:
		c.methodNotAllowed()
	}
}

// findIntegrationRequest serves I3: the integrations a push's requestId names.
func findIntegrationRequest(c *call) {
	serveRequest(c, "Request", func(cu *Customer, id string) []integrationView {
		req := cu.intRequests[id]
		if req == nil || !c.now.Before(req.expires) {
			return nil
		}
		var out []integrationView
		for _, in := range req.views {
			out = append(out, cu.view(in, c.rt.rest))
		}
		return out
	})
}

// getIntegrations serves I2 (batch_get).
func getIntegrations(c *call) {
	keys, ok := c.batchKeys()
	if !ok {
		return
	}
	cu := c.cust
	res := batchGetResult{Errors: map[string]*entityError{}, Results: map[string]json.RawMessage{}, Statuses: map[string]int{}}
	cu.mu.Lock()
	for _, k := range keys {
		in := cu.integrations[k.rk]
		if in == nil {
			res.Errors[k.resp] = statusErr(404, "Integration "+k.resp+" does not exist")
			continue
		}
		b, _ := json.Marshal(cu.view(in, c.rt.rest))
		res.Results[k.resp] = b
		res.Statuses[k.resp] = 200
	}
	cu.mu.Unlock()
	writeJSON(c.w, http.StatusOK, res)
}

// nameIntegrations serves I1 (batch_partial_update of integrationName).
func nameIntegrations(c *call) {
	keys, byKey, ok := batchBody[patchBody](c)
	if !ok {
		return
	}
	cu := c.cust
	res := newBatchResult(len(keys))
	var changed []*integration
	cu.mu.Lock()
	for _, k := range keys {
		e := c.unpermittedPatch(c.rt.schema, byKey[k.rk].Patch)
		var in *integration
		if e == nil {
			in, e = cu.nameIntegration(k, byKey[k.rk].Patch)
		}
		if e != nil {
			res.Errors[k.resp] = e
			continue
		}
		if in != nil {
			changed = append(changed, in)
		}
		res.Results[k.resp] = status204
	}
	cu.recordChange(changed)
	cu.mu.Unlock()
	writeJSON(c.w, http.StatusOK, res)
}

// nameIntegration applies one I1 patch; it returns the integration when its
// status changed. Caller holds cu.mu.
func (cu *Customer) nameIntegration(k ekey, p patch) (*integration, *entityError) {
	f := k.fields
	if e := validIntegration(f["integrationContext"], f["integrationType"], f["tenantType"]); e != nil {
		return nil, e
	}
	raw, named := p.Set["integrationName"]
	var name string
	if named && json.Unmarshal(raw, &name) != nil {
		return nil, fieldErr("integrationName", "must be a string")
	}
	in := cu.integrations[k.rk]
	if in == nil {
		in = &integration{context: f["integrationContext"], typ: f["integrationType"], tenant: f["tenantType"], status: StatusNotRequested}
		cu.integrations[k.rk] = in
	}
	if named {
		in.name = name
	}
	if slices.Contains(p.Delete, "integrationName") {
		in.name = ""
	}
	if in.status == StatusRequested && in.name != "" {
		in.status = StatusPartnerReady
		return in, nil
	}
	return nil, nil
}

type configDoc struct {
	ConfigurationValue *struct {
		String *string `json:"string"`
	} `json:"configurationValue"`
}

func configString(doc []byte) string {
	var d configDoc
	if json.Unmarshal(doc, &d) != nil || d.ConfigurationValue == nil || d.ConfigurationValue.String == nil {
		return ""
	}
	return *d.ConfigurationValue.String
}

func validateConfig(c *call, r *record) *entityError {
	var d configDoc
	if e := c.decodeDoc(r.doc, &d); e != nil {
		return e
	}
	if e := validIntegration(r.fields.get("integrationContext"), r.fields.get("integrationType"), r.fields.get("tenantType")); e != nil {
		return e
	}
	if d.ConfigurationValue == nil || d.ConfigurationValue.String == nil {
		return fieldErr("configurationValue/string", required)
	}
	v := *d.ConfigurationValue.String
	t := r.fields.get("configurationType")
	if want, ok := configTypes[t]; ok && r.fields.get("integrationType") != want {
		return fieldErr("configurationType", t+" is a configuration of "+want+", not of "+r.fields.get("integrationType"))
	}
	switch t {
	case "CALLBACK_URL":
		if msg := checkCallbackURL(v); msg != "" {
			return fieldErr("configurationValue/string", msg)
		}
	case "JOB_POSTING_VIEWERS", "APPLICATION_VIEWERS":
		if v != "ALL_PRODUCT_USERS" {
			return fieldErr("configurationValue/string", `only "ALL_PRODUCT_USERS" is allowed for `+t)
		}
	default:
		return fieldErr("configurationType", `"`+t+`" is not an enum symbol (CALLBACK_URL, JOB_POSTING_VIEWERS, APPLICATION_VIEWERS)`)
	}
	return nil
}

// configTypes is the integration type each configuration key belongs to
// (docs/linkedin-api.md §6.3).
var configTypes = map[string]string{"CALLBACK_URL": "ONE_CLICK_EXPORT", "JOB_POSTING_VIEWERS": "ONE_CLICK_EXPORT", "APPLICATION_VIEWERS": "IN_ATS_INDICATOR"}

// checkCallbackURL requires https on port 80 or 443 (docs/linkedin-api.md
// §8.1), allowing http only on loopback hosts.
func checkCallbackURL(v string) string {
	u, err := url.Parse(v)
	if err != nil || u.Host == "" {
		return "must be an absolute URL"
	}
	switch u.Scheme {
	case "https":
		if p := u.Port(); p != "" && p != "443" && p != "80" {
			return "must use port 80 or 443"
		}
		return ""
	case "http":
		h := u.Hostname()
		if h == "localhost" {
			return ""
		}
		if ip := net.ParseIP(h); ip != nil && ip.IsLoopback() {
			return ""
		}
		return "must use https (http is accepted only on loopback hosts)"
	}
	return "must use https"
}

// checkConfig keeps CALLBACK_URLs unique across customers. Caller holds cu.mu.
func checkConfig(cu *Customer, r *record) *entityError {
	if r.fields.get("configurationType") != "CALLBACK_URL" {
		return nil
	}
	v := configString(r.doc)
	s := cu.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if owner := s.callbacks[v]; owner != nil && owner != cu {
		return fieldErr("configurationValue/string", "CALLBACK_URL must be unique per customer")
	}
	if old := cu.tables["configurations"].recs[recKey(r.fields, configFields)]; old != nil {
		if ov := configString(old.doc); s.callbacks[ov] == cu {
			delete(s.callbacks, ov)
		}
	}
	s.callbacks[v] = cu
	return nil
}

func unregisterCallback(cu *Customer, r *record) {
	if r.fields.get("configurationType") != "CALLBACK_URL" {
		return
	}
	v := configString(r.doc)
	cu.s.mu.Lock()
	if cu.s.callbacks[v] == cu {
		delete(cu.s.callbacks, v)
	}
	cu.s.mu.Unlock()
}

// configValue returns the customer's configuration value of type t
// (preferring the ONE_CLICK_EXPORT integration). Caller holds cu.mu.
func (cu *Customer) configValue(t string) string {
	best := ""
	for _, r := range cu.tables[configKind.table].recs {
		if r.fields.get("configurationType") != t {
			continue
		}
		v := configString(r.doc)
		if r.fields.get("integrationType") == "ONE_CLICK_EXPORT" {
			return v
		}
		if best == "" {
			best = v
		}
	}
	return best
}
