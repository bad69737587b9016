package restli

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// MaxQueryLength is the longest query string sent in the URL. Longer ones
// are tunnelled, at the length LinkedIn's Python client tunnels from
// (docs/linkedin-api.md §2.2).
const MaxQueryLength = 4000

// Content types used by query tunnelling.
const (
	ContentTypeForm      = "application/x-www-form-urlencoded"
	ContentTypeJSON      = "application/json"
	ContentTypeMultipart = "multipart/mixed"
)

// HeaderMethodOverride carries the original HTTP method of a tunnelled
// request.
const HeaderMethodOverride = "X-HTTP-Method-Override"

// Tunnelled describes a tunnelled request: send it with Method (always
// POST) to the URL without its query string, set every header in Header
// (replacing the request's Content-Type, keeping X-RestLi-Method and the
// rest), and use Body as the request body.
type Tunnelled struct {
	Method string
	Header http.Header
	Body   []byte
}

// Tunnel applies Rest.li query tunnelling. It returns ok=false when
// rawQuery is at most MaxQueryLength bytes: send the request as it is.
//
// Otherwise the request becomes a POST with X-HTTP-Method-Override: method.
// Without a body (len(body) == 0) the query string is the whole body, sent
// as application/x-www-form-urlencoded. With a body it is multipart/mixed,
// byte for byte as LinkedIn's Python and JS clients build it:
//
//	--B\r\n
//	Content-Type: application/x-www-form-urlencoded\r\n\r\n
//	<rawQuery>\r\n
//	--B\r\n
//	Content-Type: <contentType, default application/json>\r\n\r\n
//	<body>\r\n
//	--B--
//
// The boundary B is "restli-boundary-" and the smallest counter that makes
// it absent from the content (upstream uses a random string), so the same
// request always tunnels to the same bytes without hashing the body.
func Tunnel(method, rawQuery string, body []byte, contentType string) (t Tunnelled, ok bool) {
	return AppendTunnel(nil, method, rawQuery, body, contentType)
}

// AppendTunnel is Tunnel writing the tunnelled body after dst's contents
// (pass dst[:0] to reuse a buffer): Body is the grown slice. It lets a
// caller keep the large body of a batch call in a buffer of its own, and
// its query too: rawQuery may be a string or bytes (AppendBatchIDs').
func AppendTunnel[Q string | []byte](dst []byte, method string, rawQuery Q, body []byte, contentType string) (t Tunnelled, ok bool) {
	if len(rawQuery) <= MaxQueryLength {
		return Tunnelled{}, false
	}
	return AppendTunnelAlways(dst, method, rawQuery, body, contentType), true
}

// MaxURLLength bounds the path and query of a request sent as it is:
// LinkedIn answers 414 past 8 KB of URL (docs/linkedin-api.md §2.2); the
// margin leaves room for the host and the request line.
const MaxURLLength = 8000

// AppendTunnelAlways tunnels the request whatever its query's length: for a
// path long enough that path and query together pass MaxURLLength.
func AppendTunnelAlways[Q string | []byte](dst []byte, method string, rawQuery Q, body []byte, contentType string) Tunnelled {
	h := http.Header{}
	h.Set(HeaderMethodOverride, method)
	if len(body) == 0 {
		h.Set("Content-Type", ContentTypeForm)
		return Tunnelled{Method: http.MethodPost, Header: h, Body: append(dst, rawQuery...)}
	}
	if contentType == "" {
		contentType = ContentTypeJSON
	}
	boundary := tunnelBoundary(rawQuery, body)
	b := slices.Grow(dst, 3*len(boundary)+len(rawQuery)+len(body)+len(contentType)+100)
	b = append(b, "--"...)
	b = append(b, boundary...)
	b = append(b, "\r\nContent-Type: "+ContentTypeForm+"\r\n\r\n"...)
	b = append(b, rawQuery...)
	b = append(b, "\r\n--"...)
	b = append(b, boundary...)
	b = append(b, "\r\nContent-Type: "...)
	b = append(b, contentType...)
	b = append(b, "\r\n\r\n"...)
	b = append(b, body...)
	b = append(b, "\r\n--"...)
	b = append(b, boundary...)
	b = append(b, "--"...)
	h.Set("Content-Type", ContentTypeMultipart+"; boundary="+boundary)
	return Tunnelled{Method: http.MethodPost, Header: h, Body: b}
}

// tunnelBoundary returns a boundary that does not occur in the content:
// "restli-boundary-" and the smallest counter for which that holds. A
// search for it is far cheaper than hashing a batch body.
func tunnelBoundary[Q string | []byte](rawQuery Q, body []byte) string {
	// Every candidate holds "-boundary-", which starts with a byte rarer
	// in keys and JSON than the 'r' of "restli-": one fast search for it
	// settles the common case (counter 0) without comparing at every 'r'.
	const mark = "-boundary-"
	if !contains(rawQuery, mark) && !bytes.Contains(body, []byte(mark)) {
		return "restli-boundary-0"
	}
	for n := 0; ; n++ {
		b := "restli-boundary-" + strconv.Itoa(n)
		if !contains(rawQuery, b) && !bytes.Contains(body, []byte(b)) {
			return b
		}
	}
}

// contains reports whether sub is within s.
func contains[S string | []byte](s S, sub string) bool {
	switch s := any(s).(type) {
	case string:
		return strings.Contains(s, sub)
	case []byte:
		return bytes.Contains(s, []byte(sub))
	}
	return false
}

// Untunnel reverses Tunnel on the server side. For a POST carrying
// X-HTTP-Method-Override it returns the overriding method (upper-cased),
// the tunnelled query string (appended after any query already in the URL)
// and the JSON body, nil when there is none. Any other request comes back
// as r.Method, r.URL.RawQuery and its body (nil when empty).
//
// Untunnel reads and consumes r.Body.
func Untunnel(r *http.Request) (method, rawQuery string, body []byte, err error) {
	if r.Body != nil {
		body, err = io.ReadAll(r.Body)
		if err != nil {
			return "", "", nil, fmt.Errorf("restli: reading request body: %w", err)
		}
	}
	if len(body) == 0 {
		body = nil
	}
	override := strings.TrimSpace(r.Header.Get(HeaderMethodOverride))
	if r.Method != http.MethodPost || override == "" {
		return r.Method, r.URL.RawQuery, body, nil
	}
	method = strings.ToUpper(override)
	join := func(q string) string {
		switch {
		case r.URL.RawQuery == "":
			return q
		case q == "":
			return r.URL.RawQuery
		}
		return r.URL.RawQuery + "&" + q
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return method, join(string(body)), nil, nil
	}
	mediaType, params, err := mime.ParseMediaType(ct)
	if err != nil {
		return "", "", nil, fmt.Errorf("restli: tunnelled request: %w", err)
	}
	switch mediaType {
	case ContentTypeForm:
		return method, join(string(body)), nil, nil
	case ContentTypeMultipart:
		q, b, err := splitMultipart(body, params["boundary"])
		if err != nil {
			return "", "", nil, err
		}
		return method, join(q), b, nil
	}
	return "", "", nil, fmt.Errorf("restli: tunnelled request has unsupported Content-Type %q", ct)
}

// splitMultipart returns the form-encoded part(s) as a query string and the
// other part as the body.
func splitMultipart(data []byte, boundary string) (query string, body []byte, err error) {
	if boundary == "" {
		return "", nil, errors.New("restli: tunnelled multipart request without boundary")
	}
	mr := multipart.NewReader(bytes.NewReader(data), boundary)
	var queries []string
	for {
		part, err := mr.NextRawPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return "", nil, fmt.Errorf("restli: tunnelled multipart body: %w", err)
		}
		content, err := io.ReadAll(part)
		if err != nil {
			return "", nil, fmt.Errorf("restli: tunnelled multipart body: %w", err)
		}
		mt, _, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		if mt == ContentTypeForm {
			queries = append(queries, string(content))
			continue
		}
		if body != nil {
			return "", nil, errors.New("restli: tunnelled multipart body has more than one body part")
		}
		body = content
	}
	if len(queries) == 0 {
		return "", nil, errors.New("restli: tunnelled multipart body has no form-encoded part")
	}
	return strings.Join(queries, "&"), body, nil
}
