package rsc

import "github.com/rscgo/rscgo/internal/restli"

// sameKeySpelling reports whether got, a key of a batch response's map, is
// the compound key sent as sent (the batch body's spelling) in the same
// field order, spelt with other escaping. It is the fast path of matching a
// response to its records; when it says false the caller decodes the key.
//
// A Rest.li 1.0 server writes the keys of its answer form-encoded, as Java's
// URLEncoder does (a space is '+', ':' is %3A), while rscgo sends 1.0 body
// keys escaping only '%', '&', '=' and '+'; rscgo sends 2.0 body keys fully
// percent-encoded, while a 2.0 server escapes only ( ) , : ' and %
// (docs/linkedin-api.md §3.2). So a byte may be escaped on one side and raw
// on the other. Both are read one character at a time (a byte, or %XX with
// hex digits of either case, or in 1.0 a '+' in got standing for a space)
// and must decode to the same bytes; a character that structures the key
// ('&' and '=' in 1.0; ( ) , : and ' in 2.0) must be raw on both sides or
// escaped on both. Then both sides parse to the same fields, so a true
// answer is exact. Anything unusual (a malformed escape, a raw '+' in sent)
// answers false.
func sameKeySpelling(sent string, got []byte) bool {
	v2 := len(sent) > 0 && sent[0] == '('
	i, j := 0, 0
	for i < len(sent) && j < len(got) {
		if c := sent[i]; c == got[j] && c != '%' && c != '+' {
			i, j = i+1, j+1 // the common case: the same raw byte
			continue
		}
		a, aEsc, n := keyChar(sent[i:], v2, false)
		b, bEsc, m := keyChar(got[j:], v2, true)
		if n == 0 || m == 0 || a != b || aEsc != bEsc && keyStructure(a, v2) {
			return false
		}
		i, j = i+n, j+m
	}
	return i == len(sent) && j == len(got)
}

// keyChar reads the character at the start of s: its byte, whether it was
// escaped, and its width (0: refused). A '+' is a space escaped in a 1.0
// response key (resp); anywhere else in 1.0 it is refused, as a server would
// read it as a space.
func keyChar[S string | []byte](s S, v2, resp bool) (c byte, escaped bool, width int) {
	switch c = s[0]; {
	case c == '%':
		if len(s) < 3 {
			return 0, false, 0
		}
		hi, ok1 := restli.Unhex(s[1])
		lo, ok2 := restli.Unhex(s[2])
		if !ok1 || !ok2 {
			return 0, false, 0
		}
		return hi<<4 | lo, true, 3
	case c == '+' && !v2:
		if !resp {
			return 0, false, 0
		}
		return ' ', true, 1
	}
	return c, false, 1
}

// keyStructure reports whether c, raw, structures a key of the syntax.
func keyStructure(c byte, v2 bool) bool {
	if v2 {
		return c == '(' || c == ')' || c == ',' || c == ':' || c == '\''
	}
	return c == '&' || c == '='
}
