package support

import (
	"context"
	"errors"
	"fmt"
	"time"

	"mfadesk/data"
	"mfadesk/jst"
	"mfadesk/mfa"
	"mfadesk/notify"
)

// Possession and postal verification: a code goes to something the
// customer controls (a verified phone or email, or the registered address
// by post), and the customer reads it back. Wrong codes count against the
// customer's one second-factor lock, shared with login (docs/security.md S16).

// PostalCodeTTL is how long a mailed code stays valid: the post is slow.
const PostalCodeTTL = 14 * 24 * time.Hour

// SendPossessionCode sends a code to the customer's verified email or SMS
// number, as the staff member chose. The pending verification, the
// message in the outbox and the audit event commit together.
func (s *Service) SendPossessionCode(ctx context.Context, a CaseActor, channel string) error {
	if a.Case.Status != CaseOpen {
		return ErrCaseClosed
	}
	c, err := s.DB.CustomerByID(ctx, a.Case.CustomerID)
	if err != nil {
		return err
	}
	var to string
	switch {
	case channel == notify.Email && c.HasValidEmail():
		to = c.Email
	case channel == notify.SMS && c.PhoneVerified && c.Phone != "":
		to = c.Phone
	default:
		return ErrNoVerifiedDest
	}
	return s.issueCode(ctx, a, data.VerifyPossession, s.Config.CodeTTL, "channel="+channel,
		func(tx *data.Tx, code string, expires time.Time) (int64, error) {
			return notify.QueueCode(ctx, tx, a.Case.ID, c.ID, channel, to, possessionMessage(channel, code, s.Config.CodeTTL), expires)
		})
}

// SendPostalCode queues a letter with a code to the registered address.
func (s *Service) SendPostalCode(ctx context.Context, a CaseActor) error {
	if a.Case.Status != CaseOpen {
		return ErrCaseClosed
	}
	return s.issueCode(ctx, a, data.VerifyPostal, PostalCodeTTL, "channel=post",
		func(tx *data.Tx, code string, _ time.Time) (int64, error) {
			return 0, tx.QueuePostalLetter(ctx, &data.PostalLetter{CustomerID: a.Case.CustomerID, CaseID: a.Case.ID,
				Body: fmt.Sprintf("【転送不要】ご本人確認コードのお知らせ\n\nご本人確認コードは %s です。"+
					"お客様サポートまたは提携ショップで、担当者にお伝えください（%s まで有効）。\n"+
					"お心当たりのない場合は、お客様サポート 0120-000-000 へご連絡ください。",
					code, tx.Now().Add(PostalCodeTTL).In(jst.Zone).Format("2006年1月2日"))})
		})
}

// issueCode creates a pending verification for a new code, voiding the
// case's previous one, and hands the code to deliver inside the same
// transaction; deliver returns the id of the message that carries it, if
// it went to the outbox. Sends are spaced by the resend cool-down.
func (s *Service) issueCode(ctx context.Context, a CaseActor, method string, ttl time.Duration, detail string,
	deliver func(tx *data.Tx, code string, expires time.Time) (int64, error)) error {
	code, hash, err := s.MFA.NewHashedCode()
	if err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		now := tx.Now()
		prev, err := tx.PendingVerification(ctx, a.Case.ID, method)
		if err != nil && !errors.Is(err, data.ErrNotFound) {
			return err
		}
		if prev != nil {
			if wait := prev.CreatedAt.Add(s.Config.ResendCooldown).Sub(now); wait > 0 {
				return &mfa.SendWait{Wait: wait}
			}
		}
		outboxID, err := deliver(tx, code, now.Add(ttl))
		if err != nil {
			return err
		}
		if _, err := tx.CreateVerification(ctx, &data.Verification{CaseID: a.Case.ID, CustomerID: a.Case.CustomerID,
			StaffID: a.Staff.ID, Method: method, Strength: data.StrengthStrong, Status: data.VerificationPending,
			Detail: detail, CodeHash: hash, ExpiresAt: now.Add(ttl), OutboxID: outboxID}); err != nil {
			return err
		}
		return tx.Audit(ctx, a.event("case.verify."+method+".send", "queued", detail))
	})
}

// CheckVerificationCode checks the code the customer read back for the
// case's pending possession or postal verification. It goes through the
// same attempt as every other second factor, so the outcome, the
// customer's shared failure count and the audit events commit together.
func (s *Service) CheckVerificationCode(ctx context.Context, a CaseActor, method, rawCode string) error {
	if a.Case.Status != CaseOpen {
		return ErrCaseClosed
	}
	code, ok := mfa.NormalizeCode(rawCode)
	if !ok {
		return mfa.ErrMalformedCode
	}
	c := &data.Customer{ID: a.Case.CustomerID}
	in := mfa.VerifyInput{Customer: c, Purpose: mfa.PurposeConsoleVerification, Method: mfa.Method(method), ClientIP: a.ClientIP}
	return s.MFA.Attempt(ctx, in, func(tx *data.Tx, _ *data.Customer) (result, err error) {
		v, err := tx.PendingVerification(ctx, a.Case.ID, method)
		if errors.Is(err, data.ErrNotFound) {
			return mfa.ErrNoCode, tx.Audit(ctx, a.event("case.verify."+method, "refused:no_code", ""))
		}
		if err != nil {
			return nil, err
		}
		result, err = s.matchVerificationCode(ctx, tx, v, code)
		if err != nil {
			return nil, err
		}
		return result, tx.Audit(ctx, a.event("case.verify."+method, outcomeOf(result), v.Detail))
	}, nil)
}

func (s *Service) matchVerificationCode(ctx context.Context, tx *data.Tx, v *data.Verification, code string) (result, err error) {
	if !tx.Now().Before(v.ExpiresAt) {
		_, err := tx.FinishVerification(ctx, v.ID, false, time.Time{})
		return mfa.ErrCodeExpired, err
	}
	if !s.Codes.Check(v.CodeHash, code) {
		if err := tx.CountVerificationAttempt(ctx, v.ID); err != nil {
			return nil, err
		}
		if v.Attempts+1 < s.Config.CodeMaxAttempts {
			return mfa.ErrWrongCode, nil
		}
		_, err := tx.FinishVerification(ctx, v.ID, false, time.Time{})
		return mfa.ErrTooManyTries, err
	}
	won, err := tx.FinishVerification(ctx, v.ID, true, tx.Now().Add(VerificationValidity))
	if err != nil || !won {
		return mfa.ErrWrongCode, err
	}
	return nil, nil
}

func outcomeOf(result error) string {
	switch {
	case result == nil:
		return "passed"
	case errors.Is(result, mfa.ErrLocked):
		return "locked"
	case errors.Is(result, mfa.ErrWrongCode), errors.Is(result, mfa.ErrTooManyTries):
		return "failure"
	}
	return "refused:" + mfa.Reason(result)
}

// possessionMessage asks the customer to read the code to the staff member
// helping them, and warns them when they did not ask for help.
func possessionMessage(channel, code string, ttl time.Duration) notify.Message {
	minutes := int(ttl / time.Minute)
	if channel == notify.SMS {
		return notify.Message{Kind: "support_verification", Body: fmt.Sprintf(
			"mfadesk証券 サポート窓口でのご本人確認コード %s（%d分間有効）。ご自身でお問い合わせ中の場合のみ、担当者にお伝えください。", code, minutes)}
	}
	return notify.Message{
		Kind:    "support_verification",
		Subject: "【mfadesk証券】サポート窓口でのご本人確認コード",
		Body: fmt.Sprintf("サポート窓口でのご本人確認コードは %s です（有効期限%d分）。\n\n"+
			"ご自身でお客様サポートまたは提携ショップにお問い合わせ中の場合のみ、担当者にお伝えください。"+
			"お問い合わせをしていないのにこのメールが届いた場合は、コードを誰にも伝えず、お客様サポート 0120-000-000 へご連絡ください。",
			code, minutes),
	}
}
