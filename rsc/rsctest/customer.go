package rsctest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rscgo/rscgo/rsc"
	"github.com/rscgo/rscgo/rsc/rsctest/internal/customerspec"
)

// CustomerSpec describes a customer to pre-provision with AddCustomer. Empty
// fields are generated.
type CustomerSpec struct {
	// UniqueForeignID is the partner's id for the customer instance.
	UniqueForeignID string
	// Name of the child application (at most 50 chars).
	Name string
	// ClientID and ClientSecret of the child (customer) application.
	ClientID, ClientSecret string
	// Organization is the customer's organization URN (urn:li:organization:{id}).
	Organization string
	// Contracts are the customer's Recruiter contract URNs (urn:li:contract:{id}).
	Contracts []string
}

// Customer is one customer instance: a child application of the partner, its
// LinkedIn organization and contracts, and everything LinkedIn holds for it.
// Exported fields are fixed at creation; read state with the inspection
// methods (inspect.go) and drive the LinkedIn side with simulate.go's methods.
type Customer struct {
	// ClientID and ClientSecret are the child application's credentials.
	ClientID, ClientSecret string
	// AppKey is the child application URN (urn:li:developerApplication:{n}).
	AppKey string
	// UniqueForeignID is the partner's id for this instance.
	UniqueForeignID string
	// Organization is the customer's organization URN.
	Organization string
	// Contracts are the customer's contract URNs.
	Contracts []string

	s   *Server
	thr *throttle

	mu           sync.Mutex
	app          appInfo
	tables       map[string]*table
	integrations map[string]*integration
	settings     rsc.ProductSettings
	intRequests  map[string]*intRequest
	jobs         map[string]*job
	tasks        map[string]*task
	resyncOwed   map[string]time.Time // job id → when LinkedIn asked for it again (SendJobResync)
	seats        map[int64]*seat
	exports      map[string]*export
	exportCount  map[string]int // seat|YYYY-MM → count
	convs        map[string]*conversation
	events       []ConversationEvent
	stubs        []MailStub
	pnotes       map[string]*ProspectNote
	pnoteOrder   []string
	closed       []ClosedProfile
}

type appInfo struct {
	Name                         string   `json:"name"`
	Description                  string   `json:"description"`
	ValidJsSdkDomains            []string `json:"validJsSdkDomains"`
	OAuth2AuthorizedCallbackUrls []string `json:"oauth2AuthorizedCallbackUrls"`
}

// table is a store of generic keyed entities (candidates, notes, ...).
type table struct {
	recs     map[string]*record
	byParent map[string]map[string]struct{} // for child tables
}

type record struct {
	fields  keyFields       // canonical key fields
	doc     json.RawMessage // entity as last written, canonical (v2) field names
	emails  []string        // candidates: lower-cased emailAddresses
	manual  string          // candidates: manualMatchedMember
	updated time.Time
}

// keyFields are a stored record's canonical key fields, in its kind's
// order: a few name and value pairs take a third of the memory of a map.
type keyFields []keyField

type keyField struct{ name, value string }

// compactFields returns the fields names of m, in that order.
func compactFields(m map[string]string, names []string) keyFields {
	f := make(keyFields, len(names))
	for i, n := range names {
		f[i] = keyField{n, m[n]}
	}
	return f
}

// get returns the value of the field name, "" when there is none.
func (f keyFields) get(name string) string {
	for _, kf := range f {
		if kf.name == name {
			return kf.value
		}
	}
	return ""
}

// asMap returns the fields as a new map.
func (f keyFields) asMap() map[string]string {
	m := make(map[string]string, len(f))
	for _, kf := range f {
		m[kf.name] = kf.value
	}
	return m
}

// fieldMap is key fields being read from a request.
type fieldMap map[string]string

func (m fieldMap) get(name string) string { return m[name] }

// fieldGetter is keyFields or a fieldMap.
type fieldGetter interface{ get(name string) string }

func newCustomer(s *Server, spec CustomerSpec) *Customer {
	c := &Customer{
		ClientID: spec.ClientID, ClientSecret: spec.ClientSecret, UniqueForeignID: spec.UniqueForeignID,
		Organization: spec.Organization, Contracts: slices.Clone(spec.Contracts),
		s: s, thr: newThrottle(),
		tables:       map[string]*table{},
		integrations: map[string]*integration{},
		intRequests:  map[string]*intRequest{},
		jobs:         map[string]*job{},
		tasks:        map[string]*task{},
		resyncOwed:   map[string]time.Time{},
		seats:        map[int64]*seat{},
		exports:      map[string]*export{},
		exportCount:  map[string]int{},
		convs:        map[string]*conversation{},
		pnotes:       map[string]*ProspectNote{},
		settings:     rsc.ProductSettings{OneClickExport: true, InMailStubProfile: true, InATSIndicator: true, ProfileWidget: true},
	}
	for _, k := range kinds {
		if k.table == "" {
			continue
		}
		c.tables[k.table] = &table{recs: map[string]*record{}, byParent: map[string]map[string]struct{}{}}
	}
	c.app.Name = spec.Name
	return c
}

// AddCustomer pre-provisions a customer, as if P1 had created its child
// application and its admin had connected it to an organization and contracts.
// Missing ids are generated: client id "customer-{n}", org
// "urn:li:organization:{n}", one contract "urn:li:contract:{n}". AddCustomer
// trusts its caller (a test may build any state); the admin API's
// POST /_rsctest/customers refuses a spec that reuses another customer's
// client id, foreign id, organization or contract (409) or whose URNs are
// not URNs (400).
func (s *Server) AddCustomer(spec CustomerSpec) *Customer {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addCustomerLocked(spec)
}

// checkSpecLocked refuses a spec that would break another customer or that
// LinkedIn could not hold: a client id, foreign id, organization or contract
// another customer has (409), URNs that are not URNs, a name over 50
// characters or ids over 200 (400: customerspec.Check). Caller holds s.mu.
func (s *Server) checkSpecLocked(spec CustomerSpec) error {
	if err := customerspec.Check(spec.ClientID, spec.ClientSecret, spec.UniqueForeignID, spec.Name, spec.Organization, spec.Contracts); err != nil {
		return errf(http.StatusBadRequest, err.Error())
	}
	switch {
	case spec.ClientID != "" && s.customers[spec.ClientID] != nil:
		return errf(http.StatusConflict, "ClientID "+strconv.Quote(spec.ClientID)+" belongs to another customer")
	case spec.UniqueForeignID != "" && s.byForeign[spec.UniqueForeignID] != nil:
		return errf(http.StatusConflict, "UniqueForeignID "+strconv.Quote(spec.UniqueForeignID)+" belongs to another customer")
	case s.byOrg[spec.Organization] != nil:
		return errf(http.StatusConflict, "Organization "+spec.Organization+" belongs to another customer")
	}
	for _, k := range spec.Contracts {
		if s.byContract[k] != nil {
			return errf(http.StatusConflict, "Contract "+k+" belongs to another customer")
		}
	}
	return nil
}

// addCheckedCustomer is AddCustomer for the admin API: it refuses a spec
// checkSpecLocked refuses.
func (s *Server) addCheckedCustomer(spec CustomerSpec) (*Customer, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.checkSpecLocked(spec); err != nil {
		return nil, err
	}
	return s.addCustomerLocked(spec), nil
}

func (s *Server) addCustomerLocked(spec CustomerSpec) *Customer {
	s.appSeq++
	n := s.appSeq
	if spec.ClientID == "" {
		spec.ClientID = fmt.Sprintf("customer-%d", n)
		for i := 1; s.customers[spec.ClientID] != nil || spec.ClientID == s.cfg.partnerID; i++ {
			spec.ClientID = fmt.Sprintf("customer-%d-%d", n, i)
		}
	}
	if spec.ClientSecret == "" {
		spec.ClientSecret = "secret-" + s.randHex(12)
	}
	if spec.UniqueForeignID == "" {
		spec.UniqueForeignID = spec.ClientID
		for i := 1; s.byForeign[spec.UniqueForeignID] != nil; i++ {
			spec.UniqueForeignID = fmt.Sprintf("%s-%d", spec.ClientID, i)
		}
	}
	if spec.Name == "" {
		spec.Name = "ATS - " + spec.UniqueForeignID
	}
	if spec.Organization == "" {
		for {
			s.orgSeq++
			spec.Organization = fmt.Sprintf("urn:li:organization:%d", 1000+s.orgSeq)
			if s.byOrg[spec.Organization] == nil {
				break
			}
		}
	}
	if len(spec.Contracts) == 0 {
		for {
			s.contractSeq++
			k := fmt.Sprintf("urn:li:contract:%d", 5000+s.contractSeq)
			if s.byContract[k] == nil {
				spec.Contracts = []string{k}
				break
			}
		}
	}
	c := newCustomer(s, spec)
	c.AppKey = fmt.Sprintf("urn:li:developerApplication:%d", 900000+n)
	s.customers[c.ClientID] = c
	s.order = append(s.order, c)
	s.byForeign[c.UniqueForeignID] = c
	s.byAppKey[c.AppKey] = c
	s.byOrg[c.Organization] = c
	for _, k := range c.Contracts {
		s.byContract[k] = c
	}
	return c
}

// Customer returns the customer whose child application has clientID, or nil.
func (s *Server) Customer(clientID string) *Customer {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.customers[clientID]
}

// CustomerByForeignID returns the customer provisioned with uniqueForeignId, or nil.
func (s *Server) CustomerByForeignID(id string) *Customer {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.byForeign[id]
}

// CustomerByOrganization returns the customer owning the organization URN, or nil.
func (s *Server) CustomerByOrganization(org string) *Customer {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.byOrg[org]
}

// Customers returns all customers in creation order.
func (s *Server) Customers() []*Customer {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.order)
}

// owns reports whether urn is the customer's organization or one of its contracts.
func (c *Customer) owns(urn string) bool {
	return urn == c.Organization || slices.Contains(c.Contracts, urn)
}

func (c *Customer) ownsContract(urn string) bool { return slices.Contains(c.Contracts, urn) }

func recKey(fields fieldGetter, names []string) string {
	var b strings.Builder
	for i, n := range names {
		if i > 0 {
			b.WriteByte(0x1f)
		}
		b.WriteString(fields.get(n))
	}
	return b.String()
}

func (t *table) put(k *kind, key string, r *record) {
	t.recs[key] = r
	if k.parentFields > 0 {
		p := recKey(r.fields, k.fields[:k.parentFields])
		m := t.byParent[p]
		if m == nil {
			m = map[string]struct{}{}
			t.byParent[p] = m
		}
		m[key] = struct{}{}
	}
}

func (t *table) del(k *kind, key string) bool {
	r, ok := t.recs[key]
	if !ok {
		return false
	}
	delete(t.recs, key)
	if k.parentFields > 0 {
		p := recKey(r.fields, k.fields[:k.parentFields])
		delete(t.byParent[p], key)
		if len(t.byParent[p]) == 0 {
			delete(t.byParent, p)
		}
	}
	return true
}

// deleteChildren removes every record of child kind whose parent key is parent.
func (t *table) deleteChildren(k *kind, parent string) {
	for key := range t.byParent[parent] {
		delete(t.recs, key)
	}
	delete(t.byParent, parent)
	_ = k
}

// sortedKeys returns the table's record keys in order.
func (t *table) sortedKeys() []string {
	keys := make([]string, 0, len(t.recs))
	for k := range t.recs {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
