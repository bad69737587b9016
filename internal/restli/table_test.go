package restli

import (
	"net/url"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// trickyValues are key values that exercise every escaping rule, with the
// bytes each encoder must produce for them. The expected bytes come from the
// specifications, not from our encoder:
//
//   - p1Query, p1Path: Rest.li 1.0 servers split keys on '&' and '=' and
//     URL-decode each part with Java's URLDecoder, which turns '+' into a
//     space; so '+', '%', '&', '=' and (in a query) what breaks a query are
//     escaped, and, in a path segment, '/' too. ':' ',' '(' ')' stay raw, as
//     LinkedIn's Postman collection sends URNs (docs/linkedin-api.md §3.2).
//   - p1Body: compound keys as JSON map keys of a 1.0 batch body, which a
//     Rest.li server parses as a URI query (URI.create("?" + key), then
//     URLDecoder on each name and value): '%', '&', '=' and '+' are escaped,
//     and so is every byte java.net.URI refuses in a query or reads as a
//     fragment (controls, space, DEL, " # < > \ ^ ` { | }) and every
//     non-ASCII byte (java.net.URI refuses raw Unicode spaces and C1
//     controls); ':' '/' '?' ';' '[' ']' ',' '(' ')' stay raw.
//   - p2: Rest.li 2.0 values, percent-encoded except A-Za-z0-9-._~ (RFC
//     3986 unreserved), which is what LinkedIn's Python client produces
//     (urllib.parse.quote(v, safe="")); an empty string is ” as the 2.0
//     specification prescribes (docs/linkedin-api.md §3.2).
//
// LinkedIn's JavaScript client differs from p2 only on '!' and '*', which
// encodeURIComponent leaves raw; both forms decode to the same value.
var trickyValues = []struct {
	name, value, p1Query, p1Path, p1Body, p2 string
}{
	{"plain", "C1", "C1", "C1", "C1", "C1"},
	{"space", "C 1", "C%201", "C%201", "C%201", "C%201"},
	{"plus", "C+1", "C%2B1", "C%2B1", "C%2B1", "C%2B1"},
	{"percent", "100%", "100%25", "100%25", "100%25", "100%25"},
	{"percent escape lookalike", "a%41", "a%2541", "a%2541", "a%2541", "a%2541"},
	{"percent then hex", "%2B", "%252B", "%252B", "%252B", "%252B"},
	{"comma", "a,b", "a,b", "a,b", "a,b", "a%2Cb"},
	{"open paren", "a(b", "a(b", "a(b", "a(b", "a%28b"},
	{"close paren", "a)b", "a)b", "a)b", "a)b", "a%29b"},
	{"parens", "(x)", "(x)", "(x)", "(x)", "%28x%29"},
	{"colon", "a:b", "a:b", "a:b", "a:b", "a%3Ab"},
	{"urn", "urn:li:organization:123", "urn:li:organization:123", "urn:li:organization:123", "urn:li:organization:123", "urn%3Ali%3Aorganization%3A123"},
	{"urn in urn", "urn:li:x:(urn:li:a:1,urn:li:b:2)", "urn:li:x:(urn:li:a:1,urn:li:b:2)", "urn:li:x:(urn:li:a:1,urn:li:b:2)", "urn:li:x:(urn:li:a:1,urn:li:b:2)", "urn%3Ali%3Ax%3A%28urn%3Ali%3Aa%3A1%2Curn%3Ali%3Ab%3A2%29"},
	{"apostrophe", "O'Brien", "O'Brien", "O'Brien", "O'Brien", "O%27Brien"},
	{"double quote", "say \"hi\"", "say%20%22hi%22", "say%20%22hi%22", "say%20%22hi%22", "say%20%22hi%22"},
	{"ampersand", "R&D", "R%26D", "R%26D", "R%26D", "R%26D"},
	{"equals", "a=b", "a%3Db", "a%3Db", "a%3Db", "a%3Db"},
	{"query like", "a=1&b=2", "a%3D1%26b%3D2", "a%3D1%26b%3D2", "a%3D1%26b%3D2", "a%3D1%26b%3D2"},
	{"question", "why?", "why%3F", "why%3F", "why?", "why%3F"},
	{"hash", "#1", "%231", "%231", "%231", "%231"},
	{"slash", "a/b", "a/b", "a%2Fb", "a/b", "a%2Fb"},
	{"backslash", "a\\b", "a%5Cb", "a%5Cb", "a%5Cb", "a%5Cb"},
	{"semicolon", "a;b", "a%3Bb", "a%3Bb", "a;b", "a%3Bb"},
	{"brackets", "ids[0]", "ids%5B0%5D", "ids%5B0%5D", "ids[0]", "ids%5B0%5D"},
	{"braces", "{x}", "%7Bx%7D", "%7Bx%7D", "%7Bx%7D", "%7Bx%7D"},
	{"pipe", "a|b", "a%7Cb", "a%7Cb", "a%7Cb", "a%7Cb"},
	{"caret", "a^b", "a%5Eb", "a%5Eb", "a%5Eb", "a%5Eb"},
	{"backtick", "a`b", "a%60b", "a%60b", "a%60b", "a%60b"},
	{"less greater", "<b>", "%3Cb%3E", "%3Cb%3E", "%3Cb%3E", "%3Cb%3E"},
	{"tilde", "~x", "~x", "~x", "~x", "~x"},
	{"dot dash underscore", "a.b-c_d", "a.b-c_d", "a.b-c_d", "a.b-c_d", "a.b-c_d"},
	{"exclamation", "hi!", "hi!", "hi!", "hi!", "hi%21"},
	{"asterisk", "a*b", "a*b", "a*b", "a*b", "a%2Ab"},
	{"dollar", "$params", "$params", "$params", "$params", "%24params"},
	{"at", "a@b.c", "a@b.c", "a@b.c", "a@b.c", "a%40b.c"},
	{"tab", "a\tb", "a%09b", "a%09b", "a%09b", "a%09b"},
	{"newline", "a\nb", "a%0Ab", "a%0Ab", "a%0Ab", "a%0Ab"},
	{"del", "a\x7fb", "a%7Fb", "a%7Fb", "a%7Fb", "a%7Fb"},
	{"latin", "José", "Jos%C3%A9", "Jos%C3%A9", "Jos%C3%A9", "Jos%C3%A9"},
	{"cjk", "候选人", "%E5%80%99%E9%80%89%E4%BA%BA", "%E5%80%99%E9%80%89%E4%BA%BA", "%E5%80%99%E9%80%89%E4%BA%BA", "%E5%80%99%E9%80%89%E4%BA%BA"},
	{"emoji", "🙂", "%F0%9F%99%82", "%F0%9F%99%82", "%F0%9F%99%82", "%F0%9F%99%82"},
	{"no-break space", "a\u00a0b", "a%C2%A0b", "a%C2%A0b", "a%C2%A0b", "a%C2%A0b"},
	{"line separator", "a\u2028b", "a%E2%80%A8b", "a%E2%80%A8b", "a%E2%80%A8b", "a%E2%80%A8b"},
	{"empty", "", "", "", "", "''"},
	{"two apostrophes", "''", "''", "''", "''", "%27%27"},
	{"List lookalike", "List(a,b)", "List(a,b)", "List(a,b)", "List(a,b)", "List%28a%2Cb%29"},
	{"record lookalike", "(a:b)", "(a:b)", "(a:b)", "(a:b)", "%28a%3Ab%29"},
	{"leading space", " x", "%20x", "%20x", "%20x", "%20x"},
	{"trailing plus", "x+", "x%2B", "x%2B", "x%2B", "x%2B"},
	{"only plus", "+", "%2B", "%2B", "%2B", "%2B"},
	{"plus and space", "a+ b", "a%2B%20b", "a%2B%20b", "a%2B%20b", "a%2B%20b"},
	{"mixed", "C+1 100% (a:b),&x=y", "C%2B1%20100%25%20(a:b),%26x%3Dy", "C%2B1%20100%25%20(a:b),%26x%3Dy", "C%2B1%20100%25%20(a:b),%26x%3Dy", "C%2B1%20100%25%20%28a%3Ab%29%2C%26x%3Dy"},
	{"long digits", "12345678901234567890", "12345678901234567890", "12345678901234567890", "12345678901234567890", "12345678901234567890"},
}

// TestTrickyValuesTable checks every encoder against trickyValues, in both
// protocols, for path keys, query keys and (tunnelled or not) body keys,
// compound and simple, and checks that a server decoding the bytes the way
// Rest.li does gets the value back.
func TestTrickyValuesTable(t *testing.T) {
	t.Parallel()
	if len(trickyValues) < 50 {
		t.Fatalf("only %d values", len(trickyValues))
	}
	parens := strings.NewReplacer("(", "%28", ")", "%29")
	for _, tc := range trickyValues {
		t.Run(tc.name, func(t *testing.T) {
			k := Key{{Name: "k", Value: tc.value}}
			got := map[string]string{
				"1.0 path key":          EncodeKeyPath(Protocol1, k),
				"1.0 query keys":        EncodeBatchIDs(Protocol1, []Key{k}),
				"1.0 body key":          EncodeKeyBody(Protocol1, k),
				"1.0 simple path key":   EncodeSimpleKeyPath(Protocol1, tc.value),
				"1.0 simple query keys": EncodeSimpleIDs(Protocol1, []string{tc.value}),
				"2.0 path key":          EncodeKeyPath(Protocol2, k),
				"2.0 query keys":        EncodeBatchIDs(Protocol2, []Key{k}),
				"2.0 body key":          EncodeKeyBody(Protocol2, k),
				"2.0 simple path key":   EncodeSimpleKeyPath(Protocol2, tc.value),
				"2.0 simple query keys": EncodeSimpleIDs(Protocol2, []string{tc.value}),
			}
			simplePath1 := tc.p1Path
			if tc.value == EmptyString {
				simplePath1 = "%27%27" // kept apart from the 2.0 empty string
			}
			want := map[string]string{
				"1.0 path key":          "k=" + tc.p1Path,
				"1.0 query keys":        "ids[0].k=" + tc.p1Query,
				"1.0 body key":          "k=" + tc.p1Body,
				"1.0 simple path key":   simplePath1,
				"1.0 simple query keys": "ids=" + parens.Replace(tc.p1Query),
				"2.0 path key":          "(k:" + tc.p2 + ")",
				"2.0 query keys":        "ids=List((k:" + tc.p2 + "))",
				"2.0 body key":          "(k:" + tc.p2 + ")",
				"2.0 simple path key":   tc.p2,
				"2.0 simple query keys": "ids=List(" + tc.p2 + ")",
			}
			if d := cmp.Diff(want, got); d != "" {
				t.Errorf("encodings (-want +got):\n%s", d)
			}
			// A 1.0 server URL-decodes each part as Java's URLDecoder does
			// ('+' is a space), which url.QueryUnescape matches.
			for _, enc := range []string{tc.p1Query, tc.p1Path, tc.p1Body} {
				if dec, err := url.QueryUnescape(enc); err != nil || dec != tc.value {
					t.Errorf("1.0 server reads %q as %q (%v), want %q", enc, dec, err, tc.value)
				}
			}
			// A 1.0 server parses a body key as a URI query, then
			// form-decodes it (ParseServerBodyKey).
			if dk, err := ParseServerBodyKey(Protocol1, want["1.0 body key"]); err != nil || !dk.Equal(k) {
				t.Errorf("1.0 server reads body key %q as %v (%v), want %v", want["1.0 body key"], dk, err, k)
			}
			// A 2.0 server percent-decodes ('+' stays a plus).
			if dec, err := Decode(tc.p2); err != nil || dec != tc.value {
				t.Errorf("2.0 server reads %q as %q (%v), want %q", tc.p2, dec, err, tc.value)
			}
			// Our own decoders read every form back.
			for _, enc := range []string{want["1.0 path key"], want["1.0 body key"], want["2.0 path key"]} {
				if dk, err := DecodeKey(enc); err != nil || !dk.Equal(k) {
					t.Errorf("DecodeKey(%q) = %v, %v", enc, dk, err)
				}
			}
			for _, enc := range []string{want["1.0 query keys"], want["2.0 query keys"]} {
				if q, err := ParseQuery(enc); err != nil || len(q.Keys) != 1 || !q.Keys[0].Equal(k) {
					t.Errorf("ParseQuery(%q) = %+v, %v", enc, q.Keys, err)
				}
			}
		})
	}
}

// TestStructuredValuesTable covers empty lists and records, nested values
// and URNs inside keys in Rest.li 2.0 syntax. Where LinkedIn's Python client
// writes an empty string inside a list or record as nothing, we write ” as
// the 2.0 specification and LinkedIn's JavaScript client do.
func TestStructuredValuesTable(t *testing.T) {
	t.Parallel()
	checkGolden(t, []goldenCase{
		{"empty list", Encode([]any{}), "List()"},
		{"empty record", Encode(map[string]any{}), "()"},
		{"list of empty string", Encode([]any{""}), "List('')"},
		{"nested", Encode(map[string]any{"a": []any{"x y", map[string]any{"b": "c+d"}}}), "(a:List(x%20y,(b:c%2Bd)))"},
		{"urn inside key", EncodeKeyPath(Protocol2, Key{{Name: "seat", Value: "urn:li:seat:1"}, {Name: "contract", Value: "urn:li:contract:2"}}),
			"(seat:urn%3Ali%3Aseat%3A1,contract:urn%3Ali%3Acontract%3A2)"},
		{"empty $params record", EncodeKeyPath(Protocol2, Key{{Name: ParamsField, Value: "()"}, {Name: "id", Value: "A 1"}}),
			"($params:(),id:A%201)"},
	})
}
