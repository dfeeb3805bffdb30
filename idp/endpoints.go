package idp

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"slices"

	"github.com/labstack/echo/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"mfadesk/data"
)

// Checks the provider makes in front of three of the op's endpoints,
// where the op's own order or answers fall short of the RFCs.

// authorizeEndpoint refuses a response type other than code with RFC 6749's
// unsupported_response_type, sent back to the relying party's redirect
// URI (in the query: only the code flow is served) once the client and
// that URI are known to be registered; otherwise the op answers, on
// mfadesk's page when the redirect URI is wrong.
func (p *Provider) authorizeEndpoint(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		q := r.URL.Query()
		rt := q.Get("response_type")
		if rt == "" || rt == string(oidc.ResponseTypeCode) {
			return h(c)
		}
		cl, err := p.DB.OIDCClient(r.Context(), q.Get("client_id"))
		if err != nil || !cl.Enabled() || !slices.Contains(cl.RedirectURIs, q.Get("redirect_uri")) {
			return h(c)
		}
		op.AuthRequestError(c.Response(), r, codeErrorTarget{redirectURI: q.Get("redirect_uri"), state: q.Get("state")},
			&oidc.Error{ErrorType: "unsupported_response_type", Description: "only response_type code is supported"}, p.op)
		return nil
	}
}

// codeErrorTarget is where an error of an authorisation request goes:
// the redirect URI's query, as for the code flow.
type codeErrorTarget struct{ redirectURI, state string }

func (t codeErrorTarget) GetRedirectURI() string             { return t.redirectURI }
func (t codeErrorTarget) GetResponseType() oidc.ResponseType { return oidc.ResponseTypeCode }
func (t codeErrorTarget) GetState() string                   { return t.state }

// tokenEndpoint checks an authorisation code exchange in the order RFC 6749
// §4.1.3 lists, before the op sees it: the client is authenticated
// first, then the code must be the client's, for the same redirect URI.
// Until then nothing is written: a wrong secret, another client's
// credentials or a wrong redirect URI leave the code to its client. A
// wrong PKCE verifier from the code's own authenticated client uses the
// code up (RFC 6749 §10.5, OAuth 2.1: a code is tried once): the client
// knows its verifier, so a wrong one means the code is not in its hands.
// The op then repeats these checks and issues the tokens.
func (p *Provider) tokenEndpoint(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		if r.FormValue("grant_type") != string(oidc.GrantTypeCode) {
			return h(c)
		}
		req, err := op.ParseAccessTokenRequest(r, p.op.Decoder())
		if err != nil || req.Code == "" {
			return h(c) // the op answers the same error
		}
		if err := p.checkCodeExchange(r.Context(), req); err != nil {
			op.RequestError(c.Response(), r, err, p.Log)
			return nil
		}
		return h(c)
	}
}

func (p *Provider) checkCodeExchange(ctx context.Context, req *oidc.AccessTokenRequest) error {
	s := &storage{p: p}
	if req.ClientAssertion != "" || req.ClientAssertionType != "" {
		return oidc.ErrInvalidClient().WithDescription("client assertions are not supported")
	}
	cl, err := s.GetClientByClientID(ctx, req.ClientID)
	var oerr *oidc.Error
	if errors.As(err, &oerr) && oerr.ErrorType == oidc.ServerError {
		return err
	}
	if err != nil {
		return oidc.ErrInvalidClient().WithDescription("invalid client_id / client_secret").WithParent(err)
	}
	if cl.AuthMethod() != oidc.AuthMethodNone && !ClientSecretMatches(cl.(*client).c.SecretHash, req.ClientSecret) {
		return oidc.ErrInvalidClient().WithDescription("invalid client_id / client_secret")
	}
	r, err := p.DB.OIDCAuthRequestByCode(ctx, hashToken(req.Code))
	if errors.Is(err, data.ErrNotFound) {
		return oidc.ErrInvalidGrant().WithDescription("unknown or expired code")
	}
	if err != nil {
		return oidc.ErrServerError().WithParent(err)
	}
	if r.ClientID != cl.GetID() {
		return oidc.ErrInvalidGrant().WithDescription("code of another client")
	}
	if req.RedirectURI != r.RedirectURI {
		return oidc.ErrInvalidGrant().WithDescription("redirect_uri does not correspond")
	}
	if !r.CodeUsedAt.IsZero() {
		return nil // the op refuses it and revokes what it gave (AuthRequestByCode)
	}
	verr := op.AuthorizeCodeChallenge(req.CodeVerifier, &oidc.CodeChallenge{Challenge: r.CodeChallenge,
		Method: oidc.CodeChallengeMethod(r.CodeChallengeMethod)})
	if verr == nil {
		return nil
	}
	err = p.DB.InTx(ctx, func(tx *data.Tx) error {
		if err := tx.TakeOIDCAuthCode(ctx, r.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, data.AuditEvent{ActorKind: "system", Actor: "oidc", CustomerID: r.CustomerID,
			Action: "oidc.code", Outcome: "refused:verifier", Detail: "client=" + r.ClientID})
	})
	if err != nil && !errors.Is(err, data.ErrConflict) {
		return oidc.ErrServerError().WithParent(err)
	}
	return verr
}

// userinfoEndpoint answers a missing, unknown, revoked or expired access token as
// RFC 6750 §3.1 asks: 401 with a Bearer challenge (error="invalid_token"
// when a token was presented), where the op answers 401 without the
// challenge or 403. A failure other than the token's stays a 500.
func (p *Provider) userinfoEndpoint(h echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		failure := new(userinfoFailure)
		r = r.WithContext(context.WithValue(r.Context(), userinfoFailureKey{}, failure))
		c.SetRequest(r)
		res := c.Response()
		w := res.Writer
		buf := &bufferedResponse{header: http.Header{}}
		res.Writer = buf
		err := h(c)
		// What the op wrote went to buf: the answer is written afresh.
		res.Writer, res.Committed, res.Status, res.Size = w, false, http.StatusOK, 0
		if err != nil {
			return err
		}
		status := buf.status
		if status == 0 {
			status = http.StatusOK
		}
		for k, v := range buf.header {
			if status == http.StatusOK || k != "Content-Type" && k != "Content-Length" {
				res.Header()[k] = v
			}
		}
		switch {
		case status != http.StatusUnauthorized && status != http.StatusForbidden:
			res.WriteHeader(status)
			_, err = res.Write(buf.body.Bytes())
			return err
		case failure.err != nil:
			p.Log.Error("oidc userinfo", "err", failure.err)
			return echo.NewHTTPError(http.StatusInternalServerError)
		}
		res.Header().Set("Cache-Control", "no-store")
		if token, err := op.ParseUserinfoRequest(r, p.op.Decoder()); err != nil || token == "" {
			// No token: a bare challenge, no error code (RFC 6750 §3.1).
			res.Header().Set("WWW-Authenticate", `Bearer realm="mfadesk"`)
			res.WriteHeader(http.StatusUnauthorized)
			return nil
		}
		const why = "the access token is invalid, revoked or expired"
		res.Header().Set("WWW-Authenticate", `Bearer realm="mfadesk", error="invalid_token", error_description="`+why+`"`)
		return c.JSON(http.StatusUnauthorized, map[string]string{"error": "invalid_token", "error_description": why})
	}
}

// userinfoFailure carries, from the storage to the userinfo wrapper, a
// failure that is not the access token's.
type userinfoFailure struct{ err error }

type userinfoFailureKey struct{}

// errInvalidAccessToken: the access token is unknown, revoked, expired or
// its session ended.
var errInvalidAccessToken = errors.New("invalid access token")

// noteUserinfoFailure records err for the userinfo wrapper unless it is
// the token's own.
func noteUserinfoFailure(ctx context.Context, err error) {
	if f, ok := ctx.Value(userinfoFailureKey{}).(*userinfoFailure); ok && err != nil && !errors.Is(err, errInvalidAccessToken) {
		f.err = err
	}
}

// bufferedResponse holds the op's answer until the wrapper has seen its
// status.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }
func (b *bufferedResponse) WriteHeader(s int) {
	if b.status == 0 {
		b.status = s
	}
}
func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
