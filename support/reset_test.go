package support

import (
	"errors"
	"slices"
	"testing"

	"mfadesk/data"
)

// A reset removes what staff chose, in the forms' order; nothing chosen
// removes every kind, and an unknown kind refuses the whole reset.
func TestResetChoice(t *testing.T) {
	all := []string{data.FactorTOTP, data.FactorSMS, ResetPasskey}
	tests := []struct {
		name    string
		chosen  []string
		removes []string
		err     error
	}{
		{"nothing chosen removes all", nil, all, nil},
		{"empty list removes all", []string{}, all, nil},
		{"app only", []string{data.FactorTOTP}, []string{data.FactorTOTP}, nil},
		{"sms only", []string{data.FactorSMS}, []string{data.FactorSMS}, nil},
		{"passkeys only", []string{ResetPasskey}, []string{ResetPasskey}, nil},
		{"app and sms, form order", []string{data.FactorSMS, data.FactorTOTP}, []string{data.FactorTOTP, data.FactorSMS}, nil},
		{"every kind named", []string{ResetPasskey, data.FactorSMS, data.FactorTOTP}, all, nil},
		{"unknown kind", []string{"email"}, nil, ErrBadResetChoice},
		{"known with unknown", []string{data.FactorTOTP, "recovery"}, nil, ErrBadResetChoice},
		{"same kind twice", []string{data.FactorSMS, data.FactorSMS}, nil, ErrBadResetChoice},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := resetChoice(tt.chosen)
			if !errors.Is(err, tt.err) || !slices.Equal(got, tt.removes) {
				t.Fatalf("resetChoice(%q) = %q, %v; want %q, %v", tt.chosen, got, err, tt.removes, tt.err)
			}
		})
	}
}
