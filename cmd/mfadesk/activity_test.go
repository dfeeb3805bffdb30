package main

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"mfadesk/data"
)

// activityEntry is one row of /settings/activity as the customer reads it.
type activityEntry struct{ when, what, result, ip string }

func activityEntries(p *page) []activityEntry {
	var out []activityEntry
	walk(p.doc, func(n *html.Node) {
		if n.Type != html.ElementNode || attr(n, "data-testid") != "activity-row" {
			return
		}
		field := func(id string) string {
			f := find(n, func(m *html.Node) bool { return attr(m, "data-testid") == id })
			if f == nil {
				return ""
			}
			return textOf(f)
		}
		out = append(out, activityEntry{field("activity-when"), field("activity-what"), field("activity-result"), field("activity-ip")})
	})
	return out
}

func TestActivityShowsOwnEventsNewestFirst(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	// Another customer's failed login must not appear.
	if p := a.newClient().login("demo-app", "Demo#2025wrong"); p.status != http.StatusUnauthorized {
		t.Fatalf("failed login of demo-app: %d", p.status)
	}
	// The code is read before it is used: used, it is scrubbed from the outbox.
	a.clock.Advance(61 * time.Second)
	c := pendingClient(t, a, "demo-email")
	loginCode := a.lastCode("demo-email@example.jp")
	if p := c.submitCode(loginCode); p.location != "/home" {
		t.Fatalf("login: %d %q", p.status, p.text("notice-error"))
	}
	const newPW = "river stone maple 2026"
	pwChange(c, "login", "Demo#2025wrong", newPW, newPW)
	if p := pwChange(c, "login", demoPassword, newPW, newPW); p.status != http.StatusSeeOther {
		t.Fatalf("change: %d", p.status)
	}

	p := c.get("/settings/activity")
	if p.status != http.StatusOK {
		t.Fatalf("activity page: %d", p.status)
	}
	rows := activityEntries(p)
	// Newest first; other events of the login may sit between these.
	want := []activityEntry{
		{what: "ログインパスワードの変更", result: "成功"},
		{what: "ログインパスワードの変更", result: "失敗（現在のパスワードの誤り）"},
		{what: "ログイン時の本人確認（メール）", result: "成功"},
		{what: "確認コードの送信（メール）", result: "送信しました"},
		{what: "ログイン（パスワードの確認）", result: "成功"},
	}
	next := 0
	for i, r := range rows {
		if next < len(want) && r.what == want[next].what && r.result == want[next].result {
			next++
		}
		if r.result == "失敗（パスワードの誤り）" {
			t.Errorf("another customer's failed login is shown: %+v", r)
		}
		// Times are JST: the test clock starts at 10:00 in Japan (01:00 UTC).
		if !strings.HasPrefix(r.when, "2026年11月29日 10:0") {
			t.Errorf("row %d time %q is not in JST", i, r.when)
		}
	}
	if next != len(want) || len(rows) == 0 || rows[0].what != want[0].what {
		t.Fatalf("rows do not show, newest first, %+v (matched %d): %+v", want, next, rows)
	}
	if rows[0].ip != "127.0.0.1" {
		t.Errorf("client address %q", rows[0].ip)
	}
	// docs/security.md S36: no code or password on the page.
	for _, secret := range []string{loginCode, newPW, demoPassword} {
		if strings.Contains(p.body, secret) {
			t.Errorf("the page shows %q", secret)
		}
	}
}

// An action the page has no words for is shown as 「その他の操作」, and
// the stored detail never reaches the page.
func TestActivityUnknownActionAndDetailHidden(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := pwLogin(t, a, "demo-email")
	ctx := context.Background()
	cust, err := a.DB.CustomerByLoginID(ctx, "demo-email")
	if err != nil {
		t.Fatal(err)
	}
	err = a.DB.InTx(ctx, func(tx *data.Tx) error {
		return tx.Audit(ctx, data.AuditEvent{ActorKind: "staff", Actor: "agent-7", CustomerID: cust.ID,
			Action: "factor.frobnicate", Outcome: "success", ClientIP: "192.0.2.10", Detail: "note=HIDDEN-DETAIL-TEXT"})
	})
	if err != nil {
		t.Fatal(err)
	}
	p := c.get("/settings/activity")
	rows := activityEntries(p)
	if len(rows) == 0 || !strings.HasPrefix(rows[0].what, "その他の操作") || !strings.Contains(rows[0].what, "お客様サポート") ||
		rows[0].ip != "192.0.2.10" {
		t.Fatalf("newest row %+v", rows)
	}
	for _, hidden := range []string{"HIDDEN-DETAIL-TEXT", "factor.frobnicate", "agent-7"} {
		if strings.Contains(p.body, hidden) {
			t.Errorf("the page shows %q", hidden)
		}
	}
}
