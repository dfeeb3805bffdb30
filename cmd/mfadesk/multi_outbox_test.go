package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"mfadesk/data"
	"mfadesk/notify"
)

// The outbox worker runs on every instance and no message goes twice:
// N messages, both instances' workers claiming small batches at once
// until the outbox is empty, and the SMS provider counts each message
// (by its idempotency key) exactly once.
func TestMultiOutboxSendsEachMessageOnce(t *testing.T) {
	multiEngines(t, func(t *testing.T, dsn string) {
		var mu sync.Mutex
		got := map[string]int{}
		provider := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			got[r.Header.Get("Idempotency-Key")]++
			n := len(got)
			mu.Unlock()
			fmt.Fprintf(w, `{"id":"sm-%d"}`, n)
		}))
		defer provider.Close()
		apps := newInstances(t, dsn, 2, func(cfg *Config) {
			cfg.Delivery = "smtp"
			cfg.SMS = notify.SMSSender{URL: provider.URL, Token: "tok"}
			cfg.SMTP = notify.SMTPSender{Host: "127.0.0.1", Port: 1, Security: notify.SMTPNone, From: "noreply@example.jp"}
			cfg.Demo = false
		})
		ctx := context.Background()
		const n = 60
		err := apps[0].DB.InTx(ctx, func(tx *data.Tx) error {
			for i := range n {
				m := &data.OutboxMessage{Kind: "test", Channel: notify.SMS, To: "+8190000000" + fmt.Sprintf("%02d", i), Body: "テスト"}
				if _, err := tx.QueueMessage(ctx, m); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var start, wg sync.WaitGroup
		start.Add(1)
		for _, a := range apps {
			for range 2 { // two workers an instance, as a restart overlapping the old process
				w := a.newWorker()
				w.Batch = 4
				wg.Add(1)
				go func() {
					defer wg.Done()
					start.Wait()
					for {
						claimed, err := w.RunOnce(ctx)
						if err != nil {
							t.Error(err)
							return
						}
						if claimed == 0 {
							return
						}
					}
				}()
			}
		}
		start.Done()
		wg.Wait()
		if depth, err := apps[1].DB.OutboxDepth(ctx); err != nil || depth != 0 {
			t.Fatalf("outbox depth %d, %v after the workers finished", depth, err)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(got) != n {
			t.Errorf("provider got %d distinct messages, want %d", len(got), n)
		}
		for key, times := range got {
			if times != 1 {
				t.Errorf("%s sent %d times", key, times)
			}
		}
	})
}
