package rbac

import "testing"

// The policy's rules in a few lines each; the route-by-route walk over
// the real router is in cmd/mfadesk.
func TestPolicy(t *testing.T) {
	en, err := New()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		sub, org, route, method string
		want                    bool
	}{
		{Anonymous, "", "/console/login", "GET", true},
		{Anonymous, "", "/console", "GET", false},
		{Customer, "", "/console/login", "GET", false},
		{Pending, "support", "/console/login/totp", "POST", true},
		{Pending, "support", "/console", "GET", false},
		{"agent", "support", "/console/customers", "GET", true},
		{"agent", "support", "/console/cases/:id", "HEAD", true},
		{"agent", "support", "/console/audit", "GET", false},
		{"supervisor", "support", "/console/customers", "GET", true},
		{"supervisor", "support", "/console/audit", "GET", true},
		{"supervisor", "support", "/console/staff", "GET", false},
		{"admin", "support", "/console/staff", "POST", true},
		{"admin", "support", "/console/audit.csv", "GET", true},
		{"partner", "shop-demo", "/console/cases/:id", "GET", true},
		{"partner", "shop-demo", "/console/customers", "GET", false},
		{"partner", "shop-demo", "/console/cases/:id/contact", "GET", false},
		{"partner", "support", "/console/cases/:id", "GET", false}, // a partner role outside a shop
		{"partner", "support", "/console", "GET", true},
		{"auditor", "compliance", "/console/audit", "GET", true},
		{"auditor", "compliance", "/console/cases/:id", "GET", false},
		{"agent", "support", "/console/no-policy-line", "GET", false},
		{"nobody", "support", "/console", "GET", false},
	}
	for _, tt := range tests {
		if got := en.Allow(tt.sub, tt.org, tt.route, tt.method); got != tt.want {
			t.Errorf("%s in %q %s %s = %v, want %v", tt.sub, tt.org, tt.method, tt.route, got, tt.want)
		}
	}
}

func TestPolicyLinesMustParse(t *testing.T) {
	for _, line := range []string{"p, agent, *, /console/x", "x, a, b, c, d", "g, agent"} {
		if _, err := New(line); err == nil {
			t.Errorf("%q accepted", line)
		}
	}
	en, err := New("p, auditor, *, /console/reports, GET")
	if err != nil || !en.Allow("auditor", "compliance", "/console/reports", "GET") {
		t.Errorf("extra line not applied: %v", err)
	}
}
