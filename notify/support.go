package notify

import (
	"fmt"
	"time"
)

// Notices of what support did on the customer's account (docs/design.md §2:
// "MFA reset by support"). They go to every verified contact, like the other
// security notices.

// MFAResetBySupport tells the customer support removed their second
// factors, that they will enrol again at the next login, and until when
// withdrawals are held.
func MFAResetBySupport(at, holdUntil time.Time) Message {
	return withEnglish(notice("mfa_reset", "多要素認証がリセットされました",
		"お客様からのご依頼により、お客様サポートが多要素認証（認証アプリ・SMS認証・パスキー）をリセットしました。"+
			"次回ログインしたときに、新しい認証アプリなどを登録してください。\n\n"+
			"安全のため、"+jstTime(holdUntil)+"（日本時間）まで出金（出金指示・即時出金）を停止しています。", at),
		"Your multi-factor authentication was reset", "At your request, customer support reset your multi-factor "+
			"authentication (authenticator app, SMS verification and passkeys). The next time you log in, please register "+
			"a new authenticator app or another method.\n\n"+heldUntilEN(holdUntil), at)
}

// UnlockedBySupport tells the customer support lifted the lock that
// repeated wrong codes had put on their login.
func UnlockedBySupport(at time.Time) Message {
	return withEnglish(notice("mfa_unlocked", "ログインの停止を解除しました",
		"お客様からのご依頼により、確認コードの誤りが続いたために停止していたログインを、"+
			"お客様サポートがご本人確認のうえ解除しました。", at),
		"Your login is no longer paused", "At your request, customer support checked it was you and lifted the pause "+
			"that repeated wrong verification codes had put on your login.", at)
}

// PossessionLink asks the customer, on a verified contact, to open the
// link and confirm the request of the staff member named on the page.
// Nothing is to be told to anyone: the answer is given on the site.
func PossessionLink(channel, link string, ttl time.Duration) Message {
	minutes := int(ttl / time.Minute)
	if channel == SMS {
		return Message{Kind: "support_verification", Body: fmt.Sprintf(
			"mfadesk証券 サポート窓口でのご本人確認です。%d分以内に次のページを開き、依頼内容をご確認ください。%s", minutes, link),
			English: &Message{Body: fmt.Sprintf("mfadesk Securities identity check for our support desk. "+
				"Within %d minutes, open this page and check the request: %s", minutes, link)}}
	}
	return Message{
		Kind:    "support_verification",
		Subject: "【mfadesk証券】サポート窓口でのご本人確認のお願い",
		Body: fmt.Sprintf("お客様サポートまたは提携ショップでのご本人確認のため、次のページを開いてください（有効期限%d分）。\n\n%s\n\n"+
			"ページに表示される受付番号と担当者名をご確認のうえ、ご自身でお問い合わせ中の場合のみ「はい、私が依頼しました」を押してください。"+
			"お問い合わせをしていない場合は「いいえ、心当たりがありません」を押してください。"+
			"当社がお電話やメールでコードやパスワードをお尋ねすることはありません。", minutes, link) + signature,
		English: linkEmailEN("Please confirm your identity for our support desk",
			"To confirm your identity with customer support or a partner shop, please open this page",
			"you are in contact with us yourself", "you have not contacted us", minutes, link),
	}
}

// ContactLink goes to the new email address or mobile number a support
// desk entered for a contact change: the customer confirms it is theirs
// on the page the link opens. It carries no code, so nobody is asked to
// pass anything on; it names nothing of the account, as the new contact
// is not yet trusted.
func ContactLink(channel, link string, ttl time.Duration) Message {
	minutes := int(ttl / time.Minute)
	if channel == SMS {
		return Message{Kind: "contact_link", Body: fmt.Sprintf(
			"mfadesk証券 連絡先の変更の確認です。%d分以内に次のページを開き、受付番号と担当者をご確認ください。%s", minutes, link),
			English: &Message{Body: fmt.Sprintf("mfadesk Securities: please confirm your new contact details. "+
				"Within %d minutes, open this page and check the case number and staff member: %s", minutes, link)}}
	}
	return Message{
		Kind:    "contact_link",
		Subject: "【mfadesk証券】連絡先の変更の確認のお願い",
		Body: fmt.Sprintf("お客様サポートまたは提携ショップで、この連絡先をお客様の新しい連絡先として登録する手続きを受け付けました。"+
			"確認のため、次のページを開いてください（有効期限%d分）。\n\n%s\n\n"+
			"ページに表示される受付番号と担当者名をご確認のうえ、ご自身でお手続き中の場合のみ「はい、私が依頼しました」を押してください。"+
			"お心当たりのない場合は「いいえ、心当たりがありません」を押してください。"+
			"当社がお電話やメールでコードやパスワードをお尋ねすることはありません。", minutes, link) + signature,
		English: linkEmailEN("Please confirm your new contact details",
			"Customer support or a partner shop received a request to register this address or number "+
				"as your new contact details. To confirm, please open this page",
			"you are making this change yourself", "you do not recognise it", minutes, link),
	}
}

// SpokenCode is the code for a customer without a smartphone, who is on
// the phone with the desk they called. The message says only what the
// code is for; it asks nobody to pass it on, and says to tell no one
// when the customer did not call.
func SpokenCode(channel, code string, ttl time.Duration) Message {
	minutes := int(ttl / time.Minute)
	if channel == SMS {
		return Message{Kind: "support_verification", Body: fmt.Sprintf(
			"mfadesk証券 サポート窓口のご本人確認コード %s（%d分間有効）。お問い合わせをしていない場合は誰にも教えず、0120-000-000へご連絡ください。", code, minutes),
			English: &Message{Body: fmt.Sprintf("mfadesk Securities support desk identity code %s (valid %d min). "+
				"If you have not contacted us, do not tell anyone and call 0120-000-000.", code, minutes)}}
	}
	return Message{
		Kind:    "support_verification",
		Subject: "【mfadesk証券】サポート窓口でのご本人確認コード",
		Body: fmt.Sprintf("サポート窓口でのご本人確認コードは %s です（有効期限%d分）。\n\n"+
			"ご自身でお客様サポートにお電話中のお客様の確認に使うコードです。"+
			"お問い合わせをしていないのにこのメールが届いた場合は、コードを誰にも教えず、お客様サポート 0120-000-000 へご連絡ください。",
			code, minutes) + signature,
		English: &Message{Subject: "[mfadesk Securities] Identity code for our support desk",
			Body: fmt.Sprintf("Your identity code for our support desk is %s (valid for %d minutes).\n\n"+
				"This code confirms a customer who is on the phone with customer support themselves. "+
				"If you received this email without contacting us, do not tell anyone the code and call customer support "+
				"on 0120-000-000.", code, minutes) + signatureEN},
	}
}
