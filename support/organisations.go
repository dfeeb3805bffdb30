package support

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"mfadesk/data"
	"mfadesk/mfa"
)

// Refusals of an organisation's creation or renaming.
var (
	ErrOrgID     = errors.New("organisation id: 2 to 32 lower-case letters, digits or hyphens, starting with a letter")
	ErrOrgKind   = errors.New("organisation kind: centre, partner or compliance; a partner shop's id starts with shop-")
	ErrOrgExists = errors.New("an organisation with this id exists")
)

// orgID is an organisation id: it names a casbin domain, so it is plain.
var orgID = regexp.MustCompile(`^[a-z][a-z0-9-]{1,31}$`)

// partnerPrefix starts the id of every partner shop and of nothing else:
// the policy gives partners their pages in the domains "shop-*"
// (rbac/policy.csv), so a shop named otherwise would reach nothing, and
// a call centre named so would reach a shop's pages.
const partnerPrefix = "shop-"

// CheckOrganisation checks a new organisation's id and kind.
func CheckOrganisation(id, kind string) error {
	if !orgID.MatchString(id) {
		return ErrOrgID
	}
	switch kind {
	case OrgCentre, OrgCompliance, OrgPartner:
	default:
		return ErrOrgKind
	}
	if (kind == OrgPartner) != strings.HasPrefix(id, partnerPrefix) {
		return ErrOrgKind
	}
	return nil
}

// CreateOrganisation adds a centre, partner shop or compliance office,
// with its audit event by actor, in one transaction.
func (s *Service) CreateOrganisation(ctx context.Context, o *data.Organisation, actor data.AuditEvent) error {
	if err := CheckOrganisation(o.ID, o.Kind); err != nil {
		return err
	}
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		if _, err := tx.OrganisationByID(ctx, o.ID); err == nil {
			return ErrOrgExists
		} else if !errors.Is(err, data.ErrNotFound) {
			return err
		}
		if err := tx.CreateOrganisation(ctx, o); err != nil {
			return err
		}
		actor.Action, actor.Outcome, actor.Detail = "organisation.create", "success", "org="+o.ID+" kind="+o.Kind
		return tx.Audit(ctx, actor)
	})
}

// RenameOrganisation gives an organisation a new name, with its audit
// event by actor, in one transaction. Its id and kind never change.
func (s *Service) RenameOrganisation(ctx context.Context, id, name string, actor data.AuditEvent) error {
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		before, err := tx.OrganisationByID(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.RenameOrganisation(ctx, id, name); err != nil {
			return err
		}
		actor.Action, actor.Outcome = "organisation.rename", "success"
		actor.Detail = fmt.Sprintf("org=%s name=%s->%s", id, mfa.QuoteForAudit(before.Name), mfa.QuoteForAudit(name))
		return tx.Audit(ctx, actor)
	})
}
