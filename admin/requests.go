package admin

import (
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/views"
	"mfadesk/web"
)

// The supervisors' queue of four-eyes requests. Supervisors of the support
// centre decide requests from every organisation, partner shops included:
// the shops' staff always need their approval (DESIGN §2).

const requestListLimit = 200

var requestNotices = map[string]struct{ kind, msg string }{
	"approved":        {"info", "承認しました。操作を実行し、お客様に通知しました。"},
	"rejected":        {"info", "却下しました。"},
	"own_request":     {"error", "自分の申請は承認・却下できません。"},
	"own_account":     {"error", "自分の口座に関する申請は承認・却下できません。"},
	"expired":         {"error", "この申請は24時間を過ぎたため期限切れになりました。必要なら担当者に再申請を依頼してください。"},
	"decided":         {"error", "この申請はすでに処理されています。"},
	"reason_required": {"error", "却下の理由を1〜500文字で入力してください。"},
}

func (h *Handler) requests(c echo.Context) error {
	ctx := c.Request().Context()
	reqs, err := h.DB.PendingRequests(ctx, h.DB.Now(), requestListLimit)
	if err != nil {
		return err
	}
	m := views.ConsoleRequestsModel{}
	for _, r := range reqs {
		m.Requests = append(m.Requests, requestRow(&r, h.DB.Now()))
	}
	if n, ok := requestNotices[c.QueryParam("notice")]; ok {
		if n.kind == "info" {
			m.Info = n.msg
		} else {
			m.Error = n.msg
		}
	}
	return web.Render(c, http.StatusOK, views.ConsoleRequestsPage(m))
}

func (h *Handler) approveRequest(c echo.Context) error { return h.decide(c, true) }

func (h *Handler) rejectRequest(c echo.Context) error { return h.decide(c, false) }

// decisionNotices name the queue's notice for each refusal of a decision.
var decisionNotices = []errNotice{
	{mfa.ErrOwnRequest, "own_request"},
	{mfa.ErrOwnAccount, "own_account"},
	{mfa.ErrRequestExpired, "expired"},
	{mfa.ErrRequestDecided, "decided"},
	{mfa.ErrReasonRequired, "reason_required"},
}

func (h *Handler) decide(c echo.Context, approve bool) error {
	id, ok := parseID(c.Param("id"))
	if !ok {
		return errRequestNotFound
	}
	err := h.MFA.Decide(c.Request().Context(), mfa.Decision{Staff: staff(c), ClientIP: c.RealIP(), RequestID: id,
		Approve: approve, Reason: c.FormValue("reason")})
	switch {
	case errors.Is(err, data.ErrNotFound):
		return errRequestNotFound
	case errors.Is(err, mfa.ErrNotApprover):
		return errForbidden
	case err == nil && approve:
		return redirectNotice(c, "/console/requests", "approved")
	case err == nil:
		return redirectNotice(c, "/console/requests", "rejected")
	}
	if notice, ok := noticeFor(err, decisionNotices); ok {
		return redirectNotice(c, "/console/requests", notice)
	}
	return err
}

var errRequestNotFound = &web.UserError{Status: http.StatusNotFound, Title: "見つかりません",
	Message: "指定された申請は存在しません。"}

// requestRow describes a request for a list; a new contact is masked.
func requestRow(r *data.ActionRequest, now time.Time) views.RequestRow {
	row := views.RequestRow{ID: r.ID, Action: "/console/requests/" + strconv.FormatInt(r.ID, 10),
		CaseHref: caseHref(r.CaseID), Kind: r.Kind, Customer: r.CustomerName, Requester: r.RequesterLogin,
		Status: r.StatusAt(now), Reason: r.Reason, Created: views.DateTime(r.CreatedAt), Expires: views.DateTime(r.ExpiresAt)}
	switch r.Kind {
	case data.RequestReset:
		row.Summary = "多要素認証のリセット（" + views.FactorKindsLabel(r.Remove) + "）"
		if r.TempPass {
			row.Summary += "・一時パス発行"
		}
	case data.RequestContact:
		row.Summary = views.ContactKindLabel(r.ContactKind) + "の変更（新: " + maskTo("", r.ContactValue) + "、確認コード照合済み）"
	}
	return row
}
