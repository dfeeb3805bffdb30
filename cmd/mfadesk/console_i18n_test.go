package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"unicode"

	"golang.org/x/net/html"
)

// The console reads in Japanese by default and in English once the
// selector's cookie says so: every main page's title, heading, labels,
// buttons, table headers and notices are in the chosen language. Customer
// and staff data (names, organisations) are left out: they are what they are.
func TestConsolePagesInBothLanguages(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent, kase := strongCase(t, a, "agent", "demo-sms")
	// A reset request and a contact code out, so the case page shows its
	// request table and a confirmation form, and the queue has a request.
	if p := agent.post(kase+"/reset", url.Values{"remove": {"sms"}, "temp_pass": {"on"}}); p.location != kase+"?notice=reset_requested" {
		t.Fatalf("reset request: %d %q", p.status, p.location)
	}
	agent.get(kase)
	if p := agent.post(kase+"/contact/send", url.Values{"kind": {"email"}, "value": {"new-address@example.jp"}}); p.location != kase+"?notice=contact_code_sent" {
		t.Fatalf("contact code: %d %q", p.status, p.location)
	}
	sup := a.staffLogin("supervisor")
	admin := a.staffLogin("admin")

	for _, lang := range []string{"en", "ja"} {
		t.Run(lang, func(t *testing.T) {
			pages := map[string]*page{}
			c := a.newClient()
			chooseLang(t, c, lang, "/console/login")
			pages["login"] = c.get("/console/login")
			pages["login refused"] = c.post("/console/login", url.Values{"login_id": {"agent"}, "password": {"wrong"}})
			if p := c.post("/console/login", url.Values{"login_id": {"agent"}, "password": {demoStaffPassword}}); p.location != "/console/login/totp" {
				t.Fatalf("password step: %d %q", p.status, p.location)
			}
			pages["totp"] = c.get("/console/login/totp")

			chooseLang(t, agent, lang, "/console")
			pages["home"] = agent.get("/console")
			pages["search"] = agent.get("/console/customers?q=demo-sms")
			pages["case"] = agent.get(kase + "?notice=passed")
			chooseLang(t, sup, lang, "/console/requests")
			pages["requests"] = sup.get("/console/requests")
			pages["audit"] = sup.get("/console/audit")
			chooseLang(t, admin, lang, "/console/staff")
			pages["staff"] = admin.get("/console/staff")

			for name, p := range pages {
				if p.doc == nil {
					t.Errorf("%s: status %d, no page", name, p.status)
					continue
				}
				checkPageLanguage(t, name, p, lang)
			}
			checkLangSelector(t, pages["home"], lang, "/console")
			checkLangSelector(t, pages["search"], lang, "/console/customers?q=demo-sms")
		})
	}
}

// chooseLang uses the language selector and checks it comes back to next.
func chooseLang(t *testing.T, c *client, lang, next string) {
	t.Helper()
	if p := c.get("/lang?to=" + lang + "&next=" + url.QueryEscape(next)); p.status != http.StatusSeeOther || p.location != next {
		t.Fatalf("language %s: %d %q", lang, p.status, p.location)
	}
}

// checkPageLanguage checks the page's own words: in English none is
// Japanese, in Japanese each is, and none is a message key left untranslated.
func checkPageLanguage(t *testing.T, name string, p *page, lang string) {
	t.Helper()
	if got := attr(find(p.doc, func(n *html.Node) bool { return n.Data == "html" }), "lang"); got != lang {
		t.Errorf("%s: <html lang=%q>, want %q", name, got, lang)
	}
	var checked int
	walk(p.doc, func(n *html.Node) {
		if n.Type != html.ElementNode || !isInterfaceText(n) {
			return
		}
		s := interfaceText(n)
		if s == "" {
			return
		}
		checked++
		if strings.Contains(s, "ui.") {
			t.Errorf("%s (%s): <%s> shows a message key: %q", name, lang, n.Data, s)
		}
		if japanese := hasJapanese(s); japanese != (lang == "ja") {
			t.Errorf("%s (%s): <%s> %q", name, lang, n.Data, s)
		}
	})
	if checked < 3 {
		t.Errorf("%s: only %d texts checked", name, checked)
	}
}

// isInterfaceText tells the elements whose text the console writes
// itself, never customer or staff data.
func isInterfaceText(n *html.Node) bool {
	switch n.Data {
	case "title", "h1", "label", "button", "th", "summary", "legend":
		return true
	}
	id := attr(n, "data-testid")
	return strings.HasPrefix(id, "notice-") || strings.HasPrefix(id, "nav-")
}

// interfaceText is an element's text without the options of a select a
// label wraps: those are data too (organisations' names).
func interfaceText(n *html.Node) string {
	var b strings.Builder
	var add func(*html.Node)
	add = func(n *html.Node) {
		switch {
		case n.Type == html.TextNode:
			b.WriteString(n.Data)
		case n.Type == html.ElementNode && n.Data == "select":
			return
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			add(ch)
		}
	}
	add(n)
	return strings.TrimSpace(b.String())
}

func hasJapanese(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool {
		return unicode.In(r, unicode.Hiragana, unicode.Katakana, unicode.Han) ||
			r >= 0x3000 && r <= 0x303f || r >= 0xff00 && r <= 0xffef // Japanese punctuation, full-width forms
	}) >= 0
}

// checkLangSelector checks the selector marks the page's language and
// links each language back to the page.
func checkLangSelector(t *testing.T, p *page, lang, path string) {
	t.Helper()
	for _, l := range []string{"ja", "en"} {
		n := p.byTestID("lang-" + l)
		if n == nil {
			t.Errorf("%s: no link to %s", path, l)
			continue
		}
		if want := "/lang?to=" + l + "&next=" + url.QueryEscape(path); attr(n, "href") != want {
			t.Errorf("%s: link to %s is %q, want %q", path, l, attr(n, "href"), want)
		}
		if current := attr(n, "aria-current") == "true"; current != (l == lang) {
			t.Errorf("%s (%s): link to %s aria-current=%q", path, lang, l, attr(n, "aria-current"))
		}
	}
}
