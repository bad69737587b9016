package rsctest

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rscgo/rscgo/rsc"
)

// ---- integrations: the admin's side of the widget and Recruiter settings ----

// ensure returns the integration, creating it NOT_REQUESTED. Caller holds cu.mu.
func (cu *Customer) ensure(ctx, typ string) *integration {
	k := intKey(ctx, typ, "RECRUITER")
	in := cu.integrations[k]
	if in == nil {
		in = &integration{context: ctx, typ: typ, tenant: "RECRUITER", status: StatusNotRequested}
		cu.integrations[k] = in
	}
	return in
}

// rscIntegrations returns the customer's RSC integrations (company-level on
// the organization, CSA_API on each contract), creating missing ones.
func (cu *Customer) rscIntegrations(company, contract bool) []*integration {
	var out []*integration
	if company {
		for _, t := range CompanyIntegrationTypes() {
			out = append(out, cu.ensure(cu.Organization, t))
		}
	}
	if contract {
		for _, k := range cu.Contracts {
			for _, t := range ContractIntegrationTypes() {
				out = append(out, cu.ensure(k, t))
			}
		}
	}
	return out
}

// RequestIntegrations simulates the customer's admin pre-authorising the
// integrations in the ATS Integration Configuration widget: every RSC
// integration still NOT_REQUESTED becomes REQUESTED (the partner then names
// them with I1 → PARTNER_READY). It returns the INTEGRATION_STATUS_CHANGE
// request id ("" if nothing changed).
func (cu *Customer) RequestIntegrations() string {
	cu.mu.Lock()
	defer cu.mu.Unlock()
	var changed []*integration
	for _, in := range cu.rscIntegrations(true, true) {
		if in.status == StatusNotRequested {
			in.status = StatusRequested
			changed = append(changed, in)
		}
	}
	return cu.recordChange(changed)
}

// NotifyPartner simulates the admin's "Notify partner" button: a new
// INTEGRATION_STATUS_CHANGE push listing the integrations still waiting for
// the partner (REQUESTED), or all RSC integrations if none is waiting.
func (cu *Customer) NotifyPartner() string {
	cu.mu.Lock()
	defer cu.mu.Unlock()
	all := cu.rscIntegrations(true, true)
	var waiting []*integration
	for _, in := range all {
		if in.status == StatusRequested {
			waiting = append(waiting, in)
		}
	}
	if len(waiting) == 0 {
		waiting = all
	}
	return cu.recordChange(waiting)
}

// SetCompanyAccess simulates the admin enabling (ENABLED) or disabling
// (DISABLED) company-level access: the organization-level integrations
// ONE_CLICK_EXPORT, IN_ATS_INDICATOR and PROFILE_PLUGIN. Returns the push request id.
func (cu *Customer) SetCompanyAccess(enabled bool) string { return cu.setAccess(true, false, enabled) }

// SetContractAccess simulates the admin enabling or disabling contract-level
// access: the CSA_API integration of each contract. Returns the push request id.
func (cu *Customer) SetContractAccess(enabled bool) string { return cu.setAccess(false, true, enabled) }

// EnableAll enables company- and contract-level access (one push).
func (cu *Customer) EnableAll() string { return cu.setAccess(true, true, true) }

func (cu *Customer) setAccess(company, contract, enabled bool) string {
	want := StatusDisabled
	if enabled {
		want = StatusEnabled
	}
	cu.mu.Lock()
	defer cu.mu.Unlock()
	var changed []*integration
	for _, in := range cu.rscIntegrations(company, contract) {
		if in.status != want {
			in.status = want
			changed = append(changed, in)
		}
	}
	return cu.recordChange(changed)
}

// SetProductSettings simulates the admin toggling Recruiter product settings
// (1-Click Export, InMail Stub Profile, In-ATS Indicator, Profile Widget).
// The settings travel with every integration entity; a change pushes
// INTEGRATION_STATUS_CHANGE with all RSC integrations.
func (cu *Customer) SetProductSettings(ps rsc.ProductSettings) string {
	cu.mu.Lock()
	defer cu.mu.Unlock()
	if cu.settings == ps {
		return ""
	}
	cu.settings = ps
	return cu.recordChange(cu.rscIntegrations(true, true))
}

// ---- seats ----

// SeatSpec describes a Recruiter seat. Member must be a simulated member.
// Contract defaults to the customer's first contract, State to ACTIVE, Roles
// to ["RECRUITER_SEAT"].
type SeatSpec struct {
	Member   string
	Contract string
	State    string
	Roles    []string
}

// Seat is a Recruiter seat of a customer.
type Seat struct {
	ID        int64
	URN       string // urn:li:seat:{ID}
	Member    string
	Contract  string
	State     string
	Roles     []string
	FirstName string
	LastName  string
	Email     string
	Created   time.Time
}

type seat struct{ Seat }

// AddSeat gives a simulated member a Recruiter seat on one of the customer's contracts.
func (cu *Customer) AddSeat(spec SeatSpec) (Seat, error) {
	m, ok := cu.s.Member(spec.Member)
	if !ok {
		return Seat{}, ErrUnknownMember
	}
	if spec.Contract == "" {
		spec.Contract = cu.Contracts[0]
	}
	if !cu.ownsContract(spec.Contract) {
		return Seat{}, fmt.Errorf("rsctest: contract %s is not the customer's", spec.Contract)
	}
	if spec.State == "" {
		spec.State = "ACTIVE"
	}
	if len(spec.Roles) == 0 {
		spec.Roles = []string{"RECRUITER_SEAT"}
	}
	id := cu.s.nextID()
	st := &seat{Seat{ID: id, URN: "urn:li:seat:" + strconv.FormatInt(id, 10), Member: m.Person, Contract: spec.Contract,
		State: spec.State, Roles: slices.Clone(spec.Roles), FirstName: m.FirstName, LastName: m.LastName, Email: m.Email, Created: cu.s.now()}}
	cu.mu.Lock()
	cu.seats[id] = st
	cu.mu.Unlock()
	return st.Seat, nil
}

// seatByURN finds a seat. Caller holds cu.mu.
func (cu *Customer) seatByURN(urn string) *seat {
	id, err := strconv.ParseInt(strings.TrimPrefix(urn, "urn:li:seat:"), 10, 64)
	if err != nil || !strings.HasPrefix(urn, "urn:li:seat:") {
		return nil
	}
	return cu.seats[id]
}

// ---- One-Click Export ----

// ExportedCandidate is the E1 payload element (docs/wire-model.md).
type ExportedCandidate struct {
	RequestID            string          `json:"requestId"`
	IntegrationContext   string          `json:"integrationContext"`
	ExternalJobPostingID string          `json:"externalJobPostingId"`
	Exporter             string          `json:"exporter"`
	ExportedAt           int64           `json:"exportedAt"`
	Candidate            ExportedProfile `json:"candidate"`
}

// ExportedProfile is the member stub inside an export (no email or phone).
type ExportedProfile struct {
	Person     string `json:"person"`
	FirstName  string `json:"firstName"`
	LastName   string `json:"lastName"`
	Headline   string `json:"headline"`
	Location   string `json:"location"`
	ProfileURL string `json:"profileUrl"`
}

type export struct {
	ExportedCandidate
	expires time.Time
}

// ErrProductDisabled means the admin switched the product setting off.
var ErrProductDisabled = errors.New("rsctest: product setting disabled by the customer's admin")

// ErrIntegrationNotEnabled means the customer's admin has not enabled the
// integration the simulated action needs (Export: ONE_CLICK_EXPORT on the
// job's organization): Recruiter offers "Export to ATS" only once it is
// ENABLED (docs/linkedin-api.md §6).
var ErrIntegrationNotEnabled = errors.New("rsctest: the integration is not enabled by the customer's admin")

// Export simulates a recruiter on seatURN exporting member to the job
// externalJobPostingID with One-Click Export. The job must be synced and
// LISTED and visible to the seat (ACLs), its organization's
// ONE_CLICK_EXPORT integration ENABLED and the 1-Click Export product
// setting on; each seat may export 300 times per UTC month. It stores the E1 payload and queues an EXPORT_CANDIDATE_PROFILE
// push; it returns the request id.
func (cu *Customer) Export(seatURN, memberURN, externalJobPostingID string) (string, error) {
	m, ok := cu.s.Member(memberURN)
	if !ok || m.Closed {
		return "", ErrUnknownMember
	}
	now := cu.s.now()
	cu.mu.Lock()
	defer cu.mu.Unlock()
	if !cu.settings.OneClickExport {
		return "", ErrProductDisabled
	}
	st := cu.seatByURN(seatURN)
	if st == nil {
		return "", ErrUnknownSeat
	}
	j := cu.jobs[externalJobPostingID]
	if j == nil || j.state != JobListed {
		return "", ErrJobNotSynced
	}
	if in := cu.integrations[intKey(j.context, "ONE_CLICK_EXPORT", "RECRUITER")]; in == nil || in.status != StatusEnabled {
		return "", ErrIntegrationNotEnabled
	}
	if !cu.seatCanSee(st.Member, j) {
		return "", ErrJobNotVisible
	}
	month := seatURN + "|" + now.UTC().Format("2006-01")
	if lim := cu.s.limits.ExportsPerSeatPerMonth; lim > 0 && cu.exportCount[month] >= lim {
		return "", ErrExportQuota
	}
	cu.exportCount[month]++
	id := cu.s.uuid()
	e := &export{ExportedCandidate: ExportedCandidate{RequestID: id, IntegrationContext: j.context, ExternalJobPostingID: j.externalID,
		Exporter: seatURN, ExportedAt: now.UnixMilli(), Candidate: ExportedProfile{Person: m.Person, FirstName: m.FirstName,
			LastName: m.LastName, Headline: m.Headline, Location: m.Location, ProfileURL: m.ProfileURL}},
		expires: now.Add(cu.s.limits.PushPayloadTTL)}
	cu.exports[id] = e
	cu.s.pushes.add(cu, PushExportCandidateProfile, id, e.expires)
	return id, nil
}

// ---- InMail, stubs, prospect notes ----

// ConversationEvent is an M1 element (docs/wire-model.md).
type ConversationEvent struct {
	ID                string `json:"id"`
	Conversation      string `json:"conversation"`
	Viewer            string `json:"viewer"`
	Member            string `json:"member"`
	Author            string `json:"author"`
	CreatedAt         int64  `json:"createdAt"`
	Subject           string `json:"subject"`
	Body              string `json:"body"`
	ContactInfoShared bool   `json:"contactInfoShared"`
}

// MailStub is an M2 element: the contact info a member shared on replying.
type MailStub struct {
	ID           string `json:"id"`
	Contract     string `json:"contract"`
	Owner        string `json:"owner"`
	Member       string `json:"member"`
	FirstName    string `json:"firstName"`
	LastName     string `json:"lastName"`
	EmailAddress string `json:"emailAddress"`
	PhoneNumber  string `json:"phoneNumber"`
	CreatedAt    int64  `json:"createdAt"`
}

// ProspectNote is an M3 element in the shape of the sample response on
// LinkedIn's "Retrieve Prospect Notes" page: a numeric id, and the
// timestamps created and lastModified (docs/wire-model.md, prospectNotes).
// It is the fake's own type, not rsc.ProspectNote, so that the client is
// tested against LinkedIn's shape rather than against its own.
type ProspectNote struct {
	ID           int64  `json:"id"`
	Contract     string `json:"contract"`
	Owner        string `json:"owner"`
	Member       string `json:"member"`
	Note         string `json:"note"`
	Active       bool   `json:"active"`
	Created      int64  `json:"created"`
	LastModified int64  `json:"lastModified"`
}

// ClosedProfile is a D1 element: a closed member linked to candidates.
type ClosedProfile struct {
	Member             string   `json:"member"`
	AtsCandidateIDs    []string `json:"atsCandidateIds"`
	ClosedAt           int64    `json:"closedAt"`
	IntegrationContext string   `json:"-"`
}

type conversation struct {
	urn, seat, member, subject, contract string
}

// SendInMail simulates a recruiter on seatURN sending an InMail to a member.
// It returns the conversation URN.
func (cu *Customer) SendInMail(seatURN, memberURN, subject, body string) (string, error) {
	if _, ok := cu.s.Member(memberURN); !ok {
		return "", ErrUnknownMember
	}
	now := cu.s.now()
	cu.mu.Lock()
	defer cu.mu.Unlock()
	st := cu.seatByURN(seatURN)
	if st == nil {
		return "", ErrUnknownSeat
	}
	cv := &conversation{urn: "urn:li:conversation:" + cu.s.uuid(), seat: seatURN, member: memberURN, subject: subject, contract: st.Contract}
	cu.convs[cv.urn] = cv
	cu.events = append(cu.events, ConversationEvent{ID: cu.s.uuid(), Conversation: cv.urn, Viewer: seatURN, Member: memberURN,
		Author: seatURN, CreatedAt: now.UnixMilli(), Subject: subject, Body: body})
	return cv.urn, nil
}

// ReplyInMail simulates the member replying in a conversation. With
// shareContact the member shares contact info: the event is flagged and a
// mail stub (M2) is created for the seat, unless the admin disabled InMail
// stub profiles.
func (cu *Customer) ReplyInMail(conversationURN, body string, shareContact bool) error {
	now := cu.s.now()
	cu.mu.Lock()
	cv := cu.convs[conversationURN]
	cu.mu.Unlock()
	if cv == nil {
		return ErrUnknownConversation
	}
	m, _ := cu.s.Member(cv.member)
	cu.mu.Lock()
	defer cu.mu.Unlock()
	cu.events = append(cu.events, ConversationEvent{ID: cu.s.uuid(), Conversation: cv.urn, Viewer: cv.seat, Member: cv.member,
		Author: cv.member, CreatedAt: now.UnixMilli(), Subject: "RE: " + cv.subject, Body: body, ContactInfoShared: shareContact})
	if shareContact && cu.settings.InMailStubProfile {
		cu.stubs = append(cu.stubs, MailStub{ID: cu.s.uuid(), Contract: cv.contract, Owner: cv.seat, Member: cv.member,
			FirstName: m.FirstName, LastName: m.LastName, EmailAddress: m.Email, PhoneNumber: m.Phone, CreatedAt: now.UnixMilli()})
	}
	return nil
}

// WriteProspectNote simulates a recruiter writing a note on a prospect. It
// returns the note id in decimal (the element carries it as a number).
func (cu *Customer) WriteProspectNote(seatURN, memberURN, text string) (string, error) {
	if _, ok := cu.s.Member(memberURN); !ok {
		return "", ErrUnknownMember
	}
	now := cu.s.now().UnixMilli()
	cu.mu.Lock()
	defer cu.mu.Unlock()
	st := cu.seatByURN(seatURN)
	if st == nil {
		return "", ErrUnknownSeat
	}
	n := &ProspectNote{ID: cu.s.nextID(), Contract: st.Contract, Owner: seatURN, Member: memberURN,
		Note: text, Active: true, Created: now, LastModified: now}
	id := strconv.FormatInt(n.ID, 10)
	cu.pnotes[id] = n
	cu.pnoteOrder = append(cu.pnoteOrder, id)
	return id, nil
}

// UpdateProspectNote changes a note's text (and its lastModified).
func (cu *Customer) UpdateProspectNote(id, text string) error {
	return cu.editNote(id, func(n *ProspectNote) { n.Note = text })
}

// DeactivateProspectNote marks a note inactive (the ATS must delete it on sync).
func (cu *Customer) DeactivateProspectNote(id string) error {
	return cu.editNote(id, func(n *ProspectNote) { n.Active = false })
}

func (cu *Customer) editNote(id string, f func(*ProspectNote)) error {
	now := cu.s.now().UnixMilli()
	cu.mu.Lock()
	defer cu.mu.Unlock()
	n := cu.pnotes[id]
	if n == nil {
		return ErrUnknownNote
	}
	f(n)
	n.LastModified = now
	return nil
}
