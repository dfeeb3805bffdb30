package idp

import (
	"net/url"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ClientScopes are the scopes a client may be allowed, in the order the
// console lists them. openid is always among a client's scopes.
var ClientScopes = []string{"openid", "profile", "email", "phone", "offline_access"}

// ClientInput is what an admin types to register or change a client.
type ClientInput struct {
	Name                   string
	RedirectURIs           []string
	PostLogoutRedirectURIs []string
	BackchannelLogoutURI   string
	Scopes                 []string
	RequiredACR            string
	// Public: no secret (a mobile app). Fixed at registration.
	Public bool
}

// The fields a ClientProblem names, as the console's form names them.
const (
	FieldName        = "name"
	FieldRedirects   = "redirect_uris"
	FieldPostLogout  = "post_logout_uris"
	FieldBackchannel = "backchannel_uri"
	FieldScopes      = "scopes"
	FieldACR         = "required_acr"
)

// Why a field is refused. The console shows a message per reason, with
// the offending value.
const (
	ReasonRequired      = "required"       // empty, or no URI where one is needed
	ReasonTooLong       = "too_long"       // over the length or count limit
	ReasonInvalid       = "invalid"        // not parseable, control or space characters
	ReasonNotAbsolute   = "not_absolute"   // no scheme or no host
	ReasonFragment      = "fragment"       // a #fragment (never sent back by browsers, so never matched)
	ReasonWildcard      = "wildcard"       // '*': redirect URIs match exactly, never by pattern
	ReasonUserinfo      = "userinfo"       // user:password@ in the URI
	ReasonHTTP          = "http"           // plain http off loopback, or outside dev
	ReasonCustomScheme  = "custom_scheme"  // an app's own scheme on a confidential client
	ReasonScheme        = "scheme"         // a scheme that is neither https nor an app's reverse-domain one
	ReasonUnknownScope  = "unknown_scope"  // not in ClientScopes
	ReasonOpenIDMissing = "openid_missing" // scopes without openid
	ReasonUnknownACR    = "unknown_acr"    // not one of ACRValues
)

// Limits on what a client may list: enough for any real app, small
// enough that the console and the audit trail stay readable.
const (
	maxClientName = 64
	maxURIs       = 10
	maxURILength  = 512
)

// ClientProblem is one refusal: the field, why, and the value concerned
// ("" when the field as a whole is).
type ClientProblem struct {
	Field, Reason, Value string
}

// ClientProblems is a refused ClientInput.
type ClientProblems []ClientProblem

func (p ClientProblems) Error() string {
	parts := make([]string, len(p))
	for i, e := range p {
		parts[i] = e.Field + ": " + e.Reason
		if e.Value != "" {
			parts[i] += " (" + e.Value + ")"
		}
	}
	return "oidc client refused: " + strings.Join(parts, "; ")
}

// Check lists what is wrong with in (nil when nothing). Redirect URIs are
// matched exactly by the provider, so they must be exact here: absolute,
// https (http only on localhost or 127.0.0.1, and only in dev), no
// fragment, no wildcard; a public client (a mobile app) may also use its
// own reverse-domain scheme (RFC 8252), a confidential one may not.
func (s *Clients) Check(in ClientInput) ClientProblems {
	var out ClientProblems
	add := func(field, reason, value string) { out = append(out, ClientProblem{field, reason, value}) }
	switch name := strings.TrimSpace(in.Name); {
	case name == "":
		add(FieldName, ReasonRequired, "")
	case utf8.RuneCountInString(name) > maxClientName:
		add(FieldName, ReasonTooLong, "")
	case !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl):
		add(FieldName, ReasonInvalid, "")
	}
	if len(in.RedirectURIs) == 0 {
		add(FieldRedirects, ReasonRequired, "")
	}
	for _, l := range []struct {
		field string
		uris  []string
	}{{FieldRedirects, in.RedirectURIs}, {FieldPostLogout, in.PostLogoutRedirectURIs}} {
		if len(l.uris) > maxURIs {
			add(l.field, ReasonTooLong, "")
			continue
		}
		for _, u := range l.uris {
			if reason := s.checkURI(u, in.Public); reason != "" {
				add(l.field, reason, u)
			}
		}
	}
	if in.BackchannelLogoutURI != "" {
		// The provider POSTs to it from the server: never an app's scheme.
		if reason := s.checkURI(in.BackchannelLogoutURI, false); reason != "" {
			add(FieldBackchannel, reason, in.BackchannelLogoutURI)
		}
	}
	if !slices.Contains(in.Scopes, "openid") {
		add(FieldScopes, ReasonOpenIDMissing, "")
	}
	for _, sc := range in.Scopes {
		if !slices.Contains(ClientScopes, sc) {
			add(FieldScopes, ReasonUnknownScope, sc)
		}
	}
	if in.RequiredACR != "" && !KnownACR(in.RequiredACR) {
		add(FieldACR, ReasonUnknownACR, in.RequiredACR)
	}
	return out
}

// checkURI is why uri may not be registered, or "".
func (s *Clients) checkURI(uri string, public bool) string {
	if len(uri) > maxURILength {
		return ReasonTooLong
	}
	if strings.ContainsFunc(uri, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) }) {
		return ReasonInvalid
	}
	if strings.Contains(uri, "*") {
		return ReasonWildcard
	}
	if strings.Contains(uri, "#") {
		return ReasonFragment
	}
	u, err := url.Parse(uri)
	if err != nil {
		return ReasonInvalid
	}
	if u.Scheme == "" {
		return ReasonNotAbsolute
	}
	if u.User != nil {
		return ReasonUserinfo
	}
	switch scheme := strings.ToLower(u.Scheme); {
	case scheme == "https":
		if u.Host == "" {
			return ReasonNotAbsolute
		}
	case scheme == "http":
		if u.Host == "" {
			return ReasonNotAbsolute
		}
		if host := u.Hostname(); !s.AllowLoopbackHTTP || (host != "localhost" && host != "127.0.0.1") {
			return ReasonHTTP
		}
	case strings.Contains(scheme, "."):
		// A private-use scheme in reverse-domain form (com.example.app:/cb):
		// only the app that owns the domain claims it (RFC 8252 §7.1).
		if !public {
			return ReasonCustomScheme
		}
		if u.Opaque == "" && u.Path == "" {
			return ReasonNotAbsolute
		}
	default:
		// javascript:, data:, file: and other schemes without a domain.
		return ReasonScheme
	}
	return ""
}

// cleanInput trims the name, drops empty lines and repeated URIs and
// scopes, and puts openid first: what is stored is what Check passed.
func cleanInput(in ClientInput) ClientInput {
	in.Name = strings.TrimSpace(in.Name)
	in.RedirectURIs = uniqueNonEmpty(in.RedirectURIs)
	in.PostLogoutRedirectURIs = uniqueNonEmpty(in.PostLogoutRedirectURIs)
	in.BackchannelLogoutURI = strings.TrimSpace(in.BackchannelLogoutURI)
	var scopes []string
	for _, sc := range ClientScopes {
		if slices.Contains(in.Scopes, sc) {
			scopes = append(scopes, sc)
		}
	}
	for _, sc := range in.Scopes {
		if !slices.Contains(scopes, sc) {
			scopes = append(scopes, sc) // unknown: kept so Check names it
		}
	}
	in.Scopes = scopes
	return in
}

func uniqueNonEmpty(list []string) []string {
	var out []string
	for _, s := range list {
		if s = strings.TrimSpace(s); s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out
}
