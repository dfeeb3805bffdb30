package mfa

import (
	"strings"
	"testing"
)

// docs/security.md S36: what a person typed reaches the audit trail with control
// characters escaped (no forged lines, no terminal escapes) and bounded.
func TestQuoteForAudit(t *testing.T) {
	tests := []struct{ in, want string }{
		{"demo-app", "demo-app"},
		{"やまだ", "やまだ"},
		{"eve\nlogin.password success", `eve\nlogin.password success`},
		{"a\x1b[31mred", `a\x1b[31mred`},
		{"tab\there", `tab\there`},
	}
	for _, tt := range tests {
		if got := quoteForAudit(tt.in); got != tt.want {
			t.Errorf("quoteForAudit(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	long := quoteForAudit(strings.Repeat("x", 500))
	if len(long) > 64 {
		t.Errorf("%d characters kept, want at most 64", len(long))
	}
}
