package pgtest

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { Main(m) }

// TestDBsAreSeparate checks that each DB call gives a new, empty database.
func TestDBsAreSeparate(t *testing.T) {
	ctx := context.Background()
	a, b := DB(t), DB(t)
	if a == b {
		t.Fatalf("DB returned %s twice", a)
	}
	ca, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer ca.Close(ctx)
	if _, err := ca.Exec(ctx, "create table x (v int)"); err != nil {
		t.Fatal(err)
	}
	cb, err := pgx.Connect(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close(ctx)
	var n int
	if err := cb.QueryRow(ctx, "select count(*) from pg_tables where tablename = 'x'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != 0 {
		t.Errorf("table x created in %s is visible in %s", a, b)
	}
}

// TestCreate checks that Create makes a database named by its prefix,
// that its drop removes it even with a connection still open, and that a
// second drop finds nothing to do.
func TestCreate(t *testing.T) {
	ctx := context.Background()
	admin := ServerURL(t)
	u, drop, err := Create(ctx, admin, "rscgo_create_")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = drop(ctx) }) // should the test stop before its drop
	pu, err := url.Parse(u)
	if err != nil {
		t.Fatal(err)
	}
	name, ok := strings.CutPrefix(pu.Path, "/rscgo_create_")
	if !ok || len(name) != 12 {
		t.Errorf("database URL %s, want the path /rscgo_create_ and 12 hex digits", u)
	}
	name = strings.TrimPrefix(pu.Path, "/")
	exists := func() bool {
		t.Helper()
		c, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		var n int
		if err := c.QueryRow(ctx, "select count(*) from pg_database where datname = $1", name).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	open, err := pgx.Connect(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	defer open.Close(ctx)
	if !exists() {
		t.Fatalf("no database %s after Create", name)
	}
	if err := drop(ctx); err != nil {
		t.Fatalf("drop with a connection open: %v", err)
	}
	if exists() {
		t.Errorf("database %s still there after drop", name)
	}
	if err := drop(ctx); err != nil {
		t.Errorf("second drop: %v", err)
	}
	if _, _, err := Create(ctx, "postgres://nobody@127.0.0.1:1/none?sslmode=disable&connect_timeout=5", "rscgo_create_"); err == nil {
		t.Errorf("Create on a server that does not answer: no error")
	}
}

// TestClusterCrash: a test's own cluster goes down at Crash and comes
// back at Start, with what was committed before the crash.
func TestClusterCrash(t *testing.T) {
	ctx := t.Context()
	c := NewCluster(t)
	conn, err := pgx.Connect(ctx, c.URL)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.Exec(ctx, "create table kept (v int); insert into kept values (42)"); err != nil {
		t.Fatal(err)
	}
	c.Crash(t)
	if err := conn.Ping(ctx); err == nil {
		t.Error("a session survived the crash")
	}
	if c2, err := pgx.Connect(ctx, c.URL); err == nil {
		c2.Close(ctx)
		t.Fatal("the server answers after the crash")
	}
	c.Start(t)
	conn, err = pgx.Connect(ctx, c.URL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var v int
	if err := conn.QueryRow(ctx, "select v from kept").Scan(&v); err != nil || v != 42 {
		t.Errorf("after the restart: %d, %v; want the row committed before the crash, 42", v, err)
	}
}
