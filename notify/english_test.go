package notify

import (
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"mfadesk/data"
	"mfadesk/pgtest"
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
		"new device": {NewDeviceLogin(at, "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) Version/17.5 Mobile/15E148 Safari/604.1",
			"192.0.2.1"), "Device: iPhone / Safari"},
		"password reset":   {PasswordReset(at, hold), "paused until 4 April 2026 01:30"},
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
}

// Every message that carries a code or a link has an English copy, by
// email and by SMS: the same kind, the code or link itself, its validity,
// and no Japanese; Japanese customers still get the Japanese.
func TestCodeMessagesInEnglish(t *testing.T) {
	const code, link = "482913", "https://example.jp/verify/tok"
	ttl := 5 * time.Minute
	for _, ch := range []string{Email, SMS} {
		for name, tc := range map[string]struct {
			m    Message
			says string
		}{
			"login code":      {LoginCode(ch, code, ttl), code},
			"step-up code":    {StepUpCode(code, ttl, ch), code},
			"contact code":    {ContactCode(code, ttl, ch), code},
			"reset code":      {PasswordResetCode(code, ttl, ch), code},
			"spoken code":     {SpokenCode(ch, code, ttl), code},
			"possession link": {PossessionLink(ch, link, 15*time.Minute), link},
			"contact link":    {ContactLink(ch, link, 15*time.Minute), link},
		} {
			en := tc.m.In(LangEN)
			text := en.Subject + en.Body
			if en.Kind != tc.m.Kind || japaneseText.MatchString(text) || (ch == SMS) != (en.Subject == "") {
				t.Errorf("%s by %s: English copy %+v", name, ch, en)
			}
			for _, want := range []string{tc.says, "min"} {
				if !strings.Contains(text, want) {
					t.Errorf("%s by %s: English copy does not say %q:\n%s", name, ch, want, text)
				}
			}
			if ch == Email && !strings.HasPrefix(en.Subject, "[mfadesk Securities] ") {
				t.Errorf("%s: English subject %q", name, en.Subject)
			}
			if ja := tc.m.In("ja"); ja.Body != tc.m.Body || !japaneseText.MatchString(ja.Body) {
				t.Errorf("%s by %s: Japanese copy %+v", name, ch, ja)
			}
		}
	}
}

// The device of a new-device notice is named in the notice's language.
func TestDescribeDevice(t *testing.T) {
	const (
		iphone  = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Version/17.5 Mobile/15E148 Safari/604.1"
		windows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36 Edg/126.0"
		android = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari/537.36"
		mac     = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0"
	)
	tests := []struct {
		ua, lang, want string
	}{
		{iphone, "ja", "iPhone・Safari"},
		{iphone, LangEN, "iPhone / Safari"},
		{windows, "ja", "Windows・Edge"},
		{windows, LangEN, "Windows / Edge"},
		{android, LangEN, "Android / Chrome"},
		{mac, LangEN, "Mac / Firefox"},
		{"curl/8.5.0", "ja", "不明な端末・ブラウザー"},
		{"curl/8.5.0", LangEN, "Unknown device / unknown browser"},
		{"", "", "不明な端末・ブラウザー"},
	}
	for _, tc := range tests {
		if got := DescribeDevice(tc.ua, tc.lang); got != tc.want {
			t.Errorf("DescribeDevice(%.30q, %q) = %q, want %q", tc.ua, tc.lang, got, tc.want)
		}
		if tc.lang == LangEN && japaneseText.MatchString(DescribeDevice(tc.ua, tc.lang)) {
			t.Errorf("English description of %.30q has Japanese", tc.ua)
		}
	}
	// The notice's two copies each name the device in their own language.
	m := NewDeviceLogin(at, iphone, "192.0.2.1")
	if !strings.Contains(m.Body, "iPhone・Safari") || !strings.Contains(m.In(LangEN).Body, "Device: iPhone / Safari") {
		t.Errorf("new device notice: %q / %q", m.Body, m.In(LangEN).Body)
	}
}

// A customer who chose English gets the notice's email and SMS in English.
func TestNotifyCustomerInTheirLanguage(t *testing.T) {
	ctx := context.Background()
	db, err := data.Open(ctx, pgtest.DSN(t, filepath.Join(t.TempDir(), "t.db")), func() time.Time { return at })
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
