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

// ErrBusy means a password could not be checked because too many checks
// were already running and no slot came free within Config.HashWait. The
// password was not looked at: the visitor should simply try again.
var ErrBusy = errors.New("too many password checks in progress")

// Each argon2id check allocates Config.Argon2.Memory (19 MiB by default)
// and keeps one core busy for tens of milliseconds. Unbounded, a burst of
// 1,000 logins would ask for 19 GiB and starve every other request of
// CPU. So argon2 work on a request path takes a slot first: at most
// HashConcurrency checks run at once, the others wait in line (a waiting
// goroutine costs a few KiB), and one that waits longer than HashWait
// gets ErrBusy instead of piling up behind the queue.

// DefaultHashConcurrency leaves one core to everything else: with every
// core hashing, the other steps of a login, second factors and pages
// queued for CPU behind argon2id (measured on 2 cores: second factor p50
// 14 ms with 2 slots, 1.4 ms with 1; docs/performance.md).
func DefaultHashConcurrency() int { return max(1, runtime.NumCPU()-1) }

// defaultHashWait applies when Config.HashWait is not set.
const defaultHashWait = 2 * time.Second

// hashLimiter is a counting semaphore: a buffered channel holding one
// token per running argon2 computation.
type hashLimiter struct {
	slots chan struct{}
	wait  time.Duration
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
	return &hashLimiter{slots: make(chan struct{}, concurrency), wait: wait}
}

// do runs work once a slot is free. It returns ErrBusy if none came free
// within the wait, or the context's error if the request went away first;
// in both cases work did not run.
func (l *hashLimiter) do(ctx context.Context, work func()) error {
	select {
	case l.slots <- struct{}{}: // a free slot: no timer needed
	default:
		timer := time.NewTimer(l.wait)
		defer timer.Stop()
		select {
		case l.slots <- struct{}{}:
		case <-timer.C:
			return ErrBusy
		case <-ctx.Done():
			return fmt.Errorf("mfa: waiting for a password check slot: %w", ctx.Err())
		}
	}
	defer func() { <-l.slots }()
	l.runs.Add(1)
	work()
	return nil
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

// PasswordHashes is how many argon2id computations (checks, dummy checks
// and new hashes) this Service has run.
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
