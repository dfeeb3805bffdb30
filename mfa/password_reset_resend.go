package mfa

import (
	"context"
	"errors"

	"mfadesk/data"
)

// ResetResends is how many new codes one reset session may ask for.
const ResetResends = 3

// ErrResetResendsSpent refuses a new code to a reset session that had
// ResetResends already: the customer starts the reset again.
var ErrResetResendsSpent = errors.New("no more codes for this reset")

// ResendResetCode sends a new code for a reset, voiding the one before.
// The limits are the reset session's, taken before anything else and
// alike whatever the first step matched (one a Config.ResendCooldown,
// counting from the session's start, and ResetResends in all), so the
// answer tells nothing: only a matched session whose method is an SMS or
// email code gets a code, and a refusal by the customer's own hourly cap
// reads as sent. Every request is audited.
func (s *Service) ResendResetCode(ctx context.Context, c *data.Customer, sessionHash string, m Method, clientIP string) error {
	event := data.AuditEvent{ActorKind: "customer", Actor: "customer", Action: "password.reset.resend", ClientIP: clientIP}
	if c != nil {
		event.Actor, event.CustomerID = quoteForAudit(c.LoginID), c.ID
	}
	var ok, spent bool
	err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		var err error
		ok, spent, err = tx.TakeResetResend(ctx, sessionHash, ResetResends, s.Config.ResendCooldown)
		return err
	})
	switch {
	case err != nil:
		return err
	case spent:
		return s.auditReset(ctx, event, "throttled:spent", ErrResetResendsSpent)
	case !ok:
		return s.auditReset(ctx, event, "throttled:wait", ErrResendTooSoon)
	case c == nil || (m != MethodSMS && m != MethodEmail):
		return s.auditReset(ctx, event, "no_code", nil)
	}
	switch err := s.SendResetCode(ctx, c, sessionHash, m); {
	case errors.Is(err, ErrResendTooSoon):
		return s.auditReset(ctx, event, "refused:cooldown", nil)
	case errors.Is(err, ErrSendLimit):
		return s.auditReset(ctx, event, "refused:hourly_limit", nil)
	case errors.Is(err, ErrMethodNotAllowed):
		return s.auditReset(ctx, event, "refused:no_destination", nil)
	case err != nil:
		return err
	}
	return s.auditReset(ctx, event, "queued", nil)
}
