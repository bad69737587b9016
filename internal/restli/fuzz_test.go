package restli

import (
	"reflect"
	"strings"
	"testing"
)

// Seed corpora: the f.Add calls below plus the files under
// testdata/fuzz/<FuzzName>/. Without -fuzz, `go test` runs every seed as a
// normal test.

// fuzzName maps arbitrary input to a field name matching
// [A-Za-z$][A-Za-z0-9_.$]*, the names Rest.li keys use.
func fuzzName(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '$' || b.Len() > 0 && ('0' <= c && c <= '9' || c == '_' || c == '.') {
			b.WriteByte(c)
		}
	}
	if b.Len() == 0 {
		return "f"
	}
	return b.String()
}

func fuzzKey(n uint8, nv ...string) Key {
	fields := int(n)%(len(nv)/2) + 1
	k := make(Key, 0, fields)
	for i := range fields {
		k = append(k, Field{Name: fuzzName(nv[2*i]), Value: nv[2*i+1]})
	}
	return k
}

var protocols = []Protocol{Protocol1, Protocol2}

// FuzzKeyRoundTrip checks DecodeKey(EncodeKeyPath(p, k)) == k and the same
// for EncodeKeyBody and the fully URL-encoded 2.0 path form, and that a
// Rest.li 1.0 server reads a 1.0 body key back to k (ParseServerBodyKey:
// java.net.URI takes it as a query and its %XX escapes decode).
func FuzzKeyRoundTrip(f *testing.F) {
	f.Add("atsCandidateId", "C1", "dataProvider", "ATS", "integrationContext", "urn:li:organization:123", uint8(2))
	f.Add("a", "&=(),:% ", "b", "", "c", "''", uint8(2))
	f.Add("$params", "()", "atsJobApplicationId", "A1", "integrationContext", "urn:li:organization:1", uint8(2))
	f.Add("$params", "(a:List(1,''),b:%2)", "x", "株式会社", "y.z", "+%20+", uint8(1))
	f.Add("k", "\x00\xff\n#?/[]", "k", "List(a,b)", "k", "(x:y)", uint8(2))
	f.Fuzz(func(t *testing.T, n1, v1, n2, v2, n3, v3 string, n uint8) {
		k := fuzzKey(n, n1, v1, n2, v2, n3, v3)
		for _, p := range protocols {
			forms := map[string]string{
				"path": EncodeKeyPath(p, k),
				"body": EncodeKeyBody(p, k),
			}
			if p == Protocol2 {
				forms["encoded path"] = esc2.escape(forms["path"])
			}
			for name, s := range forms {
				got, err := DecodeKey(s)
				if err != nil {
					t.Fatalf("protocol %d %s: DecodeKey(%q): %v", p, name, s, err)
				}
				if !reflect.DeepEqual(got, k) {
					t.Fatalf("protocol %d %s: DecodeKey(%q) = %q, want %q", p, name, s, got, k)
				}
			}
			if p == Protocol1 {
				got, err := ParseServerBodyKey(p, forms["body"])
				if err != nil || !reflect.DeepEqual(got, k) {
					t.Fatalf("1.0 server reads body key %q as %q, %v; want %q", forms["body"], got, err, k)
				}
			}
		}
		if !hasReducedAmbiguity(k) {
			h := EncodeRestliID(k)
			got, _, err := DecodeRestliID(h)
			if err != nil || !reflect.DeepEqual(got, k) {
				t.Fatalf("DecodeRestliID(%q) = %q, %v; want %q", h, got, err, k)
			}
		}
	})
}

// hasReducedAmbiguity reports whether the reduced encoding (which, as
// upstream, does not escape '%') cannot round-trip k.
func hasReducedAmbiguity(k Key) bool {
	for _, f := range k {
		for _, s := range []string{f.Name, f.Value} {
			if strings.Contains(s, "%") {
				return true
			}
		}
	}
	return false
}

// FuzzBatchIDsRoundTrip checks ParseQuery(EncodeBatchIDs(p, keys)).Keys ==
// keys, with another parameter next to the ids.
func FuzzBatchIDsRoundTrip(f *testing.F) {
	f.Add("atsCandidateId", "C1", "integrationContext", "urn:li:organization:123", "C2")
	f.Add("a", "&ids[1].a=x", "b", "List((a:b))", "")
	f.Add("$params", "()", "a", "%28%29", "é ")
	f.Fuzz(func(t *testing.T, n1, v1, n2, v2, v3 string) {
		a, b := fuzzName(n1), fuzzName(n2)
		keys := []Key{
			{{Name: a, Value: v1}, {Name: b, Value: v2}},
			{{Name: a, Value: v3}, {Name: b, Value: v1}},
			{{Name: b, Value: v2}},
		}
		for _, p := range protocols {
			raw := EncodeBatchIDs(p, keys) + "&" + EncodeParam(p, "q", v3)
			q := mustParseQuery(t, p, raw)
			if !reflect.DeepEqual(q.Keys, keys) {
				t.Fatalf("protocol %d: ParseQuery(%q).Keys = %q, want %q", p, raw, q.Keys, keys)
			}
			if len(q.SimpleIDs) != 0 || q.Get("q") != v3 || q.IDsProtocol != p {
				t.Fatalf("protocol %d: ParseQuery(%q) = %#v", p, raw, q)
			}
		}
	})
}

// FuzzSimpleIDsRoundTrip checks simple keys in queries and paths.
func FuzzSimpleIDsRoundTrip(f *testing.F) {
	f.Add("STAGE001", "STAGE002")
	f.Add("", "''")
	f.Add("List(a,b)", "urn:li:x:(1,2)")
	f.Add("a&ids=b", "%zz+ é")
	f.Fuzz(func(t *testing.T, a, b string) {
		ids := []string{a, b}
		for _, p := range protocols {
			raw := EncodeSimpleIDs(p, ids)
			q := mustParseQuery(t, p, raw)
			if !reflect.DeepEqual(q.SimpleIDs, ids) || len(q.Keys) != 0 {
				t.Fatalf("protocol %d: ParseQuery(%q) = %q %q, want %q", p, raw, q.SimpleIDs, q.Keys, ids)
			}
			for _, id := range ids {
				enc := EncodeSimpleKeyPath(p, id)
				got, err := DecodeSimpleKey(enc)
				if err != nil || got != id {
					t.Fatalf("protocol %d: DecodeSimpleKey(%q) = %q, %v; want %q", p, enc, got, err, id)
				}
			}
		}
	})
}

// FuzzParamRoundTrip checks ParseQuery(EncodeParam(p, name, value)).
func FuzzParamRoundTrip(f *testing.F) {
	f.Add("q", "criteria")
	f.Add("fields", "a,b:(c,d)")
	f.Add("timeRange.start", "1 + 2&x=y")
	f.Add("pr op:1", " t?':,*!&+")
	f.Fuzz(func(t *testing.T, name, value string) {
		if name == "ids" || strings.HasPrefix(name, "ids[") {
			t.Skip("ids is not an ordinary parameter")
		}
		for _, p := range protocols {
			raw := EncodeParam(p, name, value)
			q := mustParseQuery(t, p, raw)
			if got := q.Params[name]; len(got) != 1 || got[0] != value || len(q.Params) != 1 {
				t.Fatalf("protocol %d: ParseQuery(%q).Params = %q", p, raw, q.Params)
			}
		}
	})
}

// FuzzDecode feeds arbitrary text to every decoder: none may panic, and a
// value Decode accepts must survive Encode and Decode again.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"", "''", "List()", "List('')", "(a:b)", "(key1:urn%3Ali%3Aapp%3A%281%2C2%29,key%3A2:foobar)",
		"List(List(abc,def),ghi)", "List((k1:v1)", "%28a:x%29", "a=1&b=2", "ids[0].a=1&ids=List((a:1))",
		"($params:(),a:x)", "(a%3Ab?:c%3Ad )", "%",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		_, _ = ReducedDecode(s)
		_, _ = DecodeKey(s)
		_, _ = ParseQuery(s)
		_, _, _ = DecodeRestliID(s)
		_, _ = DecodeSimpleKey(s)
		v, err := Decode(s)
		if err != nil {
			return
		}
		enc := Encode(v)
		v2, err := Decode(enc)
		if err != nil || !reflect.DeepEqual(v, v2) {
			t.Fatalf("Decode(%q) = %#v; Encode = %q; Decode again = %#v, %v", s, v, enc, v2, err)
		}
	})
}

// mustParseQuery parses raw, which protocol p encoded, failing the test when
// it does not parse.
func mustParseQuery(t *testing.T, p Protocol, raw string) Query {
	t.Helper()
	q, err := ParseQuery(raw)
	if err != nil {
		t.Fatalf("protocol %d: ParseQuery(%q): %v", p, raw, err)
	}
	return q
}
