package notify

import (
	"context"
	"net/http"
	"path/filepath"
	"testing"
	"time"

	"mfadesk/pgtest"
)

// The worker is stopped while the provider holds the first message; a
// new worker on the same database file then sends everything exactly
// once: nothing lost, nothing doubled, whether or not the provider had
// taken the message before the connection dropped.
func TestWorkerStoppedMidSendLosesAndDoublesNothing(t *testing.T) {
	for _, providerHadIt := range []bool{false, true} {
		name := "provider had not accepted"
		if providerHadIt {
			name = "provider had accepted"
		}
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			path := pgtest.DSN(t, filepath.Join(t.TempDir(), "t.db"))
			c := &clock{now: time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)}
			db := openDB(t, path, c)
			ids := queueSMS(t, db, 3)

			blocked := make(chan struct{})
			var p *provider
			p, srv := newProvider(t, func(n int, _ http.ResponseWriter, r *http.Request) int {
				if n != 1 {
					return 0
				}
				if providerHadIt {
					p.accept(r.Header.Get("Idempotency-Key"))
				}
				close(blocked)
				<-r.Context().Done() // hold the request until the worker goes away
				return http.StatusServiceUnavailable
			})

			run, stop := context.WithCancel(ctx)
			done := make(chan struct{})
			go func() {
				defer close(done)
				w := newWorker(db, srv.URL)
				w.StopGrace = -1 // killed: the send is cut at once
				w.RunOnce(run)
			}()
			<-blocked
			stop()
			<-done
			db.Close()

			// Restart: a new process on the same file.
			db2 := openDB(t, path, c)
			w := newWorker(db2, srv.URL)
			if _, err := w.RunOnce(ctx); err != nil {
				t.Fatal(err)
			}
			for _, id := range ids {
				m, err := db2.Message(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if m.Status != "sent" {
					t.Errorf("message %d is %s after the restart", id, m.Status)
				}
				if n := p.accepted[IdempotencyKey(id)]; n != 1 {
					t.Errorf("message %d accepted %d times", id, n)
				}
			}
			if got := attemptResults(t, db2, ids[0]); got != "interrupted,sent" {
				t.Errorf("first message's attempts: %s", got)
			}
			// Another restart sends nothing again.
			requests := p.requests
			if n, _ := newWorker(db2, srv.URL).RunOnce(ctx); n != 0 || p.requests != requests {
				t.Errorf("a restart after delivery claimed %d messages", n)
			}
		})
	}
}

// A worker that died without recording anything (killed, power lost)
// leaves its claim; the message goes again only once the lease has run
// out, under the same idempotency key, and messages it never reached are
// sent as they were left.
func TestLapsedLeaseIsRetried(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)}
	path := pgtest.DSN(t, filepath.Join(t.TempDir(), "t.db"))
	db := openDB(t, path, c)
	ids := queueSMS(t, db, 2)
	p, srv := newProvider(t, nil)
	// The dead worker got as far as the provider for the first message.
	claimed, err := db.ClaimDue(ctx, 1, 5*time.Minute, 3)
	if err != nil || len(claimed) != 1 || claimed[0].ID != ids[0] || claimed[0].Attempts != 1 {
		t.Fatalf("claim: %+v %v", claimed, err)
	}
	p.accept(IdempotencyKey(ids[0]))
	db.Close()

	db2 := openDB(t, path, c)
	w := newWorker(db2, srv.URL)
	if n, err := w.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("claimed %d, %v: want only the message left queued", n, err)
	}
	if m, _ := db2.Message(ctx, ids[0]); m.Status != "sending" {
		t.Fatalf("leased message is %s before its lease ran out", m.Status)
	}
	c.Advance(5 * time.Minute)
	if n, err := w.RunOnce(ctx); err != nil || n != 1 {
		t.Fatalf("after the lease: claimed %d, %v", n, err)
	}
	m, _ := db2.Message(ctx, ids[0])
	if m.Status != "sent" || m.ProviderID != "sm-1" || p.accepted[IdempotencyKey(ids[0])] != 1 {
		t.Errorf("status %s provider id %s accepted %d", m.Status, m.ProviderID, p.accepted[IdempotencyKey(ids[0])])
	}
	if got := attemptResults(t, db2, ids[0]); got != "abandoned,sent" {
		t.Errorf("attempts: %s", got)
	}
}

// A lapsed claim on the last allowed attempt fails instead of going again.
func TestLapsedLeaseOnLastAttemptFails(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)}
	db := openDB(t, pgtest.DSN(t, filepath.Join(t.TempDir(), "t.db")), c)
	id := queueSMS(t, db, 1)[0]
	if _, err := db.ClaimDue(ctx, 1, time.Minute, 1); err != nil {
		t.Fatal(err)
	}
	c.Advance(time.Minute)
	if claimed, err := db.ClaimDue(ctx, 1, time.Minute, 1); err != nil || len(claimed) != 0 {
		t.Fatalf("claimed %+v, %v", claimed, err)
	}
	if m, _ := db.Message(ctx, id); m.Status != "failed" {
		t.Errorf("status %s", m.Status)
	}
	if got := attemptResults(t, db, id); got != "abandoned" {
		t.Errorf("attempts: %s", got)
	}
}

// A clean stop lets the send in progress finish within StopGrace: the
// provider's answer is recorded, so nothing is left to send twice.
func TestStopLetsTheSendInProgressFinish(t *testing.T) {
	ctx := context.Background()
	c := &clock{now: time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)}
	db := openDB(t, pgtest.DSN(t, filepath.Join(t.TempDir(), "t.db")), c)
	ids := queueSMS(t, db, 2)
	inFlight, release := make(chan struct{}), make(chan struct{})
	p, srv := newProvider(t, func(n int, _ http.ResponseWriter, _ *http.Request) int {
		if n == 1 {
			close(inFlight)
			<-release
		}
		return 0
	})
	run, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		newWorker(db, srv.URL).RunOnce(run)
	}()
	<-inFlight
	stop()
	close(release)
	<-done
	if m, _ := db.Message(ctx, ids[0]); m.Status != "sent" || p.accepted[IdempotencyKey(ids[0])] != 1 {
		t.Errorf("message in flight at the stop: %s", m.Status)
	}
	// The next one was not started after the stop: it waits for the next worker.
	if m, _ := db.Message(ctx, ids[1]); m.Status != "retrying" || p.requests != 1 {
		t.Errorf("message after the stop: %s, %d requests", m.Status, p.requests)
	}
	if got := attemptResults(t, db, ids[1]); got != "interrupted" {
		t.Errorf("attempts of the second: %s", got)
	}
}
