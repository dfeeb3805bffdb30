package idp

import (
	"slices"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"mfadesk/data"
)

// client is a registered relying party as the op sees it.
type client struct {
	c        *data.OIDCClient
	idTokens time.Duration
}

func (c *client) GetID() string                    { return c.c.ID }
func (c *client) RedirectURIs() []string           { return c.c.RedirectURIs }
func (c *client) PostLogoutRedirectURIs() []string { return c.c.PostLogoutRedirectURIs }

// ApplicationType: a confidential client is a web server; a public one a
// native app (its redirect must still match exactly: CreateAuthRequest).
func (c *client) ApplicationType() op.ApplicationType {
	if c.c.Public {
		return op.ApplicationTypeNative
	}
	return op.ApplicationTypeWeb
}

func (c *client) AuthMethod() oidc.AuthMethod {
	if c.c.Public {
		return oidc.AuthMethodNone
	}
	return oidc.AuthMethodBasic
}

func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}

func (c *client) GrantTypes() []oidc.GrantType {
	grants := []oidc.GrantType{oidc.GrantTypeCode}
	if c.IsScopeAllowed(oidc.ScopeOfflineAccess) {
		grants = append(grants, oidc.GrantTypeRefreshToken)
	}
	return grants
}

// LoginURL is mfadesk's side of the login: a local path.
func (c *client) LoginURL(id string) string { return Prefix + "/login?id=" + id }

func (c *client) AccessTokenType() op.AccessTokenType { return op.AccessTokenTypeBearer }
func (c *client) IDTokenLifetime() time.Duration      { return c.idTokens }
func (c *client) DevMode() bool                       { return false }
func (c *client) ClockSkew() time.Duration            { return 0 }

func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

// IsScopeAllowed: openid always, others as staff registered them.
func (c *client) IsScopeAllowed(scope string) bool {
	return scope == oidc.ScopeOpenID || slices.Contains(c.c.Scopes, scope)
}

// IDTokenUserinfoClaimsAssertion puts the scopes' claims in the ID token
// too, so a relying party needs no userinfo call.
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return true }

// allowedScopes keeps the requested scopes the client may have.
func (c *client) allowedScopes(requested []string) []string {
	var out []string
	for _, s := range requested {
		if c.IsScopeAllowed(s) && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
