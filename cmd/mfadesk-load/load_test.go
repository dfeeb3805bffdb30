package main

import (
	"bufio"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"
)

func TestCookieStore(t *testing.T) {
	// What the server sends, written by net/http as it writes it.
	set := func(c *http.Cookie) string { return c.String() }
	session := func(name, value string, maxAge int) string {
		return set(&http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true,
			Secure: name[0] == '_', SameSite: http.SameSiteLaxMode})
	}
	tests := []struct {
		name      string
		responses [][]string // the Set-Cookie lines of each response, in order
		want      string
	}{
		{"none", nil, ""},
		{"set, dev name", [][]string{{session("mfadesk", "abc", 0)}}, "mfadesk=abc"},
		{"set, __Host- name", [][]string{{session("__Host-mfadesk", "abc", 0)}}, "__Host-mfadesk=abc"},
		{"overwrite", [][]string{{session("mfadesk", "old", 0)}, {session("mfadesk", "new", 0)}}, "mfadesk=new"},
		{"delete by Max-Age", [][]string{{session("__Host-mfadesk", "abc", 0)}, {session("__Host-mfadesk", "", -1)}}, ""},
		{"delete by empty value", [][]string{{session("mfadesk", "abc", 0)}, {"mfadesk=; Path=/"}}, ""},
		{"delete by past Expires", [][]string{{session("mfadesk", "abc", 0)},
			{set(&http.Cookie{Name: "mfadesk", Value: "x", Expires: time.Unix(1, 0)})}}, ""},
		{"delete keeps the others", [][]string{{session("mfadesk", "abc", 0), "lang=ja; Path=/"}, {session("mfadesk", "", -1)}}, "lang=ja"},
		{"several, one header in name order", [][]string{{"lang=ja; Path=/", session("mfadesk", "abc", 0)}, {"mfadesk_device=d"}},
			"lang=ja; mfadesk=abc; mfadesk_device=d"},
		{"malformed line ignored", [][]string{{session("mfadesk", "abc", 0)}, {"no equals sign"}}, "mfadesk=abc"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newCookieStore()
			for _, lines := range tt.responses {
				s.update(lines)
			}
			if got := s.cookieHeader(); got != tt.want {
				t.Errorf("Cookie header %q, want %q", got, tt.want)
			}
		})
	}
}

func TestCSRFToken(t *testing.T) {
	tests := []struct {
		name, page, want string
		ok               bool
	}{
		{"form", `<form method="post"><input type="hidden" name="_csrf" value="FG0O9-_x"><input name="code">`, "FG0O9-_x", true},
		{"first of several", `<input type="hidden" name="_csrf" value="a"><input type="hidden" name="_csrf" value="b">`, "a", true},
		{"no form", `<!doctype html><p>home</p>`, "", false},
		{"empty value", `<input type="hidden" name="_csrf" value="">`, "", false},
		{"cut off", `<input type="hidden" name="_csrf" value="abc`, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := csrfToken([]byte(tt.page))
			if got != tt.want || ok != tt.ok {
				t.Errorf("csrfToken = %q, %v; want %q, %v", got, ok, tt.want, tt.ok)
			}
		})
	}
}

func TestParseStatCPU(t *testing.T) {
	// utime 250 and stime 50 ticks; the command holds a space and a ')'.
	stat := "4242 (mfa desk) x) S 1 4242 4242 0 -1 4194560 1000 0 0 0 250 50 0 0 20 0 9 0 100 2000000 5000"
	got, err := parseStatCPU([]byte(stat))
	if err != nil || got != 3*time.Second {
		t.Fatalf("parseStatCPU = %v, %v; want 3s", got, err)
	}
	if _, err := parseStatCPU([]byte("4242 (short) S 1")); err == nil {
		t.Error("a short line parsed without error")
	}
}

func TestMedianOfRounds(t *testing.T) {
	tests := []struct {
		in   []float64
		want float64
	}{
		{[]float64{41}, 41},
		{[]float64{49, 37, 41}, 41},
		{[]float64{90, 70, 118, 75}, 82.5},
	}
	for _, tt := range tests {
		in := slices.Clone(tt.in)
		if got := median(tt.in); got != tt.want {
			t.Errorf("median(%v) = %v, want %v", tt.in, got, tt.want)
		}
		if !slices.Equal(in, tt.in) {
			t.Errorf("median reordered its input: %v", tt.in)
		}
	}
}

// The database server's figure counts the postmaster, its reaped
// backends and its living ones: here the test process and a child that
// has spent CPU and waits.
func TestTreeCPUCountsChildren(t *testing.T) {
	cmd := exec.Command("sh", "-c", "i=0; while [ $i -lt 300000 ]; do i=$((i+1)); done; echo done; read x")
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); cmd.Wait() }()
	if _, err := bufio.NewReader(stdout).ReadString('\n'); err != nil {
		t.Fatal(err)
	}
	child, err := processCPU(cmd.Process.Pid)
	if err != nil || child == 0 {
		t.Fatalf("the child's CPU: %v, %v", child, err)
	}
	alone, err := processCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	tree, err := treeCPU(os.Getpid())
	if err != nil {
		t.Fatal(err)
	}
	if tree < alone+child {
		t.Fatalf("tree %v < self %v + child %v", tree, alone, child)
	}
}
