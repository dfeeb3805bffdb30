package support

import (
	"testing"
	"time"

	"mfadesk/data"
)

// Only a passed verification that still counts gives a case its strength;
// the strongest one wins.
func TestStrongestValid(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	v := func(strength, status string, validFor time.Duration) data.Verification {
		return data.Verification{Strength: strength, Status: status, ValidUntil: now.Add(validFor)}
	}
	tests := []struct {
		name string
		vs   []data.Verification
		want string
	}{
		{"none", nil, ""},
		{"knowledge passed", []data.Verification{v(data.StrengthWeak, data.VerificationPassed, time.Minute)}, data.StrengthWeak},
		{"strong passed", []data.Verification{v(data.StrengthWeak, data.VerificationPassed, time.Minute),
			v(data.StrengthStrong, data.VerificationPassed, time.Minute)}, data.StrengthStrong},
		{"strong expired", []data.Verification{v(data.StrengthStrong, data.VerificationPassed, 0)}, ""},
		{"strong pending", []data.Verification{v(data.StrengthStrong, data.VerificationPending, time.Hour)}, ""},
		{"strong failed, weak passed", []data.Verification{v(data.StrengthStrong, data.VerificationFailed, time.Hour),
			v(data.StrengthWeak, data.VerificationPassed, time.Minute)}, data.StrengthWeak},
	}
	for _, tt := range tests {
		if got := StrongestValid(tt.vs, now); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
}

func TestFoldDate(t *testing.T) {
	for in, want := range map[string]string{"1950-04-01": "1950-04-01", "1950/4/1": "1950-04-01",
		"１９５０－０４－０１": "1950-04-01", "1950-02-30": "", "April 1": ""} {
		if got := foldDate(in); got != want {
			t.Errorf("foldDate(%q) = %q, want %q", in, got, want)
		}
	}
}
