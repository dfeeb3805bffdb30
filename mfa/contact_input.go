package mfa

import (
	"errors"
	"fmt"

	"mfadesk/contact"
)

// ErrBadContact is a new email address or mobile number that does not
// parse.
var ErrBadContact = errors.New("not a valid email address or mobile number")

// ParseContact checks a new email address or Japanese mobile number as
// typed on either site, by the customer or by staff, and returns it in
// stored form (package contact says what is accepted).
func ParseContact(kind, raw string) (string, error) {
	var v string
	var err error
	switch kind {
	case ContactPhone:
		v, err = contact.ParsePhone(raw)
	case ContactEmail:
		v, err = contact.ParseEmail(raw)
	default:
		err = fmt.Errorf("contact kind %q", kind)
	}
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrBadContact, err)
	}
	return v, nil
}
