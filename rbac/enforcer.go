// Package rbac decides who may reach which console route: a casbin model
// with domains (the domain is the organisation) and a policy, both
// embedded, and the Echo middleware that applies them to every route.
package rbac

import (
	"bufio"
	_ "embed"
	"fmt"
	"strings"
	"sync"

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
// program runs: each answer is worked out by casbin once and remembered.
// casbin's own evaluation walks every policy line and compiles a regular
// expression per line (keyMatch2), about 0.5 ms per question, and a
// console page asks about ten (the route, the menu, the page's buttons).
type Enforcer struct {
	e *casbin.SyncedEnforcer

	mu        sync.RWMutex
	decisions map[question]bool
	limit     int // at most this many answers remembered: maxDecisions
	// evaluations counts casbin's evaluations, so tests can tell a
	// remembered answer from a fresh one.
	evaluations int64
}

// question is one Allow call after HEAD and the empty organisation are
// normalised.
type question struct{ subject, org, route, method string }

// maxDecisions bounds the remembered answers. Subjects, organisations and
// routes come from the database and the router, so some thousands of
// answers cover a deployment with hundreds of shops; past the bound (an unexpected source of distinct
// questions) answers are still right, only not remembered.
const maxDecisions = 1 << 16

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
	return &Enforcer{e: e, decisions: map[question]bool{}, limit: maxDecisions}, nil
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
	q := ask(subject, org, route, method)
	en.mu.RLock()
	ok, known := en.decisions[q]
	en.mu.RUnlock()
	if known {
		return ok
	}
	ok = en.evaluate(q)
	en.mu.Lock()
	en.evaluations++
	if len(en.decisions) < en.limit {
		en.decisions[q] = ok
	}
	en.mu.Unlock()
	return ok
}

// Evaluate is Allow without the remembered answers: casbin's evaluation
// of the policy every time. Allow must always agree with it (the route
// walk in cmd/mfadesk checks every route, role and kind of organisation).
func (en *Enforcer) Evaluate(subject, org, route, method string) bool {
	return en.evaluate(ask(subject, org, route, method))
}

// ask normalises a question: HEAD is answered as GET, and no organisation
// is "-" (casbin's keyMatch needs a value).
func ask(subject, org, route, method string) question {
	if method == "HEAD" {
		method = "GET"
	}
	if org == "" {
		org = "-"
	}
	return question{subject, org, route, method}
}

func (en *Enforcer) evaluate(q question) bool {
	ok, err := en.e.Enforce(q.subject, q.org, q.route, q.method)
	return err == nil && ok
}

// Evaluations is how many times casbin evaluated the policy.
func (en *Enforcer) Evaluations() int64 {
	en.mu.RLock()
	defer en.mu.RUnlock()
	return en.evaluations
}
