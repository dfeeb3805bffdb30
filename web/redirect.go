package web

import (
	"net/url"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNextLen bounds a redirect target taken from a request; the site's
// own paths are far shorter.
const maxNextLen = 2048

// SafeNext returns raw when it is a path on this site, else fallback.
// Every redirect whose target comes from the request (a query parameter,
// a form field, a header) goes through here.
//
// Browsers are lenient: they drop tabs and newlines inside a URL, read a
// backslash as a slash, and take "//host" as another site; some servers
// and proxies decode %2F and %5C before they follow a path. So raw must
// be a path starting with exactly one "/", and stay so once
// percent-decoded (repeatedly, against double encoding): no backslash,
// no control, whitespace or invisible character, no scheme, no host.
func SafeNext(raw, fallback string) string {
	if len(raw) > maxNextLen || !localPathShape(raw) {
		return fallback
	}
	decoded := raw
	for range 3 {
		d, err := url.PathUnescape(decoded)
		if err != nil || !localPathShape(d) {
			return fallback
		}
		if d == decoded {
			u, err := url.Parse(raw)
			if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil {
				return fallback
			}
			return raw
		}
		decoded = d
	}
	return fallback // still changing after three decodings: nothing this site writes
}

// localPathShape is the shape a same-site path must have, before and
// after each decoding.
func localPathShape(p string) bool {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || !utf8.ValidString(p) {
		return false
	}
	return !strings.ContainsFunc(p, func(r rune) bool {
		return r == '\\' || unicode.IsSpace(r) || !unicode.IsPrint(r)
	})
}
