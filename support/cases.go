package support

import (
	"context"
	"errors"
	"strconv"
	"time"

	"mfadesk/data"
	"mfadesk/jst"
)

// MayWorkOn is the case scope: admins work any case, agents and
// supervisors their organisation's, partners only the cases they opened.
func MayWorkOn(st *data.Staff, supportCase *data.Case) bool {
	switch st.Role {
	case RoleAdmin:
		return true
	case RolePartner:
		return supportCase.StaffID == st.ID
	case RoleAgent, RoleSupervisor:
		return supportCase.OrgID == st.OrgID
	}
	return false
}

// OpenCase opens a case on the customer with its audit event in one
// transaction and returns its id. Staff never open a case on their own
// account (ErrOwnAccount). The channel follows the staff member's
// organisation: asking for another (no form offers one) is refused with
// ErrChannelNotAllowed. Refusals are audited.
func (s *Service) OpenCase(ctx context.Context, st *data.Staff, clientIP string, customerID int64, requested, reason string) (int64, error) {
	e := StaffEvent(st, clientIP)
	e.Action, e.CustomerID = "case.open", customerID
	if IsOwnAccount(st, customerID) {
		e.Outcome = "refused:own_account"
		if err := s.audit(ctx, e); err != nil {
			return 0, err
		}
		return 0, ErrOwnAccount
	}
	channel, err := CaseChannel(st, requested)
	if err != nil {
		e.Outcome, e.Detail = "refused:channel", "channel="+strconv.Quote(requested)+" org_kind="+st.OrgKind
		if aerr := s.audit(ctx, e); aerr != nil {
			return 0, aerr
		}
		return 0, err
	}
	var id int64
	err = s.DB.InTx(ctx, func(tx *data.Tx) error {
		var err error
		id, err = tx.OpenCase(ctx, &data.Case{CustomerID: customerID, OrgID: st.OrgID, StaffID: st.ID, Channel: channel, Reason: reason})
		if err != nil {
			return err
		}
		e.Outcome, e.CaseID, e.Detail = "success", id, "channel="+channel
		return tx.Audit(ctx, e)
	})
	return id, err
}

// AddCaseNote adds the staff member's note to an open case, with its
// audit event (ErrCaseClosed when the case is closed).
func (s *Service) AddCaseNote(ctx context.Context, a CaseActor, body string) error {
	if a.Case.Status != CaseOpen {
		return ErrCaseClosed
	}
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		if err := tx.AddCaseNote(ctx, a.Case.ID, a.Staff.ID, body); err != nil {
			return err
		}
		return tx.Audit(ctx, a.event("case.note", "success", ""))
	})
}

// CloseCase closes the case with its audit event (ErrCaseClosed when it
// was closed already).
func (s *Service) CloseCase(ctx context.Context, a CaseActor) error {
	err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		if err := tx.CloseCase(ctx, a.Case.ID); err != nil {
			return err
		}
		return tx.Audit(ctx, a.event("case.close", "success", ""))
	})
	if errors.Is(err, data.ErrConflict) {
		return ErrCaseClosed
	}
	return err
}

// SnapshotAdoption records today's (JST) MFA adoption counts; a second
// call the same day replaces the first. The adoption report calls it on
// each view; serve calls it every few hours, so the chart has a point for
// every day even when nobody looks.
func (s *Service) SnapshotAdoption(ctx context.Context) (map[string]int, error) {
	return s.DB.RecordAdoptionSnapshot(ctx, ReportDay(s.DB.Now()))
}

// ReportDay is t's date in JST, the programme's zone, as YYYY-MM-DD.
func ReportDay(t time.Time) string { return t.In(jst.Zone).Format(time.DateOnly) }

func (s *Service) audit(ctx context.Context, e data.AuditEvent) error {
	return s.DB.InTx(ctx, func(tx *data.Tx) error { return tx.Audit(ctx, e) })
}
