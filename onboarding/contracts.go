package onboarding

import (
	"fmt"
	"regexp"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// DefaultContract is the label of a customer's first contract ("the one
// listed under Corporate" in the Tracker seed).
const DefaultContract = ""

const foreignIDSep = ":"

var labelRE = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,40}$`)

// foreignID returns the uniqueForeignId of a customer's child application
// for one contract (RSC-103: one developer application per customer
// instance, and several Recruiter contracts each with its own application
// and traffic). The default contract uses the customer id itself, so a
// customer with one contract has the obvious id; another contract labelled
// "emea" gets "{customerID}:emea".
func foreignID(customerID, label string) string {
	if label == DefaultContract {
		return customerID
	}
	return customerID + foreignIDSep + label
}

// splitForeignID undoes ForeignID for a non-default contract.
func splitForeignID(id string) (customerID, label string, ok bool) {
	i := strings.LastIndex(id, foreignIDSep)
	if i <= 0 || !labelRE.MatchString(id[i+1:]) {
		return id, "", false
	}
	return id[:i], id[i+1:], true
}

// validLabel checks a contract label: empty (the default contract) or 1-40
// characters of A-Z a-z 0-9 _ . -, other than "." and "..".
func validLabel(label string) error {
	if label == DefaultContract || labelRE.MatchString(label) && !dotSegment(label) {
		return nil
	}
	return fmt.Errorf("onboarding: contract label %q must be 1-40 characters of A-Z a-z 0-9 _ . -, other than \".\" and \"..\"", label)
}

// validCustomerID checks a customer id: 1-100 characters (not bytes) of
// valid UTF-8 (the state's JSON would turn an invalid byte into U+FFFD,
// another id), no control characters (C0, DEL and C1: unicode.IsControl), no ":" (it separates the contract label in
// ForeignID, so customer "a:b" would collide with customer "a"'s contract
// "b"), and not "." or "..".
func validCustomerID(id string) error {
	if id == "" || !utf8.ValidString(id) || utf8.RuneCountInString(id) > 100 || strings.Contains(id, foreignIDSep) || dotSegment(id) ||
		strings.ContainsFunc(id, unicode.IsControl) {
		return fmt.Errorf("onboarding: customer id %q must be 1-100 characters of valid UTF-8 without ':' or control characters, other than \".\" and \"..\"", id)
	}
	return nil
}

// dotSegment reports whether s is "." or "..": as a segment of the push
// callback URL, HTTP clients and servers remove it (RFC 3986, section 5.2.4),
// so LinkedIn's pushes for that customer or contract would never arrive.
func dotSegment(s string) bool { return s == "." || s == ".." }

// isContractURN reports whether s is urn:li:contract:{id}.
func isContractURN(s string) bool { return isURN(s, "urn:li:contract:") }

// isOrganizationURN reports whether s is urn:li:organization:{id}.
func isOrganizationURN(s string) bool { return isURN(s, "urn:li:organization:") }

func isURN(s, prefix string) bool {
	id, ok := strings.CutPrefix(s, prefix)
	return ok && id != "" && !strings.ContainsAny(id, " \t\r\n:/?#&=\"'<>")
}

// ContractOption is a Recruiter contract the signed-in admin may connect,
// as the ATS knows it (e.g. from a previous onboarding or its own
// records). LinkedIn's widget also lets the admin change contract.
type ContractOption struct {
	// Label is the customer instance the option selects: "" for the
	// default contract, or 1-40 characters of A-Z a-z 0-9 _ . - other
	// than "." and "..", checked when the option is chosen.
	Label string `json:"label"`
	// ContractURN is the contract, urn:li:contract:{id}, when known;
	// checked when the option is chosen.
	ContractURN string `json:"contract,omitempty"`
	// Name is the contract's name for the admin page to show.
	Name string `json:"name,omitempty"`
}

// ContractChoice is the admin's answer at StepChooseContract.
type ContractChoice struct {
	// Label selects or creates the customer instance ("" = default).
	Label string `json:"label"`
	// ContractURN is the contract, when already known. Otherwise the
	// widget's onintegrate payload provides it. A label already bound to
	// another contract refuses it (Advance returns an error): connect
	// that contract under another label.
	ContractURN string `json:"contract,omitempty"`
}

// Contract is one Recruiter contract a customer connects: its own child
// application, integrations, configuration and status.
type Contract struct {
	// Label names the customer instance: "" (DefaultContract) or 1-40
	// characters of A-Z a-z 0-9 _ . - other than "." and "..".
	Label string `json:"label"`
	// ContractURN is the Recruiter contract, urn:li:contract:{id}, once
	// chosen or reported by the widget.
	ContractURN string `json:"contract,omitempty"`
	// Organization is the customer's organization URN,
	// urn:li:organization:{id}, once reported by the widget.
	Organization string `json:"organization,omitempty"`
	// App is the child application; its secret is in the SecretStore.
	App *ChildApplication `json:"app,omitempty"`
	// CallbackURL is this instance's push URL (CALLBACK_URL).
	CallbackURL string `json:"callbackUrl,omitempty"`
	// Requested is what the widget reported, for audit.
	Requested []WidgetIntegration `json:"requested,omitempty"`
	// SavedAt: integrations named and configured and verified (StepSave).
	SavedAt time.Time `json:"savedAt,omitzero"`
	// SyncStartedAt: the historical sync was started (WithStartSync); the
	// last time, when it was started again after consent was withdrawn
	// and given again.
	SyncStartedAt time.Time `json:"syncStartedAt,omitzero"`
	// SyncStoppedAt: consent was withdrawn (Input.ToggleOff, or the
	// warning declined) after the sync started, which stops it; the flow
	// starts it again (WithStartSync) once consent is given again, and
	// clears it.
	SyncStoppedAt time.Time `json:"syncStoppedAt,omitzero"`
	// NotifiedAt: last "Notify partner".
	NotifiedAt time.Time `json:"notifiedAt,omitzero"`
	// WidgetNonce is the nonce of the last widget state token issued
	// (Flow.Widget); a post-back with it consumes it. Consent given again
	// after it was withdrawn clears it.
	WidgetNonce string `json:"widgetNonce,omitempty"`
	// Status is the contract's integration status as last read or pushed.
	Status Status `json:"status"`
}

// ForeignID returns the contract's uniqueForeignId for customerID.
func (c *Contract) ForeignID(customerID string) string { return foreignID(customerID, c.Label) }
