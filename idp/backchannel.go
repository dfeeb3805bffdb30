package idp

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"mfadesk/data"
)

// Back-channel logout (OpenID Connect Back-Channel Logout 1.0): the
// database queues one logout per client when a session ends (migration
// 0035); the worker signs a logout token and POSTs it, retrying with
// backoff.
const (
	logoutEvent       = "http://schemas.openid.net/event/backchannel-logout"
	logoutBatch       = 20
	logoutLease       = 2 * time.Minute
	logoutMaxAttempts = 10
)

// RunLogouts delivers the logouts due now; it returns how many were sent.
func (p *Provider) RunLogouts(ctx context.Context) (int, error) {
	due, err := p.DB.ClaimOIDCLogouts(ctx, logoutBatch, logoutLease)
	if err != nil {
		return 0, err
	}
	sent := 0
	for _, l := range due {
		var retry time.Time
		errText, outcome := "", "sent"
		if err := p.sendLogout(ctx, l); err != nil {
			errText, outcome = err.Error(), "failed"
			if l.Attempts+1 < logoutMaxAttempts {
				retry, outcome = p.DB.Now().Add(min(time.Minute<<l.Attempts, time.Hour)), ""
			}
			p.Log.Warn("oidc back-channel logout", "client", l.ClientID, "attempt", l.Attempts+1, "err", err)
		} else {
			sent++
		}
		if err := p.DB.OIDCLogoutDone(context.WithoutCancel(ctx), l.ID, errText, retry); err != nil {
			return sent, err
		}
		if outcome != "" {
			p.audit(ctx, l.CustomerID, "oidc.backchannel_logout", outcome, "client="+l.ClientID)
		}
	}
	return sent, nil
}

// DeliverLogouts runs RunLogouts every interval until ctx ends.
func (p *Provider) DeliverLogouts(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := p.RunLogouts(ctx); err != nil && ctx.Err() == nil {
			p.Log.Error("oidc back-channel logouts", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (p *Provider) sendLogout(ctx context.Context, l data.OIDCLogout) error {
	token, err := p.LogoutToken(ctx, l)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, l.URI,
		strings.NewReader(url.Values{"logout_token": {token}}.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		return fmt.Errorf("answered %d", resp.StatusCode)
	}
	return nil
}

// LogoutToken is the signed logout token of l: iss, aud, iat, exp, jti,
// sub, sid and the back-channel logout event; never a nonce.
func (p *Provider) LogoutToken(ctx context.Context, l data.OIDCLogout) (string, error) {
	sub, err := p.DB.OIDCSubjectOf(ctx, l.CustomerID)
	if err != nil {
		return "", err
	}
	key, err := p.keys.signingKey(ctx)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: &jose.JSONWebKey{Key: key.key, KeyID: key.id}},
		(&jose.SignerOptions{}).WithType("logout+jwt"))
	if err != nil {
		return "", err
	}
	now := time.Now() // the relying party checks iat against its own clock
	claims, err := json.Marshal(map[string]any{
		"iss": p.cfg.Issuer(), "aud": l.ClientID, "iat": now.Unix(), "exp": now.Add(2 * time.Minute).Unix(),
		"jti": randomToken(16), "sub": sub, "sid": l.SID, "events": map[string]any{logoutEvent: map[string]any{}},
	})
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(claims)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}
