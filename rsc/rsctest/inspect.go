package rsctest

import (
	"cmp"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// Record is a stored entity: its canonical (v2) key fields and the entity
// fields as last written (v2 field names; numbers decode as float64).
type Record struct {
	Key    map[string]string `json:"key"`
	Fields map[string]any    `json:"fields"`
}

// CandidateRecord is a stored candidate with LinkedIn's match state.
type CandidateRecord struct {
	IntegrationContext  string         `json:"integrationContext"`
	ID                  string         `json:"atsCandidateId"`
	Fields              map[string]any `json:"fields"`
	MatchedMembers      []string       `json:"matchedMembers"`
	ManualMatchedMember string         `json:"manualMatchedMember,omitempty"`
}

// JobRecord is a job posting LinkedIn holds.
type JobRecord struct {
	ExternalJobPostingID string         `json:"externalJobPostingId"`
	IntegrationContext   string         `json:"integrationContext"` // "" for a PUBLIC job that names its company instead
	JobPosting           string         `json:"jobPosting"`
	State                string         `json:"state"` // LISTED or CLOSED
	Availability         string         `json:"availability"`
	AccessRestricted     bool           `json:"accessRestricted"`
	Title                string         `json:"title"`
	Fields               map[string]any `json:"fields"` // last CREATE/UPDATE/RENEW element
	CreatedAt            time.Time      `json:"createdAt"`
	UpdatedAt            time.Time      `json:"updatedAt"`
}

// TaskRecord is a simpleJobPostingTask.
type TaskRecord struct {
	ID                   string `json:"id"`
	ExternalJobPostingID string `json:"externalJobPostingId"`
	Operation            string `json:"operation"`
	Outcome              string `json:"outcome"` // status once no longer IN_PROGRESS
	JobPosting           string `json:"jobPosting,omitempty"`
	ErrorMessage         string `json:"errorMessage,omitempty"`
	Polls                int    `json:"polls"`
}

// IntegrationRecord is an atsIntegrations entity.
type IntegrationRecord struct {
	IntegrationContext string `json:"integrationContext"`
	IntegrationType    string `json:"integrationType"`
	TenantType         string `json:"tenantType"`
	IntegrationName    string `json:"integrationName"`
	Status             string `json:"status"`
}

// ProvisionedApp is the child application as the partner configured it.
type ProvisionedApp struct {
	Key                          string   `json:"key"`
	Name                         string   `json:"name"`
	Description                  string   `json:"description"`
	ValidJsSdkDomains            []string `json:"validJsSdkDomains"`
	OAuth2AuthorizedCallbackUrls []string `json:"oauth2AuthorizedCallbackUrls"`
}

func docMap(b []byte) map[string]any {
	m := map[string]any{}
	_ = json.Unmarshal(b, &m)
	return m
}

func (cu *Customer) records(k *kind) []Record {
	cu.mu.Lock()
	defer cu.mu.Unlock()
	t := cu.tables[k.table]
	out := make([]Record, 0, len(t.recs))
	for _, key := range t.sortedKeys() {
		r := t.recs[key]
		out = append(out, Record{Key: r.fields.asMap(), Fields: docMap(r.doc)})
	}
	return out
}

func (cu *Customer) record(k *kind, fields map[string]string) (Record, bool) {
	cu.mu.Lock()
	defer cu.mu.Unlock()
	r := cu.tables[k.table].recs[recKey(fieldMap(fields), k.fields)]
	if r == nil {
		return Record{}, false
	}
	return Record{Key: r.fields.asMap(), Fields: docMap(r.doc)}, true
}

func (cu *Customer) candidate(r *record) CandidateRecord {
	return CandidateRecord{IntegrationContext: r.fields.get("integrationContext"), ID: r.fields.get("atsCandidateId"), Fields: docMap(r.doc),
		MatchedMembers: cu.s.matchMembers(r.emails), ManualMatchedMember: r.manual}
}

// Candidates returns every stored candidate, ordered by key.
func (cu *Customer) Candidates() []CandidateRecord {
	cu.mu.Lock()
	defer cu.mu.Unlock()
	t := cu.tables[candidateKind.table]
	out := make([]CandidateRecord, 0, len(t.recs))
	for _, k := range t.sortedKeys() {
		out = append(out, cu.candidate(t.recs[k]))
	}
	return out
}

// Candidate returns the candidate atsCandidateId of the customer's organization.
func (cu *Customer) Candidate(id string) (CandidateRecord, bool) {
	cu.mu.Lock()
	defer cu.mu.Unlock()
	r := cu.tables[candidateKind.table].recs[recKey(fieldMap{"integrationContext": cu.Organization, "atsCandidateId": id}, candidateKind.fields)]
	if r == nil {
		return CandidateRecord{}, false
	}
	return cu.candidate(r), true
}

// Application returns the application atsJobApplicationId of the customer's organization.
func (cu *Customer) Application(id string) (Record, bool) {
	return cu.record(applicationKind, map[string]string{"integrationContext": cu.Organization, "atsJobApplicationId": id})
}

// Applications returns every stored application.
func (cu *Customer) Applications() []Record { return cu.records(applicationKind) }

// CandidateNotes returns every stored candidate note (key fields integrationContext, atsCandidateId, noteId).
func (cu *Customer) CandidateNotes() []Record { return cu.records(candidateNoteKind) }

// ApplicationNotes returns every stored application note (key integrationContext, atsJobApplicationId, noteId).
func (cu *Customer) ApplicationNotes() []Record { return cu.records(applicationNoteKind) }

// InterviewFeedback returns every stored feedback (key integrationContext, atsJobApplicationId, feedbackId).
func (cu *Customer) InterviewFeedback() []Record { return cu.records(feedbackKind) }

// Stages returns every stored application stage (key integrationContext, atsJobApplicationId, stageId).
func (cu *Customer) Stages() []Record { return cu.records(stageKind) }

// ACLs returns every stored entity ACL (key integrationContext, atsEntityType, atsEntityId, atsEntityAclId).
func (cu *Customer) ACLs() []Record { return cu.records(aclKind) }

// ACLAssignees returns every stored ACL assignee (key integrationContext, atsEntityType, atsEntityAclId, assignee).
func (cu *Customer) ACLAssignees() []Record { return cu.records(assigneeKind) }

// Configurations returns every integration configuration (key
// integrationContext, integrationType, tenantType, configurationType).
func (cu *Customer) Configurations() []Record { return cu.records(configKind) }

// ConfigurationValue returns the value of a configuration type
// (CALLBACK_URL, JOB_POSTING_VIEWERS, APPLICATION_VIEWERS), "" if unset.
func (cu *Customer) ConfigurationValue(configurationType string) string {
	cu.mu.Lock()
	defer cu.mu.Unlock()
	return cu.configValue(configurationType)
}

// Matches returns, per atsCandidateId, the members LinkedIn links to the
// candidate (manualMatchedMember first, then email matches).
func (cu *Customer) Matches() map[string][]string {
	out := map[string][]string{}
	for _, c := range cu.Candidates() {
		var ms []string
		if c.ManualMatchedMember != "" {
			ms = append(ms, c.ManualMatchedMember)
		}
		for _, m := range c.MatchedMembers {
			if !slices.Contains(ms, m) {
				ms = append(ms, m)
			}
		}
		if len(ms) > 0 {
			out[c.ID] = ms
		}
	}
	return out
}

func (j *job) record() JobRecord {
	return JobRecord{ExternalJobPostingID: j.externalID, IntegrationContext: j.context, JobPosting: j.urn, State: j.state,
		Availability: j.availability, AccessRestricted: j.accessRestricted, Title: j.title, Fields: docMap(j.doc),
		CreatedAt: j.created, UpdatedAt: j.updated}
}

// Jobs returns every job posting, ordered by externalJobPostingId.
func (cu *Customer) Jobs() []JobRecord {
	cu.mu.Lock()
	defer cu.mu.Unlock()
	return inKeyOrder(cu.jobs, (*job).record)
}

// Job returns the job posting with externalJobPostingId.
func (cu *Customer) Job(externalJobPostingID string) (JobRecord, bool) {
	cu.mu.Lock()
	defer cu.mu.Unlock()
	j := cu.jobs[externalJobPostingID]
	if j == nil {
		return JobRecord{}, false
	}
	return j.record(), true
}

// Tasks returns every job task, ordered by id.
func (cu *Customer) Tasks() []TaskRecord {
	cu.mu.Lock()
	defer cu.mu.Unlock()
	return inKeyOrder(cu.tasks, (*task).record)
}

func (t *task) record() TaskRecord {
	return TaskRecord{ID: t.id, ExternalJobPostingID: t.externalID, Operation: t.op, Outcome: t.outcome,
		JobPosting: t.jobURN, ErrorMessage: t.errMsg, Polls: t.polls}
}

// Integrations returns the customer's integrations, ordered by context and type.
func (cu *Customer) Integrations() []IntegrationRecord {
	cu.mu.Lock()
	defer cu.mu.Unlock()
	return inKeyOrder(cu.integrations, (*integration).record)
}

func (in *integration) record() IntegrationRecord {
	return IntegrationRecord{IntegrationContext: in.context, IntegrationType: in.typ, TenantType: in.tenant,
		IntegrationName: in.name, Status: in.status}
}

// inKeyOrder returns record(v) for every value v of m, ordered by key.
func inKeyOrder[K cmp.Ordered, V, R any](m map[K]V, record func(V) R) []R {
	out := make([]R, 0, len(m))
	for _, k := range slices.Sorted(maps.Keys(m)) {
		out = append(out, record(m[k]))
	}
	return out
}

// Integration returns the RECRUITER integration of a type on a context.
func (cu *Customer) Integration(integrationContext, integrationType string) (IntegrationRecord, bool) {
	for _, in := range cu.Integrations() {
		if in.IntegrationContext == integrationContext && in.IntegrationType == integrationType && in.TenantType == "RECRUITER" {
			return in, true
		}
	}
	return IntegrationRecord{}, false
}

// ProductSettings returns the admin's product toggles.
func (cu *Customer) ProductSettings() rsc.ProductSettings {
	cu.mu.Lock()
	defer cu.mu.Unlock()
	return cu.settings
}

// App returns the provisioned child application's settings.
func (cu *Customer) App() ProvisionedApp {
	cu.mu.Lock()
	defer cu.mu.Unlock()
	v := cu.appViewLocked()
	return ProvisionedApp{Key: v.Key, Name: v.Name, Description: v.Description, ValidJsSdkDomains: v.ValidJsSdkDomains,
		OAuth2AuthorizedCallbackUrls: v.OAuth2AuthorizedCallbackUrls}
}

// Seats returns the customer's seats in creation order.
func (cu *Customer) Seats() []Seat {
	cu.mu.Lock()
	defer cu.mu.Unlock()
	var out []Seat
	for _, s := range cu.sortedSeats() {
		out = append(out, s.Seat)
	}
	return out
}

// Exports returns every One-Click Export payload, ordered by time then id.
func (cu *Customer) Exports() []ExportedCandidate {
	cu.mu.Lock()
	defer cu.mu.Unlock()
	out := make([]ExportedCandidate, 0, len(cu.exports))
	for _, e := range cu.exports {
		out = append(out, e.ExportedCandidate)
	}
	slices.SortFunc(out, func(a, b ExportedCandidate) int {
		if a.ExportedAt != b.ExportedAt {
			return int(a.ExportedAt - b.ExportedAt)
		}
		return strings.Compare(a.RequestID, b.RequestID)
	})
	return out
}

// ConversationEvents returns every InMail event in order.
func (cu *Customer) ConversationEvents() []ConversationEvent {
	cu.mu.Lock()
	defer cu.mu.Unlock()
	return slices.Clone(cu.events)
}

// MailStubs returns every mail stub in order.
func (cu *Customer) MailStubs() []MailStub {
	cu.mu.Lock()
	defer cu.mu.Unlock()
	return slices.Clone(cu.stubs)
}

// ProspectNotes returns every prospect note in creation order.
func (cu *Customer) ProspectNotes() []ProspectNote {
	cu.mu.Lock()
	defer cu.mu.Unlock()
	out := make([]ProspectNote, 0, len(cu.pnoteOrder))
	for _, id := range cu.pnoteOrder {
		out = append(out, *cu.pnotes[id])
	}
	return out
}

// ClosedProfiles returns the closed-profile entries (D1) in order.
func (cu *Customer) ClosedProfiles() []ClosedProfile {
	cu.mu.Lock()
	defer cu.mu.Unlock()
	return slices.Clone(cu.closed)
}

// Counters returns the customer application's request counters.
func (cu *Customer) Counters() Counters { return cu.thr.snapshot() }

// Counters returns the request counters summed over the partner and every customer.
func (s *Server) Counters() Counters {
	c := s.partnerThr.snapshot()
	for _, cu := range s.Customers() {
		c.add(cu.thr.snapshot())
	}
	return c
}

// CustomerState is a JSON-friendly snapshot of everything LinkedIn holds for a customer.
type CustomerState struct {
	ClientID           string              `json:"clientId"`
	AppKey             string              `json:"appKey"`
	UniqueForeignID    string              `json:"uniqueForeignId"`
	Organization       string              `json:"organization"`
	Contracts          []string            `json:"contracts"`
	App                ProvisionedApp      `json:"app"`
	Integrations       []IntegrationRecord `json:"integrations"`
	ProductSettings    rsc.ProductSettings `json:"productSettings"`
	Configurations     []Record            `json:"configurations"`
	Jobs               []JobRecord         `json:"jobs"`
	Candidates         []CandidateRecord   `json:"candidates"`
	CandidateNotes     []Record            `json:"candidateNotes"`
	Applications       []Record            `json:"applications"`
	ApplicationNotes   []Record            `json:"applicationNotes"`
	InterviewFeedback  []Record            `json:"interviewFeedback"`
	Stages             []Record            `json:"stages"`
	ACLs               []Record            `json:"acls"`
	ACLAssignees       []Record            `json:"aclAssignees"`
	Seats              []Seat              `json:"seats"`
	Exports            []ExportedCandidate `json:"exports"`
	ConversationEvents []ConversationEvent `json:"conversationEvents"`
	MailStubs          []MailStub          `json:"mailStubs"`
	ProspectNotes      []ProspectNote      `json:"prospectNotes"`
	ClosedProfiles     []ClosedProfile     `json:"closedProfiles"`
	// JobResyncsOwed are the jobs LinkedIn asked for again and not yet
	// received (Customer.JobResyncsOwed).
	JobResyncsOwed map[string]time.Time `json:"jobResyncsOwed,omitempty"`
	Counters       Counters             `json:"counters"`
}

// Snapshot returns everything LinkedIn holds for the customer.
func (cu *Customer) Snapshot() CustomerState {
	return CustomerState{
		ClientID: cu.ClientID, AppKey: cu.AppKey, UniqueForeignID: cu.UniqueForeignID, Organization: cu.Organization,
		Contracts: slices.Clone(cu.Contracts), App: cu.App(), Integrations: cu.Integrations(), ProductSettings: cu.ProductSettings(),
		Configurations: cu.Configurations(), Jobs: cu.Jobs(), Candidates: cu.Candidates(), CandidateNotes: cu.CandidateNotes(),
		Applications: cu.Applications(), ApplicationNotes: cu.ApplicationNotes(), InterviewFeedback: cu.InterviewFeedback(),
		Stages: cu.Stages(), ACLs: cu.ACLs(), ACLAssignees: cu.ACLAssignees(), Seats: cu.Seats(), Exports: cu.Exports(),
		ConversationEvents: cu.ConversationEvents(), MailStubs: cu.MailStubs(), ProspectNotes: cu.ProspectNotes(),
		ClosedProfiles: cu.ClosedProfiles(), JobResyncsOwed: cu.JobResyncsOwed(), Counters: cu.Counters(),
	}
}

// State returns a snapshot of every customer, in creation order.
func (s *Server) State() []CustomerState {
	var out []CustomerState
	for _, cu := range s.Customers() {
		out = append(out, cu.Snapshot())
	}
	return out
}
