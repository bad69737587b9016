package fsutil

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"unicode/utf8"
)

// Dir is a crash-safe key-value store of JSON documents, one file per key,
// in one directory. Every file-backed store of rscgo (checkpoints, flow
// state, consent, secrets, InMail cursors, milestone events) is a Dir.
//
// Each document is saved in an envelope that records its key (in hex when
// the key is not valid UTF-8, which JSON text cannot carry), so a file
// renamed or copied under another key is refused on load instead of being
// read as someone else's data. Every key can be used; a value that JSON
// cannot keep as it is (text that is not valid UTF-8) is refused before
// anything is written. Saves go through [WriteFile]: a crash leaves
// the previous document or the new one, never a torn file. Files are mode
// 0600 and the directory 0700 (tightened when it already exists).
//
// Distinct keys have distinct file names, but on a file system that
// ignores case (macOS's and Windows' defaults) "c-Acme.json" and
// "c-acme.json" are one file: the first save of a key in a Dir's life
// reads the file it would replace and refuses to overwrite another key's
// document, as Load refuses to read one and Delete to remove one.
//
// A Dir is safe for concurrent use; saves of one key are serialised.
type Dir struct {
	dir string
	mu  sync.Mutex
	// owned holds the keys whose file this Dir has written or found
	// holding them (Save): their later saves need not read it again.
	owned map[string]bool

	// BeforeRename, when set (tests), runs between writing a document's
	// temporary file and renaming it into place; an error aborts the save
	// as a crash there would.
	BeforeRename func(tmp string) error
}

// OpenDir returns the Dir at path, creating the directory with mode 0700
// or tightening an existing one to 0700.
func OpenDir(path string) (*Dir, error) {
	if path == "" {
		return nil, errors.New("empty directory path")
	}
	if err := os.MkdirAll(path, 0o700); err != nil {
		return nil, err
	}
	if err := os.Chmod(path, 0o700); err != nil {
		return nil, err
	}
	return &Dir{dir: path}, nil
}

// Path returns the directory.
func (d *Dir) Path() string { return d.dir }

// envelope is a document on disk. Key holds the document's key when it is
// valid UTF-8; KeyHex holds it, in hex, when it is not, since JSON text
// would replace its invalid bytes with U+FFFD.
type envelope struct {
	Key    string          `json:"key"`
	KeyHex string          `json:"keyHex,omitempty"`
	Value  json.RawMessage `json:"value"`
}

// key returns the key the envelope records.
func (e *envelope) key() (string, error) {
	if e.KeyHex == "" {
		return e.Key, nil
	}
	b, err := hex.DecodeString(e.KeyHex)
	if err != nil || e.Key != "" {
		return "", errors.New("bad keyHex")
	}
	return string(b), nil
}

// envelopeKey is the envelope's opening, up to its value: {"key":"…", or,
// for a key that is not valid UTF-8, {"keyHex":"…",.
func envelopeKey(key string) []byte {
	if !utf8.ValidString(key) {
		return []byte(`{"keyHex":"` + hex.EncodeToString([]byte(key)) + `",`)
	}
	k, _ := json.Marshal(key) // a string always marshals
	return append(append([]byte(`{"key":`), k...), ',')
}

// lossy reports whether JSON text from json.Marshal lost bytes of a string
// that were not valid UTF-8: json.Marshal writes each as the escape
// \ufffd, which it never writes for a valid U+FFFD, and which only a
// backslash that is itself escaped can precede in valid JSON otherwise.
func lossy(b []byte) bool {
	for i := 0; ; i++ {
		j := bytes.Index(b[i:], []byte(`\ufffd`))
		if j < 0 {
			return false
		}
		i += j
		n := 0 // the backslashes before it
		for k := i - 1; k >= 0 && b[k] == '\\'; k-- {
			n++
		}
		if n%2 == 0 {
			return true
		}
	}
}

// FileName maps a key to its file name: "c-<key>.json" for keys of at most
// 100 bytes of [A-Za-z0-9_-], "x-<hex of the key>.json" for other keys of
// at most 100 bytes, and "h-<hex of SHA-256 of the key>.json" for longer
// ones. Every key maps to one plain file name and distinct keys never
// share one.
func FileName(key string) string {
	switch {
	case len(key) > 100:
		sum := sha256.Sum256([]byte(key))
		return "h-" + hex.EncodeToString(sum[:]) + ".json"
	case key != "" && strings.Trim(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == "":
		return "c-" + key + ".json"
	default:
		return "x-" + hex.EncodeToString([]byte(key)) + ".json"
	}
}

// Load decodes the document saved under key into v. It reports false, and
// leaves v alone, when there is none.
func (d *Dir) Load(key string, v any) (bool, error) {
	name := FileName(key)
	b, err := os.ReadFile(filepath.Join(d.dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	var env envelope
	if err := json.Unmarshal(b, &env); err != nil {
		return false, fmt.Errorf("decoding %s: %w", name, err)
	}
	held, err := env.key()
	if err != nil {
		return false, fmt.Errorf("decoding %s: %w", name, err)
	}
	if held != key {
		return false, fmt.Errorf("%s holds key %q, not %q", name, held, key)
	}
	if err := json.Unmarshal(env.Value, v); err != nil {
		return false, fmt.Errorf("decoding %s: %w", name, err)
	}
	return true, nil
}

// Save replaces the document under key with v, crash-safely. Every key
// can be saved, and loads back, even one that is not valid UTF-8. A value
// holding a string that is not valid UTF-8, which JSON cannot keep, is
// refused, and nothing is written.
func (d *Dir) Save(key string, v any) error {
	val, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if lossy(val) {
		return fmt.Errorf("the value under key %q holds text that is not valid UTF-8, which JSON cannot keep", key)
	}
	// The envelope, {"key":…,"value":…} and a newline, written around val
	// as json.Marshal(envelope{…}) writes it (val is compact and escaped
	// already), without scanning and copying a large value again.
	k := envelopeKey(key)
	b := make([]byte, 0, len(k)+len(`"value":}`)+len(val)+1)
	b = append(append(b, k...), `"value":`...)
	b = append(append(b, val...), "}\n"...)
	d.mu.Lock()
	defer d.mu.Unlock()
	path, err := d.claim(key)
	if err != nil {
		return err
	}
	if err := writeFile(path, b, 0o600, d.BeforeRename); err != nil {
		return err
	}
	if d.owned == nil {
		d.owned = map[string]bool{}
	}
	d.owned[key] = true
	return nil
}

// claim returns the path of key's document, refusing (checkOwner) one that
// holds another key unless this Dir wrote key's already. d.mu is held.
func (d *Dir) claim(key string) (string, error) {
	path := filepath.Join(d.dir, FileName(key))
	if !d.owned[key] {
		if err := checkOwner(path, key); err != nil {
			return "", err
		}
	}
	return path, nil
}

// checkOwner refuses to replace or remove the document at path when it holds
// another key than key: a file system that ignores case maps keys that
// differ only in case to one file. A missing or unreadable document is
// no one's and may be replaced.
func checkOwner(path, key string) error {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	var env envelope
	if json.Unmarshal(b, &env) != nil {
		return nil
	}
	if held, err := env.key(); err == nil && held != key {
		return fmt.Errorf("%s holds key %q, not %q (keys that differ only in case share a file on a file system that ignores case): left as it is", filepath.Base(path), held, key)
	}
	return nil
}

// Delete removes the document under key; deleting a missing one is not an
// error. Like Save, it refuses to remove another key's document (keys that
// differ only in case, where the file system ignores case).
func (d *Dir) Delete(key string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	path, err := d.claim(key)
	if err != nil {
		return err
	}
	err = os.Remove(path)
	delete(d.owned, key) // another key may take the name now (case ignored)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// Keys lists the keys that have a document, in no particular order. Keys
// are read from the file names ("c-" and "x-" names spell the key); only a
// long key's hashed "h-" name needs its file opened. Files that are not
// documents of a Dir are passed over.
func (d *Dir) Keys() ([]string, error) {
	ents, err := os.ReadDir(d.dir)
	if err != nil {
		return nil, err
	}
	var keys []string
	for _, e := range ents {
		n := e.Name()
		if !e.Type().IsRegular() {
			continue
		}
		key, ok, err := d.keyOf(n)
		if err != nil {
			return nil, err
		}
		if ok {
			keys = append(keys, key)
		}
	}
	return keys, nil
}

// keyOf returns the key whose document file is named name, reporting false
// for a name no key maps to.
func (d *Dir) keyOf(name string) (string, bool, error) {
	stem, isJSON := strings.CutSuffix(name, ".json")
	if !isJSON || len(stem) < 2 {
		return "", false, nil
	}
	var key string
	switch stem[:2] {
	case "c-":
		key = stem[2:]
	case "x-":
		b, err := hex.DecodeString(stem[2:])
		if err != nil {
			return "", false, nil
		}
		key = string(b)
	case "h-":
		b, err := os.ReadFile(filepath.Join(d.dir, name))
		if err != nil {
			return "", false, err
		}
		var env envelope
		if json.Unmarshal(b, &env) != nil {
			return "", false, nil
		}
		if key, err = env.key(); err != nil {
			return "", false, nil
		}
	default:
		return "", false, nil
	}
	return key, FileName(key) == name, nil
}
