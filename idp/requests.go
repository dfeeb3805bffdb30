package idp

import (
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"mfadesk/data"
)

// authRequest is a stored authorisation request as the op sees it; sub
// is the customer's subject once the request is done.
type authRequest struct {
	r   *data.OIDCAuthRequest
	sub string
}

func (a *authRequest) GetID() string         { return a.r.ID }
func (a *authRequest) GetACR() string        { return a.r.ACR }
func (a *authRequest) GetAMR() []string      { return a.r.AMR }
func (a *authRequest) GetAudience() []string { return []string{a.r.ClientID} }
func (a *authRequest) GetAuthTime() time.Time {
	return a.r.AuthTime
}
func (a *authRequest) GetClientID() string { return a.r.ClientID }
func (a *authRequest) GetCodeChallenge() *oidc.CodeChallenge {
	return &oidc.CodeChallenge{Challenge: a.r.CodeChallenge, Method: oidc.CodeChallengeMethod(a.r.CodeChallengeMethod)}
}
func (a *authRequest) GetNonce() string                   { return a.r.Nonce }
func (a *authRequest) GetRedirectURI() string             { return a.r.RedirectURI }
func (a *authRequest) GetResponseType() oidc.ResponseType { return oidc.ResponseType(a.r.ResponseType) }
func (a *authRequest) GetResponseMode() oidc.ResponseMode { return oidc.ResponseMode(a.r.ResponseMode) }
func (a *authRequest) GetScopes() []string                { return a.r.Scopes }
func (a *authRequest) GetState() string                   { return a.r.State }
func (a *authRequest) GetSubject() string                 { return a.sub }
func (a *authRequest) Done() bool                         { return !a.r.DoneAt.IsZero() }

// refreshRequest is a live refresh token as the op sees it.
type refreshRequest struct {
	t      *data.OIDCToken
	sub    string
	scopes []string
}

func (r *refreshRequest) GetAMR() []string            { return r.t.AMR }
func (r *refreshRequest) GetAudience() []string       { return []string{r.t.ClientID} }
func (r *refreshRequest) GetAuthTime() time.Time      { return r.t.AuthTime }
func (r *refreshRequest) GetClientID() string         { return r.t.ClientID }
func (r *refreshRequest) GetScopes() []string         { return r.scopes }
func (r *refreshRequest) GetSubject() string          { return r.sub }
func (r *refreshRequest) SetCurrentScopes(s []string) { r.scopes = s }
