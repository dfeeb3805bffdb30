package data

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Organisation is a casbin domain: the support centre, a partner shop, compliance.
type Organisation struct {
	ID   string
	Name string
	Kind string // support.OrgCentre, support.OrgPartner, support.OrgCompliance
}

// CreateOrganisation adds an organisation.
func (tx *Tx) CreateOrganisation(ctx context.Context, o *Organisation) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO organisations (id, name, kind, created_at) VALUES (?, ?, ?, ?)`,
		o.ID, o.Name, o.Kind, tx.now.Unix())
	if err != nil {
		return fmt.Errorf("create organisation %s: %w", o.ID, err)
	}
	return nil
}

// Organisations lists every organisation by id.
func (db *DB) Organisations(ctx context.Context) ([]Organisation, error) {
	rows, err := db.QueryContext(ctx, `SELECT id, name, kind FROM organisations ORDER BY id`)
	if err != nil {
		return nil, fmt.Errorf("organisations: %w", err)
	}
	defer rows.Close()
	var out []Organisation
	for rows.Next() {
		var o Organisation
		if err := rows.Scan(&o.ID, &o.Name, &o.Kind); err != nil {
			return nil, fmt.Errorf("scan organisation: %w", err)
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Staff is a console user. The TOTP secret is sealed; nothing outside mfa opens it.
type Staff struct {
	ID             int64
	LoginID        string
	Name           string
	Role           string
	OrgID          string
	OrgName        string
	OrgKind        string
	PasswordHash   string
	TOTPSecretEnc  []byte // nil until enrolled
	TOTPPendingEnc []byte // a secret shown for enrolment, not yet confirmed
	TOTPLastStep   int64
	Active         bool
	CreatedAt      time.Time
	// CustomerID is the staff member's own brokerage account (0: none),
	// which they may not act on; CustomerAccount is its account number.
	CustomerID      int64
	CustomerAccount string
	// A change waiting for a second admin (docs/operations.md): Kind
	// "create" (the account is inactive until confirmed) or "role"
	// (PendingRole and PendingOrg replace the current ones then), asked
	// by PendingBy at PendingAt. Empty Kind: nothing waits.
	PendingKind string
	PendingRole string
	PendingOrg  string
	PendingBy   int64
	PendingAt   time.Time
	// MustChangePassword: the password was set by someone else (an
	// initial or temporary one); the console lets the staff member do
	// nothing but choose their own (docs/operations.md).
	MustChangePassword bool
}

// Kinds of staff changes that wait for a second admin.
const (
	StaffPendingCreate = "create"
	StaffPendingRole   = "role"
)

// HasTOTP reports whether the staff member has enrolled an authenticator.
func (s *Staff) HasTOTP() bool { return len(s.TOTPSecretEnc) > 0 }

const staffSelect = `SELECT s.id, s.login_id, s.name, s.role, s.org_id, o.name, o.kind, s.password_hash, s.totp_secret_enc,
	s.totp_pending_enc, s.totp_last_step, s.active, s.created_at, s.customer_id, COALESCE(c.account_number, ''),
	s.pending_kind, s.pending_role, s.pending_org, s.pending_by, s.pending_at, s.must_change_password
	FROM staff s JOIN organisations o ON o.id = s.org_id LEFT JOIN customers c ON c.id = s.customer_id`

func scanStaff(row interface{ Scan(...any) error }) (*Staff, error) {
	var s Staff
	var created, pendingAt int64
	var customer, pendingBy sql.NullInt64
	err := row.Scan(&s.ID, &s.LoginID, &s.Name, &s.Role, &s.OrgID, &s.OrgName, &s.OrgKind, &s.PasswordHash, &s.TOTPSecretEnc,
		&s.TOTPPendingEnc, &s.TOTPLastStep, &s.Active, &created, &customer, &s.CustomerAccount,
		&s.PendingKind, &s.PendingRole, &s.PendingOrg, &pendingBy, &pendingAt, &s.MustChangePassword)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("scan staff: %w", err)
	}
	s.CreatedAt, s.CustomerID, s.PendingBy = time.Unix(created, 0), customer.Int64, pendingBy.Int64
	if pendingAt > 0 {
		s.PendingAt = time.Unix(pendingAt, 0)
	}
	return &s, nil
}

// StaffByID finds a staff member by id. The console reads it on every
// request (docs/security.md S29), so it comes from the read cache when
// nothing of the staff member, the organisations or their own brokerage
// account changed since it was read: every such change is seen by the
// next request.
func (db *DB) StaffByID(ctx context.Context, id int64) (*Staff, error) {
	if s, ok := lookup(db.cache, &db.cache.staff, id); ok {
		return s.clone(), nil
	}
	snap := db.cache.snapshot(staffStripe(id), orgStripe)
	s, err := db.staffByID(ctx, id)
	if err != nil {
		return nil, err
	}
	if linked := s.CustomerID; linked != 0 {
		// The linked account (its number is shown) is known only now:
		// read again under a snapshot that covers it too.
		snap = db.cache.snapshot(staffStripe(id), orgStripe, customerStripe(linked))
		if s, err = db.staffByID(ctx, id); err != nil {
			return nil, err
		}
		if s.CustomerID != linked {
			return s, nil
		}
	}
	store(db.cache, &db.cache.staff, id, *s.clone(), snap)
	return s, nil
}

func (db *DB) staffByID(ctx context.Context, id int64) (*Staff, error) {
	s, err := scanStaff(db.QueryRowContext(ctx, staffSelect+` WHERE s.id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("staff %d: %w", id, err)
	}
	return s, nil
}

// clone copies the staff member, so a caller's changes never reach the
// cache.
func (s *Staff) clone() *Staff {
	c := *s
	c.TOTPSecretEnc, c.TOTPPendingEnc = bytes.Clone(s.TOTPSecretEnc), bytes.Clone(s.TOTPPendingEnc)
	return &c
}

// StaffByID reads a staff member inside the transaction.
func (tx *Tx) StaffByID(ctx context.Context, id int64) (*Staff, error) {
	s, err := scanStaff(tx.QueryRowContext(ctx, staffSelect+` WHERE s.id = ?`, id))
	if err != nil {
		return nil, fmt.Errorf("staff %d: %w", id, err)
	}
	return s, nil
}

// StaffByLogin finds a staff member by normalised login ID.
func (db *DB) StaffByLogin(ctx context.Context, loginID string) (*Staff, error) {
	s, err := scanStaff(db.QueryRowContext(ctx, staffSelect+` WHERE s.login_id = ?`, loginID))
	if err != nil {
		return nil, fmt.Errorf("staff by login: %w", err)
	}
	return s, nil
}

// ListStaff lists every staff member, active first, by login ID.
func (db *DB) ListStaff(ctx context.Context) ([]Staff, error) {
	rows, err := db.QueryContext(ctx, staffSelect+` ORDER BY s.active DESC, s.login_id`)
	if err != nil {
		return nil, fmt.Errorf("list staff: %w", err)
	}
	defer rows.Close()
	var out []Staff
	for rows.Next() {
		s, err := scanStaff(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *s)
	}
	return out, rows.Err()
}

// CountStaff counts staff accounts; demo staff go only into an empty table.
func (db *DB) CountStaff(ctx context.Context) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM staff`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count staff: %w", err)
	}
	return n, nil
}

// CreateStaff inserts a staff member and returns the id. One created
// with PendingKind "create" (by PendingBy) is inactive until a second
// admin confirms it (ApplyStaffPending).
func (tx *Tx) CreateStaff(ctx context.Context, s *Staff) (int64, error) {
	active, pendingAt := 1, int64(0)
	if s.PendingKind == StaffPendingCreate {
		active, pendingAt = 0, tx.now.Unix()
		s.PendingRole, s.PendingOrg = s.Role, s.OrgID
	}
	id, err := tx.insertID(ctx, `INSERT INTO staff (login_id, name, role, org_id, password_hash,
		totp_secret_enc, totp_last_step, active, customer_id, pending_kind, pending_role, pending_org, pending_by,
		pending_at, must_change_password, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, -1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		s.LoginID, s.Name, s.Role, s.OrgID, s.PasswordHash, s.TOTPSecretEnc, active, nullID(s.CustomerID),
		s.PendingKind, s.PendingRole, s.PendingOrg, nullID(s.PendingBy), pendingAt, boolInt(s.MustChangePassword),
		tx.now.Unix(), tx.now.Unix())
	if err != nil {
		return 0, fmt.Errorf("create staff %s: %w", s.LoginID, err)
	}
	return id, nil
}

// noStaffPending clears a change waiting for a second admin.
const noStaffPending = `pending_kind = '', pending_role = '', pending_org = '', pending_by = NULL, pending_at = 0`

// SetStaffRole gives a staff member a role in an organisation at once,
// dropping any change that waited for a second admin.
func (tx *Tx) SetStaffRole(ctx context.Context, id int64, role, orgID string) error {
	return tx.updateStaff(ctx, id, `role = ?, org_id = ?, `+noStaffPending, role, orgID)
}

// SetStaffPendingRole records a role change that waits for a second
// admin; the current role stays in force until then.
func (tx *Tx) SetStaffPendingRole(ctx context.Context, id int64, role, orgID string, by int64) error {
	return tx.updateStaff(ctx, id, `pending_kind = ?, pending_role = ?, pending_org = ?, pending_by = ?, pending_at = ?`,
		StaffPendingRole, role, orgID, by, tx.now.Unix())
}

// ApplyStaffPending carries out the change that waited for a second
// admin: the waiting role and organisation, and for a new account its
// activation. ErrNotFound when nothing waits.
func (tx *Tx) ApplyStaffPending(ctx context.Context, id int64) error {
	res, err := tx.ExecContext(ctx, `UPDATE staff SET role = pending_role, org_id = pending_org,
		active = CASE WHEN pending_kind = 'create' THEN 1 ELSE active END, `+noStaffPending+`, updated_at = ?
		WHERE id = ? AND pending_kind != ''`, tx.now.Unix(), id)
	if err != nil {
		return fmt.Errorf("apply staff %d pending: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("apply staff %d pending: %w", id, ErrNotFound)
	}
	return nil
}

// ClearStaffPending drops the change that waited for a second admin; a
// new account stays inactive.
func (tx *Tx) ClearStaffPending(ctx context.Context, id int64) error {
	return tx.updateStaff(ctx, id, noStaffPending)
}

// SetStaffActive activates or deactivates a staff member. Deactivating
// also removes their passkeys, so an account turned back on later starts
// with no credential from before, and drops a change waiting for a
// second admin, so confirming it cannot turn the account back on.
func (tx *Tx) SetStaffActive(ctx context.Context, id int64, active bool) error {
	set := `active = ?`
	if !active {
		set += `, ` + noStaffPending
	}
	if err := tx.updateStaff(ctx, id, set, boolInt(active)); err != nil {
		return err
	}
	if active {
		return nil
	}
	_, err := tx.DeleteStaffPasskeys(ctx, id)
	return err
}

// ResetStaffTOTP resets the second factor: it forgets the authenticator
// and removes every passkey (a lost phone may hold both); the next login
// enrols a new authenticator.
func (tx *Tx) ResetStaffTOTP(ctx context.Context, id int64) error {
	if err := tx.updateStaff(ctx, id, `totp_secret_enc = NULL, totp_pending_enc = NULL, totp_last_step = -1`); err != nil {
		return err
	}
	_, err := tx.DeleteStaffPasskeys(ctx, id)
	return err
}

// SetStaffTOTPPending stores the sealed secret being enrolled.
func (tx *Tx) SetStaffTOTPPending(ctx context.Context, id int64, sealed []byte) error {
	return tx.updateStaff(ctx, id, `totp_pending_enc = ?`, sealed)
}

// ConfirmStaffTOTP makes the pending secret the enrolled one, recording
// the step of the confirming code so that code cannot log in again.
func (tx *Tx) ConfirmStaffTOTP(ctx context.Context, id, step int64) error {
	return tx.updateStaff(ctx, id, `totp_secret_enc = totp_pending_enc, totp_pending_enc = NULL, totp_last_step = ?`, step)
}

func (tx *Tx) updateStaff(ctx context.Context, id int64, set string, args ...any) error {
	args = append(args, tx.now.Unix(), id)
	res, err := tx.ExecContext(ctx, `UPDATE staff SET `+set+`, updated_at = ? WHERE id = ?`, args...)
	if err != nil {
		return fmt.Errorf("update staff %d: %w", id, err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return fmt.Errorf("update staff %d: %w", id, ErrNotFound)
	}
	return nil
}

// AdvanceStaffTOTPStep is the staff TOTP replay guard, the same
// conditional UPDATE as AdvanceTOTPStep: of concurrent uses of one code
// exactly one wins.
func (tx *Tx) AdvanceStaffTOTPStep(ctx context.Context, id, step int64) (bool, error) {
	res, err := tx.ExecContext(ctx, `UPDATE staff SET totp_last_step = ? WHERE id = ? AND totp_last_step < ?`,
		step, id, step)
	if err != nil {
		return false, fmt.Errorf("advance staff totp step: %w", err)
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DeleteStaffSessions ends every console session of a staff member.
func (tx *Tx) DeleteStaffSessions(ctx context.Context, staffID int64) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE staff_id = ?`, staffID); err != nil {
		return fmt.Errorf("delete staff sessions: %w", err)
	}
	return nil
}
