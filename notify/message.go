// Package notify composes the messages mfadesk sends to customers and puts
// them in the outbox, inside the transaction of the change that caused them.
package notify

import (
	"context"
	"fmt"
	"time"

	"mfadesk/data"
	"mfadesk/jst"
)

// Channels a message can go through.
const (
	Email = "email"
	SMS   = "sms"
)

// Message is what to send; Subject is empty for SMS.
type Message struct {
	Kind    string
	Subject string
	Body    string
	// English is the same notice in English (see In); nil for a message
	// sent in Japanese only.
	English *Message
}

// Queue writes m for the customer to the outbox within tx.
func Queue(ctx context.Context, tx *data.Tx, customerID int64, channel, to string, m Message) error {
	return QueueForCase(ctx, tx, 0, customerID, channel, to, m)
}

// QueueForCase is Queue for a message sent for support case caseID (none
// when 0): the case's delivery log shows it to whoever works on the case.
func QueueForCase(ctx context.Context, tx *data.Tx, caseID, customerID int64, channel, to string, m Message) error {
	_, err := QueueCode(ctx, tx, caseID, customerID, channel, to, m, time.Time{})
	return err
}

// QueueCode writes m, which carries a one-time code valid until expires,
// and returns its outbox id for the code's record: the body is scrubbed
// once the code is used, replaced or expired, or the message is sent or
// fails for good (docs/operations.md, Retention). caseID is as for
// QueueForCase.
func QueueCode(ctx context.Context, tx *data.Tx, caseID, customerID int64, channel, to string, m Message, expires time.Time) (int64, error) {
	if to == "" {
		return 0, fmt.Errorf("queue %s: no recipient", m.Kind)
	}
	return tx.QueueMessage(ctx, &data.OutboxMessage{
		CustomerID: customerID, CaseID: caseID, Kind: m.Kind, Channel: channel, To: to, Subject: m.Subject, Body: m.Body,
		CodeExpiresAt: expires,
	})
}

// Notices give times in JST, the times the customer recognises.
func jstTime(t time.Time) string { return t.In(jst.Zone).Format("2006年1月2日 15:04") }

const signature = "\n\n――\nmfadesk証券 お客様サポート 0120-000-000（平日 8:00〜18:00）\nこのメールは送信専用です。"

// LoginCode is the one-time code for the second factor at login. The text
// tells the customer never to pass the code on, the usual phishing script.
func LoginCode(channel, code string, ttl time.Duration) Message {
	minutes := int(ttl / time.Minute)
	if channel == SMS {
		return Message{Kind: "login_code", Body: fmt.Sprintf(
			"mfadesk証券 ログイン確認コード %s（%d分間有効）。当社から電話等でコードを聞くことはありません。", code, minutes),
			English: &Message{Body: smsCodeEN("login code", code, minutes)}}
	}
	return Message{
		Kind:    "login_code",
		Subject: "【mfadesk証券】ログイン確認コード",
		Body: fmt.Sprintf("ログイン確認コードは %s です。\n\n有効期限は%d分です。このコードは誰にも教えないでください。"+
			"当社の社員が電話やメールでコードをお尋ねすることはありません。\n\n"+
			"お心当たりのない場合は、パスワードが他人に知られている可能性があります。"+
			"すぐにパスワードを変更し、お客様サポートへご連絡ください。", code, minutes) + signature,
		English: emailCodeEN("Login verification code", "Your login verification code is "+code+".", minutes,
			"If you did not try to log in, someone may know your password. "+
				"Please change your password straight away and contact customer support."),
	}
}

// MFALocked tells the customer that repeated wrong codes after a correct
// password locked the second factor: someone may know their password.
func MFALocked(until time.Time) Message {
	return Message{
		Kind:    "mfa_locked",
		Subject: "【mfadesk証券】ログインを一時停止しました",
		Body: fmt.Sprintf("正しいパスワードの入力後、確認コードの誤りが続いたため、%s までログインを停止しました。\n\n"+
			"ご本人の操作でない場合、パスワードが他人に知られている可能性があります。"+
			"ログインパスワードを変更し、お客様サポートへご連絡ください。", jstTime(until)) + signature,
		English: &Message{Subject: "[mfadesk Securities] Login paused",
			Body: "After your password was entered correctly, wrong verification codes followed, so we paused logins until " +
				jstTimeEN(until) + " (Japan time).\n\nIf this was not you, someone may know your password. " +
				"Please change your login password and contact customer support." + signatureEN},
	}
}
