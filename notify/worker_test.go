package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"mfadesk/data"
	"mfadesk/pgtest"
)

// clock is the database's clock in these tests: moved, never slept on.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time          { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) { c.mu.Lock(); defer c.mu.Unlock(); c.now = c.now.Add(d) }

func openDB(t *testing.T, path string, c *clock) *data.DB {
	t.Helper()
	db, err := data.Open(context.Background(), path, c.Now)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// queueSMS puts n login-code SMS in the outbox and returns their ids.
func queueSMS(t *testing.T, db *data.DB, n int) []int64 {
	t.Helper()
	var ids []int64
	err := db.InTx(context.Background(), func(tx *data.Tx) error {
		for i := range n {
			m := LoginCode(SMS, fmt.Sprintf("%06d", 123450+i), 5*time.Minute)
			id, err := tx.QueueMessage(context.Background(), &data.OutboxMessage{Kind: m.Kind, Channel: SMS,
				To: fmt.Sprintf("+819000%06d", i), Body: m.Body})
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return ids
}

// provider is an SMS provider that deduplicates on Idempotency-Key, as a
// good one does, and counts what it accepted. respond decides the answer
// to each request (0 means accept).
type provider struct {
	t        *testing.T
	mu       sync.Mutex
	requests int
	accepted map[string]int    // idempotency key → times accepted
	ids      map[string]string // idempotency key → message id
	respond  func(n int, w http.ResponseWriter, r *http.Request) int
}

func newProvider(t *testing.T, respond func(n int, w http.ResponseWriter, r *http.Request) int) (*provider, *httptest.Server) {
	p := &provider{t: t, accepted: map[string]int{}, ids: map[string]string{}, respond: respond}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	return p, srv
}

func (p *provider) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var req struct{ To, Body string }
	if r.Header.Get("Authorization") != "Bearer tok-secret" || r.Method != http.MethodPost ||
		json.NewDecoder(r.Body).Decode(&req) != nil || !strings.HasPrefix(req.To, "+819000") || !strings.Contains(req.Body, "ログイン確認コード") {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	key := r.Header.Get("Idempotency-Key")
	p.mu.Lock()
	p.requests++
	n := p.requests
	p.mu.Unlock()
	if p.respond != nil {
		if status := p.respond(n, w, r); status != 0 {
			w.WriteHeader(status)
			return
		}
	}
	json.NewEncoder(w).Encode(map[string]string{"id": p.accept(key)})
}

// accept records key once and returns its message id.
func (p *provider) accept(key string) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	if id, ok := p.ids[key]; ok {
		return id // a retry of a message we already have: not sent again
	}
	p.accepted[key]++
	p.ids[key] = fmt.Sprintf("sm-%d", len(p.ids)+1)
	return p.ids[key]
}

func newWorker(db *data.DB, url string) *Worker {
	return &Worker{DB: db, SMS: &SMSSender{URL: url, Token: "tok-secret"}, MaxAttempts: 3,
		BaseDelay: time.Minute, MaxDelay: time.Hour, Lease: 5 * time.Minute, SendTimeout: 10 * time.Second,
		Jitter: func(time.Duration) time.Duration { return 0 }}
}

func attemptResults(t *testing.T, db *data.DB, id int64) string {
	t.Helper()
	as, err := db.DeliveryAttempts(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range as {
		if strings.Contains(a.Error, "1234") {
			t.Errorf("attempt error holds the code: %q", a.Error)
		}
		out = append(out, a.Result)
	}
	return strings.Join(out, ",")
}

func TestSMSDeliveryRetries(t *testing.T) {
	tests := []struct {
		name       string
		respond    func(n int, w http.ResponseWriter, r *http.Request) int
		timeout    time.Duration
		runs       int // RunOnce calls, each after the backoff has passed
		wantStatus string
		wantLog    string
	}{
		{"accepted", nil, 0, 1, "sent", "sent"},
		{"500s then success", func(n int, _ http.ResponseWriter, _ *http.Request) int {
			if n <= 2 {
				return http.StatusInternalServerError
			}
			return 0
		}, 0, 3, "sent", "retry,retry,sent"},
		{"timeout then success", func(n int, _ http.ResponseWriter, r *http.Request) int {
			if n == 1 {
				<-r.Context().Done() // never answers; the client's timeout ends it
				return http.StatusGatewayTimeout
			}
			return 0
		}, 200 * time.Millisecond, 2, "sent", "retry,sent"},
		{"rate limited then success", func(n int, _ http.ResponseWriter, _ *http.Request) int {
			if n == 1 {
				return http.StatusTooManyRequests
			}
			return 0
		}, 0, 2, "sent", "retry,sent"},
		{"permanent refusal", func(int, http.ResponseWriter, *http.Request) int { return http.StatusUnprocessableEntity }, 0, 1, "failed", "failed"},
		{"failing provider gives up after 3", func(int, http.ResponseWriter, *http.Request) int { return http.StatusBadGateway }, 0, 5, "failed", "retry,retry,failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			c := &clock{now: time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)}
			db := openDB(t, pgtest.DSN(t, filepath.Join(t.TempDir(), "t.db")), c)
			id := queueSMS(t, db, 1)[0]
			p, srv := newProvider(t, tt.respond)
			w := newWorker(db, srv.URL)
			if tt.timeout > 0 {
				w.SendTimeout = tt.timeout
			}
			for i := 1; i <= tt.runs; i++ {
				if _, err := w.RunOnce(ctx); err != nil {
					t.Fatal(err)
				}
				m, _ := db.Message(ctx, id)
				if m.Status != "retrying" {
					continue
				}
				// Not before the backoff has passed.
				c.Advance(w.Backoff(i) - time.Second)
				if n, _ := w.RunOnce(ctx); n != 0 {
					t.Fatalf("retried %s before the backoff of attempt %d", w.Backoff(i)-time.Second, i)
				}
				c.Advance(time.Second)
			}
			m, err := db.Message(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			if m.Status != tt.wantStatus {
				t.Errorf("status %s, want %s", m.Status, tt.wantStatus)
			}
			if got := attemptResults(t, db, id); got != tt.wantLog {
				t.Errorf("attempts %s, want %s", got, tt.wantLog)
			}
			if tt.wantStatus == "sent" && (m.ProviderID != "sm-1" || p.accepted[IdempotencyKey(id)] != 1) {
				t.Errorf("provider id %q, accepted %d times", m.ProviderID, p.accepted[IdempotencyKey(id)])
			}
			if n, _ := w.RunOnce(ctx); n != 0 {
				t.Error("a finished message was claimed again")
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	w := &Worker{BaseDelay: 30 * time.Second, MaxDelay: 10 * time.Minute, Jitter: func(time.Duration) time.Duration { return 0 }}
	for attempt, want := range map[int]time.Duration{1: 30 * time.Second, 2: time.Minute, 3: 2 * time.Minute,
		5: 8 * time.Minute, 6: 10 * time.Minute, 40: 10 * time.Minute} {
		if got := w.Backoff(attempt); got != want {
			t.Errorf("attempt %d: %s, want %s", attempt, got, want)
		}
	}
	// Jitter takes off at most half.
	w.Jitter = func(d time.Duration) time.Duration { return d - 1 }
	if got := w.Backoff(2); got != 30*time.Second+1 {
		t.Errorf("with most jitter: %s", got)
	}
}

// The provider receives numbers in E.164 (the JSON to is +81..., which
// the test provider requires); a number in any other form, which no
// migration could read, fails for good without reaching it.
func TestSMSNeedsE164(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)}
	db := openDB(t, pgtest.DSN(t, filepath.Join(t.TempDir(), "t.db")), c)
	p, srv := newProvider(t, nil)
	good := queueSMS(t, db, 1)[0]
	var domestic int64
	err := db.InTx(ctx, func(tx *data.Tx) error {
		var err error
		domestic, err = tx.QueueMessage(ctx, &data.OutboxMessage{Kind: "login_code", Channel: SMS, To: "090-0000-0002",
			Body: LoginCode(SMS, "123456", time.Minute).Body})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := newWorker(db, srv.URL).RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if got := attemptResults(t, db, good); got != "sent" {
		t.Errorf("E.164 number: %q", got)
	}
	if got := attemptResults(t, db, domestic); got != "failed" {
		t.Errorf("domestic number: %q", got)
	}
	if p.requests != 1 {
		t.Errorf("the provider got %d requests, want the E.164 one only", p.requests)
	}
}

func TestSafeErrorHidesTheMessage(t *testing.T) {
	m := data.OutboxMessage{Subject: "件名", Body: "コードは 123456 です"}
	got := SafeError(errors.New("provider said: コードは 123456 です / 件名 / code 654321 for 09012345678"), m)
	for _, leak := range []string{"123456", "654321", "09012345678", "件名", "コードは"} {
		if strings.Contains(got, leak) {
			t.Errorf("%q leaks %q", got, leak)
		}
	}
	if !strings.Contains(got, "provider said") {
		t.Errorf("lost the reason: %q", got)
	}
}
