package rsc

import (
	"encoding/json"
	"testing"
)

// appendJSONString writes a JSON string that decodes to its input, for keys
// with and without characters JSON escapes.
func TestAppendJSONString(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"", "atsCandidateId=C1&dataProvider=ATS", "(a:b%20c)", `q"uote`, `back\slash`, "tab\t", "é", "<&>", "\x00", "\u2028"} {
		got := appendJSONString([]byte("x"), s)
		var back string
		if err := json.Unmarshal(got[1:], &back); err != nil || back != s || got[0] != 'x' {
			t.Errorf("appendJSONString(%q) = %s, decodes to %q (%v)", s, got, back, err)
		}
	}
}
