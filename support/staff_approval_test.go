package support

import (
	"testing"

	"mfadesk/data"
)

// Only a change that gives someone more say over four-eyes decisions
// than they had needs a second admin.
func TestNeedsSecondAdmin(t *testing.T) {
	tests := []struct {
		from, to string
		want     bool
	}{
		{"", data.RoleAdmin, true},
		{"", data.RoleSupervisor, true},
		{"", data.RoleAgent, false},
		{"", data.RolePartner, false},
		{"", data.RoleAuditor, false},
		{data.RoleAgent, data.RoleSupervisor, true},
		{data.RoleAuditor, data.RoleAdmin, true},
		{data.RoleSupervisor, data.RoleAdmin, true},
		{data.RoleSupervisor, data.RoleSupervisor, false},
		{data.RoleAdmin, data.RoleSupervisor, false},
		{data.RoleAdmin, data.RoleAgent, false},
		{data.RolePartner, data.RoleAgent, false},
	}
	for _, tt := range tests {
		if got := NeedsSecondAdmin(tt.from, tt.to); got != tt.want {
			t.Errorf("NeedsSecondAdmin(%q, %q) = %v, want %v", tt.from, tt.to, got, tt.want)
		}
	}
}
