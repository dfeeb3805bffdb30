package views

import (
	"context"
	"strings"
)

// ConsoleUser is the staff member a console page is shown to, with the
// menu links their role may use (decided by the policy, not here).
type ConsoleUser struct {
	Login   string
	Name    string
	Role    string
	OrgName string
	Nav     []NavLink
}

// NavLink is one entry of the console menu; Label is a message key.
type NavLink struct {
	Href  string
	Label string
}

type consoleKey struct{}

// WithConsoleUser stores the console user for components.
func WithConsoleUser(ctx context.Context, u ConsoleUser) context.Context {
	return context.WithValue(ctx, consoleKey{}, u)
}

// ConsoleUserFrom returns the console user (zero when nobody is logged in).
func ConsoleUserFrom(ctx context.Context) ConsoleUser {
	u, _ := ctx.Value(consoleKey{}).(ConsoleUser)
	return u
}

// The *Key functions map a code stored in the database to its message
// key. The keys are spelled out in full, not built from the code, so the
// catalog test sees each one; a code without a key shows as itself.

// RoleKey names a role.
func RoleKey(role string) string {
	return keyOr(map[string]string{"admin": "ui.console.role.admin", "supervisor": "ui.console.role.supervisor",
		"agent": "ui.console.role.agent", "partner": "ui.console.role.partner", "auditor": "ui.console.role.auditor"}, role)
}

// ChannelKey names a case channel.
func ChannelKey(ch string) string {
	return keyOr(map[string]string{"phone": "ui.console.channel.phone", "shop": "ui.console.channel.shop",
		"email": "ui.console.channel.email", "chat": "ui.console.channel.chat"}, ch)
}

// MethodKey names an identity verification method with its strength.
func MethodKey(m string) string {
	return keyOr(map[string]string{"knowledge": "ui.console.method.knowledge", "possession": "ui.console.method.possession",
		"spoken": "ui.console.method.spoken", "document": "ui.console.method.document", "postal": "ui.console.method.postal"}, m)
}

// StrengthKey says what a case's verification allows.
func StrengthKey(s string) string {
	return keyOr(map[string]string{"strong": "ui.console.strength.strong", "weak": "ui.console.strength.weak",
		"": "ui.console.strength.none"}, s)
}

// DocumentKey names an identity document type.
func DocumentKey(d string) string {
	return keyOr(map[string]string{"license": "ui.console.document.license", "mynumber": "ui.console.document.mynumber",
		"passport": "ui.console.document.passport", "residence": "ui.console.document.residence",
		"insurance": "ui.console.document.insurance"}, d)
}

// StatusKey names a case or verification status.
func StatusKey(s string) string {
	return keyOr(map[string]string{"open": "ui.console.status.open", "closed": "ui.console.status.closed",
		"pending": "ui.console.status.pending", "passed": "ui.console.status.passed",
		"failed": "ui.console.status.failed", "voided": "ui.console.status.voided"}, s)
}

// EmailStatusKey names the state of a customer's email address.
func EmailStatusKey(s string) string {
	return keyOr(map[string]string{"none": "ui.console.email_status.none", "unverified": "ui.console.email_status.unverified",
		"verified": "ui.console.email_status.verified", "invalid": "ui.console.email_status.invalid"}, s)
}

func keyOr(keys map[string]string, code string) string {
	if k, ok := keys[code]; ok {
		return k
	}
	return code
}

// listText translates each key and joins them with the language's list
// separator (、 in Japanese).
func listText(ctx context.Context, keys []string) string {
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		out = append(out, T(ctx, k))
	}
	return strings.Join(out, T(ctx, "ui.console.list_sep"))
}

// currentPath is the request's path without its query, to mark the menu
// entry of the page being shown.
func currentPath(ctx context.Context) string {
	p, _, _ := strings.Cut(PageFrom(ctx).Path, "?")
	return p
}
