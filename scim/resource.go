package scim

import (
	"strings"

	scimerrors "github.com/elimity-com/scim/errors"

	"mfadesk/support"
)

// attributes renders a customer as a SCIM User: the response to every
// request, and what a PATCH applies its operations to. Never a password
// or its hash.
func attributes(c support.ProvisionedCustomer) map[string]any {
	ext := map[string]any{
		"accountNumber":  c.AccountNumber,
		"kanaName":       c.NameKana,
		"birthDate":      c.BirthDate,
		"emailVerified":  c.HasValidEmail(),
		"mobileVerified": c.PhoneVerified && c.Phone != "",
	}
	if a := c.Address; a.Postcode != "" {
		addr := map[string]any{"postcode": a.Postcode, "prefecture": a.Prefecture, "line1": a.City}
		if a.Building != "" {
			addr["line2"] = a.Building
		}
		ext["postalAddress"] = addr
	}
	name := map[string]any{"formatted": c.NameKanji}
	if family, given, ok := strings.Cut(c.NameKanji, " "); ok {
		name["familyName"], name["givenName"] = family, given
	}
	m := map[string]any{
		"userName":          c.LoginID,
		"externalId":        c.AccountNumber,
		"name":              name,
		"displayName":       c.NameKanji,
		"active":            !c.Closed,
		"preferredLanguage": c.Lang,
		ExtensionSchema:     ext,
	}
	if c.Email != "" {
		m["emails"] = []any{map[string]any{"value": c.Email, "primary": true}}
	}
	if c.Phone != "" {
		m["phoneNumbers"] = []any{map[string]any{"value": c.Phone, "type": "mobile", "primary": true}}
	}
	return m
}

// record reads a User's attributes into the import's record, so that
// support.CheckImportRecord checks them as it checks a line of the
// customer export. An absent active means active.
func record(m map[string]any) (support.ImportRecord, error) {
	var rec support.ImportRecord
	if get(m, "password") != nil {
		return rec, scimerrors.ScimError{Status: 400, ScimType: scimerrors.ScimTypeInvalidValue,
			Detail: "password: not set by provisioning; the customer sets it through the password reset"}
	}
	ext := asMap(get(m, ExtensionSchema))
	f := &rec.Fields
	f[support.ColAccount] = text(get(m, "externalId"))
	if a := text(get(ext, "accountNumber")); a != "" {
		if f[support.ColAccount] != "" && f[support.ColAccount] != a {
			return rec, scimerrors.ScimError{Status: 400, ScimType: scimerrors.ScimTypeInvalidValue,
				Detail: "account_number: externalId and accountNumber differ"}
		}
		f[support.ColAccount] = a
	}
	f[support.ColLoginID] = text(get(m, "userName"))
	name := asMap(get(m, "name"))
	f[support.ColNameKanji] = text(get(name, "formatted"))
	if f[support.ColNameKanji] == "" {
		f[support.ColNameKanji] = strings.TrimSpace(text(get(name, "familyName")) + " " + text(get(name, "givenName")))
	}
	if f[support.ColNameKanji] == "" {
		f[support.ColNameKanji] = text(get(m, "displayName"))
	}
	f[support.ColNameKana] = text(get(ext, "kanaName"))
	f[support.ColBirthDate] = text(get(ext, "birthDate"))
	f[support.ColEmail] = pick(get(m, "emails"), "")
	f[support.ColMobile] = pick(get(m, "phoneNumbers"), "mobile")
	// A language tag (ja-JP, en_US) names its language first.
	lang, _, _ := strings.Cut(strings.ReplaceAll(text(get(m, "preferredLanguage")), "_", "-"), "-")
	f[support.ColLanguage] = lang
	f[support.ColStatus] = "active"
	if active, ok := get(m, "active").(bool); ok && !active {
		f[support.ColStatus] = "closed"
	}
	addr := asMap(get(ext, "postalAddress"))
	f[support.ColPostcode] = text(get(addr, "postcode"))
	f[support.ColPref] = text(get(addr, "prefecture"))
	f[support.ColCity] = text(get(addr, "line1"))
	f[support.ColBuilding] = text(get(addr, "line2"))
	return rec, nil
}

// pick is the value of the multi-valued attribute kept: the primary one,
// else the first of the type, else the first.
func pick(v any, typ string) string {
	list, _ := v.([]any)
	var maps []map[string]any
	for _, e := range list {
		if m := asMap(e); m != nil {
			maps = append(maps, m)
		}
	}
	for _, m := range maps {
		if p, _ := get(m, "primary").(bool); p {
			return text(get(m, "value"))
		}
	}
	for _, m := range maps {
		if typ != "" && strings.EqualFold(text(get(m, "type")), typ) {
			return text(get(m, "value"))
		}
	}
	if len(maps) > 0 {
		return text(get(maps[0], "value"))
	}
	return ""
}

// get is an attribute of m, its name compared without case (RFC 7643 §2.1).
func get(m map[string]any, name string) any {
	if v, ok := m[name]; ok {
		return v
	}
	for k, v := range m {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return nil
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

func text(v any) string {
	s, _ := v.(string)
	return s
}
