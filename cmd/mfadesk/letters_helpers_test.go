package main

import (
	"strings"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/support"
)

// newestLetter is the customer's newest letter.
func (a *testApp) newestLetter(loginID string) data.PostalLetter {
	a.t.Helper()
	letters, err := a.DB.PostalLetters(a.t.Context(), a.customerID(loginID))
	if err != nil || len(letters) == 0 {
		a.t.Fatalf("letters of %s: %d %v", loginID, len(letters), err)
	}
	return letters[0]
}

// letterCode opens the sealed code of the customer's newest letter, as
// the print queue does to render it.
func (a *testApp) letterCode(loginID string) string {
	a.t.Helper()
	l := a.newestLetter(loginID)
	code, err := a.Support.Box.Open(l.CodeEnc, mfa.LetterAAD(l.CustomerID))
	if err != nil {
		a.t.Fatalf("open letter %d: %v", l.ID, err)
	}
	return string(code)
}

// letterBody is the text a letter prints below the address.
func (a *testApp) letterBody(l data.PostalLetter) string {
	return strings.Join(support.LetterSheet{LetterID: l.ID, CaseID: l.CaseID, Origin: a.Config.Origin}.Body(), "\n")
}
