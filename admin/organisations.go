package admin

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/support"
	"mfadesk/views"
	"mfadesk/web"
)

// Organisations (call centres, partner shops, compliance) are created and
// renamed by admins on the staff page, audited; their id never changes,
// since the policy and every staff row name it.

// orgFieldErrors are the creation's refusals by support, beside the field
// they concern.
var orgFieldErrors = []struct {
	err           error
	field, msgKey string
}{
	{support.ErrOrgID, "org_id", "ui.staff_orgs.error.id"},
	{support.ErrOrgKind, "org_kind", "ui.staff_orgs.error.kind"},
	{support.ErrOrgExists, "org_id", "ui.staff_orgs.error.exists"},
}

func (h *Handler) orgCreate(c echo.Context) error {
	m, err := h.staffModel(c)
	if err != nil {
		return err
	}
	m.OrgForm = views.NewOrgForm{ID: strings.TrimSpace(c.FormValue("org_id")), Name: strings.TrimSpace(c.FormValue("org_name")),
		Kind: c.FormValue("org_kind")}
	if msg := web.CheckText(m.OrgForm.Name, true, 64); !msg.Empty() {
		m.FieldErrors["org_name"] = msg
	}
	if len(m.FieldErrors) == 0 {
		err = h.Support.CreateOrganisation(c.Request().Context(), &data.Organisation{ID: m.OrgForm.ID, Name: m.OrgForm.Name,
			Kind: m.OrgForm.Kind}, event(c, "", ""))
		for _, e := range orgFieldErrors {
			if errors.Is(err, e.err) {
				m.FieldErrors[e.field], err = views.Message{Key: e.msgKey}, nil
			}
		}
		if err != nil {
			return err
		}
	}
	if len(m.FieldErrors) > 0 {
		return web.Render(c, http.StatusUnprocessableEntity, views.ConsoleStaffPage(m))
	}
	return redirectNotice(c, "/console/staff", "org_created")
}

func (h *Handler) orgRename(c echo.Context) error {
	name := strings.TrimSpace(c.FormValue("name"))
	if !web.CheckText(name, true, 64).Empty() {
		return redirectNotice(c, "/console/staff", "org_name_bad")
	}
	err := h.Support.RenameOrganisation(c.Request().Context(), c.Param("id"), name, event(c, "", ""))
	switch {
	case errors.Is(err, data.ErrNotFound):
		return errNotFound
	case err != nil:
		return err
	}
	return redirectNotice(c, "/console/staff", "org_renamed")
}
