package notify

import (
	"context"
	"crypto/tls"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mfadesk/data"
	"mfadesk/pgtest"
)

// queueCode queues a login code message as mfa does, with the code's expiry.
func queueCode(t *testing.T, db *data.DB, channel, to, code string) int64 {
	t.Helper()
	var id int64
	err := db.InTx(context.Background(), func(tx *data.Tx) error {
		var err error
		id, err = QueueCode(context.Background(), tx, 0, 0, channel, to, LoginCode(channel, code, 5*time.Minute), tx.Now().Add(5*time.Minute))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// checkScrubbed fails when message id, or its delivery log, still holds code.
func checkScrubbed(t *testing.T, db *data.DB, id int64, code, wantStatus string) {
	t.Helper()
	m, err := db.Message(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if m.Status != wantStatus || m.Body != data.ScrubbedBody || !m.Scrubbed || strings.Contains(m.Subject, code) {
		t.Errorf("message after delivery: status %s, subject %q, body %q", m.Status, m.Subject, m.Body)
	}
	if m.To == "" || m.Channel == "" || m.Attempts == 0 {
		t.Errorf("delivery log lost its facts: %+v", m)
	}
	attempts, err := db.DeliveryAttempts(context.Background(), id)
	if err != nil || len(attempts) == 0 {
		t.Fatalf("attempts %+v, %v", attempts, err)
	}
	for _, a := range attempts {
		if strings.Contains(a.Error+a.ProviderID, code) {
			t.Errorf("attempt holds the code: %+v", a)
		}
	}
}

// A code is in clear in the outbox only until the provider has it or it
// failed for good: the body is scrubbed in the transaction that records
// the outcome.
func TestDeliveredOrFailedCodeIsScrubbed(t *testing.T) {
	cert, pool := selfSigned(t)
	tests := []struct {
		name       string
		channel    string
		respond    func(n int, w http.ResponseWriter, r *http.Request) int
		runs       int
		wantStatus string
	}{
		{"email over SMTP", Email, nil, 1, "sent"},
		{"SMS accepted", SMS, nil, 1, "sent"},
		{"SMS refused for good", SMS, func(int, http.ResponseWriter, *http.Request) int { return http.StatusUnprocessableEntity }, 1, "failed"},
		{"SMS given up after 3", SMS, func(int, http.ResponseWriter, *http.Request) int { return http.StatusBadGateway }, 3, "failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			c := &clock{now: time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)}
			db := openDB(t, pgtest.DSN(t, filepath.Join(t.TempDir(), "t.db")), c)
			box := &mailbox{}
			_, srv := newProvider(t, tt.respond)
			w := newWorker(db, srv.URL)
			w.BaseDelay = time.Second
			w.Email = &SMTPSender{Host: "127.0.0.1", Port: startSMTP(t, box, &cert, false), Security: SMTPStartTLS,
				User: "mailer", Password: "パスワード-secret", From: "noreply@mfadesk.example.jp",
				TLSConfig: &tls.Config{RootCAs: pool, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS12}}
			to := "+819000000001"
			if tt.channel == Email {
				to = "taro@example.jp"
			}
			id := queueCode(t, db, tt.channel, to, "834271")
			for range tt.runs {
				if _, err := w.RunOnce(ctx); err != nil {
					t.Fatal(err)
				}
				c.Advance(time.Minute)
			}
			if tt.channel == Email && (len(box.received) != 1 || !strings.Contains(string(box.received[0].data), "834271")) {
				t.Fatalf("mail server received %d messages, without the code", len(box.received))
			}
			checkScrubbed(t, db, id, "834271", tt.wantStatus)
		})
	}
}

// A message whose code was replaced or expired while it waited for a
// retry is not sent with its body gone: it fails, saying why.
func TestExpiredCodeIsNotSent(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)}
	db := openDB(t, pgtest.DSN(t, filepath.Join(t.TempDir(), "t.db")), c)
	p, srv := newProvider(t, nil)
	id := queueCode(t, db, SMS, "+819000000001", "834271")
	c.Advance(6 * time.Minute)
	if s, err := db.Sweep(ctx, data.DefaultRetention()); err != nil || s.CodeMessages != 1 {
		t.Fatalf("sweep %+v, %v", s, err)
	}
	if _, err := newWorker(db, srv.URL).RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if p.requests != 0 {
		t.Errorf("the provider got %d requests for a scrubbed message", p.requests)
	}
	checkScrubbed(t, db, id, "834271", "failed")
	if as, _ := db.DeliveryAttempts(ctx, id); len(as) != 1 || !strings.Contains(as[0].Error, "not sent") {
		t.Errorf("attempts %+v", as)
	}
}

// No code template puts the code in the subject, which the scrub keeps.
func TestCodeSubjectsCarryNoCode(t *testing.T) {
	for _, m := range []Message{LoginCode(Email, "834271", time.Minute), StepUpCode("834271", time.Minute, Email),
		ContactCode("834271", time.Minute, Email)} {
		if m.Subject == "" || strings.Contains(m.Subject, "834271") || !strings.Contains(m.Body, "834271") {
			t.Errorf("%s: subject %q", m.Kind, m.Subject)
		}
	}
}
