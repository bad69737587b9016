package restli

import (
	"reflect"
	"testing"
)

func candidateKey(id, org string) Key {
	return Key{
		{Name: "atsCandidateId", Value: id},
		{Name: "dataProvider", Value: "ATS"},
		{Name: "integrationContext", Value: "urn:li:organization:" + org},
	}
}

func integrationKey(org string) Key {
	return Key{
		{Name: "integrationContext", Value: "urn:li:organization:" + org},
		{Name: "integrationType", Value: "ONE_CLICK_EXPORT"},
		{Name: "tenantType", Value: "RECRUITER"},
		{Name: "dataProvider", Value: "ATS"},
	}
}

// TestEncodeGoldenPostman pins the protocol 1.0 forms quoted in docs/linkedin-api.md
// §3.2-3.3 from LinkedIn's RSC Postman collection, and the 2.0 forms from
// the same section and from LinkedIn's Python client tests
// (https://github.com/linkedin-developers/linkedin-api-python-client/blob/main/tests/clients/restli/client_test.py).
func TestEncodeGoldenPostman(t *testing.T) {
	t.Parallel()
	c1, c2 := candidateKey("C1", "123"), candidateKey("C2", "123")
	app := Key{
		{Name: ParamsField, Value: "()"},
		{Name: "atsJobApplicationId", Value: "A1"},
		{Name: "integrationContext", Value: "urn:li:organization:456"},
	}
	tests := []goldenCase{
		// Protocol 1.0 (Postman).
		{"P1 atsCandidates ids", EncodeBatchIDs(Protocol1, []Key{c1, c2}),
			"ids[0].atsCandidateId=C1&ids[0].dataProvider=ATS&ids[0].integrationContext=urn:li:organization:123" +
				"&ids[1].atsCandidateId=C2&ids[1].dataProvider=ATS&ids[1].integrationContext=urn:li:organization:123"},
		{"P1 atsIntegrations ids", EncodeBatchIDs(Protocol1, []Key{integrationKey("9")}),
			"ids[0].integrationContext=urn:li:organization:9&ids[0].integrationType=ONE_CLICK_EXPORT&ids[0].tenantType=RECRUITER&ids[0].dataProvider=ATS"},
		{"P1 candidate path key", EncodeKeyPath(Protocol1, c1),
			"atsCandidateId=C1&dataProvider=ATS&integrationContext=urn:li:organization:123"},
		{"P1 atsIntegrations path key", EncodeKeyPath(Protocol1, integrationKey("9")),
			"integrationContext=urn:li:organization:9&integrationType=ONE_CLICK_EXPORT&tenantType=RECRUITER&dataProvider=ATS"},
		{"P1 stage ids", EncodeSimpleIDs(Protocol1, []string{"STAGE001", "STAGE002", "STAGE003"}),
			"ids=STAGE001&ids=STAGE002&ids=STAGE003"},
		{"P1 configuration id", EncodeSimpleIDs(Protocol1, []string{"CALLBACK_URL"}), "ids=CALLBACK_URL"},
		{"P1 body key", EncodeKeyBody(Protocol1, c1),
			"atsCandidateId=C1&dataProvider=ATS&integrationContext=urn:li:organization:123"},
		{"P1 ACL body key", EncodeKeyBody(Protocol1, Key{
			{Name: "dataProvider", Value: "ATS"}, {Name: "atsEntityAclId", Value: "ACL1"},
			{Name: "integrationContext", Value: "urn:li:organization:1"}, {Name: "assignee", Value: "urn:li:person:abc"},
			{Name: "atsEntityType", Value: "JOB"},
		}), "dataProvider=ATS&atsEntityAclId=ACL1&integrationContext=urn:li:organization:1&assignee=urn:li:person:abc&atsEntityType=JOB"},
		{"P1 simple path key", EncodeSimpleKeyPath(Protocol1, "urn:li:simpleJobPostingTask:6a1b"), "urn:li:simpleJobPostingTask:6a1b"},
		{"P1 finder param", EncodeParam(Protocol1, "integrationContext", "urn:li:organization:1"), "integrationContext=urn:li:organization:1"},
		{"P1 q param", EncodeParam(Protocol1, "q", "request"), "q=request"},

		// Protocol 2.0.
		{"P2 atsCandidates ids", EncodeBatchIDs(Protocol2, []Key{c1, c2}),
			"ids=List((atsCandidateId:C1,dataProvider:ATS,integrationContext:urn%3Ali%3Aorganization%3A123)," +
				"(atsCandidateId:C2,dataProvider:ATS,integrationContext:urn%3Ali%3Aorganization%3A123))"},
		{"P2 versioned candidates ids", EncodeBatchIDs(Protocol2, []Key{{
			{Name: "externalCandidateId", Value: "E1"}, {Name: "integrationContext", Value: "urn:li:organization:1"},
		}}), "ids=List((externalCandidateId:E1,integrationContext:urn%3Ali%3Aorganization%3A1))"},
		{"P2 complex key with $params", EncodeKeyPath(Protocol2, app),
			"($params:(),atsJobApplicationId:A1,integrationContext:urn%3Ali%3Aorganization%3A456)"},
		{"P2 complex key ids", EncodeBatchIDs(Protocol2, []Key{app}),
			"ids=List(($params:(),atsJobApplicationId:A1,integrationContext:urn%3Ali%3Aorganization%3A456))"},
		{"P2 stage ids", EncodeSimpleIDs(Protocol2, []string{"STAGE001", "STAGE002"}), "ids=List(STAGE001,STAGE002)"},
		{"P2 path key", EncodeKeyPath(Protocol2, Key{
			{Name: "atsCandidateId", Value: "X"}, {Name: "dataProvider", Value: "ATS"}, {Name: "integrationContext", Value: "urn:li:company:1000"},
		}), "(atsCandidateId:X,dataProvider:ATS,integrationContext:urn%3Ali%3Acompany%3A1000)"},
		{"P2 body key", EncodeKeyBody(Protocol2, c1),
			"(atsCandidateId:C1,dataProvider:ATS,integrationContext:urn%3Ali%3Aorganization%3A123)"},
		{"P2 simple path key", EncodeSimpleKeyPath(Protocol2, "urn:li:endorsement:(urn:li:member:1,2)"),
			"urn%3Ali%3Aendorsement%3A%28urn%3Ali%3Amember%3A1%2C2%29"},
		{"P2 finder param", EncodeParam(Protocol2, "integrationContext", "urn:li:organization:1"),
			"integrationContext=urn%3Ali%3Aorganization%3A1"},
		{"P2 fields stay 1.0", EncodeParam(Protocol2, "fields", "matchedMembers,manualMatchedMember"),
			"fields=matchedMembers,manualMatchedMember"},

		// LinkedIn's Python client tests (as above).
		{"py BATCH_GET compound ids (sorted)", EncodeBatchIDs(Protocol2, []Key{
			Key{{Name: "member", Value: "urn:li:person:123"}, {Name: "account", Value: "urn:li:account:234"}}.Sorted(),
			Key{{Name: "member", Value: "urn:li:person:234"}, {Name: "account", Value: "urn:li:account:345"}}.Sorted(),
			Key{{Name: "member", Value: "urn:li:person:345"}, {Name: "account", Value: "urn:li:account:456"}}.Sorted(),
		}), "ids=List((account:urn%3Ali%3Aaccount%3A234,member:urn%3Ali%3Aperson%3A123),(account:urn%3Ali%3Aaccount%3A345,member:urn%3Ali%3Aperson%3A234),(account:urn%3Ali%3Aaccount%3A456,member:urn%3Ali%3Aperson%3A345))"},
		{"py BATCH_GET simple ids", EncodeSimpleIDs(Protocol2, []string{"123", "456", "789"}), "ids=List(123,456,789)"},
		{"py BATCH_DELETE urn ids", EncodeSimpleIDs(Protocol2, []string{"urn:li:member:123", "urn:li:member:456"}),
			"ids=List(urn%3Ali%3Amember%3A123,urn%3Ali%3Amember%3A456)"},
		{"py UPDATE association path key", EncodeKeyPath(Protocol2, Key{
			{Name: "application", Value: "urn:li:developerApplication:123"}, {Name: "member", Value: "urn:li:member:456"},
		}), "(application:urn%3Ali%3AdeveloperApplication%3A123,member:urn%3Ali%3Amember%3A456)"},
		{"py BATCH_PARTIAL_UPDATE simple path-style id", EncodeSimpleKeyPath(Protocol2, "urn:li:person:123"), "urn%3Ali%3Aperson%3A123"},
	}
	checkGolden(t, tests)
}

// TestEncodeEscaping pins the per-protocol escaping rules (docs/linkedin-api.md §3.2).
func TestEncodeEscaping(t *testing.T) {
	t.Parallel()
	k := Key{{Name: "a", Value: "x y&z=1+2%/?#:,()[];é\x01"}, {Name: "b", Value: ""}}
	tests := []goldenCase{
		{"P1 ids", EncodeBatchIDs(Protocol1, []Key{k}),
			"ids[0].a=x%20y%26z%3D1%2B2%25/%3F%23:,()%5B%5D%3B%C3%A9%01&ids[0].b="},
		{"P1 path", EncodeKeyPath(Protocol1, k), "a=x%20y%26z%3D1%2B2%25%2F%3F%23:,()%5B%5D%3B%C3%A9%01&b="},
		{"P1 body", EncodeKeyBody(Protocol1, k), "a=x%20y%26z%3D1%2B2%25/?%23:,()[];%C3%A9%01&b="},
		{"P1 simple ids escape parens", EncodeSimpleIDs(Protocol1, []string{"List(a)", "a b"}), "ids=List%28a%29&ids=a%20b"},
		{"P2 key", EncodeKeyPath(Protocol2, k),
			"(a:x%20y%26z%3D1%2B2%25%2F%3F%23%3A%2C%28%29%5B%5D%3B%C3%A9%01,b:'')"},
		{"P2 empty simple id", EncodeSimpleIDs(Protocol2, []string{"", "''"}), "ids=List('',%27%27)"},
		{"P2 empty simple path key", EncodeSimpleKeyPath(Protocol2, ""), "''"},
		{"P2 $params that is not a record is escaped", EncodeKeyPath(Protocol2, Key{{Name: ParamsField, Value: "(a"}}), "($params:%28a)"},
		{"P2 $params with unsafe bytes is escaped", EncodeKeyPath(Protocol2, Key{{Name: ParamsField, Value: "(a:&)"}}), "($params:%28a%3A%26%29)"},
		{"P2 $params record kept", EncodeKeyPath(Protocol2, Key{{Name: ParamsField, Value: "(x:List(1,''),y:%20)"}}), "($params:(x:List(1,''),y:%20))"},
		{"P1 $params is an ordinary field", EncodeKeyPath(Protocol1, Key{{Name: ParamsField, Value: "()"}}), "$params=()"},
		{"P2 param", EncodeParam(Protocol2, "pr op:1", " t?':,*!&+"), "pr%20op%3A1=%20t%3F%27%3A%2C%2A%21%26%2B"},
		{"P1 param", EncodeParam(Protocol1, "timeRange.start", "1 2+3"), "timeRange.start=1%202%2B3"},
		{"empty batch P1", EncodeBatchIDs(Protocol1, nil), ""},
		{"empty batch P2", EncodeBatchIDs(Protocol2, nil), ""},
		{"empty simple P2", EncodeSimpleIDs(Protocol2, nil), ""},
		{"restli id", EncodeRestliID(Key{{Name: "a", Value: "urn:li:x:(1,2)"}, {Name: "b", Value: ""}}), "(a:urn%3Ali%3Ax%3A%281%2C2%29,b:'')"},
	}
	checkGolden(t, tests)
}

func TestEncodeBatchIDsManyIndexes(t *testing.T) {
	t.Parallel()
	keys := make([]Key, 12)
	for i := range keys {
		keys[i] = Key{{Name: "a", Value: "v"}}
	}
	got := EncodeBatchIDs(Protocol1, keys)
	want := "ids[0].a=v&ids[1].a=v&ids[2].a=v&ids[3].a=v&ids[4].a=v&ids[5].a=v&ids[6].a=v&ids[7].a=v&ids[8].a=v&ids[9].a=v&ids[10].a=v&ids[11].a=v"
	if got != want {
		t.Fatalf("got %s", got)
	}
	q, err := ParseQuery(got)
	if err != nil || !reflect.DeepEqual(q.Keys, keys) {
		t.Fatalf("ParseQuery = %v, %v", q.Keys, err)
	}
}

// EncodeKeyBodies gives every key what EncodeKeyBody gives it, in two
// allocations.
func TestEncodeKeyBodies(t *testing.T) {
	keys := append(benchmarkKeys(20), Key{{Name: "a b", Value: "x&y=z%+:(),'"}, {Name: "$params", Value: ""}}, Key{})
	for _, p := range protocols {
		out := make([]string, len(keys))
		EncodeKeyBodies(p, keys, out)
		for i, k := range keys {
			if want := EncodeKeyBody(p, k); out[i] != want {
				t.Errorf("protocol %d, key %d: %q, want %q", p, i, out[i], want)
			}
		}
		if n := testing.AllocsPerRun(20, func() { EncodeKeyBodies(p, keys, out) }); n > 2 {
			t.Errorf("protocol %d: %v allocations, want at most 2", p, n)
		}
	}
}
