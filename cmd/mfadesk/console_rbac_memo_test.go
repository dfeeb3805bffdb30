package main

import (
	"net/http"
	"strings"
	"testing"

	"mfadesk/rbac"
)

// The enforcer remembers its answers (rbac.Enforcer.Allow); every answer
// must be the one casbin's own evaluation of the policy gives, for every
// route on the router, every subject, every kind of organisation and
// every method, asked the first time and again from memory.
func TestRememberedPolicyAnswersMatchCasbin(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	enforcer, err := rbac.New()
	if err != nil {
		t.Fatal(err)
	}
	routes := []string{"/console/*", "/console/no-such-page", "/console/cases/123"}
	for _, r := range consoleRoutes(a) {
		_, pattern, _ := strings.Cut(r, " ")
		routes = append(routes, pattern)
	}
	subs := append([]string{"nobody", ""}, subjects...)
	// The kinds of organisation the policy tells apart: none, the call
	// centre, compliance, a partner shop, names that only look like one.
	orgs := []string{"", "support", "compliance", "shop-demo", "shopdemo", "xshop-demo"}
	methods := []string{http.MethodGet, http.MethodPost}
	if len(routes) < 50 {
		t.Fatalf("only %d routes: the router's console routes were not found", len(routes))
	}
	for _, sub := range subs {
		for _, org := range orgs {
			for _, route := range routes {
				for _, method := range methods {
					want := enforcer.Evaluate(sub, org, route, method)
					// The first asks casbin, the next ones read memory.
					for round := range 2 {
						if got := enforcer.Allow(sub, org, route, method); got != want {
							t.Errorf("round %d: %s in %q %s %s = %v, casbin says %v", round, sub, org, method, route, got, want)
						}
					}
					if method == http.MethodGet && enforcer.Allow(sub, org, route, http.MethodHead) != want {
						t.Errorf("%s in %q HEAD %s differs from GET", sub, org, route)
					}
				}
			}
		}
	}
}
