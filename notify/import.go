package notify

import "time"

// ContactImported tells a customer's verified contact that the back
// office's customer records changed one of their contacts. The new one is
// not trusted for codes until the customer confirms it themselves.
func ContactImported(contact, masked string, at, holdUntil time.Time) Message {
	label := contactLabelJA(contact)
	happened := "当社のお客様情報の更新により、ご登録の" + label + "が「" + masked + "」に変更されました。" +
		"新しい" + label + "は、お客様ご自身による確認が済むまで、確認コードのお届けには使いません。"
	en := contactLabelEN(contact)
	happenedEN := "Our customer records changed your registered " + en + " to \"" + masked + "\". " +
		"We will not send codes to it until you confirm it yourself."
	if !holdUntil.IsZero() {
		happened += "\n\n安全のため、" + jstTime(holdUntil) + "（日本時間）まで出金（出金指示・即時出金）を停止しています。"
		happenedEN += "\n\n" + heldUntilEN(holdUntil)
	}
	return withEnglish(notice("contact_imported", label+"が変更されました", happened, at),
		"Your "+en+" was changed", happenedEN, at)
}

// contactLabelJA names a kind of contact ("email", "phone") in Japanese.
func contactLabelJA(contact string) string {
	switch contact {
	case "email":
		return "メールアドレス"
	case "phone":
		return "電話番号"
	}
	return "連絡先"
}
