package restli

import (
	"encoding/json"
	"reflect"
	"testing"
)

// TestEncodePython ports every case of LinkedIn's Python client encoder
// test, test_encode:
// https://github.com/linkedin-developers/linkedin-api-python-client/blob/main/tests/clients/restli/utils/encoder_test.py
func TestEncodePython(t *testing.T) {
	t.Parallel()
	tests := []encodeCase[any]{
		{nil, ""},
		{"", ""},
		{"abc123", "abc123"},
		{123, "123"},
		{123.5, "123.5"},
		{true, "true"},
		{false, "false"},
		{[]any{1, 2, "foobar"}, "List(1,2,foobar)"},
		{
			map[string]any{"k1": "v1", "k2": "urn:li:app:123", "k3": []any{1, 2}, "k4": map[string]any{"k41": "foobar"}},
			"(k1:v1,k2:urn%3Ali%3Aapp%3A123,k3:List(1,2),k4:(k41:foobar))",
		},
		{
			[]any{map[string]any{"k1": "v1"}, []any{"v2", " t?':,*!"}},
			"List((k1:v1),List(v2,%20t%3F%27%3A%2C%2A%21))",
		},
	}
	checkEncodes(t, Encode, tests)
}

// TestParamEncodePython ports test_param_encode from the same Python file.
func TestParamEncodePython(t *testing.T) {
	t.Parallel()
	tests := []encodeCase[map[string]any]{
		{nil, ""},
		{map[string]any{"param1": "foobar"}, "param1=foobar"},
		{map[string]any{"param1": "v1", "param2": "v2"}, "param1=v1&param2=v2"},
		{map[string]any{"pr op:1": " t?':,*!&+"}, "pr%20op%3A1=%20t%3F%27%3A%2C%2A%21%26%2B"},
		{
			map[string]any{
				"param1": []any{map[string]any{"k1": "v1"}, []any{"e1", "e2"}},
				"param2": map[string]any{"k2": map[string]any{"k21": "v21"}, "k3": []any{"v3"}},
			},
			"param1=List((k1:v1),List(e1,e2))&param2=(k2:(k21:v21),k3:List(v3))",
		},
	}
	checkEncodes(t, ParamEncode, tests)
}

// TestEncodePythonClient ports the structured query values of the Python
// client's FINDER and BATCH_FINDER tests:
// https://github.com/linkedin-developers/linkedin-api-python-client/blob/main/tests/clients/restli/client_test.py
func TestEncodePythonClient(t *testing.T) {
	t.Parallel()
	search := map[string]any{"ids": map[string]any{"values": []any{"urn:li:entity:123", "urn:li:entity:456"}}}
	if got, want := Encode(search), "(ids:(values:List(urn%3Ali%3Aentity%3A123,urn%3Ali%3Aentity%3A456)))"; got != want {
		t.Errorf("finder: got %s want %s", got, want)
	}
	criteria := []any{
		map[string]any{"OrgRoleAuthAction": map[string]any{"actionType": "ADMIN_READ"}},
		map[string]any{"OrgContentAuthAction": map[string]any{"actionType": "ORGANIC_SHARE_DELETE"}},
	}
	if got, want := Encode(criteria), "List((OrgRoleAuthAction:(actionType:ADMIN_READ)),(OrgContentAuthAction:(actionType:ORGANIC_SHARE_DELETE)))"; got != want {
		t.Errorf("batch finder: got %s want %s", got, want)
	}
	if got, want := ParamEncode(map[string]any{"param1": "foobar", "param2": map[string]any{"prop1": "abc", "prop2": "def"}}),
		"param1=foobar&param2=(prop1:abc,prop2:def)"; got != want {
		t.Errorf("params: got %s want %s", got, want)
	}
}

// jsPairs are the fields of the example object in LinkedIn's JS client
// encoder test (https://github.com/linkedin-developers/linkedin-api-js-client/blob/main/tests/utils/encoder.test.ts)
// with the expected encode and reducedEncode
// text of each pair. The JS test encodes one object in insertion order; Go
// maps have none, so each pair is checked as a one-field record. The JS
// "boom: null" pair is left out: JS writes null as "null", the Python
// client (which Encode follows) writes "".
var jsPairs = []struct {
	key           string
	value         any
	encode, reduc string
}{
	{"k1", "v1", "k1:v1", "k1:v1"},
	{"k2", "value with spaces", "k2:value%20with%20spaces", "k2:value with spaces"},
	{"k3", []any{1, 2, 3}, "k3:List(1,2,3)", "k3:List(1,2,3)"},
	{"k4", "List(value:with%reserved,chars,'')",
		"k4:List%28value%3Awith%25reserved%2Cchars%2C%27%27%29",
		"k4:List%28value%3Awith%reserved%2Cchars%2C%27%27%29"},
	{"k5", map[string]any{"k51": "v51", "k52": "v52"}, "k5:(k51:v51,k52:v52)", "k5:(k51:v51,k52:v52)"},
	{"k6", []any{"(v1,2)", "(v2,2)"}, "k6:List(%28v1%2C2%29,%28v2%2C2%29)", "k6:List(%28v1%2C2%29,%28v2%2C2%29)"},
	{"dangerous('),:key:", "value", "dangerous%28%27%29%2C%3Akey%3A:value", "dangerous%28%27%29%2C%3Akey%3A:value"},
	{"emptystring", "", "emptystring:''", "emptystring:''"},
	{"querystringbreaker1", "?key=value", "querystringbreaker1:%3Fkey%3Dvalue", "querystringbreaker1:?key=value"},
	{"querystringbreaker2", "&key=value&", "querystringbreaker2:%26key%3Dvalue%26", "querystringbreaker2:&key=value&"},
	{"true", true, "true:true", "true:true"},
	{"false", false, "false:false", "false:false"},
	{"multibyte", "株式会社", "multibyte:%E6%A0%AA%E5%BC%8F%E4%BC%9A%E7%A4%BE", "multibyte:株式会社"},
	{"株式会社", "multibytekey", "%E6%A0%AA%E5%BC%8F%E4%BC%9A%E7%A4%BE:multibytekey", "株式会社:multibytekey"},
	{"", "emptystringkey", "'':emptystringkey", "'':emptystringkey"},
	{"emptyList", []any{}, "emptyList:List()", "emptyList:List()"},
	{"emptyListString", []any{""}, "emptyListString:List('')", "emptyListString:List('')"},
}

func TestEncodeJS(t *testing.T) {
	t.Parallel()
	for _, tt := range jsPairs {
		m := map[string]any{tt.key: tt.value}
		if got, want := Encode(m), "("+tt.encode+")"; got != want {
			t.Errorf("Encode(%q) = %s, want %s", tt.key, got, want)
		}
		if got, want := ReducedEncode(m), "("+tt.reduc+")"; got != want {
			t.Errorf("ReducedEncode(%q) = %s, want %s", tt.key, got, want)
		}
		// ParamEncode follows Python for a top-level empty name or value
		// ("" where JS writes ''), so those two pairs are skipped.
		if tt.key == "" || tt.value == "" {
			continue
		}
		if got, want := ParamEncode(m), jsParam(tt.encode); got != want {
			t.Errorf("ParamEncode(%q) = %s, want %s", tt.key, got, want)
		}
	}
}

// jsParam turns an encoded "k:v" pair into "k=v" (the key has no raw ':').
func jsParam(pair string) string {
	for i := 0; i < len(pair); i++ {
		if pair[i] == ':' {
			return pair[:i] + "=" + pair[i+1:]
		}
	}
	return pair
}

func TestEncodeGoTypes(t *testing.T) {
	t.Parallel()
	type named string
	tests := []encodeCase[any]{
		{[]string{"a b", ""}, "List(a%20b,'')"},
		{map[string]string{"b": "2", "a": "urn:li:x:1"}, "(a:urn%3Ali%3Ax%3A1,b:2)"},
		{Key{{Name: "z", Value: "1"}, {Name: "a", Value: "2"}}, "(z:1,a:2)"},
		{[]int{1, 2}, "List(1,2)"},
		{map[string]int{"b": 1, "a": 2}, "(a:2,b:1)"},
		{named("x:y"), "x%3Ay"},
		{json.Number("12.50"), "12.50"},
		{float64(1e6), "1000000"},
		{int64(-7), "-7"},
		{uint8(7), "7"},
		{[]any{nil, "x"}, "List(,x)"},
	}
	checkEncodes(t, Encode, tests)
	if got := ReducedEncode(""); got != "''" {
		t.Errorf(`ReducedEncode("") = %q`, got)
	}
}

// TestDecodePython ports every case of LinkedIn's Python client decoder
// test, test_decode and test_reduced_decode:
// https://github.com/linkedin-developers/linkedin-api-python-client/blob/main/tests/clients/restli/utils/decoder_test.py
func TestDecodePython(t *testing.T) {
	t.Parallel()
	decodeCases := []decodeCase[any]{
		{"", ""},
		{"abc123", "abc123"},
		{"urn%3Ali%20app%3F", "urn:li app?"},
		{"List(1,2,3)", []any{"1", "2", "3"}},
		{"(key1:val1,key2:val2)", map[string]any{"key1": "val1", "key2": "val2"}},
		{"(key1:urn%3Ali%3Aapp%3A%281%2C2%29,key%3A2:foobar)", map[string]any{"key1": "urn:li:app:(1,2)", "key:2": "foobar"}},
		{"List(abc,def,(key1:val1))", []any{"abc", "def", map[string]any{"key1": "val1"}}},
		{"List(List(abc,def),ghi)", []any{[]any{"abc", "def"}, "ghi"}},
		{"(key1:urn%3Ali%3Adevapp%3A123,key2:List(123%3A456,(key22:abc)))",
			map[string]any{"key1": "urn:li:devapp:123", "key2": []any{"123:456", map[string]any{"key22": "abc"}}}},
	}
	checkDecodes(t, Decode, decodeCases)
	reducedCases := []decodeCase[any]{
		{"", ""},
		{"abc123", "abc123"},
		{"%28urn%29%3Ali%2C_ %3A%27app%3F?", "(urn):li,_ :'app%3F?"},
		{"List(%28a%3Ab%29,%27c%2Cd%27?)", []any{"(a:b)", "'c,d'?"}},
		{"(a%3Ab?:c%3Ad )", map[string]any{"a:b?": "c:d "}},
	}
	checkDecodes(t, ReducedDecode, reducedCases)
}

// TestDecodeJS ports the cases of LinkedIn's JS client decoder test
// (https://github.com/linkedin-developers/linkedin-api-js-client/blob/main/tests/utils/decoder.test.ts),
// including the prefix/suffix validation cases, and the round trip of its
// example object through encode/decode and reducedEncode/reducedDecode.
func TestDecodeJS(t *testing.T) {
	t.Parallel()
	tests := []decodeCase[any]{
		{"List(1,2,(k:v),3)", []any{"1", "2", map[string]any{"k": "v"}, "3"}},
		{"List(List(1))", []any{[]any{"1"}}},
		{"List((k:List(1)))", []any{map[string]any{"k": []any{"1"}}}},
		{"List(%28v1%2C2%29,%28v2%2C2%29)", []any{"(v1,2)", "(v2,2)"}},
		{"", ""},
		{"List('')", []any{""}},
		{"List()", []any{}},
		{"(k1:v1,k2:List(1,2,3),k3:v3)", map[string]any{"k1": "v1", "k2": []any{"1", "2", "3"}, "k3": "v3"}},
		{"(k1:List())", map[string]any{"k1": []any{}}},
		{"()", map[string]any{}},
		{"''", ""},
		{"a+b", "a+b"},
	}
	checkDecodes(t, Decode, tests)
	wantErrors(t, func(s string) error { _, err := Decode(s); return err },
		"List((k1:v1)", "List((k1:List(v1))", "(k1:List((k2:(k3:v1,k4:List((string:v2)))))",
		"(k1)", "(k1:v1))", "List(a(b)", "%zz", "(a:%2)")

	example := map[string]any{}
	want := map[string]any{}
	for _, p := range jsPairs {
		example[p.key] = p.value
		want[p.key] = stringCoerce(p.value)
	}
	for name, rt := range map[string]func() (any, error){
		"Decode(Encode)":               func() (any, error) { return Decode(Encode(example)) },
		"ReducedDecode(ReducedEncode)": func() (any, error) { return ReducedDecode(ReducedEncode(example)) },
	} {
		got, err := rt()
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("%s = %#v, %v\nwant %#v", name, got, err, want)
		}
	}
}

// stringCoerce mirrors the JS test's stringCoercedExample: scalars come
// back as strings.
func stringCoerce(v any) any {
	switch v := v.(type) {
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = stringCoerce(x)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, x := range v {
			out[k] = stringCoerce(x)
		}
		return out
	case string:
		return v
	default:
		return Encode(v)
	}
}
