package idp

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/rs/cors"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
	"golang.org/x/text/language"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/web"
)

// Prefix is where the provider lives on the customer site; the issuer is
// the origin followed by it.
const Prefix = "/oidc"

// Config is the provider's settings (docs/operations.md).
type Config struct {
	Origin          string // the customer site's public URL
	Keys            KeyPolicy
	AuthRequestTTL  time.Duration // from the relying party's redirect to the customer's login
	CodeTTL         time.Duration
	AccessTokenTTL  time.Duration
	RefreshTokenTTL time.Duration // bounded by the session it is bound to anyway
	IDTokenTTL      time.Duration
	// The customer session's limits (web.Sessions), which tokens bound to
	// a session obey too.
	SessionIdle, SessionAbsolute time.Duration
}

// DefaultConfig is the production configuration for origin, with signing
// keys rotated every rotation.
func DefaultConfig(origin string, rotation time.Duration) Config {
	if rotation <= 0 {
		rotation = 30 * 24 * time.Hour
	}
	idToken := time.Hour
	return Config{
		Origin: strings.TrimSuffix(origin, "/"),
		// A successor is published a day before it signs (a tenth of
		// the rotation when that is shorter); a retired key stays as long as
		// an ID token or logout token it signed may be checked.
		Keys:           KeyPolicy{Rotation: rotation, Lead: min(24*time.Hour, rotation/10), Retain: idToken + 5*time.Minute},
		AuthRequestTTL: 30 * time.Minute, CodeTTL: time.Minute, AccessTokenTTL: 15 * time.Minute,
		RefreshTokenTTL: 12 * time.Hour, IDTokenTTL: idToken,
		SessionIdle: 30 * time.Minute, SessionAbsolute: 12 * time.Hour,
	}
}

// Issuer is the provider's issuer identifier.
func (c Config) Issuer() string { return c.Origin + Prefix }

// Provider is mfadesk's OpenID Connect provider: zitadel's op over
// mfadesk's database, customer sessions and audit trail.
type Provider struct {
	DB       *data.DB
	MFA      *mfa.Service
	Sessions *web.Sessions
	Log      *slog.Logger
	// Client posts back-channel logouts (a short timeout, no redirects).
	Client *http.Client
	cfg    Config
	keys   *keyRing
	op     *op.Provider
}

// New builds the provider. The signing keys are sealed with svc's secret
// box, as TOTP secrets are (mfadesk rekey covers both).
func New(svc *mfa.Service, sessions *web.Sessions, cfg Config, log *slog.Logger) (*Provider, error) {
	db := svc.DB
	p := &Provider{DB: db, MFA: svc, Sessions: sessions, Log: log, cfg: cfg, keys: newKeyRing(db, svc.Box, cfg.Keys),
		Client: &http.Client{Timeout: 10 * time.Second,
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
	opCfg := &op.Config{
		DefaultLogoutRedirectURI: "/login?notice=logout",
		CodeMethodS256:           true,
		GrantTypeRefreshToken:    true,
		SupportedUILocales:       []language.Tag{language.Japanese, language.English},
		SupportedClaims:          append(append([]string{}, op.DefaultSupportedClaims...), "sid", ClaimWithdrawalHoldUntil),
		SupportedScopes: []string{oidc.ScopeOpenID, oidc.ScopeProfile, oidc.ScopeEmail, oidc.ScopePhone,
			oidc.ScopeOfflineAccess},
		BackChannelLogoutSupported:        true,
		BackChannelLogoutSessionSupported: true,
	}
	// Tokens are presented with a bearer header, never cookies: no
	// credentialed cross-origin requests.
	corsOpts := &cors.Options{AllowOriginFunc: func(string) bool { return true },
		AllowedMethods: []string{http.MethodGet, http.MethodPost},
		AllowedHeaders: []string{"Authorization", "Content-Type", "Accept"}}
	opts := []op.Option{op.WithCrypto(opaqueCrypto{}), op.WithCORSOptions(corsOpts), op.WithLogger(log)}
	if strings.HasPrefix(cfg.Origin, "http://") {
		opts = append(opts, op.WithAllowInsecure()) // dev only: production refuses an http origin
	}
	var err error
	if p.op, err = op.NewProvider(opCfg, &storage{p: p}, op.StaticIssuer(cfg.Issuer()), opts...); err != nil {
		return nil, fmt.Errorf("oidc provider: %w", err)
	}
	return p, nil
}

// Register puts the provider on the customer site. The op's POST
// endpoints authenticate clients themselves and are exempt from CSRF;
// only they are. The login step shares the site's sessions and CSRF.
func (p *Provider) Register(e *echo.Echo) {
	h := echo.WrapHandler(http.StripPrefix(Prefix, p.op))
	e.GET(Prefix+oidc.DiscoveryEndpoint, p.discovery)
	for _, path := range []string{"/keys", "/authorize/callback", "/end_session"} {
		e.GET(Prefix+path, h)
	}
	e.GET(Prefix+"/authorize", p.authorizeEndpoint(h))
	e.GET(Prefix+"/userinfo", p.userinfoEndpoint(h))
	e.POST(Prefix+"/oauth/token", p.tokenEndpoint(h))
	for _, path := range []string{"/revoke", "/oauth/introspect", "/end_session"} {
		e.POST(Prefix+path, h)
	}
	web.NewRoutes(e, p.Sessions.Load, web.CSRF).GET(Prefix+"/login", p.login)
}

// discovery is the op's metadata with the classes mfadesk asserts, which
// the op does not list itself, and the one response type served (the op
// lists the implicit and hybrid ones too, which every client is refused).
func (p *Provider) discovery(c echo.Context) error {
	ctx := op.ContextWithIssuer(c.Request().Context(), p.cfg.Issuer())
	d := op.CreateDiscoveryConfig(ctx, p.op, p.op.Storage())
	d.ACRValuesSupported = ACRValues
	d.ResponseTypesSupported = []string{string(oidc.ResponseTypeCode)}
	return c.JSON(http.StatusOK, d)
}

// opaqueCrypto makes the access token from the op's "tokenID:subject":
// the token id is 256 random bits whose hash alone is stored, so the
// token needs no further encryption; base64url keeps it a bearer token.
type opaqueCrypto struct{}

func (opaqueCrypto) Encrypt(s string) (string, error) {
	return base64.RawURLEncoding.EncodeToString([]byte(s)), nil
}

func (opaqueCrypto) Decrypt(s string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return "", errors.New("not an mfadesk access token")
	}
	return string(b), nil
}

// liveSession is the customer session behind sid while it lasts.
func (p *Provider) liveSession(ctx context.Context, sid string) (*data.OIDCSessionState, error) {
	s, err := p.DB.OIDCSession(ctx, sid)
	if err != nil {
		return nil, err
	}
	now := p.DB.Now()
	if now.Sub(s.LastSeenAt) > p.cfg.SessionIdle || now.Sub(s.CreatedAt) > p.cfg.SessionAbsolute {
		return nil, fmt.Errorf("oidc session expired: %w", data.ErrNotFound)
	}
	return s, nil
}
