package notify

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"mfadesk/data"
)

var japaneseText = regexp.MustCompile(`[\p{Hiragana}\p{Katakana}\p{Han}「」（）。、]`)

// Every security notice has an English copy a customer who chose English
// gets: the same kind, the time in Japan time, the advice and the number
// to call, and no Japanese; Japanese customers still get the Japanese.
func TestSecurityNoticesInEnglish(t *testing.T) {
	hold := at.Add(72 * time.Hour)
	for name, tc := range map[string]struct {
		m    Message
		says string
	}{
		"login password":   {PasswordChanged("login", at), "Your login password was changed"},
		"app added":        {FactorAdded("totp", at), "authenticator app was registered"},
		"sms removed":      {FactorRemoved("sms", at), "SMS verification was removed"},
		"passkey replaced": {FactorReplaced("passkey", at), "passkey was replaced"},
		"recovery codes":   {RecoveryCodesIssued(at), "Recovery codes were issued"},
		"recovery used":    {RecoveryCodeUsed(at, 7), "7 recovery codes left"},
		"email changed":    {ContactChanged("email", "t***@example.jp", at, hold), "4 April 2026 01:30"},
		"withdrawal":       {WithdrawalRequested(1234567, "Mizuho ****567", at), "JPY 1,234,567"},
		"mfa settings":     {MFASettingsChanged(at), "settings were changed"},
		"new device":       {NewDeviceLogin(at, "iPhone / Safari", "192.0.2.1"), "192.0.2.1"},
		"bank changed":     {BankAccountChanged("Mizuho ****567", at, hold), "paused until 4 April 2026 01:30"},
		"reset by support": {MFAResetBySupport(at, hold), "reset your multi-factor authentication"},
		"unlocked":         {UnlockedBySupport(at), "lifted the pause"},
		"locked":           {MFALocked(hold), "paused logins until 4 April 2026 01:30"},
	} {
		en := tc.m.In("en")
		text := en.Subject + en.Body
		if en.Kind != tc.m.Kind || !strings.HasPrefix(en.Subject, "[mfadesk Securities] ") || japaneseText.MatchString(text) {
			t.Errorf("%s: English copy %+v", name, en)
		}
		for _, want := range []string{tc.says, "Japan time", "0120-000-000"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: English copy does not say %q:\n%s", name, want, text)
			}
		}
		if ja := tc.m.In("ja"); ja.Subject != tc.m.Subject || !japaneseText.MatchString(ja.Body) {
			t.Errorf("%s: Japanese copy %+v", name, ja)
		}
	}
	if m := LoginCode(Email, "123456", 5*time.Minute); m.In("en").Body != m.Body {
		t.Error("a code message changed language: code texts stay as they are")
	}
}

// A customer who chose English gets the notice's email and SMS in English.
func TestNotifyCustomerInTheirLanguage(t *testing.T) {
	ctx := context.Background()
	db, err := data.Open(ctx, filepath.Join(t.TempDir(), "t.db"), func() time.Time { return at })
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c := data.Customer{AccountNumber: "1", LoginID: "t", NameKanji: "試験", NameKana: "シケン", BirthDate: "1950-01-01",
		PasswordHash: "x", TradingPasswordHash: "x", Email: "a@example.jp", EmailStatus: "verified",
		Phone: "+819011112222", PhoneVerified: true, Lang: "en"}
	err = db.InTx(ctx, func(tx *data.Tx) error {
		if c.ID, err = tx.CreateCustomer(ctx, &c); err != nil {
			return err
		}
		return NotifyCustomer(ctx, tx, &c, PasswordChanged("trading", at))
	})
	if err != nil {
		t.Fatal(err)
	}
	msgs, err := db.RecentMessages(ctx, 10)
	if err != nil || len(msgs) != 2 {
		t.Fatalf("%d messages, %v", len(msgs), err)
	}
	for _, m := range msgs {
		if japaneseText.MatchString(m.Subject+m.Body) || !strings.Contains(m.Subject+m.Body, "trading password was changed") {
			t.Errorf("%s in Japanese: %q %q", m.Channel, m.Subject, m.Body)
		}
	}
}
