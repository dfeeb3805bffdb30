package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"regexp"
	"strings"
	"time"

	"mfadesk/data"
)

// Sender hands one message to a provider and returns the provider's id
// for it. Implementations pass the outbox id to the provider as an
// idempotency key (SMS) or Message-ID (email), so a provider that
// deduplicates on it never delivers a retried message twice.
type Sender interface {
	Send(ctx context.Context, m data.OutboxMessage) (providerID string, err error)
}

// PermanentError is a refusal that retrying cannot fix, such as an
// address the provider rejects: the message fails without more attempts.
type PermanentError struct{ Err error }

func (e *PermanentError) Error() string { return e.Err.Error() }
func (e *PermanentError) Unwrap() error { return e.Err }

// Permanent marks err as a permanent refusal.
func Permanent(err error) error { return &PermanentError{Err: err} }

// Worker delivers the outbox: it claims due messages under a lease, sends
// each through the sender of its channel, and records every attempt and
// the outcome. Time comes from the database's clock, so tests move it
// instead of sleeping.
//
// Delivery is at-least-once: the provider's acceptance is recorded the
// moment it answers, and a sent message is never claimed again; but a
// worker that dies after the provider accepted and before that record
// leaves a lapsed lease, and the message goes again when the lease runs
// out. Only a provider that deduplicates on the idempotency key (the
// outbox id) makes that at-most-once.
type Worker struct {
	DB    *data.DB
	Email Sender
	SMS   Sender
	Log   *slog.Logger

	MaxAttempts int           // attempts before a message fails (default 6)
	BaseDelay   time.Duration // backoff after the first failure (default 30s)
	MaxDelay    time.Duration // backoff cap (default 30m)
	SendTimeout time.Duration // one send (default 30s)
	Lease       time.Duration // claim length, longer than SendTimeout (default 2m)
	Batch       int           // messages claimed at once (default 20)
	Poll        time.Duration // wait when the outbox is empty (default 2s)
	// StopGrace is how long a send in progress may go on once the worker
	// is stopped (default 10s; negative: cut it at once). Cutting a send
	// leaves the provider's answer unknown, and the message goes again.
	StopGrace time.Duration

	// Jitter returns a random duration in [0, d); default math/rand/v2.
	Jitter func(d time.Duration) time.Duration
	// Wait blocks for d or until ctx ends; default a timer. Tests replace it.
	Wait func(ctx context.Context, d time.Duration)
}

func (w *Worker) defaults() {
	set := func(p *time.Duration, d time.Duration) {
		if *p <= 0 {
			*p = d
		}
	}
	set(&w.BaseDelay, 30*time.Second)
	set(&w.MaxDelay, 30*time.Minute)
	set(&w.SendTimeout, 30*time.Second)
	set(&w.Lease, 4*w.SendTimeout)
	set(&w.Poll, 2*time.Second)
	if w.StopGrace == 0 {
		w.StopGrace = 10 * time.Second
	}
	if w.MaxAttempts <= 0 {
		w.MaxAttempts = 6
	}
	if w.Batch <= 0 {
		w.Batch = 20
	}
	if w.Jitter == nil {
		w.Jitter = func(d time.Duration) time.Duration {
			if d <= 0 {
				return 0
			}
			return rand.N(d)
		}
	}
	if w.Wait == nil {
		w.Wait = func(ctx context.Context, d time.Duration) {
			t := time.NewTimer(d)
			defer t.Stop()
			select {
			case <-ctx.Done():
			case <-t.C:
			}
		}
	}
	if w.Log == nil {
		w.Log = slog.New(slog.DiscardHandler)
	}
}

// Run delivers until ctx ends, then returns once the send in progress has
// finished (within StopGrace) or been given back.
func (w *Worker) Run(ctx context.Context) {
	w.defaults()
	for ctx.Err() == nil {
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.Log.Error("outbox delivery", "err", err)
		}
		if n == 0 || err != nil {
			w.Wait(ctx, w.Poll)
		}
	}
}

// RunOnce claims the messages that are due and sends them one by one. It
// returns how many it claimed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	w.defaults()
	msgs, err := w.DB.ClaimDue(ctx, w.Batch, w.Lease, w.MaxAttempts)
	if err != nil {
		return 0, err
	}
	for _, m := range msgs {
		if err := w.deliver(ctx, m); err != nil {
			return len(msgs), err
		}
	}
	return len(msgs), nil
}

// deliver sends one claimed message and records the outcome. Records are
// written with a context that outlives ctx, so stopping the worker still
// leaves each claimed message sent, retrying or failed, not leased.
func (w *Worker) deliver(ctx context.Context, m data.OutboxMessage) error {
	record, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	if ctx.Err() != nil {
		return w.DB.RecordInterrupted(record, m.ID, m.Attempts, "worker stopped before sending")
	}
	if m.Scrubbed {
		// Its code was used, replaced or expired while it waited: the body
		// is gone, and sending the rest would only confuse the customer.
		w.Log.Warn("message not sent: its code is no longer valid", "outbox_id", m.ID, "kind", m.Kind)
		return w.DB.RecordFailure(record, m.ID, m.Attempts, "not sent: its code was used, replaced or expired first", 0)
	}
	sender := w.Email
	if m.Channel == SMS {
		sender = w.SMS
	}
	if sender == nil {
		return w.DB.RecordFailure(record, m.ID, m.Attempts, "no sender for channel "+m.Channel, 0)
	}
	// The send does not end the moment the worker is stopped: it has
	// StopGrace to finish, so a clean shutdown rarely leaves a message
	// whose fate is unknown.
	send, cancelSend := context.WithTimeout(context.WithoutCancel(ctx), w.SendTimeout)
	unhook := context.AfterFunc(ctx, func() { time.AfterFunc(max(w.StopGrace, 0), cancelSend) })
	providerID, err := sender.Send(send, m)
	unhook()
	cancelSend()
	// Log lines carry the id, channel, kind and attempt: never the
	// recipient's message, which may hold a code (docs/security.md S9, S36).
	log := w.Log.With("outbox_id", m.ID, "channel", m.Channel, "kind", m.Kind, "attempt", m.Attempts)
	if err == nil {
		log.Info("message sent", "provider_id", providerID)
		return w.DB.RecordSent(record, m.ID, m.Attempts, providerID)
	}
	text := SafeError(err, m)
	var permanent *PermanentError
	switch {
	case ctx.Err() != nil:
		log.Warn("send interrupted by shutdown", "err", text)
		return w.DB.RecordInterrupted(record, m.ID, m.Attempts, text)
	case errors.As(err, &permanent) || m.Attempts >= w.MaxAttempts:
		log.Error("message failed", "err", text)
		return w.DB.RecordFailure(record, m.ID, m.Attempts, text, 0)
	}
	retry := w.Backoff(m.Attempts)
	log.Warn("send failed, will retry", "err", text, "retry_in", retry)
	return w.DB.RecordFailure(record, m.ID, m.Attempts, text, retry)
}

// Backoff is the wait after failed attempt n (1-based): BaseDelay doubled
// per attempt up to MaxDelay, less up to half of it at random, so many
// messages failing together do not retry in step.
func (w *Worker) Backoff(n int) time.Duration {
	w.defaults()
	d := w.BaseDelay
	for i := 1; i < n && d < w.MaxDelay; i++ {
		d *= 2
	}
	d = min(d, w.MaxDelay)
	return d - w.Jitter(d/2)
}

// longDigits matches six or more digits in a row: a one-time code, or a
// phone number, neither of which belongs in a log.
var longDigits = regexp.MustCompile(`\d{6,}`)

// SafeError is err's text fit for logs and the delivery log: without the
// message's body or subject, without anything shaped like a code, and
// short. Providers sometimes echo what they were sent.
func SafeError(err error, m data.OutboxMessage) string {
	s := err.Error()
	for _, secret := range []string{m.Body, m.Subject} {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "[message]")
		}
	}
	s = longDigits.ReplaceAllString(s, "******")
	if len(s) > 300 {
		s = s[:300]
	}
	return strings.ToValidUTF8(s, "")
}

// Describe names the worker's settings for the start-up log.
func (w *Worker) Describe() string {
	w.defaults()
	return fmt.Sprintf("attempts %d, backoff %s..%s, send timeout %s, lease %s",
		w.MaxAttempts, w.BaseDelay, w.MaxDelay, w.SendTimeout, w.Lease)
}
