package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/net/html"

	"mfadesk/data"
)

// process is one mfadesk serve process of the kill test.
type process struct {
	cmd *exec.Cmd
	url string
}

// startProcess runs the built binary's serve on db at a free port and
// returns once it listens (its banner is printed after the listeners are
// bound).
func startProcess(t *testing.T, bin, db string) *process {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	// Codes are not capped per hour here: every password step answered
	// must leave its code challenge.
	// A process stuck at start (a lock never released) is killed, so the
	// test fails instead of hanging.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	t.Cleanup(cancel)
	cmd := exec.CommandContext(ctx, bin, "serve", "--db", db, "--addr", addr, "--sends-per-hour", "100000")
	cmd.Env = append(os.Environ(), "MFADESK_ENV=dev")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cmd.Process.Kill()
		cmd.Wait()
	})
	sc := bufio.NewScanner(stdout)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "mfadesk is running") {
			go io.Copy(io.Discard, stdout)
			return &process{cmd: cmd, url: "http://" + addr}
		}
	}
	cmd.Wait()
	t.Fatalf("mfadesk serve exited before listening: %s", stderr.String())
	return nil
}

// passwordStep is a browser's first login step against base: the login
// page, then the password. It returns the status, or an error when the
// instance does not answer.
func passwordStep(base, loginID string) (int, error) {
	jar, _ := cookiejar.New(nil)
	// The timeout turns a request stuck on a dead instance's lock into
	// an error instead of a hung test.
	hc := &http.Client{Jar: jar, Timeout: time.Minute,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(base + "/login")
	if err != nil {
		return 0, err
	}
	doc, err := html.Parse(resp.Body)
	resp.Body.Close()
	if err != nil {
		return 0, err
	}
	csrf := (&page{doc: doc}).inputValue("_csrf")
	resp, err = hc.PostForm(base+"/login", url.Values{"_csrf": {csrf}, "login_id": {loginID}, "password": {demoPassword}})
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode, nil
}

// kill -9 of one of two processes during a burst of logins: the other
// keeps serving every login, and afterwards the audit chain verifies and
// nothing is half-done: each code challenge has the message that carries
// its code and the audit event of its sending, all written in one
// transaction.
func TestMultiKillOneInstanceDuringLoginBurst(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	dsn := multiDSN(t)
	bin := filepath.Join(t.TempDir(), "mfadesk")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	victim := startProcess(t, bin, dsn) // seeds the demo data
	survivor := startProcess(t, bin, dsn)

	var done atomic.Int32
	killed := make(chan struct{})
	var killOnce sync.Once
	var wg sync.WaitGroup
	var survivorServed, answered atomic.Int32
	burst := func(p *process, loginID string, isVictim bool) {
		defer wg.Done()
		for i := 0; ; i++ {
			if !isVictim && i >= 40 {
				return
			}
			status, err := passwordStep(p.url, loginID)
			switch {
			case isVictim && err != nil:
				return // killed: a load balancer sends its traffic elsewhere
			case err != nil:
				t.Errorf("survivor: %v", err)
				return
			case status != http.StatusSeeOther:
				if isVictim {
					return
				}
				t.Errorf("survivor answered a password step %d", status)
			}
			answered.Add(1)
			if !isVictim {
				survivorServed.Add(1)
			}
			if done.Add(1) == 12 {
				killOnce.Do(func() {
					victim.cmd.Process.Kill() // SIGKILL: no shutdown, transactions cut short
					close(killed)
				})
			}
		}
	}
	for _, loginID := range []string{"demo-sms", "demo-email"} {
		wg.Add(2)
		go burst(victim, loginID, true)
		go burst(survivor, loginID, false)
	}
	wg.Wait()
	<-killed
	victim.cmd.Wait()
	if n := survivorServed.Load(); n != 80 {
		t.Errorf("survivor served %d of 80 password steps", n)
	}

	// A whole login on the survivor after the kill: the code it sends is
	// in its dev outbox.
	onSurvivor := &testApp{t: t, srv: &httptest.Server{URL: survivor.url}}
	c := pendingClient(t, onSurvivor, "demo-sms")
	if p := c.submitCode(onSurvivor.lastCode("090-0000-0002")); p.location != "/home" {
		t.Fatalf("login on the survivor after the kill: %d %q", p.status, p.text("notice-error"))
	}

	// Stop the survivor cleanly, then check the database.
	survivor.cmd.Process.Signal(os.Interrupt)
	survivor.cmd.Wait()
	var out bytes.Buffer
	if err := run([]string{"audit", "verify", "--db", dsn}, func(string) string { return "" }, &out, &out); err != nil ||
		!strings.Contains(out.String(), "audit chain intact") {
		t.Errorf("audit verify after kill -9: %v\n%s", err, out.String())
	}
	db, err := data.Open(context.Background(), dsn, time.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	count := func(query string) int {
		var n int
		if err := db.QueryRowContext(context.Background(), query).Scan(&n); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		return n
	}
	challenges := count(`SELECT COUNT(*) FROM challenges`)
	if n := int(answered.Load()) + 1; challenges < n {
		t.Errorf("%d code challenges for %d password steps answered: committed work lost", challenges, n)
	}
	if n := count(`SELECT COUNT(*) FROM challenges c WHERE NOT EXISTS (SELECT 1 FROM outbox o WHERE o.id = c.outbox_id)`); n > 0 {
		t.Errorf("%d challenges without the message carrying their code", n)
	}
	if n := count(`SELECT COUNT(*) FROM audit_events WHERE action = 'code.send' AND outcome = 'queued'`); n != challenges {
		t.Errorf("%d code.send events for %d challenges", n, challenges)
	}
}
