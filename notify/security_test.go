package notify

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"mfadesk/data"
	"mfadesk/pgtest"
)

// at is 01:30 UTC, 10:30 in Japan: a notice in UTC would show the wrong day.
var at = time.Date(2026, 3, 31, 16, 30, 0, 0, time.UTC)

const atJST = "2026年4月1日 01:30"

func TestSecurityNoticesSayWhatWhenAndWhatToDo(t *testing.T) {
	hold := at.Add(72 * time.Hour)
	tests := []struct {
		name string
		m    Message
		says []string // what happened, in the customer's words
	}{
		{"login password", PasswordChanged("login", at), []string{"ログインパスワードが変更されました"}},
		{"trading password", PasswordChanged("trading", at), []string{"取引パスワードが変更されました"}},
		{"app added", FactorAdded("totp", at), []string{"認証アプリが登録されました"}},
		{"sms removed", FactorRemoved("sms", at), []string{"SMS認証が削除されました"}},
		{"passkey replaced", FactorReplaced("passkey", at), []string{"パスキーが変更されました"}},
		{"recovery codes", RecoveryCodesIssued(at), []string{"リカバリーコードが発行されました"}},
		{"recovery code used", RecoveryCodeUsed(at, 7), []string{"リカバリーコードが使われました", "残りのリカバリーコードは7個"}},
		{"last recovery code used", RecoveryCodeUsed(at, 0), []string{"残っていません", "新しいリカバリーコードを発行"}},
		{"email changed", ContactChanged("email", "t***@example.jp", at, hold),
			[]string{"メールアドレスが変更されました", "t***@example.jp", "変更前と変更後", "2026年4月4日 01:30", "出金"}},
		{"phone changed", ContactChanged("phone", "***-****-5678", at, time.Time{}), []string{"電話番号が変更されました", "***-****-5678"}},
		{"withdrawal", WithdrawalRequested(1234567, "みずほ銀行 ****567", at), []string{"出金", "1,234,567円", "みずほ銀行 ****567"}},
		{"mfa settings", MFASettingsChanged(at), []string{"多要素認証の設定が変更されました"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if !strings.HasPrefix(tt.m.Subject, "【mfadesk証券】") {
				t.Errorf("subject %q", tt.m.Subject)
			}
			if tt.m.Kind == "" {
				t.Error("no kind")
			}
			text := tt.m.Subject + tt.m.Body
			for _, want := range append(tt.says, atJST, "日本時間", "お心当たりのない場合", "0120-000-000", "パスワードを変更") {
				if !strings.Contains(text, want) {
					t.Errorf("does not say %q:\n%s", want, text)
				}
			}
		})
	}
	if strings.Contains(ContactChanged("phone", "x", at, time.Time{}).Body, "出金") {
		t.Error("a change without a hold mentions a withdrawal hold")
	}
}

func TestCodeMessages(t *testing.T) {
	for _, tt := range []struct {
		name string
		make func(code string, ttl time.Duration, channel string) Message
	}{
		{"contact", ContactCode},
		{"step-up", StepUpCode},
	} {
		t.Run(tt.name, func(t *testing.T) {
			email := tt.make("123456", 5*time.Minute, Email)
			if email.Subject == "" || !strings.Contains(email.Body, "123456") || !strings.Contains(email.Body, "5分") ||
				!strings.Contains(email.Body, "誰にも教えないで") {
				t.Errorf("email: %+v", email)
			}
			sms := tt.make("123456", 5*time.Minute, SMS)
			if sms.Subject != "" || !strings.Contains(sms.Body, "123456") || !strings.Contains(sms.Body, "5分") {
				t.Errorf("sms: %+v", sms)
			}
			// 70 characters is one SMS segment in Japanese (UCS-2).
			if n := utf8.RuneCountInString(sms.Body); n > 70 {
				t.Errorf("sms is %d characters, want at most 70: %s", n, sms.Body)
			}
			if sms.Kind != email.Kind || sms.Kind == "" {
				t.Errorf("kinds %q and %q", sms.Kind, email.Kind)
			}
		})
	}
	if m := StepUpCode("123456", 30*time.Second, SMS); strings.Contains(m.Body, "0分") {
		t.Errorf("a short validity reads as 0 minutes: %s", m.Body)
	}
}

func TestNotifyCustomerChannels(t *testing.T) {
	tests := []struct {
		name      string
		c         data.Customer
		wantEmail bool
		wantSMS   bool
	}{
		{"verified email only", data.Customer{Email: "a@example.jp", EmailStatus: "verified", Phone: "090-1111-2222"}, true, false},
		{"email and verified phone", data.Customer{Email: "a@example.jp", EmailStatus: "verified", Phone: "090-1111-2222", PhoneVerified: true}, true, true},
		{"unverified email, verified phone", data.Customer{Email: "a@example.jp", EmailStatus: "unverified", Phone: "090-1111-2222", PhoneVerified: true}, false, true},
		{"neither", data.Customer{Email: "a@example.jp", EmailStatus: "invalid"}, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ctx := context.Background()
			db, err := data.Open(ctx, pgtest.DSN(t, filepath.Join(t.TempDir(), "t.db")), func() time.Time { return at })
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			c := tt.c
			c.AccountNumber, c.LoginID, c.NameKanji, c.NameKana, c.BirthDate = "1", "t", "試験", "シケン", "1950-01-01"
			c.PasswordHash, c.TradingPasswordHash = "x", "x"
			err = db.InTx(ctx, func(tx *data.Tx) error {
				if c.ID, err = tx.CreateCustomer(ctx, &c); err != nil {
					return err
				}
				return NotifyCustomer(ctx, tx, &c, PasswordChanged("login", at))
			})
			if err != nil {
				t.Fatal(err)
			}
			msgs, err := db.RecentMessages(ctx, 10)
			if err != nil {
				t.Fatal(err)
			}
			var gotEmail, gotSMS bool
			for _, m := range msgs {
				switch m.Channel {
				case Email:
					gotEmail = m.To == c.Email && m.Subject != "" && strings.Contains(m.Body, atJST)
				case SMS:
					gotSMS = m.To == c.Phone && m.Subject == "" &&
						strings.HasPrefix(m.Body, "【mfadesk証券】ログインパスワードが変更されました") &&
						strings.Contains(m.Body, "詳しくはメールまたは当社サイトをご確認ください。")
				}
			}
			if gotEmail != tt.wantEmail || gotSMS != tt.wantSMS || len(msgs) != boolCount(tt.wantEmail, tt.wantSMS) {
				t.Fatalf("email %v sms %v (%d messages), want email %v sms %v", gotEmail, gotSMS, len(msgs), tt.wantEmail, tt.wantSMS)
			}
		})
	}
}

func boolCount(bs ...bool) int {
	n := 0
	for _, b := range bs {
		if b {
			n++
		}
	}
	return n
}
