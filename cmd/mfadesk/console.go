package main

import (
	"time"

	"github.com/labstack/echo/v4"

	"mfadesk/admin"
	"mfadesk/data"
	"mfadesk/idp"
	"mfadesk/mfa"
	"mfadesk/rbac"
	"mfadesk/web"
)

// registerConsole wires the support console onto e under /console.
func (a *App) registerConsole(e *echo.Echo) error {
	enforcer, err := rbac.New()
	if err != nil {
		return err
	}
	// Outside dev the cookie is __Host-, which browsers accept only with
	// Path=/; in dev it is scoped to /console so it never travels with
	// customer-site requests on the shared listener.
	cookie, path := "__Host-mfadesk_console", "/"
	customerCookie := "__Host-mfadesk"
	if a.Config.Dev() {
		cookie, path, customerCookie = "mfadesk_console", "/console", "mfadesk"
	}
	h := &admin.Handler{
		DB: a.DB, Support: a.Support, RBAC: enforcer,
		Sessions: &web.Sessions{Site: data.SiteConsole, Store: a.DB, Now: a.now, Cookie: cookie, Path: path,
			Secure: !a.Config.Dev(), Idle: 15 * time.Minute, Absolute: 8 * time.Hour,
			Key: mfa.DeriveKey(a.Config.SecretKey, "pre-session csrf")},
		// Only to recognise (and refuse) a customer's session: the same
		// cookie and limits as the customer site in app.go.
		CustomerSessions: &web.Sessions{Site: data.SiteCustomer, Store: a.DB, Now: a.now, Cookie: customerCookie,
			Path: "/", Idle: 30 * time.Minute, Absolute: 12 * time.Hour},
		OIDCClients: &idp.Clients{DB: a.DB, AllowLoopbackHTTP: a.Config.Dev()},
	}
	h.Register(e)
	return nil
}
