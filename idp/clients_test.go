package idp

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"mfadesk/data"
)

// Redirect URIs are exact: absolute, https (http on loopback in dev only),
// no fragment, no wildcard, no userinfo; an app's own reverse-domain
// scheme only for a public client; never javascript: and the like.
func TestClientURIChecks(t *testing.T) {
	dev, prod := &Clients{AllowLoopbackHTTP: true}, &Clients{}
	for _, tc := range []struct {
		uri    string
		public bool
		svc    *Clients
		want   string
	}{
		{"https://rp.example.jp/callback", false, prod, ""},
		{"https://rp.example.jp/callback?x=1", false, prod, ""},
		{"https://rp.example.jp:8443/cb", false, prod, ""},
		{"http://localhost:8081/callback", false, dev, ""},
		{"http://127.0.0.1:8081/callback", false, dev, ""},
		{"http://localhost:8081/callback", false, prod, ReasonHTTP},
		{"http://rp.example.jp/callback", false, dev, ReasonHTTP},
		{"http://localhost.evil.example/callback", false, dev, ReasonHTTP},
		{"/callback", false, prod, ReasonNotAbsolute},
		{"rp.example.jp/callback", false, prod, ReasonNotAbsolute},
		{"https:///callback", false, prod, ReasonNotAbsolute},
		{"https://rp.example.jp/callback#top", false, prod, ReasonFragment},
		{"https://*.example.jp/callback", false, prod, ReasonWildcard},
		{"https://rp.example.jp/*", false, prod, ReasonWildcard},
		{"https://user:pw@rp.example.jp/cb", false, prod, ReasonUserinfo},
		{"https://rp.example.jp/a b", false, prod, ReasonInvalid},
		{"https://rp.example.jp/cb\n", false, prod, ReasonInvalid},
		{"https://rp.example.jp/" + strings.Repeat("a", 600), false, prod, ReasonTooLong},
		{"jp.example.trade:/oauth2redirect", true, prod, ""},
		{"jp.example.trade:/oauth2redirect", false, prod, ReasonCustomScheme},
		{"jp.example.trade:", true, prod, ReasonNotAbsolute},
		{"javascript:alert(1)", true, prod, ReasonScheme},
		{"data:text/html,x", true, prod, ReasonScheme},
		{"myapp://callback", true, prod, ReasonScheme},
	} {
		if got := tc.svc.checkURI(tc.uri, tc.public); got != tc.want {
			t.Errorf("%q public=%v loopback=%v: %q, want %q", tc.uri, tc.public, tc.svc.AllowLoopbackHTTP, got, tc.want)
		}
	}
}

// Check names every field at fault with the value concerned.
func TestClientInputChecks(t *testing.T) {
	svc := &Clients{}
	good := ClientInput{Name: "取引サイト", RedirectURIs: []string{"https://trade.example.jp/cb"}, Scopes: []string{"openid", "profile"}}
	if p := svc.Check(good); p != nil {
		t.Fatalf("good input refused: %v", p)
	}
	bad := ClientInput{Name: " ", RedirectURIs: nil, PostLogoutRedirectURIs: []string{"https://x.example/#a"},
		BackchannelLogoutURI: "jp.example.app:/bcl", Scopes: []string{"profile", "admin"}, RequiredACR: "urn:other", Public: true}
	want := ClientProblems{
		{FieldName, ReasonRequired, ""},
		{FieldRedirects, ReasonRequired, ""},
		{FieldPostLogout, ReasonFragment, "https://x.example/#a"},
		{FieldBackchannel, ReasonCustomScheme, "jp.example.app:/bcl"},
		{FieldScopes, ReasonOpenIDMissing, ""},
		{FieldScopes, ReasonUnknownScope, "admin"},
		{FieldACR, ReasonUnknownACR, "urn:other"},
	}
	if got := svc.Check(bad); !slices.Equal(got, want) {
		t.Errorf("problems\n got %v\nwant %v", got, want)
	}
	many := good
	for i := range 11 {
		many.RedirectURIs = append(many.RedirectURIs, "https://trade.example.jp/cb"+string(rune('a'+i)))
	}
	if got := svc.Check(many); !slices.Equal(got, ClientProblems{{FieldRedirects, ReasonTooLong, ""}}) {
		t.Errorf("12 redirect URIs: %v", got)
	}
}

func newClientsDB(t *testing.T) (*Clients, *data.DB) {
	t.Helper()
	ctx := context.Background()
	now := time.Unix(1_800_000_000, 0)
	db, err := data.Open(ctx, filepath.Join(t.TempDir(), "clients.db"), func() time.Time { return now })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.InTx(ctx, func(tx *data.Tx) error {
		_, err := tx.CreateStaff(ctx, &data.Staff{LoginID: "admin", Name: "A", Role: "admin", OrgID: "support", PasswordHash: "x"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return &Clients{DB: db}, db
}

// Registering stores only the secret's hash and audits the client without
// it; rotating replaces the secret at once; a public client has no secret
// to rotate; a disabled client takes no more changes.
func TestClientsLifecycle(t *testing.T) {
	ctx := context.Background()
	svc, db := newClientsDB(t)
	actor := data.AuditEvent{ActorKind: "staff", Actor: "admin", StaffID: 1}
	in := ClientInput{Name: "Trade", RedirectURIs: []string{" https://trade.example.jp/cb ", "", "https://trade.example.jp/cb"},
		Scopes: []string{"email", "openid"}}
	c, secret, err := svc.Register(ctx, in, actor)
	if err != nil || secret == "" {
		t.Fatalf("register: %v %q", err, secret)
	}
	stored, err := db.OIDCClient(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !ClientSecretMatches(stored.SecretHash, secret) || strings.Contains(string(stored.SecretHash), secret) ||
		!slices.Equal(stored.RedirectURIs, []string{"https://trade.example.jp/cb"}) || !slices.Equal(stored.Scopes, []string{"openid", "email"}) {
		t.Errorf("stored %+v", stored)
	}
	newSecret, err := svc.RotateSecret(ctx, c.ID, actor)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ = db.OIDCClient(ctx, c.ID)
	if ClientSecretMatches(stored.SecretHash, secret) || !ClientSecretMatches(stored.SecretHash, newSecret) {
		t.Error("rotation: the old secret still matches or the new one does not")
	}
	events, err := db.AuditEvents(ctx, data.AuditFilter{Limit: 10})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range events {
		actions = append(actions, e.Action)
		if strings.Contains(e.Detail, secret) || strings.Contains(e.Detail, newSecret) {
			t.Errorf("audit %s carries a secret: %s", e.Action, e.Detail)
		}
	}
	if !slices.Equal(actions, []string{"oidc_client.rotate_secret", "oidc_client.create"}) {
		t.Errorf("audit actions %v", actions)
	}

	pub, pubSecret, err := svc.Register(ctx, ClientInput{Name: "App", RedirectURIs: []string{"jp.example.trade:/cb"},
		Scopes: []string{"openid"}, Public: true}, actor)
	if err != nil || pubSecret != "" || pub.SecretHash != nil {
		t.Fatalf("public client: %v %q %v", err, pubSecret, pub.SecretHash)
	}
	if _, err := svc.RotateSecret(ctx, pub.ID, actor); !errors.Is(err, ErrPublicClient) {
		t.Errorf("rotating a public client: %v", err)
	}
	// Confidential stays confidential: an update cannot drop the secret.
	if err := svc.Update(ctx, c.ID, ClientInput{Name: "Trade 2", RedirectURIs: []string{"https://trade.example.jp/cb2"},
		Scopes: []string{"openid"}, Public: true}, actor); err != nil {
		t.Fatal(err)
	}
	if stored, _ = db.OIDCClient(ctx, c.ID); stored.Public || !ClientSecretMatches(stored.SecretHash, newSecret) || stored.Name != "Trade 2" {
		t.Errorf("after update %+v", stored)
	}
	if err := svc.Disable(ctx, c.ID, actor); err != nil {
		t.Fatal(err)
	}
	if err := svc.Update(ctx, c.ID, in, actor); !errors.Is(err, ErrClientDisabled) {
		t.Errorf("update of a disabled client: %v", err)
	}
	if _, err := svc.RotateSecret(ctx, "nope", actor); !errors.Is(err, data.ErrNotFound) {
		t.Errorf("unknown client: %v", err)
	}
}
