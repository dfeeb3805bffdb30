package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"slices"
	"strings"
	"testing"
	"time"

	"mfadesk/mfa"
)

// jwksKIDs lists the key ids the provider publishes.
func jwksKIDs(t *testing.T, a *testApp) []string {
	t.Helper()
	p := a.newClient().get("/oidc/keys")
	var set struct {
		Keys []struct {
			KID string `json:"kid"`
			Alg string `json:"alg"`
			Kty string `json:"kty"`
		} `json:"keys"`
	}
	if err := json.Unmarshal([]byte(p.body), &set); err != nil {
		t.Fatalf("jwks: %v %s", err, p.body)
	}
	var out []string
	for _, k := range set.Keys {
		if k.Alg != "RS256" || k.Kty != "RSA" {
			t.Errorf("key %s: %s %s", k.KID, k.Kty, k.Alg)
		}
		out = append(out, k.KID)
	}
	slices.Sort(out)
	return out
}

// signedBy is the kid of a fresh ID token (a new browser, a TOTP login).
func signedBy(t *testing.T, a *testApp, r *rp) string {
	t.Helper()
	c := a.newClient()
	f, p := r.authorize(c)
	tok, _, _ := r.exchange(f, r.code(f, follow(c, codeLogin(t, a, c, "demo-app")(p))))
	raw, _ := tok.Extra("id_token").(string)
	head, err := base64.RawURLEncoding.DecodeString(strings.Split(raw, ".")[0])
	if err != nil {
		t.Fatal(err)
	}
	var h struct {
		KID string `json:"kid"`
		Alg string `json:"alg"`
	}
	if err := json.Unmarshal(head, &h); err != nil || h.Alg != "RS256" {
		t.Fatalf("ID token header %s: %v", head, err)
	}
	return h.KID
}

// Signing keys rotate: the successor is in the JWKS before it signs, the
// predecessor stays until the tokens it signed have expired, and go-oidc
// verifies ID tokens throughout. Private keys are sealed under the
// secret key, and mfadesk rekey re-seals them with the TOTP secrets.
func TestOIDCKeyRotationAndRekey(t *testing.T) {
	t.Parallel()
	a := newOIDCApp(t, func(c *Config) { c.OIDCKeyRotation = 48 * time.Hour })
	r := newRP(t, a)
	first := signedBy(t, a, r)
	if got := jwksKIDs(t, a); !slices.Equal(got, []string{first}) {
		t.Fatalf("jwks %v, signed by %s", got, first)
	}
	// The successor is published 4h48m (a tenth of the rotation) ahead.
	a.clock.Advance(48*time.Hour - 4*time.Hour - 47*time.Minute)
	if got := signedBy(t, a, r); got != first {
		t.Errorf("signed by %s before the rotation, want %s", got, first)
	}
	published := jwksKIDs(t, a)
	if len(published) != 2 || !slices.Contains(published, first) {
		t.Fatalf("jwks before the rotation: %v", published)
	}
	second := published[0]
	if second == first {
		second = published[1]
	}
	a.clock.Advance(5 * time.Hour)
	if got := signedBy(t, a, r); got != second {
		t.Errorf("signed by %s after the rotation, want %s", got, second)
	}
	if got := jwksKIDs(t, a); len(got) != 2 {
		t.Errorf("the old key left the jwks while its ID tokens live: %v", got)
	}
	a.clock.Advance(2 * time.Hour)
	if got := jwksKIDs(t, a); !slices.Equal(got, []string{second}) {
		t.Errorf("jwks once the old key's tokens expired: %v, want [%s]", got, second)
	}

	ctx := context.Background()
	keys, err := a.DB.OIDCSigningKeys(ctx)
	if err != nil || len(keys) < 2 {
		t.Fatalf("stored keys: %d, %v", len(keys), err)
	}
	newKey := bytes.Repeat([]byte{7}, 32)
	if _, err := mfa.Rekey(ctx, a.DB, mfa.DevSecretKey(), newKey); err != nil {
		t.Fatalf("rekey: %v", err)
	}
	oldBox, _ := mfa.NewSecretBox(mfa.DevSecretKey())
	newBox, _ := mfa.NewSecretBox(newKey)
	after, _ := a.DB.OIDCSigningKeys(ctx)
	for _, k := range after {
		if _, err := newBox.Open(k.PrivateEnc, mfa.OIDCKeyAAD(k.Generation)); err != nil {
			t.Errorf("key %s does not open under the new secret key: %v", k.KID, err)
		}
		if _, err := oldBox.Open(k.PrivateEnc, mfa.OIDCKeyAAD(k.Generation)); err == nil {
			t.Errorf("key %s still opens under the old secret key", k.KID)
		}
		if _, err := newBox.Open(k.PrivateEnc, mfa.OIDCKeyAAD(k.Generation+1)); err == nil {
			t.Errorf("key %s opens bound to another generation", k.KID)
		}
	}
}

// --oidc-key-rotation defaults to 30 days and refuses less than two
// hours (a retired key stays published for an ID token's lifetime).
func TestOIDCKeyRotationFlag(t *testing.T) {
	t.Parallel()
	env := func(string) string { return "" }
	cfg, err := parseConfig(nil, env, io.Discard)
	if err != nil || cfg.OIDCKeyRotation != 30*24*time.Hour {
		t.Errorf("default: %v, %v", cfg.OIDCKeyRotation, err)
	}
	if _, err := parseConfig([]string{"--oidc-key-rotation", "1h"}, env, io.Discard); err == nil || !strings.Contains(err.Error(), "--oidc-key-rotation") {
		t.Errorf("1h accepted: %v", err)
	}
}
