// Package customerspec holds the checks of a fake customer's spec that do
// not depend on the server's other customers: the rules of the admin API
// (POST /_rsctest/customers) that rsctest and the rscfake command share.
package customerspec

import (
	"errors"
	"regexp"
	"unicode/utf8"
)

var (
	organizationURN = regexp.MustCompile(`^urn:li:organization:[0-9]{1,19}$`)
	contractURN     = regexp.MustCompile(`^urn:li:contract:[0-9]{1,19}$`)
)

// Check returns why LinkedIn could not hold a customer with these fields:
// ids over 200 bytes, a name over 50 characters, an organization (unless
// empty) or a contract that is not such a URN. Its errors are 400s of the
// admin API.
func Check(clientID, clientSecret, foreignID, name, organization string, contracts []string) error {
	const maxID = 200
	switch {
	case len(clientID) > maxID || len(clientSecret) > maxID || len(foreignID) > maxID:
		return errors.New("ClientID, ClientSecret and UniqueForeignID must be at most 200 bytes")
	case utf8.RuneCountInString(name) > 50:
		return errors.New("Name must be at most 50 characters")
	case organization != "" && !organizationURN.MatchString(organization):
		return errors.New("Organization must be an organization URN (urn:li:organization:{id})")
	}
	for _, k := range contracts {
		if !contractURN.MatchString(k) {
			return errors.New("Contracts must be contract URNs (urn:li:contract:{id})")
		}
	}
	return nil
}
