package idp

import (
	"slices"
	"testing"
	"time"

	"mfadesk/data"
)

// planKeys: the first key signs at once; a successor is added a lead
// before the rotation and signs from then; a retired key stays published
// for Retain, then leaves.
func TestPlanKeys(t *testing.T) {
	t0 := time.Unix(1_800_000_000, 0)
	p := KeyPolicy{Rotation: 10 * time.Hour, Lead: 2 * time.Hour, Retain: time.Hour}
	one := []data.OIDCSigningKey{{Generation: 1, SignsFrom: t0}}
	two := append(slices.Clone(one), data.OIDCSigningKey{Generation: 2, SignsFrom: t0.Add(10 * time.Hour)})
	for _, c := range []struct {
		name      string
		keys      []data.OIDCSigningKey
		at        time.Time
		add       int64
		addFrom   time.Time
		signing   int
		published []int
	}{
		{"empty", nil, t0, 1, t0, -1, nil},
		{"first key", one, t0.Add(time.Hour), 0, time.Time{}, 0, []int{0}},
		{"lead reached", one, t0.Add(8 * time.Hour), 2, t0.Add(10 * time.Hour), 0, []int{0}},
		{"late: successor a lead ahead", one, t0.Add(20 * time.Hour), 2, t0.Add(22 * time.Hour), 0, []int{0}},
		{"successor published", two, t0.Add(9 * time.Hour), 0, time.Time{}, 0, []int{0, 1}},
		{"successor signs", two, t0.Add(10 * time.Hour), 0, time.Time{}, 1, []int{0, 1}},
		{"old key retained", two, t0.Add(11*time.Hour - time.Second), 0, time.Time{}, 1, []int{0, 1}},
		{"old key gone", two, t0.Add(11 * time.Hour), 0, time.Time{}, 1, []int{1}},
	} {
		got := planKeys(c.keys, c.at, p)
		if got.addGeneration != c.add || !got.addSignsFrom.Equal(c.addFrom) || got.signing != c.signing ||
			!slices.Equal(got.published, c.published) {
			t.Errorf("%s: %+v", c.name, got)
		}
	}
}
