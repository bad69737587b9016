package ctl

import (
	"context"
	"fmt"
)

// reconcile runs the content reconciliation of the customer (every record,
// or -sample N of each kind) and prints it; differences exit 4.
func (x *command) reconcile(ctx context.Context) error {
	id := x.args[0]
	if err := x.s.known(ctx, id); err != nil {
		return err
	}
	eng, err := x.engine(ctx, id, "reconcile")
	if err != nil {
		return err
	}
	rep, err := eng.ReconcileContent(ctx, x.o.sample)
	if err != nil {
		return err
	}
	if x.o.json {
		err = jsonLines(x.c.Stdout, []any{rep})
	} else {
		err = rep.WriteText(x.c.Stdout)
	}
	if err != nil || !rep.Differs() {
		return err
	}
	var missing, extra, stale int64
	for _, k := range rep.Kinds {
		missing, extra, stale = missing+k.Missing, extra+k.Extra, stale+k.Stale
	}
	return &notExactError{fmt.Sprintf("customer %q: LinkedIn differs from the ATS: %d missing, %d extra, %d stale", id, missing, extra, stale)}
}
