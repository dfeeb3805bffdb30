package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"mfadesk/data"
	"mfadesk/scim"
)

// scimAPI is the internal listener of a test app, served by httptest,
// with a bearer token for the back office.
type scimAPI struct {
	t     *testing.T
	srv   *httptest.Server
	token string
}

func newScimAPI(t *testing.T, a *testApp) *scimAPI {
	t.Helper()
	token, err := a.Support.CreateScimToken(context.Background(), "backoffice", data.AuditEvent{ActorKind: "system", Actor: "test"})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(a.Internal)
	t.Cleanup(srv.Close)
	return &scimAPI{t: t, srv: srv, token: token}
}

// scimReply is an answer of the API: status, headers and JSON body.
type scimReply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

// do sends a request with the API's token.
func (s *scimAPI) do(method, path string, body any) scimReply {
	return s.doWith(s.token, method, path, body)
}

// doWith sends a request with that bearer token ("" for none).
func (s *scimAPI) doWith(token, method, path string, body any) scimReply {
	s.t.Helper()
	var in io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			s.t.Fatal(err)
		}
		in = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, s.srv.URL+scim.Prefix+"/v2"+path, in)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/scim+json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		s.t.Fatal(err)
	}
	r := scimReply{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &r.body); err != nil {
			s.t.Fatalf("%s %s: %d not JSON: %s", method, path, resp.StatusCode, raw)
		}
	}
	return r
}

// idOf finds a customer's SCIM id by login ID, through the API's filter.
func (s *scimAPI) idOf(loginID string) string {
	s.t.Helper()
	r := s.do("GET", `/Users?filter=userName%20eq%20%22`+loginID+`%22`, nil)
	list, _ := r.body["Resources"].([]any)
	if r.status != http.StatusOK || len(list) != 1 {
		s.t.Fatalf("find %s: %d %s", loginID, r.status, r.raw)
	}
	return list[0].(map[string]any)["id"].(string)
}

func patchOp(ops ...map[string]any) map[string]any {
	return map[string]any{"schemas": []string{"urn:ietf:params:scim:api:messages:2.0:PatchOp"}, "Operations": ops}
}

// newScimUser is a complete new customer as the back office sends it.
func newScimUser(account, login string) map[string]any {
	return map[string]any{
		"schemas":           []string{"urn:ietf:params:scim:schemas:core:2.0:User", scim.ExtensionSchema},
		"userName":          login,
		"externalId":        account,
		"name":              map[string]any{"familyName": "近藤", "givenName": "恵"},
		"emails":            []any{map[string]any{"value": login + "@example.jp", "primary": true}},
		"phoneNumbers":      []any{map[string]any{"value": "090-1234-0001", "type": "mobile"}},
		"active":            true,
		"preferredLanguage": "ja-JP",
		scim.ExtensionSchema: map[string]any{
			"kanaName": "コンドウ ケイ", "birthDate": "1955-03-09",
			"postalAddress": map[string]any{"postcode": "100-0001", "prefecture": "東京都", "line1": "千代田区千代田1-1"},
		},
	}
}

// auditOf lists the events of an action, newest first.
func auditOf(t *testing.T, a *testApp, action string) []data.AuditEvent {
	t.Helper()
	events, err := a.DB.AuditEvents(context.Background(), data.AuditFilter{Action: action, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return events
}

func cliActor() data.AuditEvent { return data.AuditEvent{ActorKind: "system", Actor: "test"} }
