package data

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"mfadesk/contact"

	"golang.org/x/text/unicode/norm"
)

// SearchKey folds what an agent typed into the form the search index
// keeps: NFKC (full-width digits and half-width kana fold), lower case,
// hiragana as katakana, no spaces; a phone number, typed domestically or
// as +81, keeps only its domestic digits (the index holds those).
func SearchKey(q string) string {
	if digits, ok := contact.PhoneDigits(q); ok {
		return digits
	}
	q = strings.ToLower(strings.TrimSpace(norm.NFKC.String(q)))
	return strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return -1
		case r >= 'ぁ' && r <= 'ゖ':
			return r + ('ァ' - 'ぁ')
		}
		return r
	}, q)
}

// MinSearchKey is the shortest key searched: one character would match a
// good part of a million customers.
const MinSearchKey = 2

// searchCustomersQuery reads at most limit entries of the customer_search
// index (the LIMIT sits inside the subquery, so a name shared by 100,000
// customers costs 50 index entries, not 100,000) and looks each customer
// up by id; the IN list is kept sorted, so ORDER BY id needs no sort.
// Every key starting with key sorts at or after key and before key
// followed by the largest code point.
//
// It reads only the columns a result list shows: a 50-row name search
// spent about half its time fetching and converting the other 13 columns
// of each row (password hashes, lock and hold state) through the driver,
// and made half its garbage there, which the collector then paid for in
// the slowest searches.
const searchCustomersQuery = `SELECT id, account_number, name_kanji, name_kana, email, phone
	FROM customers WHERE id IN (
		SELECT customer_id FROM customer_search WHERE key >= ? AND key < ? LIMIT ?)
	ORDER BY id`

// SearchCustomers finds up to limit customers (the first ones in key
// order, listed by id) with a search key (see SearchKey) starting with
// key: account number, login ID, name in kanji or kana (family name
// first, or the given name), phone digits or email. It is one range scan
// of the customer_search index, never a table scan.
//
// A result carries what a result list shows and nothing else; CustomerByID
// loads the whole customer once one is chosen.
func (db *DB) SearchCustomers(ctx context.Context, key string, limit int) ([]CustomerMatch, error) {
	if utf8.RuneCountInString(key) < MinSearchKey {
		return nil, nil
	}
	rows, err := db.QueryContext(ctx, searchCustomersQuery, key, key+string(utf8.MaxRune), limit)
	if err != nil {
		return nil, fmt.Errorf("search customers: %w", err)
	}
	defer rows.Close()
	var out []CustomerMatch
	for rows.Next() {
		if len(out) == 1 && limit > 1 {
			// A second match is most often a name shared by many: room for
			// the whole page at once, rather than growing (and leaving to
			// the collector) a slice of Customers seven times.
			out = slices.Grow(out, limit-1)
		}
		var c CustomerMatch
		if err := rows.Scan(&c.ID, &c.AccountNumber, &c.NameKanji, &c.NameKana, &c.Email, &c.Phone); err != nil {
			return nil, fmt.Errorf("search customers: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CustomerMatch is a customer as a result list shows one: no login ID, no
// password hashes, no lock, hold or reset state, so none can be read from
// a search by mistake.
type CustomerMatch struct {
	ID            int64
	AccountNumber string
	NameKanji     string
	NameKana      string
	Email         string
	Phone         string
}

// Match is the customer as a result list shows it.
func (c *Customer) Match() CustomerMatch {
	return CustomerMatch{ID: c.ID, AccountNumber: c.AccountNumber, NameKanji: c.NameKanji, NameKana: c.NameKana,
		Email: c.Email, Phone: c.Phone}
}

// CustomerByAccountAndBirth is the partners' exact lookup: both must match.
func (db *DB) CustomerByAccountAndBirth(ctx context.Context, account, birthDate string) (*Customer, error) {
	c, err := scanCustomer(db.QueryRowContext(ctx, `SELECT `+customerColumns+` FROM customers
		WHERE account_number = ? AND birth_date = ?`, account, birthDate))
	if err != nil {
		return nil, fmt.Errorf("customer by account and birth date: %w", err)
	}
	return c, nil
}
