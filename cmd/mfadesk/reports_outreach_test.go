package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"mfadesk/data"
	"mfadesk/support"
)

// outreachApp has both lists' phases ahead (email_required_from and
// interim_methods_until in the coming months) and, beside
// the demo customers, one reachable only by SMS who reads English:
// on the no_passkey list, demo-app, demo-sms and demo-email have a verified
// email, the SMS-only customer a verified phone, demo-noemail neither.
func outreachApp(t *testing.T) *testApp {
	t.Helper()
	a := newConsoleApp(t, func(cfg *Config) {
		cfg.MFA.EmailRequiredFrom = testStart.AddDate(0, 2, 0)
		cfg.MFA.InterimMethodsUntil = testStart.AddDate(0, 3, 0)
	})
	ctx := context.Background()
	err := a.DB.InTx(ctx, func(tx *data.Tx) error {
		_, err := tx.CreateCustomer(ctx, &data.Customer{AccountNumber: "3000001", LoginID: "sms-only",
			NameKanji: "英語 花子", NameKana: "エイゴ ハナコ", BirthDate: "1970-01-01", EmailStatus: "none",
			Phone: "+819011112222", PhoneVerified: true, PasswordHash: "x", TradingPasswordHash: "x"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.DB.SetCustomerLang(ctx, a.customerID("sms-only"), "en"); err != nil {
		t.Fatal(err)
	}
	return a
}

type reminder struct {
	channel, to, subject, body string
	notBefore                  int64
}

func (a *testApp) reminders() []reminder {
	a.t.Helper()
	rows, err := a.DB.QueryContext(context.Background(), `SELECT channel, recipient, subject, body, next_attempt_at
		FROM outbox WHERE kind = 'registration_reminder' ORDER BY id`)
	if err != nil {
		a.t.Fatal(err)
	}
	defer rows.Close()
	var out []reminder
	for rows.Next() {
		var r reminder
		if err := rows.Scan(&r.channel, &r.to, &r.subject, &r.body, &r.notBefore); err != nil {
			a.t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// A supervisor sees the dry run's counts by channel, nothing queued; the
// send needs the confirmation tick, then queues one reminder per reachable
// customer, in their language, spaced by --outreach-interval, audited once
// with the counts; the same day it sends nothing again.
func TestOutreachDryRunThenSend(t *testing.T) {
	t.Parallel()
	a := outreachApp(t)
	sup := a.staffLogin("supervisor")
	if p := sup.get("/console/reports/lockouts?list=no_passkey"); attr(p.byTestID("lockouts-outreach"), "href") != "/console/reports/outreach?list=no_passkey" {
		t.Fatal("the lockout list does not lead to the reminders")
	}
	p := sup.get("/console/reports/outreach?list=no_passkey")
	if p.status != http.StatusOK {
		t.Fatalf("dry run: %d", p.status)
	}
	for id, want := range map[string]string{"outreach-email": "3", "outreach-sms": "1", "outreach-neither": "1"} {
		if got := p.text(id); got != want {
			t.Errorf("%s = %q, want %s", id, got, want)
		}
	}
	if len(a.reminders()) != 0 {
		t.Fatal("the dry run queued messages")
	}
	assertReportAudit(t, a, "report.view", "report=outreach list=no_passkey", "supervisor")

	if p := sup.post("/console/reports/outreach", url.Values{"list": {"no_passkey"}}); p.location != "/console/reports/outreach?list=no_passkey&notice=confirm" {
		t.Fatalf("send without the tick: %q", p.location)
	}
	if len(a.reminders()) != 0 {
		t.Fatal("queued without the confirmation")
	}
	sup.get("/console/reports/outreach?list=no_passkey")
	if p := sup.post("/console/reports/outreach", url.Values{"list": {"no_passkey"}, "confirm": {"yes"}}); p.location != "/console/reports/outreach?list=no_passkey&notice=sent" {
		t.Fatalf("send: %q", p.location)
	}
	got := a.reminders()
	if len(got) != 4 {
		t.Fatalf("%d reminders, want 4: %+v", len(got), got)
	}
	for i, r := range got {
		if i > 0 && r.notBefore != got[i-1].notBefore+1 {
			t.Errorf("reminder %d leaves at %d, after %d: not spaced by the interval", i, r.notBefore, got[i-1].notBefore)
		}
		if r.to == "+81300000004" {
			t.Error("a reminder went to an unverified phone")
		}
		if r.channel == "sms" && (r.to != "+819011112222" || !strings.HasPrefix(r.body, "mfadesk Securities:")) {
			t.Errorf("SMS reminder %q to %q, want English to the verified phone", r.body, r.to)
		}
		if r.channel == "email" && !strings.Contains(r.subject, "ご登録のお願い") {
			t.Errorf("email subject %q", r.subject)
		}
	}
	details := a.auditDetails("outreach.send")
	if len(details) != 1 || !strings.HasPrefix(details[0], "list=no_passkey email=3 sms=1 letters=1 no_address=0 after=0 last=") ||
		!strings.HasSuffix(details[0], " complete=true") {
		t.Errorf("audited %q", details)
	}

	// The same day: nothing again, the refusal audited, no form offered.
	if p := sup.post("/console/reports/outreach", url.Values{"list": {"no_passkey"}, "confirm": {"yes"}}); p.location != "/console/reports/outreach?list=no_passkey&notice=already_sent" {
		t.Fatalf("second send: %q", p.location)
	}
	if n := len(a.reminders()); n != 4 {
		t.Errorf("%d reminders after a second send", n)
	}
	if events, err := a.DB.AuditEvents(context.Background(), dataFilter("outreach.send")); err != nil || len(events) != 2 ||
		events[0].Outcome != "refused:already_sent" || events[1].Outcome != "success" {
		t.Errorf("outreach.send events %+v (%v)", events, err)
	}
	if p := sup.get("/console/reports/outreach?list=no_passkey"); p.has("outreach-form") || !p.has("outreach-sent-today") {
		t.Error("the page still offers to send today")
	}
}

// Parallel submits of one confirmed send queue the reminders, and the
// reminder letter, once.
func TestOutreachParallelSendQueuesOnce(t *testing.T) {
	t.Parallel()
	a := outreachApp(t)
	sup := a.staffLogin("supervisor")
	sup.get("/console/reports/outreach?list=no_passkey")
	form := url.Values{"list": {"no_passkey"}, "confirm": {"yes"}, "_csrf": {sup.csrf}}
	const n = 6
	var wg sync.WaitGroup
	start := make(chan struct{})
	locations := make([]string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			locations[i] = sup.postRaw("/console/reports/outreach", form.Encode(), nil).location
		}()
	}
	close(start)
	wg.Wait()
	sent := 0
	for _, l := range locations {
		switch l {
		case "/console/reports/outreach?list=no_passkey&notice=sent":
			sent++
		case "/console/reports/outreach?list=no_passkey&notice=already_sent":
		default:
			t.Errorf("answer %q", l)
		}
	}
	if got, letters := len(a.reminders()), len(a.reminderLetters()); sent != 1 || got != 4 || letters != 1 {
		t.Errorf("%d sends succeeded, %d reminders and %d letters queued; want 1, 4 and 1", sent, got, letters)
	}
}

// Agents, partners and auditors may not send (auditors read the lists but
// not this page); supervisors and admins may.
func TestOutreachAccessByRole(t *testing.T) {
	t.Parallel()
	a := outreachApp(t)
	for _, role := range []string{"auditor", "agent", "partner", "admin"} {
		c := a.subjectClient(role)
		page := c.get("/console/reports/outreach?list=no_passkey")
		send := c.post("/console/reports/outreach", url.Values{"list": {"no_passkey"}, "confirm": {"yes"}})
		letters := c.get("/console/reports/outreach/letters.csv?list=no_passkey")
		want := http.StatusForbidden
		if role == "admin" {
			want = http.StatusOK
		}
		if page.status != want || letters.status != want {
			t.Errorf("%s: page %d, letters %d, want %d", role, page.status, letters.status, want)
		}
		if role != "admin" && send.status != http.StatusForbidden {
			t.Errorf("%s: send %d", role, send.status)
		}
	}
	if p := a.subjectClient("auditor").get("/console/reports/lockouts?list=no_passkey"); p.has("lockouts-outreach") {
		t.Error("auditors are offered the reminders")
	}
	if n := len(a.reminders()); n != 4 {
		t.Errorf("%d reminders: only the admin's send should have queued", n)
	}
}

// The customers no reminder reaches are exported, whole list, as account
// numbers for letters, in a CSV Excel opens; the export is audited.
func TestOutreachLettersCSV(t *testing.T) {
	t.Parallel()
	a := outreachApp(t)
	addNoEmailCustomers(t, a, 3)
	p := a.staffLogin("supervisor").get("/console/reports/outreach/letters.csv?list=no_email")
	body, ok := bytes.CutPrefix([]byte(p.body), []byte("\xEF\xBB\xBF"))
	if p.status != http.StatusOK || !ok {
		t.Fatalf("letters: %d, BOM %v", p.status, ok)
	}
	records, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var accounts []string
	for _, r := range records[1:] {
		accounts = append(accounts, r[0])
	}
	// addNoEmailCustomers' customers have unverified phones: letters too;
	// the SMS-only customer is not listed.
	if records[0][0] != "口座番号" || strings.Join(accounts, ",") != "1000004,2000000,2000001,2000002" {
		t.Errorf("header %v, accounts %v", records[0], accounts)
	}
	assertReportAudit(t, a, "report.export", "report=outreach_letters list=no_email", "supervisor")
}

// One run covers at most support.OutreachRunCap customers; the next day's
// run continues after the last one covered, and the one after that starts
// the list again.
func TestOutreachRunCapContinuesNextDay(t *testing.T) {
	t.Parallel()
	a := outreachApp(t)
	ctx := context.Background()
	err := a.DB.InTx(ctx, func(tx *data.Tx) error {
		for i := range support.OutreachRunCap {
			_, err := tx.CreateCustomer(ctx, &data.Customer{AccountNumber: fmt.Sprintf("4%06d", i), LoginID: fmt.Sprintf("sms%d", i),
				NameKanji: "一括 花子", NameKana: "イッカツ ハナコ", BirthDate: "1950-01-01", EmailStatus: "none",
				Phone: fmt.Sprintf("+8190%08d", i), PhoneVerified: true, PasswordHash: "x", TradingPasswordHash: "x"})
			if err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// no_email: demo-noemail (letter), sms-only, then the bulk customers.
	send := func(wantSMS, wantNeither string, wantMore bool) {
		t.Helper()
		sup := a.staffLogin("supervisor") // a day later: a new session
		p := sup.get("/console/reports/outreach?list=no_email")
		if p.text("outreach-sms") != wantSMS || p.text("outreach-neither") != wantNeither || p.has("outreach-more") != wantMore {
			t.Fatalf("dry run: sms %s neither %s more %v", p.text("outreach-sms"), p.text("outreach-neither"), p.has("outreach-more"))
		}
		if p := sup.post("/console/reports/outreach", url.Values{"list": {"no_email"}, "confirm": {"yes"}}); p.location != "/console/reports/outreach?list=no_email&notice=sent" {
			t.Fatalf("send: %q", p.location)
		}
		a.clock.Advance(24 * time.Hour)
	}
	// The letters list reads past the first chunk: one customer in all.
	found, next, err := a.Support.OutreachLetterCustomers(ctx, "no_email", 0, 10)
	if err != nil || len(found) != 1 || found[0].AccountNumber != "1000004" || next != 0 {
		t.Fatalf("letters: %+v next %d (%v)", found, next, err)
	}
	found, next, err = a.Support.OutreachLetterCustomers(ctx, "no_email", 0, 1)
	if err != nil || len(found) != 1 || next != found[0].ID {
		t.Fatalf("letters, one at a time: %+v next %d (%v)", found, next, err)
	}
	if found, next, err = a.Support.OutreachLetterCustomers(ctx, "no_email", next, 1); err != nil || len(found) != 0 || next != 0 {
		t.Fatalf("letters after the last: %+v next %d (%v)", found, next, err)
	}

	send(fmt.Sprint(support.OutreachRunCap-1), "1", true)
	send("2", "0", false) // the last two bulk customers
	send(fmt.Sprint(support.OutreachRunCap-1), "1", true)
	if got := len(a.reminders()); got != 2*(support.OutreachRunCap-1)+2 {
		t.Errorf("%d reminders", got)
	}
}

// Once a list's phase is in force, no reminder announcing it is sent.
func TestOutreachRefusedOncePhaseInForce(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t) // email_required_from is past
	sup := a.staffLogin("supervisor")
	if p := sup.get("/console/reports/outreach?list=no_email"); !p.has("outreach-in-force") || p.has("outreach-form") {
		t.Error("the page offers to send for a phase in force")
	}
	if p := sup.post("/console/reports/outreach", url.Values{"list": {"no_email"}, "confirm": {"yes"}}); p.location != "/console/reports/outreach?list=no_email&notice=in_force" {
		t.Errorf("send: %q", p.location)
	}
	if n := len(a.reminders()); n != 0 {
		t.Errorf("%d reminders queued", n)
	}
}
