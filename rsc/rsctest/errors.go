package rsctest

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"reflect"
	"strconv"
	"strings"
)

// Errors returned by the simulated LinkedIn side (methods on Server and Customer).
var (
	// ErrUnknownMember means the person URN names no simulated member.
	ErrUnknownMember = errors.New("rsctest: unknown member")
	// ErrUnknownSeat means the seat is not one of the customer's seats.
	ErrUnknownSeat = errors.New("rsctest: unknown seat")
	// ErrJobNotSynced means an export named a job LinkedIn does not hold as open.
	ErrJobNotSynced = errors.New("rsctest: job not synced or closed")
	// ErrJobNotVisible means the job is access restricted and the seat is not in one of its ACLs.
	ErrJobNotVisible = errors.New("rsctest: job not visible to this seat (ACL)")
	// ErrExportQuota means the seat has used its monthly One-Click Export quota.
	ErrExportQuota = errors.New("rsctest: 300 exports per seat per month reached")
	// ErrUnknownConversation means the conversation URN is unknown to the customer.
	ErrUnknownConversation = errors.New("rsctest: unknown conversation")
	// ErrUnknownNote means the prospect note id is unknown to the customer.
	ErrUnknownNote = errors.New("rsctest: unknown prospect note")
	// ErrNoCallbackURL means a push cannot be delivered because CALLBACK_URL is not configured.
	ErrNoCallbackURL = errors.New("rsctest: customer has no CALLBACK_URL configuration")
)

// apiError is LinkedIn's standard error body.
type apiError struct {
	Message          string `json:"message"`
	ServiceErrorCode int    `json:"serviceErrorCode"`
	Status           int    `json:"status"`
}

// entityError is a per-entity error inside a batch response (docs/wire-model.md).
type entityError struct {
	Status           int    `json:"status"`
	Message          string `json:"message"`
	ServiceErrorCode int    `json:"serviceErrorCode,omitempty"`
}

func fieldErr(field, rule string) *entityError {
	return &entityError{Status: 422, Message: "ERROR :: /" + field + " :: " + rule, ServiceErrorCode: 422}
}

func statusErr(status int, msg string) *entityError {
	return &entityError{Status: status, Message: msg, ServiceErrorCode: status}
}

// writeJSON writes v as the JSON response body with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false) // keep "&" literal in 1.0 keys, as LinkedIn does
	err := enc.Encode(v)
	b := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
	if err != nil {
		status = http.StatusInternalServerError
		b = []byte(`{"message":"rsctest: encoding response failed","serviceErrorCode":500,"status":500}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// writeError writes LinkedIn's error body {"message","serviceErrorCode","status"}.
func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, apiError{Message: msg, ServiceErrorCode: status, Status: status})
}

// httpError is a request-level failure raised inside a handler.
type httpError struct {
	status int
	msg    string
}

func (e *httpError) Error() string { return e.msg }

func errf(status int, msg string) *httpError { return &httpError{status: status, msg: msg} }

// decodeDoc decodes an entity into v. A value of the wrong JSON type is a
// 422 naming the field's path in the request family's names, as Rest.li's
// validation reports it (docs/linkedin-api.md §2.4); Go's own error text
// never reaches the client.
func (c *call) decodeDoc(doc []byte, v any) *entityError { return c.decodeAt(doc, v, "") }

// decodeAt is decodeDoc for a record inside the entity, at path (its
// segments separated by "/", such as "compensation/compensations/0"; ""
// for the entity itself). A value of the wrong type is named by its path
// from the entity, which Go's decoder cannot give through arrays.
func (c *call) decodeAt(doc []byte, v any, path string) *entityError {
	err := json.Unmarshal(doc, v)
	if err == nil {
		return nil
	}
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok && (te.Field != "" || path != "") {
		field := strings.ReplaceAll(te.Field, ".", "/")
		switch {
		case path == "":
			first, rest, _ := strings.Cut(field, "/")
			field = strings.TrimSuffix(c.fname(first)+"/"+rest, "/")
		case field == "":
			field = path
		default:
			field = path + "/" + field
		}
		return fieldErr(field, "a JSON "+te.Value+" cannot be coerced to "+schemaType(te.Type))
	}
	return statusErr(http.StatusBadRequest, "entity is not a valid JSON record")
}

// decodeBody decodes the request body into v, answering Rest.li's 400
// "Error parsing entity body" without Go's error text when it cannot.
func (c *call) decodeBody(v any) bool {
	err := json.Unmarshal(c.body, v)
	if err == nil {
		return true
	}
	msg := "the body is not valid JSON"
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		msg = "/" + strings.ReplaceAll(te.Field, ".", "/") + " must be a " + schemaType(te.Type)
	}
	c.fail(http.StatusBadRequest, "Error parsing entity body: "+msg)
	return false
}

// schemaType names a Go type as a Rest.li (PDL) schema type.
func schemaType(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int64:
		return "long"
	case reflect.Int32:
		return "int"
	case reflect.Float32, reflect.Float64:
		return "double"
	case reflect.Slice, reflect.Array:
		return "array"
	}
	return "record"
}
