package rsctest

import (
	"net/http"
	"slices"
	"strings"

	"github.com/rscgo/rscgo/internal/restli"
)

// appView is a provisioned (child) application on the wire (docs/wire-model.md).
type appView struct {
	Key                          string   `json:"key"`
	ClientID                     string   `json:"clientId"`
	ClientSecret                 string   `json:"clientSecret"`
	UniqueForeignID              string   `json:"uniqueForeignId"`
	Name                         string   `json:"name"`
	Description                  string   `json:"description"`
	ValidJsSdkDomains            []string `json:"validJsSdkDomains"`
	OAuth2AuthorizedCallbackUrls []string `json:"oauth2AuthorizedCallbackUrls"`
}

// appViewLocked renders the child app. Caller holds cu.mu (or owns cu exclusively).
func (cu *Customer) appViewLocked() appView {
	v := appView{Key: cu.AppKey, ClientID: cu.ClientID, ClientSecret: cu.ClientSecret, UniqueForeignID: cu.UniqueForeignID,
		Name: cu.app.Name, Description: cu.app.Description,
		ValidJsSdkDomains: slices.Clone(cu.app.ValidJsSdkDomains), OAuth2AuthorizedCallbackUrls: slices.Clone(cu.app.OAuth2AuthorizedCallbackUrls)}
	if v.ValidJsSdkDomains == nil {
		v.ValidJsSdkDomains = []string{}
	}
	if v.OAuth2AuthorizedCallbackUrls == nil {
		v.OAuth2AuthorizedCallbackUrls = []string{}
	}
	return v
}

type appDoc struct {
	UniqueForeignID              *string  `json:"uniqueForeignId"`
	Name                         *string  `json:"name"`
	Description                  *string  `json:"description"`
	ValidJsSdkDomains            []string `json:"validJsSdkDomains"`
	OAuth2AuthorizedCallbackUrls []string `json:"oauth2AuthorizedCallbackUrls"`
}

func checkApp(d *appDoc, create bool) string {
	if create {
		switch {
		case d.UniqueForeignID == nil || *d.UniqueForeignID == "":
			return "uniqueForeignId is required"
		case d.Name == nil || *d.Name == "":
			return "name is required"
		case d.Description == nil:
			return "description is required"
		}
	}
	if d.Name != nil {
		if len([]rune(*d.Name)) > 50 {
			return "name must be at most 50 characters"
		}
		if strings.Contains(strings.ToLower(*d.Name), "linkedin") {
			return "name must not contain \"LinkedIn\""
		}
	}
	for _, dom := range d.ValidJsSdkDomains {
		if strings.HasSuffix(dom, "/") || !strings.Contains(dom, "://") {
			return "validJsSdkDomains must be full origins without a trailing '/': " + dom
		}
	}
	return ""
}

// handleProvisioning serves P1 (create), P2 (finder credentialsByUniqueForeignId)
// and P3 (partial_update on /provisionedApplications/{appKey}). LinkedIn
// documents no GET of one application by key, so the fake answers it 404:
// a client must use the finder (docs/linkedin-api.md §6.1).
func handleProvisioning(c *call) {
	switch {
	case c.pathKey != "":
		provisionedApp(c)
	case c.method == http.MethodGet:
		findApp(c)
	case c.method == http.MethodPost:
		createApp(c)
	default:
		c.fail(http.StatusMethodNotAllowed, c.method+" is not supported on /provisionedApplications")
	}
}

// provisionedApp serves GET and P3 on /provisionedApplications/{appKey}.
func provisionedApp(c *call) {
	key, err := restli.ParseServerSimpleKey(c.proto, c.pathKey)
	if err != nil {
		c.fail(http.StatusBadRequest, "Invalid application key")
		return
	}
	c.s.mu.RLock()
	cu := c.s.byAppKey[key]
	c.s.mu.RUnlock()
	if cu == nil {
		c.fail(http.StatusNotFound, "Application "+key+" does not exist")
		return
	}
	switch c.method {
	case http.MethodPost:
		updateApp(c, cu)
	case http.MethodGet:
		c.fail(http.StatusNotFound, "Resource provisionedApplications/{key} has no GET; use q=credentialsByUniqueForeignId")
	default:
		c.fail(http.StatusMethodNotAllowed, c.method+" is not supported on /provisionedApplications/{key}")
	}
}

// updateApp serves P3 (partial_update of the child application).
func updateApp(c *call, cu *Customer) {
	if c.rmethod != "" && c.rmethod != "partial_update" {
		c.fail(http.StatusBadRequest, "X-RestLi-Method must be partial_update")
		return
	}
	var p struct {
		Patch struct {
			Set appDoc `json:"$set"`
		} `json:"patch"`
	}
	if !c.decodeBody(&p) {
		return
	}
	if msg := checkApp(&p.Patch.Set, false); msg != "" {
		c.fail(http.StatusBadRequest, msg)
		return
	}
	set := p.Patch.Set
	cu.mu.Lock()
	if set.Name != nil {
		cu.app.Name = *set.Name
	}
	if set.Description != nil {
		cu.app.Description = *set.Description
	}
	if set.ValidJsSdkDomains != nil {
		cu.app.ValidJsSdkDomains = slices.Clone(set.ValidJsSdkDomains)
	}
	if set.OAuth2AuthorizedCallbackUrls != nil {
		cu.app.OAuth2AuthorizedCallbackUrls = slices.Clone(set.OAuth2AuthorizedCallbackUrls)
	}
	cu.mu.Unlock()
	c.w.WriteHeader(http.StatusNoContent)
}

// findApp serves P2 (finder credentialsByUniqueForeignId).
func findApp(c *call) {
	if q := c.param("q"); q != "credentialsByUniqueForeignId" {
		c.fail(http.StatusBadRequest, "Unknown or missing finder q="+q)
		return
	}
	id := c.param("uniqueForeignId")
	if id == "" {
		c.fail(http.StatusBadRequest, "uniqueForeignId is required")
		return
	}
	cu := c.s.CustomerByForeignID(id)
	elems := []appView{}
	if cu != nil {
		cu.mu.Lock()
		elems = append(elems, cu.appViewLocked())
		cu.mu.Unlock()
	}
	writeJSON(c.w, http.StatusOK, collection{Elements: elems, Paging: pagingInfo{Start: 0, Count: len(elems), Total: len(elems), Links: []any{}}})
}

// createApp serves P1 (create a child application).
func createApp(c *call) {
	if c.rmethod != "" && c.rmethod != "create" {
		c.fail(http.StatusBadRequest, "X-RestLi-Method must be create")
		return
	}
	var d appDoc
	if !c.decodeBody(&d) {
		return
	}
	if msg := checkApp(&d, true); msg != "" {
		c.fail(http.StatusBadRequest, msg)
		return
	}
	s := c.s
	s.mu.Lock()
	if s.byForeign[*d.UniqueForeignID] != nil {
		s.mu.Unlock()
		writeJSON(c.w, http.StatusConflict, map[string]any{"message": "Application with uniqueForeignId " + *d.UniqueForeignID + " already exists", "status": 409})
		return
	}
	cu := s.addCustomerLocked(CustomerSpec{UniqueForeignID: *d.UniqueForeignID, Name: *d.Name})
	// cu is reachable only through s's maps, which we hold: no cu.mu needed.
	cu.app.Description = *d.Description
	cu.app.ValidJsSdkDomains = slices.Clone(d.ValidJsSdkDomains)
	cu.app.OAuth2AuthorizedCallbackUrls = slices.Clone(d.OAuth2AuthorizedCallbackUrls)
	v := cu.appViewLocked()
	s.mu.Unlock()
	c.w.Header().Set("X-RestLi-Id", v.Key)
	// As Rest.li's CreateResponseBuilder does: the request URI, the new
	// key as a path segment, no query.
	c.w.Header().Set("Location", s.baseURL+"/v2/provisionedApplications/"+v.Key)
	writeJSON(c.w, http.StatusCreated, v)
}
