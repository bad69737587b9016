// Package customerspec holds the checks of a fake customer's spec that do
// not depend on the server's other customers: the rules of the admin API
// (POST /_rsctest/customers) that rsctest and the rscfake command share.
package customerspec

import (
	"regexp"
	"unicode/utf8"
)

var (
	organizationURN = regexp.MustCompile(`^urn:li:organization:[0-9]{1,19}$`)
	contractURN     = regexp.MustCompile(`^urn:li:contract:[0-9]{1,19}$`)
)

// Error is why a spec is refused; it names the spec's field, as the admin
// API's 400 does (hence its capital).
type Error string

func (e Error) Error() string { return string(e) }

// Check returns why LinkedIn could not hold a customer with these fields:
// ids over 200 bytes, a name over 50 characters, an organization (unless
// empty) or a contract that is not such a URN. Its errors are 400s of the
// admin API.
func Check(clientID, clientSecret, foreignID, name, organization string, contracts []string) error {
	const maxID = 200
	switch {
	case len(clientID) > maxID || len(clientSecret) > maxID || len(foreignID) > maxID:
		return Error("ClientID, ClientSecret and UniqueForeignID must be at most 200 bytes")
	case utf8.RuneCountInString(name) > 50:
		return Error("Name must be at most 50 characters")
	case organization != "" && !organizationURN.MatchString(organization):
		return Error("Organization must be an organization URN (urn:li:organization:{id})")
	}
	for _, k := range contracts {
		if !contractURN.MatchString(k) {
			return Error("Contracts must be contract URNs (urn:li:contract:{id})")
		}
	}
	return nil
}
