// Package rbac decides who may reach which console route: a casbin model
// with domains (the domain is the organisation) and a policy, both
// embedded, and the Echo middleware that applies them to every route.
package rbac

import (
	"bufio"
	_ "embed"
	"fmt"
	"strings"

	"github.com/casbin/casbin/v2"
	"github.com/casbin/casbin/v2/model"
	"github.com/casbin/casbin/v2/util"
)

//go:embed model.conf
var modelText string

//go:embed policy.csv
var policyText string

// Subjects that are not staff roles.
const (
	Anonymous = "anonymous" // no console session
	Pending   = "pending"   // password passed, TOTP not yet
	Customer  = "customer"  // a customer's session: nothing in the console
)

// Enforcer answers whether a subject in an organisation may use a route.
// The policy is fixed at start-up, so the answers never change while the
// program runs.
type Enforcer struct {
	e *casbin.SyncedEnforcer
}

// New builds the enforcer from the embedded model and policy plus extra
// policy lines in the same format (for an admin's additions); a line that
// does not parse is an error, never silently skipped.
func New(extra ...string) (*Enforcer, error) {
	m, err := model.NewModelFromString(modelText)
	if err != nil {
		return nil, fmt.Errorf("rbac model: %w", err)
	}
	e, err := casbin.NewSyncedEnforcer(m)
	if err != nil {
		return nil, fmt.Errorf("rbac enforcer: %w", err)
	}
	// Organisation patterns such as "*" and "shop-*" in role links.
	e.AddNamedDomainMatchingFunc("g", "keyMatch", util.KeyMatch)
	for _, text := range append([]string{policyText}, extra...) {
		if err := load(e, text); err != nil {
			return nil, err
		}
	}
	if err := e.BuildRoleLinks(); err != nil {
		return nil, fmt.Errorf("rbac role links: %w", err)
	}
	return &Enforcer{e: e}, nil
}

func load(e *casbin.SyncedEnforcer, text string) error {
	sc := bufio.NewScanner(strings.NewReader(text))
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Split(line, ",")
		for i := range fields {
			fields[i] = strings.TrimSpace(fields[i])
		}
		rule := make([]interface{}, 0, len(fields)-1)
		for _, f := range fields[1:] {
			rule = append(rule, f)
		}
		var err error
		switch {
		case fields[0] == "p" && len(rule) == 4:
			_, err = e.AddPolicy(rule...)
		case fields[0] == "g" && len(rule) == 3:
			_, err = e.AddGroupingPolicy(rule...)
		default:
			err = fmt.Errorf("want p with 4 fields or g with 3")
		}
		if err != nil {
			return fmt.Errorf("rbac policy line %d %q: %w", n, line, err)
		}
	}
	return sc.Err()
}

// Allow reports whether subject (a role, or Anonymous, Pending, Customer)
// in organisation org may use route (Echo's path pattern) with method.
// Anything it cannot evaluate is refused.
func (en *Enforcer) Allow(subject, org, route, method string) bool {
	if method == "HEAD" {
		method = "GET"
	}
	if org == "" {
		org = "-"
	}
	ok, err := en.e.Enforce(subject, org, route, method)
	return err == nil && ok
}
