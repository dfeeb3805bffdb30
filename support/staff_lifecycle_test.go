package support

import (
	"errors"
	"testing"

	"mfadesk/data"
)

// An organisation's id names a casbin domain: plain, and shop-* exactly
// for partner shops (rbac/policy.csv gives partners their pages there).
func TestCheckOrganisation(t *testing.T) {
	tests := []struct {
		id, kind string
		want     error
	}{
		{"shop-shinjuku", OrgPartner, nil},
		{"support-osaka", OrgCentre, nil},
		{"compliance2", OrgCompliance, nil},
		{"shinjuku", OrgPartner, ErrOrgKind},
		{"shop-osaka", OrgCentre, ErrOrgKind},
		{"shop-audit", OrgCompliance, ErrOrgKind},
		{"shop-x", "branch", ErrOrgKind},
		{"shop-x", "", ErrOrgKind},
		{"Shop-x", OrgPartner, ErrOrgID},
		{"shop x", OrgPartner, ErrOrgID},
		{"s", OrgCentre, ErrOrgID},
		{"1shop", OrgCentre, ErrOrgID},
		{"shop-ｘ", OrgPartner, ErrOrgID},
		{"a23456789012345678901234567890123", OrgCentre, ErrOrgID},
	}
	for _, tt := range tests {
		if got := CheckOrganisation(tt.id, tt.kind); !errors.Is(got, tt.want) {
			t.Errorf("CheckOrganisation(%q, %q) = %v, want %v", tt.id, tt.kind, got, tt.want)
		}
	}
}

// Approvers are who decide requests now, or will once a waiting
// promotion is confirmed.
func TestIsApprover(t *testing.T) {
	tests := []struct {
		st   data.Staff
		want bool
	}{
		{data.Staff{Role: RoleAdmin}, true},
		{data.Staff{Role: RoleSupervisor}, true},
		{data.Staff{Role: RoleAgent}, false},
		{data.Staff{Role: RoleAuditor}, false},
		{data.Staff{Role: RoleAgent, PendingKind: data.StaffPendingRole, PendingRole: RoleSupervisor}, true},
		{data.Staff{Role: RolePartner, PendingKind: data.StaffPendingCreate, PendingRole: RoleAdmin}, true},
		{data.Staff{Role: RoleAgent, PendingRole: RoleAdmin}, false}, // nothing waits
	}
	for _, tt := range tests {
		if got := isApprover(&tt.st); got != tt.want {
			t.Errorf("isApprover(%+v) = %v, want %v", tt.st, got, tt.want)
		}
	}
}
