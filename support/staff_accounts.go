package support

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"slices"
	"strings"

	"mfadesk/data"
	"mfadesk/mfa"
)

// Errors of staff administration.
var (
	ErrOwnAccount  = errors.New("staff may not change their own account")
	ErrInvalidRole = errors.New("unknown role")
)

// NewStaff is what an admin (or the staff command) gives to create an account.
type NewStaff struct {
	LoginID string
	Name    string
	Role    string
	OrgID   string
	// CustomerAccount is the account number of the staff member's own
	// brokerage account, if they have one: they may not act on it.
	CustomerAccount string
}

// initialPasswordAlphabet leaves out characters people confuse when they
// read a password off a screen (0/O, 1/l/I).
const initialPasswordAlphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// NewInitialPassword returns 16 random characters (about 93 bits), shown
// once to whoever creates the account.
func NewInitialPassword() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("mfa: initial password: %w", err)
	}
	var sb strings.Builder
	for _, v := range b {
		// 256 is not a multiple of the alphabet's 56 letters; the small
		// bias costs well under a bit of the 93.
		sb.WriteByte(initialPasswordAlphabet[int(v)%len(initialPasswordAlphabet)])
	}
	return sb.String(), nil
}

// CreateStaff creates an account with a one-time initial password, which
// it returns; TOTP is enrolled at the first login, then the staff member
// chooses their own password (staff_password.go). The account and its
// audit event commit together. actor is who does it (a staff event, or a
// system one for the command line). A supervisor or admin created by a
// staff member stays inactive until a second admin confirms it
// (ConfirmStaffChange); the command line, run by the operator on the
// server, is the bootstrap and creates it active.
func (s *Service) CreateStaff(ctx context.Context, in NewStaff, actor data.AuditEvent) (int64, string, error) {
	if !slices.Contains(Roles(), in.Role) {
		return 0, "", ErrInvalidRole
	}
	password, err := NewInitialPassword()
	if err != nil {
		return 0, "", err
	}
	hash, err := mfa.HashPassword(password, s.Config.Argon2)
	if err != nil {
		return 0, "", err
	}
	var id int64
	st := &data.Staff{LoginID: mfa.NormalizeLoginID(in.LoginID), Name: in.Name, Role: in.Role, OrgID: in.OrgID, PasswordHash: hash,
		MustChangePassword: true}
	actor.Action, actor.Outcome = "staff.create", "success"
	if actor.StaffID != 0 && NeedsSecondAdmin("", in.Role) {
		st.PendingKind, st.PendingBy = data.StaffPendingCreate, actor.StaffID
		actor.Outcome = "requested"
	}
	err = s.DB.InTx(ctx, func(tx *data.Tx) error {
		if st.CustomerID, err = customerOfAccount(ctx, tx, in.CustomerAccount); err != nil {
			return err
		}
		id, err = tx.CreateStaff(ctx, st)
		if err != nil {
			return err
		}
		actor.CustomerID = st.CustomerID
		actor.Detail = fmt.Sprintf("staff_id=%d login=%s role=%s org=%s customer_id=%d", id, mfa.QuoteForAudit(in.LoginID),
			in.Role, in.OrgID, st.CustomerID)
		return tx.Audit(ctx, actor)
	})
	if err != nil {
		return 0, "", err
	}
	return id, password, nil
}

// SetStaffRole gives another staff member a role in an organisation. It
// takes effect on their next request: the console reads roles per request.
// A promotion to supervisor or admin only waits for a second admin
// (ConfirmStaffChange), and SetStaffRole reports that it waits.
func (s *Service) SetStaffRole(ctx context.Context, actor *data.Staff, clientIP string, staffID int64, role, orgID string) (bool, error) {
	if !slices.Contains(Roles(), role) {
		return false, ErrInvalidRole
	}
	var waits bool
	err := s.changeStaff(ctx, actor, clientIP, staffID, "staff.role", func(tx *data.Tx, before *data.Staff) (string, error) {
		detail := fmt.Sprintf("role=%s->%s org=%s->%s", before.Role, role, before.OrgID, orgID)
		if waits = NeedsSecondAdmin(before.Role, role); waits {
			return detail + " waits_for=second_admin", tx.SetStaffPendingRole(ctx, staffID, role, orgID, actor.ID)
		}
		return detail, tx.SetStaffRole(ctx, staffID, role, orgID)
	})
	return waits, err
}

// DeactivateStaff disables an account and ends its sessions.
func (s *Service) DeactivateStaff(ctx context.Context, actor *data.Staff, clientIP string, staffID int64) error {
	return s.changeStaff(ctx, actor, clientIP, staffID, "staff.deactivate", func(tx *data.Tx, _ *data.Staff) (string, error) {
		if err := tx.SetStaffActive(ctx, staffID, false); err != nil {
			return "", err
		}
		return "", tx.DeleteStaffSessions(ctx, staffID)
	})
}

// ResetStaffTOTP forgets a staff member's authenticator (a lost phone) and
// ends their sessions; the next login enrols a new one. An approver's is
// not reset while their password is one someone else chose
// (staff_password.go); a refusal is audited.
func (s *Service) ResetStaffTOTP(ctx context.Context, actor *data.Staff, clientIP string, staffID int64) error {
	err := s.changeStaff(ctx, actor, clientIP, staffID, "staff.totp_reset", func(tx *data.Tx, before *data.Staff) (string, error) {
		if isApprover(before) && before.MustChangePassword {
			return "", ErrTemporaryPassword
		}
		if err := tx.ResetStaffTOTP(ctx, staffID); err != nil {
			return "", err
		}
		return "", tx.DeleteStaffSessions(ctx, staffID)
	})
	if errors.Is(err, ErrTemporaryPassword) {
		return s.auditStaffRefusal(ctx, actor, clientIP, staffID, "staff.totp_reset", "refused:temporary_password", err)
	}
	return err
}

// changeStaff runs one admin change on another account with its audit
// event in one transaction. Nobody changes their own account (docs/security.md S33).
func (s *Service) changeStaff(ctx context.Context, actor *data.Staff, clientIP string, staffID int64, action string,
	change func(tx *data.Tx, before *data.Staff) (string, error)) error {
	if actor.ID == staffID {
		return ErrOwnAccount
	}
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		before, err := tx.StaffByID(ctx, staffID)
		if err != nil {
			return err
		}
		detail, err := change(tx, before)
		if err != nil {
			return err
		}
		e := StaffEvent(actor, clientIP)
		e.Action, e.Outcome = action, "success"
		e.Detail = strings.TrimSpace(fmt.Sprintf("staff_id=%d login=%s %s", staffID, before.LoginID, detail))
		return tx.Audit(ctx, e)
	})
}
