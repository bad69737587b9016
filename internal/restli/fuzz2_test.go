package restli

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Fuzz targets for query tunnelling, which fuzz_test.go does not cover.
// Seeds: the f.Add calls and testdata/fuzz/<FuzzName>/.

// tunnelMethods are the verbs the SDK tunnels (docs/linkedin-api.md §2.2).
var tunnelMethods = []string{http.MethodGet, http.MethodDelete, http.MethodPut, http.MethodPost}

// FuzzTunnelRoundTrip builds a query the way the SDK does (ids, then
// parameters), pads it past MaxQueryLength, tunnels it with Tunnel and
// checks that Untunnel, reading the request a server receives, returns the
// original verb, query and body byte for byte.
func FuzzTunnelRoundTrip(f *testing.F) {
	f.Add(uint8(2), "C1", "fields", "matchedMembers,manualMatchedMember", []byte(`{"entities":{}}`), uint16(0))
	f.Add(uint8(0), "a&b=c", "q", "--restli\r\n--", []byte(nil), uint16(4000))
	f.Add(uint8(1), "urn:li:x:(1,2)", "requestId", "\r\n\r\n", []byte("\r\n--x--\r\n"), uint16(7))
	// Queries exactly MaxQueryLength long before padding, under protocol 1
	// and protocol 2: they must be padded past the limit, not left at it.
	f.Add(uint8(0), "C1", "q", strings.Repeat("x", 3949), []byte(nil), uint16(0))
	f.Add(uint8(0), "C1", "q", strings.Repeat("x", 3951), []byte(nil), uint16(0))
	f.Fuzz(func(t *testing.T, m uint8, id, name, value string, body []byte, pad uint16) {
		method := tunnelMethods[int(m)%len(tunnelMethods)]
		if name == "ids" || strings.HasPrefix(name, "ids[") {
			name = "q"
		}
		for _, p := range protocols {
			key := Key{{Name: "atsCandidateId", Value: id}, {Name: "dataProvider", Value: "ATS"}}
			q := EncodeBatchIDs(p, []Key{key}) + "&" + EncodeParam(p, name, value)
			if len(q) <= MaxQueryLength {
				// At least one pad byte: a query a few bytes short of the
				// limit must still end up past it.
				n := max(1, MaxQueryLength+1+int(pad)%64-len(q)-len("&pad="))
				q += "&pad=" + strings.Repeat("x", n)
			}
			tu, ok := Tunnel(method, q, body, "")
			if !ok {
				t.Fatalf("protocol %d: Tunnel(%d-byte query) did not tunnel", p, len(q))
			}
			if tu.Method != http.MethodPost || tu.Header.Get(HeaderMethodOverride) != method {
				t.Fatalf("protocol %d: tunnelled as %s with override %q, want POST + %s", p, tu.Method, tu.Header.Get(HeaderMethodOverride), method)
			}
			r := httptest.NewRequest(tu.Method, "/v2/atsCandidates", bytes.NewReader(tu.Body))
			for k, v := range tu.Header {
				r.Header[k] = v
			}
			gotMethod, gotQuery, gotBody, err := Untunnel(r)
			if err != nil {
				t.Fatalf("protocol %d: Untunnel: %v\nbody %q", p, err, tu.Body)
			}
			wantBody := body
			if len(wantBody) == 0 {
				wantBody = nil
			}
			if gotMethod != method || gotQuery != q || !bytes.Equal(gotBody, wantBody) || (gotBody == nil) != (wantBody == nil) {
				t.Fatalf("protocol %d: Untunnel = %s %q %q; want %s %q %q", p, gotMethod, gotQuery, gotBody, method, q, wantBody)
			}
			parsed, err := ParseQuery(gotQuery)
			if err != nil || len(parsed.Keys) != 1 || !parsed.Keys[0].Equal(key) || parsed.Get(name) != value {
				t.Fatalf("protocol %d: ParseQuery(untunnelled) = %+v, %v", p, parsed, err)
			}
		}
	})
}

// FuzzUntunnel feeds arbitrary tunnelled requests (override, Content-Type,
// body, query on the URL) to Untunnel: it must not panic, and what it
// accepts must be consistent: a request without a usable override comes
// back unchanged, an accepted override is upper-cased, and the URL's own
// query is kept in front of the tunnelled one.
func FuzzUntunnel(f *testing.F) {
	f.Add("PUT", "multipart/mixed; boundary=b", "x=1", []byte("--b\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\nids=a\r\n--b\r\nContent-Type: application/json\r\n\r\n{}\r\n--b--"))
	f.Add("delete", "application/x-www-form-urlencoded", "", []byte("ids[0].a=1"))
	f.Add("GET", "multipart/mixed", "", []byte("--x\r\n\r\n--x--"))
	f.Add("", "text/plain", "a=b", []byte("c=d"))
	f.Add("PUT", "multipart/mixed; boundary=b", "", []byte("--b\r\nContent-Type: application/json\r\n\r\n{}\r\n--b\r\nContent-Type: application/json\r\n\r\n{}\r\n--b--"))
	f.Fuzz(func(t *testing.T, override, contentType, rawQuery string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "/v2/atsCandidates", bytes.NewReader(body))
		r.URL.RawQuery = rawQuery
		if override != "" {
			r.Header.Set(HeaderMethodOverride, override)
		}
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		method, q, b, err := Untunnel(r)
		if err != nil {
			if strings.TrimSpace(override) == "" {
				t.Fatalf("untunnelled request failed: %v", err)
			}
			return
		}
		if strings.TrimSpace(override) == "" {
			if method != http.MethodPost || q != rawQuery || !bytes.Equal(b, body) {
				t.Fatalf("plain POST changed: %s %q %q", method, q, b)
			}
			return
		}
		if method != strings.ToUpper(strings.TrimSpace(override)) {
			t.Fatalf("method %q for override %q", method, override)
		}
		if rawQuery != "" && !strings.HasPrefix(q, rawQuery) {
			t.Fatalf("URL query %q lost: got %q", rawQuery, q)
		}
	})
}
