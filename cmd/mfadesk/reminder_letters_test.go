package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"mfadesk/contact"
	"mfadesk/data"
	"mfadesk/notify"
)

// addLetterOnlyCustomer adds a customer of the no_email list whom neither
// email nor SMS reaches, with a postal address, reading English.
func addLetterOnlyCustomer(t *testing.T, a *testApp) {
	t.Helper()
	ctx := context.Background()
	err := a.DB.InTx(ctx, func(tx *data.Tx) error {
		id, err := tx.CreateCustomer(ctx, &data.Customer{AccountNumber: "3000002", LoginID: "letter-en",
			NameKanji: "英語 一郎", NameKana: "エイゴ イチロウ", BirthDate: "1945-05-05", EmailStatus: "none",
			PasswordHash: "x", TradingPasswordHash: "x"})
		if err != nil {
			return err
		}
		return tx.SetCustomerAddress(ctx, id, contact.Address{Postcode: "1500001", Prefecture: "東京都", City: "渋谷区神宮前1-1-1"})
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := a.DB.SetCustomerLang(ctx, a.customerID("letter-en"), "en"); err != nil {
		t.Fatal(err)
	}
}

// reminderLetters lists the queued reminder letters, oldest first.
func (a *testApp) reminderLetters() []data.PostalLetter {
	a.t.Helper()
	ls, err := a.DB.LetterQueue(context.Background(), 100)
	if err != nil {
		a.t.Fatal(err)
	}
	var out []data.PostalLetter
	for _, l := range ls {
		if l.Kind == data.LetterKindReminder {
			out = append(out, l)
		}
	}
	return out
}

// Customers of a lockout list whom neither email nor SMS reaches get a
// reminder letter in the print queue when a postal address is on record:
// the dry run counts them (with / without an address), the send queues
// them with the run and its audit event. The letter (read with pdftotext)
// says what changes on which day and how to register, in the customer's
// language, carries no code and no login ID, and says nobody will ask
// for a code. It is downloaded (audited), exported in the batch, marked
// printed and returned like any letter.
func TestOutreachQueuesReminderLetters(t *testing.T) {
	t.Parallel()
	a := outreachApp(t)
	addNoEmailCustomers(t, a, 1) // an unverified phone, no address
	addLetterOnlyCustomer(t, a)
	sup := a.staffLogin("supervisor")
	p := sup.get("/console/reports/outreach?list=no_email")
	for id, want := range map[string]string{"outreach-email": "0", "outreach-sms": "1", "outreach-neither": "3",
		"outreach-letters-address": "2", "outreach-letters-no-address": "1"} {
		if got := p.text(id); got != want {
			t.Errorf("%s = %q, want %s", id, got, want)
		}
	}
	if n := len(a.reminderLetters()); n != 0 {
		t.Fatalf("the dry run queued %d letters", n)
	}
	if p := sup.post("/console/reports/outreach", url.Values{"list": {"no_email"}, "confirm": {"yes"}}); p.location != "/console/reports/outreach?list=no_email&notice=sent" {
		t.Fatalf("send: %q", p.location)
	}
	letters := a.reminderLetters()
	if len(letters) != 2 || letters[0].CustomerID != a.customerID("demo-noemail") || letters[1].CustomerID != a.customerID("letter-en") {
		t.Fatalf("reminder letters: %+v", letters)
	}
	phase := a.Config.MFA.EmailRequiredFrom
	for _, l := range letters {
		if l.CaseID != 0 || l.CodeEnc != nil || !l.ExpiresAt.Equal(phase) || l.List != "no_email" {
			t.Errorf("letter %d: case %d, code %d bytes, expires %v, list %q", l.ID, l.CaseID, len(l.CodeEnc), l.ExpiresAt, l.List)
		}
	}
	if d := a.auditDetails("outreach.send"); len(d) != 1 || !strings.HasPrefix(d[0], "list=no_email email=0 sms=1 letters=2 no_address=1 ") {
		t.Errorf("audited %q", d)
	}

	queue := sup.get("/console/letters")
	rows := queue.all("letter")
	if len(rows) != 2 {
		t.Fatalf("print queue rows: %d", len(rows))
	}
	for _, row := range rows {
		if attr(row, "data-kind") != "reminder" || attr(row, "data-status") != "queued" {
			t.Errorf("row kind %q status %q", attr(row, "data-kind"), attr(row, "data-status"))
		}
	}
	if got := queue.text("letter-kind"); got != "登録のご案内" {
		t.Errorf("kind shown as %q", got)
	}

	ja := strconv.FormatInt(letters[0].ID, 10)
	text := pdfText(t, []byte(sup.get("/console/letters/"+ja+"/pdf").body))
	for _, want := range []string{"転送不要郵便", "〒060-0001", "高橋 正子 様", "多要素認証のご登録のお願い", "2027年1月29日から",
		"「多要素認証設定」", "提携ショップ", "0120-000-000", "お尋ねすることはありません"} {
		if !strings.Contains(text, want) {
			t.Errorf("the reminder lacks %q:\n%s", want, text)
		}
	}
	if strings.Contains(text, "ご本人確認コード") || strings.Contains(text, "demo-noemail") || strings.Contains(text, "/verify/post") {
		t.Errorf("the reminder prints a code, the login ID or the code page:\n%s", text)
	}
	if got := notify.AsksToTellCode(text); got != "" {
		t.Errorf("the reminder asks to pass something on: %q", got)
	}
	if d := a.auditDetails("letters.download"); len(d) != 1 || d[0] != "letter="+ja+" kind=reminder" {
		t.Errorf("download audit: %q", d)
	}
	en := strconv.FormatInt(letters[1].ID, 10)
	text = pdfText(t, []byte(sup.get("/console/letters/"+en+"/pdf").body))
	for _, want := range []string{"〒150-0001", "英語 一郎 様", "Please register a way to confirm your logins",
		"From 29 January 2027 (Japan time)", "Multi-factor authentication", "partner shops", "will ever ask you for a code"} {
		if !strings.Contains(text, want) {
			t.Errorf("the English reminder lacks %q:\n%s", want, text)
		}
	}

	files := unzip(t, []byte(sup.get("/console/letters/export").body))
	manifest, err := csv.NewReader(bytes.NewReader(files["manifest.csv"])).ReadAll()
	if err != nil || len(manifest) != 3 || manifest[1][0] != ja || manifest[2][0] != en {
		t.Fatalf("manifest: %q %v", manifest, err)
	}
	sup.get("/console/letters")
	if p := sup.post("/console/letters/printed", url.Values{"id": {ja, en}}); p.location != "/console/letters?notice=printed" {
		t.Fatalf("printed: %q", p.location)
	}
	sup.get("/console/letters")
	if p := sup.post("/console/letters/"+ja+"/returned", nil); p.location != "/console/letters?notice=returned" {
		t.Fatalf("returned: %q", p.location)
	}
	status := map[int64]string{}
	for _, l := range a.reminderLetters() {
		status[l.ID] = l.Status
	}
	if status[letters[0].ID] != data.LetterReturned || status[letters[1].ID] != data.LetterPrinted {
		t.Errorf("after printed and returned: %v", status)
	}
	if d := a.auditDetails("letters.returned"); len(d) != 1 || d[0] != "letter="+ja+" kind=reminder" {
		t.Errorf("returned audit: %q", d)
	}
}

// A reminder letter is printable only until its phase begins: after it,
// the queue shows it expired, the batch leaves it out and the sweep marks
// it expired.
func TestReminderLetterExpiresAtPhase(t *testing.T) {
	t.Parallel()
	a := outreachApp(t)
	sup := a.staffLogin("supervisor")
	sup.get("/console/reports/outreach?list=no_passkey")
	sup.post("/console/reports/outreach", url.Values{"list": {"no_passkey"}, "confirm": {"yes"}})
	if n := len(a.reminderLetters()); n != 1 {
		t.Fatalf("%d reminder letters, want demo-noemail's", n)
	}
	a.clock.Advance(a.Config.MFA.InterimMethodsUntil.Sub(a.clock.Now()))
	sup = a.staffLogin("supervisor")
	if row := sup.get("/console/letters").byTestID("letter"); row == nil || attr(row, "data-status") != "expired" {
		t.Fatal("a reminder past its phase is not shown as expired")
	}
	if p := sup.get("/console/letters/export"); p.location != "/console/letters?notice=no_letters" {
		t.Fatalf("expired reminder exported: %d %q", p.status, p.location)
	}
	if s, err := a.DB.Sweep(context.Background(), a.Config.Retention); err != nil || s.Letters != 1 {
		t.Fatalf("sweep: %+v %v", s, err)
	}
	if l := a.reminderLetters()[0]; l.Status != data.LetterExpired {
		t.Fatalf("after the sweep: %s", l.Status)
	}
}

// An address change by an agent (contact changes need approval by
// default) or a partner (always) becomes a request: nothing changes until
// a supervisor approves it from a card that shows the new address masked;
// the change is then audited as the supervisor's and the customer told.
func TestAddressChangeNeedsApproval(t *testing.T) {
	t.Parallel()
	for _, role := range []string{"agent", "partner"} {
		a := newConsoleApp(t)
		c, kase := strongCase(t, a, role, "demo-sms")
		customer := a.customerID("demo-sms")
		if role == "partner" {
			k, err := a.DB.CaseByID(t.Context(), caseID(t, kase))
			if err != nil {
				t.Fatal(err)
			}
			customer = k.CustomerID
		}
		before, err := a.DB.CustomerAddress(t.Context(), customer)
		if err != nil {
			t.Fatal(err)
		}
		c.get(kase + "/address")
		form := url.Values{"postcode": {"1000005"}, "prefecture": {"東京都"}, "city": {"千代田区丸の内1-2-3"}}
		if p := c.post(kase+"/address", form); p.location != kase+"?notice=address_requested" {
			t.Fatalf("%s: %d %q", role, p.status, p.location)
		}
		if got, _ := a.DB.CustomerAddress(t.Context(), customer); got != before {
			t.Fatalf("%s: changed before approval: %+v", role, got)
		}
		if d := a.auditEventsOf("support.address_change"); len(d) != 1 || d[0] != "requested" {
			t.Fatalf("%s: audit %q", role, d)
		}
		sup := a.staffLogin("supervisor")
		id := onlyRequest(t, sup)
		card := sup.get("/console/requests")
		if s := card.text("request-summary"); !strings.Contains(s, "〒100-**** 東京都 ***") || strings.Contains(card.body, "丸の内") {
			t.Fatalf("%s: card says %q", role, s)
		}
		if p := sup.decide(id, "approve", nil); p.location != "/console/requests?notice=approved" {
			t.Fatalf("%s: approve %q", role, p.location)
		}
		want := contact.Address{Postcode: "1000005", Prefecture: "東京都", City: "千代田区丸の内1-2-3"}
		if got, err := a.DB.CustomerAddress(t.Context(), customer); err != nil || got != want {
			t.Fatalf("%s: after approval %+v %v", role, got, err)
		}
		assertLastAudit(t, a, "support.address_change", "success", "supervisor")
		found := false
		for _, m := range a.outbox() {
			found = found || strings.Contains(m.Body, "〒100-**** 東京都 ***")
		}
		if !found {
			t.Errorf("%s: the customer was not told", role)
		}
	}
	// Supervisors change it at once (TestAddressEntryNeedsStrongCheckAuditAndNotice).
	a := newConsoleApp(t)
	sup, kase := strongCase(t, a, "supervisor", "demo-email")
	sup.get(kase + "/address")
	if p := sup.post(kase+"/address", url.Values{"postcode": {"1000005"}, "prefecture": {"東京都"}, "city": {"千代田区1-1"}}); p.location != kase+"?notice=address_changed" {
		t.Fatalf("supervisor: %q", p.location)
	}
	if ids := requestIDs(t, a.staffLogin("admin")); len(ids) != 0 {
		t.Fatalf("a supervisor's change waits for approval: %v", ids)
	}
}
