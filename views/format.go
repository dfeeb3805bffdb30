package views

import (
	"context"
	"strconv"
	"time"

	"mfadesk/jst"
)

func itoa(n int) string { return strconv.Itoa(n) }

// DateTime formats a time for Japanese readers, in JST.
func DateTime(t time.Time) string { return t.In(jst.Zone).Format("2006年1月2日 15:04") }

// Date formats a date for Japanese readers, in JST.
func Date(t time.Time) string { return t.In(jst.Zone).Format("2006年1月2日") }

// DateIn formats a date in the page's language, in JST.
func DateIn(ctx context.Context, t time.Time) string {
	if PageFrom(ctx).Lang == LangEN {
		return t.In(jst.Zone).Format("2 Jan 2006")
	}
	return Date(t)
}

// DateTimeIn formats a time in the page's language, in JST.
func DateTimeIn(ctx context.Context, t time.Time) string {
	if PageFrom(ctx).Lang == LangEN {
		return t.In(jst.Zone).Format("2 Jan 2006 15:04 JST")
	}
	return DateTime(t)
}
