package customer

import "mfadesk/web"

// registerAccountRoutes adds the logged-in account pages: password
// changes and the activity log. The route set already requires a fully
// logged-in customer session and a CSRF token on every POST.
func (h *Handler) registerAccountRoutes(loggedIn *web.Routes) {
	loggedIn.GET("/settings/password", h.passwordForm)
	loggedIn.POST("/settings/password/login", h.loginPasswordSubmit)
	loggedIn.POST("/settings/password/trading", h.tradingPasswordSubmit)
	loggedIn.GET("/settings/activity", h.activity)
}
