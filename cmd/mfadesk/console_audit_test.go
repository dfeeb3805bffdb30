package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mfadesk/data"
	"mfadesk/jst"
)

// runConsoleCommand runs "mfadesk staff|audit ..." against the test
// app's database, as a shell would.
func (a *testApp) runConsoleCommand(cmd string, args ...string) (string, error) {
	var out bytes.Buffer
	args = append(args, "--db", a.Config.DB)
	err := consoleCommand(context.Background(), cmd, args, func(string) string { return "" }, &out, io.Discard)
	return out.String(), err
}

// A row edited or deleted by someone with the database file (who first
// drops the append-only triggers) breaks the chain, and "audit verify"
// names the first event that no longer fits.
func TestAuditVerifyFindsTampering(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		tamper string
		broken func(id int64) int64
	}{
		{"edited detail", `UPDATE audit_events SET detail = 'nothing happened' WHERE id = %d`, func(id int64) int64 { return id }},
		{"edited staff role", `UPDATE audit_events SET staff_role = 'auditor' WHERE id = %d`, func(id int64) int64 { return id }},
		{"deleted", `DELETE FROM audit_events WHERE id = %d`, func(id int64) int64 { return id + 1 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := newConsoleApp(t)
			agent := a.staffLogin("agent")
			agent.openCase(a.customerID("demo-app"), "phone")
			agent.get("/console/customers?q=1000001")
			out, err := a.runConsoleCommand("audit", "verify")
			if err != nil || !strings.Contains(out, "intact") {
				t.Fatalf("untouched chain: %v %q", err, out)
			}
			target := a.eventID("case.open")
			raw := rawDB(t, a.Config.DB)
			for _, q := range []string{dropTrigger(a.Config.DB, "audit_no_update"), dropTrigger(a.Config.DB, "audit_no_delete"), fmt.Sprintf(tt.tamper, target)} {
				if _, err := raw.Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			out, err = a.runConsoleCommand("audit", "verify")
			if want := fmt.Sprintf("event %d", tt.broken(target)); err == nil || !strings.Contains(out, want) {
				t.Fatalf("tampered chain: err %v, output %q, want %q", err, out, want)
			}
		})
	}
}

// The audit table refuses edits while its triggers stand.
func TestAuditRowsAreAppendOnly(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	a.staffLogin("auditor")
	raw := rawDB(t, a.Config.DB)
	for _, q := range []string{`UPDATE audit_events SET outcome = 'x'`, `DELETE FROM audit_events`} {
		if _, err := raw.Exec(q); err == nil {
			t.Errorf("%s succeeded", q)
		}
	}
}

func (a *testApp) eventID(action string) int64 {
	a.t.Helper()
	events, err := a.DB.AuditEvents(context.Background(), dataFilter(action))
	if err != nil || len(events) == 0 {
		a.t.Fatalf("no %s event: %v", action, err)
	}
	return events[0].ID
}

// Console events carry who, in which role and organisation, on which case.
func TestConsoleEventsCarryStaffAndCase(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent := a.staffLogin("agent")
	kase := agent.openCase(a.customerID("demo-app"), "phone")
	events, err := a.DB.AuditEvents(context.Background(), dataFilter("customer.view"))
	if err != nil || len(events) == 0 {
		t.Fatalf("no customer.view: %v", err)
	}
	e := events[0]
	if e.StaffID == 0 || e.StaffRole != "agent" || e.StaffOrg != "support" || e.CaseID == 0 ||
		e.CustomerID != a.customerID("demo-app") || !strings.HasSuffix(kase, fmt.Sprint(e.CaseID)) || e.ClientIP == "" {
		t.Errorf("event %+v", e)
	}
	for _, action := range []string{"staff.login.password", "staff.login.totp", "case.open"} {
		a.eventID(action)
	}
}

func TestAuditorFiltersPagesAndExports(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent := a.staffLogin("agent")
	kase := agent.openCase(a.customerID("demo-app"), "phone")
	for i := 0; i < 55; i++ {
		agent.get(kase)
	}
	auditor := a.staffLogin("auditor")
	p := auditor.get("/console/audit?action=customer.view")
	rows := p.all("audit-action")
	if p.status != http.StatusOK || len(rows) != 50 || !p.has("audit-next") {
		t.Fatalf("first page: %d, %d rows, next %v", p.status, len(rows), p.has("audit-next"))
	}
	for _, r := range rows {
		if textOf(r) != "customer.view" {
			t.Fatalf("filter let through %q", textOf(r))
		}
	}
	next := auditor.get(attr(p.byTestID("audit-next"), "href"))
	if n := len(next.all("audit-action")); n != 6 { // 1 from opening + 55 views, less the first 50
		t.Errorf("second page has %d rows, want 6", n)
	}
	if p := auditor.get("/console/audit?case=abc"); p.status != http.StatusUnprocessableEntity || !p.has("case-error") {
		t.Errorf("bad filter: %d", p.status)
	}
	if p := auditor.get("/console/audit?from=2026-11-29&to=2026-11-29&customer=" + a.customer("demo-app").AccountNumber); len(p.all("audit-row")) == 0 {
		t.Error("date and customer filter found nothing")
	}

	csvPage := auditor.get(attr(p.byTestID("audit-csv"), "href"))
	if !strings.HasPrefix(csvPage.header.Get("Content-Type"), "text/csv") {
		t.Fatalf("export content type %q", csvPage.header.Get("Content-Type"))
	}
	records, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(csvPage.body, "\uFEFF"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(records) != 57 || records[0][0] != "id" || records[1][8] != "customer.view" {
		t.Errorf("export: %d records, first %v", len(records), records[:2])
	}
	if got := a.auditActions(1); got[0] != "audit.export" {
		t.Errorf("export not audited: %v", got)
	}
	if p := auditor.get("/console/audit?" + url.Values{"action": {"x\x00"}}.Encode()); p.status != http.StatusUnprocessableEntity {
		t.Errorf("control character in filter: %d", p.status)
	}
}

// Auditors filter by the numbers people use: a customer's account number or
// login ID (typed in any width or case), a staff member's login ID; not by
// internal row ids. An unknown account reads exactly like a known one
// without events in the period: the filter is no account-existence oracle.
func TestAuditFilterByAccountNumberAndLoginID(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent := a.staffLogin("agent")
	agent.openCase(a.customerID("demo-app"), "phone")
	agent.openCase(a.customerID("demo-sms"), "phone")
	auditor := a.staffLogin("auditor")
	account := a.customer("demo-app").AccountNumber
	wide := strings.Map(func(r rune) rune { return r - '0' + '０' }, account)
	for _, typed := range []string{account, wide, "demo-app", " DEMO-APP "} {
		p := auditor.get("/console/audit?" + url.Values{"customer": {typed}, "action": {"case.open"}}.Encode())
		rows := p.all("audit-row")
		if p.status != http.StatusOK || len(rows) != 1 || p.has("audit-none") {
			t.Fatalf("customer %q: %d, %d rows", typed, p.status, len(rows))
		}
		if !strings.Contains(textOf(rows[0]), account) {
			t.Errorf("customer %q: the row does not show the account number: %q", typed, textOf(rows[0]))
		}
	}
	if p := auditor.get("/console/audit?customer=" + fmt.Sprint(a.customerID("demo-app")) + "&action=case.open"); len(p.all("audit-row")) != 0 {
		t.Error("the internal row id still filters")
	}
	if p := auditor.get("/console/audit?staff=agent&action=case.open"); len(p.all("audit-row")) != 2 {
		t.Errorf("staff login filter: %d rows", len(p.all("audit-row")))
	}

	// demo-noemail exists but has no case.open; 9999999 does not exist.
	var texts []string
	for _, customer := range []string{a.customer("demo-noemail").AccountNumber, "9999999", "nobody"} {
		p := auditor.get("/console/audit?" + url.Values{"customer": {customer}, "action": {"case.open"}}.Encode())
		if p.status != http.StatusOK || len(p.all("audit-row")) != 0 || !p.has("audit-none") {
			t.Fatalf("customer %q: %d, %d rows", customer, p.status, len(p.all("audit-row")))
		}
		texts = append(texts, p.text("audit-none"))
	}
	if texts[0] != texts[1] || texts[1] != texts[2] || !strings.Contains(texts[0], "口座番号") {
		t.Errorf("answers differ or are unclear: %q", texts)
	}
}

// The export opens in Excel in Japan: a byte order mark, CRLF line ends,
// times in JST with the zone in the header; a cell that a spreadsheet
// would run as a formula is quoted; the export is itself audited.
func TestAuditCSVForExcel(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	agent := a.staffLogin("agent")
	kase := agent.openCase(a.customerID("demo-app"), "phone")
	agent.get(kase)
	err := a.DB.InTx(context.Background(), func(tx *data.Tx) error {
		return tx.Audit(context.Background(), data.AuditEvent{ActorKind: "system", Actor: "-x", CustomerID: a.customerID("demo-app"),
			Action: "test.formula", Outcome: "+1", Detail: `=HYPERLINK("http://x")`})
	})
	if err != nil {
		t.Fatal(err)
	}
	auditor := a.staffLogin("auditor")
	p := auditor.get("/console/audit.csv?customer=demo-app")
	if cd := p.header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".csv") {
		t.Errorf("Content-Disposition %q", cd)
	}
	body, ok := strings.CutPrefix(p.body, "\uFEFF")
	if !ok {
		t.Fatal("no byte order mark")
	}
	if strings.Count(body, "\r\n") != strings.Count(body, "\n") {
		t.Error("line ends are not CRLF")
	}
	records, err := csv.NewReader(strings.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if records[0][1] != "at_jst_utc+09:00" || records[0][7] != "account_number" {
		t.Fatalf("header %v", records[0])
	}
	events, err := a.DB.AuditEvents(context.Background(), dataFilter("case.open"))
	if err != nil || len(events) != 1 {
		t.Fatalf("case.open: %v", err)
	}
	found := false
	for _, r := range records[1:] {
		if r[8] != "case.open" {
			continue
		}
		found = true
		if want := events[0].At.In(jst.Zone).Format("2006-01-02 15:04:05"); r[1] != want {
			t.Errorf("time %q, want JST %q", r[1], want)
		}
		if r[7] != a.customer("demo-app").AccountNumber {
			t.Errorf("account %q", r[7])
		}
	}
	if !found {
		t.Error("case.open not exported")
	}
	formula := false
	for _, r := range records[1:] {
		formula = formula || r[11] == `'=HYPERLINK("http://x")`
		for _, cell := range r {
			if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
				t.Errorf("cell %q would run as a formula", cell)
			}
		}
	}
	if !formula {
		t.Error("the formula cell was not exported quoted")
	}
	if got := a.auditDetails("audit.export"); len(got) != 1 || !strings.Contains(got[0], "customer=demo-app") {
		t.Errorf("export audited as %q", got)
	}
}
