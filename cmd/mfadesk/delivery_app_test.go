package main

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"regexp"
	"testing"

	"mfadesk/notify"
)

// With smtp delivery the app's worker sends the login code to the SMS
// provider, the customer logs in with what arrived, and stopping the
// worker waits for it. Sent, the code is scrubbed from the outbox.
func TestDeliveryWorkerSendsLoginCodes(t *testing.T) {
	t.Parallel()
	type sms struct{ To, Body, Key string }
	arrived := make(chan sms, 8)
	provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var m sms
		if r.Header.Get("Authorization") != "Bearer tok-secret" || json.NewDecoder(r.Body).Decode(&m) != nil {
			http.Error(w, "refused", http.StatusUnauthorized)
			return
		}
		m.Key = r.Header.Get("Idempotency-Key")
		arrived <- m
		w.Write([]byte(`{"id":"sm-77"}`))
	}))
	defer provider.Close()
	a := newTestApp(t, func(cfg *Config) {
		cfg.Delivery = "smtp"
		cfg.SMS = notify.SMSSender{URL: provider.URL, Token: "tok-secret"}
		// No mail server here: emails fail and wait for a retry.
		cfg.SMTP = notify.SMTPSender{Host: "127.0.0.1", Port: 1, Security: notify.SMTPNone, From: "noreply@example.jp"}
	})
	if p := a.newClient().get("/dev/outbox.json"); p.status != http.StatusNotFound {
		t.Errorf("dev outbox with real delivery: %d", p.status)
	}
	c := pendingClient(t, a, "demo-sms")
	stop := a.startDelivery(context.Background())
	m := <-arrived
	stop()
	code := regexp.MustCompile(`\d{6}`).FindString(m.Body)
	if m.To != "+819000000002" || code == "" || m.Key == "" {
		t.Fatalf("provider got %+v", m)
	}
	msgs, err := a.DB.RecentMessages(context.Background(), 10)
	if err != nil || len(msgs) == 0 || msgs[len(msgs)-1].Status != "sent" {
		t.Fatalf("outbox after delivery: %+v %v", msgs, err)
	}
	// Delivered, the code is at the customer's only: not in the
	// database, nor in a backup of it (docs/operations.md, Retention).
	if backupHolds(t, a, code) {
		t.Error("a backup taken after delivery holds the code")
	}
	if p := c.submitCode(code); p.location != "/home" {
		t.Fatalf("login with the delivered code: %d %q", p.status, p.location)
	}
	if where := placesHolding(t, a, code); len(where) > 0 {
		t.Errorf("the delivered and used code is still in %v", where)
	}
}
