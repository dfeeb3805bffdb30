package notify

import (
	"context"
	"time"

	"mfadesk/data"
	"mfadesk/jst"
)

// Registration reminders: sent from the console's outreach to the
// customers a coming enforcement phase would lock out. They carry no code
// and no link (a link in such a message is what phishing imitates); they
// say what to register, where on the site, and that nobody will ask for a
// code.

// Reminder lists, as the lockout lists name them (data.Lockout*).
const (
	ReminderNoEmail   = "no_email"
	ReminderNoPasskey = "no_passkey"
)

func jstDate(t time.Time) string { return t.In(jst.Zone).Format("2006年1月2日") }

func jstDateEN(t time.Time) string { return t.In(jst.Zone).Format("2 January 2006") }

// ReminderNeeds is what logging in needs from list's phase on, in
// Japanese and in English: what the list's customers are asked to register.
func ReminderNeeds(list string) (ja, en string) {
	if list == ReminderNoPasskey {
		return "パスキー", "a passkey"
	}
	return "メールアドレス、または認証アプリ・SMS認証・パスキーのいずれか", "an email address, or an authenticator app, SMS codes or a passkey"
}

// RegistrationReminder is the reminder for a customer of list, for channel
// (Email or SMS), before phase, the day the list's customers are locked out.
func RegistrationReminder(list, channel string, phase time.Time) Message {
	what, whatEN := ReminderNeeds(list)
	const noCode = "当社の社員がお電話・メール・SMSで確認コードやパスワードをお尋ねすることはありません。"
	const noCodeEN = "Nobody from mfadesk Securities will ever ask you for a code or a password, by phone, email or SMS."
	if channel == SMS {
		return Message{Kind: "registration_reminder",
			Body: "mfadesk証券：" + jstDate(phase) + "から、ログインには" + what + "の登録が必要です。" +
				"当社サイトにログインし「多要素認証設定」からご登録ください。" + noCode,
			English: &Message{Body: "mfadesk Securities: from " + jstDateEN(phase) + " (Japan time), logging in needs " + whatEN +
				". Log in to our website and register it under \"Multi-factor authentication settings\". " + noCodeEN}}
	}
	return Message{
		Kind:    "registration_reminder",
		Subject: "【mfadesk証券】ログインのための認証方法のご登録のお願い",
		Body: jstDate(phase) + "から、当社サイトへのログインには" + what + "の登録が必要になります。" +
			"まだご登録がないため、このままでは" + jstDate(phase) + "以降ログインできなくなります。\n\n" +
			"ご登録の方法：当社サイトにいつもの方法でログインし、「多要素認証設定」の画面でご登録ください。" +
			"このメールにはリンクを記載していません。ブックマークなど、いつもお使いの方法で当社サイトを開いてください。" +
			"ご自身での登録が難しい場合は、お客様サポートまたはお近くの提携店にご相談ください。\n\n" + noCode + signature,
		English: &Message{Subject: "[mfadesk Securities] Please register a way to confirm your logins",
			Body: "From " + jstDateEN(phase) + " (Japan time), logging in to our website needs " + whatEN +
				". You have not registered one yet, so from that day you will not be able to log in.\n\n" +
				"How to register: log in to our website as usual and register it on the \"Multi-factor authentication settings\" page. " +
				"This email contains no link: open our website the way you always do, for example from a bookmark. " +
				"If you cannot register it yourself, please contact customer support or a partner shop near you.\n\n" +
				noCodeEN + signatureEN},
	}
}

// QueueLater writes m for the customer to the outbox within tx, held back
// until notBefore: bulk messages leave at a bounded rate.
func QueueLater(ctx context.Context, tx *data.Tx, customerID int64, channel, to string, m Message, notBefore time.Time) error {
	_, err := tx.QueueMessage(ctx, &data.OutboxMessage{CustomerID: customerID, Kind: m.Kind, Channel: channel, To: to,
		Subject: m.Subject, Body: m.Body, NotBefore: notBefore})
	return err
}
