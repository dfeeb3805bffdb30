package support

// The desk's words. data stores them as text; its case queries spell
// 'open' and 'closed' in SQL, which must stay CaseOpen and CaseClosed.

// Staff roles (docs/design.md §3).
const (
	RoleAdmin      = "admin"
	RoleSupervisor = "supervisor"
	RoleAgent      = "agent"
	RolePartner    = "partner"
	RoleAuditor    = "auditor"
)

// Roles lists the staff roles in the order forms show them.
func Roles() []string {
	return []string{RoleAdmin, RoleSupervisor, RoleAgent, RolePartner, RoleAuditor}
}

// Organisation kinds: a call centre talks to customers on the phone, a
// partner shop sees them at its counter.
const (
	OrgCentre     = "centre"
	OrgPartner    = "partner"
	OrgCompliance = "compliance"
)

// Case channels and statuses.
const (
	ChannelPhone = "phone"
	ChannelShop  = "shop"

	CaseOpen   = "open"
	CaseClosed = "closed"
)
