package admin

import (
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/views"
	"mfadesk/web"
)

// caseNotices are the fixed messages a redirect may ask the case page to show.
var caseNotices = map[string]struct{ kind, msg string }{
	"note":             {"info", "メモを追加しました。"},
	"closed":           {"info", "受付を完了しました。"},
	"knowledge_passed": {"info", "知識確認が一致しました（弱い本人確認: マスク表示と説明のみ）。"},
	"knowledge_failed": {"error", "知識確認が一致しませんでした。"},
	"code_sent":        {"info", "確認コードを送りました。お客様に読み上げてもらい、入力してください（有効期限5分）。"},
	"postal_sent":      {"info", "確認コードの郵送を手配しました（有効期限14日）。届いたら読み上げてもらい、入力してください。"},
	"code_wait":        {"error", "コードは1分に1回まで送れます。少し待ってからもう一度押してください。"},
	"no_destination":   {"error", "その方法で使える確認済みの連絡先がありません。"},
	"passed":           {"info", "確認コードが一致しました（強い本人確認）。15分間有効です。"},
	"document_passed":  {"info", "本人確認書類の確認を記録しました（強い本人確認）。15分間有効です。"},
	"document_invalid": {"error", "書類の種類と、書類番号の末尾4文字（英数字）を入力してください。"},
	"not_in_person":    {"error", "本人確認書類の確認は店頭での受付でのみできます。"},
	"wrong_code":       {"error", "確認コードが一致しません。"},
	"malformed_code":   {"error", "確認コードは6桁の数字で入力してください。"},
	"too_many":         {"error", "間違いが続いたため、このコードは使えません。新しいコードを送ってください。"},
	"expired":          {"error", "確認コードの有効期限が切れました。新しいコードを送ってください。"},
	"no_code":          {"error", "まだコードを送っていません。"},
	"locked":           {"error", "お客様の確認コードの誤りが続いたため、ロックされています。"},
	"case_closed":      {"error", "この受付は完了しています。新しい受付を開始してください。"},
	"note_invalid":     {"error", "メモは1〜2000文字で入力してください。"},

	// Actions (case_actions.go).
	"reset_done":        {"info", "多要素認証をリセットしました。お客様のログインを終了し、出金を一時停止し、登録済みの連絡先に通知しました。"},
	"reset_requested":   {"info", "リセットを申請しました。スーパーバイザーの承認後に実行されます。"},
	"contact_code_sent": {"info", "新しい連絡先に確認コードを送りました。お客様に読み上げてもらい、入力してください（有効期限5分）。"},
	"contact_changed":   {"info", "連絡先を変更しました。変更前の連絡先に通知し、出金を一時停止しました。"},
	"contact_requested": {"info", "確認コードが一致しました。連絡先の変更を申請しました。スーパーバイザーの承認後に変更されます。"},
	"unlocked":          {"info", "ロックを解除しました。お客様に通知しました。"},
	"not_locked":        {"error", "このお客様はロックされていません。"},
	"needs_strong":      {"error", "この操作には、15分以内の強い本人確認（所持確認・本人確認書類・郵送確認）が必要です。"},
	"own_account":       {"error", "ご自身の口座に対する操作はできません。別の担当者に依頼してください。"},
	"bad_reset":         {"error", "リセットする認証方法を選び直してください。"},
	"bad_contact":       {"error", "メールアドレス、または携帯電話番号（070・080・090で始まる11桁）を正しく入力してください。"},
	"send_limit":        {"error", "このお客様へのコード送信が1時間の上限に達しました。時間をおいてください。"},
	"no_pass":           {"error", "表示できる一時パスはありません（表示は申請者が1回だけできます）。"},
}

func (h *Handler) showCase(c echo.Context) error {
	ctx := c.Request().Context()
	k, st := currentCase(c), staff(c)
	cu, err := h.DB.CustomerByID(ctx, k.CustomerID)
	if err != nil {
		return err
	}
	factors, err := h.factorRows(ctx, cu.ID)
	if err != nil {
		return err
	}
	deliveries, err := h.deliveryRows(ctx, cu.ID)
	if err != nil {
		return err
	}
	strength, err := h.MFA.CaseStrength(ctx, k)
	if err != nil {
		return err
	}
	vs, err := h.DB.Verifications(ctx, k.ID)
	if err != nil {
		return err
	}
	notes, err := h.DB.CaseNotes(ctx, k.ID)
	if err != nil {
		return err
	}
	e := event(c, "customer.view", "success")
	e.CaseID, e.CustomerID = k.ID, cu.ID
	if err := h.audit(ctx, e); err != nil {
		return err
	}
	m := views.ConsoleCaseModel{Case: caseRow(k), Customer: customerRow(cu), Open: k.Status == data.CaseOpen,
		Strength: strength, CanSendSMS: cu.PhoneVerified && cu.Phone != "", CanSendEmail: cu.HasValidEmail(),
		InPerson: k.Channel == "shop", Notes: noteRows(notes), Verifications: verificationRows(vs),
		Factors: factors, Deliveries: deliveries}
	if m.Actions, err = h.actionsModel(c, k, cu, strength == data.StrengthStrong); err != nil {
		return err
	}
	if h.RBAC.Allow(st.Role, st.OrgID, "/console/cases/:id/contact", http.MethodGet) {
		m.ContactHref = caseHref(k.ID) + "/contact"
	}
	if cu.MFALockedUntil.After(h.DB.Now()) {
		m.LockedUntil = views.DateTime(cu.MFALockedUntil)
	}
	for _, v := range vs {
		if v.Status == data.VerificationPending && v.ExpiresAt.After(h.DB.Now()) {
			m.CodePending = m.CodePending || v.Method == data.VerifyPossession
			m.PostalPending = m.PostalPending || v.Method == data.VerifyPostal
		}
	}
	for _, d := range mfa.DocumentTypes() {
		m.DocumentTypes = append(m.DocumentTypes, views.Option{Value: d, Label: views.DocumentLabel(d)})
	}
	if n, ok := caseNotices[c.QueryParam("notice")]; ok {
		if n.kind == "info" {
			m.Info = n.msg
		} else {
			m.Error = n.msg
		}
	}
	return web.Render(c, http.StatusOK, views.ConsoleCasePage(m))
}

func noteRows(notes []data.CaseNote) []views.NoteRow {
	out := make([]views.NoteRow, 0, len(notes))
	for _, n := range notes {
		out = append(out, views.NoteRow{StaffLogin: n.StaffLogin, Body: n.Body, At: views.DateTime(n.CreatedAt)})
	}
	return out
}

func verificationRows(vs []data.Verification) []views.VerificationRow {
	out := make([]views.VerificationRow, 0, len(vs))
	for _, v := range vs {
		r := views.VerificationRow{Method: v.Method, Status: v.Status, Detail: v.Detail, StaffAt: views.DateTime(v.CreatedAt)}
		if v.Status == data.VerificationPassed {
			r.ValidTill = views.DateTime(v.ValidUntil)
		}
		out = append(out, r)
	}
	return out
}

// contact shows the customer's contact data unmasked; routes.go puts it
// behind requireStrong, and the policy keeps partners out.
func (h *Handler) contact(c echo.Context) error {
	ctx := c.Request().Context()
	k := currentCase(c)
	cu, err := h.DB.CustomerByID(ctx, k.CustomerID)
	if err != nil {
		return err
	}
	e := event(c, "customer.contact.view", "success")
	e.CaseID, e.CustomerID = k.ID, cu.ID
	if err := h.audit(ctx, e); err != nil {
		return err
	}
	return web.Render(c, http.StatusOK, views.ConsoleContactPage(views.ConsoleContactModel{CaseHref: caseHref(k.ID),
		Email: cu.Email, EmailStatus: cu.EmailStatus, Phone: cu.Phone, PhoneVerified: cu.PhoneVerified}))
}

func (h *Handler) addNote(c echo.Context) error {
	ctx := c.Request().Context()
	k := currentCase(c)
	body := c.FormValue("body")
	if k.Status != data.CaseOpen {
		return redirectNotice(c, caseHref(k.ID), "case_closed")
	}
	if web.CheckText(body, true, 2000) != "" {
		return redirectNotice(c, caseHref(k.ID), "note_invalid")
	}
	err := h.DB.InTx(ctx, func(tx *data.Tx) error {
		if err := tx.AddCaseNote(ctx, k.ID, staff(c).ID, body); err != nil {
			return err
		}
		e := event(c, "case.note", "success")
		e.CaseID, e.CustomerID = k.ID, k.CustomerID
		return tx.Audit(ctx, e)
	})
	if err != nil {
		return err
	}
	return redirectNotice(c, caseHref(k.ID), "note")
}

func (h *Handler) closeCase(c echo.Context) error {
	ctx := c.Request().Context()
	k := currentCase(c)
	err := h.DB.InTx(ctx, func(tx *data.Tx) error {
		if err := tx.CloseCase(ctx, k.ID); err != nil {
			return err
		}
		e := event(c, "case.close", "success")
		e.CaseID, e.CustomerID = k.ID, k.CustomerID
		return tx.Audit(ctx, e)
	})
	if errors.Is(err, data.ErrConflict) {
		return redirectNotice(c, caseHref(k.ID), "case_closed")
	}
	if err != nil {
		return err
	}
	return redirectNotice(c, caseHref(k.ID), "closed")
}
