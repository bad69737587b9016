package fsutil

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestFileName(t *testing.T) {
	long := strings.Repeat("a", 101)
	for _, tc := range []struct{ key, want string }{
		{"acme-1_x", "c-acme-1_x.json"},
		{"", "x-.json"},
		{"..", "x-2e2e.json"},
		{"a/b", "x-612f62.json"},
		{"é", "x-c3a9.json"},
		{long, ""}, // h-<SHA-256 hex>.json, checked below
	} {
		t.Run(tc.key, func(t *testing.T) {
			got := FileName(tc.key)
			if tc.key == long {
				if !strings.HasPrefix(got, "h-") || len(got) != len("h-")+64+len(".json") {
					t.Fatalf("FileName(long) = %q, want h-<sha256 hex>.json", got)
				}
				return
			}
			if got != tc.want {
				t.Errorf("FileName(%q) = %q, want %q", tc.key, got, tc.want)
			}
		})
	}
}

type doc struct {
	N int
	S string
}

func TestDirRoundTrip(t *testing.T) {
	d, err := OpenDir(filepath.Join(t.TempDir(), "store"))
	if err != nil {
		t.Fatal(err)
	}
	keys := []string{"plain", "with space", "", strings.Repeat("k", 300)}
	for i, k := range keys {
		if err := d.Save(k, doc{N: i, S: k}); err != nil {
			t.Fatal(err)
		}
	}
	for i, k := range keys {
		var got doc
		ok, err := d.Load(k, &got)
		if err != nil || !ok {
			t.Fatalf("Load(%q) = %v, %v", k, ok, err)
		}
		if diff := cmp.Diff(doc{N: i, S: k}, got); diff != "" {
			t.Errorf("Load(%q) (-want +got):\n%s", k, diff)
		}
	}
	got, err := d.Keys()
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(keys, got, cmp.Transformer("sort", func(s []string) map[string]bool {
		m := map[string]bool{}
		for _, x := range s {
			m[x] = true
		}
		return m
	})); diff != "" {
		t.Errorf("Keys (-want +got):\n%s", diff)
	}
	if err := d.Delete("plain"); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete("plain"); err != nil {
		t.Fatalf("second Delete: %v", err)
	}
	var v doc
	if ok, err := d.Load("plain", &v); ok || err != nil {
		t.Errorf("Load after Delete = %v, %v; want false, nil", ok, err)
	}
}

func TestDirRefusesMovedFile(t *testing.T) {
	d, err := OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Save("a", doc{N: 1}); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(d.Path(), FileName("a")), filepath.Join(d.Path(), FileName("b"))); err != nil {
		t.Fatal(err)
	}
	var v doc
	if _, err := d.Load("b", &v); err == nil || !strings.Contains(err.Error(), `holds key "a"`) {
		t.Fatalf("Load of a moved file: %v, want a key mismatch", err)
	}
}

// On a file system that ignores case, keys that differ only in case open
// one file (simulated here by moving "Acme"'s document to "acme"'s name):
// Save refuses to replace another key's document, which stays whole. Where
// case matters the two keys keep files of their own.
func TestDirRefusesKeyOfAnotherCase(t *testing.T) {
	t.Run("one file", func(t *testing.T) {
		d, err := OpenDir(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Save("Acme", doc{N: 1}); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(filepath.Join(d.Path(), FileName("Acme")), filepath.Join(d.Path(), FileName("acme"))); err != nil {
			t.Fatal(err)
		}
		fresh, err := OpenDir(d.Path()) // another process, or a restart
		if err != nil {
			t.Fatal(err)
		}
		for _, dir := range []*Dir{d, fresh} {
			err := dir.Save("acme", doc{N: 2})
			want := `c-acme.json holds key "Acme", not "acme" (keys that differ only in case share a file on a file system that ignores case): left as it is`
			if err == nil || err.Error() != want {
				t.Errorf("Save(acme) = %v, want %q", err, want)
			}
		}
		b, err := os.ReadFile(filepath.Join(d.Path(), FileName("acme")))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(b), `{"key":"Acme","value":{"N":1,"S":""}}`+"\n"; got != want {
			t.Errorf("the file holds %q, want %q", got, want)
		}
	})
	t.Run("deleted, then taken by the other case", func(t *testing.T) {
		d, err := OpenDir(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Save("Acme", doc{N: 1}); err != nil {
			t.Fatal(err)
		}
		if err := d.Delete("Acme"); err != nil {
			t.Fatal(err)
		}
		if err := d.Save("acme", doc{N: 2}); err != nil {
			t.Fatal(err)
		}
		// One file where case is ignored: "Acme" opens acme's document.
		if err := os.Rename(filepath.Join(d.Path(), FileName("acme")), filepath.Join(d.Path(), FileName("Acme"))); err != nil {
			t.Fatal(err)
		}
		want := `c-Acme.json holds key "acme", not "Acme" (keys that differ only in case share a file on a file system that ignores case): left as it is`
		for name, op := range map[string]func() error{
			"Save":   func() error { return d.Save("Acme", doc{N: 3}) },
			"Delete": func() error { return d.Delete("Acme") },
		} {
			if err := op(); err == nil || err.Error() != want {
				t.Errorf("%s(Acme) = %v, want %q", name, err, want)
			}
		}
		b, err := os.ReadFile(filepath.Join(d.Path(), FileName("Acme")))
		if err != nil {
			t.Fatal(err)
		}
		if got, want := string(b), `{"key":"acme","value":{"N":2,"S":""}}`+"\n"; got != want {
			t.Errorf("the file holds %q, want %q", got, want)
		}
	})
	t.Run("two files", func(t *testing.T) {
		d, err := OpenDir(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		for i, k := range []string{"Acme", "acme", "Acme", "acme"} {
			if err := d.Save(k, doc{N: i}); err != nil {
				t.Fatalf("Save(%s): %v", k, err)
			}
		}
		for k, want := range map[string]int{"Acme": 2, "acme": 3} {
			var v doc
			if ok, err := d.Load(k, &v); !ok || err != nil || v.N != want {
				t.Errorf("Load(%s) = %+v, %v, %v; want N %d", k, v, ok, err, want)
			}
		}
	})
}

func TestDirModesAndCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	if err := os.Mkdir(path, 0o755); err != nil {
		t.Fatal(err)
	}
	d, err := OpenDir(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o700 {
		t.Errorf("dir mode %v, want 0700", fi.Mode().Perm())
	}
	if err := d.Save("k", doc{N: 1}); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(filepath.Join(path, FileName("k"))); fi.Mode().Perm() != 0o600 {
		t.Errorf("file mode %v, want 0600", fi.Mode().Perm())
	}
	crash := errors.New("crash")
	d.BeforeRename = func(string) error { return crash }
	if err := d.Save("k", doc{N: 2}); !errors.Is(err, crash) {
		t.Fatalf("Save = %v, want the crash", err)
	}
	var v doc
	if ok, err := d.Load("k", &v); !ok || err != nil || v.N != 1 {
		t.Errorf("after a crashed save: %v %v %+v, want the old document", ok, err, v)
	}
	ents, _ := os.ReadDir(path)
	if len(ents) != 1 {
		t.Errorf("%d files left, want 1 (no temporary file)", len(ents))
	}
}

// Save writes the envelope byte for byte as json.Marshal writes it.
func TestSaveEnvelopeBytes(t *testing.T) {
	d, err := OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		key string
		v   any
	}{
		{"cust-1", map[string]any{"a": 1, "b": []string{"<x>", "&"}}},
		{"x \"<&>\" \u2028 é", json.RawMessage(`{ "spaced" : [1, 2] }`)},
		{"", nil},
	} {
		if err := d.Save(tc.key, tc.v); err != nil {
			t.Fatal(err)
		}
		got, err := os.ReadFile(filepath.Join(d.dir, FileName(tc.key)))
		if err != nil {
			t.Fatal(err)
		}
		val, _ := json.Marshal(tc.v)
		want, _ := json.Marshal(envelope{Key: tc.key, Value: val})
		if string(got) != string(want)+"\n" {
			t.Errorf("key %q: saved\n%s\nwant\n%s", tc.key, got, want)
		}
	}
}

// Every key round-trips, even one that is not valid UTF-8 (JSON text
// would turn its bytes into U+FFFD, so the envelope records it in hex) or
// that holds NUL, whether its file is named by the key or by its hash; a
// key that is valid UTF-8 is recorded as before.
func TestDirKeysThatAreNotUTF8(t *testing.T) {
	d, err := OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("\xff", 101)
	keys := []string{"acme-\xff", "nul\x00id", "\x00", "\xe9t\xe9", "a\x00\xff", "\ufffd", long}
	for i, k := range keys {
		if err := d.Save(k, doc{N: i}); err != nil {
			t.Fatalf("Save(%q): %v", k, err)
		}
	}
	for i, k := range keys {
		t.Run(fmt.Sprintf("%.10q", k), func(t *testing.T) {
			var got doc
			ok, err := d.Load(k, &got)
			if err != nil || !ok {
				t.Fatalf("Load = %v, %v", ok, err)
			}
			if diff := cmp.Diff(doc{N: i}, got); diff != "" {
				t.Errorf("Load (-want +got):\n%s", diff)
			}
		})
	}
	got, err := d.Keys()
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if diff := cmp.Diff(slices.Sorted(slices.Values(keys)), got); diff != "" {
		t.Errorf("Keys (-want +got):\n%s", diff)
	}
	for _, tc := range []struct{ key, want string }{
		{"acme-\xff", `{"keyHex":"61636d652dff","value":{"N":0,"S":""}}` + "\n"},
		{"nul\x00id", `{"key":"nul\u0000id","value":{"N":1,"S":""}}` + "\n"},
	} {
		b, err := os.ReadFile(filepath.Join(d.Path(), FileName(tc.key)))
		if err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(tc.want, string(b)); diff != "" {
			t.Errorf("the file of %q (-want +got):\n%s", tc.key, diff)
		}
	}
}

// A file whose envelope's key is not the one asked for, or is not one
// key, is refused: a file saved before keys that are not valid UTF-8 were
// recorded in hex holds the key with U+FFFD in their place.
func TestDirRefusesBadEnvelopeKeys(t *testing.T) {
	d, err := OpenDir(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	const key = "acme-\xff"
	for _, tc := range []struct{ name, file, err string }{
		{"U+FFFD in place of the byte", `{"key":"acme-\ufffd","value":{"N":1}}`, `x-61636d652dff.json holds key "acme-` + "\ufffd" + `", not "acme-\xff"`},
		{"another key in hex", `{"keyHex":"61636d652dfe","value":{"N":1}}`, `x-61636d652dff.json holds key "acme-\xfe", not "acme-\xff"`},
		{"not hex", `{"keyHex":"61636d652dfg","value":{"N":1}}`, "decoding x-61636d652dff.json: bad keyHex"},
		{"two keys", `{"key":"acme-","keyHex":"61636d652dff","value":{"N":1}}`, "decoding x-61636d652dff.json: bad keyHex"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := os.WriteFile(filepath.Join(d.Path(), FileName(key)), []byte(tc.file), 0o600); err != nil {
				t.Fatal(err)
			}
			var v doc
			ok, err := d.Load(key, &v)
			if ok || err == nil || err.Error() != tc.err {
				t.Errorf("Load = %v, %v; want false, %s", ok, err, tc.err)
			}
		})
	}
}

// A value holding text that is not valid UTF-8, which JSON would store
// with U+FFFD in its place, is refused with an error before anything is
// written; a valid U+FFFD, and the text \ufffd, are kept.
func TestDirRefusesValuesJSONCannotKeep(t *testing.T) {
	for _, tc := range []struct {
		name string
		v    any
		err  string
	}{
		{"string", doc{S: "C\xff1"}, `the value under key "k" holds text that is not valid UTF-8, which JSON cannot keep`},
		{"after an escaped backslash", doc{S: `\` + "\xff"}, `the value under key "k" holds text that is not valid UTF-8, which JSON cannot keep`},
		{"map key", map[string]int{"\xe9": 1}, `the value under key "k" holds text that is not valid UTF-8, which JSON cannot keep`},
		{"U+FFFD", doc{S: "\ufffd"}, ""},
		{"the text \\ufffd", doc{S: `\ufffd \\ufffd`}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, err := OpenDir(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			err = d.Save("k", tc.v)
			if tc.err != "" {
				if err == nil || err.Error() != tc.err {
					t.Fatalf("Save = %v, want %s", err, tc.err)
				}
				if ents, _ := os.ReadDir(d.Path()); len(ents) != 0 {
					t.Errorf("a refused Save left %v", ents)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got doc
			if ok, err := d.Load("k", &got); !ok || err != nil {
				t.Fatalf("Load = %v, %v", ok, err)
			}
			if diff := cmp.Diff(tc.v, got); diff != "" {
				t.Errorf("Load (-want +got):\n%s", diff)
			}
		})
	}
}
