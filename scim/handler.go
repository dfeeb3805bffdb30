// Package scim is the SCIM 2.0 provisioning API (RFC 7643, RFC 7644) the
// back office pushes customer changes through, on the internal listener
// only (docs/operations.md, "Provisioning over SCIM"). It knows HTTP and
// the SCIM representation; the checks and effects are the customer
// import's, in support.
package scim

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"

	"github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/elimity-com/scim/optional"
	"github.com/scim2/filter-parser/v2"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/support"
)

// Prefix is where the API is served: the library answers below /v2.
const Prefix = "/scim"

// maxBody bounds a request body: one User is a few hundred bytes.
const maxBody = 64 << 10

// Handler is the Users resource's handler and the bearer-token check.
type Handler struct {
	Support *support.Service
	Log     *slog.Logger
}

// actorKey carries the authenticated token's name to the resource handler.
type actorKey struct{}

// NewHTTPHandler serves the API under Prefix/v2: bearer token first,
// then the library's routing, schema checks and SCIM JSON.
func (h *Handler) NewHTTPHandler() (http.Handler, error) {
	server, err := scim.NewServer(&scim.ServerArgs{
		ServiceProviderConfig: &scim.ServiceProviderConfig{
			DocumentationURI: optional.NewString("docs/operations.md#provisioning-over-scim"),
			AuthenticationSchemes: []scim.AuthenticationScheme{{Type: scim.AuthenticationTypeOauthBearerToken,
				Name: "Bearer token", Description: "A token made by mfadesk scim-token create", Primary: true}},
			MaxResults: 100, SupportFiltering: true, SupportPatch: true,
		},
		ResourceTypes: []scim.ResourceType{{
			ID: optional.NewString("User"), Name: "User", Endpoint: "/Users",
			Description:      optional.NewString("Brokerage customers"),
			Schema:           userSchema(),
			SchemaExtensions: []scim.SchemaExtension{{Schema: extensionSchema()}},
			Handler:          h,
		}},
	}, scim.WithBaseURL(Prefix+"/v2"), scim.WithLogger(logger{h.Log}))
	if err != nil {
		return nil, err
	}
	return h.authenticate(http.StripPrefix(Prefix, server)), nil
}

// authenticate lets through a request bearing a usable token, with the
// token's name as the actor; any other gets 401 and nothing else, so
// nothing tells whether a customer exists.
func (h *Handler) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, found := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		name, ok := "", false
		if found && token != "" {
			var err error
			if name, ok, err = h.Support.ScimTokenName(r.Context(), strings.TrimSpace(token)); err != nil {
				h.Log.Error("scim token check", "err", err)
				writeError(w, scimerrors.ScimErrorInternal)
				return
			}
		}
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="mfadesk-scim"`)
			writeError(w, scimerrors.ScimError{Status: http.StatusUnauthorized, Detail: "a valid bearer token is required"})
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), actorKey{}, name)))
	})
}

func writeError(w http.ResponseWriter, e scimerrors.ScimError) {
	body, _ := e.MarshalJSON()
	w.Header().Set("Content-Type", "application/scim+json")
	w.WriteHeader(e.Status)
	w.Write(body)
}

// actor is who makes a change, for its audit event: the token's name,
// from the client's address.
func actor(r *http.Request) data.AuditEvent {
	name, _ := r.Context().Value(actorKey{}).(string)
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		ip = r.RemoteAddr
	}
	return data.AuditEvent{ActorKind: "scim", Actor: name, ClientIP: ip}
}

// Create provisions a new customer; an account number already on record
// is updated instead (the import's upsert), so a retried POST is safe.
func (h *Handler) Create(r *http.Request, attrs scim.ResourceAttributes) (scim.Resource, error) {
	c, err := h.Support.Provision(r.Context(), actor(r), "", func(*support.ProvisionedCustomer) (support.ImportRecord, error) {
		return record(attrs)
	})
	return h.result(c, err)
}

// Get is one customer by SCIM id.
func (h *Handler) Get(r *http.Request, id string) (scim.Resource, error) {
	c, err := h.Support.ProvisionedCustomerByID(r.Context(), id)
	return h.result(c, err)
}

// GetAll lists customers a page at a time, filtered by userName eq or
// externalId eq (joined by and).
func (h *Handler) GetAll(r *http.Request, params scim.ListRequestParams) (scim.Page, error) {
	q := data.ScimQuery{Offset: params.StartIndex - 1, Limit: params.Count}
	if params.FilterValidator != nil {
		if err := listFilter(params.FilterValidator.GetFilter(), &q); err != nil {
			return scim.Page{}, err
		}
	}
	list, total, err := h.Support.ProvisionedCustomers(r.Context(), q)
	if err != nil {
		return scim.Page{}, h.fail(err)
	}
	page := scim.Page{TotalResults: total, Resources: []scim.Resource{}}
	for _, c := range list {
		page.Resources = append(page.Resources, resource(c))
	}
	return page, nil
}

// listFilter reads the filters the API answers into q.
func listFilter(e filter.Expression, q *data.ScimQuery) error {
	switch e := e.(type) {
	case *filter.LogicalExpression:
		if e.Operator == filter.AND {
			if err := listFilter(e.Left, q); err != nil {
				return err
			}
			return listFilter(e.Right, q)
		}
	case *filter.AttributeExpression:
		v, isString := e.CompareValue.(string)
		if e.Operator == filter.EQ && isString && e.AttributePath.SubAttribute == nil && e.AttributePath.URIPrefix == nil {
			switch strings.ToLower(e.AttributePath.AttributeName) {
			case "username":
				q.LoginID = mfa.NormalizeLoginID(v)
				return nil
			case "externalid":
				q.Account = v
				return nil
			}
		}
	}
	return scimerrors.ScimError{Status: http.StatusBadRequest, ScimType: scimerrors.ScimTypeInvalidFilter,
		Detail: `only userName eq "..." and externalId eq "..." (and both joined by and) are supported`}
}

// Replace sets the customer to the attributes given (PUT). Without
// externalId the account number stays; an identical PUT changes nothing
// and audits nothing.
func (h *Handler) Replace(r *http.Request, id string, attrs scim.ResourceAttributes) (scim.Resource, error) {
	c, err := h.Support.Provision(r.Context(), actor(r), id, func(cur *support.ProvisionedCustomer) (support.ImportRecord, error) {
		rec, err := record(attrs)
		if rec.Fields[support.ColAccount] == "" {
			rec.Fields[support.ColAccount] = cur.AccountNumber
		}
		return rec, err
	})
	return h.result(c, err)
}

// Patch applies the operations to the customer as they are, in the same
// transaction as the change.
func (h *Handler) Patch(r *http.Request, id string, ops []scim.PatchOperation) (scim.Resource, error) {
	c, err := h.Support.Provision(r.Context(), actor(r), id, func(cur *support.ProvisionedCustomer) (support.ImportRecord, error) {
		m := attributes(*cur)
		if err := applyPatch(m, ops); err != nil {
			return support.ImportRecord{}, err
		}
		return record(m)
	})
	return h.result(c, err)
}

// Delete closes the account, as the import's status "closed" does: the
// customer is deactivated and their sessions end; the record stays
// (GET shows active false) and PATCH active true reopens it.
func (h *Handler) Delete(r *http.Request, id string) error {
	_, err := h.Support.Provision(r.Context(), actor(r), id, func(cur *support.ProvisionedCustomer) (support.ImportRecord, error) {
		m := attributes(*cur)
		m["active"] = false
		return record(m)
	})
	if err != nil {
		return h.fail(err)
	}
	return nil
}

func (h *Handler) result(c support.ProvisionedCustomer, err error) (scim.Resource, error) {
	if err != nil {
		return scim.Resource{}, h.fail(err)
	}
	return resource(c), nil
}

func resource(c support.ProvisionedCustomer) scim.Resource {
	return scim.Resource{ID: c.ScimID, ExternalID: optional.NewString(c.AccountNumber), Attributes: attributes(c)}
}

// fail turns a refusal into its SCIM error, with the import's reasons as
// the detail; anything else is logged and answered 500.
func (h *Handler) fail(err error) error {
	var pe *support.ProvisionError
	var se scimerrors.ScimError
	switch {
	case errors.As(err, &pe):
		e := scimerrors.ScimError{Status: http.StatusBadRequest, ScimType: scimerrors.ScimTypeInvalidValue,
			Detail: strings.Join(pe.Reasons, "; ")}
		switch pe.Kind {
		case support.ProvisionUniqueness:
			e.Status, e.ScimType = http.StatusConflict, scimerrors.ScimTypeUniqueness
		case support.ProvisionMutability:
			e.ScimType = scimerrors.ScimTypeMutability
		case support.ProvisionNotFound:
			e.ScimType = ""
			e.Status = http.StatusNotFound
		}
		return e
	case errors.As(err, &se):
		return se
	}
	h.Log.Error("scim", "err", err)
	return err
}

// logger hands the library's own errors (marshalling, writing) to slog.
type logger struct{ log *slog.Logger }

func (l logger) Error(args ...any) { l.log.Error("scim library", "detail", args) }
