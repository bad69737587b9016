package restli

import (
	"reflect"
	"testing"
)

func TestDecodeKey(t *testing.T) {
	t.Parallel()
	c1 := candidateKey("C1", "123")
	app := Key{
		{Name: ParamsField, Value: "()"},
		{Name: "atsJobApplicationId", Value: "A1"},
		{Name: "integrationContext", Value: "urn:li:organization:456"},
	}
	tests := []decodeCase[Key]{
		// Protocol 1.0, as Postman sends it (path and body).
		{"atsCandidateId=C1&dataProvider=ATS&integrationContext=urn:li:organization:123", c1},
		{"atsCandidateId=C1&dataProvider=ATS&integrationContext=urn%3Ali%3Aorganization%3A123", c1},
		{"integrationContext=urn:li:organization:9&integrationType=ONE_CLICK_EXPORT&tenantType=RECRUITER&dataProvider=ATS", integrationKey("9")},
		{"a=1+2&b=x%20y&c=", Key{{"a", "1+2"}, {"b", "x y"}, {"c", ""}}},
		{"a=x=y", Key{{"a", "x=y"}}},
		// Protocol 2.0.
		{"(atsCandidateId:C1,dataProvider:ATS,integrationContext:urn%3Ali%3Aorganization%3A123)", c1},
		{"(atsCandidateId:C1,dataProvider:ATS,integrationContext:urn:li:organization:123)", c1},
		{"%28atsCandidateId:C1,dataProvider:ATS,integrationContext:urn%3Ali%3Aorganization%3A123%29", c1},
		{"%28atsCandidateId%3AC1%2CdataProvider%3AATS%2CintegrationContext%3Aurn%253Ali%253Aorganization%253A123%29", c1},
		{"($params:(),atsJobApplicationId:A1,integrationContext:urn%3Ali%3Aorganization%3A456)", app},
		{"(b:'',a:%27%27)", Key{{"b", ""}, {"a", "''"}}},
		{"(a:x%2By+z)", Key{{"a", "x+y+z"}}},
		{"(k:List(1,2))", Key{{"k", "List(1,2)"}}},
		{"()", Key{}},
	}
	checkDecodes(t, DecodeKey, tests)
	wantErrors(t, func(s string) error { _, err := DecodeKey(s); return err },
		"", "a", "a=1&b", "a=%zz", "(a:1", "(a)", "(a:1)x", "(a:%2)", "%28a%3A1")
}

func TestDecodeKeyBodyMapKeys(t *testing.T) {
	t.Parallel()
	// Body map keys come back equal to the query keys whatever the field
	// order (Postman's ACL bodies put dataProvider first).
	query := Key{
		{"atsEntityAclId", "ACL1"}, {"dataProvider", "ATS"}, {"integrationContext", "urn:li:organization:1"},
		{"atsEntityId", "J1"}, {"atsEntityType", "JOB"},
	}
	body := "dataProvider=ATS&atsEntityAclId=ACL1&integrationContext=urn:li:organization:1&atsEntityId=J1&atsEntityType=JOB"
	got, err := DecodeKey(body)
	if err != nil || !got.Equal(query) {
		t.Fatalf("DecodeKey(%q) = %v, %v", body, got, err)
	}
	for _, p := range []Protocol{Protocol1, Protocol2} {
		got, err := DecodeKey(EncodeKeyBody(p, query))
		if err != nil || !reflect.DeepEqual(got, query) {
			t.Errorf("protocol %d: DecodeKey(EncodeKeyBody) = %v, %v", p, got, err)
		}
	}
}

func TestDecodeSimpleKey(t *testing.T) {
	t.Parallel()
	for _, id := range []string{"urn:li:simpleJobPostingTask:1", "urn:li:x:(a,b)", "a b/c?d#e%f+g", "", "''", "é"} {
		for _, p := range []Protocol{Protocol1, Protocol2} {
			enc := EncodeSimpleKeyPath(p, id)
			got, err := DecodeSimpleKey(enc)
			if err != nil || got != id {
				t.Errorf("protocol %d: DecodeSimpleKey(%q) = %q, %v; want %q", p, enc, got, err, id)
			}
		}
	}
	if _, err := DecodeSimpleKey("%z"); err == nil {
		t.Error("DecodeSimpleKey(%z): want error")
	}
}

func TestDecodeRestliID(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in     string
		key    Key
		simple string
	}{
		{"123", nil, "123"},
		{"urn:li:developerApplication:123", nil, "urn:li:developerApplication:123"},
		{"urn%3Ali%3AdeveloperApplication%3A123", nil, "urn:li:developerApplication:123"},
		{" urn:li:share:1 ", nil, "urn:li:share:1"},
		{"(application:urn%3Ali%3AdeveloperApplication%3A123,member:urn%3Ali%3Amember%3A456)", Key{
			{"application", "urn:li:developerApplication:123"}, {"member", "urn:li:member:456"},
		}, ""},
		{"(a:x y%20z,b:'')", Key{{"a", "x y%20z"}, {"b", ""}}, ""},
	}
	for _, tt := range tests {
		k, s, err := DecodeRestliID(tt.in)
		if err != nil || !reflect.DeepEqual(k, tt.key) || s != tt.simple {
			t.Errorf("DecodeRestliID(%q) = %#v, %q, %v; want %#v, %q", tt.in, k, s, err, tt.key, tt.simple)
		}
	}
	k := Key{{"a", "urn:li:x:(1,2)"}, {"b", "50%"}, {"c", ""}}
	got, _, err := DecodeRestliID(EncodeRestliID(k))
	if err != nil || !reflect.DeepEqual(got, k) {
		t.Errorf("DecodeRestliID(EncodeRestliID(%v)) = %v, %v", k, got, err)
	}
	wantErrors(t, func(s string) error { _, _, err := DecodeRestliID(s); return err }, "", "  ", "(a:1", "(a)")
}
