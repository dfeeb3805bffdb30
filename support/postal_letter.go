package support

import (
	"fmt"
	"strconv"
	"time"

	"mfadesk/contact"
	"mfadesk/data"
	"mfadesk/jst"
)

// Brokerage is the sender printed on letters.
const Brokerage = "mfadesk証券株式会社"

// LetterSheet is what one printed letter says. The login ID is not on
// it: the customer knows it, and a letter that went astray should not
// hand a stranger both halves of /verify/post.
type LetterSheet struct {
	LetterID int64
	CaseID   int64
	Address  contact.Address
	Name     string
	Code     string
	Expires  time.Time
	// Origin is the customer site's public URL.
	Origin string
	// A reminder (Kind data.LetterKindReminder) has no code and no case:
	// it announces List's phase, starting on Phase, in Lang.
	Kind  string
	List  string
	Phase time.Time
	Lang  string
}

func newLetterSheet(l data.PostalLetter, code, origin string) LetterSheet {
	return LetterSheet{LetterID: l.ID, CaseID: l.CaseID, Address: l.Address, Name: l.Name, Code: code,
		Expires: l.ExpiresAt, Origin: origin, Kind: l.Kind, List: l.List, Phase: l.Phase, Lang: l.Lang}
}

// Reminder reports whether the sheet is a reminder letter (no code).
func (s LetterSheet) Reminder() bool { return s.Kind == data.LetterKindReminder }

// Title is the heading of the letter.
func (s LetterSheet) Title() string {
	switch {
	case s.Reminder() && s.Lang == "en":
		return "Please register a way to confirm your logins"
	case s.Reminder():
		return "多要素認証のご登録のお願い"
	}
	return "ご本人確認コードのお知らせ"
}

// AddressLines are the address block as the window of the envelope shows
// it: postcode, prefecture and city, building (if any), name 様.
func (s LetterSheet) AddressLines() []string {
	lines := []string{contact.FormatPostcode(s.Address.Postcode), s.Address.Prefecture + s.Address.City}
	if s.Address.Building != "" {
		lines = append(lines, s.Address.Building)
	}
	return lines
}

// Addressee is the name on the letter.
func (s LetterSheet) Addressee() string { return s.Name + " 様" }

// ExpiresJST is the code's expiry as printed, in Japan time.
func (s LetterSheet) ExpiresJST() string {
	return s.Expires.In(jst.Zone).Format("2006年1月2日 15:04") + "（日本時間）まで"
}

// Body is the text of the letter below the address block, one paragraph
// a line. It says what to do with the code and that nobody from the firm
// will ask for it; it never asks the customer to tell it to anyone
// (notify.AsksToTellCode checks this in the tests).
func (s LetterSheet) Body() []string {
	if s.Reminder() {
		return s.reminderBody()
	}
	return []string{
		"いつも" + Brokerage + "をご利用いただき、ありがとうございます。",
		"お客様サポートへのお問い合わせ（受付番号 " + strconv.FormatInt(s.CaseID, 10) + "）にあたり、ご本人確認コードをお送りします。",
		"",
		"【ご入力方法】",
		"1. パソコンまたはスマートフォンで、次のページを開いてください。",
		"    " + s.Origin + "/verify/post",
		"2. ログインIDと下記のご本人確認コードを、お客様ご自身で入力してください。",
		"",
		"このコードは、当社の担当者を含め、誰にも教えないでください。",
		"当社がお電話・メール・SMSでコードをお尋ねすることはありません。",
		"お心当たりのない場合は、このコードを入力せず、お客様サポート（" + supportPhone + "）へご連絡ください。",
	}
}

// Reference is the small print that names the letter for the mail room.
func (s LetterSheet) Reference() string {
	return fmt.Sprintf("文書番号 L%06d", s.LetterID)
}
