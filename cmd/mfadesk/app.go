package main

import (
	"context"
	"io/fs"
	"log/slog"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"mfadesk/customer"
	"mfadesk/data"
	"mfadesk/idp"
	"mfadesk/mfa"
	"mfadesk/support"
	"mfadesk/views"
	"mfadesk/web"
)

// App is the whole program wired together: what serve runs and what the
// tests drive over HTTP.
type App struct {
	Config Config
	DB     *data.DB
	MFA    *mfa.Service
	// Support is the desk's rules, over the same database and keys.
	Support *support.Service
	Echo    *echo.Echo
	// ConsoleEcho serves the console: Echo itself, or its own listener
	// with --console-addr.
	ConsoleEcho *echo.Echo
	Log         *slog.Logger
	// OIDC is the OpenID Connect provider on the customer site (/oidc).
	OIDC *idp.Provider
	now  func() time.Time
}

// newApp opens the database and wires the sites. now is the clock of
// everything; tests pass one they can move.
func newApp(ctx context.Context, cfg Config, now func() time.Time, log *slog.Logger) (*App, error) {
	db, err := data.Open(ctx, cfg.DB, now)
	if err != nil {
		return nil, err
	}
	db.SetReadCache(cfg.ReadCache)
	auditKey, err := cfg.auditKey()
	if err != nil {
		db.Close()
		return nil, err
	}
	db.SetAuditKey(auditKey)
	box, err := mfa.NewSecretBox(cfg.SecretKey, cfg.OldSecretKeys...)
	if err != nil {
		db.Close()
		return nil, err
	}
	wa, err := mfa.NewWebAuthn(cfg.Origin)
	if err != nil {
		db.Close()
		return nil, err
	}
	svc := &mfa.Service{DB: db, Box: box, Codes: mfa.NewCodeHasher(cfg.SecretKey, cfg.OldSecretKeys...),
		Config: cfg.MFA, WebAuthn: wa}
	desk := &support.Service{DB: db, Box: box, Codes: svc.Codes, Config: cfg.MFA, MFA: svc, WebAuthn: wa, Origin: cfg.Origin}
	if desk.Letters, err = support.NewLetterPrinter(cfg.LetterFont); err != nil {
		// The service runs; the print queue says what to install.
		log.Warn("letters cannot be printed", "error", err)
	}
	// A wrong key is refused now, not at the first login (docs/operations.md).
	keyID, err := svc.CheckSecretKey(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	if keyID != box.KeyID() {
		log.Warn("TOTP secrets are still under an old key (listed in --old-secret-keys): run mfadesk rekey", "key_id", keyID)
	}

	catalog, err := views.LoadCatalog()
	if err != nil {
		db.Close()
		return nil, err
	}
	e, err := newEcho(cfg, catalog, log, "/")
	if err != nil {
		db.Close()
		return nil, err
	}
	cookie := "__Host-mfadesk"
	if cfg.Dev() {
		cookie = "mfadesk" // browsers drop __Host- cookies without Secure, and dev runs on plain HTTP
	}
	customerSite := &customer.Handler{
		DB: db, MFA: svc, Support: desk, DevDelivery: cfg.Delivery == "dev",
		Sessions: &web.Sessions{Site: data.SiteCustomer, Store: db, Now: now, Cookie: cookie, Path: "/", Secure: !cfg.Dev(),
			Idle: 30 * time.Minute, Absolute: 12 * time.Hour, Key: mfa.DeriveKey(cfg.SecretKey, "pre-session csrf")},
	}
	customerSite.Register(e)
	oidcCfg := idp.DefaultConfig(cfg.Origin, cfg.OIDCKeyRotation)
	oidcCfg.SessionIdle, oidcCfg.SessionAbsolute = customerSite.Sessions.Idle, customerSite.Sessions.Absolute
	provider, err := idp.New(svc, customerSite.Sessions, oidcCfg, log)
	if err != nil {
		db.Close()
		return nil, err
	}
	provider.Register(e)
	app := &App{Config: cfg, DB: db, MFA: svc, Support: desk, Echo: e, ConsoleEcho: e, Log: log, OIDC: provider, now: now}
	if err := app.registerOps(e); err != nil {
		db.Close()
		return nil, err
	}

	// The console shares the customer listener under /console unless
	// --console-addr gives it its own (e.g. reachable only from the office).
	if cfg.ConsoleAddr != "" {
		if app.ConsoleEcho, err = newEcho(cfg, catalog, log, "/console"); err != nil {
			db.Close()
			return nil, err
		}
	}
	if err := app.registerConsole(app.ConsoleEcho); err != nil {
		db.Close()
		return nil, err
	}
	return app, nil
}

// newEcho is an Echo with the middleware and error pages both sites share;
// home is where the language selector goes when its way back is refused.
func newEcho(cfg Config, catalog *views.Catalog, log *slog.Logger, home string) (*echo.Echo, error) {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	// The client address feeds per-address throttling, so it is the
	// connection's, or what a proxy the operator trusts says it is; never
	// a header the client alone can set.
	e.IPExtractor = web.ClientIP(cfg.TrustedProxies)
	e.HTTPErrorHandler = web.ErrorHandler(log)
	// The request id first, so the access line and any error page carry
	// it; the access log outside Recover, so a panic is logged as its 500.
	e.Use(middleware.RequestID())
	e.Use(web.AccessLog(log))
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		StackSize: 8 << 10, DisableStackAll: true,
		// Echo's own logger would print the stack as a line of its own
		// format; ours keeps the log one kind of line, with the request id.
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			log.Error("panic", "err", err, "request_id", c.Response().Header().Get(echo.HeaderXRequestID),
				"stack", string(stack))
			return err
		},
	}))
	e.Use(middleware.BodyLimit("64K"))
	e.Use(web.SecurityHeaders(!cfg.Dev()))
	e.Use(web.Localize(catalog))
	e.GET("/lang", web.SetLanguage(home))
	static, err := fs.Sub(views.Static, "static")
	if err != nil {
		return nil, err
	}
	e.GET("/static/*", echo.WrapHandler(http.StripPrefix("/static/", http.FileServer(http.FS(static)))))
	return e, nil
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }
