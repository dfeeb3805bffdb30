package mfa

import (
	"context"
	"errors"
	"runtime"
	"strconv"
	"sync"
	"testing"
	"time"
)

// holdSlots takes every slot of l with work that blocks until the
// returned release is called; when holdSlots returns, the slots are held.
func holdSlots(t *testing.T, l *hashLimiter) (release func()) {
	t.Helper()
	n := cap(l.slots)
	gate := make(chan struct{})
	var started, done sync.WaitGroup
	started.Add(n)
	done.Add(n)
	for range n {
		go func() {
			defer done.Done()
			err := l.do(context.Background(), func() {
				started.Done()
				<-gate
			})
			if err != nil {
				t.Errorf("holding a slot: %v", err)
			}
		}()
	}
	started.Wait()
	var once sync.Once
	release = func() {
		once.Do(func() {
			close(gate)
			done.Wait()
		})
	}
	t.Cleanup(release)
	return release
}

func TestHashLimiterRefusesWhenFull(t *testing.T) {
	// The wait is short only to keep the test fast; the outcome does not
	// depend on it, because the slots stay held for the whole call.
	l := newHashLimiter(2, time.Millisecond)
	release := holdSlots(t, l)

	ran := false
	if err := l.do(context.Background(), func() { ran = true }); !errors.Is(err, ErrBusy) {
		t.Fatalf("full limiter: got %v, want ErrBusy", err)
	}
	if ran {
		t.Fatal("work ran although no slot was free")
	}

	release()
	if err := l.do(context.Background(), func() { ran = true }); err != nil || !ran {
		t.Fatalf("after release: err %v, ran %v; want the work to run", err, ran)
	}
}

func TestHashLimiterWaiterGetsFreedSlot(t *testing.T) {
	// A long wait, so the waiter is still in line when the slot frees.
	l := newHashLimiter(1, time.Hour)
	release := holdSlots(t, l)
	result := make(chan error)
	go func() { result <- l.do(context.Background(), func() {}) }()
	release()
	if err := <-result; err != nil {
		t.Fatalf("waiter: got %v, want the freed slot", err)
	}
}

func TestHashLimiterStopsWaitingWhenRequestGoes(t *testing.T) {
	l := newHashLimiter(1, time.Hour)
	holdSlots(t, l)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := l.do(ctx, func() { t.Error("work ran") })
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrBusy) {
		t.Fatalf("got %v, want context.Canceled (not busy)", err)
	}
}

func TestHashLimiterDefaults(t *testing.T) {
	l := newHashLimiter(0, 0)
	if cap(l.slots) < 1 || l.wait != defaultHashWait {
		t.Fatalf("defaults: %d slots, wait %s", cap(l.slots), l.wait)
	}
}

// A login refused as busy is neither a failure nor an acceptance: it is
// not counted against the account or the address, and not audited.
func TestLoginBusyIsNotAFailure(t *testing.T) {
	ctx := context.Background()
	cfg := DefaultConfig()
	// Cheap parameters: the test is about the limit, not argon2's cost.
	cfg.Argon2 = Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	cfg.HashConcurrency, cfg.HashWait = 1, time.Millisecond
	hash, err := HashPassword("right password", cfg.Argon2)
	if err != nil {
		t.Fatal(err)
	}
	s, taro := newCustomerTestService(t, cfg, hash)
	db, id, now := s.DB, taro.ID, s.DB.Now()

	release := holdSlots(t, s.hashLimiter())
	for _, tc := range []struct{ login, password string }{
		{"taro", "right password"}, {"taro", "wrong"}, {"nobody", "x"},
	} {
		if _, err := s.CheckLoginPassword(ctx, tc.login, tc.password, "192.0.2.1", ""); !errors.Is(err, ErrBusy) {
			t.Fatalf("%s while full: got %v, want ErrBusy", tc.login, err)
		}
	}
	since := now.Add(-time.Hour)
	for _, key := range []string{"pw-addr:192.0.2.1", "pw-login:nobody", "pw-acct:" + strconv.FormatInt(id, 10)} {
		if n, err := db.ThrottleFailures(ctx, key, since); err != nil || n != 0 {
			t.Fatalf("%s: %d failures (err %v), want 0", key, n, err)
		}
	}
	if events, err := db.AuditEventsFor(ctx, id, 10); err != nil || len(events) != 0 {
		t.Fatalf("audit events %v (err %v), want none", events, err)
	}

	release()
	c, err := s.CheckLoginPassword(ctx, "taro", "right password", "192.0.2.1", "")
	if err != nil || c.ID != id {
		t.Fatalf("after release: %v, %v; want the customer", c, err)
	}
}

// A burst that the queue holds is served whole, however long the checks
// then take: real argon2id checks from parallel goroutines through one
// slot, far longer in total than the wait, and nobody is refused. Only
// the burst past the queue's capacity is, at once.
func TestHashLimiterBurstWithinCapacityWaits(t *testing.T) {
	const n = 16
	params := Argon2Params{Memory: 8 << 10, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}
	hash, err := HashPassword("burst", params)
	if err != nil {
		t.Fatal(err)
	}
	l := newHashLimiter(1, time.Millisecond)
	// The queue holds what one slot gets through in the wait: with checks
	// believed to take 1/32 of it, 32 may wait; each real check takes
	// longer than the whole wait.
	l.fastest.Store(int64(time.Millisecond / 32))
	if c := l.queueCapacity(); c < n {
		t.Fatalf("capacity %d, want at least %d", c, n)
	}
	release := holdSlots(t, l)

	start := make(chan struct{})
	errs := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs <- l.do(context.Background(), func() {
				if ok, err := CheckPassword(hash, "burst"); err != nil || !ok {
					t.Errorf("check: %v %v", ok, err)
				}
			})
		}()
	}
	close(start)
	// Every check of the burst is in the queue before the slot frees.
	for l.waiting.Load() < n {
		runtime.Gosched()
	}
	release()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("a check of the burst: %v, want it to wait its turn", err)
		}
	}
	if got := l.runs.Load(); got != n+1 { // the burst and the held slot
		t.Errorf("%d computations, want %d", got, n+1)
	}
}

// Past the queue's capacity a check is refused at once, without waiting.
func TestHashLimiterRefusesPastQueueCapacity(t *testing.T) {
	l := newHashLimiter(1, time.Hour)
	l.fastest.Store(int64(time.Hour / 2)) // the queue holds 2
	holdSlots(t, l)
	waiters := make(chan error, 2)
	for range 2 {
		go func() { waiters <- l.do(context.Background(), func() {}) }()
	}
	for l.waiting.Load() < 2 {
		runtime.Gosched()
	}
	if err := l.do(context.Background(), func() { t.Error("work ran") }); !errors.Is(err, ErrBusy) {
		t.Fatalf("third waiter: got %v, want ErrBusy", err)
	}
	if got := l.waiting.Load(); got != 2 {
		t.Errorf("%d waiting after a refusal, want 2", got)
	}
}
