package admin

import (
	"github.com/labstack/echo/v4"

	"mfadesk/web"
)

// Register puts the console's routes on e. Every route goes through
// authorize, which applies the casbin policy (rbac/policy.csv): the route
// sets below only group the routes as the policy does, for reading; the
// policy is what admits or refuses.
func (h *Handler) Register(e *echo.Echo) {
	console := web.NewRoutes(e, h.Sessions.Load, h.authorize(), web.CSRF)

	// Logging in: anyone, then a session that passed the password.
	console.GET("/console/login", h.loginForm)
	console.POST("/console/login", h.loginSubmit)
	console.GET("/console/login/totp", h.totpForm)
	console.POST("/console/login/totp", h.totpSubmit)
	console.POST("/console/logout", h.logout)
	// A passkey alone (discoverable: no staff ID typed), or as the second
	// step after the password instead of TOTP.
	console.POST("/console/login/passkey/options", h.staffPasskeyLoginOptions)
	console.POST("/console/login/passkey", h.staffPasskeyLogin)
	console.POST("/console/login/verify/passkey/options", h.staffPasskeyCheckOptions)
	console.POST("/console/login/verify/passkey", h.staffPasskeyCheck)

	// Every staff member's own passkeys; while passkeys are required, a
	// staff member without one reaches only these (and logout).
	console.GET("/console/account/passkeys", h.staffPasskeysPage)
	console.POST("/console/account/passkeys/options", h.staffPasskeyRegisterOptions)
	console.POST("/console/account/passkeys", h.staffPasskeyRegister)
	console.POST("/console/account/passkeys/:id/remove", h.staffPasskeyRemove)

	// Every staff member's own password; one whose password someone else
	// chose reaches only this page (and logout) until they replace it.
	console.GET("/console/account/password", h.staffPasswordPage)
	console.POST("/console/account/password", h.staffPasswordSubmit)

	// Every staff member.
	console.GET("/console", h.home)

	// Agents (and supervisors, admins): search and open cases.
	console.GET("/console/customers", h.search)
	console.POST("/console/cases", h.openCase)

	// Partners: exact lookup, then a case at their shop.
	console.GET("/console/partner/find", h.partnerFindForm)
	console.POST("/console/partner/find", h.partnerFind)
	console.POST("/console/partner/cases", h.partnerOpenCase)

	// Working a case: agents and partners, each only on cases they may see.
	console.GET("/console/cases", h.cases)
	cases := console.With(h.loadCase)
	cases.GET("/console/cases/:id", h.showCase)
	// The case page's own poll of its live part (case_live.go): not
	// activity, so it does not keep an unattended session alive.
	web.NewRoutes(e, h.Sessions.LoadQuiet, h.authorize(), web.CSRF).With(h.loadCase).GET("/console/cases/:id/live", h.caseLive)
	cases.POST("/console/cases/:id/notes", h.addNote)
	cases.POST("/console/cases/:id/close", h.closeCase)
	cases.POST("/console/cases/:id/verify/knowledge", h.verifyKnowledge)
	cases.POST("/console/cases/:id/verify/possession", h.sendPossessionLink)
	cases.POST("/console/cases/:id/verify/spoken", h.sendSpokenCode)
	cases.POST("/console/cases/:id/verify/spoken/check", h.checkSpokenCode)
	cases.POST("/console/cases/:id/verify/document", h.verifyDocument)
	cases.POST("/console/cases/:id/verify/postal", h.sendPostalCode)

	// After a strong identity verification on the case only.
	strong := cases.With(h.requireStrong)
	strong.GET("/console/cases/:id/contact", h.contact)
	strong.GET("/console/cases/:id/assist", h.assist)
	strong.POST("/console/cases/:id/reset", h.resetFactors)
	strong.POST("/console/cases/:id/temp-pass", h.issueApprovedPass)
	strong.POST("/console/cases/:id/contact/send", h.sendContactCode)
	strong.POST("/console/cases/:id/contact/confirm", h.confirmContact)
	strong.POST("/console/cases/:id/unlock", h.unlock)
	strong.POST("/console/cases/:id/password", h.passwordCode)
	strong.POST("/console/cases/:id/passkey-link", h.passkeyLink)
	strong.GET("/console/cases/:id/address", h.addressForm)
	strong.POST("/console/cases/:id/address", h.saveAddress)

	// Supervisors (and admins): the four-eyes queue.
	console.GET("/console/requests", h.requests)
	console.POST("/console/requests/:id/approve", h.approveRequest)
	console.POST("/console/requests/:id/reject", h.rejectRequest)

	// The mail room (supervisors, admins): the print queue of letters.
	console.GET("/console/letters", h.letters)
	console.GET("/console/letters/export", h.exportLetters)
	console.GET("/console/letters/:id/pdf", h.letterPDF)
	console.POST("/console/letters/printed", h.markPrinted)
	console.POST("/console/letters/:id/printed", h.markPrinted)
	console.POST("/console/letters/:id/returned", h.markReturned)

	// Auditors, supervisors, admins.
	console.GET("/console/audit", h.auditLog)
	console.GET("/console/audit.csv", h.auditCSV)

	// Reports: auditors, supervisors, admins; every view audited.
	console.GET("/console/reports", h.reportsIndex)
	console.GET("/console/reports/adoption", h.reportsAdoption)
	console.GET("/console/reports/actions", h.reportsActions)
	console.GET("/console/reports/lockouts", h.reportsLockouts)
	console.GET("/console/reports/lockouts.csv", h.reportsLockoutsCSV)
	console.GET("/console/reports/outreach", h.reportsOutreach)
	console.POST("/console/reports/outreach", h.reportsOutreachSend)
	console.GET("/console/reports/outreach/letters.csv", h.reportsOutreachLetters)

	// Admins.
	console.GET("/console/staff", h.staffList)
	console.POST("/console/staff", h.staffCreate)
	console.POST("/console/staff/:id/role", h.staffRole)
	console.POST("/console/staff/:id/deactivate", h.staffDeactivate)
	console.POST("/console/staff/:id/totp/reset", h.staffResetTOTP)
	console.POST("/console/staff/:id/customer", h.staffLink)
	// A creation or promotion to supervisor or admin waits for a second admin.
	console.POST("/console/staff/:id/confirm", h.staffConfirm)
	console.POST("/console/staff/:id/cancel", h.staffCancel)
	console.POST("/console/staff/settings", h.staffSettings)
	// A temporary password, shown once; organisations (shown on the staff page).
	console.POST("/console/staff/:id/password/reset", h.staffResetPassword)
	console.POST("/console/organisations", h.orgCreate)
	console.POST("/console/organisations/:id/name", h.orgRename)
	// The OpenID Connect provider's clients (oidc_clients.go).
	console.GET("/console/oidc-clients", h.oidcClients)
	console.POST("/console/oidc-clients", h.oidcClientCreate)
	console.GET("/console/oidc-clients/:id", h.oidcClientPage)
	console.POST("/console/oidc-clients/:id", h.oidcClientUpdate)
	console.POST("/console/oidc-clients/:id/secret", h.oidcClientRotate)
	console.POST("/console/oidc-clients/:id/disable", h.oidcClientDisable)
}
