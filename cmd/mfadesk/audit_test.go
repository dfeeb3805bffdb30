package main

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mfadesk/data"
)

// anchoredApp is a console app whose audit anchors go to a file in a temp
// dir and whose log is kept, with an agent on an open case: each view of
// the case is one more audit event.
type anchoredApp struct {
	*testApp
	anchorFile string
	logs       *bytes.Buffer
	agent      *client
	kase       string
}

func newAnchoredApp(t *testing.T) *anchoredApp {
	t.Helper()
	file := filepath.Join(t.TempDir(), "audit-anchors.jsonl")
	a := newConsoleApp(t, func(c *Config) { c.AuditAnchor = file })
	logs := &bytes.Buffer{}
	a.Log = slog.New(slog.NewJSONHandler(logs, nil))
	agent := a.staffLogin("agent")
	kase := agent.openCase(a.customerID("demo-app"), "phone")
	return &anchoredApp{testApp: a, anchorFile: file, logs: logs, agent: agent, kase: kase}
}

// anchorLines are the anchor file's lines.
func (a *anchoredApp) anchorLines() []string {
	a.t.Helper()
	b, err := os.ReadFile(a.anchorFile)
	if err != nil {
		a.t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// loggedAnchors are the anchors in the log, as an operator ships them.
func (a *anchoredApp) loggedAnchors() []data.AuditAnchor {
	a.t.Helper()
	var lines []string
	for _, l := range strings.Split(a.logs.String(), "\n") {
		if strings.Contains(l, `"msg":"audit anchor"`) {
			lines = append(lines, l)
		}
	}
	anchors, err := data.ReadAuditAnchors(strings.NewReader(strings.Join(lines, "\n")))
	if err != nil {
		a.t.Fatal(err)
	}
	return anchors
}

// tick makes the anchor job take one tick; the second send returns only
// once the first tick's anchor is written.
func tick(ch chan time.Time) {
	ch <- time.Time{}
	ch <- time.Time{}
}

// The head is anchored at start, at a tick only when it moved, and at
// shutdown; the file is its owner's only, and the log has the same lines.
func TestAuditAnchorsAtStartWhenMovedAndAtShutdown(t *testing.T) {
	t.Parallel()
	a := newAnchoredApp(t)
	ticks := make(chan time.Time)
	stop, err := a.startAuditAnchors(context.Background(), ticks)
	if err != nil {
		t.Fatal(err)
	}
	tick(ticks)
	if n := len(a.anchorLines()); n != 1 {
		t.Fatalf("%d anchors after an idle tick, want the one from the start", n)
	}
	a.agent.get(a.kase)
	tick(ticks)
	a.agent.get(a.kase)
	stop()
	stop()
	lines := a.anchorLines()
	if len(lines) != 3 {
		t.Fatalf("anchors %q, want start, tick and shutdown", lines)
	}
	head, err := a.DB.AuditHead(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(lines[2], fmt.Sprintf(`"last_id":%d,"hash":%q`, head.LastID, head.Hash)) {
		t.Errorf("shutdown anchor %s is not the head %+v", lines[2], head)
	}
	info, err := os.Stat(a.anchorFile)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("anchor file mode %v, %v", info.Mode(), err)
	}
	logged := a.loggedAnchors()
	fromFile, err := data.ReadAuditAnchors(strings.NewReader(strings.Join(lines, "\n")))
	if err != nil || len(logged) != len(fromFile) {
		t.Fatalf("logged %d anchors, file %d, %v", len(logged), len(fromFile), err)
	}
	for i := range logged {
		if l, f := logged[i], fromFile[i]; l.MAC != f.MAC || !l.At.Equal(f.At) || l.LastID != f.LastID {
			t.Errorf("log line %+v differs from file line %+v", l, f)
		}
	}
}

// A file left more open than 0600 is closed down at the first anchor.
func TestAuditAnchorFileIsMadeOwnerOnly(t *testing.T) {
	t.Parallel()
	a := newAnchoredApp(t)
	if err := os.WriteFile(a.anchorFile, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	stop, err := a.startAuditAnchors(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	stop()
	if info, err := os.Stat(a.anchorFile); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("anchor file mode %v, %v", info.Mode(), err)
	}
}

func (a *anchoredApp) anchorAndStop() {
	a.t.Helper()
	stop, err := a.startAuditAnchors(context.Background(), nil)
	if err != nil {
		a.t.Fatal(err)
	}
	stop()
}

// Deleting the newest events leaves a chain that fits together; verify
// with the anchor file, or with the shipped log, names what is missing.
func TestAuditVerifyNamesEventsMissingFromTheEnd(t *testing.T) {
	t.Parallel()
	a := newAnchoredApp(t)
	for i := 0; i < 4; i++ {
		a.agent.get(a.kase)
	}
	a.anchorAndStop()
	out, err := a.runConsoleCommand("audit", "verify", "--anchor", a.anchorFile)
	if err != nil || !strings.Contains(out, "intact") || !strings.Contains(out, "anchors checked: 1") {
		t.Fatalf("untouched: %v %q", err, out)
	}
	head, err := a.DB.AuditHead(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	raw := rawDB(t, a.Config.DB)
	for _, q := range []string{dropTrigger(a.Config.DB, "audit_no_delete"), fmt.Sprintf(`DELETE FROM audit_events WHERE id > %d`, head.LastID-3)} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	want := fmt.Sprintf("saw %d events up to id %d; the database has %d: events %d–%d are missing",
		head.Events, head.LastID, head.Events-3, head.LastID-2, head.LastID)
	logFile := filepath.Join(t.TempDir(), "shipped.log")
	if err := os.WriteFile(logFile, a.logs.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, anchors := range []string{a.anchorFile, logFile} {
		out, err = a.runConsoleCommand("audit", "verify", "--anchor", anchors)
		if err == nil || !strings.Contains(out, "intact") || !strings.Contains(out, want) {
			t.Errorf("truncated, anchors from %s: err %v, output %q, want %q", filepath.Base(anchors), err, out, want)
		}
	}
	// Without anchors the cut is invisible, and verify says so.
	out, err = a.runConsoleCommand("audit", "verify")
	if err != nil || !strings.Contains(out, "cannot be detected") {
		t.Errorf("no anchors: %v %q", err, out)
	}
}

// An anchor line changed to agree with a cut trail fails its MAC.
func TestAuditVerifyRefusesEditedAnchors(t *testing.T) {
	t.Parallel()
	a := newAnchoredApp(t)
	a.anchorAndStop()
	head, err := a.DB.AuditHead(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	line := a.anchorLines()[0]
	edited := strings.Replace(line, fmt.Sprintf(`"events":%d,"last_id":%d`, head.Events, head.LastID),
		fmt.Sprintf(`"events":%d,"last_id":%d`, head.Events-1, head.LastID-1), 1)
	if edited == line {
		t.Fatalf("anchor line %s", line)
	}
	if err := os.WriteFile(a.anchorFile, []byte(edited+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := a.runConsoleCommand("audit", "verify", "--anchor", a.anchorFile)
	if err == nil || !strings.Contains(out, "anchor line 1: its MAC does not match") {
		t.Fatalf("edited anchor: %v %q", err, out)
	}
}

// After a rotation, verify needs the old key for the old events, and
// says so.
func TestAuditVerifyWithOldKeys(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	a.staffLogin("auditor")
	newKey := hex.EncodeToString(randomKey(t))
	out, err := a.runConsoleCommand("audit", "verify", "--audit-key", newKey)
	if err == nil || !strings.Contains(out, "which verify was not given") || !strings.Contains(out, "--audit-old-keys") {
		t.Fatalf("without the old key: %v %q", err, out)
	}
	out, err = a.runConsoleCommand("audit", "verify", "--audit-key", newKey, "--audit-old-keys", hex.EncodeToString(data.DevAuditKey()))
	if err != nil || !strings.Contains(out, "intact") {
		t.Fatalf("with the old key: %v %q", err, out)
	}
	if strings.Contains(out, newKey) {
		t.Errorf("output shows the key: %q", out)
	}
}

// The audit keys are secrets: --help never shows them, even when they
// come from the environment, and a bad one is named by flag, not value.
func TestAuditKeyIsNeverPrinted(t *testing.T) {
	t.Parallel()
	key := strings.Repeat("c3", 32)
	env := func(name string) string {
		if name == "MFADESK_AUDIT_KEY" || name == "MFADESK_AUDIT_OLD_KEYS" {
			return key
		}
		return ""
	}
	for _, args := range [][]string{{"--help"}, {"serve", "-h"}, {"audit", "verify", "--help"}, {"migrate", "--help"}} {
		var out, errOut bytes.Buffer
		err := run(args, env, &out, &errOut)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(errOut.String(), "-audit-key") {
			t.Fatalf("%v: %v, help %q", args, err, errOut.String())
		}
		if strings.Contains(out.String()+errOut.String(), key) {
			t.Errorf("%v: the help shows the audit key", args)
		}
	}
	bad := "not-a-key-" + key[:20]
	if _, err := parseConfig([]string{"--audit-key", bad}, func(string) string { return "" }, &bytes.Buffer{}); err == nil ||
		!strings.Contains(err.Error(), "--audit-key") || strings.Contains(err.Error(), bad) {
		t.Errorf("bad key: %v", err)
	}
}
