// Package jst holds Japan Standard Time, the zone every date the customers
// and staff read is in (notices, pages, reports, the programme's phase
// dates). It imports nothing of ours, so data, notify, views and mfa can
// all use it.
package jst

import "time"

// Zone is Japan Standard Time (UTC+9, no daylight saving).
var Zone = time.FixedZone("JST", 9*60*60)
