package support

import (
	"errors"
	"testing"

	"mfadesk/data"
)

// The channel of a case and the checks recorded on it follow the staff
// member's organisation: a call centre opens phone cases and never
// attests a document; a partner shop opens shop cases and records the
// documents it sees.
func TestMayVerify(t *testing.T) {
	caseworkers := []string{RoleAdmin, RoleSupervisor, RoleAgent}
	methods := []string{data.VerifyKnowledge, data.VerifyPossession, data.VerifyPostal}
	type row struct {
		role, kind, channel, method string
		want                        bool
	}
	var tests []row
	for _, role := range append(caseworkers, RolePartner, RoleAuditor) {
		for _, kind := range []string{OrgCentre, OrgPartner, OrgCompliance} {
			works := kind != OrgCompliance && role != RoleAuditor && !(role == RolePartner && kind == OrgCentre)
			for _, channel := range []string{ChannelPhone, ChannelShop, "email", "chat"} {
				for _, m := range methods {
					tests = append(tests, row{role, kind, channel, m, works})
				}
				tests = append(tests, row{role, kind, channel, data.VerifyDocument,
					works && kind == OrgPartner && channel == ChannelShop})
				tests = append(tests, row{role, kind, channel, "selfie", false})
			}
		}
	}
	// The penetration test's case, spelled out: a call-centre supervisor
	// on a shop case records no document; a partner at a shop does.
	tests = append(tests, row{RoleSupervisor, OrgCentre, ChannelShop, data.VerifyDocument, false},
		row{RolePartner, OrgPartner, ChannelShop, data.VerifyDocument, true},
		row{RolePartner, OrgPartner, ChannelPhone, data.VerifyDocument, false})
	for _, tt := range tests {
		if got := MayVerify(tt.role, tt.kind, tt.channel, tt.method); got != tt.want {
			t.Errorf("MayVerify(%s, %s, %s, %s) = %v, want %v", tt.role, tt.kind, tt.channel, tt.method, got, tt.want)
		}
	}
}

func TestCaseChannel(t *testing.T) {
	tests := []struct {
		role, kind, requested string
		want                  string // "" for ErrChannelNotAllowed
	}{
		{RoleSupervisor, OrgCentre, "", ChannelPhone},
		{RoleSupervisor, OrgCentre, ChannelPhone, ChannelPhone},
		{RoleSupervisor, OrgCentre, ChannelShop, ""},
		{RoleAgent, OrgCentre, "chat", ""},
		{RoleAdmin, OrgCentre, "", ChannelPhone},
		{RolePartner, OrgPartner, "", ChannelShop},
		{RolePartner, OrgPartner, ChannelShop, ChannelShop},
		{RolePartner, OrgPartner, ChannelPhone, ""},
		{RolePartner, OrgCentre, "", ""},
		{RoleAgent, OrgPartner, "", ChannelShop},
		{RoleAuditor, OrgCompliance, "", ""},
		{RoleAdmin, OrgCompliance, ChannelPhone, ""},
	}
	for _, tt := range tests {
		got, err := CaseChannel(&data.Staff{Role: tt.role, OrgKind: tt.kind}, tt.requested)
		if tt.want == "" {
			if !errors.Is(err, ErrChannelNotAllowed) {
				t.Errorf("%s at %s asking %q: %q, %v; want ErrChannelNotAllowed", tt.role, tt.kind, tt.requested, got, err)
			}
			continue
		}
		if got != tt.want || err != nil {
			t.Errorf("%s at %s asking %q: %q, %v; want %q", tt.role, tt.kind, tt.requested, got, err, tt.want)
		}
	}
}
