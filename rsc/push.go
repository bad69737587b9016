package rsc

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// Push event types LinkedIn POSTs to a customer's CALLBACK_URL.
const (
	EventExportCandidate   = "EXPORT_CANDIDATE_PROFILE"
	EventIntegrationStatus = "INTEGRATION_STATUS_CHANGE"
)

// SignatureHeader is the push signature header.
const SignatureHeader = "X-LI-Signature"

// PushEvent is a push notification (docs/linkedin-api.md §8.1). Fetch its payload by
// ID: Exports.Get for EXPORT_CANDIDATE_PROFILE, Integrations.ByRequest for
// INTEGRATION_STATUS_CHANGE.
type PushEvent struct {
	// ID is the request id the payload is read by; ParsePushEvent requires
	// it, under "id" or "requestId".
	ID string `json:"id"`
	// Type is the event type, EventExportCandidate or
	// EventIntegrationStatus; ParsePushEvent requires it, under "type" or
	// "eventType", but accepts any value.
	Type string `json:"type"`
	// ExpiresAt is when the request id expires, in epoch milliseconds, or
	// 0 when the body does not say. The body is our model: LinkedIn does
	// not document it (docs/linkedin-api.md §8.1).
	ExpiresAt EpochMillis `json:"expiresAt,omitempty"`
}

// ErrBadSignature is returned when a push signature does not verify.
var ErrBadSignature = errors.New("rsc: push signature does not verify")

// ParsePushEvent decodes a push body. It accepts "eventType" and "requestId"
// as aliases of "type" and "id".
func ParsePushEvent(body []byte) (PushEvent, error) {
	var raw struct {
		PushEvent
		EventType string `json:"eventType"`
		RequestID string `json:"requestId"`
	}
	if err := json.Unmarshal(body, &raw); err != nil {
		return PushEvent{}, fmt.Errorf("rsc: decoding push event: %w", err)
	}
	ev := raw.PushEvent
	if ev.Type == "" {
		ev.Type = raw.EventType
	}
	if ev.ID == "" {
		ev.ID = raw.RequestID
	}
	if ev.ID == "" || ev.Type == "" {
		return PushEvent{}, errors.New("rsc: push event without id or type")
	}
	return ev, nil
}

// SignPush returns the X-LI-Signature value for body: "hmacsha256=" and the
// hex HMAC-SHA256 of body keyed by secret.
func SignPush(body []byte, secret string) string { return "hmacsha256=" + hmacHex(body, secret) }

// hmacHex is the hex HMAC-SHA256 of msg keyed by secret: a push's
// signature and a webhook challenge's answer alike.
func hmacHex(msg []byte, secret string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(msg)
	return hex.EncodeToString(m.Sum(nil))
}

// VerifyPush checks an X-LI-Signature header's value against body in
// constant time. The value is "hmacsha256=" and the hex HMAC-SHA256 of body
// keyed by secret (docs/linkedin-api.md §8.1), its digits of either case,
// with optional spaces or tabs around it (RFC 9110, section 5.5); no other
// blank is trimmed.
func VerifyPush(body []byte, header, secret string) error {
	got, ok := strings.CutPrefix(strings.Trim(header, " \t"), "hmacsha256=")
	if !ok {
		return ErrBadSignature
	}
	want := hmacHex(body, secret)
	if !hmac.Equal([]byte(strings.ToLower(got)), []byte(want)) {
		return ErrBadSignature
	}
	return nil
}
