package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"testing"
)

// fakeServerEnv makes this test binary act as a tiny mfadesk: it serves
// /login on the --addr it is given, as the real one does when it is ready.
const fakeServerEnv = "MFADESK_LOAD_TEST_FAKE_SERVER"

func TestMain(m *testing.M) {
	if os.Getenv(fakeServerEnv) == "1" {
		fakeServer(os.Args[1:])
		return
	}
	os.Exit(m.Run())
}

func fakeServer(args []string) {
	addr := ""
	for i, a := range args {
		if a == "--addr" && i+1 < len(args) {
			addr = args[i+1]
		}
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		os.Exit(3)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/login", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "login") })
	_ = http.Serve(ln, mux)
}

// The tool measures the process it started, on the port it chose, and
// stops it at the end: never another process found by name.
func TestStartServerMeasuresItsOwnProcess(t *testing.T) {
	t.Setenv(fakeServerEnv, "1")
	srv, err := startServer(context.Background(), os.Args[0], "", io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			srv.stop()
		}
	}()
	if srv.pid() <= 0 || srv.pid() == os.Getpid() {
		t.Fatalf("pid %d: not a child process", srv.pid())
	}
	if _, err := processCPU(srv.pid()); err != nil {
		t.Errorf("CPU of the started server not readable: %v", err)
	}
	if !strings.HasPrefix(srv.url, "http://127.0.0.1:") || strings.HasSuffix(srv.url, ":8080") {
		t.Errorf("url %q: want a free loopback port", srv.url)
	}
	if !strings.HasPrefix(srv.db, srv.dir) {
		t.Errorf("database %q outside the run's directory %q", srv.db, srv.dir)
	}
	resp, err := http.Get(srv.url + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	srv.stop()
	stopped = true
	if _, err := os.Stat(srv.dir); !os.IsNotExist(err) {
		t.Errorf("directory %s left behind: %v", srv.dir, err)
	}
	if _, err := http.Get(srv.url + "/login"); err == nil {
		t.Error("the server still answers after stop")
	}
}

func TestWhichServerIsMeasured(t *testing.T) {
	tests := []struct {
		name string
		o    options
		ok   bool
	}{
		{"own server", options{}, true},
		{"own server with seeding", options{seedLoad: 10}, true},
		{"own server and a pid", options{serverPID: 42}, false},
		{"own server and a SQLite file", options{db: "/tmp/x.db"}, false},
		{"own server on PostgreSQL", options{db: "postgres://mfadesk@/load?host=/run/postgresql", seedLoad: 10}, true},
		{"running server", options{url: "http://127.0.0.1:8080", serverPID: 42}, true},
		{"running server and a binary", options{url: "http://127.0.0.1:8080", serverBin: "mfadesk"}, false},
		{"running server elsewhere", options{url: "http://192.0.2.1:8080"}, false},
		{"running server, seeding without its database", options{url: "http://127.0.0.1:8080", seedLoad: 10}, false},
		{"running server, seeding its database", options{url: "http://127.0.0.1:8080", seedLoad: 10, db: "/tmp/x.db"}, true},
	}
	for _, tt := range tests {
		if err := tt.o.validateServer(); (err == nil) != tt.ok {
			t.Errorf("%s: %v, want ok=%v", tt.name, err, tt.ok)
		}
	}
}
