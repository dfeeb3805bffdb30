package data

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

// The sweep scrubs codes at their expiry, drops the content of settled
// messages past --retain-outbox, deletes settled messages (and their
// attempts) past --retain-delivery-log and code records past
// --retain-sessions, and keeps everything younger and everything not yet
// delivered.
func TestSweepAppliesRetention(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	db := openAt(t, &now)
	customer := cacheTestCustomer(t, db, 1)
	day := 24 * time.Hour
	keep := Retention{Sessions: 7 * day, OutboxContent: 12 * time.Hour, DeliveryLog: 2 * day}

	queue := func(m OutboxMessage) int64 {
		t.Helper()
		var id int64
		if err := db.InTx(ctx, func(tx *Tx) error {
			m.CustomerID, m.Channel, m.To = customer, "email", "t@example.jp"
			var err error
			if id, err = tx.QueueMessage(ctx, &m); err != nil {
				return err
			}
			if !m.CodeExpiresAt.IsZero() {
				_, err = tx.CreateChallenge(ctx, &Challenge{CustomerID: customer, SessionHash: m.Body, Purpose: "login",
					Channel: "email", Destination: m.To, CodeHash: "h", ExpiresAt: m.CodeExpiresAt, OutboxID: id})
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	oldSent := queue(OutboxMessage{Kind: "notice", Subject: "old subject", Body: "old body"})
	oldFailed := queue(OutboxMessage{Kind: "notice", Subject: "old subject", Body: "old body"})
	if err := db.RecordSent(ctx, oldSent, 1, "p-1"); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ClaimDue(ctx, 1, time.Minute, 1); err != nil {
		t.Fatal(err)
	}
	if err := db.RecordFailure(ctx, oldFailed, 1, "refused", 0); err != nil {
		t.Fatal(err)
	}
	pending := queue(OutboxMessage{Kind: "notice", Subject: "pending subject", Body: "pending body"})
	code := queue(OutboxMessage{Kind: "login_code", Subject: "code subject", Body: "code 123456",
		CodeExpiresAt: now.Add(5 * time.Minute)})

	now = now.Add(day)
	youngSent := queue(OutboxMessage{Kind: "notice", Subject: "young subject", Body: "young body"})
	if err := db.RecordSent(ctx, youngSent, 1, "p-2"); err != nil {
		t.Fatal(err)
	}
	youngCode := queue(OutboxMessage{Kind: "login_code", Body: "code 654321", CodeExpiresAt: now.Add(5 * time.Minute)})

	sweep := func(want Swept) {
		t.Helper()
		// Batches of one row: a backlog goes in many transactions, all of it.
		got, err := db.sweep(ctx, keep, 1)
		if err != nil || got != want {
			t.Errorf("at +%s swept %+v, %v; want %+v", now.Sub(time.Unix(1_800_000_000, 0)), got, err, want)
		}
	}
	message := func(id int64) *OutboxMessage {
		t.Helper()
		m, err := db.Message(ctx, id)
		if err != nil {
			t.Fatalf("message %d: %v", id, err)
		}
		return m
	}
	sweep(Swept{CodeMessages: 1, Contents: 2})
	if m := message(code); m.Body != ScrubbedBody || m.Subject != "code subject" || m.Status != "queued" {
		t.Errorf("expired code message: %+v", m)
	}
	if m := message(oldSent); m.Body != "" || m.Subject != "" || m.Status != "sent" || m.ProviderID != "p-1" {
		t.Errorf("sent a day ago, past --retain-outbox: %+v", m)
	}
	for id, body := range map[int64]string{youngSent: "young body", youngCode: "code 654321", pending: "pending body"} {
		if m := message(id); m.Body != body {
			t.Errorf("message %d swept too early: %+v", id, m)
		}
	}

	now = now.Add(day + time.Second)
	sweep(Swept{CodeMessages: 1, Contents: 1, Messages: 2})
	for _, id := range []int64{oldSent, oldFailed} {
		if _, err := db.Message(ctx, id); !errors.Is(err, ErrNotFound) {
			t.Errorf("settled past --retain-delivery-log: %v", err)
		}
	}
	if as, err := db.DeliveryAttempts(ctx, oldSent); err != nil || len(as) != 0 {
		t.Errorf("attempts of a deleted message: %+v %v", as, err)
	}
	if m := message(youngSent); m.Body != "" || m.Status != "sent" {
		t.Errorf("younger message, content past --retain-outbox: %+v", m)
	}
	if m := message(pending); m.Body != "pending body" {
		t.Errorf("undelivered message lost its content: %+v", m)
	}

	var challenges int
	count := func() int {
		t.Helper()
		if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM challenges`).Scan(&challenges); err != nil {
			t.Fatal(err)
		}
		return challenges
	}
	if n := count(); n != 2 {
		t.Errorf("%d code records before --retain-sessions, want 2", n)
	}
	now = now.Add(5 * day) // the first code is 7 days and 1 s old, the second 6 days
	sweep(Swept{Messages: 1, Challenges: 1})
	if n := count(); n != 1 {
		t.Errorf("%d code records after --retain-sessions, want the younger one", n)
	}
}

// Code messages queued before the upgrade that scrubs codes: settled ones
// are scrubbed by the migration, pending ones get an hour and keep their
// body for delivery; other messages are untouched.
func TestScrubMigrationCoversOlderMessages(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	now := time.Unix(1_800_000_000, 0)
	sdb := migratedBelow(t, path, "0017")
	if _, err := sdb.Exec(`INSERT INTO outbox (id, kind, channel, recipient, subject, body, status, attempts, created_at, updated_at) VALUES
		(1, 'login_code', 'sms', '090', '', 'コード 111111', 'sent', 1, ?1, ?1),
		(2, 'support_verification', 'email', 'a@example.jp', '件名', 'コード 222222', 'failed', 6, ?1, ?1),
		(3, 'login_code', 'sms', '090', '', 'コード 333333', 'retrying', 2, ?1, ?1),
		(4, 'mfa_locked', 'email', 'a@example.jp', '停止', '本文', 'sent', 1, ?1, ?1)`, now.Unix()); err != nil {
		t.Fatal(err)
	}
	sdb.Close()

	db, err := Open(ctx, path, func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for id, want := range map[int64]string{1: ScrubbedBody, 2: ScrubbedBody, 3: "コード 333333", 4: "本文"} {
		m, err := db.Message(ctx, id)
		if err != nil || m.Body != want {
			t.Errorf("message %d after the upgrade: %+v, %v; want body %q", id, m, err, want)
		}
	}
	if m, _ := db.Message(ctx, 3); !m.CodeExpiresAt.Equal(now.Add(time.Hour)) {
		t.Errorf("pending code message expires %s", m.CodeExpiresAt)
	}
}

// Unfinished passkey ceremonies past --retain-sessions go, in batches,
// by their key (session and kind); a live one stays.
func TestSweepRemovesOldCeremonies(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	db := openAt(t, &now)
	old := now.Add(-8 * 24 * time.Hour)
	for _, c := range []struct{ session, kind string }{{"s1", "login"}, {"s1", "register"}, {"s2", "login"}} {
		if err := db.SaveCeremony(ctx, c.session, c.kind, "old", old); err != nil {
			t.Fatal(err)
		}
	}
	if err := db.SaveCeremony(ctx, "s3", "login", "live", now.Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	swept, err := db.sweep(ctx, DefaultRetention(), 2)
	if err != nil {
		t.Fatal(err)
	}
	if swept.Ceremonies != 3 {
		t.Errorf("swept %d ceremonies, want 3", swept.Ceremonies)
	}
	var left int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM webauthn_ceremonies`).Scan(&left); err != nil || left != 1 {
		t.Fatalf("%d ceremonies left (%v), want the live one", left, err)
	}
	if state, err := db.TakeCeremony(ctx, "s3", "login"); err != nil || state != "live" {
		t.Errorf("live ceremony: %q %v", state, err)
	}
}
