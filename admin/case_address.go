package admin

import (
	"context"
	"errors"
	"net/http"

	"github.com/labstack/echo/v4"

	"mfadesk/contact"
	"mfadesk/data"
	"mfadesk/support"
	"mfadesk/views"
	"mfadesk/web"
)

// The customer's postal address, entered by a staff member on a case
// after a strong verification (routes.go puts both handlers behind
// requireStrong; support.SetAddress checks again, and the own-account rule).

func (h *Handler) addressForm(c echo.Context) error {
	return h.renderAddress(c, http.StatusOK, views.ConsoleAddressModel{})
}

func (h *Handler) renderAddress(c echo.Context, status int, m views.ConsoleAddressModel) error {
	k := currentCase(c)
	m.CaseHref = caseHref(k.ID)
	if cur, err := h.Support.CustomerAddress(c.Request().Context(), k.CustomerID); err == nil {
		m.Current = contact.MaskAddress(cur)
	} else if !errors.Is(err, support.ErrNoAddress) {
		return err
	}
	m.Prefectures = []views.Option{{Value: "", Label: "ui.console.address.choose"}}
	for _, p := range contact.Prefectures {
		m.Prefectures = append(m.Prefectures, views.Option{Value: p, Label: p})
	}
	return web.Render(c, status, views.ConsoleAddressPage(m))
}

func (h *Handler) saveAddress(c echo.Context) error {
	form := views.ConsoleAddressModel{Postcode: c.FormValue("postcode"), Prefecture: c.FormValue("prefecture"),
		City: c.FormValue("city"), Building: c.FormValue("building")}
	addr, err := contact.ParseAddress(form.Postcode, form.Prefecture, form.City, form.Building)
	var bad *contact.AddressError
	if errors.As(err, &bad) {
		form.Field, form.Error = bad.Field, bad.Key
		return h.renderAddress(c, http.StatusUnprocessableEntity, form)
	}
	if err != nil {
		return err
	}
	res, err := h.Support.SetAddress(c.Request().Context(), h.caseActor(c), addr)
	if err == nil && res.Pending() {
		return h.afterAction(c, nil, "address_requested")
	}
	return h.afterAction(c, err, "address_changed")
}

// postalModel is the case page's postal part: the masked address, the
// address form's link when the staff member may use it now, the letters.
func (h *Handler) postalModel(ctx context.Context, st *data.Staff, k *data.Case, strong bool) (views.CasePostalModel, error) {
	var m views.CasePostalModel
	addr, err := h.Support.CustomerAddress(ctx, k.CustomerID)
	switch {
	case err == nil:
		m.Address = contact.MaskAddress(addr)
	case !errors.Is(err, support.ErrNoAddress):
		return m, err
	}
	if strong && k.Status == support.CaseOpen && h.RBAC.Allow(st.Role, st.OrgID, "/console/cases/:id/address", http.MethodPost) {
		m.AddressHref = caseHref(k.ID) + "/address"
	}
	letters, err := h.DB.CaseLetters(ctx, k.ID)
	if err != nil {
		return m, err
	}
	m.Letters = h.letterRows(letters)
	return m, nil
}
