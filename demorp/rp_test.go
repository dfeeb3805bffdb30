package demorp

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc/oidctest"
	"golang.org/x/oauth2"
)

// fakeOP is a provider whose tokens the test writes: discovery and keys
// from go-oidc's oidctest, a token endpoint that checks the PKCE verifier
// and answers with the ID token claims the test set.
type fakeOP struct {
	t      *testing.T
	srv    *httptest.Server
	key    *rsa.PrivateKey
	mu     sync.Mutex
	claims map[string]any
	// challenge is the code_challenge of the last authorization request.
	challenge string
}

func newFakeOP(t *testing.T) *fakeOP {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	op := &fakeOP{t: t, key: key}
	keys := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: key.Public(), KeyID: "k1", Algorithm: "RS256"}}}
	mux := http.NewServeMux()
	mux.Handle("/", keys)
	mux.HandleFunc("POST /token", op.token)
	op.srv = httptest.NewServer(mux)
	keys.SetIssuer(op.srv.URL)
	t.Cleanup(op.srv.Close)
	return op
}

func (op *fakeOP) sign(claims map[string]any) string {
	b, _ := json.Marshal(claims)
	return oidctest.SignIDToken(op.key, "k1", "RS256", string(b))
}

func (op *fakeOP) token(w http.ResponseWriter, r *http.Request) {
	op.mu.Lock()
	defer op.mu.Unlock()
	if id, secret, ok := r.BasicAuth(); !ok || id != "rp" || secret != "s3cret" {
		http.Error(w, `{"error":"invalid_client"}`, http.StatusUnauthorized)
		return
	}
	if oauth2.S256ChallengeFromVerifier(r.PostFormValue("code_verifier")) != op.challenge {
		http.Error(w, `{"error":"invalid_grant"}`, http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"access_token": "at", "token_type": "Bearer", "expires_in": 60,
		"id_token": op.sign(op.claims)})
}

// rpTest is the demo site against the fake provider, and one browser.
type rpTest struct {
	op      *fakeOP
	rp      *RP
	srv     *httptest.Server
	browser *http.Client
	now     time.Time
}

func newRPTest(t *testing.T) *rpTest {
	op := newFakeOP(t)
	rt := &rpTest{op: op, now: time.Now().Truncate(time.Second)}
	rt.srv = httptest.NewUnstartedServer(nil)
	var err error
	rt.rp, err = New(Config{Issuer: op.srv.URL, ClientID: "rp", ClientSecret: "s3cret", BaseURL: "http://" + rt.srv.Listener.Addr().String(),
		StepUpACR: "urn:test:phr", Now: func() time.Time { return rt.now }})
	if err != nil {
		t.Fatal(err)
	}
	rt.srv.Config.Handler = rt.rp
	rt.srv.Start()
	t.Cleanup(rt.srv.Close)
	jar, _ := cookiejar.New(nil)
	rt.browser = &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return rt
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]*)"`)

func (rt *rpTest) get(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := rt.browser.Get(rt.srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// press posts one of the top page's buttons and returns the answer's
// status and Location.
func (rt *rpTest) press(t *testing.T, path string, withToken bool) (int, *url.URL) {
	t.Helper()
	_, body := rt.get(t, "/")
	form := url.Values{}
	if m := csrfField.FindStringSubmatch(body); withToken && m != nil {
		form.Set("csrf", m[1])
	}
	resp, err := rt.browser.PostForm(rt.srv.URL+path, form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := resp.Location()
	return resp.StatusCode, loc
}

// signIn runs a sign-in whose ID token carries claims (nonce added from
// the request unless claims has one); it returns the top page after it.
func (rt *rpTest) signIn(t *testing.T, path string, claims map[string]any) (*url.URL, string) {
	t.Helper()
	status, auth := rt.press(t, path, true)
	if status != http.StatusSeeOther || auth == nil {
		t.Fatalf("%s: %d", path, status)
	}
	q := auth.Query()
	base := map[string]any{"iss": rt.op.srv.URL, "aud": "rp", "sub": "cust-1", "sid": "sid-1", "exp": rt.now.Add(time.Hour).Unix(),
		"iat": rt.now.Unix(), "nonce": q.Get("nonce"), "acr": "urn:test:mfa", "amr": []string{"pwd", "otp"}, "auth_time": rt.now.Unix()}
	for k, v := range claims {
		base[k] = v
	}
	rt.op.mu.Lock()
	rt.op.claims, rt.op.challenge = base, q.Get("code_challenge")
	rt.op.mu.Unlock()
	if status, _ := rt.get(t, "/callback?"+url.Values{"code": {"c"}, "state": {q.Get("state")}}.Encode()); status != http.StatusSeeOther {
		t.Fatalf("callback: %d", status)
	}
	_, body := rt.get(t, "/")
	return auth, body
}

// Sign-in: the authorization request carries state, nonce and an S256
// PKCE challenge; the callback accepts only that state, once, and an ID
// token echoing the nonce.
func TestSignInChecksStateNonceAndPKCE(t *testing.T) {
	rt := newRPTest(t)
	if status, _ := rt.press(t, "/login", false); status != http.StatusForbidden {
		t.Errorf("login without the form token: %d", status)
	}
	auth, body := rt.signIn(t, "/login", nil)
	q := auth.Query()
	if q.Get("state") == "" || q.Get("nonce") == "" || q.Get("code_challenge_method") != "S256" || q.Get("max_age") != "" {
		t.Errorf("authorization request %s", auth)
	}
	if !strings.Contains(body, `id="claim-sub">cust-1<`) || !strings.Contains(body, "pwd otp") {
		t.Errorf("claims not shown:\n%s", body)
	}
	// The same state again: used up.
	if status, _ := rt.get(t, "/callback?code=c&state="+url.QueryEscape(q.Get("state"))); status != http.StatusBadRequest {
		t.Errorf("state replayed: %d", status)
	}

	other := newRPTest(t)
	other.press(t, "/login", true)
	if status, body := other.get(t, "/callback?code=c&state=forged"); status != http.StatusBadRequest || strings.Contains(body, "claim-sub") {
		t.Errorf("forged state: %d", status)
	}
	if _, body := other.signIn(t, "/login", map[string]any{"nonce": "not-the-one-sent"}); strings.Contains(body, "claim-sub") ||
		!strings.Contains(body, "nonce mismatch") {
		t.Errorf("wrong nonce accepted:\n%s", body)
	}
}

// 「出金」 asks for max_age=0 and the phishing-resistant acr, and accepts
// only a fresh authentication at that class for the same customer.
func TestStepUpChecks(t *testing.T) {
	rt := newRPTest(t)
	rt.signIn(t, "/login", nil)
	rt.now = rt.now.Add(10 * time.Minute)
	fresh := rt.now.Unix()
	for _, tc := range []struct {
		claims map[string]any
		want   string
	}{
		{map[string]any{"acr": "urn:test:mfa", "auth_time": fresh}, "求めた認証レベル"},
		{map[string]any{"acr": "urn:test:phr", "auth_time": fresh - 600}, "追加認証が行われていません"},
		{map[string]any{"acr": "urn:test:phr", "auth_time": fresh, "sub": "cust-2"}, "ログイン中のお客様のものではありません"},
		{map[string]any{"acr": "urn:test:phr", "auth_time": fresh, "amr": []string{"hwk", "user", "mfa"}}, "step-up OK at "},
	} {
		auth, body := rt.signIn(t, "/withdraw", tc.claims)
		if q := auth.Query(); q.Get("max_age") != "0" || q.Get("acr_values") != "urn:test:phr" {
			t.Errorf("step-up request %s", auth)
		}
		if !strings.Contains(body, tc.want) || !strings.Contains(body, `id="claim-sub">cust-1<`) {
			t.Errorf("step-up %v: want %q in\n%s", tc.claims, tc.want, body)
		}
	}
	if _, body := rt.get(t, "/"); !strings.Contains(body, "with hwk user mfa") {
		t.Errorf("accepted step-up does not show its amr:\n%s", body)
	}
}

// Back-channel logout: a logout token verified with the provider's key,
// for this client, with the event and without a nonce, ends the sessions
// of its sid; anything else is refused with 400 and ends nothing; a
// token is acted on once.
func TestBackchannelLogout(t *testing.T) {
	rt := newRPTest(t)
	rt.signIn(t, "/login", nil)
	event := map[string]any{"http://schemas.openid.net/event/backchannel-logout": map[string]any{}}
	good := map[string]any{"iss": rt.op.srv.URL, "aud": "rp", "sub": "cust-1", "sid": "sid-1", "iat": rt.now.Unix(),
		"exp": rt.now.Add(2 * time.Minute).Unix(), "jti": "j1", "events": event}
	post := func(claims map[string]any) int {
		resp, err := http.PostForm(rt.srv.URL+"/backchannel", url.Values{"logout_token": {rt.op.sign(claims)}})
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	with := func(k string, v any) map[string]any {
		c := map[string]any{}
		for key, val := range good {
			c[key] = val
		}
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
		return c
	}
	for name, claims := range map[string]map[string]any{
		"nonce":      with("nonce", "n"),
		"no event":   with("events", nil),
		"other aud":  with("aud", "someone-else"),
		"other iss":  with("iss", "https://evil.example"),
		"expired":    with("exp", rt.now.Add(-time.Minute).Unix()),
		"other sid":  with("sid", "sid-2"),
		"no sub/sid": with("sid", nil),
	} {
		switch name {
		case "no sub/sid":
			delete(claims, "sub")
		case "other sid":
			claims["jti"] = "j-other"
		}
		status := post(claims)
		if name == "other sid" {
			if status != http.StatusOK {
				t.Errorf("%s: %d", name, status)
			}
		} else if status != http.StatusBadRequest {
			t.Errorf("%s: %d, want 400", name, status)
		}
		if _, body := rt.get(t, "/"); !strings.Contains(body, "claim-sub") {
			t.Fatalf("%s ended the session", name)
		}
	}
	if status := post(good); status != http.StatusOK {
		t.Fatalf("logout token: %d", status)
	}
	if _, body := rt.get(t, "/"); strings.Contains(body, "claim-sub") {
		t.Error("session survived its logout token")
	}
	if status := post(good); status != http.StatusBadRequest {
		t.Errorf("replayed logout token: %d", status)
	}
}
