package web

import "github.com/labstack/echo/v4"

// Routes is a set of routes sharing middleware. Unlike echo.Group it does
// not register catch-all routes, so an unknown path stays a plain 404
// instead of meeting some group's login redirect.
type Routes struct {
	e  *echo.Echo
	mw []echo.MiddlewareFunc
}

// NewRoutes starts a route set on e with the given middleware.
func NewRoutes(e *echo.Echo, mw ...echo.MiddlewareFunc) *Routes {
	return &Routes{e: e, mw: mw}
}

// With returns a route set with more middleware after this one's.
func (r *Routes) With(mw ...echo.MiddlewareFunc) *Routes {
	all := append(append([]echo.MiddlewareFunc{}, r.mw...), mw...)
	return &Routes{e: r.e, mw: all}
}

// GET registers a GET (and HEAD) route.
func (r *Routes) GET(path string, h echo.HandlerFunc) { r.e.GET(path, h, r.mw...) }

// POST registers a POST route.
func (r *Routes) POST(path string, h echo.HandlerFunc) { r.e.POST(path, h, r.mw...) }
