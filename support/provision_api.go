package support

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"strings"

	"mfadesk/data"
	"mfadesk/jst"
)

// ProvisionedCustomer is a customer as the provisioning API (SCIM) shows
// them: a stable opaque id, the customer, whether the account is closed
// and their postal address.
type ProvisionedCustomer struct {
	ScimID string
	data.ImportedState
}

// ProvisionError is a provisioning request refused, with the import's
// reasons (docs/operations.md, "Provisioning over SCIM").
type ProvisionError struct {
	Kind    string // one of the Provision* kinds below
	Reasons []string
}

// The kinds of ProvisionError.
const (
	ProvisionInvalid    = "invalid"    // a field the import would refuse
	ProvisionUniqueness = "uniqueness" // the login ID belongs to another account
	ProvisionMutability = "mutability" // a change provisioning never makes
	ProvisionNotFound   = "not_found"  // no customer has that id
)

func (e *ProvisionError) Error() string {
	return "provisioning refused (" + e.Kind + "): " + strings.Join(e.Reasons, "; ")
}

// ProvisionBuild returns the record the back office wants for a
// customer, given the customer as they are (nil when the request names
// none: a create, an upsert by account number).
type ProvisionBuild func(cur *ProvisionedCustomer) (ImportRecord, error)

// Provision applies one customer's record from the back office in one
// transaction, with the import's checks and effects: upsert by account
// number, changed contacts not trusted when the customer had verified
// one and the old ones told, a closed account's sessions ended, each
// change audited as by (actor kind scim, the token's name, the client's
// address). scimID names the customer to change, "" for a create. A
// contact or postal address on record is never removed: a record
// without one is refused.
func (s *Service) Provision(ctx context.Context, by data.AuditEvent, scimID string, build ProvisionBuild) (ProvisionedCustomer, error) {
	var out ProvisionedCustomer
	err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		var cur *ProvisionedCustomer
		if scimID != "" {
			account, err := tx.AccountOfScimID(ctx, scimID)
			if errors.Is(err, data.ErrNotFound) {
				return &ProvisionError{Kind: ProvisionNotFound, Reasons: []string{"no customer has this id"}}
			}
			if err != nil {
				return err
			}
			if cur, err = provisioned(ctx, tx, account); err != nil {
				return err
			}
		}
		rec, err := build(cur)
		if err != nil {
			return err
		}
		row, bad := CheckImportRecord(rec, tx.Now().In(jst.Zone))
		if len(bad) > 0 {
			return &ProvisionError{Kind: ProvisionInvalid, Reasons: bad}
		}
		if cur != nil && row.AccountNumber != cur.AccountNumber {
			return &ProvisionError{Kind: ProvisionMutability, Reasons: []string{"account_number: never changes (externalId)"}}
		}
		if cur == nil {
			cur, err = provisioned(ctx, tx, row.AccountNumber)
			if err != nil && !errors.Is(err, data.ErrNotFound) {
				return err
			}
		}
		if cur != nil {
			if removed := removedByRecord(cur, row); len(removed) > 0 {
				return &ProvisionError{Kind: ProvisionMutability, Reasons: removed}
			}
		}
		p := &provisioner{svc: s, tx: tx, counts: &ImportCounts{}, action: "customer.provision", actor: by}
		why, err := p.loginProblem(ctx, row)
		if err != nil {
			return err
		}
		if why != "" {
			return &ProvisionError{Kind: ProvisionUniqueness, Reasons: []string{why}}
		}
		if _, err := p.apply(ctx, row); err != nil {
			return err
		}
		res, err := provisioned(ctx, tx, row.AccountNumber)
		if err != nil {
			return err
		}
		out = *res
		return nil
	})
	return out, err
}

// removedByRecord names what the customer has on record that the record
// leaves out: the import reads an empty field as "unchanged", and
// provisioning refuses what would look like a removal instead of
// silently keeping it.
func removedByRecord(cur *ProvisionedCustomer, row ImportRow) []string {
	var removed []string
	if cur.Email != "" && row.Email == "" {
		removed = append(removed, "email: a contact on record is not removed by provisioning")
	}
	if cur.Phone != "" && row.Phone == "" {
		removed = append(removed, "mobile: a contact on record is not removed by provisioning")
	}
	if cur.Address.Postcode != "" && row.Address.Postcode == "" {
		removed = append(removed, "postcode: a postal address on record is not removed by provisioning")
	}
	return removed
}

// ProvisionedCustomerByID is the customer with that SCIM id.
func (s *Service) ProvisionedCustomerByID(ctx context.Context, scimID string) (ProvisionedCustomer, error) {
	var out ProvisionedCustomer
	err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		account, err := tx.AccountOfScimID(ctx, scimID)
		if errors.Is(err, data.ErrNotFound) {
			return &ProvisionError{Kind: ProvisionNotFound, Reasons: []string{"no customer has this id"}}
		}
		if err != nil {
			return err
		}
		res, err := provisioned(ctx, tx, account)
		if err != nil {
			return err
		}
		out = *res
		return nil
	})
	return out, err
}

// ProvisionedCustomers lists a page of the customers q selects and how
// many it selects. It writes: a customer shown for the first time gets
// its SCIM id.
func (s *Service) ProvisionedCustomers(ctx context.Context, q data.ScimQuery) ([]ProvisionedCustomer, int, error) {
	var list []ProvisionedCustomer
	var total int
	err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		list = nil
		accounts, n, err := tx.ScimAccounts(ctx, q)
		if err != nil {
			return err
		}
		total = n
		for _, a := range accounts {
			res, err := provisioned(ctx, tx, a)
			if err != nil {
				return err
			}
			list = append(list, *res)
		}
		return nil
	})
	return list, total, err
}

// provisioned reads an account as provisioning shows it, giving it a
// SCIM id if it had none.
func provisioned(ctx context.Context, tx *data.Tx, account string) (*ProvisionedCustomer, error) {
	st, err := tx.ImportedStateByAccount(ctx, account)
	if err != nil {
		return nil, err
	}
	id, err := tx.EnsureScimID(ctx, st.ID, newScimID())
	if err != nil {
		return nil, err
	}
	return &ProvisionedCustomer{ScimID: id, ImportedState: *st}, nil
}

// newScimID is 128 random bits in hex: opaque, and nothing to guess from.
func newScimID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return hex.EncodeToString(b)
}
