package web

import (
	"strings"
	"testing"
)

func TestSafeNext(t *testing.T) {
	const home = "/home-page"
	kept := []string{
		"/",
		"/login",
		"/settings/mfa?notice=saved",
		"/stepup?op=withdrawal%3A5&method=totp",
		"/console/customers?q=%E5%B1%B1%E7%94%B0+%E5%A4%AA%E9%83%8E",
		"/console/cases/12#notes",
		"/a/b/../c",
		"/javascript:alert(1)", // a path on this site named so
	}
	for _, next := range kept {
		if got := SafeNext(next, home); got != next {
			t.Errorf("SafeNext(%q) = %q, want it kept", next, got)
		}
	}
	refused := []string{
		"",
		"evil.example",
		"//evil.example",
		"///evil.example",
		"////evil.example/x",
		`/\evil.example`,
		`\\evil.example`,
		`\/evil.example`,
		"/\t/evil.example",    // /%09/evil.example as the query arrives
		"/%09/evil.example",   // the same, encoded once more
		"/%2509/evil.example", // and twice
		"/\n/evil.example",
		"/\r\n/evil.example",
		"/%0d%0aSet-Cookie:x=y", // header splitting
		"/x\r\nLocation: https://evil.example",
		"/%2F/evil.example",
		"/%2f/evil.example",
		"/%252F/evil.example",
		"/%5Cevil.example",
		"/%5cevil.example",
		"/%25255Cevil.example", // decodes three times before it shows
		"https://evil.example/",
		"http:/evil.example",
		"javascript:alert(1)",
		"JavaScript:alert(1)",
		"data:text/html,<script>alert(1)</script>",
		" /login",
		"/ /evil.example",
		"/\u00a0/evil.example", // no-break space
		"/\u3000/evil.example", // ideographic space
		"/\u2028/evil.example", // line separator
		"/\u200b/evil.example", // zero-width space
		"/\ufeff/evil.example", // byte-order mark
		"/\u0085/evil.example", // next line (C1)
		"/\x7f/evil.example",
		"/\x00/evil.example",
		"/%00",
		"/%ff",  // not UTF-8 once decoded
		"/\xff", // not UTF-8
		"/%zz",  // not an escape
		"/login%",
		"/" + strings.Repeat("a", 3000),
	}
	for _, next := range refused {
		if got := SafeNext(next, home); got != home {
			t.Errorf("SafeNext(%q) = %q, want the fallback", next, got)
		}
	}
}
