package main

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// The case page opens with the case header: the customer's name, account
// number and masked contact data, the case's status and reason, and how far
// the identity has been verified. The page says each of them once: no
// status line or customer list below the header repeats it.
func TestConsoleCaseHeader(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent := a.staffLogin("agent")
	p := agent.get(agent.openCase(a.customerID("demo-app"), "phone"))
	if p.status != http.StatusOK || !p.has("case-header") {
		t.Fatalf("case page: %d, header %v", p.status, p.has("case-header"))
	}
	header := p.byTestID("case-header")
	for _, want := range []string{"山田 太郎", "1000001", "***", "認証アプリの再設定", "agent"} {
		if !strings.Contains(textOf(header), want) {
			t.Errorf("case header %q lacks %q", textOf(header), want)
		}
	}
	// The testids the other tests read name the header's own elements.
	for _, id := range []string{"account-number", "masked-email", "masked-phone"} {
		if n := p.byTestID(id); n == nil || !inside(n, header) {
			t.Errorf("%s is not in the case header", id)
		}
	}
	main := find(p.doc, func(n *html.Node) bool { return n.Data == "main" })
	for _, once := range []string{"1000001", p.text("masked-email"), p.text("masked-phone"), "認証アプリの再設定"} {
		if n := strings.Count(textOf(main), once); n != 1 {
			t.Errorf("the case page shows %q %d times, want once (in the header)", once, n)
		}
	}
	if got := p.text("case-header-strength"); got != "本人確認未実施" {
		t.Errorf("strength badge %q", got)
	}
	if got := p.text("case-header-status"); got != "対応中" {
		t.Errorf("status badge %q", got)
	}
	// The header comes first: right under the page title, before the notices and forms.
	first := find(main, func(n *html.Node) bool { return n.Data == "section" || n.Data == "form" || n.Data == "table" })
	if attr(first, "data-testid") != "case-header" {
		t.Errorf("first section of the case page is %q, want the case header", attr(first, "data-testid"))
	}
}

// Every console table sits in a region that scrolls sideways on a narrow
// screen and that a keyboard can reach (tabindex) and a screen reader can
// name; console pages load the console stylesheet and the desktop frame
// (menu column) only when there is a menu.
func TestConsoleTablesScrollInRegions(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent := a.staffLogin("agent")
	kase := agent.openCase(a.customerID("demo-app"), "phone")
	pages := map[string]*page{
		"home": agent.get("/console"), "cases": agent.get("/console/cases"), "case": agent.get(kase),
		"staff": a.staffLogin("admin").get("/console/staff"), "audit": a.staffLogin("auditor").get("/console/audit"),
	}
	for name, p := range pages {
		if p.status != http.StatusOK {
			t.Fatalf("%s: %d", name, p.status)
		}
		if got := bodyClass(p); got != "console console-with-menu" {
			t.Errorf("%s: body class %q", name, got)
		}
		if !linksStylesheet(p, "/static/console.css") {
			t.Errorf("%s: no console stylesheet", name)
		}
		tables := 0
		walk(p.doc, func(n *html.Node) {
			if n.Type != html.ElementNode || n.Data != "table" {
				return
			}
			tables++
			region := n.Parent
			if attr(region, "class") != "table-scroll" || attr(region, "role") != "region" ||
				attr(region, "tabindex") != "0" || strings.TrimSpace(attr(region, "aria-label")) == "" {
				t.Errorf("%s: table %q is not in a named, focusable scroll region", name, attr(n, "data-testid"))
			}
		})
		if tables == 0 {
			t.Errorf("%s: no table to check", name)
		}
	}

	login := a.newClient().get("/console/login")
	if got := bodyClass(login); got != "console" {
		t.Errorf("login page body class %q, want the single column", got)
	}
	if css := a.newClient().get("/static/console.css"); css.status != http.StatusOK {
		t.Errorf("console.css: %d", css.status)
	}
}

func bodyClass(p *page) string {
	return attr(find(p.doc, func(n *html.Node) bool { return n.Data == "body" }), "class")
}

func linksStylesheet(p *page, href string) bool {
	return find(p.doc, func(n *html.Node) bool {
		return n.Data == "link" && attr(n, "rel") == "stylesheet" && attr(n, "href") == href
	}) != nil
}

// inside reports whether n is outer or within it.
func inside(n, outer *html.Node) bool {
	for ; n != nil; n = n.Parent {
		if n == outer {
			return true
		}
	}
	return false
}
