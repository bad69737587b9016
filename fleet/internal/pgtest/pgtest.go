// Package pgtest gives tests a PostgreSQL database of their own.
//
// The server comes from RSCGO_POSTGRES_URL. When it is unset, a throwaway
// cluster is started from a local PostgreSQL installation (initdb in a
// temporary directory, a loopback port, removed when the test binary ends);
// when no installation is found the test is skipped with a message saying
// how to run it, except under CI=true, where a missing server fails the
// test. Every call of DB creates a new database, dropped when the test ends,
// so tests are independent and may run in parallel. Create makes and drops
// such a database without a test, for a program such as a benchmark.
// NewCluster gives a test a throwaway cluster of its own, which it may
// crash and start again.
//
// A package using DB must end its tests through Main:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
package pgtest

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL is the environment variable naming the server tests use.
const EnvURL = "RSCGO_POSTGRES_URL"

// howTo says how to run the skipped tests.
const howTo = "PostgreSQL tests skipped: set " + EnvURL +
	"=postgres://USER@HOST:PORT/DB?sslmode=disable, or install PostgreSQL (initdb on PATH or under /usr/lib/postgresql/<version>/bin) for a throwaway cluster"

var server struct {
	once    sync.Once
	url     string // the server's admin URL; "" with err or skip
	skip    string // why there is no server
	err     error
	cluster *cluster
}

// Main runs the tests and then stops the throwaway cluster, if one was
// started. It does not return.
func Main(m *testing.M) {
	code := m.Run()
	if c := server.cluster; c != nil {
		if err := c.stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
	}
	os.Exit(code)
}

// ServerURL returns the URL of the server's maintenance database, starting
// the throwaway cluster on first use. Tests that need a database should
// call DB instead.
func ServerURL(t testing.TB) string {
	t.Helper()
	server.once.Do(func() {
		if u := os.Getenv(EnvURL); u != "" {
			server.url = u
			return
		}
		bin, ok := findBin()
		if !ok {
			server.skip = howTo
			return
		}
		server.cluster, server.err = startCluster(bin)
		if server.err == nil {
			server.url = server.cluster.url
		}
	})
	switch {
	case server.err != nil:
		t.Fatalf("pgtest: %v", server.err)
	case server.skip != "" && os.Getenv("CI") == "true":
		t.Fatalf("pgtest: CI=true and no PostgreSQL: %s", server.skip)
	case server.skip != "":
		t.Skip(server.skip)
	}
	return server.url
}

// DB creates a new, empty database on the server and returns its URL. The
// database is dropped when the test ends.
func DB(t testing.TB) string {
	t.Helper()
	u, drop, err := Create(context.Background(), ServerURL(t), "rscgo_test_")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := drop(context.Background()); err != nil {
			t.Error(err)
		}
	})
	return u
}

// WithSearchPath returns dbURL with its connections' search_path set to
// path (a run-time parameter; pgx keeps a "+" as it is: write no spaces).
func WithSearchPath(t testing.TB, dbURL, path string) string {
	t.Helper()
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", path)
	u.RawQuery = q.Encode()
	return u.String()
}

// Create creates a new, empty database on the server of adminURL (the URL
// of a database there, as ServerURL returns, whose user may create
// databases), named prefix followed by 12 random hexadecimal digits, and
// returns its URL and a function dropping it, closing the connections
// still open to it. It needs no test: a program (a benchmark) can use it.
func Create(ctx context.Context, adminURL, prefix string) (dbURL string, drop func(context.Context) error, err error) {
	u, err := url.Parse(adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("pgtest: the server's URL is not a URL: %w", err)
	}
	conn, err := pgx.Connect(ctx, adminURL)
	if err != nil {
		return "", nil, fmt.Errorf("pgtest: connecting to the server: %w", err)
	}
	defer conn.Close(ctx)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := prefix + hex.EncodeToString(b[:])
	ident := pgx.Identifier{name}.Sanitize()
	if _, err := conn.Exec(ctx, "create database "+ident); err != nil {
		return "", nil, fmt.Errorf("pgtest: creating database %s: %w", name, err)
	}
	drop = func(ctx context.Context) error {
		c, err := pgx.Connect(ctx, adminURL)
		if err == nil {
			defer c.Close(ctx)
			_, err = c.Exec(ctx, "drop database if exists "+ident+" with (force)")
		}
		if err != nil {
			return fmt.Errorf("pgtest: dropping %s: %w", name, err)
		}
		return nil
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

// findBin returns the directory holding initdb and pg_ctl: PATH first,
// then the newest /usr/lib/postgresql/<version>/bin (Debian's layout).
func findBin() (string, bool) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if _, err := exec.LookPath("pg_ctl"); err == nil {
			return filepath.Dir(p), true
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	slices.SortFunc(dirs, func(a, b string) int { return version(b) - version(a) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, true
		}
	}
	return "", false
}

// version is the major version in /usr/lib/postgresql/<version>/bin.
func version(dir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(dir)))
	return v
}

// cluster is a throwaway PostgreSQL cluster.
type cluster struct {
	bin, dir string
	asUser   string // "postgres" when running as root
	opts     string // the server's options (pg_ctl -o)
	url      string
}

// startCluster creates and starts a cluster in a new temporary directory
// on a free loopback port, with durability off (it is thrown away).
func startCluster(bin string) (*cluster, error) {
	c, err := newCluster(bin, "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
	if err != nil {
		return nil, err
	}
	if err := c.start(); err != nil {
		os.RemoveAll(c.dir)
		return nil, err
	}
	return c, nil
}

// newCluster creates a cluster, not started, in a new temporary directory,
// to run on a free loopback port with the server options opts.
func newCluster(bin, opts string) (*cluster, error) {
	dir, err := os.MkdirTemp("", "rscgo-pg-")
	if err != nil {
		return nil, err
	}
	c := &cluster{bin: bin, dir: dir}
	if os.Geteuid() == 0 { // PostgreSQL refuses to run as root
		c.asUser = "postgres"
		if out, err := exec.Command("chown", c.asUser, dir).CombinedOutput(); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("chown %s %s: %v: %s", c.asUser, dir, err, out)
		}
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	if err := c.run("initdb", "-D", filepath.Join(dir, "data"), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	c.opts = fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 %s", port, dir, opts)
	c.url = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)
	return c, nil
}

// start starts the cluster's server and waits until it accepts connections.
func (c *cluster) start() error {
	if err := c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-w", "-t", "60", "-l", filepath.Join(c.dir, "log"), "-o", c.opts, "start"); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		return fmt.Errorf("%v\n%s", err, log)
	}
	return nil
}

// Cluster is a throwaway PostgreSQL cluster of one test's own, which the
// test may crash and start again (to test how its code survives a server
// restart) without disturbing the other tests' server. Its commits are
// durable across a crash (synchronous_commit stays on; fsync is off, as
// the machine does not crash).
type Cluster struct {
	c *cluster
	// URL is the URL of the cluster's maintenance database, as ServerURL's.
	URL string
}

// NewCluster creates and starts a cluster for t, stopped and removed when
// t ends. It needs a local PostgreSQL installation (initdb and pg_ctl on
// PATH or under /usr/lib/postgresql/<version>/bin), whatever EnvURL says:
// without one the test is skipped, or fails under CI=true.
func NewCluster(t testing.TB) *Cluster {
	t.Helper()
	bin, ok := findBin()
	switch {
	case !ok && os.Getenv("CI") == "true":
		t.Fatal("pgtest: CI=true and no PostgreSQL installation (initdb, pg_ctl) for a cluster of the test's own")
	case !ok:
		t.Skip("pgtest: a test that restarts PostgreSQL needs a local installation (initdb and pg_ctl on PATH or under /usr/lib/postgresql/<version>/bin) for a cluster of its own")
	}
	c, err := newCluster(bin, "-c fsync=off -c full_page_writes=off")
	if err == nil {
		err = c.start()
		if err != nil {
			os.RemoveAll(c.dir)
		}
	}
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		if err := c.stop(); err != nil {
			t.Errorf("pgtest: %v", err)
		}
	})
	return &Cluster{c: c, URL: c.url}
}

// Crash stops the server at once, as a crash does (pg_ctl -m immediate):
// its sessions end without a word, and it recovers from its WAL when
// started again.
func (c *Cluster) Crash(t testing.TB) {
	t.Helper()
	if err := c.c.run("pg_ctl", "-D", filepath.Join(c.c.dir, "data"), "-m", "immediate", "-w", "stop"); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
}

// Start starts the server again after Crash, and waits until it accepts
// connections.
func (c *Cluster) Start(t testing.TB) {
	t.Helper()
	if err := c.c.start(); err != nil {
		t.Fatalf("pgtest: %v", err)
	}
}

// stop stops the cluster at once, unless it is stopped, and removes its
// directory.
func (c *cluster) stop() error {
	var err error
	if _, statErr := os.Stat(filepath.Join(c.dir, "data", "postmaster.pid")); statErr == nil {
		err = c.run("pg_ctl", "-D", filepath.Join(c.dir, "data"), "-m", "immediate", "-w", "stop")
	}
	return errors.Join(err, os.RemoveAll(c.dir))
}

// run runs a PostgreSQL program, as c.asUser when set.
func (c *cluster) run(prog string, args ...string) error {
	path := filepath.Join(c.bin, prog)
	// pg_ctl -w has its own timeout; this one is a last resort.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var cmd *exec.Cmd
	if c.asUser != "" {
		cmd = exec.CommandContext(ctx, "runuser", append([]string{"-u", c.asUser, "--", path}, args...)...)
	} else {
		cmd = exec.CommandContext(ctx, path, args...)
	}
	cmd.Dir = c.dir
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("%s: %v: %s", prog, err, out)
	}
	return nil
}

// freePort returns a loopback TCP port nothing listens on right now.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// Incompressible returns n hexadecimal digits (the SHA-256 digests of 0,
// 1, 2, ...) that PostgreSQL cannot compress, so that they take n bytes
// in an index entry: a test of its index entry limit (2,704 bytes) needs
// them, as a repetitive string of any length would fit once compressed.
func Incompressible(n int) string {
	var b strings.Builder
	for i := 0; b.Len() < n; i++ {
		sum := sha256.Sum256([]byte(strconv.Itoa(i)))
		b.WriteString(hex.EncodeToString(sum[:]))
	}
	return b.String()[:n]
}
