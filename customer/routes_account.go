package customer

import "mfadesk/web"

// registerAccountRoutes adds the logged-in account pages: password
// changes and the activity log.
func (h *Handler) registerAccountRoutes(loggedIn *web.Routes) {}
