package views

import (
	"context"
	"strings"
	"testing"
)

// A Message carries its arguments to the text: the field's error shows
// the formatted sentence in the page's language, and no message shows
// nothing.
func TestMessageRendersWithArgs(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang string
		msg  Message
		want string
	}{
		{LangJA, Message{Key: "ui.field.too_long", Args: []any{64}}, "長すぎます。64文字以内で入力してください。"},
		{LangEN, Message{Key: "ui.field.too_long", Args: []any{64}}, "This is too long. Please use 64 characters or fewer."},
		{LangJA, Message{Key: "ui.password.policy.too_short", Args: []any{8, 5}}, "パスワードは8文字以上にしてください（入力されたのは5文字です）。"},
		{LangEN, Message{Key: "ui.password.policy.too_short", Args: []any{8, 5}}, "Please use at least 8 characters (you entered 5)."},
		{LangJA, Message{Key: "ui.field.required"}, c.Text(LangJA, "ui.field.required")},
		{LangEN, Message{}, ""},
	}
	for _, tt := range tests {
		ctx := WithPage(context.Background(), Page{Lang: tt.lang, Catalog: c})
		if got := M(ctx, tt.msg); got != tt.want {
			t.Errorf("M(%s, %+v) = %q, want %q", tt.lang, tt.msg, got, tt.want)
		}
		var b strings.Builder
		if err := Field(FieldProps{Name: "f", Label: "ui.field.code", Type: "text", Error: tt.msg}).Render(ctx, &b); err != nil {
			t.Fatal(err)
		}
		html := b.String()
		if tt.want == "" {
			if strings.Contains(html, `class="error"`) || strings.Contains(html, "aria-invalid") {
				t.Errorf("%s: no message, but the field shows an error: %s", tt.lang, html)
			}
			continue
		}
		if !strings.Contains(html, `data-testid="f-error">`+tt.want+"</p>") {
			t.Errorf("%s: field error is not %q: %s", tt.lang, tt.want, html)
		}
	}
}
