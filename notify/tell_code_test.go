package notify

import (
	"testing"
	"time"
)

// docs/security.md S62: the rule's check is precise: it catches every way
// of asking for a code to be passed on and lets the refusals through.
func TestAsksToTellCode(t *testing.T) {
	tests := []struct {
		body string
		asks bool
	}{
		{"ご本人確認コードは 123456 です。担当者にお伝えください。", true},
		{"コードを担当者に読み上げてください。", true},
		{"確認コードを教えてください。", true},
		{"担当者に口頭でお知らせください。", true},
		{"Please read the code out to the agent.", true},
		{"Tell the agent your code.", true},
		{"Read it to the person on the phone.", true},
		{"このコードは誰にも教えないでください。", false},
		{"お問い合わせをしていない場合は、コードを誰にも伝えず、ご連絡ください。", false},
		{"他人に教えないでください。", false},
		{"Never tell anyone this code.", false},
		{"Do not read it out to anyone.", false},
		{"ログインがありました。", false},
	}
	for _, tc := range tests {
		if got := AsksToTellCode(tc.body); (got != "") != tc.asks {
			t.Errorf("AsksToTellCode(%q) = %q, want asks=%v", tc.body, got, tc.asks)
		}
	}
}

// docs/security.md S62: every message the app can produce, built with
// sample arguments, asks nobody to pass a code on.
func TestNoMessageAsksToTellACode(t *testing.T) {
	ttl := 5 * time.Minute
	msgs := []Message{
		NewDeviceLogin(at, "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Chrome/126.0", "203.0.113.5"),
		PasswordReset(at, at.Add(72*time.Hour)),
		BankAccountChanged("****1234", at, at.Add(72*time.Hour)),
		MFALocked(at),
		MFAResetBySupport(at, at.Add(72*time.Hour)),
		UnlockedBySupport(at),
		WithdrawalRequested(100000, "****1234", at),
		MFASettingsChanged(at),
		RecoveryCodesIssued(at),
		RecoveryCodeUsed(at, 3),
	}
	for _, kind := range []string{"login", "trading"} {
		msgs = append(msgs, PasswordChanged(kind, at))
	}
	for _, f := range []string{"totp", "sms", "passkey"} {
		msgs = append(msgs, FactorAdded(f, at), FactorRemoved(f, at), FactorReplaced(f, at))
	}
	for _, kind := range []string{"email", "phone"} {
		msgs = append(msgs, ContactChanged(kind, "n***@example.jp", at, at.Add(72*time.Hour)))
	}
	for _, ch := range []string{Email, SMS} {
		msgs = append(msgs, LoginCode(ch, "123456", ttl), ContactCode("123456", ttl, ch), StepUpCode("123456", ttl, ch),
			PossessionLink(ch, "https://example.jp/verify/token", 15*time.Minute), SpokenCode(ch, "123456", ttl),
			ContactLink(ch, "https://example.jp/verify/token", 15*time.Minute), PasswordResetCode("123456", ttl, ch))
	}
	for _, m := range msgs {
		for _, lang := range []string{"ja", LangEN} {
			in := m.In(lang)
			if got := AsksToTellCode(in.Subject + "\n" + in.Body); got != "" {
				t.Errorf("%s (%s) asks to pass a code on: %q", m.Kind, lang, got)
			}
		}
	}
}
