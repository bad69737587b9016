package pgstore

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"
)

// MaxCustomerIDLen is the longest customer id, in bytes, that the stores
// of this package accept, and with them package lease and package
// riverrun (whose Enqueue refuses a longer one, rather than enqueue a job
// that could never run).
//
// Every table keys its rows by the customer id: PostgreSQL refuses an
// index entry over 2,704 bytes, which an id alone that does not compress
// reaches at 2,692 bytes, and the dead letters' index holds the customer
// id beside a dead letter's key of up to 1,024 bytes, which leaves 1,664.
// 1,024 bytes keep a margin under both, and leave over 1,600 bytes to
// the other columns of the indexes (a checkpoint's job and task ids). The
// onboarding package accepts 100 bytes at most.
const MaxCustomerIDLen = 1024

// ErrInvalidCustomerID is wrapped by the error of every method of this
// package, package lease and package riverrun that refuses a customer id
// that CheckCustomerID refuses.
var ErrInvalidCustomerID = errors.New("pgstore: invalid customer id")

// CheckCustomerID returns nil when the stores can keep id as a customer
// id, and otherwise an error wrapping ErrInvalidCustomerID that says why:
// id is empty, longer than MaxCustomerIDLen bytes, not valid UTF-8, or
// holds NUL (PostgreSQL's text and jsonb can hold neither of the last two,
// and River's job arguments, which are JSON, would change an id that is
// not valid UTF-8 into another one). Every store of this package calls it
// before it reads or writes anything, so a customer id is refused at
// once, never after a slice sent its batches.
func CheckCustomerID(id string) error {
	var why string
	switch {
	case id == "":
		return fmt.Errorf("%w: empty", ErrInvalidCustomerID)
	case len(id) > MaxCustomerIDLen:
		why = fmt.Sprintf("%d bytes, longer than pgstore.MaxCustomerIDLen (%d bytes)", len(id), MaxCustomerIDLen)
	case !utf8.ValidString(id):
		why = "not valid UTF-8"
	case strings.IndexByte(id, 0) >= 0:
		why = "holds NUL"
	default:
		return nil
	}
	return fmt.Errorf("%w %s: %s", ErrInvalidCustomerID, quoteStart(id), why)
}

// quoteStart quotes id, cut after its first 40 characters (an invalid
// byte counts as one), so that an error never holds a long id whole.
func quoteStart(id string) string {
	const shown = 40
	q := fmt.Sprintf("%.*q", shown, id)
	if utf8.RuneCountInString(id) > shown {
		q += "…"
	}
	return q
}
