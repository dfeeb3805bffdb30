package mfa

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// ErrBusy means a password could not be checked because the queue of
// checks waiting for a slot was full: more than the slots get through
// within Config.HashWait. The password was not looked at: the visitor
// should simply try again.
var ErrBusy = errors.New("too many password checks in progress")

// Each argon2id check allocates Config.Argon2.Memory (19 MiB by default)
// and keeps one core busy for tens of milliseconds. Unbounded, a burst of
// 1,000 logins would ask for 19 GiB and starve every other request of
// CPU. So argon2 work on a request path takes a slot first: at most
// HashConcurrency checks run at once, and the others wait in a queue (a
// waiting goroutine costs a few KiB).
//
// The queue holds what the slots get through within HashWait: a check
// arriving at a longer queue gets ErrBusy at once, and one that joins
// waits for its turn however long the machine then takes (until its
// request goes away). A wait timed per request would refuse a steady
// queue as soon as hashing slows a little (50 browsers logging in over
// and over, with one slot at 24 checks/s, are a 2.1 s queue): refusals
// belong to a queue that grows, as in a burst. The time a check takes
// is the fastest one seen, argon2id's own speed on this machine.

// DefaultHashConcurrency leaves one core to everything else: with every
// core hashing, the other steps of a login, second factors and pages
// queued for CPU behind argon2id (measured on 2 cores: second factor p50
// 14 ms with 2 slots, 1.4 ms with 1; docs/performance.md).
func DefaultHashConcurrency() int { return max(1, runtime.NumCPU()-1) }

// defaultHashWait applies when Config.HashWait is not set.
const defaultHashWait = 2 * time.Second

// firstHashEstimate is the time a check takes until one has been timed:
// argon2id at the default parameters on a current server core.
const firstHashEstimate = 25 * time.Millisecond

// hashLimiter is a counting semaphore (a buffered channel holding one
// token per running argon2 computation) with a bounded queue in front.
type hashLimiter struct {
	slots   chan struct{}
	wait    time.Duration
	waiting atomic.Int64 // checks in the queue, not yet holding a slot
	// fastest is the shortest time a computation took, in nanoseconds.
	fastest atomic.Int64
	// runs counts the computations done, so tests (and an operator's
	// debugger) can tell how many passwords were actually hashed.
	runs atomic.Int64
}

func newHashLimiter(concurrency int, wait time.Duration) *hashLimiter {
	if concurrency <= 0 {
		concurrency = DefaultHashConcurrency()
	}
	if wait <= 0 {
		wait = defaultHashWait
	}
	l := &hashLimiter{slots: make(chan struct{}, concurrency), wait: wait}
	l.fastest.Store(int64(firstHashEstimate))
	return l
}

// queueCapacity is how many checks may wait: as many as the slots finish
// within the wait.
func (l *hashLimiter) queueCapacity() int64 {
	return int64(l.wait) * int64(cap(l.slots)) / max(1, l.fastest.Load())
}

// do runs work once a slot is free. It returns ErrBusy at once if the
// queue is full, or the context's error if the request went away while
// waiting; in both cases work did not run.
func (l *hashLimiter) do(ctx context.Context, work func()) error { return l.run(ctx, true, work) }

// run is do, with work's time kept only if timed: work that is not
// argon2id at the configured cost (an imported bcrypt or PBKDF2 hash
// can be far cheaper) must not shrink the estimate the queue is sized by.
func (l *hashLimiter) run(ctx context.Context, timed bool, work func()) error {
	select {
	case l.slots <- struct{}{}: // a free slot: no queue
	default:
		if l.waiting.Add(1) > l.queueCapacity() {
			l.waiting.Add(-1)
			return ErrBusy
		}
		select {
		case l.slots <- struct{}{}:
			l.waiting.Add(-1)
		case <-ctx.Done():
			l.waiting.Add(-1)
			return fmt.Errorf("mfa: waiting for a password check slot: %w", ctx.Err())
		}
	}
	defer func() { <-l.slots }()
	l.runs.Add(1)
	start := time.Now()
	work()
	if timed {
		l.record(time.Since(start))
	}
	return nil
}

// record keeps took if no computation was faster yet.
func (l *hashLimiter) record(took time.Duration) {
	for {
		f := l.fastest.Load()
		if took <= 0 || int64(took) >= f || l.fastest.CompareAndSwap(f, int64(took)) {
			return
		}
	}
}

// hashGate builds the Service's limiter on first use, from its Config,
// so a Service stays a plain struct literal.
type hashGate struct {
	once    sync.Once
	limiter *hashLimiter
}

func (s *Service) hashLimiter() *hashLimiter {
	s.hashes.once.Do(func() {
		s.hashes.limiter = newHashLimiter(s.Config.HashConcurrency, s.Config.HashWait)
	})
	return s.hashes.limiter
}

// PasswordHashes is how many password hash computations (checks, dummy
// checks and new hashes, argon2id or an imported scheme's) this Service
// has run.
func (s *Service) PasswordHashes() int64 { return s.hashLimiter().runs.Load() }

// checkPassword is CheckPassword under the Service's limit.
func (s *Service) checkPassword(ctx context.Context, encoded, password string) (bool, error) {
	var ok bool
	var err error
	if lerr := s.hashLimiter().do(ctx, func() { ok, err = CheckPassword(encoded, password) }); lerr != nil {
		return false, lerr
	}
	return ok, err
}

// dummyCheckPassword is DummyCheckPassword under the Service's limit. It
// waits for a slot like the real check, so a busy answer does not tell
// whether the account exists either.
func (s *Service) dummyCheckPassword(ctx context.Context, password string) error {
	return s.hashLimiter().do(ctx, func() { DummyCheckPassword(password, s.Config.Argon2) })
}

// hashPassword is HashPassword under the Service's limit.
func (s *Service) hashPassword(ctx context.Context, password string) (string, error) {
	var hash string
	var err error
	if lerr := s.hashLimiter().do(ctx, func() { hash, err = HashPassword(password, s.Config.Argon2) }); lerr != nil {
		return "", lerr
	}
	return hash, err
}
