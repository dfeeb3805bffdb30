package support

import (
	"context"

	"mfadesk/data"
)

// CreateOrganisation adds a centre, partner shop or compliance office,
// with its audit event by actor, in one transaction.
func (s *Service) CreateOrganisation(ctx context.Context, o *data.Organisation, actor data.AuditEvent) error {
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		if err := tx.CreateOrganisation(ctx, o); err != nil {
			return err
		}
		actor.Action, actor.Outcome, actor.Detail = "organisation.create", "success", "org="+o.ID+" kind="+o.Kind
		return tx.Audit(ctx, actor)
	})
}
