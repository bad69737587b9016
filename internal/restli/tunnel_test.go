package restli

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// longQuery returns a query string of exactly n bytes.
func longQuery(n int) string {
	q := "q=x&long="
	return q + strings.Repeat("a", n-len(q))
}

func TestTunnelThreshold(t *testing.T) {
	t.Parallel()
	for _, body := range [][]byte{nil, []byte(`{}`)} {
		if _, ok := Tunnel(http.MethodGet, longQuery(MaxQueryLength), body, ""); ok {
			t.Errorf("query of exactly %d bytes tunnelled", MaxQueryLength)
		}
		if _, ok := Tunnel(http.MethodGet, longQuery(MaxQueryLength+1), body, ""); !ok {
			t.Errorf("query of %d bytes not tunnelled", MaxQueryLength+1)
		}
	}
}

func TestTunnelForm(t *testing.T) {
	t.Parallel()
	q := longQuery(4001)
	tun, ok := Tunnel(http.MethodDelete, q, nil, "")
	if !ok {
		t.Fatal("not tunnelled")
	}
	if tun.Method != http.MethodPost {
		t.Errorf("Method = %s", tun.Method)
	}
	wantHeader := http.Header{
		"X-Http-Method-Override": {"DELETE"},
		"Content-Type":           {"application/x-www-form-urlencoded"},
	}
	if !reflect.DeepEqual(tun.Header, wantHeader) {
		t.Errorf("Header = %v", tun.Header)
	}
	if string(tun.Body) != q {
		t.Errorf("Body differs from the query")
	}
}

// TestTunnelMultipartBytes pins the multipart body byte for byte: the layout
// LinkedIn's Python client writes when it tunnels a request with a body
// (https://github.com/linkedin-developers/linkedin-api-python-client/blob/main/linkedin_api/clients/restli/utils/query_tunneling.py)
// with our deterministic boundary.
func TestTunnelMultipartBytes(t *testing.T) {
	t.Parallel()
	q := longQuery(4001)
	body := []byte(`{"entities":{"a=1":{}}}`)
	tun, ok := Tunnel(http.MethodPut, q, body, "")
	if !ok {
		t.Fatal("not tunnelled")
	}
	const boundary = "restli-boundary-0"
	if got := tun.Header.Get("Content-Type"); got != "multipart/mixed; boundary="+boundary {
		t.Fatalf("Content-Type = %q", got)
	}
	if got := tun.Header.Get("X-HTTP-Method-Override"); got != "PUT" {
		t.Errorf("override = %q", got)
	}
	want := "--" + boundary + "\r\n" +
		"Content-Type: application/x-www-form-urlencoded\r\n\r\n" +
		q + "\r\n" +
		"--" + boundary + "\r\n" +
		"Content-Type: application/json\r\n\r\n" +
		`{"entities":{"a=1":{}}}` + "\r\n" +
		"--" + boundary + "--"
	if string(tun.Body) != want {
		t.Errorf("Body =\n%q\nwant\n%q", tun.Body, want)
	}
	// Deterministic, and a different content type is carried over.
	again, _ := Tunnel(http.MethodPut, q, body, "application/json; charset=utf-8")
	if !bytes.Contains(again.Body, []byte("\r\nContent-Type: application/json; charset=utf-8\r\n\r\n{")) {
		t.Errorf("content type not used: %q", again.Body[len(again.Body)-120:])
	}
	if again.Header.Get("Content-Type") != tun.Header.Get("Content-Type") {
		t.Error("boundary is not deterministic")
	}
}

func TestTunnelBoundaryAvoidsContent(t *testing.T) {
	t.Parallel()
	// Contents holding the first candidates get the next free one.
	q := longQuery(4001)
	for _, tc := range []struct {
		q    string
		body []byte
		want string
	}{
		{q, []byte(`{}`), "restli-boundary-0"},
		{q, []byte("--restli-boundary-0--\r\n"), "restli-boundary-1"},
		{q + "&x=restli-boundary-1", []byte("restli-boundary-0"), "restli-boundary-2"},
		{q + "&x=other-boundary-0", []byte("a-boundary-b"), "restli-boundary-0"}, // "-boundary-" alone
		{q, []byte("xrestli-boundary-0restli-boundary-1"), "restli-boundary-2"},
	} {
		if got := tunnelBoundary(tc.q, tc.body); got != tc.want {
			t.Errorf("boundary %q, want %q", got, tc.want)
		}
		if got := tunnelBoundary([]byte(tc.q), tc.body); got != tc.want {
			t.Errorf("query as bytes: boundary %q, want %q", got, tc.want)
		}
	}
}

// A query given as bytes (AppendBatchIDs') tunnels to exactly what the
// same query as a string does, with and without a body, its boundary
// avoiding the query's content, and into a reused buffer without
// allocating anything but the header.
func TestAppendTunnelQueryBytes(t *testing.T) {
	q := longQuery(4001)
	for _, tc := range []struct {
		name, q string
		body    []byte
	}{
		{"form", q, nil},
		{"multipart", q, []byte(`{"entities":{"a=1":{}}}`)},
		{"boundary in the query", q + "&x=restli-boundary-0", []byte(`{}`)},
		{"short", "q=1", []byte(`{}`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want, wantOK := AppendTunnel([]byte("kept"), http.MethodPut, tc.q, tc.body, "")
			got, gotOK := AppendTunnel([]byte("kept"), http.MethodPut, []byte(tc.q), tc.body, "")
			if d := cmp.Diff(wantOK, gotOK); d != "" {
				t.Fatalf("tunnelled (-string +bytes):\n%s", d)
			}
			if d := cmp.Diff(want.Method, got.Method); d != "" {
				t.Errorf("method (-string +bytes):\n%s", d)
			}
			if d := cmp.Diff(want.Header, got.Header); d != "" {
				t.Errorf("header (-string +bytes):\n%s", d)
			}
			if d := cmp.Diff(string(want.Body), string(got.Body)); d != "" {
				t.Errorf("body (-string +bytes):\n%s", d)
			}
		})
	}
	query, body := []byte(q), []byte(`{"entities":{}}`)
	buf := make([]byte, 0, 2*len(q))
	// The header's allocations only, as for a string: the query is not copied
	// but into buf.
	asString := testing.AllocsPerRun(20, func() { AppendTunnel(buf[:0], http.MethodPut, q, body, "") })
	if n := testing.AllocsPerRun(20, func() { AppendTunnel(buf[:0], http.MethodPut, query, body, "") }); n > asString {
		t.Errorf("%v allocations, want at most %v (a string query's)", n, asString)
	}
}

func TestUntunnelRoundTrip(t *testing.T) {
	t.Parallel()
	keys := make([]Key, 100)
	for i := range keys {
		keys[i] = candidateKey("CANDIDATE-"+strings.Repeat("x", i%7)+string(rune('A'+i%26)), "123456")
	}
	batch := EncodeBatchIDs(Protocol1, keys)
	tests := []struct {
		name, method, query, ct string
		body                    []byte
	}{
		{"GET form", http.MethodGet, batch, "", nil},
		{"DELETE form", http.MethodDelete, batch, "", nil},
		{"PUT multipart", http.MethodPut, batch, "", []byte(`{"entities":{}}` + "\r\n--not-a-boundary\r\n")},
		{"POST multipart with content type", http.MethodPost, EncodeBatchIDs(Protocol2, keys), "application/json; charset=utf-8", []byte(`[1]`)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tun, ok := Tunnel(tt.method, tt.query, tt.body, tt.ct)
			if !ok {
				t.Fatalf("query of %d bytes not tunnelled", len(tt.query))
			}
			r := httptest.NewRequest(tun.Method, "/v2/atsCandidates", bytes.NewReader(tun.Body))
			for k, v := range tun.Header {
				r.Header[k] = v
			}
			r.Header.Set("X-RestLi-Method", "BATCH_UPDATE")
			method, rawQuery, body, err := Untunnel(r)
			if err != nil {
				t.Fatal(err)
			}
			if method != tt.method || rawQuery != tt.query || !bytes.Equal(body, tt.body) {
				t.Errorf("Untunnel = %s, %d-byte query (equal %v), body %q", method, len(rawQuery), rawQuery == tt.query, body)
			}
			if (body == nil) != (tt.body == nil) {
				t.Errorf("body nil = %v, want %v", body == nil, tt.body == nil)
			}
			q, err := ParseQuery(rawQuery)
			if err != nil || !reflect.DeepEqual(q.Keys, keys) {
				t.Errorf("ParseQuery after Untunnel: %v", err)
			}
		})
	}
}

func TestUntunnelPlain(t *testing.T) {
	t.Parallel()
	r := httptest.NewRequest(http.MethodPut, "/v2/x?ids=A&ids=B", strings.NewReader(`{"a":1}`))
	method, q, body, err := Untunnel(r)
	if err != nil || method != http.MethodPut || q != "ids=A&ids=B" || string(body) != `{"a":1}` {
		t.Errorf("Untunnel = %s %q %q %v", method, q, body, err)
	}
	r = httptest.NewRequest(http.MethodGet, "/v2/x?q=a", nil)
	method, q, body, err = Untunnel(r)
	if err != nil || method != http.MethodGet || q != "q=a" || body != nil {
		t.Errorf("Untunnel = %s %q %q %v", method, q, body, err)
	}
	// An override header on a non-POST request is ignored.
	r = httptest.NewRequest(http.MethodGet, "/v2/x?q=a", nil)
	r.Header.Set(HeaderMethodOverride, "DELETE")
	if method, _, _, _ := Untunnel(r); method != http.MethodGet {
		t.Errorf("method = %s", method)
	}
}

func TestUntunnelVariants(t *testing.T) {
	t.Parallel()
	// Form body without Content-Type, URL query kept in front, override
	// lower-cased: the LinkedIn deletion docs' form-encoded POST.
	r := httptest.NewRequest(http.MethodPost, "/v2/atsCandidates?x=1", strings.NewReader("ids[0].a=b"))
	r.Header.Set(HeaderMethodOverride, "delete")
	method, q, body, err := Untunnel(r)
	if err != nil || method != http.MethodDelete || q != "x=1&ids[0].a=b" || body != nil {
		t.Errorf("Untunnel = %s %q %q %v", method, q, body, err)
	}
	// Multipart written by another client: LF-only lines are not
	// accepted by mime/multipart, but CRLF with a trailing CRLF is.
	mp := "--B\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\nq=1\r\n--B\r\nContent-Type: application/json\r\n\r\n{}\r\n--B--\r\n"
	r = httptest.NewRequest(http.MethodPost, "/v2/x", strings.NewReader(mp))
	r.Header.Set(HeaderMethodOverride, "PUT")
	r.Header.Set("Content-Type", `multipart/mixed; boundary="B"`)
	method, q, body, err = Untunnel(r)
	if err != nil || method != http.MethodPut || q != "q=1" || string(body) != "{}" {
		t.Errorf("Untunnel = %s %q %q %v", method, q, body, err)
	}

	for name, set := range map[string]func(r *http.Request){
		"bad content type":  func(r *http.Request) { r.Header.Set("Content-Type", "text/plain") },
		"unparsable type":   func(r *http.Request) { r.Header.Set("Content-Type", "multipart/mixed; boundary") },
		"no boundary":       func(r *http.Request) { r.Header.Set("Content-Type", "multipart/mixed") },
		"multipart garbage": func(r *http.Request) { r.Header.Set("Content-Type", "multipart/mixed; boundary=Z") },
		"no form part":      func(r *http.Request) { r.Header.Set("Content-Type", "multipart/mixed; boundary=B") },
		"two body parts":    func(r *http.Request) { r.Header.Set("Content-Type", "multipart/mixed; boundary=C") },
	} {
		body := "--B\r\nContent-Type: application/json\r\n\r\n{}\r\n--B--"
		if name == "two body parts" {
			body = "--C\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\nq=1\r\n--C\r\n\r\n{}\r\n--C\r\n\r\n{}\r\n--C--"
		}
		r := httptest.NewRequest(http.MethodPost, "/v2/x", strings.NewReader(body))
		r.Header.Set(HeaderMethodOverride, "PUT")
		set(r)
		if _, _, _, err := Untunnel(r); err == nil {
			t.Errorf("%s: want error", name)
		}
	}
}
