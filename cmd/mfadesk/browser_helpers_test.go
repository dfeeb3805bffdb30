package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image/png"
	"net"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/webauthn"
	"github.com/chromedp/chromedp"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// The browser tests drive headless Chromium (Debian's chromium package)
// through chromedp. Without a browser they skip, except in CI, where
// .ci/run installs one and a skip would hide a failure.

func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := exec.LookPath(p); err == nil {
			return p
		}
	}
	if os.Getenv("CI") == "true" {
		t.Fatal("no Chromium found; .ci/run installs Debian's chromium package")
	}
	t.Skip("no Chromium on this machine (apt-get install chromium); browser tests skipped")
	return ""
}

// browserApp is the app served on a real port whose origin is
// http://localhost:PORT, so passkeys work as they do for a user.
type browserApp struct {
	*testApp
	base      string
	artifacts string
	shot      int
}

func newBrowserApp(t *testing.T, configure ...func(*Config)) *browserApp {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	base := fmt.Sprintf("http://localhost:%d", l.Addr().(*net.TCPAddr).Port)
	srv := httptest.NewUnstartedServer(nil)
	srv.Listener.Close()
	srv.Listener = l
	configure = append([]func(*Config){func(cfg *Config) { cfg.Origin = base }}, configure...)
	a := newTestAppServer(t, srv, configure...)
	dir := os.Getenv("E2E_ARTIFACTS")
	if dir == "" {
		dir = filepath.Join(os.TempDir(), "mfadesk-e2e")
	}
	dir = filepath.Join(dir, t.Name())
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshots in %s", dir)
	return &browserApp{testApp: a, base: base, artifacts: dir}
}

// newBrowser starts headless Chromium with the flags this sandbox needs
// (no sandbox as root, no background networking: the network is closed).
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath(t)),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(390, 844), // a phone
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		cancelAlloc()
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// run runs steps that act on the page (navigate, click, type) once: an
// error fails the test, since a click that may have landed must not be
// repeated. Steps that only wait or read go through wait or value, which
// outlast a navigation.
func (b *browserApp) run(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.screenshot(t, ctx, "failed-"+what)
		t.Fatalf("%s: %v", what, err)
	}
}

// wait runs steps that only wait for or read the page, again after an
// error of a page on its way out (see transientErr), until waitTimeout.
func (b *browserApp) wait(t *testing.T, ctx context.Context, what string, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	value(t, b, ctx, what, chromedp.Steps(steps...))
}

// value runs one action that reads the page and returns what it read,
// again after an error of a page on its way out, until waitTimeout. The
// action must be safe to repeat: a script that changes the page runs
// through run (chromedp.Evaluate[chromedp.Void]).
func value[T any](t *testing.T, b *browserApp, ctx context.Context, what string, a chromedp.Action[T]) T {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for {
		v, err := chromedp.Run(ctx, a)
		if err == nil {
			return v
		}
		if !transientErr(ctx, err) || time.Now().After(deadline) {
			b.screenshot(t, ctx, "failed-"+what)
			t.Fatalf("%s: %v", what, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// waitTimeout is how long a wait for a page lasts: pages of this app load
// in well under a second, but the CI machine may be busy.
const waitTimeout = 20 * time.Second

// transientMessages are the browser's answers to a command that reached a
// page on its way out: the tab navigated, the old document's nodes or
// script context are gone, or the new one has no layout yet.
var transientMessages = []string{
	"Inspected target navigated or closed",
	"Could not find node with given id",
	"No node with given id found",
	"Node with given id does not belong to the document",
	"Cannot find context with specified id",
	"Execution context was destroyed",
	"Cannot take screenshot with 0 width",
}

// transientErr reports whether err came from a page on its way out, so
// that reading again from the next page may succeed. A canceled context
// is transient only when it is not the test's own (ctx): chromedp cancels
// the contexts of an old frame's commands.
func transientErr(ctx context.Context, err error) bool {
	if ctx.Err() != nil {
		return false
	}
	if errors.Is(err, context.Canceled) {
		return true
	}
	for _, m := range transientMessages {
		if strings.Contains(err.Error(), m) {
			return true
		}
	}
	return false
}

var unsafeName = regexp.MustCompile(`[^a-z0-9-]+`)

// screenshot saves the whole page as the next numbered PNG artifact.
func (b *browserApp) screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return
	}
	b.shot++
	file := filepath.Join(b.artifacts, fmt.Sprintf("%02d-%s.png", b.shot, unsafeName.ReplaceAllString(strings.ToLower(name), "-")))
	if err := os.WriteFile(file, buf, 0o644); err != nil {
		t.Logf("save screenshot: %v", err)
	}
}

// path returns the current page's path and query.
func (b *browserApp) path(t *testing.T, ctx context.Context) string {
	t.Helper()
	return strings.TrimPrefix(value(t, b, ctx, "location", chromedp.Location()), b.base)
}

// waitPath waits until the browser is on the page want: the same path
// (any query), or with a query or a trailing "/" in want, a URL that
// starts with it. Exact paths matter: "/console" must not match the
// "/console/login/totp" page the browser is still leaving.
func (b *browserApp) waitPath(t *testing.T, ctx context.Context, want string) {
	t.Helper()
	b.waitURL(t, ctx, want, func(p string) bool {
		if strings.HasSuffix(want, "/") || strings.Contains(want, "?") {
			return strings.HasPrefix(p, want)
		}
		return strings.SplitN(p, "?", 2)[0] == want
	})
}

// waitURLContains waits until the path and query contain part.
func (b *browserApp) waitURLContains(t *testing.T, ctx context.Context, part string) {
	t.Helper()
	b.waitURL(t, ctx, part, func(p string) bool { return strings.Contains(p, part) })
}

func (b *browserApp) waitURL(t *testing.T, ctx context.Context, prefix string, ok func(string) bool) {
	t.Helper()
	deadline := time.Now().Add(waitTimeout)
	for time.Now().Before(deadline) {
		if ok(b.path(t, ctx)) {
			b.wait(t, ctx, "wait ready "+prefix, chromedp.WaitReady(chromedp.CSS("body")))
			// The address changes before the page has loaded: a click or a
			// screenshot at once may reach a page with no layout yet.
			value(t, b, ctx, "load "+prefix, chromedp.Poll[bool](`document.readyState === "complete"`))
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.screenshot(t, ctx, "wait-"+prefix)
	t.Fatalf("browser at %q, want %q", b.path(t, ctx), prefix)
}

// readQR decodes the QR code shown in the element, as a phone camera would.
func (b *browserApp) readQR(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	// The image must be loaded and decoded before its screenshot shows it
	// whole; a screenshot taken while the page still settles (seen under
	// load) is taken again.
	value(t, b, ctx, "qr loaded", chromedp.Poll[bool](`(() => { const i = document.querySelector(`+
		strconv.Quote(sel)+`); return !!i && i.complete && i.naturalWidth > 0; })()`))
	for try := 0; try < 3; try++ {
		b.wait(t, ctx, "scroll to qr", chromedp.ScrollIntoView(chromedp.CSS(sel)))
		buf := value(t, b, ctx, "screenshot qr", chromedp.Screenshot(chromedp.CSS(sel)))
		if text, ok := decodeScreenshotQR(t, buf); ok {
			return text
		}
	}
	b.screenshot(t, ctx, "unreadable-qr")
	t.Fatal("could not decode the QR code shown on the page")
	return ""
}

// decodeScreenshotQR reads the QR code in a PNG screenshot of it.
func decodeScreenshotQR(t *testing.T, buf []byte) (string, bool) {
	t.Helper()
	img, err := png.Decode(bytes.NewReader(buf))
	if err != nil {
		t.Fatalf("qr screenshot: %v", err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	// The element's screenshot is the code alone, without a quiet zone:
	// read it as a pure barcode first, then the slow general way.
	for _, hints := range []map[gozxing.DecodeHintType]interface{}{
		{gozxing.DecodeHintType_PURE_BARCODE: true},
		{gozxing.DecodeHintType_TRY_HARDER: true},
	} {
		if res, err := qrcode.NewQRCodeReader().Decode(bmp, hints); err == nil {
			return res.GetText(), true
		}
	}
	return "", false
}

// bypassCSP lets the test inject axe-core; the page itself keeps its CSP.
func bypassCSP() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, cdppage.SetBypassCSP, cdppage.SetBypassCSPParams{Enabled: true})
		return err
	})
}

// virtualAuthenticator gives the browser a platform authenticator with
// user verification, like a phone's fingerprint sensor (DevTools WebAuthn).
func virtualAuthenticator() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		if _, err := cdp.Call(ctx, tg, webauthn.Enable, webauthn.EnableParams{}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, tg, webauthn.AddVirtualAuthenticator, webauthn.AddVirtualAuthenticatorParams{
			Options: &webauthn.VirtualAuthenticatorOptions{
				Protocol: webauthn.AuthenticatorProtocolCtap2, Ctap2version: webauthn.Ctap2versionCtap21,
				Transport: webauthn.AuthenticatorTransportInternal, HasResidentKey: true, HasUserVerification: true,
				IsUserVerified: true, AutomaticPresenceSimulation: true,
			}})
		return err
	})
}
