package main

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"mfadesk/views"
)

// recoveryBrowser is a browser app that finds buttons, links and
// sections by the Japanese labels a user reads. The labels come from the
// page text catalog, so a reworded label does not break the walk.
type recoveryBrowser struct {
	*browserApp
	cat *views.Catalog
}

func newRecoveryBrowser(t *testing.T, configure ...func(*Config)) *recoveryBrowser {
	t.Helper()
	b := newBrowserApp(t, configure...)
	if _, err := seedDemoStaff(context.Background(), b.App); err != nil {
		t.Fatal(err)
	}
	cat, err := views.LoadCatalog()
	if err != nil {
		t.Fatal(err)
	}
	return &recoveryBrowser{browserApp: b, cat: cat}
}

// label is the Japanese text of a page text key.
func (b *recoveryBrowser) label(key string) string { return b.cat.Text("ja", key) }

// byText is the first element tag whose whole visible text is the label
// of key.
func (b *recoveryBrowser) byText(tag, key string) chromedp.JSPath {
	return byXPath(`//` + tag + `[normalize-space()="` + b.label(key) + `"]`)
}

// byXPath is the first element the XPath expression finds.
func byXPath(expr string) chromedp.JSPath {
	quoted, _ := json.Marshal(expr)
	return chromedp.JSPath(`document.evaluate(` + string(quoted) + `, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue`)
}

// act runs steps that should take moments: a missing label fails in
// seconds, not at the browser's deadline.
func (b *recoveryBrowser) act(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	short, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(short, steps...); err != nil {
		b.screenshot(t, ctx, "failed-"+what)
		t.Fatalf("%s: %v", what, err)
	}
}

// press clicks the button labelled key.
func (b *recoveryBrowser) press(t *testing.T, ctx context.Context, key string) {
	t.Helper()
	b.act(t, ctx, "press "+key, chromedp.Click(b.byText("button", key)))
}

// follow clicks the link labelled key.
func (b *recoveryBrowser) follow(t *testing.T, ctx context.Context, key string) {
	t.Helper()
	b.act(t, ctx, "follow "+key, chromedp.Click(b.byText("a", key)))
}

// expand opens the folded section whose summary is labelled key.
func (b *recoveryBrowser) expand(t *testing.T, ctx context.Context, key string) {
	t.Helper()
	b.act(t, ctx, "expand "+key, chromedp.Click(b.byText("summary", key)),
		chromedp.WaitVisible(byXPath(`//details[@open]/summary[normalize-space()="`+b.label(key)+`"]`)))
}

// fill types values into the fields with those ids, in order.
func (b *recoveryBrowser) fill(t *testing.T, ctx context.Context, idValues ...string) {
	t.Helper()
	var steps []chromedp.Action[chromedp.Void]
	for i := 0; i+1 < len(idValues); i += 2 {
		steps = append(steps, chromedp.SetValue(chromedp.ID(idValues[i]), idValues[i+1]))
	}
	b.act(t, ctx, "fill "+idValues[0], steps...)
}

// text is the visible text of the element with that data-testid.
func (b *recoveryBrowser) text(t *testing.T, ctx context.Context, testID string) string {
	t.Helper()
	return value(t, b.browserApp, ctx, "text "+testID, chromedp.Text(chromedp.CSS(`[data-testid="`+testID+`"]`)))
}

// newJapaneseBrowser is newBrowser set to Japanese, as most customers'
// and staff's devices are (headless Chromium asks for English).
func newJapaneseBrowser(t *testing.T) context.Context {
	t.Helper()
	ctx := newBrowser(t)
	if err := chromedp.Do(ctx, askJapanese()); err != nil {
		t.Fatalf("browser language: %v", err)
	}
	return ctx
}

// newTab is another browser profile in the same Chromium, in Japanese: a
// second person's device, with its own cookies.
func newTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, askJapanese()); err != nil {
		t.Fatalf("new browser context: %v", err)
	}
	return ctx
}

// askJapanese makes the tab ask for Japanese pages.
func askJapanese() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, network.SetExtraHTTPHeaders,
			network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": "ja"}})
		return err
	})
}

// passwordLogin types login ID and password on /login and presses ログイン.
func (b *recoveryBrowser) passwordLogin(t *testing.T, ctx context.Context, loginID, password string) {
	t.Helper()
	b.run(t, ctx, "login page", chromedp.Navigate(b.base+"/login"))
	b.fill(t, ctx, "login_id", loginID, "password", password)
	b.press(t, ctx, "ui.login.submit")
}

// totpLogin logs in with a password and a fresh code of the app, and
// checks マイページ is reached.
func (b *recoveryBrowser) totpLogin(t *testing.T, ctx context.Context, loginID, password, secret string) {
	t.Helper()
	b.clock.Advance(30 * time.Second) // a code of a new step: each is used once
	b.passwordLogin(t, ctx, loginID, password)
	b.waitPath(t, ctx, "/login/verify")
	code, err := totpCodeForTest(secret, b.clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	b.fill(t, ctx, "code", code)
	b.press(t, ctx, "ui.verify.submit")
	b.waitMyPage(t, ctx)
}

// waitMyPage waits for マイページ.
func (b *recoveryBrowser) waitMyPage(t *testing.T, ctx context.Context) {
	t.Helper()
	b.waitPath(t, ctx, "/home")
	if h1 := value(t, b.browserApp, ctx, "title", chromedp.Text(chromedp.CSS("main h1"))); h1 != b.label("ui.home.title") {
		t.Fatalf("home page titled %q", h1)
	}
}

// refusedLogin checks that the password is refused on /login.
func (b *recoveryBrowser) refusedLogin(t *testing.T, ctx context.Context, loginID, password string) {
	t.Helper()
	b.passwordLogin(t, ctx, loginID, password)
	b.run(t, ctx, "refusal", chromedp.WaitVisible(chromedp.CSS(`[data-testid=notice-error]`)))
	if p := b.path(t, ctx); p != "/login" {
		t.Fatalf("refused password led to %q", p)
	}
}
