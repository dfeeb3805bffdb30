package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mfadesk/data"
)

// The token a form must carry is the one bound to the browser's own
// session (or pre-session); anything else is refused before the handler.
func TestCSRF(t *testing.T) {
	now := testStart
	db := newTestDB(t, &now)
	s := newSite(t, db, &now, data.SiteCustomer, false)
	console := newSite(t, db, &now, data.SiteConsole, false)

	visitor := newBrowser()
	preToken := visitor.get(s, "/page")
	consoleVisitor := newBrowser()
	consolePre := consoleVisitor.get(console, "/page")

	taro := newBrowser()
	taroToken := taro.login(s, s.customer("taro"), data.LevelFull)
	hanako := newBrowser()
	hanakoToken := hanako.login(s, s.customer("hanako"), data.LevelFull)

	tests := []struct {
		name   string
		b      *testBrowser
		method string
		query  string     // appended to /form
		form   url.Values // nil: no body
		header map[string]string
		ok     bool
	}{
		{"GET needs no token", taro, http.MethodGet, "", nil, nil, true},
		{"session token in the form", taro, http.MethodPost, "", url.Values{CSRFField: {taroToken}}, nil, true},
		{"session token in the header", taro, http.MethodPost, "", nil, map[string]string{CSRFHeader: taroToken}, true},
		{"same-origin fetch with the token", taro, http.MethodPost, "", url.Values{CSRFField: {taroToken}}, map[string]string{"Sec-Fetch-Site": "same-origin"}, true},
		{"no token", taro, http.MethodPost, "", url.Values{}, nil, false},
		{"empty token", taro, http.MethodPost, "", url.Values{CSRFField: {""}}, nil, false},
		{"wrong token", taro, http.MethodPost, "", url.Values{CSRFField: {taroToken[:len(taroToken)-1] + "x"}}, nil, false},
		{"another session's token", taro, http.MethodPost, "", url.Values{CSRFField: {hanakoToken}}, nil, false},
		{"token in the query string only", taro, http.MethodPost, "?" + CSRFField + "=" + url.QueryEscape(taroToken), url.Values{}, nil, false},
		{"cross-site, even with the token", taro, http.MethodPost, "", url.Values{CSRFField: {taroToken}}, map[string]string{"Sec-Fetch-Site": "cross-site"}, false},
		{"PUT without a token", taro, http.MethodPut, "", url.Values{}, nil, false},
		{"DELETE with the token in the header", taro, http.MethodDelete, "", nil, map[string]string{CSRFHeader: taroToken}, true},
		{"pre-session token", visitor, http.MethodPost, "", url.Values{CSRFField: {preToken}}, nil, true},
		{"pre-session token in another browser", taro, http.MethodPost, "", url.Values{CSRFField: {preToken}}, nil, false},
		{"session token without the session", visitor, http.MethodPost, "", url.Values{CSRFField: {taroToken}}, nil, false},
		{"no cookie at all", newBrowser(), http.MethodPost, "", url.Values{CSRFField: {preToken}}, nil, false},
		{"console pre-session token on the customer site", consoleVisitor, http.MethodPost, "", url.Values{CSRFField: {consolePre}}, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			code, body := tc.b.do(s, tc.method, "/form"+tc.query, tc.form, tc.header)
			switch {
			case tc.ok && code == http.StatusForbidden:
				t.Errorf("refused: %d %s", code, body)
			case !tc.ok && code != http.StatusForbidden:
				t.Errorf("passed: %d %s", code, body)
			}
		})
	}
}

// A token issued before login is never valid again once a session takes
// over, nor is a session's token once it rotates.
func TestCSRFTokenEndsWithItsSession(t *testing.T) {
	now := testStart
	s := newSite(t, newTestDB(t, &now), &now, data.SiteCustomer, false)
	b := newBrowser()
	pre := b.get(s, "/page")
	id := s.customer("taro")
	partial := b.login(s, id, data.LevelPassword)
	full := b.login(s, id, data.LevelFull)
	for _, tc := range []struct {
		name, token string
		ok          bool
	}{
		{"pre-session token after login", pre, false},
		{"token of the replaced session", partial, false},
		{"current token", full, true},
	} {
		code, _ := b.do(s, http.MethodPost, "/form", url.Values{CSRFField: {tc.token}}, nil)
		if (code == http.StatusOK) != tc.ok {
			t.Errorf("%s: status %d, want ok=%v", tc.name, code, tc.ok)
		}
	}
	b.post(s, "/logout")
	if code, _ := b.do(s, http.MethodPost, "/form", url.Values{CSRFField: {full}}, nil); code != http.StatusForbidden {
		t.Errorf("token after logout: status %d", code)
	}
}

// A pre-session writes nothing; its cookie keeps its token across pages,
// and a malformed cookie gives no token.
func TestPreSession(t *testing.T) {
	now := testStart
	s := newSite(t, newTestDB(t, &now), &now, data.SiteCustomer, false)
	b := newBrowser()
	first := b.get(s, "/page")
	if first == "" {
		t.Fatal("no pre-session token")
	}
	if second := b.get(s, "/page"); second != first || len(b.set) != 0 {
		t.Errorf("second page: token %q (first %q), Set-Cookie %v", second, first, b.set)
	}
	if other := newBrowser().get(s, "/page"); other == first {
		t.Error("two browsers share a pre-session token")
	}
	for _, value := range []string{"", "short", strings.Repeat("*", preValueLen)} {
		bad := newBrowser()
		bad.cookies["mfadesk_pre"] = &http.Cookie{Name: "mfadesk_pre", Value: value}
		if code, _ := bad.do(s, http.MethodPost, "/form", url.Values{CSRFField: {s.m.preToken(value)}}, nil); code != http.StatusForbidden {
			t.Errorf("malformed pre-session cookie %q passed: %d", value, code)
		}
	}

	noKey := newSite(t, s.db, &now, data.SiteCustomer, false)
	noKey.m.Key = nil
	if code, _ := newBrowser().do(noKey, http.MethodGet, "/page", nil, nil); code != http.StatusInternalServerError {
		t.Errorf("site without a pre-session key served a form: %d", code)
	}
}
