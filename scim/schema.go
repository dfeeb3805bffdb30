package scim

import (
	"github.com/elimity-com/scim/optional"
	"github.com/elimity-com/scim/schema"
)

// ExtensionSchema is the brokerage's extension of the SCIM User: what
// the customer master has beyond the core schema (docs/operations.md,
// "Provisioning over SCIM").
const ExtensionSchema = "urn:mfadesk:params:scim:schemas:extension:brokerage:2.0:User"

// str is a string attribute. Nothing is marked required: the import's
// checks (support.CheckImportRecord) say what is missing, in its words.
func str(name, description string) schema.SimpleParams {
	return schema.SimpleStringParams(schema.StringParams{Name: name, Description: optional.NewString(description)})
}

func readOnlyBool(name, description string) schema.CoreAttribute {
	return schema.SimpleCoreAttribute(schema.SimpleBooleanParams(schema.BooleanParams{Name: name,
		Description: optional.NewString(description), Mutability: schema.AttributeMutabilityReadOnly()}))
}

// oneValueList is a multi-valued attribute of which mfadesk keeps one value.
func oneValueList(name, description, value, typ string) schema.CoreAttribute {
	return schema.ComplexCoreAttribute(schema.ComplexParams{Name: name, MultiValued: true,
		Description: optional.NewString(description),
		SubAttributes: []schema.SimpleParams{
			str("value", value),
			str("type", typ),
			schema.SimpleBooleanParams(schema.BooleanParams{Name: "primary", Description: optional.NewString("The value kept")}),
		}})
}

// userSchema is the part of the core User schema mfadesk keeps.
func userSchema() schema.Schema {
	return schema.Schema{
		ID:          schema.UserSchema,
		Name:        optional.NewString("User"),
		Description: optional.NewString("A brokerage customer"),
		Attributes: []schema.CoreAttribute{
			schema.SimpleCoreAttribute(schema.SimpleStringParams(schema.StringParams{Name: "userName",
				Description: optional.NewString("Login ID (1 to 64 characters without spaces); unique. Required."),
				Uniqueness:  schema.AttributeUniquenessServer()})),
			schema.ComplexCoreAttribute(schema.ComplexParams{Name: "name",
				Description: optional.NewString("Name in kanji: formatted is the name on record; without it, familyName and givenName joined by a space."),
				SubAttributes: []schema.SimpleParams{
					str("formatted", "Full name in kanji, e.g. 山田 太郎"),
					str("familyName", "Family name in kanji"),
					str("givenName", "Given name in kanji"),
				}}),
			schema.SimpleCoreAttribute(str("displayName", "The name in kanji; read only when name is absent")),
			oneValueList("emails", "The customer's email address: the primary one (else the first) is kept",
				"Email address", "Ignored"),
			oneValueList("phoneNumbers", "The customer's Japanese mobile number: the primary one, else the one of type mobile, else the first",
				"Mobile number (090-1234-5678 or +81...)", "mobile"),
			schema.SimpleCoreAttribute(schema.SimpleBooleanParams(schema.BooleanParams{Name: "active",
				Description: optional.NewString("false: the account is closed (deactivated, sessions ended); absent: true")})),
			schema.SimpleCoreAttribute(str("preferredLanguage", "ja or en (ja-JP, en-US...); absent: unchanged, ja for a new customer")),
			// Listed so that a password sent is refused, not ignored:
			// customers set theirs through the password reset.
			schema.SimpleCoreAttribute(schema.SimpleStringParams(schema.StringParams{Name: "password",
				Description: optional.NewString("Not accepted: customers set their password through the password reset"),
				Mutability:  schema.AttributeMutabilityWriteOnly(), Returned: schema.AttributeReturnedNever()})),
		},
	}
}

// extensionSchema is the brokerage's fields.
func extensionSchema() schema.Schema {
	return schema.Schema{
		ID:          ExtensionSchema,
		Name:        optional.NewString("BrokerageUser"),
		Description: optional.NewString("The brokerage's customer master fields"),
		Attributes: []schema.CoreAttribute{
			schema.SimpleCoreAttribute(str("accountNumber", "Account number (1 to 20 digits); the same as externalId, which never changes")),
			schema.SimpleCoreAttribute(str("kanaName", "Name in katakana (full or half width). Required.")),
			schema.SimpleCoreAttribute(str("birthDate", "Birth date, YYYY-MM-DD. Required.")),
			schema.ComplexCoreAttribute(schema.ComplexParams{Name: "postalAddress",
				Description: optional.NewString("Postal address in Japan, for letters"),
				SubAttributes: []schema.SimpleParams{
					str("postcode", "Seven digits, e.g. 100-0001"),
					str("prefecture", "One of the 47 prefectures, e.g. 東京都"),
					str("line1", "市区町村・番地"),
					str("line2", "建物名・部屋番号"),
				}}),
			readOnlyBool("emailVerified", "Codes and notices go to the email: false after the back office changed a verified customer's address, until they confirm it"),
			readOnlyBool("mobileVerified", "Codes go to the mobile number: false after the back office changed a verified customer's number, until they confirm it"),
		},
	}
}
