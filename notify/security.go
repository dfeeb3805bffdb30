package notify

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"mfadesk/data"
)

// Security notices (docs/design.md §2): each says what happened, when (JST) and
// what to do if it was not the customer. They go by email, and by a short
// SMS where the mobile number is verified (NotifyCustomer).

// notYou is the advice for a change the customer did not make: someone
// may be in the account, so call first, then change the password.
const notYou = "\n\nお心当たりのない場合は、第三者がお客様になりすましている可能性があります。" +
	"すぐにお客様サポート（0120-000-000）へお電話ください。" +
	"ログインできる場合は、ログインパスワードと取引パスワードを変更してください。"

// smsPointer ends the SMS copy of a notice: the details are in the email
// and on the site, never in a link a phisher could imitate.
const smsPointer = " 詳しくはメールまたは当社サイトをご確認ください。"

// NotifyCustomer queues a security notice for the customer within tx: by
// email to a verified address, and a short SMS (the subject) to a verified
// mobile number. A customer with neither gets nothing, and that is not an
// error: the change stands.
func NotifyCustomer(ctx context.Context, tx *data.Tx, c *data.Customer, m Message) error {
	return NotifyCustomerForCase(ctx, tx, 0, c, m)
}

// NotifyCustomerForCase is NotifyCustomer for a change made on support
// case caseID (none when 0).
func NotifyCustomerForCase(ctx context.Context, tx *data.Tx, caseID int64, c *data.Customer, m Message) error {
	pointer := smsPointer
	if c.Lang == LangEN && m.English != nil {
		pointer = smsPointerEN
	}
	m = m.In(c.Lang)
	if c.HasValidEmail() {
		if err := QueueForCase(ctx, tx, caseID, c.ID, Email, c.Email, m); err != nil {
			return err
		}
	}
	if c.PhoneVerified && c.Phone != "" {
		sms := Message{Kind: m.Kind, Body: m.Subject + pointer}
		if err := QueueForCase(ctx, tx, caseID, c.ID, SMS, c.Phone, sms); err != nil {
			return err
		}
	}
	return nil
}

// notice builds a security notice: subject, what happened and when, and
// the advice for a change the customer did not make.
func notice(kind, subject, happened string, at time.Time) Message {
	return Message{
		Kind:    kind,
		Subject: "【mfadesk証券】" + subject,
		Body:    "日時：" + jstTime(at) + "（日本時間）\n\n" + happened + notYou + signature,
	}
}

// passwordLabel names a password kind as the customer knows it.
func passwordLabel(kind string) string {
	switch kind {
	case "login":
		return "ログインパスワード"
	case "trading":
		return "取引パスワード"
	}
	return "パスワード"
}

// factorLabel names a second factor as the customer knows it.
func factorLabel(factor string) string {
	switch factor {
	case "totp":
		return "認証アプリ"
	case "sms":
		return "SMS認証"
	case "passkey":
		return "パスキー"
	}
	return "多要素認証の方法"
}

// PasswordChanged tells the customer their login ("login") or trading
// ("trading") password was changed.
func PasswordChanged(kind string, at time.Time) Message {
	label := passwordLabel(kind)
	en := passwordLabelEN(kind)
	return withEnglish(notice("password_changed", label+"が変更されました",
		"お客様の"+label+"が変更されました。安全のため、ほかの端末やブラウザーでのログインは終了しました。", at),
		"Your "+en+" was changed", "Your "+en+" was changed. For your security, you were logged out on other devices and browsers.", at)
}

// FactorAdded tells the customer a second factor ("totp", "sms",
// "passkey") was registered.
func FactorAdded(factor string, at time.Time) Message {
	label := factorLabel(factor)
	en := factorLabelEN(factor)
	return withEnglish(notice("factor_added", label+"が登録されました",
		"お客様の口座に、本人確認の方法として"+label+"が登録されました。", at),
		"A "+en+" was registered", "A "+en+" was registered on your account as a way to verify it is you.", at)
}

// FactorRemoved tells the customer a second factor was removed.
func FactorRemoved(factor string, at time.Time) Message {
	label := factorLabel(factor)
	en := factorLabelEN(factor)
	return withEnglish(notice("factor_removed", label+"が削除されました",
		"お客様の口座から、本人確認の方法の"+label+"が削除されました。", at),
		"A "+en+" was removed", "A "+en+" was removed from the ways to verify it is you on your account.", at)
}

// FactorReplaced tells the customer a second factor was replaced, as in a
// change of smartphone (機種変更).
func FactorReplaced(factor string, at time.Time) Message {
	label := factorLabel(factor)
	en := factorLabelEN(factor)
	return withEnglish(notice("factor_replaced", label+"が変更されました",
		"お客様の口座の"+label+"が、新しいものに変更されました（機種変更など）。以前のものは使えなくなりました。", at),
		"Your "+en+" was replaced", "The "+en+" on your account was replaced with a new one (for example, on a new phone). "+
			"The old one no longer works.", at)
}

// RecoveryCodesIssued tells the customer new recovery codes were issued.
func RecoveryCodesIssued(at time.Time) Message {
	return withEnglish(notice("recovery_codes_issued", "リカバリーコードが発行されました",
		"お客様の口座で、リカバリーコード（スマートフォンをなくしたときに使う予備のコード）が発行されました。"+
			"コードは紙に書くなどして、他人に見られない場所に保管してください。", at),
		"Recovery codes were issued", "New recovery codes (spare codes for when you lose your phone) were issued on your account. "+
			"Write them down and keep them where no one else can see them.", at)
}

// RecoveryCodeUsed tells the customer a recovery code was used and how
// many are left.
func RecoveryCodeUsed(at time.Time, remaining int) Message {
	left := "残りのリカバリーコードは" + strconv.Itoa(remaining) + "個です。"
	if remaining == 0 {
		left = "リカバリーコードは残っていません。ログイン後、新しいリカバリーコードを発行してください。"
	}
	return withEnglish(notice("recovery_code_used", "リカバリーコードが使われました",
		"お客様の口座で、リカバリーコードが1つ使われました。"+left, at),
		"A recovery code was used", "A recovery code was used on your account. "+remainingEN(remaining), at)
}

// ContactChanged tells the customer their email address ("email") or
// phone number ("phone") was changed to masked. It goes to the old and the
// new contact, and says until when withdrawals are held (if holdUntil is
// set).
func ContactChanged(contact string, masked string, at time.Time, holdUntil time.Time) Message {
	label := contactLabelJA(contact)
	happened := "お客様のご登録の" + label + "が「" + masked + "」に変更されました。" +
		"このお知らせは、変更前と変更後の両方の連絡先にお送りしています。"
	if !holdUntil.IsZero() {
		happened += "\n\n安全のため、" + jstTime(holdUntil) + "（日本時間）まで出金（出金指示・即時出金）を停止しています。"
	}
	en := contactLabelEN(contact)
	happenedEN := "Your registered " + en + " was changed to \"" + masked + "\". " +
		"We are sending this notice to both the old and the new contact."
	if !holdUntil.IsZero() {
		happenedEN += "\n\n" + heldUntilEN(holdUntil)
	}
	return withEnglish(notice("contact_changed", label+"が変更されました", happened, at),
		"Your "+en+" was changed", happenedEN, at)
}

// WithdrawalRequested tells the customer a withdrawal was requested.
func WithdrawalRequested(amount int64, maskedAccount string, at time.Time) Message {
	return withEnglish(notice("withdrawal_requested", "出金のご指示を受け付けました",
		"出金のご指示を受け付けました。\n金額："+yen(amount)+"\n出金先："+maskedAccount+
			"\n\nご本人の操作でない場合、出金を止められることがあります。至急お電話ください。", at),
		"We received your withdrawal request", "We received your withdrawal request.\nAmount: "+yenEN(amount)+
			"\nTo: "+maskedAccount+"\n\nIf you did not make it, we may still be able to stop it. Please call us at once.", at)
}

// MFASettingsChanged tells the customer their MFA settings changed, such
// as which services a factor is used for.
func MFASettingsChanged(at time.Time) Message {
	return withEnglish(notice("mfa_settings_changed", "多要素認証の設定が変更されました",
		"お客様の多要素認証の設定（本人確認を行うサービスの選択など）が変更されました。", at),
		"Your multi-factor authentication settings were changed", "Your multi-factor authentication settings "+
			"(such as which services ask you to verify it is you) were changed.", at)
}

// ContactCode is the code that confirms a new email address or mobile
// number before it is used. It goes to the new contact, which is not yet
// trusted, so it reveals nothing about the account.
func ContactCode(code string, ttl time.Duration, channel string) Message {
	if channel == SMS {
		return Message{Kind: "contact_code", Body: fmt.Sprintf(
			"mfadesk証券 連絡先の確認コード %s（%d分間有効）。他人に教えないでください。", code, minutes(ttl)),
			English: &Message{Body: fmt.Sprintf("mfadesk Securities contact confirmation code %s (valid %d min). Do not tell anyone this code.",
				code, minutes(ttl))}}
	}
	return Message{
		Kind:    "contact_code",
		Subject: "【mfadesk証券】連絡先の確認コード",
		Body: fmt.Sprintf("連絡先（メールアドレス・電話番号）の変更を確認するためのコードは %s です。\n\n"+
			"有効期限は%d分です。このコードは誰にも教えないでください。"+
			"当社の社員が電話やメールでコードをお尋ねすることはありません。\n\n"+
			"お心当たりのない場合は、このメールを破棄し、お客様サポートへご連絡ください。", code, minutes(ttl)) + signature,
		English: emailCodeEN("Code to confirm your contact details", "The code to confirm the change of your contact details "+
			"(email address or phone number) is "+code+".", minutes(ttl),
			"If you did not ask for this, please delete this email and contact customer support."),
	}
}

// StepUpCode is the code for re-authentication before a sensitive
// operation (viewing or changing registration details, withdrawal).
func StepUpCode(code string, ttl time.Duration, channel string) Message {
	if channel == SMS {
		return Message{Kind: "step_up_code", Body: fmt.Sprintf(
			"mfadesk証券 お手続きの確認コード %s（%d分間有効）。当社から電話等でコードを聞くことはありません。", code, minutes(ttl)),
			English: &Message{Body: smsCodeEN("verification code", code, minutes(ttl))}}
	}
	return Message{
		Kind:    "step_up_code",
		Subject: "【mfadesk証券】お手続きの確認コード",
		Body: fmt.Sprintf("登録情報の変更や出金など、大切なお手続きの前の確認コードは %s です。\n\n"+
			"有効期限は%d分です。このコードは誰にも教えないでください。"+
			"当社の社員が電話やメールでコードをお尋ねすることはありません。\n\n"+
			"お心当たりのない場合は、パスワードが他人に知られている可能性があります。"+
			"すぐにお客様サポート（0120-000-000）へお電話のうえ、パスワードを変更してください。", code, minutes(ttl)) + signature,
		English: emailCodeEN("Verification code for your request", "Your verification code for an important request "+
			"(such as changing your registered details or a withdrawal) is "+code+".", minutes(ttl),
			"If this was not you, someone may know your password. "+
				"Please call customer support (0120-000-000) straight away and change your password."),
	}
}

// minutes is ttl in whole minutes, rounded up so a short validity never
// reads as 0分.
func minutes(ttl time.Duration) int {
	return int((ttl + time.Minute - 1) / time.Minute)
}

// yen formats an amount with thousands separators: 1,234,567円.
func yen(amount int64) string {
	s := strconv.FormatInt(amount, 10)
	sign := ""
	if amount < 0 {
		sign, s = "-", s[1:]
	}
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return sign + s + "円"
}
