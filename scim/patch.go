package scim

import (
	"strings"

	"github.com/elimity-com/scim"
	scimerrors "github.com/elimity-com/scim/errors"
	"github.com/scim2/filter-parser/v2"
)

// applyPatch applies PATCH operations (RFC 7644 §3.5.2), which the
// library has checked against the schema, to a User's attributes in
// order. emails and phoneNumbers hold one value each: a value filter in
// a path ("emails[type eq \"work\"].value") selects that value.
func applyPatch(m map[string]any, ops []scim.PatchOperation) error {
	for _, op := range ops {
		if err := applyOp(m, op.Op, op.Path, op.Value); err != nil {
			return err
		}
	}
	return nil
}

func applyOp(m map[string]any, op string, path *filter.Path, value any) error {
	if path == nil {
		if op == scim.PatchOperationRemove {
			return scimerrors.ScimError{Status: 400, ScimType: scimerrors.ScimTypeNoTarget, Detail: "remove needs a path"}
		}
		// The resource itself: each attribute given is added or replaced
		// as if it were the path.
		values, ok := value.(map[string]any)
		if !ok {
			return scimerrors.ScimErrorInvalidValue
		}
		for k, v := range values {
			if strings.EqualFold(k, ExtensionSchema) {
				for sk, sv := range asMap(v) {
					uri := ExtensionSchema
					if err := applyOp(m, op, &filter.Path{AttributePath: filter.AttributePath{URIPrefix: &uri, AttributeName: sk}}, sv); err != nil {
						return err
					}
				}
				continue
			}
			p, err := filter.ParsePath([]byte(k))
			if err != nil {
				return scimerrors.ScimErrorInvalidPath
			}
			if err := applyOp(m, op, &p, v); err != nil {
				return err
			}
		}
		return nil
	}
	target := m
	if uri := path.AttributePath.URI(); strings.EqualFold(uri, ExtensionSchema) {
		target = child(m, ExtensionSchema)
	}
	attr := canonical(path.AttributePath.AttributeName)
	remove := op == scim.PatchOperationRemove
	switch sub := canonical(path.AttributePath.SubAttributeName()); {
	case path.ValueExpression != nil:
		if remove {
			delete(target, attr)
			return nil
		}
		if vsub := canonical(path.SubAttributeName()); vsub != "" {
			elem := map[string]any{}
			if list, _ := target[attr].([]any); len(list) > 0 && asMap(list[0]) != nil {
				elem = asMap(list[0])
			}
			elem[vsub] = value
			value = elem
		}
		target[attr] = []any{value}
	case sub != "":
		parent := child(target, attr)
		if remove {
			delete(parent, sub)
		} else {
			parent[sub] = value
		}
		if attr == "name" && sub != "formatted" {
			// The parts changed: the full name is made of them again.
			delete(parent, "formatted")
		}
	case remove:
		delete(target, attr)
	default:
		values, isMap := value.(map[string]any)
		if !isMap || target[attr] == nil {
			target[attr] = value
			return nil
		}
		// A complex attribute: the sub-attributes given are set, the
		// others kept; new name parts make the full name again.
		parent := child(target, attr)
		for k, v := range values {
			parent[canonical(k)] = v
		}
		if attr == "name" && get(values, "formatted") == nil {
			delete(parent, "formatted")
		}
	}
	return nil
}

// child is the complex attribute name of m, made empty if absent.
func child(m map[string]any, name string) map[string]any {
	if c := asMap(m[name]); c != nil {
		return c
	}
	c := map[string]any{}
	m[name] = c
	return c
}

// canonical spells an attribute name as the schema does: names compare
// without case (RFC 7643 §2.1), and the rest of the package reads the
// schema's spelling.
func canonical(name string) string {
	for _, s := range []string{"userName", "externalId", "name", "formatted", "familyName", "givenName",
		"displayName", "emails", "phoneNumbers", "value", "type", "primary", "active", "preferredLanguage",
		"password", "accountNumber", "kanaName", "birthDate", "postalAddress", "postcode", "prefecture",
		"line1", "line2"} {
		if strings.EqualFold(s, name) {
			return s
		}
	}
	return name
}
