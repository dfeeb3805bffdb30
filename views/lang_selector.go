package views

import (
	"context"
	"fmt"
	"html"
	"io"
	"net/url"
	"strings"
)

// LangSelector is the language selector coming back to the address
// back: @LangSelector(back). Its markup depends only on the page's
// language and back, so LoadCatalog renders langSelectorMarkup once per
// language around a placeholder for back, and a page writes those parts
// with its back between them, escaped as the template escapes it.
type LangSelector string

// Render implements templ.Component.
func (back LangSelector) Render(ctx context.Context, w io.Writer) error {
	p := PageFrom(ctx)
	if p.Catalog != nil {
		if parts, ok := p.Catalog.langSelectors[p.Lang]; ok {
			return writeJoined(w, parts, selectorBack(string(back)))
		}
	}
	return langSelectorMarkup(string(back)).Render(ctx, w)
}

// selectorBack is back as the template writes it in a link.
func selectorBack(back string) string { return html.EscapeString(url.QueryEscape(back)) }

func writeJoined(w io.Writer, parts []string, sep string) error {
	for i, part := range parts {
		if i > 0 {
			if _, err := io.WriteString(w, sep); err != nil {
				return err
			}
		}
		if _, err := io.WriteString(w, part); err != nil {
			return err
		}
	}
	return nil
}

// backPlaceholder stands for back while the selector is rendered at
// load; letters only, so escaping leaves it as it is.
const backPlaceholder = "LangSelectorBackPlaceholder"

// renderLangSelectors renders the selector of each language in parts
// around back, and checks that the parts give what the template gives for
// an address that needs escaping: a template that used back otherwise
// would fail LoadCatalog (and the catalog test), not show wrong links.
func (c *Catalog) renderLangSelectors() (map[string][]string, error) {
	selectors := map[string][]string{}
	for _, lang := range Languages() {
		ctx := WithPage(context.Background(), Page{Lang: lang, Catalog: c})
		var b strings.Builder
		if err := langSelectorMarkup(backPlaceholder).Render(ctx, &b); err != nil {
			return nil, err
		}
		parts := strings.Split(b.String(), backPlaceholder)
		const check = `/a b?c=<d>&e="f"'`
		b.Reset()
		if err := langSelectorMarkup(check).Render(ctx, &b); err != nil {
			return nil, err
		}
		var joined strings.Builder
		if err := writeJoined(&joined, parts, selectorBack(check)); err != nil {
			return nil, err
		}
		if joined.String() != b.String() {
			return nil, fmt.Errorf("language selector (%s): back is not only in the links' query", lang)
		}
		selectors[lang] = parts
	}
	return selectors, nil
}
