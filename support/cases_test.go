package support

import (
	"testing"

	"mfadesk/data"
)

// The case scope: admins any case, agents and supervisors their
// organisation's, partners only their own, auditors none.
func TestMayWorkOn(t *testing.T) {
	k := &data.Case{OrgID: "support", StaffID: 7}
	tests := []struct {
		role, org string
		staffID   int64
		want      bool
	}{
		{RoleAdmin, "elsewhere", 1, true},
		{RoleSupervisor, "support", 1, true},
		{RoleSupervisor, "elsewhere", 7, false},
		{RoleAgent, "support", 1, true},
		{RoleAgent, "elsewhere", 7, false},
		{RolePartner, "support", 7, true},
		{RolePartner, "support", 1, false},
		{RoleAuditor, "support", 7, false},
	}
	for _, tt := range tests {
		st := &data.Staff{ID: tt.staffID, Role: tt.role, OrgID: tt.org}
		if got := MayWorkOn(st, k); got != tt.want {
			t.Errorf("MayWorkOn(%s of %s, staff %d) = %v, want %v", tt.role, tt.org, tt.staffID, got, tt.want)
		}
	}
}
