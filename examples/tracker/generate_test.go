package tracker

import (
	"context"
	"crypto/sha256"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rscgo/rscgo/rsc/rsctest"
)

// digest hashes every row of every table.
func digest(t *testing.T, db *DB) string {
	t.Helper()
	h := sha256.New()
	for _, table := range []string{"settings", "users", "jobs", "candidates", "placements", "placement_stages", "activities"} {
		order := "id"
		if table == "settings" {
			order = "key"
		}
		rows, err := db.SQL().Query(`SELECT * FROM ` + table + ` ORDER BY ` + order)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(h, "%s %v\n", table, vals)
		}
		rows.Close()
	}
	return fmt.Sprintf("%x", h.Sum(nil))
}

func TestGenerateDeterministic(t *testing.T) {
	opts := GenerateOptions{Candidates: 300, Seed: 42, BadRecords: 0.05}
	db1, res1 := generateTest(t, opts)
	db2, res2 := generateTest(t, opts)
	if res1 != res2 {
		t.Errorf("results differ: %+v vs %+v", res1, res2)
	}
	if d1, d2 := digest(t, db1), digest(t, db2); d1 != d2 {
		t.Errorf("same seed, different data: %s vs %s", d1, d2)
	}
	opts.Seed = 43
	db3, _ := generateTest(t, opts)
	if digest(t, db1) == digest(t, db3) {
		t.Error("different seeds gave the same data")
	}
}

func TestGenerateShape(t *testing.T) {
	const n = 2000
	db, res := generateTest(t, GenerateOptions{Candidates: n, Seed: 7})
	ctx := context.Background()
	if res.Candidates != n || res.Jobs != n/20 || res.Activities != n || res.Users != 5 {
		t.Errorf("result %+v", res)
	}
	if res.Placements < n/2*9/10 || res.Placements > n/2 {
		t.Errorf("placements = %d, want about %d", res.Placements, n/2)
	}
	count := func(q string, args ...any) int {
		t.Helper()
		var c int
		if err := db.SQL().QueryRowContext(ctx, q, args...).Scan(&c); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
		return c
	}
	if got := count(`SELECT COUNT(*) FROM placement_stages`); got != res.Stages {
		t.Errorf("stages in table = %d, result says %d", got, res.Stages)
	}
	if c := count(`SELECT COUNT(*) FROM (SELECT placement_id, COUNT(*) AS k FROM placement_stages GROUP BY placement_id) WHERE k < 1 OR k > 5`); c != 0 {
		t.Errorf("%d placements with a stage count outside 1-5", c)
	}
	if c := count(`SELECT COUNT(*) FROM placements p WHERE NOT EXISTS (SELECT 1 FROM placement_stages s WHERE s.placement_id = p.id)`); c != 0 {
		t.Errorf("%d placements without stages", c)
	}
	for _, st := range []string{"Shortlisted", "Submitted", "Phone Screen", "Onsite Interview", "Offer Extended", "Placed", "Rejected"} {
		if count(`SELECT COUNT(*) FROM placement_stages WHERE stage = ?`, st) == 0 {
			t.Errorf("no stage %q generated", st)
		}
	}
	if c := count(`SELECT COUNT(*) FROM placement_stages WHERE stage = 'Not Available' OR stage = ''`); c != 0 {
		t.Errorf("%d forbidden stage names", c)
	}
	if c := count(`SELECT COUNT(*) FROM jobs WHERE length(description) < 100 OR length(title) > 200`); c != 0 {
		t.Errorf("%d jobs break LinkedIn's length rules without BadRecords", c)
	}
	if open, closed := count(`SELECT COUNT(*) FROM jobs WHERE status = 'open'`), count(`SELECT COUNT(*) FROM jobs WHERE status = 'closed'`); open == 0 || closed == 0 {
		t.Errorf("open %d, closed %d jobs: want both", open, closed)
	}
	if c := count(`SELECT COUNT(*) FROM jobs WHERE length(location) - length(replace(location, ',', '')) != 2`); c != 0 {
		t.Errorf("%d job locations not in CITY, STATE, COUNTRY form", c)
	}
	now, start := testNow.UnixMilli(), testNow.AddDate(-3, 0, 0).UnixMilli()
	for _, table := range []string{"jobs", "candidates", "placements", "activities"} {
		if c := count(`SELECT COUNT(*) FROM `+table+` WHERE modified_at > ? OR modified_at < created_at OR created_at < ?`, now, start-msDay); c != 0 {
			t.Errorf("%s: %d rows with times outside the history or modified before created", table, c)
		}
	}
	if c := count(`SELECT COUNT(*) FROM placement_stages s JOIN placements p ON p.id = s.placement_id WHERE s.created_at < p.created_at OR s.created_at > p.modified_at`); c != 0 {
		t.Errorf("%d stages outside their placement's lifetime", c)
	}
	kinds := map[string]int{}
	rows, err := db.SQL().Query(`SELECT kind, COUNT(*) FROM activities GROUP BY kind`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var k string
		var c int
		rows.Scan(&k, &c)
		kinds[k] = c
	}
	rows.Close()
	for _, k := range []string{"candidate_note", "placement_note", "interview_feedback"} {
		if kinds[k] == 0 {
			t.Errorf("no %s activities: %v", k, kinds)
		}
	}
	emailRE := regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	rows, err = db.SQL().Query(`SELECT email FROM candidates`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var e string
		rows.Scan(&e)
		if !emailRE.MatchString(e) || !strings.Contains(e, "example.") {
			t.Errorf("bad email %q without BadRecords", e)
		}
	}
	rows.Close()
	if err := func() error { _, err := Generate(ctx, db, GenerateOptions{Candidates: 1}); return err }(); err != ErrNotEmpty {
		t.Errorf("Generate on a full database: %v, want ErrNotEmpty", err)
	}
	if org, _ := db.Setting(ctx, "org"); org != testOrg {
		t.Errorf("org setting = %q", org)
	}
}

func TestGenerateBadRecords(t *testing.T) {
	db, res := generateTest(t, GenerateOptions{Candidates: 1000, Seed: 3, BadRecords: 0.05})
	if res.BadCandidates < 20 || res.BadCandidates > 90 {
		t.Errorf("BadCandidates = %d, want about 50", res.BadCandidates)
	}
	emailRE := regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
	var bad int
	rows, err := db.SQL().Query(`SELECT email FROM candidates`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var e string
		rows.Scan(&e)
		if !emailRE.MatchString(e) {
			bad++
		}
	}
	rows.Close()
	if bad != res.BadCandidates {
		t.Errorf("%d emails fail X@X.X, result says %d", bad, res.BadCandidates)
	}
	var short int
	db.SQL().QueryRow(`SELECT COUNT(*) FROM jobs WHERE length(description) < 100`).Scan(&short)
	if short != res.BadJobs {
		t.Errorf("%d short descriptions, result says %d", short, res.BadJobs)
	}
}

// The history spans three years, so a two-year historical sync leaves
// records out, and the Source excludes exactly those.
func TestTwoYearWindow(t *testing.T) {
	db, _ := generateTest(t, GenerateOptions{Candidates: 1000, Seed: 11})
	ctx := context.Background()
	src := newSource(t, db, Config{IntegrationContext: testOrg})
	since := testNow.AddDate(-2, 0, 0)
	cutoff := since.UnixMilli()
	tot, err := src.Totals(ctx, since)
	if err != nil {
		t.Fatal(err)
	}
	all, err := src.Totals(ctx, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		table    string
		inWindow int64
		all      int64
		streamed func() (n int, oldest time.Time)
	}{
		{"jobs", tot.Jobs, all.Jobs, func() (int, time.Time) {
			return countStream(t, src.Jobs(ctx, cursorAt(since)), func(j jobT) time.Time { return j.ModifiedAt })
		}},
		{"candidates", tot.Candidates, all.Candidates, func() (int, time.Time) {
			return countStream(t, src.Candidates(ctx, cursorAt(since)), func(c candT) time.Time { return c.ModifiedAt })
		}},
		{"placements", tot.Applications, all.Applications, func() (int, time.Time) {
			return countStream(t, src.Applications(ctx, cursorAt(since)), func(p placementT) time.Time { return p.ModifiedAt })
		}},
		{"activities", tot.Activities, all.Activities, func() (int, time.Time) {
			return countStream(t, src.Activities(ctx, cursorAt(since)), func(a activityT) time.Time { return a.ModifiedAt })
		}},
	} {
		var old, recent int64
		db.SQL().QueryRow(`SELECT COUNT(*) FROM `+c.table+` WHERE modified_at < ?`, cutoff).Scan(&old)
		db.SQL().QueryRow(`SELECT COUNT(*) FROM `+c.table+` WHERE modified_at >= ?`, cutoff).Scan(&recent)
		if old == 0 {
			t.Errorf("%s: no record older than two years", c.table)
		}
		if c.inWindow != recent || c.all != old+recent {
			t.Errorf("%s: Totals %d in window, %d in all; SQL says %d and %d", c.table, c.inWindow, c.all, recent, old+recent)
		}
		n, oldest := c.streamed()
		if int64(n) != recent {
			t.Errorf("%s: streamed %d records since %v, want %d", c.table, n, since, recent)
		}
		if oldest.Before(since) {
			t.Errorf("%s: streamed a record modified %v, before the window", c.table, oldest)
		}
		t.Logf("%s: %d in the two-year window, %d older", c.table, recent, old)
	}
}

func countStream[T any](t *testing.T, seq func(func(T, error) bool), mod func(T) time.Time) (int, time.Time) {
	t.Helper()
	n := 0
	var oldest time.Time
	var times []time.Time
	for r, err := range seq {
		if err != nil {
			t.Fatal(err)
		}
		n++
		m := mod(r)
		if oldest.IsZero() || m.Before(oldest) {
			oldest = m
		}
		times = append(times, m)
	}
	if !slices.IsSortedFunc(times, func(a, b time.Time) int { return a.Compare(b) }) {
		t.Error("stream not in time order")
	}
	return n, oldest
}

// However few jobs a small dataset has, and however many are invalid, the
// newest is open with a valid description: the demo exports a member to it.
func TestGenerateNewestJobOpenAndValid(t *testing.T) {
	for _, opts := range []GenerateOptions{
		{Candidates: 20, Seed: 1, BadRecords: 0.5},
		{Candidates: 300, Seed: 1, BadRecords: 0.01},
		{Candidates: 300, Seed: 9, BadRecords: 0.9},
	} {
		db, _ := generateTest(t, opts)
		var status string
		var descLen int
		if err := db.SQL().QueryRow(`SELECT status, length(description) FROM jobs ORDER BY created_at DESC, id DESC LIMIT 1`).Scan(&status, &descLen); err != nil {
			t.Fatal(err)
		}
		if status != "open" || descLen < 100 {
			t.Errorf("%+v: newest job %s with a %d-character description, want open and at least 100", opts, status, descLen)
		}
	}
}

// Without GenerateOptions.Now, the history ends at the database's clock,
// the clock every later write stamps with, not at the time package's.
func TestGenerateEndsAtTheDatabaseClock(t *testing.T) {
	end := time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)
	db := openTest(t, WithClock(rsctest.NewFakeClock(end)))
	if _, err := Generate(t.Context(), db, GenerateOptions{Candidates: 40, Seed: 1, Span: 24 * time.Hour}); err != nil {
		t.Fatal(err)
	}
	var first, last int64
	if err := db.SQL().QueryRow(`SELECT MIN(created_at), MAX(modified_at) FROM candidates`).Scan(&first, &last); err != nil {
		t.Fatal(err)
	}
	if got := [2]time.Time{fromMS(first), fromMS(last)}; got[0].Compare(end.Add(-24*time.Hour)) <= 0 || got[1].After(end) {
		t.Errorf("candidates created from %v, modified until %v; want all in (%v, %v]", got[0], got[1], end.Add(-24*time.Hour), end)
	}
}
