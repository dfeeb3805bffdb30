package support

import (
	"mfadesk/jst"
	"mfadesk/notify"
)

// supportPhone is the support line printed on letters.
const supportPhone = "0120-000-000"

// reminderBody is a reminder letter's text: what changes on which day,
// how to register (the settings page, a partner shop, or a call to
// support), and that nobody from the firm will ask for a code. It carries
// no code and no link, like the emailed reminder (notify.RegistrationReminder).
func (s LetterSheet) reminderBody() []string {
	what, whatEN := notify.ReminderNeeds(s.List)
	if s.Lang == "en" {
		day := s.Phase.In(jst.Zone).Format("2 January 2006")
		return []string{
			"Thank you for banking with mfadesk Securities.",
			"From " + day + " (Japan time), logging in to our website needs " + whatEN + ". " +
				"You have not registered one yet, so from that day you will not be able to log in.",
			"",
			"How to register",
			"1. Log in to our website as usual and register it on the \"Multi-factor authentication settings\" page.",
			"2. If you cannot register it yourself, please visit one of our partner shops, or call customer support (" + supportPhone + ").",
			"",
			"This letter contains no code. Nobody from mfadesk Securities will ever ask you for a code or a password, " +
				"by phone, email, SMS or post.",
		}
	}
	day := s.Phase.In(jst.Zone).Format("2006年1月2日")
	return []string{
		"いつも" + Brokerage + "をご利用いただき、ありがとうございます。",
		day + "から、当社サイトへのログインには" + what + "の登録が必要になります。" +
			"まだご登録がないため、このままでは" + day + "以降ログインできなくなります。",
		"",
		"【ご登録の方法】",
		"1. 当社サイトにいつもの方法でログインし、「多要素認証設定」の画面でご登録ください。",
		"2. ご自身での登録が難しい場合は、お近くの提携ショップにお越しいただくか、お客様サポート（" + supportPhone + "）までお電話ください。",
		"",
		"このお手紙にはコードを記載していません。" +
			"当社の社員がお電話・メール・SMS・郵便で確認コードやパスワードをお尋ねすることはありません。",
	}
}
