package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"mfadesk/data"
)

var reportPaths = []string{"/console/reports", "/console/reports/adoption", "/console/reports/actions",
	"/console/reports/lockouts", "/console/reports/lockouts.csv"}

// Auditors, supervisors and admins read the reports; agents and partners
// are refused; someone not logged in is sent to log in.
func TestReportsAccessByRole(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	for _, role := range []string{"auditor", "supervisor", "admin", "agent", "partner", "anonymous"} {
		t.Run(role, func(t *testing.T) {
			c := a.subjectClient(role)
			for _, path := range reportPaths {
				p := c.get(path)
				switch role {
				case "auditor", "supervisor", "admin":
					if p.status != http.StatusOK {
						t.Errorf("%s: %d, want 200", path, p.status)
					}
				case "anonymous":
					if p.status != http.StatusSeeOther || p.location != "/console/login" {
						t.Errorf("%s: %d %q, want a redirect to log in", path, p.status, p.location)
					}
				default:
					if p.status != http.StatusForbidden {
						t.Errorf("%s: %d, want 403", path, p.status)
					}
				}
			}
		})
	}
}

// adoptionCounts reads today's counts from the report's table.
func adoptionCounts(t *testing.T, p *page) map[string]int {
	t.Helper()
	if p.status != http.StatusOK {
		t.Fatalf("adoption report: %d", p.status)
	}
	out := map[string]int{}
	for _, row := range p.all("adoption-now") {
		cell := find(row, func(n *html.Node) bool { return attr(n, "data-testid") == "adoption-count" })
		n, err := strconv.Atoi(textOf(cell))
		if err != nil {
			t.Fatal(err)
		}
		out[attr(row, "data-category")] = n
	}
	return out
}

// chartSVG is the chart's markup, parsed as XML.
type chartSVG struct {
	XMLName xml.Name `xml:"svg"`
	Role    string   `xml:"role,attr"`
	Title   string   `xml:"title"`
	Desc    string   `xml:"desc"`
	Groups  []struct {
		Series  string `xml:"data-series,attr"`
		Circles []struct {
			Day       string `xml:"data-day,attr"`
			Customers int    `xml:"data-customers,attr"`
		} `xml:"circle"`
	} `xml:"g"`
}

// parseChart takes the adoption chart's <svg> out of the page and parses
// it as XML, as an SVG viewer would.
func parseChart(t *testing.T, p *page) map[string][]int {
	t.Helper()
	start := strings.Index(p.body, `<svg xmlns="http://www.w3.org/2000/svg" class="chart"`)
	end := strings.Index(p.body[max(start, 0):], "</svg>")
	if start < 0 || end < 0 {
		t.Fatal("no chart on the page")
	}
	var svg chartSVG
	if err := xml.Unmarshal([]byte(p.body[start:start+end+len("</svg>")]), &svg); err != nil {
		t.Fatalf("chart is not XML: %v", err)
	}
	if svg.Role != "img" || svg.Title == "" || svg.Desc == "" {
		t.Errorf("chart: role %q title %q desc %q", svg.Role, svg.Title, svg.Desc)
	}
	series := map[string][]int{}
	for _, g := range svg.Groups {
		if g.Series == "" {
			continue
		}
		if _, dup := series[g.Series]; dup {
			t.Errorf("series %s drawn twice", g.Series)
		}
		series[g.Series] = []int{}
		for _, c := range g.Circles {
			series[g.Series] = append(series[g.Series], c.Customers)
		}
	}
	if len(series) != len(data.AdoptionCategories()) {
		t.Errorf("chart has series %v, want one per category", series)
	}
	return series
}

// addFactor gives a customer a confirmed factor for login, as enrolment would.
func (a *testApp) addFactor(loginID, kind string) {
	a.t.Helper()
	ctx := context.Background()
	err := a.DB.InTx(ctx, func(tx *data.Tx) error {
		_, err := tx.CreateFactor(ctx, &data.Factor{CustomerID: a.customerID(loginID), Kind: kind, UseLogin: true,
			UseAccount: true, UseWithdrawal: true, LastStep: -1, ConfirmedAt: tx.Now()})
		return err
	})
	if err != nil {
		a.t.Fatal(err)
	}
}

// The demo customers are one in each category but passkey; adding a
// passkey and an app moves them, and every view is audited.
func TestAdoptionCountsFollowTheCustomers(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	c := a.staffLogin("auditor")
	p := c.get("/console/reports/adoption")
	want := map[string]int{"passkey": 0, "app": 1, "sms": 1, "email": 1, "no_email": 1}
	if got := adoptionCounts(t, p); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("counts %v, want %v", got, want)
	}
	if p.text("adoption-total") != "4" {
		t.Errorf("total %q, want 4", p.text("adoption-total"))
	}
	series := parseChart(t, p)
	for _, cat := range data.AdoptionCategories() {
		if got := series[cat]; len(got) != 1 || got[0] != want[cat] {
			t.Errorf("series %s: %v, want one point of %d", cat, got, want[cat])
		}
	}
	if n := len(p.all("adoption-legend")); n != 1 {
		t.Errorf("%d legends", n)
	}
	assertReportAudit(t, a, "report.view", "report=adoption days=90", "auditor")

	a.addPasskey("demo-email", "iPhone")
	a.addFactor("demo-sms", data.FactorTOTP)
	want = map[string]int{"passkey": 1, "app": 2, "sms": 0, "email": 0, "no_email": 1}
	if got := adoptionCounts(t, c.get("/console/reports/adoption?days=30")); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("after a passkey and an app: %v, want %v", got, want)
	}
	assertReportAudit(t, a, "report.view", "report=adoption days=30", "auditor")
}

// A snapshot a day (from the report or from SnapshotAdoption, which serve
// calls daily) draws a point a day; the table has the same numbers.
func TestAdoptionHistoryOverSeveralDays(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	a.staffLogin("supervisor").get("/console/reports/adoption")
	a.clock.Advance(24 * time.Hour)
	a.addPasskey("demo-app", "iPhone")
	if _, err := a.Support.SnapshotAdoption(context.Background()); err != nil {
		t.Fatal(err)
	}
	a.clock.Advance(24 * time.Hour)
	a.addPasskey("demo-noemail", "Android")
	p := a.staffLogin("supervisor").get("/console/reports/adoption")
	series := parseChart(t, p)
	for cat, want := range map[string][]int{"passkey": {0, 1, 2}, "app": {1, 0, 0}, "no_email": {1, 1, 0}, "sms": {1, 1, 1}} {
		if fmt.Sprint(series[cat]) != fmt.Sprint(want) {
			t.Errorf("series %s: %v, want %v", cat, series[cat], want)
		}
	}
	var days []string
	for _, row := range p.all("adoption-day") {
		days = append(days, attr(row, "data-day"))
	}
	if want := []string{"2026-11-29", "2026-11-30", "2026-12-01"}; fmt.Sprint(days) != fmt.Sprint(want) {
		t.Errorf("table days %v, want %v", days, want)
	}
	// A week's chart from a day after the first snapshot leaves it out.
	a.clock.Advance(5 * 24 * time.Hour)
	if got := parseChart(t, a.staffLogin("admin").get("/console/reports/adoption?days=30"))["passkey"]; len(got) != 4 {
		t.Errorf("30 days: %v, want 4 points", got)
	}
}

// Resets requested, approved and done, counted per organisation from the
// audit trail over the chosen period.
func TestSupportActionCounts(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent, kase := strongCase(t, a, "agent", "demo-sms")
	if p := agent.post(kase+"/reset", nil); p.location != kase+"?notice=reset_requested" {
		t.Fatalf("agent reset: %d %q", p.status, p.location)
	}
	sup := a.staffLogin("supervisor")
	if p := sup.decide(onlyRequest(t, sup), "approve", nil); p.status != http.StatusSeeOther {
		t.Fatalf("approve: %d", p.status)
	}
	partner, pkase := strongCase(t, a, "partner", "demo-sms")
	if p := partner.post(pkase+"/reset", nil); p.location != pkase+"?notice=reset_requested" {
		t.Fatalf("partner reset: %d %q", p.status, p.location)
	}

	c := a.staffLogin("auditor")
	p := c.get("/console/reports/actions")
	if p.status != http.StatusOK {
		t.Fatalf("actions report: %d", p.status)
	}
	got := actionCells(p)
	want := map[string]map[string]string{
		"support":   {"reset_requested": "1", "approve": "1", "reset_done": "1", "total": "3", "temp_pass": "0"},
		"shop-demo": {"reset_requested": "1", "reset_done": "0", "total": "1"},
	}
	for org, cols := range want {
		for col, n := range cols {
			if got[org][col] != n {
				t.Errorf("%s %s = %q, want %s (all: %v)", org, col, got[org][col], n, got)
			}
		}
	}
	assertReportAudit(t, a, "report.view", "report=actions from=2026-10-31 to=2026-11-29", "auditor")

	// Yesterday had none; a wrong date is shown on its field.
	if p := c.get("/console/reports/actions?from=2026-11-28&to=2026-11-28"); !p.has("actions-none") {
		t.Error("yesterday shows actions")
	}
	if p := c.get("/console/reports/actions?from=2026-13-01"); p.status != http.StatusUnprocessableEntity || !p.has("from-error") {
		t.Errorf("bad date: %d", p.status)
	}
}

// A contact change carried out after approval counts as done for the
// organisation of the approver, beside the agent's request; one made
// directly by a supervisor counts too.
func TestSupportActionCountsContactChanges(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent, kase := strongCase(t, a, "agent", "demo-email")
	sendContact(t, agent, kase, "phone", "080-1234-5678")
	if p := confirmContact(t, a, agent, kase, "phone", "080-1234-5678"); p.location != kase+"?notice=contact_requested" {
		t.Fatalf("agent's change: %q", p.location)
	}
	sup := a.staffLogin("supervisor")
	if p := sup.decide(onlyRequest(t, sup), "approve", nil); p.location != "/console/requests?notice=approved" {
		t.Fatalf("approve: %q", p.location)
	}
	sup2, kase2 := strongCase(t, a, "supervisor", "demo-app")
	sendContact(t, sup2, kase2, "phone", "080-2222-3333")
	if p := confirmContact(t, a, sup2, kase2, "phone", "080-2222-3333"); p.location != kase2+"?notice=contact_changed" {
		t.Fatalf("supervisor's change: %q", p.location)
	}

	got := actionCells(a.staffLogin("auditor").get("/console/reports/actions"))
	for col, n := range map[string]string{"contact_requested": "1", "approve": "1", "contact_done": "2"} {
		if got["support"][col] != n {
			t.Errorf("support %s = %q, want %s (all: %v)", col, got["support"][col], n, got)
		}
	}
}

// actionCells reads the actions table: organisation → column → count.
func actionCells(p *page) map[string]map[string]string {
	out := map[string]map[string]string{}
	for _, row := range p.all("actions-row") {
		cols := map[string]string{}
		walk(row, func(n *html.Node) {
			if n.Type == html.ElementNode && n.Data == "td" {
				cols[attr(n, "data-col")] = textOf(n)
			}
		})
		out[attr(row, "data-org")] = cols
	}
	return out
}

// lockoutAccounts lists the account numbers on a lockout page.
func lockoutAccounts(t *testing.T, p *page) []string {
	t.Helper()
	if p.status != http.StatusOK {
		t.Fatalf("lockouts: %d", p.status)
	}
	var out []string
	for _, row := range p.all("lockout-row") {
		out = append(out, attr(row, "data-account"))
	}
	return out
}

// The customer without a valid email is listed; the passkey list exists
// only when interim_methods_until is configured.
func TestLockoutListNoEmail(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	c := a.staffLogin("supervisor")
	p := c.get("/console/reports/lockouts")
	if got := lockoutAccounts(t, p); fmt.Sprint(got) != "[1000004]" {
		t.Errorf("listed %v, want demo-noemail's 1000004", got)
	}
	if p.text("lockout-category") != "有効なメールアドレスなし" {
		t.Errorf("category %q", p.text("lockout-category"))
	}
	if strings.Contains(p.body, "03-0000-0004") || !strings.Contains(p.body, "***-****-0004") {
		t.Error("phone not masked")
	}
	if p.has("lockouts-list-no_passkey") {
		t.Error("passkey list offered without interim_methods_until")
	}
	if got := lockoutAccounts(t, c.get("/console/reports/lockouts?list=no_passkey")); fmt.Sprint(got) != "[1000004]" {
		t.Errorf("unconfigured list shows %v", got)
	}
	assertReportAudit(t, a, "report.view", "report=lockouts list=no_email after=0", "supervisor")

	// An app for login takes them off the list.
	a.addFactor("demo-noemail", data.FactorSMS)
	if got := lockoutAccounts(t, c.get("/console/reports/lockouts")); len(got) != 0 {
		t.Errorf("listed %v after SMS was set up", got)
	}
}

// With interim_methods_until configured, everyone without a passkey is
// listed, and the list pages.
func TestLockoutListNoPasskey(t *testing.T) {
	t.Parallel()
	interim := testStart.AddDate(0, 3, 0)
	a := newConsoleApp(t, func(cfg *Config) { cfg.MFA.InterimMethodsUntil = interim })
	a.addPasskey("demo-app", "iPhone")
	addNoEmailCustomers(t, a, 60)
	c := a.staffLogin("admin")
	p := c.get("/console/reports/lockouts?list=no_passkey")
	got := lockoutAccounts(t, p)
	if len(got) != 50 || got[0] != "1000002" || got[1] != "1000003" || got[2] != "1000004" {
		t.Errorf("first page %v", got)
	}
	if !strings.Contains(p.text("lockouts-phase"), "2027年3月1日") {
		t.Errorf("phase %q", p.text("lockouts-phase"))
	}
	next := attr(p.byTestID("lockouts-next"), "href")
	if rest := lockoutAccounts(t, c.get(next)); len(rest) != 13 {
		t.Errorf("second page has %d, want 13", len(rest))
	}
	if got := lockoutAccounts(t, c.get("/console/reports/lockouts?list=no_email")); len(got) != 50 || got[0] != "1000004" {
		t.Errorf("no-email list %v", got)
	}
}

// addNoEmailCustomers adds n customers with neither email nor factors.
func addNoEmailCustomers(t *testing.T, a *testApp, n int) {
	t.Helper()
	ctx := context.Background()
	err := a.DB.InTx(ctx, func(tx *data.Tx) error {
		for i := range n {
			_, err := tx.CreateCustomer(ctx, &data.Customer{AccountNumber: fmt.Sprintf("20%05d", i), LoginID: fmt.Sprintf("bulk%d", i),
				NameKanji: "一括 太郎", NameKana: "イッカツ タロウ", BirthDate: "1950-01-01", EmailStatus: "none",
				Phone: fmt.Sprintf("090-1111-%04d", i), PasswordHash: "x", TradingPasswordHash: "x"})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// The export opens in Excel in Japan: UTF-8 with a byte order mark, a
// header row, one row per listed customer, contact data masked; audited.
func TestLockoutCSV(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t, func(cfg *Config) { cfg.MFA.InterimMethodsUntil = testStart.AddDate(0, 3, 0) })
	c := a.staffLogin("auditor")
	for _, tt := range []struct {
		list     string
		accounts []string
	}{
		{"no_email", []string{"1000004"}},
		{"no_passkey", []string{"1000001", "1000002", "1000003", "1000004"}},
	} {
		t.Run(tt.list, func(t *testing.T) {
			p := c.get("/console/reports/lockouts.csv?list=" + tt.list)
			if p.status != http.StatusOK || !strings.HasPrefix(p.header.Get("Content-Type"), "text/csv") {
				t.Fatalf("export: %d %q", p.status, p.header.Get("Content-Type"))
			}
			if cd := p.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".csv") {
				t.Errorf("Content-Disposition %q", cd)
			}
			body, ok := bytes.CutPrefix([]byte(p.body), []byte("\xEF\xBB\xBF"))
			if !ok {
				t.Fatal("no byte order mark")
			}
			r := csv.NewReader(bytes.NewReader(body))
			header, err := r.Read()
			if err != nil || header[0] != "口座番号" || len(header) != 7 {
				t.Fatalf("header %v: %v", header, err)
			}
			var accounts []string
			for {
				row, err := r.Read()
				if errors.Is(err, io.EOF) {
					break
				}
				if err != nil {
					t.Fatal(err)
				}
				accounts = append(accounts, row[0])
			}
			if fmt.Sprint(accounts) != fmt.Sprint(tt.accounts) {
				t.Errorf("rows %v, want %v", accounts, tt.accounts)
			}
			for _, d := range demoCustomers {
				for _, contact := range []string{d.customer.Email, d.customer.Phone} {
					if contact != "" && strings.Contains(p.body, contact) {
						t.Errorf("unmasked contact %q in the export", contact)
					}
				}
			}
			assertReportAudit(t, a, "report.export", "report=lockouts list="+tt.list, "auditor")
		})
	}
}

// assertReportAudit checks the newest event of action was written for
// the report with that detail, by a staff member of the role.
func assertReportAudit(t *testing.T, a *testApp, action, detail, role string) {
	t.Helper()
	events, err := a.DB.AuditEvents(context.Background(), data.AuditFilter{Action: action, Limit: 1})
	if err != nil || len(events) != 1 {
		t.Fatalf("no %s event: %v", action, err)
	}
	if e := events[0]; e.Detail != detail || e.StaffRole != role || e.Outcome != "success" {
		t.Errorf("%s event: detail %q role %q outcome %q", action, e.Detail, e.StaffRole, e.Outcome)
	}
}
