package views

import (
	"context"
	"strconv"
	"strings"
	"time"
)

func itoa(n int) string { return strconv.Itoa(n) }

var jst = time.FixedZone("JST", 9*60*60)

// DateTime formats a time for Japanese readers, in JST.
func DateTime(t time.Time) string { return t.In(jst).Format("2006年1月2日 15:04") }

// Date formats a date for Japanese readers, in JST.
func Date(t time.Time) string { return t.In(jst).Format("2006年1月2日") }

// MaskEmail shows enough of an address for its owner to recognise it.
func MaskEmail(addr string) string {
	at := strings.LastIndexByte(addr, '@')
	if at < 1 {
		return "***"
	}
	return addr[:1] + "***" + addr[at:]
}

// MaskPhone shows only the last four digits.
func MaskPhone(phone string) string {
	digits := strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, phone)
	if len(digits) < 4 {
		return "***"
	}
	return "***-****-" + digits[len(digits)-4:]
}

// DateIn formats a date in the page's language, in JST.
func DateIn(ctx context.Context, t time.Time) string {
	if PageFrom(ctx).Lang == LangEN {
		return t.In(jst).Format("2 Jan 2006")
	}
	return Date(t)
}

// DateTimeIn formats a time in the page's language, in JST.
func DateTimeIn(ctx context.Context, t time.Time) string {
	if PageFrom(ctx).Lang == LangEN {
		return t.In(jst).Format("2 Jan 2006 15:04 JST")
	}
	return DateTime(t)
}
