package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// consoleViewport is a screen the console is laid out for.
type consoleViewport struct {
	name          string
	width, height int64
	desktop       bool
}

// consoleViewports are the agents' desktops and a partner shop's phone.
var consoleViewports = []consoleViewport{
	{"1280", 1280, 800, true},
	{"1920", 1920, 1080, true},
	{"360", 360, 740, false},
}

// The console's main pages, in Japanese (text that may break between any
// two characters), at 1280, 1920 and 360 px: the page never scrolls
// sideways (wide tables scroll inside their own region), no table cell is
// squeezed to a character or two per line, the menu stays in view on a
// desktop however far the page scrolls, and axe-core finds no serious
// violation. Screenshots of each go to the artifacts.
func TestBrowserConsoleLayout(t *testing.T) {
	b := newBrowserApp(t)
	if _, err := seedDemoStaff(context.Background(), b.App); err != nil {
		t.Fatal(err)
	}
	// A case with a strong verification and a request waiting for a
	// supervisor, so the case page and the queue have their tables.
	_, kase, _ := agentResetRequest(t, b.testApp, nil)

	var axe string
	t.Run("axe-core", func(t *testing.T) { axe = axeSource(t) })

	// One browser per staff member: each has its own time limit.
	roles := []struct {
		staff string
		pages []struct{ name, path string }
	}{
		{"agent", []struct{ name, path string }{{"home", "/console"}, {"search", "/console/customers?q=demo"}, {"case", kase}}},
		{"supervisor", []struct{ name, path string }{{"requests", "/console/requests"}, {"reports", "/console/reports"},
			{"adoption", "/console/reports/adoption"}}},
		{"admin", []struct{ name, path string }{{"staff", "/console/staff"}}},
		{"auditor", []struct{ name, path string }{{"audit", "/console/audit"}}},
	}
	for _, r := range roles {
		t.Run(r.staff, func(t *testing.T) {
			ctx := newBrowser(t)
			b.run(t, ctx, "japanese", chromedp.Navigate(b.base+"/lang?to=ja&next=/console/login"))
			b.staffLogin(t, ctx, r.staff)
			for _, p := range r.pages {
				for _, vp := range consoleViewports {
					name := p.name + "-" + vp.name
					b.run(t, ctx, name, chromedp.EmulateViewport(vp.width, vp.height), chromedp.Navigate(b.base+p.path),
						chromedp.WaitVisible(chromedp.CSS(`main h1`)))
					if p.name == "case" {
						value(t, b, ctx, "open panels", chromedp.Evaluate[int](
							`document.querySelectorAll("details").forEach(d => d.open = true); document.documentElement.scrollHeight`))
					}
					b.screenshot(t, ctx, "layout-"+name)
					b.checkConsoleLayout(t, ctx, name, vp.desktop)
					if p.name == "audit" && vp.name == "1280" {
						// Codes such as case.verify.possession.send wrap at their dots.
						if wide := value(t, b, ctx, "table widths "+name, chromedp.Evaluate[string](tableScrollsJS)); wide != "" {
							t.Errorf("%s: the table scrolls sideways: %s", name, wide)
						}
					}
					if axe != "" {
						b.checkAccessibility(t, ctx, axe, name)
					}
				}
			}
			if r.staff == "agent" {
				b.checkPasskeyLinkLayout(t, ctx, axe, kase)
			}
		})
	}

	// The checks themselves must be able to fail: a squeezed column and a
	// block wider than the screen are caught.
	ctx := newBrowser(t)
	b.run(t, ctx, "probe page", bypassCSP(), chromedp.Navigate(b.base+"/console/login")) // for the inline styles
	b.run(t, ctx, "broken layout", chromedp.Evaluate[chromedp.Void](`document.querySelector("main").insertAdjacentHTML("beforeend",
		"<table style='width:1em'><tr><td style='width:1em;min-width:0;padding:0'>メールアドレス</td></tr></table><div style='width:4000px'>x</div>")`))
	if got := value(t, b, ctx, "probe cells", chromedp.Evaluate[string](squeezedJS)); !strings.Contains(got, "メールアドレス") {
		t.Errorf("squeezed cell not caught: %q", got)
	}
	if got := value(t, b, ctx, "probe widths", chromedp.Evaluate[string](sidewaysJS)); !strings.Contains(got, "document") {
		t.Errorf("wide page not caught: %q", got)
	}
}

// sidewaysJS lists what is wider than the screen: the document and main
// must fit; only a table's own region (.table-scroll) may be wider.
const sidewaysJS = `(() => {
	const out = [];
	const d = document.documentElement;
	if (d.scrollWidth > d.clientWidth + 1) out.push("document " + d.scrollWidth + " > " + d.clientWidth);
	const m = document.querySelector("main");
	if (m.scrollWidth > m.clientWidth + 1) out.push("main " + m.scrollWidth + " > " + m.clientWidth);
	return out.join("; ");
})()`

// tableScrollsJS lists the table regions wider than their place on the
// page, which the reader has to scroll sideways.
const tableScrollsJS = `[...document.querySelectorAll("main .table-scroll")]
	.filter(r => r.scrollWidth > r.clientWidth + 1)
	.map(r => r.getAttribute("aria-label") + " " + r.scrollWidth + " > " + r.clientWidth).join("; ")`

// checkPasskeyLinkLayout issues a passkey link on the case and checks the
// page that shows it once, on each screen: the long link wraps instead of
// widening a phone's page.
func (b *browserApp) checkPasskeyLinkLayout(t *testing.T, ctx context.Context, axe, kase string) {
	t.Helper()
	b.run(t, ctx, "case for the link", chromedp.EmulateViewport(390, 844), chromedp.Navigate(b.base+kase),
		chromedp.Evaluate[chromedp.Void](`document.querySelector("[data-testid=passkey-link-action]").closest("details").open = true`),
		chromedp.Click(chromedp.CSS(`[data-testid=passkey-link-action] button`)))
	b.waitPath(t, ctx, kase+"/passkey-link")
	for _, vp := range append(consoleViewports, consoleViewport{"390", 390, 844, false}) {
		name := "passkey-link-" + vp.name
		b.run(t, ctx, name, chromedp.EmulateViewport(vp.width, vp.height))
		b.wait(t, ctx, name, chromedp.WaitVisible(chromedp.CSS(`[data-testid=passkey-link]`)))
		b.screenshot(t, ctx, "layout-"+name)
		b.checkConsoleLayout(t, ctx, name, vp.desktop)
		if axe != "" {
			b.checkAccessibility(t, ctx, axe, name)
		}
	}
}

// squeezedJS lists table texts that wrap to fewer than three characters
// per line on average (one line per character, as in 「メ/ー/ル」). The
// lines of a text are the distinct tops of its boxes.
const squeezedJS = `(() => {
	const out = [];
	for (const cell of document.querySelectorAll("main th, main td")) {
		const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
		for (let n = walker.nextNode(); n; n = walker.nextNode()) {
			const text = n.textContent.trim();
			if (!text) continue;
			const r = document.createRange();
			r.selectNodeContents(n);
			const tops = new Set([...r.getClientRects()].filter(x => x.width > 0).map(x => Math.round(x.top)));
			if (tops.size > 1 && [...text].length / tops.size < 3) out.push(text.slice(0, 24) + " (" + tops.size + " lines)");
		}
	}
	return out.join("; ");
})()`

// checkConsoleLayout checks the page on the current screen; see
// TestBrowserConsoleLayout.
func (b *browserApp) checkConsoleLayout(t *testing.T, ctx context.Context, name string, desktop bool) {
	t.Helper()
	wide := value(t, b, ctx, "widths "+name, chromedp.Evaluate[string](sidewaysJS))
	if wide != "" {
		t.Errorf("%s scrolls sideways: %s", name, wide)
	}

	squeezed := value(t, b, ctx, "cells "+name, chromedp.Evaluate[string](squeezedJS))
	if squeezed != "" {
		t.Errorf("%s: table text squeezed to a character or two per line: %s", name, squeezed)
	}

	// The menu is on screen, and on a desktop it still is once the page
	// is scrolled to its end.
	check := func(when string) {
		t.Helper()
		off := value(t, b, ctx, "menu "+name, chromedp.Evaluate[string](`(() => {
			const links = [...document.querySelectorAll("nav.console-menu a")];
			if (links.length === 0) return "no menu";
			return links.filter(a => { const r = a.getBoundingClientRect();
				return r.width === 0 || r.top < 0 || r.bottom > innerHeight || r.left < 0 || r.right > innerWidth; })
				.map(a => a.textContent.trim()).join(", ");
		})()`))
		if off != "" {
			t.Errorf("%s: menu not in view %s: %s", name, when, off)
		}
	}
	if desktop {
		check("at the top")
		value(t, b, ctx, "scroll "+name, chromedp.Evaluate[int](`window.scrollTo(0, document.documentElement.scrollHeight); 0`))
		if y := value(t, b, ctx, "scrolled "+name, chromedp.Evaluate[float64](`window.scrollY`)); y > 0 {
			check(fmt.Sprintf("scrolled down %.0f px", y))
		}
		value(t, b, ctx, "scroll back "+name, chromedp.Evaluate[int](`window.scrollTo(0, 0); 0`))
	}
}
