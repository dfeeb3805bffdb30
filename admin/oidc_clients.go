package admin

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/idp"
	"mfadesk/views"
	"mfadesk/web"
)

// The relying parties of the OpenID Connect provider, registered by
// admins (rbac/policy.csv); the rules and their audit are idp.Clients'.

// oidcClientReasonKeys are the messages of idp's refusals of a field as
// a whole; oidcClientValueKeys of one URI or value, which they name.
var oidcClientReasonKeys = map[string]string{
	idp.ReasonRequired:      "ui.oidc_clients.error.required",
	idp.ReasonTooLong:       "ui.oidc_clients.error.too_many",
	idp.ReasonInvalid:       "ui.oidc_clients.error.name_invalid",
	idp.ReasonOpenIDMissing: "ui.oidc_clients.error.openid_missing",
}

var oidcClientValueKeys = map[string]string{
	idp.ReasonTooLong:      "ui.oidc_clients.error.too_long",
	idp.ReasonInvalid:      "ui.oidc_clients.error.invalid",
	idp.ReasonNotAbsolute:  "ui.oidc_clients.error.not_absolute",
	idp.ReasonFragment:     "ui.oidc_clients.error.fragment",
	idp.ReasonWildcard:     "ui.oidc_clients.error.wildcard",
	idp.ReasonUserinfo:     "ui.oidc_clients.error.userinfo",
	idp.ReasonHTTP:         "ui.oidc_clients.error.http",
	idp.ReasonCustomScheme: "ui.oidc_clients.error.custom_scheme",
	idp.ReasonScheme:       "ui.oidc_clients.error.scheme",
	idp.ReasonUnknownScope: "ui.oidc_clients.error.unknown_scope",
	idp.ReasonUnknownACR:   "ui.oidc_clients.error.unknown_acr",
}

// oidcClientNotices are the fixed messages of the pages' redirects.
var oidcClientNotices = map[string]string{
	"updated":  "ui.oidc_clients.notice.updated",
	"disabled": "ui.oidc_clients.notice.disabled",
}

var oidcClientChoices = views.OIDCClientChoices{Scopes: idp.ClientScopes, ACRs: []views.Option{
	{Value: "", Label: "ui.oidc_clients.acr_none"},
	{Value: idp.ACRPhishingResistant, Label: "ui.oidc_clients.acr_phr"},
	{Value: idp.ACRMFA, Label: "ui.oidc_clients.acr_mfa"},
	{Value: idp.ACRPassword, Label: "ui.oidc_clients.acr_pwd"},
}}

func (h *Handler) oidcClients(c echo.Context) error {
	m, err := h.oidcClientsModel(c)
	if err != nil {
		return err
	}
	m.Form.Scopes = []string{"openid"} // every client needs it
	m.Info = oidcClientNotices[c.QueryParam("notice")]
	return web.Render(c, http.StatusOK, views.ConsoleOIDCClientsPage(m))
}

func (h *Handler) oidcClientsModel(c echo.Context) (views.ConsoleOIDCClientsModel, error) {
	list, err := h.DB.OIDCClients(c.Request().Context())
	if err != nil {
		return views.ConsoleOIDCClientsModel{}, err
	}
	m := views.ConsoleOIDCClientsModel{Choices: oidcClientChoices, FieldErrors: map[string][]views.Message{}}
	for i := range list {
		m.Clients = append(m.Clients, oidcClientRow(&list[i]))
	}
	return m, nil
}

func (h *Handler) oidcClientCreate(c echo.Context) error {
	form := oidcClientForm(c)
	form.Public = c.FormValue("type") == "public"
	client, secret, err := h.OIDCClients.Register(c.Request().Context(), oidcClientInput(form), event(c, "", ""))
	var problems idp.ClientProblems
	if err != nil && !errors.As(err, &problems) {
		return err
	}
	m, mErr := h.oidcClientsModel(c)
	if mErr != nil {
		return mErr
	}
	if problems != nil {
		// Everything typed comes back, with why each field was refused.
		m.Form, m.FieldErrors, m.Error = form, oidcClientFieldErrors(problems), "ui.oidc_clients.not_saved"
		return web.Render(c, http.StatusUnprocessableEntity, views.ConsoleOIDCClientsPage(m))
	}
	// The secret is on this page and nowhere else: only its hash is kept.
	m.Form.Scopes = []string{"openid"}
	m.Created = &views.OIDCClientSecret{ClientID: client.ID, Secret: secret}
	return web.Render(c, http.StatusOK, views.ConsoleOIDCClientsPage(m))
}

// loadOIDCClient is the client of the route's :id; any other id is
// not found.
func (h *Handler) loadOIDCClient(c echo.Context) (*data.OIDCClient, error) {
	client, err := h.DB.OIDCClient(c.Request().Context(), c.Param("id"))
	if errors.Is(err, data.ErrNotFound) {
		return nil, errOIDCClientNotFound
	}
	return client, err
}

func (h *Handler) oidcClientModel(c echo.Context) (views.ConsoleOIDCClientModel, error) {
	client, err := h.loadOIDCClient(c)
	if err != nil {
		return views.ConsoleOIDCClientModel{}, err
	}
	row := oidcClientRow(client)
	return views.ConsoleOIDCClientModel{Client: row, Choices: oidcClientChoices, FieldErrors: map[string][]views.Message{},
		Form: views.OIDCClientForm{Name: row.Name, RedirectURIs: strings.Join(row.RedirectURIs, "\n"),
			PostLogoutURIs: strings.Join(row.PostLogoutURIs, "\n"), BackchannelURI: row.BackchannelURI, Scopes: row.Scopes,
			RequiredACR: row.RequiredACR, Public: row.Public}}, nil
}

func (h *Handler) oidcClientPage(c echo.Context) error {
	m, err := h.oidcClientModel(c)
	if err != nil {
		return err
	}
	m.Info = oidcClientNotices[c.QueryParam("notice")]
	return web.Render(c, http.StatusOK, views.ConsoleOIDCClientPage(m))
}

func (h *Handler) oidcClientUpdate(c echo.Context) error {
	m, err := h.oidcClientModel(c)
	if err != nil {
		return err
	}
	form := oidcClientForm(c)
	err = h.OIDCClients.Update(c.Request().Context(), m.Client.ID, oidcClientInput(form), event(c, "", ""))
	var problems idp.ClientProblems
	switch {
	case errors.As(err, &problems):
		m.Form, m.FieldErrors, m.Error = form, oidcClientFieldErrors(problems), "ui.oidc_clients.not_saved"
		return web.Render(c, http.StatusUnprocessableEntity, views.ConsoleOIDCClientPage(m))
	case errors.Is(err, idp.ErrClientDisabled):
		return errOIDCClientDisabled
	case err != nil:
		return err
	}
	return redirectNotice(c, "/console/oidc-clients/"+m.Client.ID, "updated")
}

func (h *Handler) oidcClientRotate(c echo.Context) error {
	m, err := h.oidcClientModel(c)
	if err != nil {
		return err
	}
	secret, err := h.OIDCClients.RotateSecret(c.Request().Context(), m.Client.ID, event(c, "", ""))
	switch {
	case errors.Is(err, idp.ErrClientDisabled), errors.Is(err, idp.ErrPublicClient):
		return errOIDCClientNoSecret
	case err != nil:
		return err
	}
	m.Rotated = &views.OIDCClientSecret{ClientID: m.Client.ID, Secret: secret}
	return web.Render(c, http.StatusOK, views.ConsoleOIDCClientPage(m))
}

func (h *Handler) oidcClientDisable(c echo.Context) error {
	client, err := h.loadOIDCClient(c)
	if err != nil {
		return err
	}
	err = h.OIDCClients.Disable(c.Request().Context(), client.ID, event(c, "", ""))
	if err != nil && !errors.Is(err, idp.ErrClientDisabled) {
		return err
	}
	return redirectNotice(c, "/console/oidc-clients/"+client.ID, "disabled")
}

// oidcClientForm reads the form as typed.
func oidcClientForm(c echo.Context) views.OIDCClientForm {
	form, _ := c.FormParams()
	return views.OIDCClientForm{Name: c.FormValue("name"), RedirectURIs: c.FormValue("redirect_uris"),
		PostLogoutURIs: c.FormValue("post_logout_uris"), BackchannelURI: c.FormValue("backchannel_uri"),
		Scopes: form["scopes"], RequiredACR: c.FormValue("required_acr")}
}

// oidcClientInput splits the textareas into URIs, one a line.
func oidcClientInput(f views.OIDCClientForm) idp.ClientInput {
	return idp.ClientInput{Name: f.Name, RedirectURIs: strings.Split(f.RedirectURIs, "\n"),
		PostLogoutRedirectURIs: strings.Split(f.PostLogoutURIs, "\n"), BackchannelLogoutURI: f.BackchannelURI,
		Scopes: f.Scopes, RequiredACR: f.RequiredACR, Public: f.Public}
}

// oidcClientFieldErrors puts each problem beside its field, naming the
// URI or value concerned.
func oidcClientFieldErrors(problems idp.ClientProblems) map[string][]views.Message {
	out := map[string][]views.Message{}
	for _, p := range problems {
		msg := views.Message{Key: oidcClientReasonKeys[p.Reason]}
		if p.Value != "" {
			msg = views.Message{Key: oidcClientValueKeys[p.Reason], Args: []any{p.Value}}
		}
		out[p.Field] = append(out[p.Field], msg)
	}
	return out
}

func oidcClientRow(c *data.OIDCClient) views.OIDCClientRow {
	return views.OIDCClientRow{ID: c.ID, Name: c.Name, Public: c.Public, RedirectURIs: c.RedirectURIs,
		PostLogoutURIs: c.PostLogoutRedirectURIs, BackchannelURI: c.BackchannelLogoutURI, Scopes: c.Scopes,
		RequiredACR: c.RequiredACR, Enabled: c.Enabled(), CreatedAt: c.CreatedAt}
}

var errOIDCClientNotFound = &web.UserError{Status: http.StatusNotFound, Title: "ui.console.error.not_found_title",
	Message: "ui.oidc_clients.error.not_found"}

var errOIDCClientDisabled = &web.UserError{Status: http.StatusConflict, Title: "ui.oidc_clients.error.refused_title",
	Message: "ui.oidc_clients.error.disabled"}

var errOIDCClientNoSecret = &web.UserError{Status: http.StatusConflict, Title: "ui.oidc_clients.error.refused_title",
	Message: "ui.oidc_clients.error.no_secret"}
