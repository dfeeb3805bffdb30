package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// scimTokenCLI runs mfadesk scim-token on the test app's database.
func scimTokenCLI(a *testApp, args ...string) (string, error) {
	var out, errOut bytes.Buffer
	err := run(append(append([]string{"scim-token"}, args...), "--db", a.Config.DB), func(string) string { return "" }, &out, &errOut)
	return out.String() + errOut.String(), err
}

// The operator makes a token with the command line: printed once, stored
// as its SHA-256, listed without it, refused once revoked; creation and
// revocation are audited.
func TestScimTokenCommand(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, noReadCache)
	out, err := scimTokenCLI(a, "create", "--name", "backoffice")
	if err != nil {
		t.Fatalf("create: %v %s", err, out)
	}
	token := regexp.MustCompile(`mfadesk_scim_[A-Z2-7]{26}`).FindString(out)
	if token == "" {
		t.Fatalf("no token printed: %s", out)
	}
	stored, err := a.DB.ScimTokens(context.Background(), true)
	sum := sha256.Sum256([]byte(token))
	if err != nil || len(stored) != 1 || !bytes.Equal(stored[0].Hash, sum[:]) || stored[0].Name != "backoffice" {
		t.Errorf("stored: %+v %v, want the token's SHA-256 only", stored, err)
	}
	if out, err := scimTokenCLI(a, "create", "--name", "backoffice"); err == nil {
		t.Errorf("a second usable token of the same name: %s", out)
	}
	list, err := scimTokenCLI(a, "list")
	if err != nil || !strings.Contains(list, "backoffice") || strings.Contains(list, token[13:]) {
		t.Errorf("list: %v %s", err, list)
	}
	srv := httptest.NewServer(a.Internal)
	defer srv.Close()
	api := &scimAPI{t: t, token: token, srv: srv}
	if r := api.do("GET", "/Users", nil); r.status != http.StatusOK {
		t.Fatalf("the new token: %d %s", r.status, r.raw)
	}
	if out, err := scimTokenCLI(a, "revoke", "--name", "backoffice"); err != nil {
		t.Fatalf("revoke: %v %s", err, out)
	}
	if r := api.do("GET", "/Users", nil); r.status != http.StatusUnauthorized {
		t.Errorf("revoked token: %d", r.status)
	}
	if out, err := scimTokenCLI(a, "revoke", "--name", "nosuch"); err == nil || !strings.Contains(err.Error(), "no usable SCIM token") {
		t.Errorf("revoke unknown: %v %s", err, out)
	}
	if list, _ := scimTokenCLI(a, "list"); !regexp.MustCompile(`backoffice\s+\S+ \S+\s+\d{4}-`).MatchString(list) {
		t.Errorf("list after revoke: %s", list)
	}
	for _, action := range []string{"scim.token_create", "scim.token_revoke"} {
		if d := a.auditDetails(action); len(d) == 0 || d[len(d)-1] != `name=backoffice` {
			t.Errorf("%s audit: %q", action, d)
		}
	}
}
