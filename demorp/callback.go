package demorp

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"mfadesk/jst"
)

// callback is where the provider sends the browser back: the state must
// be the session's pending one (each is used once), then the code is
// exchanged with the PKCE verifier and the ID token verified, nonce included.
func (rp *RP) callback(w http.ResponseWriter, r *http.Request) {
	sess := rp.sessions.get(r)
	if sess == nil {
		rp.refuse(w)
		return
	}
	pend := rp.sessions.read(sess).pending
	rp.sessions.update(sess, func(s *session) { s.pending = nil })
	q := r.URL.Query()
	if pend == nil || rp.cfg.Now().Sub(pend.started) > pendingLife ||
		subtle.ConstantTimeCompare([]byte(q.Get("state")), []byte(pend.state)) != 1 {
		rp.render(w, http.StatusBadRequest, page{Problem: "state が一致しないため、この応答は受け付けません。トップページからやり直してください。"})
		return
	}
	if code := q.Get("error"); code != "" {
		rp.sessions.update(sess, func(s *session) { s.problem = providerError(code, q.Get("error_description"), pend.stepUp) })
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	got, err := rp.exchange(r.Context(), pend, q.Get("code"))
	if err != nil {
		rp.sessions.update(sess, func(s *session) { s.problem = "ID トークンを確認できませんでした: " + err.Error() })
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	rp.sessions.update(sess, func(s *session) {
		if !pend.stepUp {
			s.login = got
			return
		}
		if problem := rp.checkStepUp(s.login, got, pend); problem != "" {
			s.problem = problem
			return
		}
		s.login = got
		s.stepUp = fmt.Sprintf("step-up OK at %s with %s", formatTime(got.claims.AuthTime), strings.Join(got.claims.AMR, " "))
	})
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

// exchange trades the code for tokens and verifies the ID token.
func (rp *RP) exchange(ctx context.Context, pend *pending, code string) (*login, error) {
	p, err := rp.discover(ctx)
	if err != nil {
		return nil, err
	}
	tok, err := p.oauth.Exchange(oidc.ClientContext(ctx, rp.cfg.HTTPClient), code, oauth2.VerifierOption(pend.verifier))
	if err != nil {
		return nil, fmt.Errorf("token endpoint: %w", err)
	}
	raw, ok := tok.Extra("id_token").(string)
	if !ok || raw == "" {
		return nil, errors.New("no id_token in the token response")
	}
	idt, err := p.verifier.Verify(ctx, raw)
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(idt.Nonce), []byte(pend.nonce)) != 1 {
		return nil, errors.New("nonce mismatch")
	}
	if idt.AccessTokenHash != "" {
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			return nil, err
		}
	}
	var c Claims
	if err := idt.Claims(&c); err != nil {
		return nil, err
	}
	return &login{rawIDToken: raw, claims: c}, nil
}

// checkStepUp accepts a step-up only for the same customer, at the acr
// asked for, authenticated after the button was pressed; else it says why.
func (rp *RP) checkStepUp(before, got *login, pend *pending) string {
	switch {
	case before == nil || before.claims.Subject != got.claims.Subject:
		return "追加認証の結果が、ログイン中のお客様のものではありません。"
	case got.claims.ACR != rp.cfg.StepUpACR:
		return fmt.Sprintf("求めた認証レベル (%s) ではありません: acr=%s", rp.cfg.StepUpACR, got.claims.ACR)
	case got.claims.AuthTime < pend.started.Unix():
		return "追加認証が行われていません (auth_time が出金ボタンを押す前です)。"
	}
	return ""
}

// providerError is the message for an error the provider redirected with.
func providerError(code, description string, stepUp bool) string {
	msg := "認証サーバーからエラーが返されました: " + code
	if code == "unmet_authentication_requirements" || (stepUp && code == "access_denied") {
		msg = "出金に必要な追加認証（パスキー）を完了できませんでした: " + code
	}
	if description != "" {
		msg += " (" + description + ")"
	}
	return msg
}

// formatTime shows unix seconds in Japan time.
func formatTime(unix int64) string {
	if unix == 0 {
		return "-"
	}
	return time.Unix(unix, 0).In(jst.Zone).Format("2006-01-02 15:04:05 MST")
}
