package mfa

import (
	"context"
	"testing"
)

// The strongest code factor proves a reset, a passkey when it is the only
// strong one, and email alone never does when a stronger one is enrolled
// (docs/security.md S63), whatever services the factor is used for.
func TestResetMethod(t *testing.T) {
	env := newPolicyEnv(t)
	tests := []struct {
		name string
		has  holding
		want Method
	}{
		{"app first", holding{email: true, totp: forAccount, sms: forAll}, MethodTOTP},
		{"SMS when no app", holding{email: true, sms: forWithdrawal}, MethodSMS},
		{"email when nothing stronger", holding{email: true}, MethodEmail},
		{"a passkey, not email, beside a passkey", holding{email: true, passkey: forLogin}, MethodPasskey},
		{"a passkey alone", holding{passkey: forWithdrawal}, MethodPasskey},
		{"the app's code before a passkey", holding{totp: forAll, passkey: forAll}, MethodTOTP},
		{"a cloned passkey is not a factor", holding{email: true, passkey: forLogin, passkeyCloned: true}, MethodEmail},
		{"recovery codes do not prove it", holding{recovery: 10}, MethodNone},
		{"unverified email does not", holding{}, MethodNone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := env.s.resetMethod(context.Background(), env.customer(tt.has))
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Fatalf("method %q, want %q", got, tt.want)
			}
		})
	}
}
