package idp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"mfadesk/data"
)

// storage is op.Storage over mfadesk's database.
type storage struct{ p *Provider }

// hashToken is the stored form of a code or token (all random).
func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

func (s *storage) Health(ctx context.Context) error { return s.p.DB.Ping(ctx) }

// GetClientByClientID returns an enabled client; an unknown or disabled
// one is a plain error (the op answers invalid_client, not a 500).
func (s *storage) GetClientByClientID(ctx context.Context, id string) (op.Client, error) {
	c, err := s.p.DB.OIDCClient(ctx, id)
	if errors.Is(err, data.ErrNotFound) {
		return nil, errors.New("unknown client")
	}
	if err != nil {
		return nil, oidc.ErrServerError().WithParent(err)
	}
	if !c.Enabled() {
		return nil, errors.New("client disabled")
	}
	return &client{c: c, idTokens: s.p.cfg.IDTokenTTL}, nil
}

func (s *storage) AuthorizeClientIDSecret(ctx context.Context, id, secret string) error {
	c, err := s.GetClientByClientID(ctx, id)
	if err != nil {
		return err
	}
	if !ClientSecretMatches(c.(*client).c.SecretHash, secret) {
		return errors.New("wrong client secret")
	}
	return nil
}

// CreateAuthRequest stores a request the op validated, after mfadesk's own
// rules: PKCE with S256 for every client, the redirect URI exactly as
// registered, scopes cut to what the client may have.
func (s *storage) CreateAuthRequest(ctx context.Context, req *oidc.AuthRequest, _ string) (op.AuthRequest, error) {
	cl, err := s.GetClientByClientID(ctx, req.ClientID)
	if err != nil {
		return nil, oidc.ErrInvalidClient().WithParent(err)
	}
	c := cl.(*client)
	if !slices.Contains(c.c.RedirectURIs, req.RedirectURI) {
		return nil, oidc.ErrInvalidRequestRedirectURI().WithDescription("redirect_uri is not registered")
	}
	if req.CodeChallenge == "" || req.CodeChallengeMethod != oidc.CodeChallengeMethodS256 {
		return nil, oidc.ErrInvalidRequest().WithDescription("PKCE with code_challenge_method S256 is required")
	}
	if req.ResponseType != oidc.ResponseTypeCode {
		return nil, oidc.ErrInvalidRequest().WithDescription("only response_type code is supported")
	}
	maxAge := -1
	if req.MaxAge != nil {
		maxAge = int(min(*req.MaxAge, 1<<31-1))
	}
	r := &data.OIDCAuthRequest{ID: randomToken(32), ClientID: c.c.ID, RedirectURI: req.RedirectURI, State: req.State,
		Nonce: req.Nonce, Scopes: c.allowedScopes(req.Scopes), ResponseType: string(req.ResponseType),
		ResponseMode: string(req.ResponseMode), CodeChallenge: req.CodeChallenge,
		CodeChallengeMethod: string(req.CodeChallengeMethod), MaxAge: maxAge, ACRValues: req.ACRValues,
		Prompt: req.Prompt, ExpiresAt: s.p.DB.Now().Add(s.p.cfg.AuthRequestTTL)}
	if err := s.p.DB.InTx(ctx, func(tx *data.Tx) error { return tx.CreateOIDCAuthRequest(ctx, r) }); err != nil {
		return nil, err
	}
	return &authRequest{r: r}, nil
}

// AuthRequestByID returns a live request: not expired, code not yet used.
func (s *storage) AuthRequestByID(ctx context.Context, id string) (op.AuthRequest, error) {
	r, err := s.p.DB.OIDCAuthRequest(ctx, id)
	if err != nil {
		return nil, err
	}
	if !s.p.DB.Now().Before(r.ExpiresAt) || !r.CodeUsedAt.IsZero() {
		return nil, oidc.ErrInvalidRequest().WithDescription("the authorisation request expired")
	}
	return s.withSubject(ctx, r)
}

func (s *storage) withSubject(ctx context.Context, r *data.OIDCAuthRequest) (*authRequest, error) {
	a := &authRequest{r: r}
	if r.DoneAt.IsZero() {
		return a, nil
	}
	var err error
	a.sub, err = s.p.DB.OIDCSubjectOf(ctx, r.CustomerID)
	return a, err
}

// AuthRequestByCode returns the code's request. A code presented again
// after its exchange fails and revokes every token the exchange issued;
// the code is used up in the transaction that issues tokens (issue), so
// of two parallel exchanges only one passes. The session the request was
// completed in must still be live.
func (s *storage) AuthRequestByCode(ctx context.Context, code string) (op.AuthRequest, error) {
	r, err := s.p.DB.OIDCAuthRequestByCode(ctx, hashToken(code))
	if errors.Is(err, data.ErrNotFound) {
		return nil, oidc.ErrInvalidGrant().WithDescription("unknown or expired code")
	}
	if err != nil {
		return nil, err
	}
	if !r.CodeUsedAt.IsZero() {
		return nil, s.codeReused(ctx, r)
	}
	if _, err := s.p.liveSession(ctx, r.SID); err != nil {
		return nil, oidc.ErrInvalidGrant().WithDescription("the session ended")
	}
	return s.withSubject(ctx, r)
}

func (s *storage) codeReused(ctx context.Context, r *data.OIDCAuthRequest) error {
	if err := s.p.DB.RevokeOIDCCodeTokens(ctx, r.ID); err != nil {
		return err
	}
	s.p.audit(ctx, r.CustomerID, "oidc.code", "refused:reused", "client="+r.ClientID)
	return oidc.ErrInvalidGrant().WithDescription("code already used")
}

func (s *storage) SaveAuthCode(ctx context.Context, id, code string) error {
	return s.p.DB.SaveOIDCAuthCode(ctx, id, hashToken(code), s.p.DB.Now().Add(s.p.cfg.CodeTTL))
}

// DeleteAuthRequest keeps the request: its row is what tells a reused
// code (and the sweep removes it once expired).
func (s *storage) DeleteAuthRequest(context.Context, string) error { return nil }

// grant is what a token is issued for: the completed request of a code,
// or a live refresh token.
type grant struct {
	clientID, sid, requestID, how string
	customerID                    int64
	scopes, amr                   []string
	authTime                      time.Time
	acr                           string
}

func grantOf(req op.TokenRequest) (grant, error) {
	switch r := req.(type) {
	case *authRequest:
		return grant{clientID: r.r.ClientID, sid: r.r.SID, requestID: r.r.ID, how: "authorization_code",
			customerID: r.r.CustomerID, scopes: r.r.Scopes, amr: r.r.AMR, authTime: r.r.AuthTime, acr: r.r.ACR}, nil
	case *refreshRequest:
		return grant{clientID: r.t.ClientID, sid: r.t.SID, requestID: r.t.AuthRequestID, how: "refresh_token",
			customerID: r.t.CustomerID, scopes: r.scopes, amr: r.t.AMR, authTime: r.t.AuthTime, acr: r.t.ACR}, nil
	}
	return grant{}, oidc.ErrUnsupportedGrantType()
}

// issue stores new tokens of g (only their hashes) with an audit event,
// revoking the refresh token they replace, in one transaction.
func (s *storage) issue(ctx context.Context, g grant, refresh bool, replaces string) (accessID, refreshToken string, exp time.Time, err error) {
	now := s.p.DB.Now()
	accessID, exp = randomToken(32), now.Add(s.p.cfg.AccessTokenTTL)
	tokens := []*data.OIDCToken{{Kind: data.OIDCAccess, Hash: hashToken(accessID), ExpiresAt: exp}}
	if refresh {
		refreshToken = randomToken(32)
		tokens = append(tokens, &data.OIDCToken{Kind: data.OIDCRefresh, Hash: hashToken(refreshToken),
			ExpiresAt: now.Add(s.p.cfg.RefreshTokenTTL)})
	}
	err = s.p.DB.InTx(ctx, func(tx *data.Tx) error {
		if g.how == "authorization_code" {
			if err := tx.TakeOIDCAuthCode(ctx, g.requestID); err != nil {
				return err
			}
		}
		if replaces != "" {
			old, err := s.p.DB.OIDCTokenByHash(ctx, data.OIDCRefresh, hashToken(replaces))
			if err != nil {
				return err
			}
			if revoked, err := tx.RevokeOIDCToken(ctx, old.ID); err != nil {
				return err
			} else if !revoked {
				return oidc.ErrInvalidGrant().WithDescription("refresh token already used")
			}
		}
		for _, t := range tokens {
			t.ClientID, t.CustomerID, t.SID, t.AuthRequestID = g.clientID, g.customerID, g.sid, g.requestID
			t.Scopes, t.AuthTime, t.AMR, t.ACR = g.scopes, g.authTime, g.amr, g.acr
			if err := tx.CreateOIDCToken(ctx, t); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, data.AuditEvent{ActorKind: "system", Actor: "oidc", CustomerID: g.customerID,
			Action: "oidc.token", Outcome: "issued", Detail: fmt.Sprintf("client=%s grant=%s acr=%s amr=%s refresh=%v",
				g.clientID, g.how, g.acr, strings.Join(g.amr, ","), refresh)})
	})
	if errors.Is(err, data.ErrConflict) && g.how == "authorization_code" {
		return "", "", time.Time{}, s.codeReused(ctx, &data.OIDCAuthRequest{ID: g.requestID, CustomerID: g.customerID, ClientID: g.clientID})
	}
	// The op turns exp into expires_in against the machine's clock.
	return accessID, refreshToken, time.Now().Add(s.p.cfg.AccessTokenTTL), err
}

func (s *storage) CreateAccessToken(ctx context.Context, req op.TokenRequest) (string, time.Time, error) {
	g, err := grantOf(req)
	if err != nil {
		return "", time.Time{}, err
	}
	id, _, exp, err := s.issue(ctx, g, false, "")
	return id, exp, err
}

// CreateAccessAndRefreshTokens issues both; a refresh replaces (revokes)
// the refresh token it used.
func (s *storage) CreateAccessAndRefreshTokens(ctx context.Context, req op.TokenRequest, current string) (string, string, time.Time, error) {
	g, err := grantOf(req)
	if err != nil {
		return "", "", time.Time{}, err
	}
	return s.issue(ctx, g, true, current)
}

// TokenRequestByRefreshToken accepts a refresh token only while it and
// the customer session it is bound to are live, for an enabled client.
func (s *storage) TokenRequestByRefreshToken(ctx context.Context, token string) (op.RefreshTokenRequest, error) {
	t, err := s.p.DB.OIDCTokenByHash(ctx, data.OIDCRefresh, hashToken(token))
	if errors.Is(err, data.ErrNotFound) {
		return nil, oidc.ErrInvalidGrant().WithDescription("unknown refresh token")
	}
	if err != nil {
		return nil, err
	}
	if !t.Live(s.p.DB.Now()) {
		return nil, oidc.ErrInvalidGrant().WithDescription("refresh token revoked or expired")
	}
	if _, err := s.p.liveSession(ctx, t.SID); err != nil {
		return nil, oidc.ErrInvalidGrant().WithDescription("the session ended")
	}
	sub, err := s.p.DB.OIDCSubjectOf(ctx, t.CustomerID)
	if err != nil {
		return nil, err
	}
	return &refreshRequest{t: t, sub: sub, scopes: t.Scopes}, nil
}

// TerminateSession is unused: end_session goes through
// TerminateSessionFromRequest.
func (s *storage) TerminateSession(context.Context, string, string) error {
	return errors.New("end_session needs an id_token_hint")
}

// TerminateSessionFromRequest ends the mfadesk session named by the
// id_token_hint's sid (which queues the back-channel logouts, migration
// 0035) and returns where the browser goes.
func (s *storage) TerminateSessionFromRequest(ctx context.Context, req *op.EndSessionRequest) (string, error) {
	if req.IDTokenHintClaims == nil || req.IDTokenHintClaims.SessionID == "" {
		return "", oidc.ErrInvalidRequest().WithDescription("id_token_hint is required")
	}
	sess, err := s.p.DB.OIDCSession(ctx, req.IDTokenHintClaims.SessionID)
	switch {
	case errors.Is(err, data.ErrNotFound):
		// Already ended: nothing to do but go back.
	case err != nil:
		return "", err
	default:
		err := s.p.DB.InTx(ctx, func(tx *data.Tx) error {
			if err := tx.DeleteSession(ctx, sess.SessionHash); err != nil {
				return err
			}
			return tx.Audit(ctx, data.AuditEvent{ActorKind: "customer", Actor: "customer", CustomerID: sess.CustomerID,
				Action: "logout", Outcome: "success", Detail: "via=oidc client=" + req.ClientID})
		})
		if err != nil {
			return "", err
		}
	}
	if req.RedirectURI != "" {
		return req.RedirectURI, nil
	}
	return "/login?notice=logout", nil
}

// RevokeToken revokes a refresh token (userID empty: tokenOrID is the
// token) or an access token (tokenOrID is its id) of clientID.
func (s *storage) RevokeToken(ctx context.Context, tokenOrID, userID, clientID string) *oidc.Error {
	kind := data.OIDCAccess
	if userID == "" {
		kind = data.OIDCRefresh
	}
	t, err := s.p.DB.OIDCTokenByHash(ctx, kind, hashToken(tokenOrID))
	if errors.Is(err, data.ErrNotFound) {
		return nil // RFC 7009: an unknown token is not an error
	}
	if err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	if t.ClientID != clientID {
		return oidc.ErrInvalidClient().WithDescription("token of another client")
	}
	err = s.p.DB.InTx(ctx, func(tx *data.Tx) error {
		_, err := tx.RevokeOIDCToken(ctx, t.ID)
		return err
	})
	if err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	return nil
}

func (s *storage) GetRefreshTokenInfo(ctx context.Context, clientID, token string) (string, string, error) {
	t, err := s.p.DB.OIDCTokenByHash(ctx, data.OIDCRefresh, hashToken(token))
	if err != nil || t.ClientID != clientID {
		return "", "", op.ErrInvalidRefreshToken
	}
	sub, err := s.p.DB.OIDCSubjectOf(ctx, t.CustomerID)
	if err != nil {
		return "", "", err
	}
	return sub, token, nil
}

func (s *storage) SigningKey(ctx context.Context) (op.SigningKey, error) {
	return s.p.keys.signingKey(ctx)
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *storage) KeySet(ctx context.Context) ([]op.Key, error) {
	keys, err := s.p.keys.publicKeys(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]op.Key, len(keys))
	for i, k := range keys {
		out[i] = k
	}
	return out, nil
}

// No JWT profile grant: clients authenticate with a secret or, public,
// with PKCE alone.
func (s *storage) GetKeyByIDAndClientID(context.Context, string, string) (*jose.JSONWebKey, error) {
	return nil, errors.New("jwt profile not supported")
}

func (s *storage) ValidateJWTProfileScopes(context.Context, string, []string) ([]string, error) {
	return nil, errors.New("jwt profile not supported")
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

// audit records an event of the provider; a failure is logged, not
// returned, where the answer does not depend on it.
func (p *Provider) audit(ctx context.Context, customerID int64, action, outcome, detail string) {
	err := p.DB.InTx(ctx, func(tx *data.Tx) error {
		return tx.Audit(ctx, data.AuditEvent{ActorKind: "system", Actor: "oidc", CustomerID: customerID,
			Action: action, Outcome: outcome, Detail: detail})
	})
	if err != nil {
		p.Log.Error("oidc audit", "action", action, "err", err)
	}
}
