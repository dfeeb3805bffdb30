package customer

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/views"
	"mfadesk/web"
)

// activityLimit is how many of the newest events the page shows.
const activityLimit = 50

func (h *Handler) activity(c echo.Context) error {
	events, err := h.DB.AuditEventsFor(c.Request().Context(), web.Current(c).CustomerID, activityLimit)
	if err != nil {
		return err
	}
	m := views.ActivityModel{Limit: activityLimit}
	for _, e := range events {
		m.Rows = append(m.Rows, activityRow(e))
	}
	return web.Render(c, http.StatusOK, views.ActivityPage(m))
}

// activityRow puts an audit event in the customer's words, as message
// keys. Only fixed labels are shown: never the detail as stored, so
// nothing typed by anyone, and no code or secret, reaches the page.
func activityRow(e data.AuditEvent) views.ActivityRow {
	detail := detailFields(e.Detail)
	what, method := activityWhat(e.Action, detail)
	result, count, failed := activityResult(e.Action, e.Outcome)
	ip := e.ClientIP
	if ip == "" {
		ip = "—"
	}
	return views.ActivityRow{When: e.At, What: what, Method: method, ByStaff: e.ActorKind == "staff",
		Result: result, Count: count, ClientIP: ip, Failed: failed}
}

// activityWhat names the action, and the method its key takes as an
// argument ("" when it takes none); an action without a label is shown as
// 「その他の操作」 rather than as its code.
func activityWhat(action string, detail map[string]string) (what, method string) {
	switch action {
	case "login.password":
		return "ui.activity.what.login_password", ""
	case "login":
		// A completed login names how it was made: a passkey login has
		// no password step, so it must not read as one.
		if m := methodName(detail["method"]); m != "" {
			return "ui.activity.what.login_method", m
		}
		return "ui.activity.what.login", ""
	case "mfa.verify":
		m := methodName(detail["method"])
		switch {
		case detail["purpose"] == "login" && m != "":
			return "ui.activity.what.verify_login_method", m
		case detail["purpose"] == "login":
			return "ui.activity.what.verify_login", ""
		case m != "":
			return "ui.activity.what.verify_method", m
		}
		return "ui.activity.what.verify", ""
	case "mfa.lock":
		return "ui.activity.what.lock", ""
	case "code.send":
		if m := methodName(detail["channel"]); m != "" {
			return "ui.activity.what.code_send_method", m
		}
		return "ui.activity.what.code_send", ""
	case "logout":
		return "ui.activity.what.logout", ""
	case "password.change":
		switch detail["kind"] {
		case "login":
			return "ui.activity.what.password_login", ""
		case "trading":
			return "ui.activity.what.password_trading", ""
		}
		return "ui.activity.what.password", ""
	case "recovery_codes.issue":
		return "ui.activity.what.recovery_issue", ""
	case "factor.add", "factor.replace", "factor.remove":
		m := methodName(detail["kind"])
		if m == "" {
			m = "ui.activity.method.any"
		}
		return map[string]string{"factor.add": "ui.activity.what.factor_add", "factor.replace": "ui.activity.what.factor_replace",
			"factor.remove": "ui.activity.what.factor_remove"}[action], m
	case "factor.uses":
		return "ui.activity.what.factor_uses", ""
	case "contact.change":
		if detail["kind"] == "phone" {
			return "ui.activity.what.contact_phone", ""
		}
		return "ui.activity.what.contact_email", ""
	case "withdrawal.request":
		return "ui.activity.what.withdrawal", ""
	}
	return "ui.activity.what.other", ""
}

// methodName is the key naming a factor or channel, "" if unknown.
func methodName(method string) string {
	switch method {
	case "totp":
		return "ui.activity.method.totp"
	case "sms":
		return "ui.activity.method.sms"
	case "email":
		return "ui.activity.method.email"
	case "recovery":
		return "ui.activity.method.recovery"
	case "passkey":
		return "ui.activity.method.passkey"
	case "temp_pass":
		return "ui.activity.method.temp_pass"
	}
	return ""
}

// activityResult says how it ended (a key, and the count it takes when
// not zero), and whether that was a failure the customer should look at.
func activityResult(action, outcome string) (string, int, bool) {
	kind, arg, _ := strings.Cut(outcome, ":")
	switch {
	case outcome == "success":
		return "ui.activity.result.success", 0, false
	case outcome == "queued":
		return "ui.activity.result.queued", 0, false
	case action == "mfa.lock":
		return "ui.activity.result.locked_now", 0, true
	case kind == "failure" && action == "login.password":
		return "ui.activity.result.wrong_password", 0, true
	case kind == "failure" && action == "password.change":
		return "ui.activity.result.wrong_current_password", 0, true
	case kind == "failure" && action == "mfa.verify":
		if n, err := strconv.Atoi(arg); err == nil && n > 0 {
			return "ui.activity.result.wrong_code_times", n, true
		}
		return "ui.activity.result.wrong_code", 0, true
	case outcome == "refused:expired":
		return "ui.activity.result.expired", 0, true
	case outcome == "locked":
		return "ui.activity.result.refused_locked", 0, true
	case strings.HasSuffix(kind, "throttled"):
		return "ui.activity.result.refused_throttled", 0, true
	case outcome == "blocked:no_valid_email":
		return "ui.activity.result.refused_no_email", 0, true
	case kind == "failure" || kind == "refused" || kind == "blocked":
		return "ui.activity.result.failure", 0, true
	}
	return "ui.activity.result.none", 0, false
}

// detailFields reads the key=value pairs of an event's detail.
func detailFields(detail string) map[string]string {
	out := map[string]string{}
	for _, f := range strings.Fields(detail) {
		if k, v, ok := strings.Cut(f, "="); ok {
			out[k] = v
		}
	}
	return out
}
