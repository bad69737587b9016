package rsc

import "testing"

// IsOrganizationURN is the rule every record key's integration context is
// checked against.
func TestIsOrganizationURN(t *testing.T) {
	t.Parallel()
	for s, want := range map[string]bool{
		"urn:li:organization:1": true, "urn:li:organization:1234567890123456789": true,
		"urn:li:organization:12345678901234567890": false, "urn:li:organization:": false,
		"urn:li:organization:1a": false, "urn:li:organization:-1": false, "urn:li:organization: 1": false,
		"urn:li:company:1": false, "URN:LI:ORGANIZATION:1": false, "": false, "1": false, " urn:li:organization:1": false,
	} {
		if got := IsOrganizationURN(s); got != want {
			t.Errorf("IsOrganizationURN(%q) = %v, want %v", s, got, want)
		}
	}
}
