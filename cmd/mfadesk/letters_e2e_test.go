package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"mfadesk/notify"
)

var letterCodeLine = regexp.MustCompile(`ご本人確認コード\s+(\d{6})`)

// A customer with no email and an unverified phone gets back in by post:
// an agent sends a letter, the mail room prints it (the PDF's text read
// with pdftotext: address block, 転送不要, the code, its expiry, the page
// to type it on, no login ID), the customer types the printed code at
// /verify/post, the case shows the postal verification, the agent resets
// (approved by a supervisor) and issues a temporary pass, and the
// customer logs in with it.
func TestLetterEndToEnd(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	cu := a.customer("demo-noemail")
	if cu.HasValidEmail() || cu.PhoneVerified {
		t.Fatal("demo-noemail should have no email and an unverified phone")
	}
	agent := a.staffLogin("agent")
	kase := agent.openCase(cu.ID, "phone")
	if p := agent.post(kase+"/verify/postal", nil); p.location != kase+"?notice=postal_sent" {
		t.Fatalf("send letter: %q", p.location)
	}
	id := strconv.FormatInt(a.newestLetter("demo-noemail").ID, 10)

	mailroom := a.staffLogin("supervisor")
	mailroom.get("/console/letters")
	p := mailroom.get("/console/letters/" + id + "/pdf")
	if p.status != http.StatusOK {
		t.Fatalf("download: %d %q", p.status, p.location)
	}
	text := pdfText(t, []byte(p.body))
	m := letterCodeLine.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no code in the letter's text:\n%s", text)
	}
	code := m[1]
	for _, want := range []string{"転送不要郵便", "〒060-0001", "北海道札幌市中央区北一条西3-3", "デモハイツ 201号室", "高橋 正子 様",
		"mfadesk証券株式会社", a.Config.Origin + "/verify/post", "（日本時間）まで", "誰にも教えないでください"} {
		if !strings.Contains(text, want) {
			t.Errorf("the letter lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "demo-noemail") {
		t.Error("the letter prints the login ID")
	}
	if got := notify.AsksToTellCode(text); got != "" {
		t.Errorf("the letter asks to pass the code on: %q", got)
	}
	mailroom.get("/console/letters")
	mailroom.post("/console/letters/"+id+"/printed", nil)

	customer := a.newClient()
	customer.get("/verify/post")
	if p := customer.post("/verify/post", url.Values{"login_id": {"demo-noemail"}, "code": {code}}); !p.has("post-done") {
		t.Fatalf("typing the printed code: %d %s", p.status, p.text("code-error"))
	}
	page := agent.get(kase)
	if s := attr(page.byTestID("case-strength"), "data-strength"); s != "strong" ||
		!strings.Contains(page.text("checks"), "郵送") {
		t.Fatalf("case after the letter: %q %q", s, page.text("checks"))
	}

	if p := agent.post(kase+"/reset", url.Values{"temp_pass": {"on"}}); p.location != kase+"?notice=reset_requested" {
		t.Fatalf("reset request: %d %q", p.status, p.location)
	}
	sup := a.staffLogin("supervisor")
	request := onlyRequest(t, sup)
	if p := sup.decide(request, "approve", nil); p.location != "/console/requests?notice=approved" {
		t.Fatalf("approve: %q", p.location)
	}
	agent.get(kase)
	p = agent.post(kase+"/temp-pass", url.Values{"request_id": {request}})
	pass := p.text("temp-pass")
	if !tempPassFormat.MatchString(pass) {
		t.Fatalf("temp pass: %d %q", p.status, p.location)
	}
	if _, p := tempPassLogin(a, "demo-noemail", pass); p.location != "/settings/mfa" {
		t.Fatalf("login with the pass: %d %q %s", p.status, p.location, p.text("notice-error"))
	}
}
