package scim

import (
	"testing"
	"time"

	"github.com/elimity-com/scim"
	"github.com/scim2/filter-parser/v2"

	"mfadesk/contact"
	"mfadesk/data"
	"mfadesk/support"
)

func fixture() support.ProvisionedCustomer {
	return support.ProvisionedCustomer{ScimID: "0123456789abcdef0123456789abcdef", ImportedState: data.ImportedState{
		Customer: data.Customer{AccountNumber: "1000001", LoginID: "yamada", NameKanji: "山田 太郎", NameKana: "ヤマダ タロウ",
			BirthDate: "1950-04-01", Email: "yamada@example.jp", EmailStatus: "verified", Phone: "+819000000001",
			PhoneVerified: true, Lang: "ja"},
		Address: contact.Address{Postcode: "1000001", Prefecture: "東京都", City: "千代田区千代田1-1"},
	}}
}

func op(t *testing.T, kind, path string, value any) scim.PatchOperation {
	t.Helper()
	o := scim.PatchOperation{Op: kind, Value: value}
	if path != "" {
		p, err := filter.ParsePath([]byte(path))
		if err != nil {
			t.Fatalf("path %q: %v", path, err)
		}
		o.Path = &p
	}
	return o
}

// Each PATCH path the API accepts lands in the import's field it names;
// the other fields stay as they were.
func TestApplyPatch(t *testing.T) {
	ext := ExtensionSchema
	for _, tc := range []struct {
		name  string
		ops   []scim.PatchOperation
		col   support.ImportColumn
		want  string
		error bool
	}{
		{name: "userName", ops: []scim.PatchOperation{op(t, "replace", "userName", "yamada2")}, col: support.ColLoginID, want: "yamada2"},
		{name: "attribute names without case", ops: []scim.PatchOperation{op(t, "replace", "USERNAME", "yamada3")}, col: support.ColLoginID, want: "yamada3"},
		{name: "name.formatted", ops: []scim.PatchOperation{op(t, "replace", "name.formatted", "山田 花子")}, col: support.ColNameKanji, want: "山田 花子"},
		{name: "name.givenName makes the full name", ops: []scim.PatchOperation{op(t, "replace", "name.givenName", "次郎")}, col: support.ColNameKanji, want: "山田 次郎"},
		{name: "name as a complex value", ops: []scim.PatchOperation{op(t, "replace", "name", map[string]any{"familyName": "田中"})}, col: support.ColNameKanji, want: "田中 太郎"},
		{name: "email by value filter", ops: []scim.PatchOperation{op(t, "replace", `emails[type eq "work"].value`, "new@example.jp")}, col: support.ColEmail, want: "new@example.jp"},
		{name: "emails as a list", ops: []scim.PatchOperation{op(t, "add", "emails", []any{map[string]any{"value": "a@example.jp"}, map[string]any{"value": "b@example.jp", "primary": true}})}, col: support.ColEmail, want: "b@example.jp"},
		{name: "mobile by value filter", ops: []scim.PatchOperation{op(t, "replace", `phoneNumbers[type eq "mobile"].value`, "080-1234-5678")}, col: support.ColMobile, want: "080-1234-5678"},
		{name: "active false by path", ops: []scim.PatchOperation{op(t, "replace", "active", false)}, col: support.ColStatus, want: "closed"},
		{name: "active false without path", ops: []scim.PatchOperation{op(t, "replace", "", map[string]any{"active": false})}, col: support.ColStatus, want: "closed"},
		{name: "active true", ops: []scim.PatchOperation{op(t, "replace", "active", false), op(t, "replace", "active", true)}, col: support.ColStatus, want: "active"},
		{name: "no path, dotted name", ops: []scim.PatchOperation{op(t, "replace", "", map[string]any{"name.familyName": "佐藤"})}, col: support.ColNameKanji, want: "佐藤 太郎"},
		{name: "no path, extension container", ops: []scim.PatchOperation{op(t, "replace", "", map[string]any{ext: map[string]any{"kanaName": "ヤマダ ハナコ"}})}, col: support.ColNameKana, want: "ヤマダ ハナコ"},
		{name: "extension attribute by URN path", ops: []scim.PatchOperation{op(t, "replace", ext+":birthDate", "1951-05-06")}, col: support.ColBirthDate, want: "1951-05-06"},
		{name: "extension sub-attribute", ops: []scim.PatchOperation{op(t, "replace", ext+":postalAddress.postcode", "530-0001")}, col: support.ColPostcode, want: "530-0001"},
		{name: "extension complex value keeps the rest", ops: []scim.PatchOperation{op(t, "add", ext+":postalAddress", map[string]any{"line2": "101号室"})}, col: support.ColBuilding, want: "101号室"},
		{name: "preferredLanguage tag", ops: []scim.PatchOperation{op(t, "replace", "preferredLanguage", "en-US")}, col: support.ColLanguage, want: "en"},
		{name: "remove preferredLanguage: unchanged", ops: []scim.PatchOperation{op(t, "remove", "preferredLanguage", nil)}, col: support.ColLanguage, want: ""},
		{name: "remove emails", ops: []scim.PatchOperation{op(t, "remove", "emails", nil)}, col: support.ColEmail, want: ""},
		{name: "remove by value filter", ops: []scim.PatchOperation{op(t, "remove", `phoneNumbers[type eq "mobile"]`, nil)}, col: support.ColMobile, want: ""},
		{name: "remove without path", ops: []scim.PatchOperation{op(t, "remove", "", nil)}, error: true},
		{name: "password", ops: []scim.PatchOperation{op(t, "replace", "password", "Secret#2026x")}, error: true},
		{name: "account number changes with accountNumber only", ops: []scim.PatchOperation{op(t, "replace", ext+":accountNumber", "1000009")}, error: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := attributes(fixture())
			base, err := record(attributes(fixture()))
			if err != nil {
				t.Fatal(err)
			}
			err = applyPatch(m, tc.ops)
			var rec support.ImportRecord
			if err == nil {
				rec, err = record(m)
			}
			if tc.error {
				if err == nil {
					t.Fatalf("accepted: %q", rec.Fields)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := rec.Fields[tc.col]; got != tc.want {
				t.Errorf("%s = %q, want %q", tc.col, got, tc.want)
			}
			for col := range rec.Fields {
				if support.ImportColumn(col) != tc.col && rec.Fields[col] != base.Fields[col] {
					t.Errorf("%s changed too: %q -> %q", support.ImportColumn(col), base.Fields[col], rec.Fields[col])
				}
			}
		})
	}
}

// A customer renders into a record the import takes as "no change".
func TestAttributesRoundTrip(t *testing.T) {
	rec, err := record(attributes(fixture()))
	if err != nil {
		t.Fatal(err)
	}
	want := map[support.ImportColumn]string{support.ColAccount: "1000001", support.ColLoginID: "yamada",
		support.ColNameKanji: "山田 太郎", support.ColNameKana: "ヤマダ タロウ", support.ColBirthDate: "1950-04-01",
		support.ColEmail: "yamada@example.jp", support.ColMobile: "+819000000001", support.ColLanguage: "ja",
		support.ColStatus: "active", support.ColPostcode: "1000001", support.ColPref: "東京都", support.ColCity: "千代田区千代田1-1"}
	for col, v := range want {
		if rec.Fields[col] != v {
			t.Errorf("%s = %q, want %q", col, rec.Fields[col], v)
		}
	}
	if _, bad := support.CheckImportRecord(rec, fixtureToday()); len(bad) > 0 {
		t.Errorf("the import refuses a rendered customer: %q", bad)
	}
}

func fixtureToday() time.Time { return time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC) }
