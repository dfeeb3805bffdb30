package web

import (
	"reflect"
	"strings"
	"testing"

	"mfadesk/views"
)

func TestCheckText(t *testing.T) {
	tests := []struct {
		name     string
		value    string
		required bool
		max      int
		want     views.Message
	}{
		{"fine", "山田 太郎", true, 10, views.Message{}},
		{"empty, optional", "", false, 10, views.Message{}},
		{"empty, required", "", true, 10, views.Message{Key: "ui.field.required"}},
		{"blank, required", " \u3000 ", true, 10, views.Message{Key: "ui.field.required"}},
		{"exactly max characters", "あいう", true, 3, views.Message{}},
		{"too long carries max", "あいうえ", true, 3, views.Message{Key: "ui.field.too_long", Args: []any{3}}},
		{"too long, other max", strings.Repeat("x", 65), false, 64, views.Message{Key: "ui.field.too_long", Args: []any{64}}},
		{"control character", "a\x1fb", true, 10, views.Message{Key: "ui.field.invalid_chars"}},
		{"newline", "a\nb", false, 10, views.Message{Key: "ui.field.invalid_chars"}},
		{"invalid UTF-8", "a\xffb", true, 10, views.Message{Key: "ui.field.invalid_chars"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := CheckText(tt.value, tt.required, tt.max)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("CheckText(%q, %v, %d) = %+v, want %+v", tt.value, tt.required, tt.max, got, tt.want)
			}
			if got.Empty() != (tt.want.Key == "") {
				t.Errorf("Empty() = %v for %+v", got.Empty(), got)
			}
		})
	}
}
