package support

import (
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"

	"mfadesk/contact"
	"mfadesk/mfa"
)

// ImportRow is a checked line of the import file, values as stored.
// Empty Email, Phone, Lang or PasswordHash, and a zero Address, leave what
// is on record unchanged: the import never removes a contact.
type ImportRow struct {
	Line          int
	AccountNumber string
	LoginID       string
	NameKanji     string
	NameKana      string
	BirthDate     string
	Email         string
	Phone         string
	Lang          string
	Closed        bool
	Address       contact.Address
	PasswordHash  string
}

const maxImportName = 100

// CheckImportRecord checks every field of a line with the parsers staff
// entry uses and returns the row, or every reason it is bad.
func CheckImportRecord(rec ImportRecord, today time.Time) (ImportRow, []string) {
	f := rec.Fields
	row := ImportRow{Line: rec.Line}
	var bad []string
	fail := func(col ImportColumn, why string) { bad = append(bad, col.String()+": "+why) }

	row.AccountNumber = strings.TrimSpace(norm.NFKC.String(f[ColAccount]))
	if !allDigits(row.AccountNumber) || len(row.AccountNumber) > 20 {
		fail(ColAccount, "must be 1 to 20 digits")
	}
	row.LoginID = mfa.NormalizeLoginID(f[ColLoginID])
	if row.LoginID == "" || utf8.RuneCountInString(row.LoginID) > 64 || strings.IndexFunc(row.LoginID, notLoginRune) >= 0 {
		fail(ColLoginID, "must be 1 to 64 characters without spaces")
	}
	var ok bool
	if row.NameKanji, ok = importName(f[ColNameKanji]); !ok {
		fail(ColNameKanji, "must be 1 to 100 characters")
	}
	row.NameKana, ok = importName(f[ColNameKana])
	if !ok || !isKatakanaName(row.NameKana) {
		fail(ColNameKana, "must be katakana (full or half width)")
	}
	var err error
	if row.BirthDate, err = importBirthDate(f[ColBirthDate], today); err != nil {
		fail(ColBirthDate, err.Error())
	}
	if s := strings.TrimSpace(f[ColEmail]); s != "" {
		if row.Email, err = contact.ParseEmail(s); err != nil {
			fail(ColEmail, "not an email address")
		}
	}
	if s := strings.TrimSpace(f[ColMobile]); s != "" {
		if row.Phone, err = contact.ParsePhone(s); err != nil {
			fail(ColMobile, "not a Japanese mobile number")
		}
	}
	if row.Lang, ok = importLang(f[ColLanguage]); !ok {
		fail(ColLanguage, "must be ja or en (日本語, 英語)")
	}
	if row.Closed, ok = importStatus(f[ColStatus]); !ok {
		fail(ColStatus, "must be active or closed (有効, 解約)")
	}
	if a := [4]string{f[ColPostcode], f[ColPref], f[ColCity], f[ColBuilding]}; strings.TrimSpace(strings.Join(a[:], "")) != "" {
		if row.Address, err = contact.ParseAddress(a[0], a[1], a[2], a[3]); err != nil {
			fail(ColPostcode, "postal address: "+addressProblem(err))
		}
	}
	if s := strings.TrimSpace(f[ColPassword]); s != "" {
		if row.PasswordHash, err = mfa.ParseImportedHash(s); err != nil {
			// The hash itself is never repeated in a report.
			fail(ColPassword, "not a supported password hash")
		}
	}
	return row, bad
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

func notLoginRune(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }

// importName folds a name (NFKC: half-width kana become full-width) and
// makes runs of spaces one.
func importName(raw string) (string, bool) {
	s := strings.Join(strings.Fields(norm.NFKC.String(raw)), " ")
	n := utf8.RuneCountInString(s)
	return s, n > 0 && n <= maxImportName && strings.IndexFunc(s, unicode.IsControl) < 0
}

func isKatakanaName(s string) bool {
	for _, r := range s {
		if !unicode.Is(unicode.Katakana, r) && r != 'ー' && r != '・' && r != ' ' {
			return false
		}
	}
	return true
}

// importBirthDate reads YYYY-MM-DD or YYYY/M/D (as Excel writes dates).
func importBirthDate(raw string, today time.Time) (string, error) {
	s := strings.ReplaceAll(strings.TrimSpace(norm.NFKC.String(raw)), "/", "-")
	d, err := time.Parse("2006-1-2", s)
	if err != nil {
		return "", errors.New("not a date (YYYY-MM-DD)")
	}
	if d.Year() < 1900 || d.After(today) {
		return "", errors.New("not a possible birth date")
	}
	return d.Format(time.DateOnly), nil
}

func importLang(raw string) (string, bool) {
	switch strings.ToLower(strings.TrimSpace(norm.NFKC.String(raw))) {
	case "":
		return "", true
	case "ja", "日本語":
		return "ja", true
	case "en", "英語":
		return "en", true
	}
	return "", false
}

// importStatus reports whether the account is closed; empty is active.
func importStatus(raw string) (closed, ok bool) {
	switch strings.ToLower(strings.TrimSpace(norm.NFKC.String(raw))) {
	case "", "active", "open", "有効":
		return false, true
	case "closed", "解約", "閉鎖":
		return true, true
	}
	return false, false
}

func addressProblem(err error) string {
	var ae *contact.AddressError
	if errors.As(err, &ae) {
		return fmt.Sprintf("bad %s", ae.Field)
	}
	return "bad postcode"
}
