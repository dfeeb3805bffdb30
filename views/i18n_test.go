package views

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// Every key in one language is in the other, and every key the code
// names exists: a missing translation fails here, not in front of a
// customer.
func TestCatalogsComplete(t *testing.T) {
	c, err := LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range Languages() {
		for _, b := range Languages() {
			for _, k := range c.Keys(a) {
				if !c.Has(b, k) {
					t.Errorf("key %q is in %s but missing in %s", k, a, b)
				}
			}
		}
	}
	for key, where := range keysInSource(t) {
		for _, lang := range Languages() {
			if !c.Has(lang, key) {
				t.Errorf("%s uses key %q, missing in %s", where, key, lang)
			}
		}
	}
}

// keyLiteral is how message keys look in the code: string literals
// starting "ui." ("ui.login.title", "ui.console.case.title").
var keyLiteral = regexp.MustCompile(`"(ui\.[a-z0-9_]+(?:\.[a-z0-9_]+)+)"`)

// keysInSource finds every key literal in the repository's Go and templ
// sources (not tests, not generated code).
func keysInSource(t *testing.T) map[string]string {
	t.Helper()
	keys := map[string]string{}
	root := ".."
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (strings.HasPrefix(d.Name(), ".") && p != root || d.Name() == "node_modules") {
			return filepath.SkipDir
		}
		if d.IsDir() || strings.HasSuffix(p, "_test.go") || strings.HasSuffix(p, "_templ.go") ||
			!(strings.HasSuffix(p, ".go") || strings.HasSuffix(p, ".templ")) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range keyLiteral.FindAllStringSubmatch(string(b), -1) {
			keys[m[1]] = p
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return keys
}

func TestMatchLanguage(t *testing.T) {
	tests := []struct{ cookie, accept, want string }{
		{"", "", LangJA},
		{"", "en-US,en;q=0.9", LangEN},
		{"", "fr-FR,en;q=0.8", LangEN},
		{"", "zh-CN", LangJA},
		{"ja", "en-US", LangJA},
		{"en", "ja", LangEN},
		{"xx", "ja-JP", LangJA},
	}
	for _, tt := range tests {
		if got := Match(tt.cookie, tt.accept); got != tt.want {
			t.Errorf("Match(%q, %q) = %q, want %q", tt.cookie, tt.accept, got, tt.want)
		}
	}
}
