package main

import (
	"context"
	"strings"
	"testing"
)

// "staff org" adds the organisation and audits it as the command line's.
func TestStaffOrgCommandCreatesAndAudits(t *testing.T) {
	a := newConsoleApp(t)
	out, err := a.runConsoleCommand("staff", "org", "--id", "shop-x", "--name", "店舗X", "--kind", "partner")
	if err != nil || !strings.Contains(out, "created organisation shop-x (partner)") {
		t.Fatalf("staff org: %v %q", err, out)
	}
	orgs, err := a.DB.Organisations(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, o := range orgs {
		found = found || (o.ID == "shop-x" && o.Name == "店舗X" && o.Kind == "partner")
	}
	if !found {
		t.Fatalf("shop-x not among %+v", orgs)
	}
	events, err := a.DB.AuditEvents(context.Background(), dataFilter("organisation.create"))
	if err != nil || len(events) != 1 {
		t.Fatalf("organisation.create events: %v %d", err, len(events))
	}
	if e := events[0]; e.ActorKind != "system" || e.Actor != "cli" || e.Outcome != "success" || e.Detail != "org=shop-x kind=partner" {
		t.Fatalf("event %+v", e)
	}
}
