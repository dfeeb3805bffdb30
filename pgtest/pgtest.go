// Package pgtest gives tests a real PostgreSQL: a throwaway cluster from
// Debian's postgresql package, started once per test binary in a temporary
// directory, and a fresh database per test. Where PostgreSQL is not
// installed the tests that need it skip, except in CI (CI=true), where
// they fail: CI installs the package so they always run there.
//
// A package whose tests use it has
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m, data.Migrate)) }
//
// so the cluster is stopped when its tests end; data.Migrate makes the
// template that Migrated databases are copied from.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// The cluster is shared by every test of one test binary: starting one
// costs a second or more, a database a few milliseconds. Main stops it.
var shared struct {
	mu      sync.Mutex
	main    bool // Main is running the tests
	cluster *cluster
	err     error // why the cluster could not start; sticky
	dbs     atomic.Int64
	// migrate prepares the template; template is its database once made.
	migrate     func(ctx context.Context, dsn string) error
	template    string
	templateErr error
}

// Main runs the package's tests and stops the cluster if one was started.
// migrate, if not nil, migrates a database (given its DSN): Migrated
// databases are copies of one it migrated, which is much faster than
// migrating each.
func Main(m *testing.M, migrate func(ctx context.Context, dsn string) error) int {
	shared.mu.Lock()
	shared.main = true
	shared.migrate = migrate
	shared.mu.Unlock()
	code := m.Run()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.cluster != nil {
		shared.cluster.stop()
		shared.cluster = nil
	}
	return code
}

// errNotInstalled is the error of a machine without PostgreSQL.
var errNotInstalled = errors.New("PostgreSQL not installed: apt-get install postgresql")

// NewDatabase creates an empty database for t on the shared cluster,
// dropped when t ends, and returns its postgres:// DSN. It skips t where
// PostgreSQL is not installed (fails it with CI=true).
func NewDatabase(t testing.TB) string {
	t.Helper()
	return newDatabase(t, clusterFor(t), "template0")
}

// Migrated is NewDatabase with the schema in place: a copy of the
// database Main's migrate prepared.
func Migrated(t testing.TB) string {
	t.Helper()
	c := clusterFor(t)
	shared.mu.Lock()
	if shared.migrate == nil {
		shared.mu.Unlock()
		t.Fatal("pgtest: Migrated needs Main(m, data.Migrate)")
	}
	if shared.template == "" && shared.templateErr == nil {
		name := fmt.Sprintf("template_%d", os.Getpid())
		shared.templateErr = c.exec(context.Background(), `CREATE DATABASE `+name+` TEMPLATE template0 ENCODING 'UTF8' LOCALE 'C' STRATEGY FILE_COPY`)
		if shared.templateErr == nil {
			shared.templateErr = shared.migrate(context.Background(), c.dsn(name))
		}
		if shared.templateErr == nil {
			shared.template = name
		}
	}
	template, err := shared.template, shared.templateErr
	shared.mu.Unlock()
	if err != nil {
		t.Fatalf("pgtest: migrate the template: %v", err)
	}
	return newDatabase(t, c, template)
}

func newDatabase(t testing.TB, c *cluster, template string) string {
	t.Helper()
	name := fmt.Sprintf("t%d_%d", os.Getpid(), shared.dbs.Add(1))
	ctx := context.Background()
	// FILE_COPY: with fsync off a copy of the files is several times
	// faster than the default, which writes every block to the WAL.
	if err := c.exec(ctx, `CREATE DATABASE `+name+` TEMPLATE `+template+` ENCODING 'UTF8' LOCALE 'C' STRATEGY FILE_COPY`); err != nil {
		t.Fatalf("pgtest: create database: %v", err)
	}
	t.Cleanup(func() {
		if err := c.exec(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
			t.Errorf("pgtest: drop database: %v", err)
		}
	})
	return c.dsn(name)
}

func clusterFor(t testing.TB) *cluster {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.main {
		t.Fatal("pgtest: the package needs func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }, which stops the cluster")
	}
	if shared.cluster == nil && shared.err == nil {
		shared.cluster, shared.err = startCluster()
	}
	if skipWithout(shared.err, os.Getenv("CI") == "true") {
		t.Skip(shared.err)
	}
	if shared.err != nil {
		t.Fatalf("pgtest: %v", shared.err)
	}
	return shared.cluster
}

// skipWithout says whether a test skips when the cluster could not
// start: only where PostgreSQL is not installed, and never in CI, which
// installs it so the tests always run there.
func skipWithout(err error, ci bool) bool {
	return errors.Is(err, errNotInstalled) && !ci
}

// cluster is one running postgres server, listening only on a unix
// socket in its directory.
type cluster struct {
	dir  string
	cmd  *exec.Cmd
	done chan error // the server's exit
	user string
}

func (c *cluster) dsn(database string) string {
	q := url.Values{}
	q.Set("host", c.dir)
	q.Set("sslmode", "disable")
	return (&url.URL{Scheme: "postgres", User: url.User(c.user), Path: "/" + database, RawQuery: q.Encode()}).String()
}

func (c *cluster) exec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, c.dsn("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

// binDir finds the newest installed PostgreSQL's programs.
func binDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errNotInstalled
}

func version(bin string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(bin)))
	return v
}

// runAs is who runs the cluster: PostgreSQL refuses to run as root, so
// root (CI) runs it as the postgres user the package creates.
func runAs() (*syscall.Credential, string, error) {
	if os.Geteuid() != 0 {
		u, err := user.Current()
		if err != nil {
			return nil, "", err
		}
		return nil, u.Username, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, "", fmt.Errorf("running as root and there is no postgres user to run the cluster as: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, "postgres", nil
}

func startCluster() (*cluster, error) {
	bin, err := binDir()
	if err != nil {
		return nil, err
	}
	cred, name, err := runAs()
	if err != nil {
		return nil, err
	}
	// Not t.TempDir: that is root's alone, and the cluster runs as postgres.
	dir, err := os.MkdirTemp("", "mfadesk-pg-")
	if err != nil {
		return nil, err
	}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", name, "--auth=trust",
		"--no-sync", "--encoding=UTF8", "--locale=C")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %w\n%s", err, out)
	}
	// No TCP, only the socket in dir; no durability, it is thrown away.
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-k", dir,
		"-c", "listen_addresses=", "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "max_connections=300", "-c", "shared_buffers=32MB")
	log, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	defer log.Close()
	cmd.Stdout, cmd.Stderr = log, log
	// Pdeathsig: a test binary killed on timeout takes its server with it.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start postgres: %w", err)
	}
	c := &cluster{dir: dir, cmd: cmd, done: make(chan error, 1), user: name}
	go func() { c.done <- cmd.Wait() }()
	if err := c.waitReady(); err != nil {
		c.stop()
		return nil, err
	}
	return c, nil
}

// waitReady waits for the server to accept connections.
func (c *cluster) waitReady() error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := c.exec(ctx, `SELECT 1`)
		cancel()
		if err == nil {
			return nil
		}
		select {
		case werr := <-c.done:
			c.done <- werr
			logText, _ := os.ReadFile(filepath.Join(c.dir, "postgres.log"))
			return fmt.Errorf("postgres exited: %v\n%s", werr, logText)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("postgres did not accept connections: %w", err)
		}
	}
}

// stop shuts the server down (fast: connections are ended) and removes
// its directory.
func (c *cluster) stop() {
	c.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-c.done:
	case <-time.After(30 * time.Second):
		c.cmd.Process.Kill()
		<-c.done
	}
	os.RemoveAll(c.dir)
}
