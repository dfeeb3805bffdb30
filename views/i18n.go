package views

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"io/fs"
	"path"
	"sort"
	"strings"
)

// Languages of the sites; Japanese is the default (docs/design.md §1).
const (
	LangJA = "ja"
	LangEN = "en"
)

// Languages lists the supported languages, default first.
func Languages() []string { return []string{LangJA, LangEN} }

//go:embed locales
var localeFiles embed.FS

// Catalog holds every message of every language. Components show text
// only through T; the text itself lives in views/locales/<lang>/*.json.
type Catalog struct {
	messages map[string]map[string]string // lang → key → text
	escaped  map[string]map[string]string // the same text, HTML-escaped, for Text

	langSelectors map[string][]string // lang → LangSelector's markup around back
}

// LoadCatalog reads the embedded message files.
func LoadCatalog() (*Catalog, error) {
	c := &Catalog{messages: map[string]map[string]string{}, escaped: map[string]map[string]string{}}
	for _, lang := range Languages() {
		c.messages[lang] = map[string]string{}
		files, err := fs.Glob(localeFiles, path.Join("locales", lang, "*.json"))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			b, err := localeFiles.ReadFile(f)
			if err != nil {
				return nil, err
			}
			var m map[string]string
			if err := json.Unmarshal(b, &m); err != nil {
				return nil, fmt.Errorf("%s: %w", f, err)
			}
			for k, v := range m {
				if _, dup := c.messages[lang][k]; dup {
					return nil, fmt.Errorf("%s: key %q defined twice", f, k)
				}
				c.messages[lang][k] = v
			}
		}
		c.escaped[lang] = make(map[string]string, len(c.messages[lang]))
		for k, v := range c.messages[lang] {
			c.escaped[lang][k] = html.EscapeString(v)
		}
	}
	var err error
	if c.langSelectors, err = c.renderLangSelectors(); err != nil {
		return nil, err
	}
	return c, nil
}

// Keys returns the sorted keys of one language.
func (c *Catalog) Keys(lang string) []string {
	keys := make([]string, 0, len(c.messages[lang]))
	for k := range c.messages[lang] {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Has reports whether lang has key.
func (c *Catalog) Has(lang, key string) bool {
	_, ok := c.messages[lang][key]
	return ok
}

// Text returns the message for key in lang, formatted with args. A
// missing key shows as the key itself, which the catalog test forbids.
func (c *Catalog) Text(lang, key string, args ...any) string {
	msg, ok := inLang(c.messages, lang, key)
	if !ok {
		return key
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// escapedText is Text(lang, key) HTML-escaped, when key is a plain
// key in the catalog: the text made once at load, not per page.
func (c *Catalog) escapedText(lang, key string) (string, bool) {
	if c == nil {
		return "", false
	}
	return inLang(c.escaped, lang, key)
}

// inLang finds key's text in lang, else in Japanese, which has every key.
func inLang(texts map[string]map[string]string, lang, key string) (string, bool) {
	if msg, ok := texts[lang][key]; ok {
		return msg, true
	}
	msg, ok := texts[LangJA][key]
	return msg, ok
}

// Match picks the language for a request: the selector's cookie value if
// supported, else the first supported language of Accept-Language, else
// Japanese.
func Match(cookie, acceptLanguage string) string {
	for _, l := range Languages() {
		if cookie == l {
			return l
		}
	}
	for rest := acceptLanguage; rest != ""; {
		var part string
		part, rest, _ = strings.Cut(rest, ",")
		tag, _, _ := strings.Cut(part, ";")
		primary, _, _ := strings.Cut(strings.TrimSpace(tag), "-")
		for _, l := range Languages() {
			if strings.EqualFold(primary, l) {
				return l
			}
		}
	}
	return LangJA
}

// T translates key in the page's language. Models carry message keys;
// only components turn them into text.
func T(ctx context.Context, key string, args ...any) string {
	p := PageFrom(ctx)
	if p.Catalog == nil {
		return key
	}
	return p.Catalog.Text(p.Lang, key, args...)
}

// Text is a message key as a component, for text in an element:
// @Text("ui.layout.brand") writes what { T(ctx, "ui.layout.brand") }
// writes, from text escaped once at load instead of copied and escaped
// on every page. The frame of every page uses it; keys with arguments
// use T, and so does text followed by a space, which templ drops after
// a component.
type Text string

// Render implements templ.Component.
func (k Text) Render(ctx context.Context, w io.Writer) error {
	p := PageFrom(ctx)
	s, ok := p.Catalog.escapedText(p.Lang, string(k))
	if !ok {
		s = html.EscapeString(T(ctx, string(k)))
	}
	_, err := io.WriteString(w, s)
	return err
}
