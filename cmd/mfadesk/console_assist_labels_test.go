package main

import (
	"net/http"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// The partner's guided script names the customer's buttons and menus
// exactly as the customer's screens show them, in each language, and
// starts with the identity check as the case page records it. Both sides
// are rendered over HTTP and compared, so a label changed on one side
// only fails here.
func TestAssistScriptUsesTheScreensLabels(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"ja", "en"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			a := newConsoleApp(t)
			partner := a.staffLogin("partner")
			chooseLang(t, partner, lang, "/console")
			kase := partnerCase(t, partner)
			casePage := partner.get(kase)
			documentTitle, recordButton := documentFormLabels(t, casePage)
			document(t, partner, kase)
			assist := partner.get(kase + "/assist")
			if assist.status != http.StatusOK {
				t.Fatalf("assist: %d", assist.status)
			}

			login := a.newClient().setLang(lang).get("/login")
			customer := loggedInClient(t, a, "demo-email").setLang(lang)
			home := customer.get("/home")
			if p := stepUp(t, a, customer, "mfa", "demo-email", ""); p.location != "/settings/mfa" {
				t.Fatalf("step-up: %d %q", p.status, p.location)
			}
			settings := customer.get("/settings/mfa")
			if p := customer.post("/settings/mfa/totp/start", nil); p.location != "/settings/mfa/totp" {
				t.Fatalf("start enrolment: %d %q", p.status, p.location)
			}
			enrol := customer.get("/settings/mfa/totp")

			open, close := "「", "」"
			if lang == "en" {
				open, close = "“", "”"
			}
			for _, c := range []struct {
				step, label string
			}{
				{"assist-identity", documentTitle},
				{"assist-identity", recordButton},
				{"assist-step2", login.text("temp-pass-link")},
				{"assist-step3", home.text("menu-mfa")},
				{"assist-step3", settings.text("totp-start")},
				{"assist-step5", enrol.text("totp-confirm")},
			} {
				label := strings.TrimSpace(c.label)
				if label == "" {
					t.Fatalf("%s: the screen shows no label", c.step)
				}
				if step := assist.text(c.step); !strings.Contains(step, open+label+close) {
					t.Errorf("%s %q does not name %s%s%s", c.step, step, open, label, close)
				}
			}
			if first := find(assist.byTestID("assist-steps"), func(n *html.Node) bool { return n.Data == "li" }); attr(first, "data-testid") != "assist-identity" {
				t.Error("the identity check is not the first step")
			}
		})
	}
}

// documentFormLabels is the document check's heading and button as the
// case page shows them.
func documentFormLabels(t *testing.T, p *page) (title, button string) {
	t.Helper()
	form := p.byTestID("document-form")
	if form == nil || form.Parent == nil {
		t.Fatal("case page has no document form")
	}
	summary := find(form.Parent, func(n *html.Node) bool { return n.Data == "summary" })
	submit := find(form, func(n *html.Node) bool { return n.Data == "button" })
	if summary == nil || submit == nil {
		t.Fatal("document form lacks its heading or button")
	}
	return textOf(summary), textOf(submit)
}
