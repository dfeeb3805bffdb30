// Package views holds the templ components of both sites and their view
// models. Components display; they decide nothing.
package views

import (
	"context"
	"embed"
)

// Page is what every component may need about the request.
type Page struct {
	Lang     string
	Catalog  *Catalog
	Path     string // for the language selector's way back
	CSRF     string
	LoggedIn bool
	Pending  bool // password passed, second factor not yet
}

type pageKey struct{}

// WithPage stores the page context for components.
func WithPage(ctx context.Context, p Page) context.Context {
	return context.WithValue(ctx, pageKey{}, p)
}

// PageFrom returns the page context (zero if none was set).
func PageFrom(ctx context.Context) Page {
	p, _ := ctx.Value(pageKey{}).(Page)
	return p
}

// Static holds the stylesheet and scripts, served under /static/.
//
//go:embed static
var Static embed.FS
