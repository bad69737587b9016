package restli

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// appendKeys are the keys the append encoders are checked with: every
// tricky value as a field value (and, for a few, as a field name), keys of
// one, three and four fields, $params fields kept raw or escaped, an empty
// key, and a batch of twelve so that an index has two digits.
func appendKeys() []Key {
	var keys []Key
	for _, v := range trickyValues {
		keys = append(keys, Key{{Name: "atsCandidateId", Value: v.value}, {Name: "dataProvider", Value: "ATS"}})
	}
	keys = append(keys,
		Key{{Name: "a b", Value: "x&y=z%+:(),'"}, {Name: "", Value: ""}},
		Key{{Name: ParamsField, Value: "(x:List(1,''),y:%20)"}, {Name: "k", Value: "v"}},
		Key{{Name: ParamsField, Value: "(a:&)"}},
		Key{{Name: ParamsField, Value: "(a"}},
		integrationKey("1001"),
		Key{},
	)
	return append(keys, benchmarkKeys(12)...)
}

// The append encoders write exactly what the string encoders return, after
// whatever the buffer held, in both protocols.
func TestAppendEncoders(t *testing.T) {
	t.Parallel()
	keys := appendKeys()
	var ids []string
	for _, v := range trickyValues {
		ids = append(ids, v.value, v.p1Body)
	}
	const prefix = "kept?"
	type row struct {
		name   string
		want   string
		append func(dst []byte) []byte
	}
	var rows []row
	for _, p := range protocols {
		rows = append(rows,
			row{fmt.Sprintf("P%d batch ids", p), EncodeBatchIDs(p, keys), func(dst []byte) []byte { return AppendBatchIDs(dst, p, keys) }},
			row{fmt.Sprintf("P%d one key's ids", p), EncodeBatchIDs(p, keys[:1]), func(dst []byte) []byte { return AppendBatchIDs(dst, p, keys[:1]) }},
			row{fmt.Sprintf("P%d no ids", p), EncodeBatchIDs(p, nil), func(dst []byte) []byte { return AppendBatchIDs(dst, p, nil) }},
			row{fmt.Sprintf("P%d simple ids", p), EncodeSimpleIDs(p, ids), func(dst []byte) []byte { return AppendSimpleIDs(dst, p, ids) }},
			row{fmt.Sprintf("P%d one simple id", p), EncodeSimpleIDs(p, ids[:1]), func(dst []byte) []byte { return AppendSimpleIDs(dst, p, ids[:1]) }},
			row{fmt.Sprintf("P%d empty simple id", p), EncodeSimpleIDs(p, []string{""}), func(dst []byte) []byte { return AppendSimpleIDs(dst, p, []string{""}) }},
			row{fmt.Sprintf("P%d no simple ids", p), EncodeSimpleIDs(p, nil), func(dst []byte) []byte { return AppendSimpleIDs(dst, p, nil) }},
		)
		for i, k := range keys {
			rows = append(rows, row{fmt.Sprintf("P%d body key %d", p, i), EncodeKeyBody(p, k), func(dst []byte) []byte { return AppendKeyBody(dst, p, k) }})
		}
	}
	for _, r := range rows {
		t.Run(r.name, func(t *testing.T) {
			if d := cmp.Diff(r.want, string(r.append(nil))); d != "" {
				t.Errorf("into nil (-Encode +Append):\n%s", d)
			}
			if d := cmp.Diff(prefix+r.want, string(r.append([]byte(prefix)))); d != "" {
				t.Errorf("after contents (-Encode +Append):\n%s", d)
			}
			// A reused buffer holding something longer comes back with
			// nothing of it past the new contents.
			old := make([]byte, 0, len(r.want)+64)
			old = append(old, make([]byte, len(r.want)+64)...)
			for i := range old {
				old[i] = '#'
			}
			if d := cmp.Diff(r.want, string(r.append(old[:0]))); d != "" {
				t.Errorf("into a reused buffer (-Encode +Append):\n%s", d)
			}
		})
	}
}

// Appending into a buffer with room allocates nothing: that is what the
// append encoders are for.
func TestAppendEncodersAllocs(t *testing.T) {
	keys := benchmarkKeys(100)
	ids := make([]string, len(keys))
	for i, k := range keys {
		ids[i] = k[0].Value
	}
	buf := make([]byte, 0, 64<<10)
	for _, p := range protocols {
		for name, f := range map[string]func(){
			"AppendBatchIDs":  func() { buf = AppendBatchIDs(buf[:0], p, keys) },
			"AppendSimpleIDs": func() { buf = AppendSimpleIDs(buf[:0], p, ids) },
			"AppendKeyBody":   func() { buf = AppendKeyBody(buf[:0], p, keys[0]) },
		} {
			if n := testing.AllocsPerRun(20, f); n != 0 {
				t.Errorf("protocol %d, %s: %v allocations, want 0", p, name, n)
			}
		}
	}
}

// FuzzAppendEncoders: on any names and values, the append encoders write
// what the string encoders return.
func FuzzAppendEncoders(f *testing.F) {
	f.Add("atsCandidateId", "C 1+%", "$params", "(a:List(1,''))")
	f.Add("", "", "a&b=c", "é\x00\xff")
	f.Fuzz(func(t *testing.T, n1, v1, n2, v2 string) {
		keys := []Key{{{Name: n1, Value: v1}, {Name: n2, Value: v2}}, {}, {{Name: n2, Value: v1}}}
		ids := []string{v1, v2, n1}
		for _, p := range protocols {
			if got, want := string(AppendBatchIDs([]byte("x"), p, keys)), "x"+EncodeBatchIDs(p, keys); got != want {
				t.Errorf("protocol %d: AppendBatchIDs = %q, want %q", p, got, want)
			}
			if got, want := string(AppendSimpleIDs(nil, p, ids)), EncodeSimpleIDs(p, ids); got != want {
				t.Errorf("protocol %d: AppendSimpleIDs = %q, want %q", p, got, want)
			}
			for _, k := range keys {
				if got, want := string(AppendKeyBody(nil, p, k)), EncodeKeyBody(p, k); got != want {
					t.Errorf("protocol %d: AppendKeyBody = %q, want %q", p, got, want)
				}
			}
		}
	})
}
