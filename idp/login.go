package idp

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/web"
)

// errRequestGone answers a login step whose request is unknown, expired,
// already answered, or of a disabled client.
var errRequestGone = &web.UserError{Status: http.StatusBadRequest, Title: "ui.oidc.gone.title", Message: "ui.oidc.gone.message"}

// errUnmet is RFC 9470's answer when the customer cannot reach the
// authentication the relying party asks for.
func errUnmet(why string) *oidc.Error {
	return &oidc.Error{ErrorType: "unmet_authentication_requirements", Description: why}
}

// authn is how the session's customer last authenticated.
type authn struct {
	method string
	at     time.Time
	synced bool // passkey: synced (backup eligible or backed up)
}

// login is where the op sends the browser: it completes the request with
// the customer's live session when that is recent and strong enough,
// else sends the customer to log in, or to pass a fresh second factor
// (a passkey where the phishing-resistant class is asked for), and back
// here; when the customer cannot, the relying party gets an error, never
// a token of a weaker class.
func (p *Provider) login(c echo.Context) error {
	ctx := c.Request().Context()
	id := c.QueryParam("id")
	r, err := p.DB.OIDCAuthRequest(ctx, id)
	if errors.Is(err, data.ErrNotFound) {
		return errRequestGone
	}
	if err != nil {
		return err
	}
	now := p.DB.Now()
	if !now.Before(r.ExpiresAt) || !r.DoneAt.IsZero() {
		return errRequestGone
	}
	cl, err := p.DB.OIDCClient(ctx, r.ClientID)
	if err != nil || !cl.Enabled() {
		return errRequestGone
	}
	want, ok := RequiredACR(cl.RequiredACR, r.ACRValues)
	if !ok {
		return p.refuse(c, r, 0, errUnmet("unknown acr_values"))
	}
	promptNone := slices.Contains(r.Prompt, oidc.PromptNone)
	s := web.Current(c)
	if s == nil || s.Level != data.LevelFull || s.CustomerID == 0 {
		if promptNone {
			return p.refuse(c, r, 0, oidc.ErrLoginRequired())
		}
		web.SetReturn(c, Prefix+"/login?id="+url.QueryEscape(id), p.Sessions.Secure, p.cfg.AuthRequestTTL)
		return c.Redirect(http.StatusSeeOther, "/login")
	}
	got, err := p.authentication(ctx, s, r)
	if err != nil {
		return err
	}
	if ACRFor(got.method) == "" {
		// A temporary pass's session, which may only enrol a factor.
		return p.refuse(c, r, s.CustomerID, oidc.ErrAccessDenied().WithDescription("the session cannot sign in to other services"))
	}
	// Authenticated during this request, or recently enough for max_age.
	fresh := r.MaxAge < 0 || !got.at.Before(r.CreatedAt) || (r.MaxAge > 0 && now.Sub(got.at) <= time.Duration(r.MaxAge)*time.Second)
	if fresh && ACRSatisfies(ACRFor(got.method), want) {
		return p.complete(c, r, s, got)
	}
	if promptNone {
		return p.refuse(c, r, s.CustomerID, oidc.ErrLoginRequired().WithDescription("a fresh authentication is needed"))
	}
	reach, err := p.canStepUp(ctx, s.CustomerID, want)
	if err != nil {
		return err
	}
	if !reach {
		return p.refuse(c, r, s.CustomerID, errUnmet("the customer cannot reach "+want))
	}
	stepUp := "oidc:" + id
	if want == ACRPhishingResistant {
		stepUp = "oidc-phr:" + id
	}
	return c.Redirect(http.StatusSeeOther, "/stepup?"+url.Values{"op": {stepUp}}.Encode())
}

// authentication is the session's: its login method and time, or the
// second factor passed for this very request.
func (p *Provider) authentication(ctx context.Context, s *data.Session, r *data.OIDCAuthRequest) (authn, error) {
	a := authn{method: s.Method, at: s.SecondFactorAt}
	if a.at.IsZero() {
		a.at = s.CreatedAt
	}
	purposes := strings.Fields(s.StepUpPurpose)
	if !r.StepUpAt.IsZero() && (slices.Contains(purposes, "oidc:"+r.ID) || slices.Contains(purposes, "oidc-phr:"+r.ID)) {
		a.method, a.at = r.StepUpMethod, r.StepUpAt
	}
	if a.method != string(mfa.MethodPasskey) {
		return a, nil
	}
	keys, err := p.DB.PasskeysOf(ctx, s.CustomerID)
	if err != nil {
		return authn{}, err
	}
	// The passkey just used is the one last used; its record holds the
	// flags of that assertion.
	var last *data.Passkey
	for i := range keys {
		if last == nil || keys[i].LastUsedAt.After(last.LastUsedAt) {
			last = &keys[i]
		}
	}
	if last != nil {
		a.synced = passkeySynced(last.CredentialJSON)
	}
	return a, nil
}

// passkeySynced reads the backup flags of a stored credential; unreadable
// counts as synced, the weaker claim.
func passkeySynced(credentialJSON string) bool {
	var cred struct {
		Flags struct {
			BackupEligible bool `json:"backupEligible"`
			BackupState    bool `json:"backupState"`
		} `json:"flags"`
	}
	if err := json.Unmarshal([]byte(credentialJSON), &cred); err != nil {
		return true
	}
	return cred.Flags.BackupEligible || cred.Flags.BackupState
}

// canStepUp reports whether the customer has a second factor that reaches
// want now: a passkey for the phishing-resistant class, any for the rest.
func (p *Provider) canStepUp(ctx context.Context, customerID int64, want string) (bool, error) {
	c, err := p.DB.CustomerByID(ctx, customerID)
	if err != nil {
		return false, err
	}
	plan, err := p.MFA.PlanStepUp(ctx, c, mfa.UseAny)
	if err != nil {
		return false, err
	}
	if want == ACRPhishingResistant {
		return plan.Allows(mfa.MethodPasskey), nil
	}
	return len(plan.Methods) > 0, nil
}

// complete records the authentication on the request, binds the session
// to the client (for its logout) and hands back to the op, which issues
// the code.
func (p *Provider) complete(c echo.Context, r *data.OIDCAuthRequest, s *data.Session, a authn) error {
	ctx := c.Request().Context()
	r.CustomerID, r.AuthTime, r.AMR, r.ACR = s.CustomerID, a.at, AMR(a.method, a.synced), ACRFor(a.method)
	err := p.DB.InTx(ctx, func(tx *data.Tx) error {
		if _, err := tx.OIDCSubject(ctx, s.CustomerID, randomToken(16)); err != nil {
			return err
		}
		var err error
		if r.SID, err = tx.OIDCSessionOf(ctx, s.IDHash, s.CustomerID, randomToken(16), r.ClientID); err != nil {
			return err
		}
		return tx.CompleteOIDCAuthRequest(ctx, r)
	})
	if errors.Is(err, data.ErrNotFound) {
		return errRequestGone // answered or expired in the meantime
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, Prefix+"/authorize/callback?id="+url.QueryEscape(r.ID))
}

// refuse sends the relying party the error, by its redirect URI, and
// records it.
func (p *Provider) refuse(c echo.Context, r *data.OIDCAuthRequest, customerID int64, e *oidc.Error) error {
	p.audit(c.Request().Context(), customerID, "oidc.login", "refused:"+string(e.ErrorType), "client="+r.ClientID)
	op.AuthRequestError(c.Response(), c.Request(), &authRequest{r: r}, e, p.op)
	return nil
}
