package restli

import (
	"errors"
	"fmt"
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
