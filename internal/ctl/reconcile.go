package ctl

import (
	"context"
	"fmt"

	rscsync "github.com/rscgo/rscgo/sync"
)

// reconcile runs the content reconciliation of the customer (every record,
// or -sample N of each kind) in the engine, or through the ops console
// without one, and prints it; differences exit 4.
func (x *command) reconcile(ctx context.Context) error {
	id := x.args[0]
	err := x.s.known(ctx, id)
	if err != nil {
		return err
	}
	var rep *rscsync.ContentReport
	if x.c.Engine == nil {
		if x.o.sample > 0 {
			return &usageError{"-sample needs the customers' engines, which this rscctl does not hold: through -console, the reconciliation is the one the console's WithReconcile runs"}
		}
		rep, err = x.reconcileViaConsole(ctx, id)
	} else {
		var eng *rscsync.Engine
		if eng, err = x.c.Engine(ctx, id); err == nil {
			rep, err = eng.ReconcileContent(ctx, x.o.sample)
		}
	}
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
	return &notExactError{fmt.Sprintf("customer %s: LinkedIn differs from the ATS: %d missing, %d extra, %d stale", shown(id), missing, extra, stale)}
}
