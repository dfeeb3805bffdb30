package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"mfadesk/data"
)

// The audit trail stays one chain with every instance appending: a burst
// of logins, good and bad, on both instances at once, then `mfadesk audit
// verify` finds the chain intact, and each instance's own anchor file
// (docs/operations.md: anchors are per instance) agrees with it.
func TestMultiAuditChainUnderConcurrentBurst(t *testing.T) {
	dsn := multiDSN(t)
	dir := t.TempDir()
	apps := newInstances(t, dsn, 2)
	ctx := context.Background()
	for i, a := range apps {
		a.Config.AuditAnchor = filepath.Join(dir, fmt.Sprintf("anchors-%d.jsonl", i))
	}
	var stops []func()
	for _, a := range apps {
		stop, err := a.startAuditAnchors(ctx, make(chan time.Time))
		if err != nil {
			t.Fatal(err)
		}
		stops = append(stops, stop)
	}
	before, err := apps[0].DB.VerifyAuditChain(ctx, []*data.AuditKey{apps[0].DB.AuditKey()})
	if err != nil {
		t.Fatal(err)
	}
	const n = 40
	browsers := loginPages(apps, n)
	split(n, func(i int) {
		// Alternately the right and a wrong password for several
		// customers: each try is audited.
		loginID := []string{"demo-app", "demo-sms", "demo-email", "nobody-here"}[i%4]
		password := demoPassword
		if i%3 == 0 {
			password = "wrong password"
		}
		form := fmt.Sprintf("_csrf=%s&login_id=%s&password=%s", browsers[i].csrf, loginID, strings.ReplaceAll(password, " ", "+"))
		if p := browsers[i].postRaw("/login", form, nil); p.status >= 500 {
			t.Errorf("login %d: %d", i, p.status)
		}
	})
	for _, stop := range stops {
		stop()
	}
	after, err := apps[1].DB.VerifyAuditChain(ctx, []*data.AuditKey{apps[1].DB.AuditKey()})
	if err != nil || after.BrokenID != 0 {
		t.Fatalf("chain after the burst: %+v, %v", after, err)
	}
	if after.Events-before.Events < n {
		t.Errorf("%d events for %d audited logins", after.Events-before.Events, n)
	}
	for _, a := range apps {
		var out bytes.Buffer
		err := run([]string{"audit", "verify", "--db", dsn, "--anchor", a.Config.AuditAnchor}, func(string) string { return "" }, &out, &out)
		if err != nil || !strings.Contains(out.String(), "audit chain intact") {
			t.Errorf("audit verify with %s: %v\n%s", filepath.Base(a.Config.AuditAnchor), err, out.String())
		}
	}
	if p := apps[0].newClient().get("/healthz"); p.status != http.StatusOK {
		t.Errorf("healthz: %d", p.status)
	}
}
