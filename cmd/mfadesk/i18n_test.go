package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"golang.org/x/net/html"
)

// The customer site's languages (docs/design.md §1): every page reads in
// Japanese by default and in English when chosen, with the words in the
// catalogs.

// japanese matches kana and kanji: what an English page's own words must
// not contain, and a Japanese page's must.
var japanese = regexp.MustCompile(`[\p{Hiragana}\p{Katakana}\p{Han}]`)

// setLang gives the client the selector's cookie, as /lang does.
func (c *client) setLang(lang string) *client {
	u, _ := url.Parse(c.app.srv.URL)
	c.http.Jar.SetCookies(u, []*http.Cookie{{Name: "mfadesk_lang", Value: lang, Path: "/"}})
	return c
}

// interfaceTexts are the page's own words: title, headings, labels,
// buttons, legends, term names, field errors, notices and the error
// page's message. None of these
// hold customer data on the pages below (names, masked contacts and bank
// names are in paragraphs and <dd>).
func interfaceTexts(p *page) []string {
	var out []string
	walk(p.doc, func(n *html.Node) {
		if n.Type != html.ElementNode {
			return
		}
		switch {
		case n.Data == "title", n.Data == "h1", n.Data == "h2", n.Data == "h3", n.Data == "label",
			n.Data == "button", n.Data == "legend", n.Data == "dt",
			strings.Contains(" "+attr(n, "class")+" ", " error "),
			strings.HasPrefix(attr(n, "data-testid"), "notice-"), attr(n, "data-testid") == "error-message":
			if s := textOf(n); s != "" {
				out = append(out, n.Data+": "+s)
			}
		}
	})
	return out
}

// checkLanguage asserts the page is in lang: the html lang attribute, and
// its own words with (ja) or without (en) kana and kanji.
func checkLanguage(t *testing.T, name, lang string, p *page) {
	t.Helper()
	if p.doc == nil {
		t.Fatalf("%s: not a page: %d %q", name, p.status, p.location)
	}
	root := find(p.doc, func(n *html.Node) bool { return n.Data == "html" })
	if got := attr(root, "lang"); got != lang {
		t.Errorf("%s: <html lang=%q>, want %q", name, got, lang)
	}
	texts := interfaceTexts(p)
	if len(texts) < 3 {
		t.Errorf("%s: only %d interface texts: %q", name, len(texts), texts)
	}
	for _, s := range texts {
		if has := japanese.MatchString(s); has != (lang == "ja") {
			t.Errorf("%s (%s): %q", name, lang, s)
		}
	}
}

// i18nPage is one page of the customer site and how to reach it.
type i18nPage struct {
	name   string
	status int
	open   func(t *testing.T, a *testApp, lang string) *page
}

func getAs(loginID, path string) func(*testing.T, *testApp, string) *page {
	return func(t *testing.T, a *testApp, lang string) *page {
		a.clock.Advance(30 * time.Second) // a fresh app code for each login
		return loggedInClient(t, a, loginID).setLang(lang).get(path)
	}
}

func i18nPages() []i18nPage {
	return []i18nPage{
		{"login", http.StatusOK, func(t *testing.T, a *testApp, lang string) *page {
			return a.newClient().setLang(lang).get("/login")
		}},
		{"login re-rendered with field errors", http.StatusUnprocessableEntity, func(t *testing.T, a *testApp, lang string) *page {
			c := a.newClient().setLang(lang)
			c.get("/login")
			return c.post("/login", url.Values{"login_id": {""}, "password": {""}})
		}},
		{"set password with a support code, refused", http.StatusUnauthorized, func(t *testing.T, a *testApp, lang string) *page {
			c := a.newClient().setLang(lang)
			c.get("/login/set-password")
			return c.post("/login/set-password", url.Values{"login_id": {"nobody"}, "code": {"AAAA-BBBB-CCCC"},
				"new_password": {forgotNewPassword}, "new_password_confirm": {forgotNewPassword}})
		}},
		{"verify", http.StatusOK, func(t *testing.T, a *testApp, lang string) *page {
			return pendingClient(t, a, "demo-app").setLang(lang).get("/login/verify")
		}},
		{"verify with a wrong code", http.StatusUnauthorized, func(t *testing.T, a *testApp, lang string) *page {
			c := pendingClient(t, a, "demo-email").setLang(lang)
			c.get("/login/verify")
			return c.submitCode("000000")
		}},
		{"home", http.StatusOK, getAs("demo-app", "/home")},
		{"settings/mfa", http.StatusOK, getAs("demo-app", "/settings/mfa")},
		{"settings/passkeys", http.StatusOK, getAs("demo-app", "/settings/passkeys")},
		{"account", http.StatusOK, getAs("demo-email", "/account")},
		{"withdrawal", http.StatusOK, getAs("demo-app", "/withdrawal")},
		{"withdrawal re-rendered with a field error", http.StatusUnprocessableEntity, func(t *testing.T, a *testApp, lang string) *page {
			a.clock.Advance(30 * time.Second)
			c := loggedInClient(t, a, "demo-app").setLang(lang)
			c.get("/withdrawal")
			return c.post("/withdrawal", url.Values{"amount": {"abc"}})
		}},
		{"settings/password", http.StatusOK, getAs("demo-app", "/settings/password")},
		{"password re-rendered with field errors", http.StatusUnprocessableEntity, func(t *testing.T, a *testApp, lang string) *page {
			a.clock.Advance(30 * time.Second)
			c := loggedInClient(t, a, "demo-app").setLang(lang)
			c.get("/settings/password")
			return c.post("/settings/password/login", url.Values{"current_password": {""}, "new_password": {"short"}})
		}},
		{"settings/activity", http.StatusOK, getAs("demo-app", "/settings/activity")},
		{"stepup", http.StatusOK, getAs("demo-app", "/stepup?op=mfa")},
		{"error page", http.StatusNotFound, func(t *testing.T, a *testApp, lang string) *page {
			return a.newClient().setLang(lang).get("/no-such-page")
		}},
		{"expired form (CSRF)", http.StatusForbidden, func(t *testing.T, a *testApp, lang string) *page {
			c := a.newClient().setLang(lang)
			c.get("/login")
			return c.post("/login", url.Values{"_csrf": {"stale"}})
		}},
	}
}

func TestCustomerPagesInEnglishAndJapanese(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	for _, pg := range i18nPages() {
		for _, lang := range []string{"ja", "en"} {
			p := pg.open(t, a, lang)
			if p.status != pg.status {
				t.Errorf("%s (%s): status %d, want %d", pg.name, lang, p.status, pg.status)
			}
			checkLanguage(t, pg.name, lang, p)
		}
	}
}

// Without a cookie, Accept-Language decides; Japanese is the default.
func TestLanguageFromAcceptLanguage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	for _, tt := range []struct{ accept, want string }{
		{"", "ja"}, {"en-US,en;q=0.9", "en"}, {"zh-CN", "ja"}, {"ja-JP,en;q=0.5", "ja"},
	} {
		req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/login", nil)
		if tt.accept != "" {
			req.Header.Set("Accept-Language", tt.accept)
		}
		checkLanguage(t, "login, Accept-Language "+tt.accept, tt.want, a.newClient().do(req))
	}
	// The selector's choice wins over the browser's.
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/login", nil)
	req.Header.Set("Accept-Language", "en")
	checkLanguage(t, "login, cookie ja over Accept-Language en", "ja", a.newClient().setLang("ja").do(req))
}

// The field error of a too-long value names the limit in either language
// (a key with a parameter, carried in a form's error map).
func TestTooLongErrorNamesTheLimit(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	for lang, want := range map[string]string{"ja": "64文字以内", "en": "64 characters or fewer"} {
		c := a.newClient().setLang(lang)
		c.get("/login")
		p := c.post("/login", url.Values{"login_id": {strings.Repeat("a", 65)}, "password": {"x"}})
		if got := p.text("login_id-error"); !strings.Contains(got, want) {
			t.Errorf("%s: login_id error %q, want %q in it", lang, got, want)
		}
	}
}

// The passkey endpoints answer JSON errors, which passkey.js shows as
// they are: in the request's language.
func TestPasskeyErrorInRequestLanguage(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	for _, lang := range []string{"ja", "en"} {
		c := a.newClient().setLang(lang)
		c.get("/login")
		status, out, body := c.passkeyPost("/login/passkey", url.Values{})
		msg, _ := out["error"].(string)
		if status != http.StatusBadRequest || msg == "" {
			t.Fatalf("%s: %d %s", lang, status, body)
		}
		if japanese.MatchString(msg) != (lang == "ja") {
			t.Errorf("%s: passkey error %q", lang, msg)
		}
	}
}

// The selector stores the choice and goes back, only ever to a path on
// this site.
func TestLanguageSelector(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	tests := []struct{ to, next, wantLang, wantLocation string }{
		{"en", "/settings/mfa", "en", "/settings/mfa"},
		{"ja", "/stepup?op=mfa", "ja", "/stepup?op=mfa"},
		{"en", "//evil.example/x", "en", "/"},
		{"en", "https://evil.example/", "en", "/"},
		{"en", `/\evil.example`, "en", "/"},
		{"en", "evil.example", "en", "/"},
		{"en", "", "en", "/"},
		{"xx", "/login", "ja", "/login"},
	}
	for _, tt := range tests {
		c := a.newClient()
		p := c.get("/lang?" + url.Values{"to": {tt.to}, "next": {tt.next}}.Encode())
		if p.status != http.StatusSeeOther || p.location != tt.wantLocation {
			t.Errorf("to=%s next=%q: %d %q, want 303 %q", tt.to, tt.next, p.status, p.location, tt.wantLocation)
		}
		var got string
		for _, ck := range (&http.Response{Header: p.header}).Cookies() {
			if ck.Name == "mfadesk_lang" {
				got = ck.Value
				if !ck.HttpOnly || ck.Path != "/" {
					t.Errorf("cookie %+v: want HttpOnly, Path /", ck)
				}
			}
		}
		if got != tt.wantLang {
			t.Errorf("to=%s: cookie %q, want %q", tt.to, got, tt.wantLang)
		}
	}

	// After choosing English in the browser, the next page is English.
	c := a.newClient()
	c.get("/lang?to=en&next=/login")
	checkLanguage(t, "login after /lang?to=en", "en", c.get("/login"))
}

// Every page's header links to both languages, back to the page a GET
// can show, with the current one marked.
func TestLanguageSelectorLinks(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	c := loggedInClient(t, a, "demo-app").setLang("en")
	p := c.get("/settings/mfa?notice=saved")
	ja, en := p.byTestID("lang-ja"), p.byTestID("lang-en")
	if ja == nil || en == nil {
		t.Fatal("no language selector")
	}
	if want := "/lang?to=ja&next=" + url.QueryEscape("/settings/mfa?notice=saved"); attr(ja, "href") != want {
		t.Errorf("日本語 link %q, want %q", attr(ja, "href"), want)
	}
	if attr(en, "aria-current") == "" || attr(ja, "aria-current") != "" {
		t.Error("aria-current not on the current language only")
	}
	if attr(ja, "lang") != "ja" || textOf(ja) != "日本語" {
		t.Errorf("日本語 link: lang %q text %q", attr(ja, "lang"), textOf(ja))
	}

	// A page answering a POST comes back to the page a GET shows.
	c.get("/settings/password")
	p = c.post("/settings/password/login", url.Values{"current_password": {""}})
	if got := attr(p.byTestID("lang-ja"), "href"); got != "/lang?to=ja&next="+url.QueryEscape("/settings/password") {
		t.Errorf("selector on a re-rendered form: %q", got)
	}
}

// In both languages the main pages pass axe and fit a 360 px phone
// (English words are longer; the header holds the selector and the logout
// button). The language is chosen the way a customer does: the header's
// link, which comes back to the same page.
func TestBrowserPagesInBothLanguages(t *testing.T) {
	t.Parallel()
	b := newBrowserApp(t)
	axe := axeSource(t)
	ctx := newBrowser(t)
	b.run(t, ctx, "phone viewport", chromedp.EmulateViewport(360, 740))
	choose := func(lang, h1 string) {
		t.Helper()
		path := b.path(t, ctx)
		b.run(t, ctx, "choose "+lang, chromedp.Click(chromedp.CSS(`[data-testid=lang-`+lang+`]`)),
			chromedp.WaitVisible(chromedp.CSS(`html[lang=`+lang+`]`)))
		if got := b.path(t, ctx); got != path {
			t.Errorf("selector went from %q to %q", path, got)
		}
		if h1 != "" {
			if got := value(t, b, ctx, "h1", chromedp.Text(chromedp.CSS(`h1`))); got != h1 {
				t.Errorf("h1 in %s: %q, want %q", lang, got, h1)
			}
		}
	}
	check := func(lang, name string) {
		t.Helper()
		b.checkAccessibility(t, ctx, axe, lang+"-"+name)
		b.noHorizontalScroll(t, ctx, lang+"-"+name)
		b.screenshot(t, ctx, lang+"-"+name)
	}
	b.run(t, ctx, "login page", chromedp.Navigate(b.base+"/login"))
	choose("en", "Log in")
	check("en", "login")
	choose("ja", "ログイン")
	check("ja", "login")

	b.loginWithPassword(t, ctx, "demo-email")
	b.waitPath(t, ctx, "/login/verify")
	b.submitCode(t, ctx, "form[data-testid=verify-form]", "12")
	b.run(t, ctx, "error shown", chromedp.WaitVisible(chromedp.CSS(`[data-testid=notice-error]`)))
	check("ja", "verify-error")
	b.submitCode(t, ctx, "form[data-testid=verify-form]", b.lastCode("demo-email@example.jp"))
	b.waitPath(t, ctx, "/home")
	for _, lang := range []string{"en", "ja"} {
		b.run(t, ctx, "home", chromedp.Navigate(b.base+"/home"))
		choose(lang, "")
		check(lang, "home")
		for _, path := range []string{"/settings/mfa", "/settings/passkeys", "/account", "/withdrawal", "/settings/password", "/settings/activity"} {
			b.run(t, ctx, path, chromedp.Navigate(b.base+path))
			check(lang, strings.Trim(strings.ReplaceAll(path, "/", "-"), "-"))
		}
	}
}
