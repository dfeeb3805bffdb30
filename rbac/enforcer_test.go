package rbac

import (
	"strings"
	"testing"
)

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

// A question asked again is answered from memory, without casbin, and
// with the same answer; HEAD and GET are one question.
func TestAnswersAreRemembered(t *testing.T) {
	en, err := New()
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range [][4]string{
		{"agent", "support", "/console/customers", "GET"},
		{"partner", "shop-demo", "/console/customers", "GET"},
		{Anonymous, "", "/console/login", "GET"},
	} {
		first := en.Allow(q[0], q[1], q[2], q[3])
		n := en.Evaluations()
		for range 3 {
			if got := en.Allow(q[0], q[1], q[2], q[3]); got != first {
				t.Errorf("%v: %v, then %v", q, first, got)
			}
		}
		if got := en.Allow(q[0], q[1], q[2], "HEAD"); q[3] == "GET" && got != first {
			t.Errorf("%v as HEAD: %v, want %v", q, got, first)
		}
		if en.Evaluations() != n {
			t.Errorf("%v: casbin evaluated %d more times for a known question", q, en.Evaluations()-n)
		}
		if got := en.Evaluate(q[0], q[1], q[2], q[3]); got != first {
			t.Errorf("%v: remembered %v, casbin says %v", q, first, got)
		}
	}
}

// Past the bound on distinct questions, answers are still right and the
// memory stops growing.
func TestRememberedAnswersAreBounded(t *testing.T) {
	en, err := New()
	if err != nil {
		t.Fatal(err)
	}
	if en.limit != maxDecisions {
		t.Fatalf("limit %d, want maxDecisions", en.limit)
	}
	en.limit = 20
	for i := range en.limit + 10 {
		route := "/console/none/" + string(rune('a'+i%26)) + strings.Repeat("x", i/26)
		if en.Allow("agent", "support", route, "GET") {
			t.Fatalf("%s allowed", route)
		}
	}
	if !en.Allow("agent", "support", "/console/customers", "GET") {
		t.Error("a known route refused past the bound")
	}
	en.mu.RLock()
	defer en.mu.RUnlock()
	if len(en.decisions) != en.limit {
		t.Errorf("%d answers remembered, want the bound %d", len(en.decisions), en.limit)
	}
}

func BenchmarkAllow(b *testing.B) {
	en, err := New()
	if err != nil {
		b.Fatal(err)
	}
	b.Run("remembered", func(b *testing.B) {
		for b.Loop() {
			en.Allow("supervisor", "support", "/console/reports", "GET")
		}
	})
	b.Run("casbin", func(b *testing.B) {
		for b.Loop() {
			en.Evaluate("supervisor", "support", "/console/reports", "GET")
		}
	})
}
