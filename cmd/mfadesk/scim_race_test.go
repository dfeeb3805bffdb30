package main

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// Requests racing on one customer each apply to what the one before left
// (read, change and audit in one transaction): no change is lost, and
// the same new account posted at once is created once. A few rounds,
// since the requests interleave only sometimes.
func TestScimConcurrentChanges(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, noReadCache)
	api := newScimAPI(t, a)
	id := api.idOf("demo-email")
	for round := range 5 {
		lang := []string{"en", "ja"}[round%2]
		given := []string{"陽子", "一郎"}[round%2]
		phone := fmt.Sprintf("080-1111-222%d", round)
		postcode := fmt.Sprintf("150000%d", round+1)
		ops := []map[string]any{
			{"op": "replace", "path": "preferredLanguage", "value": lang},
			{"op": "replace", "path": "name.givenName", "value": given},
			{"op": "add", "path": "phoneNumbers", "value": []any{map[string]any{"value": phone, "type": "mobile"}}},
			{"op": "replace", "path": "urn:mfadesk:params:scim:schemas:extension:brokerage:2.0:User:postalAddress",
				"value": map[string]any{"postcode": postcode, "prefecture": "東京都", "line1": "渋谷区神宮前1-1"}},
		}
		account := fmt.Sprintf("200020%d", round)
		var start, done sync.WaitGroup
		start.Add(1)
		statuses := make(chan string, len(ops)+3)
		send := func(method, path string, body map[string]any, want int) {
			defer done.Done()
			start.Wait()
			if r := api.do(method, path, body); r.status != want {
				statuses <- fmt.Sprintf("%s %s: %d %s", method, path, r.status, r.raw)
			}
		}
		for _, op := range ops {
			done.Add(1)
			go send("PATCH", "/Users/"+id, patchOp(op), http.StatusOK)
		}
		for range 3 {
			done.Add(1)
			go send("POST", "/Users", newScimUser(account, "raced"+account), http.StatusCreated)
		}
		start.Done()
		done.Wait()
		close(statuses)
		for s := range statuses {
			t.Error(s)
		}
		c := a.customer("demo-email")
		st := importedState(t, a, c.AccountNumber)
		if c.Lang != lang || c.NameKanji != "鈴木 "+given || c.Phone != "+8180"+phone[4:8]+phone[9:] || st.Address.Postcode != postcode {
			t.Fatalf("round %d: a change was lost: %s %s %s %s", round, c.Lang, c.NameKanji, c.Phone, st.Address.Postcode)
		}
		if n := countRows(t, a, "customers WHERE account_number = '"+account+"'"); n != 1 {
			t.Errorf("%d customers for the account posted three times", n)
		}
	}
}

// A SCIM request racing an import of the same customer: each is one
// transaction, so both changes stay, whichever commits first.
func TestScimRacesImport(t *testing.T) {
	t.Parallel()
	a := newTestApp(t, noReadCache)
	api := newScimAPI(t, a)
	id := api.idOf("demo-email")
	file := importFile(t, "utf-8", importHeaderJA,
		"1000003,demo-email,鈴木 一郎,スズキ イチロウ,1960-01-15,,,,,,080-3333-4444,,,")
	var start, done sync.WaitGroup
	start.Add(1)
	done.Add(2)
	var importErr error
	var importOut string
	go func() {
		defer done.Done()
		start.Wait()
		var errOut string
		importOut, errOut, importErr = runImport(a, file)
		importOut += errOut
	}()
	var patched scimReply
	go func() {
		defer done.Done()
		start.Wait()
		patched = api.do("PATCH", "/Users/"+id, patchOp(map[string]any{"op": "replace", "path": "preferredLanguage", "value": "en"}))
	}()
	start.Done()
	done.Wait()
	if importErr != nil || patched.status != http.StatusOK {
		t.Fatalf("import: %v %s; patch: %d %s", importErr, importOut, patched.status, patched.raw)
	}
	if c := a.customer("demo-email"); c.Lang != "en" || c.Phone != "+818033334444" {
		t.Errorf("a change was lost: lang %q phone %q", c.Lang, c.Phone)
	}
}
