package ctl

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// dismiss deletes dead letters the operator names without sending them:
// records the ATS holds wrong and that nobody will fix soon, or resync
// requests no longer wanted. The sync's watermark is past a dismissed
// record, so it goes to LinkedIn again only when the ATS changes it, or
// with a resync of its phase. A deletion (DeadLetter.Delete) is refused:
// dismissed, it would leave on LinkedIn a record the ATS deleted, so it
// stays until LinkedIn acknowledges it (dead retry).
func (x *command) dismiss(ctx context.Context) error {
	id := x.args[0]
	if !x.o.yes {
		return &usageError{"dead dismiss deletes dead letters without sending them: add -yes"}
	}
	keys, err := x.deadKeys(ctx, "dead dismiss", id, x.args[1:])
	if err != nil {
		return err
	}
	dls, err := x.s.deadLetters(ctx, id)
	if err != nil {
		return err
	}
	held := make(map[string]deadLine, len(dls))
	for _, d := range dls {
		held[d.Key] = d
	}
	for i, k := range keys { // every key checked before anything is deleted
		d, ok := held[k]
		switch {
		case !ok:
			return &notFoundError{fmt.Sprintf("customer %s has no dead letter %s", shown(id), shown(x.args[1+i]))}
		case d.Delete:
			return &usageError{fmt.Sprintf("dead dismiss: %s is a deletion, which stays until LinkedIn acknowledges it (dead retry): dismissed, it would leave on LinkedIn a record the ATS deleted", shown(k))}
		}
	}
	keys = slices.Compact(slices.Sorted(slices.Values(keys))) // one named twice (a bare id and its key, say) goes once
	var lines []map[string]any
	for _, k := range keys {
		if err := x.s.DeadLetters.Delete(ctx, id, k); err != nil {
			return fmt.Errorf("dismissing %s: %w", shown(k), err)
		}
		lines = append(lines, map[string]any{"customer": id, "key": k, "dismissed": true})
	}
	if x.o.json {
		return jsonLines(x.c.Stdout, lines)
	}
	fmt.Fprintf(x.c.Stdout, "customer %s: %s dismissed (%s); a record goes again when the ATS changes it, or with a resync of its phase\n",
		id, count(len(keys), "dead letter"), strings.Join(keys, ", "))
	return nil
}
