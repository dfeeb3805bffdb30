package mfa

import (
	"context"
	"errors"
	"fmt"

	"mfadesk/data"
)

// A customer who forgot the login password and cannot reset it alone
// gets, through support, a one-use password-setting code (docs/security.md
// S64). It has the temporary pass's format, is stored only as a keyed
// hash and is valid for Config.PasswordSetTTL. At /login/set-password the
// customer types login ID, code and the new password; ResetPassword's
// transaction then runs and uses the code up.

// ErrBadSetCode is every refusal of a password-setting code alike: an
// unknown login ID, no code, a wrong, used or expired one.
var ErrBadSetCode = errors.New("the login ID or the password-setting code is wrong")

// SetPasswordInput is the form of /login/set-password, as typed.
type SetPasswordInput struct {
	LoginID     string
	Code        string
	NewPassword string
	ClientIP    string
}

// IssuePasswordSetCode makes a new code for the customer within tx,
// voiding any earlier one, and returns it to be shown once. The caller
// audits the issue.
func (s *Service) IssuePasswordSetCode(ctx context.Context, tx *data.Tx, p data.PasswordSetCode) (string, error) {
	code, err := newTempPass()
	if err != nil {
		return "", err
	}
	folded, _ := NormalizeTempPass(code)
	if p.CodeHash, err = s.Codes.Hash(folded); err != nil {
		return "", err
	}
	p.ExpiresAt = tx.Now().Add(s.Config.PasswordSetTTL)
	return code, tx.CreatePasswordSetCode(ctx, &p)
}

// SetPasswordWithCode checks the code under the password limits (per
// login ID as typed and per address) and sets the new password. The
// password's policy is checked first, against the login ID as typed, so
// that answer says nothing about the account either.
func (s *Service) SetPasswordWithCode(ctx context.Context, in SetPasswordInput) error {
	if err := CheckNewPassword(in.NewPassword, in.LoginID); err != nil {
		return err
	}
	try := passwordTry{acctKey: "setpw-id:" + in.LoginID, addrKey: "setpw-addr:" + in.ClientIP}
	event := data.AuditEvent{ActorKind: "customer", Actor: quoteForAudit(in.LoginID), Action: "password.set_code",
		ClientIP: in.ClientIP}
	switch err := s.reserve(ctx, try); {
	case errors.Is(err, ErrAddressThrottled):
		return s.auditReset(ctx, event, "throttled:address", err)
	case errors.Is(err, errAccountThrottled):
		return s.auditReset(ctx, event, "throttled:login_id", ErrBadSetCode)
	case err != nil:
		return err
	}
	c, err := s.DB.CustomerByLoginID(ctx, in.LoginID)
	if errors.Is(err, data.ErrNotFound) {
		return s.auditReset(ctx, event, "failure:no_match", ErrBadSetCode)
	}
	if err != nil {
		return err
	}
	event.CustomerID = c.ID
	typed, ok := NormalizeTempPass(in.Code)
	p, err := s.DB.OpenPasswordSetCode(ctx, c.ID)
	switch {
	case errors.Is(err, data.ErrNotFound) || !ok:
		return s.auditReset(ctx, event, "failure:wrong_code", ErrBadSetCode)
	case err != nil:
		return err
	case !s.Codes.Check(p.CodeHash, typed):
		return s.auditReset(ctx, event, "failure:wrong_code", ErrBadSetCode)
	case !s.DB.Now().Before(p.ExpiresAt):
		return s.auditReset(ctx, event, "failure:expired", ErrBadSetCode)
	}
	err = s.resetPassword(ctx, c, in.NewPassword, in.ClientIP, "support_code", func(tx *data.Tx) error {
		if err := tx.UsePasswordSetCode(ctx, p.ID); err != nil {
			return err
		}
		return try.succeeded(ctx, tx)
	})
	if errors.Is(err, data.ErrConflict) {
		return s.auditReset(ctx, event, "failure:used", ErrBadSetCode)
	}
	if err != nil {
		return fmt.Errorf("set password with code: %w", err)
	}
	return nil
}
