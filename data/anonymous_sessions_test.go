package data

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestAnonymousSessionsCappedAndSwept(t *testing.T) {
	db := openTestDB(t)
	ctx := context.Background()
	now := db.now()
	anon := func(i int, ip string, created time.Time) *Session {
		return &Session{IDHash: fmt.Sprintf("%s-%d", ip, i), Site: SiteCustomer, Level: LevelAnonymous, CSRFToken: "t",
			ClientIP: ip, CreatedAt: created, LastSeenAt: created}
	}
	// Two old ones with ceremonies, then up to the cap of three.
	for i, created := range []time.Time{now.Add(-20 * time.Minute), now.Add(-20 * time.Minute), now, now} {
		ok, err := db.CreateAnonymousSession(ctx, anon(i, "192.0.2.1", created), now.Add(-time.Hour), 3)
		if err != nil || ok != (i < 3) {
			t.Fatalf("session %d: stored %v, %v", i, ok, err)
		}
		if !ok {
			continue
		}
		if err := db.SaveCeremony(ctx, fmt.Sprintf("192.0.2.1-%d", i), "login", "{}", now.Add(5*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	// Another address has its own cap; another site too.
	if ok, err := db.CreateAnonymousSession(ctx, anon(0, "2001:db8::/64", now), now.Add(-time.Hour), 3); !ok || err != nil {
		t.Fatalf("another address: %v %v", ok, err)
	}
	console := anon(9, "192.0.2.1", now)
	console.Site = SiteConsole
	if ok, err := db.CreateAnonymousSession(ctx, console, now.Add(-time.Hour), 3); !ok || err != nil {
		t.Fatalf("another site: %v %v", ok, err)
	}
	// With a ten-minute life the two old ones are gone, with their
	// ceremonies, and the address may begin again.
	if ok, err := db.CreateAnonymousSession(ctx, anon(4, "192.0.2.1", now), now.Add(-10*time.Minute), 3); !ok || err != nil {
		t.Fatalf("after expiry: %v %v", ok, err)
	}
	if n := countRows(t, db, `sessions WHERE client_ip = '192.0.2.1' AND site = 'customer'`); n != 2 {
		t.Errorf("%d sessions of the address, want 2", n)
	}
	if n := countRows(t, db, `webauthn_ceremonies`); n != 1 {
		t.Errorf("%d ceremonies, want only the live session's", n)
	}

	// The sweep takes every anonymous session created before the cut,
	// and every expired ceremony, and nothing else.
	if err := db.ReplaceSession(ctx, "", &Session{IDHash: "logged-in", Site: SiteCustomer, Level: LevelPassword, CSRFToken: "t",
		CreatedAt: now.Add(-time.Hour), LastSeenAt: now}); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveCeremony(ctx, "logged-in", "old", "{}", now.Add(-time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := db.SweepAnonymous(ctx, now.Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	if n := countRows(t, db, `sessions`); n != 1 {
		t.Errorf("%d sessions after the sweep, want only the logged-in one", n)
	}
	if n := countRows(t, db, `webauthn_ceremonies`); n != 0 {
		t.Errorf("%d ceremonies after the sweep", n)
	}
}

func countRows(t *testing.T, db *DB, from string) int {
	t.Helper()
	var n int
	if err := db.sql.QueryRow(`SELECT COUNT(*) FROM ` + from).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
