package main

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"mfadesk/idp"
)

// clientForm is a registration form for a confidential trading site.
func clientForm() url.Values {
	return url.Values{"name": {"取引サイト"}, "redirect_uris": {"https://trade.example.jp/callback\r\nhttps://trade.example.jp/cb2"},
		"post_logout_uris": {"https://trade.example.jp/"}, "backchannel_uri": {"https://trade.example.jp/backchannel"},
		"scopes": {"openid", "profile", "email"}, "required_acr": {idp.ACRMFA}, "type": {"confidential"}}
}

// registerClient registers clientForm through the console as c and
// returns the client id and the secret the page showed.
func registerClient(t *testing.T, c *client, form url.Values) (string, string) {
	t.Helper()
	c.get("/console/oidc-clients")
	p := c.post("/console/oidc-clients", form)
	if p.status != http.StatusOK || !p.has("oidc-client-secret-shown") {
		t.Fatalf("register: %d %s", p.status, p.text("notice-error"))
	}
	return p.text("new-client-id"), p.text("client-secret")
}

func textareaValue(p *page, name string) string {
	n := find(p.doc, func(n *html.Node) bool { return n.Data == "textarea" && attr(n, "name") == name })
	if n == nil {
		return ""
	}
	return textOf(n)
}

// An admin registers a client: the secret is shown once on that page,
// only its hash is stored, the list never shows it again, and the
// registration is audited (in its transaction) without the secret.
func TestOIDCClientRegisterShowsSecretOnce(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	admin := a.staffLogin("admin")
	id, secret := registerClient(t, admin, clientForm())
	if id == "" || len(secret) < 43 {
		t.Fatalf("client id %q secret %q", id, secret)
	}
	stored, err := a.DB.OIDCClient(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if !idp.ClientSecretMatches(stored.SecretHash, secret) || strings.Contains(string(stored.SecretHash), secret) {
		t.Error("the stored hash does not match the secret shown, or holds it")
	}
	if !slices.Equal(stored.RedirectURIs, []string{"https://trade.example.jp/callback", "https://trade.example.jp/cb2"}) ||
		!slices.Equal(stored.Scopes, []string{"openid", "profile", "email"}) || stored.RequiredACR != idp.ACRMFA ||
		stored.BackchannelLogoutURI != "https://trade.example.jp/backchannel" || stored.Public {
		t.Errorf("stored %+v", stored)
	}
	list := admin.get("/console/oidc-clients")
	if !list.has("oidc-client-"+id) || strings.Contains(list.body, secret) || list.has("client-secret") {
		t.Errorf("list: client listed %v, secret shown again %v", list.has("oidc-client-"+id), strings.Contains(list.body, secret))
	}
	if page := admin.get("/console/oidc-clients/" + id); page.status != http.StatusOK || strings.Contains(page.body, secret) {
		t.Errorf("client page: %d, secret shown %v", page.status, strings.Contains(page.body, secret))
	}
	events, err := a.DB.AuditEvents(context.Background(), dataFilter("oidc_client.create"))
	if err != nil || len(events) != 1 {
		t.Fatalf("audit: %v %d", err, len(events))
	}
	e := events[0]
	if e.Actor != "admin" || e.StaffRole != "admin" || strings.Contains(e.Detail, secret) ||
		!strings.Contains(e.Detail, "client="+id) || !strings.Contains(e.Detail, "redirect_uris=https://trade.example.jp/callback,https://trade.example.jp/cb2") {
		t.Errorf("audit event %+v", e)
	}
}

// A refused registration keeps everything typed and says, per field,
// which URI is wrong and why; nothing is stored or audited.
func TestOIDCClientBadURIKeepsInput(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	admin := a.staffLogin("admin")
	form := clientForm()
	typed := "http://trade.example.jp/callback\r\nhttps://trade.example.jp/cb#top\r\nhttps://*.example.jp/cb\r\njp.example.trade:/cb"
	form.Set("redirect_uris", typed)
	form.Set("name", "取引サイト（検証）")
	admin.get("/console/oidc-clients")
	p := admin.post("/console/oidc-clients", form)
	if p.status != http.StatusUnprocessableEntity || p.has("client-secret") {
		t.Fatalf("bad URIs: %d", p.status)
	}
	if got := textareaValue(p, "redirect_uris"); got != strings.ReplaceAll(typed, "\r\n", "\n") {
		t.Errorf("typed URIs not kept: %q", got)
	}
	if p.inputValue("name") != "取引サイト（検証）" || p.inputValue("backchannel_uri") != "https://trade.example.jp/backchannel" {
		t.Errorf("other fields not kept: %q %q", p.inputValue("name"), p.inputValue("backchannel_uri"))
	}
	var errs []string
	for _, n := range p.all("redirect_uris-error") {
		errs = append(errs, textOf(n))
	}
	for i, want := range []string{
		"「http://trade.example.jp/callback」は https ではありません",
		"「https://trade.example.jp/cb#top」には # 以降（フラグメント）を含められません",
		"「https://*.example.jp/cb」にはワイルドカード（*）を使えません",
		"「jp.example.trade:/cb」はアプリ独自のスキームです。公開クライアント",
	} {
		if i >= len(errs) || !strings.Contains(errs[i], want) {
			t.Errorf("error %d: want %q in %q", i, want, errs)
		}
	}
	if list, _ := a.DB.OIDCClients(context.Background()); len(list) != 0 {
		t.Errorf("refused client stored: %+v", list)
	}
	if d := a.auditDetails("oidc_client.create"); len(d) != 0 {
		t.Errorf("refused client audited: %v", d)
	}

	// An app's own scheme is what a public (mobile) client registers, and
	// it gets no secret.
	form = url.Values{"name": {"スマホアプリ"}, "redirect_uris": {"jp.example.trade:/cb"}, "scopes": {"openid"}, "type": {"public"}}
	id, secret := registerClient(t, admin, form)
	if stored, err := a.DB.OIDCClient(context.Background(), id); err != nil || !stored.Public || stored.SecretHash != nil || secret != "" {
		t.Errorf("public client: %v %+v secret %q", err, stored, secret)
	}
}

// Only admins reach the clients: every other role gets 403 on each
// route, audited as a refusal, and nothing changes.
func TestOIDCClientsAdminsOnly(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	id, _ := registerClient(t, a.staffLogin("admin"), clientForm())
	for _, role := range []string{"supervisor", "agent", "partner", "auditor"} {
		c := a.staffLogin(role)
		if p := c.get("/console/oidc-clients"); p.status != http.StatusForbidden {
			t.Errorf("%s GET list: %d", role, p.status)
		}
		if p := c.get("/console/oidc-clients/" + id); p.status != http.StatusForbidden {
			t.Errorf("%s GET client: %d", role, p.status)
		}
		for _, path := range []string{"/console/oidc-clients", "/console/oidc-clients/" + id,
			"/console/oidc-clients/" + id + "/secret", "/console/oidc-clients/" + id + "/disable"} {
			if p := c.post(path, clientForm()); p.status != http.StatusForbidden || strings.Contains(p.body, "client-secret") {
				t.Errorf("%s POST %s: %d", role, path, p.status)
			}
		}
		if nav := c.get("/console"); nav.has("nav-/console/oidc-clients") {
			t.Errorf("%s sees the clients in the menu", role)
		}
	}
	list, _ := a.DB.OIDCClients(context.Background())
	if len(list) != 1 || !list[0].Enabled() || len(a.auditDetails("oidc_client.rotate_secret")) != 0 {
		t.Errorf("clients after the refusals: %+v", list)
	}
	if d := a.auditDetails("console.denied"); !slices.Contains(d, "POST /console/oidc-clients/:id/secret") {
		t.Errorf("refusals not audited: %v", d)
	}
	if p := a.staffLogin("admin").get("/console"); !p.has("nav-/console/oidc-clients") {
		t.Error("admins' menu lacks the clients")
	}
}

// Without the form's CSRF token nothing is registered.
func TestOIDCClientFormsNeedCSRF(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	admin := a.staffLogin("admin")
	form := clientForm()
	form.Set("_csrf", "forged")
	if p := admin.post("/console/oidc-clients", form); p.status != http.StatusForbidden {
		t.Errorf("forged token: %d", p.status)
	}
	if list, _ := a.DB.OIDCClients(context.Background()); len(list) != 0 {
		t.Errorf("client registered without the token: %+v", list)
	}
}

// Rotating shows a new secret once and the old one stops matching at
// once; an edit is audited and keeps the client confidential; a disabled
// client takes no more changes.
func TestOIDCClientRotateEditDisable(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	admin := a.staffLogin("admin")
	ctx := context.Background()
	id, old := registerClient(t, admin, clientForm())
	page := admin.get("/console/oidc-clients/" + id)
	if got := textareaValue(page, "redirect_uris"); got != "https://trade.example.jp/callback\nhttps://trade.example.jp/cb2" {
		t.Errorf("edit form URIs %q", got)
	}
	p := admin.post("/console/oidc-clients/"+id+"/secret", nil)
	fresh := p.text("client-secret")
	if p.status != http.StatusOK || fresh == "" || fresh == old {
		t.Fatalf("rotate: %d %q", p.status, fresh)
	}
	stored, _ := a.DB.OIDCClient(ctx, id)
	if idp.ClientSecretMatches(stored.SecretHash, old) || !idp.ClientSecretMatches(stored.SecretHash, fresh) {
		t.Error("after rotation the old secret still matches, or the new one does not")
	}
	if d := a.auditDetails("oidc_client.rotate_secret"); len(d) != 1 || d[0] != "client="+id {
		t.Errorf("rotation audit %v", d)
	}

	form := clientForm()
	form.Set("redirect_uris", "https://trade.example.jp/new-callback")
	form.Set("type", "public") // ignored: the type is fixed at registration
	form.Del("backchannel_uri")
	if p := admin.post("/console/oidc-clients/"+id, form); p.status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", p.status, p.text("notice-error"))
	}
	stored, _ = a.DB.OIDCClient(ctx, id)
	if !slices.Equal(stored.RedirectURIs, []string{"https://trade.example.jp/new-callback"}) || stored.BackchannelLogoutURI != "" ||
		stored.Public || !idp.ClientSecretMatches(stored.SecretHash, fresh) {
		t.Errorf("after edit %+v", stored)
	}
	if d := a.auditDetails("oidc_client.update"); len(d) != 1 || !strings.Contains(d[0], "redirect_uris=https://trade.example.jp/new-callback ") {
		t.Errorf("edit audit %v", d)
	}
	form.Set("redirect_uris", "https://trade.example.jp/cb#x")
	if p := admin.post("/console/oidc-clients/"+id, form); p.status != http.StatusUnprocessableEntity ||
		textareaValue(p, "redirect_uris") != "https://trade.example.jp/cb#x" || !p.has("redirect_uris-error") {
		t.Errorf("bad edit: %d", p.status)
	}

	if p := admin.post("/console/oidc-clients/"+id+"/disable", nil); p.status != http.StatusSeeOther {
		t.Fatalf("disable: %d", p.status)
	}
	if p := admin.get("/console/oidc-clients/" + id); p.text("oidc-client-state") != "無効" || p.has("oidc-client-form") {
		t.Errorf("disabled client page: %q", p.text("oidc-client-state"))
	}
	if p := admin.post("/console/oidc-clients/"+id+"/secret", nil); p.status != http.StatusConflict || p.has("client-secret") {
		t.Errorf("rotate after disable: %d", p.status)
	}
	if p := admin.post("/console/oidc-clients/"+id, clientForm()); p.status != http.StatusConflict {
		t.Errorf("edit after disable: %d", p.status)
	}
	if p := admin.get("/console/oidc-clients/nope"); p.status != http.StatusNotFound {
		t.Errorf("unknown client: %d", p.status)
	}
	var actions []string
	for _, e := range a.auditActions(20) {
		if strings.HasPrefix(e, "oidc_client.") {
			actions = append(actions, e)
		}
	}
	if !slices.Equal(actions, []string{"oidc_client.disable", "oidc_client.update", "oidc_client.rotate_secret", "oidc_client.create"}) {
		t.Errorf("audit trail %v", actions)
	}
}
