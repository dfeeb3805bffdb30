// Package demorp is the demo relying party: a small site that signs its
// visitors in through mfadesk's OpenID Connect provider (authorization
// code with PKCE, nonce and state), shows the ID token's claims, asks for
// a fresh phishing-resistant step-up before a withdrawal (max_age=0 and
// acr_values), logs out at the provider and takes back-channel logout
// tokens. cmd/mfadesk-demo-rp serves it; the end-to-end tests drive it.
package demorp

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
)

// Config is what the demo needs to know.
type Config struct {
	// Issuer is the provider's issuer URL, e.g. http://localhost:8080/oidc.
	Issuer       string
	ClientID     string
	ClientSecret string
	// BaseURL is where this site is reached (e.g. http://localhost:8081):
	// its callback, post-logout and back-channel URLs hang off it and must
	// be registered for the client exactly.
	BaseURL string
	// StepUpACR is the acr the withdrawal button asks for.
	StepUpACR string
	// HTTPClient reaches the provider; nil is http.DefaultClient.
	HTTPClient *http.Client
	// Now is the clock tokens are checked against; nil is time.Now.
	Now func() time.Time
}

// Claims are the ID token claims the demo shows.
type Claims struct {
	Subject  string   `json:"sub"`
	ACR      string   `json:"acr"`
	AMR      []string `json:"amr"`
	AuthTime int64    `json:"auth_time"`
	Sid      string   `json:"sid"`
	Name     string   `json:"name"`
	Email    string   `json:"email"`
	// WithdrawalHoldUntil is the end of the customer's withdrawal hold
	// (unix seconds), 0 when there is none.
	WithdrawalHoldUntil int64 `json:"withdrawal_hold_until"`
}

// RP is the demo site; it is an http.Handler.
type RP struct {
	cfg      Config
	sessions *sessions
	mux      *http.ServeMux

	// The provider is discovered at the first request that needs it, so
	// the demo may start before mfadesk does.
	mu       sync.Mutex
	provider *provider
}

// provider is what discovery gave.
type provider struct {
	oauth      oauth2.Config
	verifier   *oidc.IDTokenVerifier
	endSession string
}

// New checks cfg and builds the site.
func New(cfg Config) (*RP, error) {
	if cfg.Issuer == "" || cfg.ClientID == "" || cfg.BaseURL == "" {
		return nil, errors.New("demorp: issuer, client id and base URL are required")
	}
	if _, err := url.Parse(cfg.BaseURL); err != nil {
		return nil, fmt.Errorf("demorp: base URL: %w", err)
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = http.DefaultClient
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	rp := &RP{cfg: cfg, sessions: newSessions(cfg.Now), mux: http.NewServeMux()}
	rp.mux.HandleFunc("GET /{$}", rp.home)
	rp.mux.HandleFunc("POST /login", rp.startLogin)
	rp.mux.HandleFunc("GET /callback", rp.callback)
	rp.mux.HandleFunc("POST /withdraw", rp.startStepUp)
	rp.mux.HandleFunc("POST /logout", rp.logout)
	rp.mux.HandleFunc("POST /backchannel", rp.backchannel)
	return rp, nil
}

// RedirectURL, PostLogoutURL and BackchannelURL are the URLs to register
// for the client.
func (rp *RP) RedirectURL() string    { return rp.cfg.BaseURL + "/callback" }
func (rp *RP) PostLogoutURL() string  { return rp.cfg.BaseURL + "/" }
func (rp *RP) BackchannelURL() string { return rp.cfg.BaseURL + "/backchannel" }

func (rp *RP) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Frame-Options", "DENY")
	rp.mux.ServeHTTP(w, r)
}

func (rp *RP) secure() bool { return strings.HasPrefix(rp.cfg.BaseURL, "https://") }

// discover returns the provider, fetching its discovery document once.
func (rp *RP) discover(ctx context.Context) (*provider, error) {
	rp.mu.Lock()
	defer rp.mu.Unlock()
	if rp.provider != nil {
		return rp.provider, nil
	}
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, rp.cfg.HTTPClient), rp.cfg.Issuer)
	if err != nil {
		return nil, fmt.Errorf("discovery at %s: %w", rp.cfg.Issuer, err)
	}
	var extra struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := p.Claims(&extra); err != nil {
		return nil, fmt.Errorf("discovery: %w", err)
	}
	// client_secret_basic, as mfadesk registers confidential clients: no
	// guessing, which would spend the one-use code on a first failed try.
	endpoint := p.Endpoint()
	endpoint.AuthStyle = oauth2.AuthStyleInHeader
	rp.provider = &provider{
		oauth: oauth2.Config{ClientID: rp.cfg.ClientID, ClientSecret: rp.cfg.ClientSecret, Endpoint: endpoint,
			RedirectURL: rp.RedirectURL(), Scopes: []string{oidc.ScopeOpenID, "profile", "email"}},
		verifier:   p.Verifier(&oidc.Config{ClientID: rp.cfg.ClientID, Now: rp.cfg.Now}),
		endSession: extra.EndSession,
	}
	return rp.provider, nil
}

// redirectToProvider remembers a new state, nonce and PKCE verifier in the
// session and sends the browser to the provider's authorization endpoint.
func (rp *RP) redirectToProvider(w http.ResponseWriter, r *http.Request, sess *session, stepUp bool) {
	p, err := rp.discover(r.Context())
	if err != nil {
		rp.render(w, http.StatusBadGateway, page{Problem: "認証サーバーに接続できません: " + err.Error()})
		return
	}
	pend := &pending{state: randomToken(), nonce: randomToken(), verifier: oauth2.GenerateVerifier(), stepUp: stepUp,
		started: rp.cfg.Now()}
	rp.sessions.update(sess, func(s *session) { s.pending, s.stepUp, s.problem = pend, "", "" })
	opts := []oauth2.AuthCodeOption{oidc.Nonce(pend.nonce), oauth2.S256ChallengeOption(pend.verifier)}
	if stepUp {
		// RFC 9470: authenticate again now, with a phishing-resistant factor.
		opts = append(opts, oauth2.SetAuthURLParam("max_age", "0"), oauth2.SetAuthURLParam("acr_values", rp.cfg.StepUpACR))
	}
	http.Redirect(w, r, p.oauth.AuthCodeURL(pend.state, opts...), http.StatusSeeOther)
}

func (rp *RP) startLogin(w http.ResponseWriter, r *http.Request) {
	sess := rp.sessions.get(r)
	if sess == nil || !checkCSRF(rp.sessions.read(sess), r) {
		rp.refuse(w)
		return
	}
	rp.redirectToProvider(w, r, sess, false)
}

func (rp *RP) startStepUp(w http.ResponseWriter, r *http.Request) {
	sess := rp.sessions.get(r)
	if sess == nil || !checkCSRF(rp.sessions.read(sess), r) || rp.sessions.read(sess).login == nil {
		rp.refuse(w)
		return
	}
	rp.redirectToProvider(w, r, sess, true)
}

// refuse answers a form without its session or token: start again at the top.
func (rp *RP) refuse(w http.ResponseWriter) {
	rp.render(w, http.StatusForbidden, page{Problem: "この操作は受け付けられません。トップページからやり直してください。"})
}

// logout ends the local session, then sends the browser to the
// provider's end_session_endpoint (RP-initiated logout) to end it there.
func (rp *RP) logout(w http.ResponseWriter, r *http.Request) {
	sess := rp.sessions.get(r)
	if sess == nil || !checkCSRF(rp.sessions.read(sess), r) {
		rp.refuse(w)
		return
	}
	s := rp.sessions.read(sess)
	rp.sessions.end(sess)
	p, err := rp.discover(r.Context())
	if err != nil || p.endSession == "" || s.login == nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	q := url.Values{"id_token_hint": {s.login.rawIDToken}, "post_logout_redirect_uri": {rp.PostLogoutURL()},
		"client_id": {rp.cfg.ClientID}}
	http.Redirect(w, r, p.endSession+"?"+q.Encode(), http.StatusSeeOther)
}

// backchannel takes a logout token POSTed by the provider (OpenID Connect
// Back-Channel Logout): verified with the provider's keys, for this
// client, with the logout event and no nonce; then the sessions it names end.
func (rp *RP) backchannel(w http.ResponseWriter, r *http.Request) {
	raw := r.PostFormValue("logout_token")
	p, err := rp.discover(r.Context())
	if err != nil {
		http.Error(w, "provider unavailable", http.StatusServiceUnavailable)
		return
	}
	if raw == "" {
		http.Error(w, "logout_token missing", http.StatusBadRequest)
		return
	}
	// VerifyLogout checks signature, issuer, audience, expiry, the
	// back-channel event and the absence of a nonce.
	tok, err := p.verifier.VerifyLogout(r.Context(), raw)
	if err != nil {
		http.Error(w, "invalid logout token", http.StatusBadRequest)
		return
	}
	if _, fresh := rp.sessions.endFor(tok.TokenID, tok.SessionID, tok.Subject, tok.Expiry); !fresh {
		http.Error(w, "logout token replayed", http.StatusBadRequest)
		return
	}
	w.WriteHeader(http.StatusOK)
}
