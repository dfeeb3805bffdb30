package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/hex"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"mfadesk/contact"
	"mfadesk/data"
)

// The postal address is entered on a case only after a strong
// verification on it; a supervisor's change is audited masked (old and new) and
// every verified contact is told. Without an address no letter goes.
func TestAddressEntryNeedsStrongCheckAuditAndNotice(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	// A supervisor: their change needs no approval (an agent's does:
	// TestAddressChangeNeedsApproval).
	agent := a.staffLogin("supervisor")
	kase := agent.openCase(a.customerID("demo-email"), "phone")
	p := agent.get(kase)
	if !p.has("case-no-address") || p.has("postal-form") || p.has("address-link") {
		t.Fatal("a customer without address: the case page offers a letter or the address form before a strong check")
	}
	if p := agent.post(kase+"/verify/postal", nil); p.location != kase+"?notice=no_address" {
		t.Fatalf("letter without address: %q", p.location)
	}
	if got := agent.get(kase + "?notice=no_address").text("notice-error"); !strings.Contains(got, "住所") {
		t.Errorf("no-address refusal says: %q", got)
	}
	if ls, _ := a.DB.PostalLetters(t.Context(), a.customerID("demo-email")); len(ls) != 0 {
		t.Fatalf("letter queued without an address: %d", len(ls))
	}
	form := url.Values{"postcode": {"１００－０００５"}, "prefecture": {"東京都"}, "city": {"千代田区丸の内１－２－３"}, "building": {""}}
	if p := agent.get(kase + "/address"); p.status != http.StatusForbidden {
		t.Fatalf("address form before a strong check: %d", p.status)
	}
	if p := agent.post(kase+"/address", form); p.status != http.StatusForbidden {
		t.Fatalf("address saved before a strong check: %d %q", p.status, p.location)
	}
	if _, err := a.DB.CustomerAddress(t.Context(), a.customerID("demo-email")); err == nil {
		t.Fatal("address stored without a strong check")
	}

	possession(t, a, agent, kase, "demo-email")
	if !agent.get(kase).has("address-link") {
		t.Fatal("address form not offered after a strong check")
	}
	agent.get(kase + "/address")
	for field, bad := range map[string]url.Values{
		"postcode":   {"postcode": {"100-00"}, "prefecture": {"東京都"}, "city": {"千代田区"}},
		"prefecture": {"postcode": {"1000005"}, "prefecture": {"東京"}, "city": {"千代田区"}},
		"city":       {"postcode": {"1000005"}, "prefecture": {"東京都"}, "city": {strings.Repeat("長", 41)}},
	} {
		p := agent.post(kase+"/address", bad)
		if p.status != http.StatusUnprocessableEntity || p.text("notice-error") == "" {
			t.Errorf("bad %s: %d %q", field, p.status, p.location)
		}
	}
	before := len(a.outbox())
	if p := agent.post(kase+"/address", form); p.location != kase+"?notice=address_changed" {
		t.Fatalf("save address: %d %q %s", p.status, p.location, p.text("notice-error"))
	}
	got, err := a.DB.CustomerAddress(t.Context(), a.customerID("demo-email"))
	if want := (contact.Address{Postcode: "1000005", Prefecture: "東京都", City: "千代田区丸の内1-2-3"}); err != nil || got != want {
		t.Fatalf("stored address: %+v %v", got, err)
	}
	details := a.auditDetails("support.address_change")
	if len(details) != 1 || details[0] != "before=none after=〒100-**** 東京都 ***" {
		t.Fatalf("audit: %q", details)
	}
	msgs := a.outbox()
	if len(msgs) != before+1 || msgs[0].To != "demo-email@example.jp" || !strings.Contains(msgs[0].Body, "〒100-**** 東京都 ***") ||
		strings.Contains(msgs[0].Body, "丸の内") {
		t.Fatalf("notice to the verified email: %d -> %d %+v", before, len(msgs), msgs[0])
	}
	page := agent.get(kase)
	if !strings.Contains(page.text("case-address"), "〒100-**** 東京都 ***") || strings.Contains(page.body, "丸の内") || !page.has("postal-form") {
		t.Fatalf("case page after the change: %q", page.text("case-postal"))
	}
	agent.get(kase + "/address")
	agent.post(kase+"/address", url.Values{"postcode": {"5300001"}, "prefecture": {"大阪府"}, "city": {"大阪市北区梅田1-1"}})
	if details := a.auditDetails("support.address_change"); len(details) != 2 || details[0] != "before=〒100-**** 東京都 *** after=〒530-**** 大阪府 ***" {
		t.Fatalf("second change audit: %q", details)
	}
}

// Nobody enters an address on their own brokerage account, even after a
// strong verification.
func TestAddressEntryRefusedOnOwnAccount(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	admin, kase := strongCase(t, a, "admin", "demo-sms")
	st, err := a.DB.StaffByLogin(t.Context(), "admin")
	if err != nil {
		t.Fatal(err)
	}
	if err := a.DB.InTx(t.Context(), func(tx *data.Tx) error {
		return tx.SetStaffCustomer(t.Context(), st.ID, a.customerID("demo-sms"))
	}); err != nil {
		t.Fatal(err)
	}
	admin.get(kase + "/address")
	p := admin.post(kase+"/address", url.Values{"postcode": {"1000005"}, "prefecture": {"東京都"}, "city": {"千代田区1-1"}})
	if p.location != kase+"?notice=own_account" {
		t.Fatalf("own account: %d %q", p.status, p.location)
	}
	if got, _ := a.DB.CustomerAddress(t.Context(), a.customerID("demo-sms")); got.Prefecture != "大阪府" {
		t.Fatalf("address changed on own account: %+v", got)
	}
	if outcomes := a.auditEventsOf("console.denied"); len(outcomes) == 0 || outcomes[0] != "refused:own_account" {
		t.Fatalf("audit: %q", outcomes)
	}
	if outcomes := a.auditEventsOf("support.address_change"); len(outcomes) != 0 {
		t.Fatalf("address change audited as done: %q", outcomes)
	}
}

// The print queue is the mail room's (admins, supervisors): others are
// refused. A download is audited; marking printed scrubs the code (no
// column, no byte of a backup holds it, sealed or in clear); a printed
// letter cannot be downloaded again; marking it returned voids its
// verification, which the case shows, and the code stops working.
func TestLetterQueueStatesDownloadsAndScrub(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	for _, login := range []string{"agent", "auditor", "partner"} {
		if p := a.staffLogin(login).get("/console/letters"); p.status != http.StatusForbidden {
			t.Errorf("%s reaches the print queue: %d", login, p.status)
		}
	}
	sup, kase, code := postalLetterCode(t, a, "demo-noemail")
	l := a.newestLetter("demo-noemail")
	sealed := append([]byte(nil), l.CodeEnc...)
	if l.Status != data.LetterQueued || len(sealed) == 0 || bytes.Contains(sealed, []byte(code)) {
		t.Fatalf("queued letter: %s %d bytes", l.Status, len(sealed))
	}
	queue := sup.get("/console/letters")
	row := queue.byTestID("letter")
	if row == nil || attr(row, "data-status") != "queued" || queue.has("letters-no-font") {
		t.Fatalf("queue: %s", queue.text("letters"))
	}
	id := strconv.FormatInt(l.ID, 10)
	p := sup.get("/console/letters/" + id + "/pdf")
	if p.status != http.StatusOK || p.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(p.body, "%PDF") ||
		p.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("download: %d %q", p.status, p.header.Get("Content-Type"))
	}
	if d := a.auditDetails("letters.download"); len(d) != 1 || d[0] != "letter="+id {
		t.Fatalf("download audit: %q", d)
	}

	sup.get("/console/letters")
	if p := sup.post("/console/letters/"+id+"/printed", nil); p.location != "/console/letters?notice=printed" {
		t.Fatalf("mark printed: %q", p.location)
	}
	if l := a.newestLetter("demo-noemail"); l.Status != data.LetterPrinted || l.CodeEnc != nil {
		t.Fatalf("printed letter keeps its code: %s %d", l.Status, len(l.CodeEnc))
	}
	if backupHolds(t, a, code) || backupHolds(t, a, string(sealed)) {
		t.Fatal("a backup after printing holds the letter's code")
	}
	if p := sup.get("/console/letters/" + id + "/pdf"); p.location != "/console/letters?notice=not_allowed" {
		t.Fatalf("printed letter downloaded again: %d %q", p.status, p.location)
	}
	if d := a.auditEventsOf("letters.printed"); len(d) != 1 {
		t.Fatalf("printed audit: %q", d)
	}

	sup.get("/console/letters")
	if p := sup.post("/console/letters/"+id+"/returned", nil); p.location != "/console/letters?notice=returned" {
		t.Fatalf("mark returned: %q", p.location)
	}
	if d := a.auditEventsOf("letters.returned"); len(d) != 1 {
		t.Fatalf("returned audit: %q", d)
	}
	page := sup.get(kase)
	if letter := page.byTestID("case-letter"); letter == nil || attr(letter, "data-status") != "returned" || page.has("postal-pending") {
		t.Fatalf("case page after the return: %q", page.text("case-postal"))
	}
	customer := a.newClient()
	customer.get("/verify/post")
	if p := customer.post("/verify/post", url.Values{"login_id": {"demo-noemail"}, "code": {code}}); p.status != http.StatusUnauthorized {
		t.Fatalf("code of a returned letter: %d", p.status)
	}
}

// The mail house's batch: one zip with a PDF of every queued letter and a
// manifest (letter id, postcode) without codes, audited; the batch is
// then marked printed at once. A letter past its expiry shows as
// expired, is left out, and the sweep scrubs its code.
func TestLetterBatchExportAndExpiry(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	sup := a.staffLogin("supervisor")
	var codes []string
	var ids []string
	for _, loginID := range []string{"demo-noemail", "demo-app"} {
		kase := sup.openCase(a.customerID(loginID), "phone")
		sup.post(kase+"/verify/postal", nil)
		codes = append(codes, a.letterCode(loginID))
		ids = append(ids, strconv.FormatInt(a.newestLetter(loginID).ID, 10))
	}
	sup.get("/console/letters")
	p := sup.get("/console/letters/export")
	if p.status != http.StatusOK || p.header.Get("Content-Type") != "application/zip" {
		t.Fatalf("export: %d %q", p.status, p.location)
	}
	files := unzip(t, []byte(p.body))
	if !strings.HasPrefix(string(files["letters.pdf"]), "%PDF") {
		t.Fatal("no PDF in the batch")
	}
	rows, err := csv.NewReader(bytes.NewReader(files["manifest.csv"])).ReadAll()
	if err != nil || len(rows) != 3 || rows[1][0] != ids[0] || rows[1][1] != "0600001" || rows[2][1] != "1000005" {
		t.Fatalf("manifest: %q %v", rows, err)
	}
	for _, code := range codes {
		if bytes.Contains(files["manifest.csv"], []byte(code)) {
			t.Fatal("the manifest holds a code")
		}
	}
	if d := a.auditDetails("letters.export"); len(d) != 1 || d[0] != "letters="+ids[0]+","+ids[1] {
		t.Fatalf("export audit: %q", d)
	}
	sup.get("/console/letters")
	if p := sup.post("/console/letters/printed", url.Values{"id": ids}); p.location != "/console/letters?notice=printed" {
		t.Fatalf("batch printed: %q", p.location)
	}
	for _, loginID := range []string{"demo-noemail", "demo-app"} {
		if l := a.newestLetter(loginID); l.Status != data.LetterPrinted || l.CodeEnc != nil {
			t.Fatalf("%s after the batch: %s", loginID, l.Status)
		}
	}
	if p := sup.get("/console/letters/export"); p.location != "/console/letters?notice=no_letters" {
		t.Fatalf("export of an empty queue: %d %q", p.status, p.location)
	}

	kase := sup.openCase(a.customerID("demo-sms"), "phone")
	sup.post(kase+"/verify/postal", nil)
	a.clock.Advance(15 * 24 * time.Hour)
	sup = a.staffLogin("supervisor")
	if row := sup.get("/console/letters").byTestID("letter"); row == nil || attr(row, "data-status") != "expired" {
		t.Fatal("an expired letter is not shown as expired")
	}
	if p := sup.get("/console/letters/export"); p.location != "/console/letters?notice=no_letters" {
		t.Fatalf("expired letter exported: %d %q", p.status, p.location)
	}
	if s, err := a.DB.Sweep(context.Background(), a.Config.Retention); err != nil || s.Letters != 1 {
		t.Fatalf("sweep: %+v %v", s, err)
	}
	if l := a.newestLetter("demo-sms"); l.Status != data.LetterExpired || l.CodeEnc != nil {
		t.Fatalf("expired letter after the sweep: %s %d", l.Status, len(l.CodeEnc))
	}
}

// A new letter on the case voids the one not printed yet and scrubs its
// code; so does closing the case.
func TestLetterVoidedByResendAndClose(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	sup, kase, _ := postalLetterCode(t, a, "demo-noemail")
	first := a.newestLetter("demo-noemail")
	a.clock.Advance(2 * time.Minute)
	sup.get(kase)
	if p := sup.post(kase+"/verify/postal", nil); p.location != kase+"?notice=postal_sent" {
		t.Fatalf("second letter: %q", p.location)
	}
	letters, _ := a.DB.PostalLetters(t.Context(), a.customerID("demo-noemail"))
	if len(letters) != 2 || letters[1].ID != first.ID || letters[1].Status != data.LetterVoided || letters[1].CodeEnc != nil ||
		letters[0].Status != data.LetterQueued {
		t.Fatalf("after a resend: %+v", letters)
	}
	sup.get(kase)
	sup.post(kase+"/close", nil)
	if l := a.newestLetter("demo-noemail"); l.Status != data.LetterVoided || l.CodeEnc != nil {
		t.Fatalf("letter of a closed case: %s", l.Status)
	}
}

func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		out[f.Name], err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// pdfText extracts a PDF's text with pdftotext (Debian poppler-utils);
// the test skips without it, except in CI, which installs it.
func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("pdftotext is missing: apt-get install poppler-utils")
		}
		t.Skip("pdftotext is missing (apt-get install poppler-utils): the letter's text cannot be read")
	}
	in := filepath.Join(t.TempDir(), "letter.pdf")
	if err := os.WriteFile(in, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", "-layout", in, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	return string(out)
}

// rekey re-encrypts the sealed code of a letter not printed yet: after
// it, the new key alone opens it.
func TestRekeyCoversLetterCodes(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	_, _, code := postalLetterCode(t, a, "demo-noemail")
	before := a.newestLetter("demo-noemail").CodeEnc
	newKey := randomKey(t)
	if _, err := runCommand("rekey", "--db", a.Config.DB, "--old-key", "dev", "--new-key", hex.EncodeToString(newKey)); err != nil {
		t.Fatalf("rekey: %v", err)
	}
	alone := reopen(t, a, newKey)
	if l := alone.newestLetter("demo-noemail"); bytes.Equal(l.CodeEnc, before) {
		t.Fatal("the letter's code was not re-encrypted")
	}
	if got := alone.letterCode("demo-noemail"); got != code {
		t.Fatalf("after rekey the letter's code is %q, want %q", got, code)
	}
}

// Without a Japanese font the service runs, letters still queue, and the
// print queue says what to install instead of printing.
func TestLetterQueueWithoutFont(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t, func(cfg *Config) { cfg.LetterFont = filepath.Join(t.TempDir(), "missing.ttf") })
	sup, _, _ := postalLetterCode(t, a, "demo-noemail")
	p := sup.get("/console/letters")
	if !strings.Contains(p.text("letters-no-font"), "apt-get install fonts-ipafont-gothic") || p.has("letter-pdf") {
		t.Fatalf("queue without a font: %q", p.text("letters-no-font"))
	}
	id := strconv.FormatInt(a.newestLetter("demo-noemail").ID, 10)
	for _, path := range []string{"/console/letters/" + id + "/pdf", "/console/letters/export"} {
		if p := sup.get(path); p.location != "/console/letters?notice=no_font" {
			t.Errorf("GET %s without a font: %d %q", path, p.status, p.location)
		}
	}
	if d := a.auditDetails("letters.download"); len(d) != 0 {
		t.Errorf("a download that did not happen is audited: %q", d)
	}
}
