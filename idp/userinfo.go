package idp

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"mfadesk/data"
)

// ClaimWithdrawalHoldUntil is the unix time until which the customer's
// withdrawals are held (after a contact change or support reset); absent
// when there is no hold.
const ClaimWithdrawalHoldUntil = "withdrawal_hold_until"

// SetUserinfoFromScopes is deprecated in the op; SetUserinfoFromRequest
// does the work.
func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

// SetUserinfoFromRequest fills the ID token's claims.
func (s *storage) SetUserinfoFromRequest(ctx context.Context, info *oidc.UserInfo, req op.IDTokenRequest, scopes []string) error {
	var customerID int64
	var sid, acr string
	switch r := req.(type) {
	case *authRequest:
		customerID, sid = r.r.CustomerID, r.r.SID
	case *refreshRequest:
		// The op takes acr from authorisation requests only.
		customerID, sid, acr = r.t.CustomerID, r.t.SID, r.t.ACR
	default:
		return errors.New("oidc: unknown request")
	}
	if err := s.p.userinfo(ctx, info, customerID, req.GetSubject(), scopes); err != nil {
		return err
	}
	info.AppendClaims("sid", sid)
	if acr != "" {
		info.AppendClaims("acr", acr)
	}
	return nil
}

// SetUserinfoFromToken answers the userinfo endpoint for a live access
// token whose session is live.
func (s *storage) SetUserinfoFromToken(ctx context.Context, info *oidc.UserInfo, tokenID, subject, _ string) error {
	t, err := s.liveAccessToken(ctx, tokenID, subject)
	if err == nil {
		err = s.p.userinfo(ctx, info, t.CustomerID, subject, t.Scopes)
	}
	noteUserinfoFailure(ctx, err)
	return err
}

func (s *storage) SetIntrospectionFromToken(ctx context.Context, resp *oidc.IntrospectionResponse, tokenID, subject, clientID string) error {
	t, err := s.liveAccessToken(ctx, tokenID, subject)
	if err != nil {
		return err
	}
	if t.ClientID != clientID {
		return errors.New("token of another client")
	}
	info := &oidc.UserInfo{}
	if err := s.p.userinfo(ctx, info, t.CustomerID, subject, t.Scopes); err != nil {
		return err
	}
	resp.SetUserInfo(info)
	resp.Active, resp.Scope, resp.ClientID, resp.Subject = true, t.Scopes, t.ClientID, subject
	resp.Audience = []string{t.ClientID}
	resp.Expiration = oidc.FromTime(t.ExpiresAt)
	resp.IssuedAt = oidc.FromTime(t.CreatedAt)
	return nil
}

// liveAccessToken is the access token of tokenID while it and its
// session live; otherwise errInvalidAccessToken, or the database's error.
func (s *storage) liveAccessToken(ctx context.Context, tokenID, subject string) (*data.OIDCToken, error) {
	t, err := s.p.DB.OIDCTokenByHash(ctx, data.OIDCAccess, hashToken(tokenID))
	if errors.Is(err, data.ErrNotFound) {
		return nil, errInvalidAccessToken
	}
	if err != nil {
		return nil, err
	}
	if !t.Live(s.p.DB.Now()) {
		return nil, fmt.Errorf("access token revoked or expired: %w", errInvalidAccessToken)
	}
	if sub, err := s.p.DB.OIDCSubjectOf(ctx, t.CustomerID); errors.Is(err, data.ErrNotFound) || err == nil && sub != subject {
		return nil, errInvalidAccessToken
	} else if err != nil {
		return nil, err
	}
	if _, err := s.p.liveSession(ctx, t.SID); errors.Is(err, data.ErrNotFound) {
		return nil, fmt.Errorf("the session ended: %w", errInvalidAccessToken)
	} else if err != nil {
		return nil, err
	}
	return t, nil
}

// userinfo is what the scopes reveal of the customer: name, the e-mail
// address and mobile number only once verified, and the withdrawal hold.
func (p *Provider) userinfo(ctx context.Context, info *oidc.UserInfo, customerID int64, sub string, scopes []string) error {
	c, err := p.DB.CustomerByID(ctx, customerID)
	if err != nil {
		return err
	}
	info.Subject = sub
	if slices.Contains(scopes, oidc.ScopeProfile) {
		info.Name = c.NameKanji
	}
	if slices.Contains(scopes, oidc.ScopeEmail) && c.HasValidEmail() {
		info.Email, info.EmailVerified = c.Email, true
	}
	if slices.Contains(scopes, oidc.ScopePhone) && c.PhoneVerified && c.Phone != "" {
		info.PhoneNumber, info.PhoneNumberVerified = c.Phone, true
	}
	if c.WithdrawalHoldUntil.After(p.DB.Now()) {
		info.AppendClaims(ClaimWithdrawalHoldUntil, c.WithdrawalHoldUntil.Unix())
	}
	return nil
}
