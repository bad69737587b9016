package rsc

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/rscgo/rscgo/internal/restli"
)

// sameKeySpelling accepts the spellings a server answers with and refuses
// every other key.
func TestSameKeySpelling(t *testing.T) {
	t.Parallel()
	const sent1 = "atsCandidateId=C%201/x&dataProvider=ATS&integrationContext=urn:li:organization:1001"
	const sent2 = "(atsCandidateId:C%201%2Fx,dataProvider:ATS,integrationContext:urn%3Ali%3Aorganization%3A1001)"
	for _, tc := range []struct {
		name, sent, got string
		want            bool
	}{
		{"1.0 as sent", sent1, sent1, true},
		{"1.0 form-encoded (Java's URLEncoder)", sent1, "atsCandidateId=C+1%2Fx&dataProvider=ATS&integrationContext=urn%3Ali%3Aorganization%3A1001", true},
		{"1.0 lower-case hex", sent1, "atsCandidateId=C%201%2fx&dataProvider=ATS&integrationContext=urn%3ali%3aorganization%3a1001", true},
		{"1.0 escaped & and = in a value", "a=x%26y%3Dz", "a=x%26y%3dz", true},
		{"1.0 another id", sent1, "atsCandidateId=C+2%2Fx&dataProvider=ATS&integrationContext=urn%3Ali%3Aorganization%3A1001", false},
		{"1.0 another organization", sent1, "atsCandidateId=C+1%2Fx&dataProvider=ATS&integrationContext=urn%3Ali%3Aorganization%3A1002", false},
		{"1.0 shorter", sent1, "atsCandidateId=C+1%2Fx&dataProvider=ATS", false},
		{"1.0 longer", sent1, sent1 + "0", false},
		{"1.0 escaped & is not a separator", "a=x&b=y", "a=x%26b=y", false},
		{"1.0 escaped = is not a separator", "a=x", "a%3Dx", false},
		{"1.0 raw & is not an escaped one", "a=x%26b=y", "a=x&b=y", false},
		{"1.0 '+' in a response is a space, not a plus", "a=x%2By", "a=x+y", false},
		{"1.0 raw '+' sent", "a=x+y", "a=x+y", false},
		{"1.0 fields in another order", "a=x&b=y", "b=y&a=x", false},
		{"malformed escape", "a=%2", "a=%2", false},
		{"malformed escape in the response", "a=x", "a=%x", false},
		{"2.0 as sent", sent2, sent2, true},
		{"2.0 as a Rest.li server escapes", sent2, "(atsCandidateId:C 1/x,dataProvider:ATS,integrationContext:urn%3Ali%3Aorganization%3A1001)", true},
		{"2.0 '+' is a plus", "(a:x%2By)", "(a:x+y)", true},
		{"2.0 escaped , is not a separator", "(a:x%2Cb:y)", "(a:x,b:y)", false},
		{"2.0 escaped parenthesis", "(a:x)", "%28a:x)", false},
		{"2.0 another id", sent2, "(atsCandidateId:C 2/x,dataProvider:ATS,integrationContext:urn%3Ali%3Aorganization%3A1001)", false},
		{"empty", "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := sameKeySpelling(tc.sent, []byte(tc.got)); got != tc.want {
				t.Errorf("sameKeySpelling(%q, %q) = %v, want %v", tc.sent, tc.got, got, tc.want)
			}
		})
	}
}

// FuzzSameKeySpelling: a response key sameKeySpelling matches to a
// well-formed key the client sends decodes to that key, as the slow path reads it; and a server's
// own spelling of any key the client sends (fields in the order sent) is
// matched, under both protocols.
func FuzzSameKeySpelling(f *testing.F) {
	f.Add("atsCandidateId=C1&integrationContext=urn:li:organization:1", "atsCandidateId=C1&integrationContext=urn%3Ali%3Aorganization%3A1", "C1", "urn:li:organization:1")
	f.Add("(a:x%2By)", "(a:x+y)", "x y+z", "(a,b):'c'")
	f.Add("a=x%26y", "a=x%26y", "", "%&=+")
	f.Fuzz(func(t *testing.T, sent, got, v1, v2 string) {
		if _, err := restli.DecodeKey(sent); err == nil && sameKeySpelling(sent, []byte(got)) && !sameDecodedKey(sent, got) {
			t.Errorf("sameKeySpelling(%q, %q) is true, but they decode to different keys", sent, got)
		}
		k := restli.Key{{Name: "a", Value: v1}, {Name: "b", Value: v2}}
		for _, p := range []restli.Protocol{restli.Protocol1, restli.Protocol2} {
			s, g := restli.EncodeKeyBody(p, k), restli.EncodeServerBodyKey(p, k)
			if !sameKeySpelling(s, []byte(g)) {
				t.Errorf("protocol %v: a server's spelling %q of the key sent as %q is not matched", p, g, s)
			}
			if !sameDecodedKey(s, g) {
				t.Errorf("protocol %v: %q and %q decode to different keys", p, s, g)
			}
		}
	})
}

// sameDecodedKey reports whether got, read as keyIndex reads a response
// key, is the key sent decodes to, fields in the same order.
func sameDecodedKey(sent, got string) bool {
	ks, err := restli.DecodeKey(sent)
	if err != nil {
		return false
	}
	if !strings.HasPrefix(got, "(") {
		got = strings.ReplaceAll(got, "+", "%20")
	}
	kg, err := restli.DecodeKey(got)
	return err == nil && slices.Equal(ks, kg)
}

// batchScratch.find finds each record of a batch from the key a server answers
// with: a compound key in its own escaping, in order or not; a simple key
// only as sent, so that ids differing only by an escape stay apart.
func TestBatchFinder(t *testing.T) {
	t.Parallel()
	compound := func(ids ...string) ([]entry[string], []string) {
		var es []entry[string]
		var body []string
		for _, id := range ids {
			k := restli.Key{{Name: "atsCandidateId", Value: id}, {Name: "integrationContext", Value: "urn:li:organization:1"}}
			es = append(es, entry[string]{rkey: k})
			body = append(body, restli.EncodeKeyBody(restli.Protocol1, k))
		}
		return es, body
	}
	simple := func(ids ...string) ([]entry[string], []string) {
		es := make([]entry[string], len(ids))
		for i, id := range ids {
			es[i].simple = id
		}
		return es, ids
	}
	for _, tc := range []struct {
		name    string
		p       restli.Protocol
		entries func(...string) ([]entry[string], []string)
		ids     []string
		answers []string
		want    []int // -1: not found
	}{
		{"compound, the server's spelling, in order", restli.Protocol1, compound, []string{"C 1", "C2"},
			[]string{"atsCandidateId=C+1&integrationContext=urn%3Ali%3Aorganization%3A1", "atsCandidateId=C2&integrationContext=urn%3Ali%3Aorganization%3A1"}, []int{0, 1}},
		{"compound, out of order and fields reordered", restli.Protocol1, compound, []string{"C1", "C2"},
			[]string{"integrationContext=urn%3Ali%3Aorganization%3A1&atsCandidateId=C2", "atsCandidateId=C1&integrationContext=urn:li:organization:1"}, []int{1, 0}},
		{"compound, unknown", restli.Protocol1, compound, []string{"C1"}, []string{"atsCandidateId=C9&integrationContext=urn%3Ali%3Aorganization%3A1"}, []int{-1}},
		{"simple, literal", restli.Protocol1, simple, []string{"a%41", "aA"}, []string{"aA", "a%41"}, []int{1, 0}},
		{"simple, an escape is not the same id", restli.Protocol1, simple, []string{"a%41"}, []string{"aA"}, []int{-1}},
		{"simple, as a 2.0 server escapes it", restli.Protocol2, simple, []string{"N:1", "a(b)", "100%"}, []string{"N%3A1", "a%28b%29", "100%25"}, []int{0, 1, 2}},
		{"simple, 2.0: an escaped key is its decoded id", restli.Protocol2, simple, []string{"a:b", "a%3Ab"}, []string{"a%253Ab", "a%3Ab"}, []int{1, 0}},
		{"simple, 2.0: a raw key still found", restli.Protocol2, simple, []string{"N1", "100%"}, []string{"N1", "100%"}, []int{0, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			es, body := tc.entries(tc.ids...)
			idx := make([]int, len(es))
			for i := range idx {
				idx[i] = i
			}
			var sc batchScratch
			batchKeys(&sc, tc.p, es, idx)
			if got := bodyKeys(&sc); !slices.Equal(got, body) {
				t.Fatalf("body keys %q, want %q", got, body)
			}
			var got []int
			for _, a := range tc.answers {
				j, ok := sc.find([]byte(a))
				if !ok {
					j = -1
				}
				got = append(got, j)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("found %v, want %v", got, tc.want)
			}
		})
	}
}

// bodyKeys returns the body keys batchKeys wrote into sc.
func bodyKeys(sc *batchScratch) []string {
	var out []string
	for j := range sc.ends {
		out = append(out, string(sc.bodyKey(j)))
	}
	return out
}

// hasByte finds a byte at any of the eight places, and only that byte;
// load64 reads eight bytes of a string or a slice alike.
func TestHasByte(t *testing.T) {
	t.Parallel()
	for _, c := range []byte{'%', '+', 0, 0xff, 'a'} {
		for at := range 8 {
			for b := range 256 {
				word := []byte("zzzzzzzz")
				word[at] = byte(b)
				x := load64(word, 0)
				if x != load64(string(word), 0) {
					t.Fatalf("load64 of %q: %#x as bytes, %#x as a string", word, x, load64(string(word), 0))
				}
				if got, want := hasByte(x, c), bytes.IndexByte(word, c) >= 0; got != want {
					t.Errorf("hasByte(%q, %q) = %v, want %v", word, c, got, want)
				}
			}
		}
	}
}
