package rsc

import "time"

// EpochMillis is a point in time as LinkedIn sends it: milliseconds since the
// Unix epoch, UTC. Every timestamp field of the RSC API uses it.
//
// Use [Millis] to convert from a time.Time; a raw int64 in seconds is a
// common ATS bug, and the client-side validation rejects values that look
// like seconds (see [ValidationError]).
type EpochMillis int64

// Millis converts t to EpochMillis. The zero time converts to 0.
func Millis(t time.Time) EpochMillis {
	if t.IsZero() {
		return 0
	}
	return EpochMillis(t.UnixMilli())
}

// Time converts m to a UTC time.Time. Zero converts to the zero time.
func (m EpochMillis) Time() time.Time {
	if m == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(m)).UTC()
}

// minPlausibleMillis is 1 March 1973 in milliseconds (1e11). A timestamp below
// it that is still positive is almost certainly seconds, not milliseconds.
const minPlausibleMillis = 100_000_000_000
