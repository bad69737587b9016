package restli

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestParseServerKey(t *testing.T) {
	for name, tc := range map[string]struct {
		p       Protocol
		in      string
		want    Key
		wantErr error
	}{
		"1.0 raw URN":          {Protocol1, "a=urn:li:organization:1&b=C1", Key{{"a", "urn:li:organization:1"}, {"b", "C1"}}, nil},
		"1.0 plus is a space":  {Protocol1, "a=C+1", Key{{"a", "C 1"}}, nil},
		"1.0 %2B is a plus":    {Protocol1, "a=C%2B1", Key{{"a", "C+1"}}, nil},
		"2.0 plus is a plus":   {Protocol2, "(a:C+1)", Key{{"a", "C+1"}}, nil},
		"2.0 escaped":          {Protocol2, "(a:urn%3Ali%3Ax%3A1)", Key{{"a", "urn:li:x:1"}}, nil},
		"2.0 syntax under 1.0": {Protocol1, "(a:x)", nil, ErrSyntaxMismatch},
		"1.0 syntax under 2.0": {Protocol2, "a=x", nil, ErrSyntaxMismatch},
	} {
		t.Run(name, func(t *testing.T) {
			got, err := ParseServerKey(tc.p, tc.in)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) {
					t.Fatalf("err = %v, want %v", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Fatalf("(-want +got)\n%s", diff)
			}
		})
	}
	if _, err := ParseServerKey(Protocol1, "a=%zz"); err == nil {
		t.Fatal("malformed escape accepted")
	}
}

func TestEncodeServerBodyKey(t *testing.T) {
	k := Key{{"integrationContext", "urn:li:organization:1"}, {"atsCandidateId", "C 1+(x),'%"}, {"e", ""}, {ParamsField, "()"}}
	for p, want := range map[Protocol]string{
		Protocol1: "atsCandidateId=C+1%2B%28x%29%2C%27%25&e=&integrationContext=urn%3Ali%3Aorganization%3A1",
		Protocol2: "(atsCandidateId:C 1+%28x%29%2C%27%25,e:'',integrationContext:urn%3Ali%3Aorganization%3A1)",
	} {
		if got := EncodeServerBodyKey(p, k); got != want {
			t.Errorf("protocol %d: got %s\nwant %s", p, got, want)
		}
	}
}

func TestEncodeServerSimpleBodyKey(t *testing.T) {
	for _, tc := range []struct {
		p        Protocol
		id, want string
	}{
		{Protocol1, "urn:li:simpleJobPostingTask:1", "urn:li:simpleJobPostingTask:1"},
		{Protocol1, "C 1+(x),'%", "C 1+(x),'%"},
		{Protocol2, "urn:li:simpleJobPostingTask:1", "urn%3Ali%3AsimpleJobPostingTask%3A1"},
		{Protocol2, "C 1+(x),'%", "C 1+%28x%29%2C%27%25"},
		{Protocol2, "", "''"},
	} {
		t.Run(fmt.Sprintf("%d/%s", tc.p, tc.id), func(t *testing.T) {
			got := EncodeServerSimpleBodyKey(tc.p, tc.id)
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("(-want +got)\n%s", d)
			}
			if tc.p == Protocol1 {
				return
			}
			back, err := ParseServerSimpleKey(tc.p, got)
			if err != nil || back != tc.id {
				t.Errorf("ParseServerSimpleKey(%q) = %q, %v; want %q", got, back, err, tc.id)
			}
		})
	}
}

func TestParseServerQuery(t *testing.T) {
	q, err := ParseServerQuery(Protocol1, "ids[0].a=C+1&q=x+y")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]Key{{{"a", "C 1"}}}, q.Keys); diff != "" || q.Get("q") != "x y" {
		t.Fatalf("keys (-want +got)\n%s\nq=%q", diff, q.Get("q"))
	}
	for p, raw := range map[Protocol]string{Protocol1: "ids=List((a:x))", Protocol2: "ids[0].a=x"} {
		if _, err := ParseServerQuery(p, raw); !errors.Is(err, ErrSyntaxMismatch) {
			t.Errorf("protocol %d %s: err = %v", p, raw, err)
		}
	}
	if _, err := ParseServerQuery(Protocol2, "ids=a"); !errors.Is(err, ErrSyntaxMismatch) {
		t.Errorf("repeated simple ids under 2.0: err = %v", err)
	}
}

// TestParseServerBodyKey pins how a Rest.li 1.0 server reads a compound key
// in a batch body: ComplexResourceKey.parseString calls
// UriComponent.decodeQuery(URI.create("?" + key), true). The expectations
// were taken from that code run on OpenJDK 17 and 25: each ASCII byte c in
// "k=a" + c + "b", and the keys below.
func TestParseServerBodyKey(t *testing.T) {
	t.Parallel()
	const refused = "\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f" +
		"\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b\x1c\x1d\x1e\x1f" +
		" \"%<>\\^`{|}\x7f" // a lone '%' is a malformed escape
	for c := range 0x80 {
		raw := "k=a" + string(rune(c)) + "b"
		got, err := ParseServerBodyKey(Protocol1, raw)
		switch {
		case strings.IndexByte(refused, byte(c)) >= 0:
			if !errors.Is(err, ErrURIQuery) {
				t.Errorf("%q: got %v, %v; want ErrURIQuery", raw, got, err)
			}
		case c == '#': // the fragment starts: the query is k=a
			if want := (Key{{"k", "a"}}); err != nil || !got.Equal(want) {
				t.Errorf("%q: got %v, %v; want %v", raw, got, err, want)
			}
		case c == '&' || c == '=' || c == '+':
			// structure, and '+' a space: ParseServerKey's business
		default:
			if want := (Key{{"k", "a" + string(rune(c)) + "b"}}); err != nil || !got.Equal(want) {
				t.Errorf("%q: got %v, %v; want %v", raw, got, err, want)
			}
		}
	}
	for raw, want := range map[string]Key{
		"k=José":              {{"k", "José"}},
		"k=候选人":               {{"k", "候选人"}},
		"k=🙂":                 {{"k", "🙂"}},
		"k=Jos%C3%A9":         {{"k", "José"}},
		"k=a%C2%A0b":          {{"k", "a\u00a0b"}},
		"k=a%20b&j=%23%7B":    {{"k", "a b"}, {"j", "#{"}},
		"k=a+b":               {{"k", "a b"}},
		"k=a%2Bb":             {{"k", "a+b"}},
		"k=a[0]?;/:@!$'()*,~": {{"k", "a[0]?;/:@!$'()*,~"}},
	} {
		if got, err := ParseServerBodyKey(Protocol1, raw); err != nil || !got.Equal(want) {
			t.Errorf("%q: got %v, %v; want %v", raw, got, err, want)
		}
	}
	for _, raw := range []string{
		"k=a\u00a0b", "k=a\u2028b", "k=a\u3000b", "k=a\u0085b", // Unicode spaces, C1 control
		"k=a#b#c", "k=a#b c", "k=a#b%zz", // the fragment is checked too
		"k=a%zzb", "k=a%2",
	} {
		if got, err := ParseServerBodyKey(Protocol1, raw); !errors.Is(err, ErrURIQuery) {
			t.Errorf("%q: got %v, %v; want ErrURIQuery", raw, got, err)
		}
	}
	// Under 2.0 a body key is what ParseServerKey reads.
	if got, err := ParseServerBodyKey(Protocol2, "(k:a b)"); err != nil || !got.Equal(Key{{"k", "a b"}}) {
		t.Errorf("2.0: got %v, %v", got, err)
	}
}
