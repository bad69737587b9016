package rsc

import "testing"

// VerifyPush takes the spaces and tabs HTTP allows around a field value
// (RFC 9110, section 5.5) and no other blank: a value of another form is
// not one signature (docs/linkedin-api.md §8.1).
func TestVerifyPushBlanks(t *testing.T) {
	body := []byte(`{"id":"r1","type":"EXPORT_CANDIDATE_PROFILE"}`)
	good := SignPush(body, "secret")
	for _, tc := range []struct {
		name, header string
		want         error
	}{
		{"bare", good, nil},
		{"spaces and tabs", " \t" + good + " \t", nil},
		{"no-break space", "\u00a0" + good, ErrBadSignature},
		{"next line", good + "\u0085", ErrBadSignature},
		{"line feed", good + "\n", ErrBadSignature},
		{"vertical tab", "\v" + good, ErrBadSignature},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := VerifyPush(body, tc.header, "secret"); got != tc.want {
				t.Errorf("VerifyPush(%q) = %v, want %v", tc.header, got, tc.want)
			}
		})
	}
}
