package data

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A session that signed relying parties in keeps its sid when its id
// rotates, and its end (logout, or every session of the customer ending)
// revokes its tokens and queues one logout per client with a back-channel
// URI, in the transaction that deleted it.
func TestOIDCSessionEndQueuesLogouts(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	db := openOIDCTestDB(t, &now)
	tx := func(fn func(tx *Tx) error) {
		t.Helper()
		if err := db.InTx(ctx, fn); err != nil {
			t.Fatal(err)
		}
	}
	tx(func(tx *Tx) error {
		if err := tx.CreateOIDCClient(ctx, &OIDCClient{ID: "bcl", BackchannelLogoutURI: "https://rp/bcl", CreatedBy: 1}); err != nil {
			return err
		}
		return tx.CreateOIDCClient(ctx, &OIDCClient{ID: "quiet", CreatedBy: 1})
	})
	session := func(hash string) *Session {
		return &Session{IDHash: hash, Site: SiteCustomer, CustomerID: 1, Level: LevelFull, CreatedAt: now, LastSeenAt: now}
	}
	if err := db.ReplaceSession(ctx, "", session("h1")); err != nil {
		t.Fatal(err)
	}
	var tok OIDCToken
	tx(func(tx *Tx) error {
		for _, client := range []string{"bcl", "quiet"} {
			sid, err := tx.OIDCSessionOf(ctx, "h1", 1, "sid-"+client, client)
			if err != nil || sid != "sid-bcl" {
				t.Errorf("sid for %s: %q, %v", client, sid, err)
			}
		}
		tok = OIDCToken{Kind: OIDCRefresh, Hash: "rt", ClientID: "bcl", CustomerID: 1, SID: "sid-bcl", ExpiresAt: now.Add(time.Hour)}
		return tx.CreateOIDCToken(ctx, &tok)
	})

	if err := db.ReplaceSession(ctx, "h1", session("h2")); err != nil {
		t.Fatal(err)
	}
	if s, err := db.OIDCSession(ctx, "sid-bcl"); err != nil || s.SessionHash != "h2" {
		t.Fatalf("after rotation: %+v, %v", s, err)
	}
	if l, _ := db.OIDCLogoutsOf(ctx, 1); len(l) != 0 {
		t.Errorf("a rotation queued logouts: %+v", l)
	}

	tx(func(tx *Tx) error { return tx.DeleteOtherSessions(ctx, 1, "") })
	l, err := db.OIDCLogoutsOf(ctx, 1)
	if err != nil || len(l) != 1 || l[0].ClientID != "bcl" || l[0].SID != "sid-bcl" || l[0].URI != "https://rp/bcl" {
		t.Errorf("logouts after the session ended: %+v, %v", l, err)
	}
	if _, err := db.OIDCSession(ctx, "sid-bcl"); !errors.Is(err, ErrNotFound) {
		t.Errorf("oidc session after the end: %v", err)
	}
	if got, _ := db.OIDCTokenByHash(ctx, OIDCRefresh, "rt"); got.Live(now) {
		t.Error("refresh token live after its session ended")
	}

	claimed, err := db.ClaimOIDCLogouts(ctx, 10, time.Minute)
	if err != nil || len(claimed) != 1 {
		t.Fatalf("claim: %+v, %v", claimed, err)
	}
	if again, _ := db.ClaimOIDCLogouts(ctx, 10, time.Minute); len(again) != 0 {
		t.Errorf("a claimed logout was claimed again within its lease: %+v", again)
	}
}
