package main

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/chromedp/cdproto"
	"github.com/chromedp/chromedp"
)

// The errors of a page on its way out are waited out; the test's own
// deadline, a wrong selector or a script error are not.
func TestTransientBrowserErrors(t *testing.T) {
	t.Parallel()
	live := context.Background()
	ended, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		err  error
		want bool
	}{
		{"navigated", live, &cdproto.Error{Code: -32000, Message: "Inspected target navigated or closed"}, true},
		{"node gone", live, fmt.Errorf("text: %w", &cdproto.Error{Code: -32000, Message: "Could not find node with given id"}), true},
		{"script context gone", live, &cdproto.Error{Code: -32000, Message: "Execution context was destroyed."}, true},
		{"no layout yet", live, &cdproto.Error{Code: -32000, Message: "Cannot take screenshot with 0 width."}, true},
		{"old frame's context", live, fmt.Errorf("call: %w", context.Canceled), true},
		{"test's context ended", ended, fmt.Errorf("call: %w", context.Canceled), false},
		{"navigated after the test's end", ended, &cdproto.Error{Code: -32000, Message: "Inspected target navigated or closed"}, false},
		{"deadline", live, context.DeadlineExceeded, false},
		{"bad selector", live, &cdproto.Error{Code: -32000, Message: "DOM Error while querying"}, false},
		{"poll timeout", live, chromedp.ErrPollingTimeout, false},
		{"script error", live, errors.New(`exception "Uncaught" (0:0): TypeError`), false},
	}
	for _, tt := range tests {
		if got := transientErr(tt.ctx, tt.err); got != tt.want {
			t.Errorf("%s: transient %v, want %v", tt.name, got, tt.want)
		}
	}
}

// A read that meets a page on its way out is tried again and returns what
// the next page says; it is not a failure of the test.
func TestBrowserReadOutlastsNavigation(t *testing.T) {
	b := newBrowserApp(t)
	ctx := newBrowser(t)
	b.run(t, ctx, "login page", chromedp.Navigate(b.base+"/login"))
	tries := 0
	read := func(c context.Context, tg *chromedp.Target) (string, error) {
		tries++
		if tries <= 2 {
			return "", &cdproto.Error{Code: -32000, Message: "Inspected target navigated or closed"}
		}
		return chromedp.Location()(c, tg)
	}
	if got := value(t, b, ctx, "location", read); got != b.base+"/login" || tries != 3 {
		t.Errorf("read %q after %d tries, want %q after 3", got, tries, b.base+"/login")
	}
}
