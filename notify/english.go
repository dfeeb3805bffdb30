package notify

import (
	"strconv"
	"strings"
	"time"

	"mfadesk/jst"
)

// English copies of the security notices and of the messages that carry a
// code or link, for a customer who chose English on the site
// (data.Customer.Lang).

// LangEN is the language code of the English notices.
const LangEN = "en"

// In is m as the customer reads it: the English copy for lang "en" where
// there is one, else m itself.
func (m Message) In(lang string) Message {
	if lang != LangEN || m.English == nil {
		return m
	}
	en := *m.English
	en.Kind = m.Kind
	return en
}

const notYouEN = "\n\nIf you did not do this, someone may be posing as you. Please call customer support " +
	"(0120-000-000) straight away. If you can log in, change your login password and trading password."

const signatureEN = "\n\n--\nmfadesk Securities customer support 0120-000-000 (weekdays 8:00-18:00, Japan time)\n" +
	"This address does not receive replies."

const smsPointerEN = " For details, see the email or our website."

// codeAdviceEN is what every English code email says about the code.
const codeAdviceEN = "Never tell anyone this code. Our staff will never ask you for a code by phone or email."

// smsCodeEN is the English SMS of a code: what it is for, the code and
// how long it is valid.
func smsCodeEN(what, code string, minutes int) string {
	return "mfadesk Securities " + what + " " + code + " (valid " + strconv.Itoa(minutes) + " min). " +
		"We never ask for codes by phone or otherwise."
}

// emailCodeEN is the English email of a code: the sentence giving it, its
// validity, the advice and what to do if the customer did not ask.
func emailCodeEN(subject, gives string, minutes int, notAsked string) *Message {
	return &Message{Subject: "[mfadesk Securities] " + subject,
		Body: gives + "\n\nIt is valid for " + strconv.Itoa(minutes) + " minutes. " + codeAdviceEN + "\n\n" + notAsked + signatureEN}
}

// linkEmailEN is the English email of a support desk's link: what it is
// for, the link and how long it is valid, and when to answer yes or no on
// the page it opens (the buttons' English labels).
func linkEmailEN(subject, opening, yesOnlyIf, noIf string, minutes int, link string) *Message {
	return &Message{Subject: "[mfadesk Securities] " + subject,
		Body: opening + " (valid for " + strconv.Itoa(minutes) + " minutes).\n\n" + link + "\n\n" +
			"Check the case number and the staff member shown on the page, and press \"Yes, I asked for this\" only if " +
			yesOnlyIf + ". If " + noIf + ", press \"No, I did not ask for this\". " +
			"We never ask for a code or password by phone or email." + signatureEN}
}

func jstTimeEN(t time.Time) string { return t.In(jst.Zone).Format("2 January 2006 15:04") }

// withEnglish adds to m, a Japanese notice, its English copy built like
// notice builds the Japanese one.
func withEnglish(m Message, subject, happened string, at time.Time) Message {
	m.English = &Message{Subject: "[mfadesk Securities] " + subject,
		Body: "Date and time: " + jstTimeEN(at) + " (Japan time)\n\n" + happened + notYouEN + signatureEN}
	return m
}

func passwordLabelEN(kind string) string {
	switch kind {
	case "login":
		return "login password"
	case "trading":
		return "trading password"
	}
	return "password"
}

func factorLabelEN(factor string) string {
	switch factor {
	case "totp":
		return "authenticator app"
	case "sms":
		return "SMS verification"
	case "passkey":
		return "passkey"
	}
	return "verification method"
}

func contactLabelEN(contact string) string {
	switch contact {
	case "email":
		return "email address"
	case "phone":
		return "phone number"
	}
	return "contact details"
}

// heldUntilEN is the English sentence on held withdrawals.
func heldUntilEN(holdUntil time.Time) string {
	return "For your security, withdrawals (withdrawal requests and instant withdrawals) are paused until " +
		jstTimeEN(holdUntil) + " (Japan time)."
}

func yenEN(amount int64) string { return "JPY " + strings.TrimSuffix(yen(amount), "円") }

func remainingEN(remaining int) string {
	if remaining == 0 {
		return "You have no recovery codes left. After logging in, please get new recovery codes."
	}
	return "You have " + strconv.Itoa(remaining) + " recovery codes left."
}
