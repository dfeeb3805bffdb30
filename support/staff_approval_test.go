package support

import (
	"testing"
)

// Only a change that gives someone more say over four-eyes decisions
// than they had needs a second admin.
func TestNeedsSecondAdmin(t *testing.T) {
	tests := []struct {
		from, to string
		want     bool
	}{
		{"", RoleAdmin, true},
		{"", RoleSupervisor, true},
		{"", RoleAgent, false},
		{"", RolePartner, false},
		{"", RoleAuditor, false},
		{RoleAgent, RoleSupervisor, true},
		{RoleAuditor, RoleAdmin, true},
		{RoleSupervisor, RoleAdmin, true},
		{RoleSupervisor, RoleSupervisor, false},
		{RoleAdmin, RoleSupervisor, false},
		{RoleAdmin, RoleAgent, false},
		{RolePartner, RoleAgent, false},
	}
	for _, tt := range tests {
		if got := NeedsSecondAdmin(tt.from, tt.to); got != tt.want {
			t.Errorf("NeedsSecondAdmin(%q, %q) = %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}
