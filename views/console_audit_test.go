package views

import (
	"context"
	"strings"
	"testing"
)

// A code in the audit trail may wrap after each separator, and only
// there; its text (what an auditor copies) stays the code, escaped.
func TestBreakAfterSeparators(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"case.verify.possession.send", "case.<wbr>verify.<wbr>possession.<wbr>send"},
		{"staff:agent", "staff:<wbr>agent"},
		{"remove=totp,sms temp_pass=false", "remove=<wbr>totp,<wbr>sms temp_<wbr>pass=<wbr>false"},
		{"audit.", "audit."},
		{"", ""},
		{"1000002", "1000002"},
		{`<b>.x&y`, "&lt;b&gt;.<wbr>x&amp;y"},
	}
	for _, tt := range tests {
		var b strings.Builder
		if err := breakAfterSeparators(tt.in).Render(context.Background(), &b); err != nil {
			t.Fatal(err)
		}
		if b.String() != tt.want {
			t.Errorf("%q: %q, want %q", tt.in, b.String(), tt.want)
		}
	}
}
