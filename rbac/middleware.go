package rbac

import "github.com/labstack/echo/v4"

// Subject is who a request is, for the policy.
type Subject struct {
	Name string // a role, Anonymous, Pending or Customer
	Org  string // the staff member's organisation, if any
}

// Middleware enforces the policy on every route it wraps. subject tells who
// the request is (it may load the staff member from the database, so a
// removed role takes effect on the next request); deny answers a refusal.
func (en *Enforcer) Middleware(subject func(echo.Context) (Subject, error), deny func(echo.Context, Subject) error) echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			s, err := subject(c)
			if err != nil {
				return err
			}
			if !en.Allow(s.Name, s.Org, c.Path(), c.Request().Method) {
				return deny(c, s)
			}
			return next(c)
		}
	}
}
