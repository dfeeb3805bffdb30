package notify

import "time"

// AddressChanged tells the customer support recorded a new postal
// address (masked), where letters with a verification code will go.
func AddressChanged(masked string, at time.Time) Message {
	return withEnglish(notice("address_changed", "ご住所（郵送先）が変更されました",
		"お客様からのご依頼により、お客様サポートがご本人確認のうえ、郵送先のご住所を変更しました。\n\n"+
			"新しいご住所：「"+masked+"」\n\n"+
			"ご本人確認のための郵便は、今後このご住所へお送りします。", at),
		"Your postal address was changed", "At your request, customer support checked it was you and changed "+
			"the postal address we mail to.\n\nNew address: \""+masked+"\"\n\n"+
			"Letters for identity checks will go to this address from now on.", at)
}
