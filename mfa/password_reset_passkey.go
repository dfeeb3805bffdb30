package mfa

import (
	"context"

	"mfadesk/data"
)

// ceremonyReset is the passkey ceremony of a reset: verifyPasskey takes
// it as the check of PurposePasswordReset.
const ceremonyReset = "check:" + PurposePasswordReset

// BeginResetPasskey returns the options for proving a reset with a
// passkey. They are those of a passkey login with no account named,
// alike for every reset session, so they tell nothing of what the first
// step matched. The ceremony is bound on the server to c, the customer
// the first step matched (nil when nothing did), so only c's passkey can
// finish it.
func (s *Service) BeginResetPasskey(ctx context.Context, c *data.Customer, sessionHash string) ([]byte, error) {
	var handle []byte
	if c != nil {
		var err error
		if handle, err = s.DB.WebAuthnUserIDOf(ctx, c.ID); err != nil {
			return nil, err
		}
	}
	return s.beginDiscoverableLogin(ctx, sessionHash, ceremonyReset, handle)
}

// VerifyResetPasskey checks the passkey assertion of a reset as the
// second factor of c, under the shared lock like any code. With nothing
// matched (c nil) the ceremony is used up and the assertion refused like
// an invalid one, with nothing counted against anyone.
func (s *Service) VerifyResetPasskey(ctx context.Context, c *data.Customer, sessionHash string, response []byte, clientIP string) error {
	if c == nil {
		if _, err := s.takeCeremony(ctx, sessionHash, ceremonyReset); err != nil {
			return err
		}
		return ErrPasskeyInvalid
	}
	return s.verifyPasskey(ctx, VerifyInput{Customer: c, SessionHash: sessionHash, Purpose: PurposePasswordReset,
		Use: UseAny, Method: MethodPasskey, Code: string(response), ClientIP: clientIP})
}
