package pgtest

import (
	"errors"

	"github.com/rscgo/rscgo/fleet/pgstore"
)

// Refusal says whether err is nil ("ok"), refuses a customer id
// ("refused": it wraps pgstore.ErrInvalidCustomerID) or is another error
// (its message), for tables of customer ids.
func Refusal(err error) string {
	switch {
	case err == nil:
		return "ok"
	case errors.Is(err, pgstore.ErrInvalidCustomerID):
		return "refused"
	}
	return err.Error()
}
