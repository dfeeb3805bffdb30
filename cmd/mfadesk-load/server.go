package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"mfadesk/data"
)

// ownServer is an mfadesk this tool built and started for the run: a free
// loopback port, a database in a fresh temporary directory, and the
// process id it started, so the CPU it reads is that server's and no
// other process's.
type ownServer struct {
	cmd  *exec.Cmd
	dir  string
	url  string
	db   string
	log  string // the server's own output
	done chan error
}

// startServer builds ./cmd/mfadesk (unless bin names a binary), starts it
// on db (a postgres:// URL; empty: a temporary SQLite file) and waits
// until it answers.
func startServer(ctx context.Context, bin, db string, stdout io.Writer) (*ownServer, error) {
	dir, err := os.MkdirTemp("", "mfadesk-load-")
	if err != nil {
		return nil, err
	}
	s := &ownServer{dir: dir, db: db, log: filepath.Join(dir, "server.log")}
	if db == "" {
		s.db = filepath.Join(dir, "load.db")
	}
	if bin == "" {
		bin = filepath.Join(dir, "mfadesk")
		fmt.Fprintln(stdout, "building ./cmd/mfadesk …")
		build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/mfadesk")
		if out, err := build.CombinedOutput(); err != nil {
			os.RemoveAll(dir)
			return nil, fmt.Errorf("go build ./cmd/mfadesk (run from the repository, or give --server-bin): %w\n%s", err, out)
		}
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	logFile, err := os.Create(s.log)
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	defer logFile.Close()
	addr := "127.0.0.1:" + strconv.Itoa(port)
	s.url = "http://" + addr
	// Every setting the run depends on is a flag, so an MFADESK_ variable
	// in the environment cannot point it elsewhere. Every simulated browser
	// comes from 127.0.0.1, and each login waiting for a hashing slot holds
	// a try of that address: the per-address limit (50) would measure
	// itself, not the login.
	s.cmd = exec.Command(bin, "--env", "dev", "--delivery", "dev", "--demo=true", "--addr", addr, "--db", s.db,
		"--password-failures-per-address", "1000000")
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	if err := s.cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("start %s: %w", bin, err)
	}
	s.done = make(chan error, 1)
	go func() { s.done <- s.cmd.Wait() }()
	if err := s.waitReady(ctx, 2*time.Minute); err != nil {
		out, _ := os.ReadFile(s.log) // read before stop removes it
		s.stop()
		return nil, fmt.Errorf("%w; its output:\n%s", err, tail(out, 2000))
	}
	where := s.db
	if data.IsPostgresDSN(where) {
		where = "on PostgreSQL" // the URL may hold a password
	}
	fmt.Fprintf(stdout, "started mfadesk (pid %d) on %s with database %s\n", s.cmd.Process.Pid, s.url, where)
	return s, nil
}

func (s *ownServer) pid() int { return s.cmd.Process.Pid }

// waitReady polls the login page until it answers 200.
func (s *ownServer) waitReady(ctx context.Context, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, limit)
	defer cancel()
	client := &http.Client{Timeout: 2 * time.Second}
	for {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url+"/login", nil)
		if err != nil {
			return err
		}
		if resp, err := client.Do(req); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		select {
		case err := <-s.done:
			s.done <- err
			return fmt.Errorf("mfadesk exited before answering (%v)", err)
		case <-ctx.Done():
			return fmt.Errorf("mfadesk did not answer on %s within %s", s.url, limit)
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// stop interrupts the server, as Ctrl-C would, waits for it to finish
// (killing it after 20 s) and removes its directory.
func (s *ownServer) stop() {
	if s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(os.Interrupt)
		select {
		case <-s.done:
		case <-time.After(20 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.done
		}
	}
	os.RemoveAll(s.dir)
}

// freePort asks the kernel for a free loopback port. Another process may
// take it before the server listens; the server then fails to start and
// says so, it never serves on someone else's port.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, errors.New("find a free port: not a TCP address")
	}
	return addr.Port, nil
}

// tail is the last n bytes of b.
func tail(b []byte, n int) []byte {
	if len(b) > n {
		return b[len(b)-n:]
	}
	return b
}
