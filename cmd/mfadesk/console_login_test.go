package main

import (
	"net/http"
	"strings"
	"testing"
)

func TestDemoStaffLogIn(t *testing.T) {
	t.Parallel()
	a := newConsoleApp(t)
	for _, login := range []string{"admin", "supervisor", "agent", "partner", "auditor"} {
		t.Run(login, func(t *testing.T) {
			c := a.staffLogin(login)
			p := c.get("/console")
			if p.status != http.StatusOK || !strings.Contains(p.text("console-user"), "（") || !p.has("console-logout") {
				t.Fatalf("console home: %d %q", p.status, p.text("console-user"))
			}
		})
	}
}
