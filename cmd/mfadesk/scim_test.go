package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"mfadesk/scim"
)

// Provisioning over SCIM on the internal listener (docs/security.md S73).

// A new customer posted by the back office is created with the import's
// effects, shown with a stable opaque id, found by userName and by
// externalId, and audited with the token's name as the actor.
func TestScimCreateGetFilter(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	api := newScimAPI(t, a)
	r := api.do("POST", "/Users", newScimUser("2000101", "kondo"))
	if r.status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.status, r.raw)
	}
	id, _ := r.body["id"].(string)
	if len(id) != 32 || id == "kondo" || id == "2000101" {
		t.Errorf("id %q: want an opaque id", id)
	}
	if loc := r.header.Get("Location"); loc != scim.Prefix+"/v2/Users/"+id {
		t.Errorf("Location %q", loc)
	}
	c := a.customer("kondo")
	if c == nil || c.AccountNumber != "2000101" || c.NameKanji != "近藤 恵" || c.Email != "kondo@example.jp" ||
		c.EmailStatus != "verified" || c.Phone != "+819012340001" || !c.PhoneVerified || c.Lang != "ja" {
		t.Fatalf("customer: %+v", c)
	}
	if strings.Contains(strings.ToLower(r.raw), "password") || strings.Contains(r.raw, "$argon2id$") {
		t.Errorf("a password in the answer: %s", r.raw)
	}
	got := api.do("GET", "/Users/"+id, nil)
	ext, _ := got.body[scim.ExtensionSchema].(map[string]any)
	if got.status != http.StatusOK || got.body["userName"] != "kondo" || got.body["externalId"] != "2000101" ||
		ext["kanaName"] != "コンドウ ケイ" || ext["birthDate"] != "1955-03-09" || got.body["active"] != true {
		t.Fatalf("get: %d %s", got.status, got.raw)
	}
	if addr, _ := ext["postalAddress"].(map[string]any); addr["postcode"] != "1000001" || addr["prefecture"] != "東京都" {
		t.Errorf("address: %v", ext["postalAddress"])
	}
	for _, f := range []string{`userName%20eq%20%22KONDO%22`, `externalId%20eq%20%222000101%22`,
		`userName%20eq%20%22kondo%22%20and%20externalId%20eq%20%222000101%22`} {
		l := api.do("GET", "/Users?filter="+f, nil)
		list, _ := l.body["Resources"].([]any)
		if l.status != http.StatusOK || l.body["totalResults"] != float64(1) || len(list) != 1 || list[0].(map[string]any)["id"] != id {
			t.Errorf("filter %s: %d %s", f, l.status, l.raw)
		}
	}
	if l := api.do("GET", `/Users?filter=userName%20eq%20%22nobody%22`, nil); l.body["totalResults"] != float64(0) {
		t.Errorf("unknown userName: %s", l.raw)
	}
	if l := api.do("GET", `/Users?filter=displayName%20co%20%22%E8%BF%91%22`, nil); l.status != http.StatusBadRequest || l.body["scimType"] != "invalidFilter" {
		t.Errorf("unsupported filter: %d %s", l.status, l.raw)
	}
	page := api.do("GET", "/Users?startIndex=2&count=2", nil)
	if list, _ := page.body["Resources"].([]any); page.body["totalResults"] != float64(5) || len(list) != 2 || page.body["startIndex"] != float64(2) {
		t.Errorf("page: %s", page.raw)
	}
	events := auditOf(t, a, "customer.provision")
	if len(events) != 1 || events[0].ActorKind != "scim" || events[0].Actor != "backoffice" || events[0].Detail != "created" ||
		events[0].CustomerID != c.ID || events[0].ClientIP != "127.0.0.1" {
		t.Errorf("audit: %+v", events)
	}
	// A retried POST is the import's upsert: nothing changes, nothing is audited.
	if r := api.do("POST", "/Users", newScimUser("2000101", "kondo")); r.status != http.StatusCreated || r.body["id"] != id {
		t.Errorf("retried create: %d %s", r.status, r.raw)
	}
	if n := len(auditOf(t, a, "customer.provision")); n != 1 {
		t.Errorf("%d audit events after the retry", n)
	}
	for _, path := range []string{"/ServiceProviderConfig", "/ResourceTypes", "/Schemas", "/Schemas/" + scim.ExtensionSchema} {
		if r := api.do("GET", path, nil); r.status != http.StatusOK {
			t.Errorf("%s: %d %s", path, r.status, r.raw)
		}
	}
}

// A contact changed over SCIM for a customer who had verified one is not
// trusted, the old contact is told and withdrawals are held, all with
// the change.
func TestScimPatchContactNotTrusted(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	api := newScimAPI(t, a)
	id := api.idOf("demo-app")
	r := api.do("PATCH", "/Users/"+id, patchOp(map[string]any{"op": "replace", "path": `emails[type eq "work"].value`, "value": "new-app@example.jp"}))
	if r.status != http.StatusOK {
		t.Fatalf("patch: %d %s", r.status, r.raw)
	}
	if ext := r.body[scim.ExtensionSchema].(map[string]any); ext["emailVerified"] != false {
		t.Errorf("answer says the new email is verified: %s", r.raw)
	}
	c := a.customer("demo-app")
	if c.Email != "new-app@example.jp" || c.EmailStatus != "unverified" || c.WithdrawalHoldReason != "contact_import" {
		t.Fatalf("customer: %+v", c)
	}
	told := 0
	for _, m := range a.outbox() {
		if m.To == "demo-app@example.jp" && strings.Contains(m.Body, "当社のお客様情報の更新") {
			told++
		}
		if m.To == "new-app@example.jp" {
			t.Errorf("the new, untrusted address was written to: %+v", m)
		}
	}
	if told != 1 {
		t.Errorf("%d notices to the old address", told)
	}
	if d := a.auditDetails("customer.provision"); len(d) != 1 || d[0] != "changed=email untrusted=email" {
		t.Errorf("audit: %q", d)
	}
	// A contact is never removed: the customer keeps being reachable.
	r = api.do("PATCH", "/Users/"+id, patchOp(map[string]any{"op": "remove", "path": "phoneNumbers"}))
	if r.status != http.StatusBadRequest || r.body["scimType"] != "mutability" || !strings.Contains(r.raw, "mobile: a contact on record is not removed") {
		t.Errorf("remove phone: %d %s", r.status, r.raw)
	}
}

// active=false closes the account: its sessions end at once and it can
// no longer log in; DELETE does the same, and PATCH active=true reopens.
func TestScimDeactivateEndsSessions(t *testing.T) {
	t.Parallel()
	a := newTestApp(t) // read cache on, as a server runs
	api := newScimAPI(t, a)
	c := loggedInClient(t, a, "demo-sms")
	id := api.idOf("demo-sms")
	r := api.do("PATCH", "/Users/"+id, patchOp(map[string]any{"op": "replace", "value": map[string]any{"active": false}}))
	if r.status != http.StatusOK || r.body["active"] != false {
		t.Fatalf("deactivate: %d %s", r.status, r.raw)
	}
	if p := c.get("/home"); p.status == http.StatusOK {
		t.Fatal("the closed account's session goes on")
	}
	if p := a.newClient().login("demo-sms", demoPassword); p.status != http.StatusUnauthorized {
		t.Errorf("closed account login: %d %q", p.status, p.location)
	}
	if d := a.auditDetails("customer.provision"); len(d) != 1 || d[0] != "changed=status closed sessions_ended" {
		t.Errorf("audit: %q", d)
	}
	if r := api.do("PATCH", "/Users/"+id, patchOp(map[string]any{"op": "replace", "path": "active", "value": true})); r.status != http.StatusOK {
		t.Fatalf("reopen: %d %s", r.status, r.raw)
	}
	c2 := loggedInClient(t, a, "demo-sms")
	if r := api.do("DELETE", "/Users/"+id, nil); r.status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.status, r.raw)
	}
	if p := c2.get("/home"); p.status == http.StatusOK {
		t.Fatal("session goes on after DELETE")
	}
	if got := api.do("GET", "/Users/"+id, nil); got.status != http.StatusOK || got.body["active"] != false {
		t.Errorf("after DELETE: %d %s", got.status, got.raw)
	}
	if r := api.do("DELETE", "/Users/0123456789abcdef0123456789abcdef", nil); r.status != http.StatusNotFound {
		t.Errorf("delete unknown id: %d %s", r.status, r.raw)
	}
}

// PUT replaces the customer; the same PUT again changes nothing and
// audits nothing.
func TestScimPutIdempotent(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, noReadCache)
	api := newScimAPI(t, a)
	id := api.idOf("demo-sms")
	user := newScimUser("1000002", "demo-sms")
	user["emails"] = []any{map[string]any{"value": "demo-sms@example.jp", "primary": true}}
	user["phoneNumbers"] = []any{map[string]any{"value": "+819000000002", "type": "mobile"}}
	user["name"] = map[string]any{"formatted": "佐藤 花子"}
	user[scim.ExtensionSchema] = map[string]any{"kanaName": "サトウ ハナコ", "birthDate": "1948-11-23",
		"postalAddress": map[string]any{"postcode": "5300001", "prefecture": "大阪府", "line1": "大阪市北区梅田1-1"}}
	user["preferredLanguage"] = "en"
	if r := api.do("PUT", "/Users/"+id, user); r.status != http.StatusOK {
		t.Fatalf("put: %d %s", r.status, r.raw)
	}
	if d := a.auditDetails("customer.provision"); len(d) != 1 || d[0] != "changed=lang,address" {
		t.Fatalf("audit: %q", d)
	}
	before := tablesDigest(t, a, "sessions", "anonymous_sessions")
	if r := api.do("PUT", "/Users/"+id, user); r.status != http.StatusOK || r.body["preferredLanguage"] != "en" {
		t.Fatalf("second put: %d %s", r.status, r.raw)
	}
	if n := len(a.auditDetails("customer.provision")); n != 1 {
		t.Errorf("%d audit events after the identical PUT", n)
	}
	if after := tablesDigest(t, a, "sessions", "anonymous_sessions"); after != before {
		t.Error("the identical PUT changed the database")
	}
	delete(user, "externalId") // the account number stays
	if r := api.do("PUT", "/Users/"+id, user); r.status != http.StatusOK || r.body["externalId"] != "1000002" {
		t.Errorf("put without externalId: %d %s", r.status, r.raw)
	}
	user["externalId"] = "1000003"
	if r := api.do("PUT", "/Users/"+id, user); r.status != http.StatusBadRequest || r.body["scimType"] != "mutability" {
		t.Errorf("put changing the account number: %d %s", r.status, r.raw)
	}
}

// A bad user is refused with the import's reasons, in SCIM's error JSON,
// and changes nothing; a login ID of another account is 409; a password
// is not accepted.
func TestScimBadUserRefused(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, noReadCache)
	api := newScimAPI(t, a)
	before := tablesDigest(t, a, "sessions", "anonymous_sessions")
	bad := newScimUser("20001x", "kondo")
	bad[scim.ExtensionSchema].(map[string]any)["kanaName"] = "近藤"
	bad["emails"] = []any{map[string]any{"value": "not-an-address"}}
	r := api.do("POST", "/Users", bad)
	if r.status != http.StatusBadRequest || r.body["scimType"] != "invalidValue" || r.body["status"] != "400" {
		t.Fatalf("bad user: %d %s", r.status, r.raw)
	}
	for _, reason := range []string{"account_number: must be 1 to 20 digits", "name_kana: must be katakana (full or half width)",
		"email: not an email address"} {
		if !strings.Contains(r.body["detail"].(string), reason) {
			t.Errorf("detail %q lacks the import's %q", r.body["detail"], reason)
		}
	}
	taken := api.do("POST", "/Users", newScimUser("2000102", "demo-app"))
	if taken.status != http.StatusConflict || taken.body["scimType"] != "uniqueness" || taken.body["detail"] != "login_id: belongs to another account" {
		t.Errorf("login ID of another account: %d %s", taken.status, taken.raw)
	}
	withPassword := newScimUser("2000103", "ono")
	withPassword["password"] = "Imported#2026pass"
	if r := api.do("POST", "/Users", withPassword); r.status != http.StatusBadRequest || !strings.Contains(r.raw, "password: not set by provisioning") {
		t.Errorf("password: %d %s", r.status, r.raw)
	}
	if after := tablesDigest(t, a, "sessions", "anonymous_sessions"); after != before {
		t.Error("a refused request changed the database")
	}
}

// Without a usable bearer token every endpoint answers 401 with
// WWW-Authenticate and the same body, whether or not the customer exists.
func TestScimRefusedWithoutToken(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	api := newScimAPI(t, a)
	id := api.idOf("demo-app")
	if err := a.Support.RevokeScimToken(context.Background(), "backoffice", cliActor()); err != nil {
		t.Fatal(err)
	}
	revoked := api.token
	fresh, err := a.Support.CreateScimToken(context.Background(), "backoffice", cliActor())
	if err != nil {
		t.Fatal(err)
	}
	var bodies []string
	for _, token := range []string{"", "wrong", revoked, fresh[:len(fresh)-1] + "X"} {
		for _, path := range []string{"/Users/" + id, "/Users/0123456789abcdef0123456789abcdef", "/Users", "/ServiceProviderConfig"} {
			r := api.doWith(token, "GET", path, nil)
			if r.status != http.StatusUnauthorized || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer ") {
				t.Errorf("token %q %s: %d %q", token, path, r.status, r.header.Get("WWW-Authenticate"))
			}
			bodies = append(bodies, r.raw)
		}
		if r := api.doWith(token, "PATCH", "/Users/"+id, patchOp(map[string]any{"op": "replace", "path": "active", "value": false})); r.status != http.StatusUnauthorized {
			t.Errorf("patch with token %q: %d", token, r.status)
		}
	}
	for _, b := range bodies {
		if b != bodies[0] {
			t.Errorf("401 bodies differ: %q and %q", b, bodies[0])
		}
	}
	if c := a.customer("demo-app"); c == nil {
		t.Fatal("demo-app gone")
	}
	if r := api.doWith(fresh, "GET", "/Users/"+id, nil); r.status != http.StatusOK {
		t.Errorf("the new token: %d %s", r.status, r.raw)
	}
}

// SCIM is served on the internal listener only: the customer site (and
// the console, on the same or its own listener) answer 404 even with a
// valid token.
func TestScimNotOnPublicListener(t *testing.T) {
	t.Parallel()
	a := newTestApp(t)
	api := newScimAPI(t, a)
	for _, base := range []string{a.srv.URL} {
		for _, path := range []string{"/scim/v2/Users", "/scim/v2/ServiceProviderConfig", "/console/scim/v2/Users"} {
			req, _ := http.NewRequest("GET", base+path, nil)
			req.Header.Set("Authorization", "Bearer "+api.token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusNotFound {
				t.Errorf("public %s: %d", path, resp.StatusCode)
			}
		}
	}
	if r := api.do("GET", "/Users", nil); r.status != http.StatusOK {
		t.Fatalf("internal listener: %d %s", r.status, r.raw)
	}
	resp, err := http.Get(api.srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("the internal listener serves /login: %d", resp.StatusCode)
	}
}
