package main

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"mfadesk/mfa"
)

// The demo staff member the console phase logs in as: the supervisor has
// the longest menu (a check per entry on every page).
const (
	demoStaffLogin    = "supervisor"
	demoStaffPassword = "Demo#2025staff"
)

// consolePages are what a supervisor opens most: the start page with the
// open cases, the case list and the approval queue.
var consolePages = []string{"/console", "/console/cases", "/console/requests"}

// consolePhase: the concurrency's clients share one supervisor's console
// session and fetch the console pages in turn, as the page phase fetches
// /home; the CPU per request is the server's per console page.
func (l *load) consolePhase(ctx context.Context) (*phaseResult, error) {
	if l.staff == nil {
		// One login per run: the demo TOTP code works once per 30 s step,
		// and later rounds keep the session (idle limit 15 minutes).
		b := l.newBrowser(l.o.url)
		if err := staffLogin(ctx, b, demoStaffLogin, demoStaffPassword, demoTOTPSecret); err != nil {
			return nil, fmt.Errorf("log in %s to the console (its code works once per 30 s; retry in a moment): %w", demoStaffLogin, err)
		}
		l.staff = b
	}
	browsers := make([]*browser, l.o.concurrency)
	for i := range browsers {
		browsers[i] = l.staff.sameSession()
	}
	r := newRecorder()
	next := make([]int, l.o.concurrency)
	res := l.workers(ctx, "console", r, func(ctx context.Context, w int) bool {
		path := consolePages[next[w]%len(consolePages)]
		next[w]++
		timed(r, "GET "+path, http.StatusOK, func() (int, error) { return browsers[w].fetch(ctx, path) })
		return true
	})
	res.note = fmt.Sprintf("%d clients of one %s console session", l.o.concurrency, demoStaffLogin)
	return res, nil
}

// staffLogin logs b into the console with password and TOTP.
func staffLogin(ctx context.Context, b *browser, login, password, secret string) error {
	if status, err := b.fetchForm(ctx, "/console/login"); err != nil || status != http.StatusOK {
		return fmt.Errorf("GET /console/login: %d %v", status, err)
	}
	status, location, err := b.post(ctx, "/console/login", url.Values{"login_id": {login}, "password": {password}})
	if err != nil || location != "/console/login/totp" {
		return fmt.Errorf("password: %d to %q %v", status, location, err)
	}
	if status, err := b.fetchForm(ctx, "/console/login/totp"); err != nil || status != http.StatusOK {
		return fmt.Errorf("GET /console/login/totp: %d %v", status, err)
	}
	code, err := mfa.TOTPCode(secret, time.Now())
	if err != nil {
		return err
	}
	status, location, err = b.post(ctx, "/console/login/totp", url.Values{"code": {code}})
	if err != nil || location != "/console" {
		return fmt.Errorf("code: %d to %q %v", status, location, err)
	}
	return nil
}
