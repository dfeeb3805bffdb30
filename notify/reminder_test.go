package notify

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// The registration reminder carries no code and no link, says where to
// register and that nobody will ask for a code, in Japanese and English,
// for both lists and both channels.
func TestRegistrationReminderHasNoCodeOrLink(t *testing.T) {
	phase := time.Date(2027, 4, 1, 0, 0, 0, 0, time.UTC)
	digits := regexp.MustCompile(`\d{4,}`)
	for _, list := range []string{ReminderNoEmail, ReminderNoPasskey} {
		for _, channel := range []string{Email, SMS} {
			m := RegistrationReminder(list, channel, phase)
			for _, lang := range []string{"ja", LangEN} {
				msg := m.In(lang)
				text := msg.Subject + msg.Body
				name := list + "/" + channel + "/" + lang
				if msg.Kind != "registration_reminder" {
					t.Errorf("%s: kind %q", name, msg.Kind)
				}
				for _, bad := range []string{"http", "www.", "://"} {
					if strings.Contains(strings.ToLower(text), bad) {
						t.Errorf("%s carries a link: %q", name, text)
					}
				}
				if d := digits.FindAllString(strings.NewReplacer("2027", "", "0120-000-000", "").Replace(text), -1); len(d) > 0 {
					t.Errorf("%s carries digits that could pass for a code: %v", name, d)
				}
				ask, where := "コードやパスワードをお尋ねすることはありません", "多要素認証設定"
				if lang == LangEN {
					ask, where = "will ever ask you for a code", "Multi-factor authentication settings"
				}
				if !strings.Contains(text, ask) || !strings.Contains(text, where) {
					t.Errorf("%s does not say where to register and that nobody asks for a code: %q", name, text)
				}
				if channel == Email && msg.Subject == "" || channel == SMS && msg.Subject != "" {
					t.Errorf("%s: subject %q", name, msg.Subject)
				}
			}
		}
	}
	if !strings.Contains(RegistrationReminder(ReminderNoPasskey, Email, phase).Body, "パスキー") {
		t.Error("the passkey list's reminder does not name the passkey")
	}
}
