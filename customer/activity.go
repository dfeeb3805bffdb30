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

// activityRow puts an audit event in the customer's words. Only fixed
// labels are shown: never the detail as stored, so nothing typed by
// anyone, and no code or secret, reaches the page.
func activityRow(e data.AuditEvent) views.ActivityRow {
	what := activityWhat(e.Action, detailFields(e.Detail))
	if e.ActorKind == "staff" {
		what += "（お客様サポートによる操作）"
	}
	result, failed := activityResult(e.Action, e.Outcome)
	ip := e.ClientIP
	if ip == "" {
		ip = "—"
	}
	return views.ActivityRow{When: views.DateTime(e.At), What: what, Result: result, ClientIP: ip, Failed: failed}
}

// activityWhat names the action; an action without a label is shown as
// 「その他の操作」 rather than as its code.
func activityWhat(action string, detail map[string]string) string {
	switch action {
	case "login", "login.password":
		return "ログイン（パスワードの確認）"
	case "mfa.verify":
		what := "お手続き前の本人確認"
		if detail["purpose"] == "login" {
			what = "ログイン時の本人確認"
		}
		if m := methodName(detail["method"]); m != "" {
			what += "（" + m + "）"
		}
		return what
	case "mfa.lock":
		return "ログインの一時停止"
	case "code.send":
		if m := methodName(detail["channel"]); m != "" {
			return "確認コードの送信（" + m + "）"
		}
		return "確認コードの送信"
	case "logout":
		return "ログアウト"
	case "password.change":
		switch detail["kind"] {
		case "login":
			return "ログインパスワードの変更"
		case "trading":
			return "取引パスワードの変更"
		}
		return "パスワードの変更"
	case "recovery_codes.issue":
		return "リカバリーコードの発行"
	case "factor.add", "factor.replace", "factor.remove":
		verb := map[string]string{"factor.add": "登録", "factor.replace": "変更（機種変更）", "factor.remove": "解除"}[action]
		if m := methodName(detail["kind"]); m != "" {
			return m + "の" + verb
		}
		return "本人確認の方法の" + verb
	case "factor.uses":
		return "多要素認証を利用する場面の変更"
	case "contact.change":
		if detail["kind"] == "phone" {
			return "電話番号の変更"
		}
		return "メールアドレスの変更"
	case "withdrawal.request":
		return "出金指示"
	}
	return "その他の操作"
}

func methodName(method string) string {
	switch method {
	case "totp":
		return "認証アプリ"
	case "sms":
		return "SMS"
	case "email":
		return "メール"
	case "recovery":
		return "リカバリーコード"
	case "passkey":
		return "パスキー"
	}
	return ""
}

// activityResult says how it ended, and whether that was a failure the
// customer should look at.
func activityResult(action, outcome string) (string, bool) {
	kind, arg, _ := strings.Cut(outcome, ":")
	switch {
	case outcome == "success":
		return "成功", false
	case outcome == "queued":
		return "送信しました", false
	case action == "mfa.lock":
		return "確認コードの誤りが続いたため、ログインを一時停止しました", true
	case kind == "failure" && action == "login.password":
		return "失敗（パスワードの誤り）", true
	case kind == "failure" && action == "password.change":
		return "失敗（現在のパスワードの誤り）", true
	case kind == "failure" && action == "mfa.verify":
		if n, err := strconv.Atoi(arg); err == nil {
			return "失敗（確認コードの誤り、" + strconv.Itoa(n) + "回連続）", true
		}
		return "失敗（確認コードの誤り）", true
	case outcome == "refused:expired":
		return "失敗（確認コードの有効期限切れ）", true
	case outcome == "locked":
		return "受け付けませんでした（一時停止中）", true
	case strings.HasSuffix(kind, "throttled"):
		return "受け付けませんでした（失敗が続いたため）", true
	case outcome == "blocked:no_valid_email":
		return "受け付けませんでした（メールアドレスが未登録）", true
	case kind == "failure" || kind == "refused" || kind == "blocked":
		return "失敗", true
	}
	return "—", false
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
