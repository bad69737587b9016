package restli

import (
	"reflect"
	"testing"
)

func TestParseQuery(t *testing.T) {
	t.Parallel()
	c1, c2 := candidateKey("C1", "123"), candidateKey("C2", "123")
	tests := []struct {
		name  string
		in    string
		want  Query
		extra func(t *testing.T, q Query)
	}{
		{
			name: "Postman atsCandidates",
			in: "ids[0].atsCandidateId=C1&ids[0].dataProvider=ATS&ids[0].integrationContext=urn:li:organization:123" +
				"&ids[1].atsCandidateId=C2&ids[1].dataProvider=ATS&ids[1].integrationContext=urn:li:organization:123",
			want: Query{Keys: []Key{c1, c2}, IDsProtocol: Protocol1},
		},
		{
			name: "brackets escaped, indexes out of order",
			in:   "ids%5B1%5D.atsCandidateId=C2&ids[0].atsCandidateId=C1&ids%5B1%5D.dataProvider=ATS&ids[0].dataProvider=ATS",
			want: Query{Keys: []Key{
				{{"atsCandidateId", "C1"}, {"dataProvider", "ATS"}},
				{{"atsCandidateId", "C2"}, {"dataProvider", "ATS"}},
			}, IDsProtocol: Protocol1},
		},
		{
			name: "2.0 compound",
			in: "ids=List((atsCandidateId:C1,dataProvider:ATS,integrationContext:urn%3Ali%3Aorganization%3A123)," +
				"(atsCandidateId:C2,dataProvider:ATS,integrationContext:urn%3Ali%3Aorganization%3A123))",
			want: Query{Keys: []Key{c1, c2}, IDsProtocol: Protocol2},
		},
		{
			name: "2.0 complex with $params",
			in:   "ids=List(($params:(),atsJobApplicationId:A1,integrationContext:urn%3Ali%3Aorganization%3A1))",
			want: Query{Keys: []Key{{{ParamsField, "()"}, {"atsJobApplicationId", "A1"}, {"integrationContext", "urn:li:organization:1"}}}, IDsProtocol: Protocol2},
		},
		{
			name: "Postman stages",
			in:   "ids=STAGE001&ids=STAGE002&ids=STAGE003",
			want: Query{SimpleIDs: []string{"STAGE001", "STAGE002", "STAGE003"}, IDsProtocol: Protocol1},
		},
		{
			name: "2.0 stages",
			in:   "ids=List(STAGE001,STAGE002)",
			want: Query{SimpleIDs: []string{"STAGE001", "STAGE002"}, IDsProtocol: Protocol2},
		},
		{
			name: "2.0 urns and empty",
			in:   "ids=List(urn%3Ali%3Amember%3A123,'',urn:li:member:456)",
			want: Query{SimpleIDs: []string{"urn:li:member:123", "", "urn:li:member:456"}, IDsProtocol: Protocol2},
		},
		{
			name: "empty list",
			in:   "ids=List()",
			want: Query{IDsProtocol: Protocol2},
		},
		{
			name: "1.0 simple id that looks like a List",
			in:   "ids=List%28a%29",
			want: Query{SimpleIDs: []string{"List(a)"}, IDsProtocol: Protocol1},
		},
		{
			name: "finder params, + is a plus, ; is not a separator",
			in:   "q=criteria&timeRange.start=1&timeRange.end=2&start=0&count=50&fields=a,b:(c)&x=1+2;3&requestId=r%201&&flag",
			want: Query{Params: map[string][]string{
				"q": {"criteria"}, "timeRange.start": {"1"}, "timeRange.end": {"2"}, "start": {"0"}, "count": {"50"},
				"fields": {"a,b:(c)"}, "x": {"1+2;3"}, "requestId": {"r 1"}, "flag": {""},
			}},
			extra: func(t *testing.T, q Query) {
				if got := q.RawParams["requestId"]; !reflect.DeepEqual(got, []string{"r%201"}) {
					t.Errorf("RawParams[requestId] = %q", got)
				}
				if q.Get("count") != "50" || q.Get("nope") != "" {
					t.Errorf("Get: %q %q", q.Get("count"), q.Get("nope"))
				}
			},
		},
		{
			name: "2.0 structured param stays decodable from RawParams",
			in:   "q=x&search=(ids:List(urn%3Ali%3Aa%3A1%2C2))",
			want: Query{Params: map[string][]string{"q": {"x"}, "search": {"(ids:List(urn:li:a:1,2))"}}},
			extra: func(t *testing.T, q Query) {
				v, err := Decode(q.RawParams["search"][0])
				want := map[string]any{"ids": []any{"urn:li:a:1,2"}}
				if err != nil || !reflect.DeepEqual(v, want) {
					t.Errorf("Decode(raw search) = %v, %v", v, err)
				}
			},
		},
		{
			name: "repeated params keep order",
			in:   "a=1&a=2&a=%33",
			want: Query{Params: map[string][]string{"a": {"1", "2", "3"}}},
		},
		{name: "empty", in: "", want: Query{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseQuery(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if tt.want.Params == nil {
				tt.want.Params = map[string][]string{}
			}
			if tt.extra != nil {
				tt.extra(t, got)
			}
			got.RawParams = nil
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("ParseQuery(%q) =\n %#v\nwant\n %#v", tt.in, got, tt.want)
			}
		})
	}
}

func TestParseQueryErrors(t *testing.T) {
	t.Parallel()
	wantErrors(t, func(s string) error { _, err := ParseQuery(s); return err },
		"ids[x].a=1", "ids[].a=1", "ids[-1].a=1", "ids[+1].a=1", "ids[0]=1", "ids[0].a=%z", "ids=List((a:1)", "ids=List(List(a))", "ids=List(a)b", "ids=List((a))", "ids=%", "q=%g0", "%=1")
}

// TestParseQueryRoundTrip checks every encoder against ParseQuery for keys
// that exercise the escaping rules.
func TestParseQueryRoundTrip(t *testing.T) {
	t.Parallel()
	keys := []Key{
		candidateKey("C 1&x=y", "123"),
		{{"a", ""}, {"b", "''"}, {"c", "(x:y),List(z)"}, {"d", "é+%20\x00[]#?"}},
		{{ParamsField, "(a:b)"}, {"e", "f"}},
	}
	ids := []string{"", "''", "List(a)", "urn:li:x:(1,2)", "a&ids=b"}
	for _, p := range []Protocol{Protocol1, Protocol2} {
		q, err := ParseQuery(EncodeBatchIDs(p, keys) + "&" + EncodeParam(p, "q", "a&b=c d") + "&" + EncodeParam(p, "fields", "x,y:(z)"))
		if err != nil {
			t.Fatalf("protocol %d: %v", p, err)
		}
		if !reflect.DeepEqual(q.Keys, keys) || q.IDsProtocol != p {
			t.Errorf("protocol %d: Keys = %#v (%d)", p, q.Keys, q.IDsProtocol)
		}
		if q.Get("q") != "a&b=c d" || q.Get("fields") != "x,y:(z)" {
			t.Errorf("protocol %d: params = %#v", p, q.Params)
		}
		q, err = ParseQuery(EncodeSimpleIDs(p, ids))
		if err != nil || !reflect.DeepEqual(q.SimpleIDs, ids) {
			t.Errorf("protocol %d: SimpleIDs = %#v, %v", p, q.SimpleIDs, err)
		}
	}
}
