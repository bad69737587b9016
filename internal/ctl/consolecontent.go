package ctl

import (
	"context"
	"fmt"
	"html"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	rscsync "github.com/rscgo/rscgo/sync"
)

// reconcileViaConsole has the ops console run the customer's content
// reconciliation (its reconcile form) and reads the result from the
// customer's page, where the console shows it.
func (x *command) reconcileViaConsole(ctx context.Context, id string) (*rscsync.ContentReport, error) {
	cs, err := x.openConsole(ctx, "reconcile", id, "reconcile", "WithReconcile")
	if err != nil {
		return nil, err
	}
	if _, err := cs.post(ctx, "reconcile", url.Values{}); err != nil {
		return nil, err
	}
	page, err := cs.page(ctx)
	if err != nil {
		return nil, err
	}
	rep, err := parseContent(page)
	if err != nil {
		return nil, fmt.Errorf("the console's page of %s: %w", shown(id), err)
	}
	rep.CustomerID = id
	return rep, nil
}

var (
	checkedAtRE = regexp.MustCompile(`<p id="content-summary">Checked ([^:<]+:[^:<]+:[^:<]+):`)
	kindRowRE   = regexp.MustCompile(`(?s)<tr class="kind" data-kind="([^"]*)"><td>[^<]*</td>(.*?)</tr>`)
	uncheckedRE = regexp.MustCompile(`^<td colspan="6">not checked: (.*)</td>$`)
	countsRE    = regexp.MustCompile(`(?s)^<td>(\d+)</td><td>(\d+)</td><td class="missing">(\d+)</td><td class="stale">(\d+)</td><td class="extra">(\d+)</td>\s*<td>(.*)</td>$`)
)

// parseContent reads the content reconciliation the console's customer
// page shows (its table "content": per kind the counts and the keys
// missing, stale and extra).
func parseContent(page string) (*rscsync.ContentReport, error) {
	rep := &rscsync.ContentReport{}
	if m := checkedAtRE.FindStringSubmatch(page); m != nil {
		rep.CheckedAt, _ = time.Parse("2006-01-02 15:04:05 MST", m[1])
	}
	rows := kindRowRE.FindAllStringSubmatch(page, -1)
	if len(rows) == 0 {
		return nil, fmt.Errorf("no content reconciliation shown")
	}
	for _, row := range rows {
		k := rscsync.KindContent{Kind: rscsync.EntityKind(html.UnescapeString(row[1]))}
		if m := uncheckedRE.FindStringSubmatch(row[2]); m != nil {
			k.Unchecked = html.UnescapeString(m[1])
			rep.Kinds = append(rep.Kinds, k)
			continue
		}
		m := countsRE.FindStringSubmatch(row[2])
		if m == nil {
			return nil, fmt.Errorf("the reconciliation of %s is not in a form rscctl reads", k.Kind)
		}
		for i, p := range []*int64{&k.Checked, &k.Equal, &k.Missing, &k.Stale, &k.Extra} {
			*p, _ = strconv.ParseInt(m[i+1], 10, 64)
		}
		readKeys(&k, m[6])
		rep.Kinds = append(rep.Kinds, k)
	}
	return rep, nil
}

// readKeys reads the keys of a kind's row: "missing: K, K<br>stale: K (F,
// F); K (F)<br>extra: K, K". A key holding ", " or "; " is read as two.
func readKeys(k *rscsync.KindContent, cell string) {
	for part := range strings.SplitSeq(cell, "<br>") {
		part = html.UnescapeString(part)
		switch {
		case strings.HasPrefix(part, "missing: "):
			k.MissingKeys = strings.Split(strings.TrimPrefix(part, "missing: "), ", ")
		case strings.HasPrefix(part, "extra: "):
			k.ExtraKeys = strings.Split(strings.TrimPrefix(part, "extra: "), ", ")
		case strings.HasPrefix(part, "stale: "):
			for rec := range strings.SplitSeq(strings.TrimPrefix(part, "stale: "), "; ") {
				key, fields, _ := strings.Cut(strings.TrimSuffix(rec, ")"), " (")
				k.StaleRecords = append(k.StaleRecords, rscsync.Stale{Key: key, Fields: strings.Split(fields, ", ")})
			}
		}
	}
}
