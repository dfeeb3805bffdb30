package support

import (
	"errors"
	"slices"

	"mfadesk/data"
)

// Which cases a staff member may open and which identity checks they may
// record follow their organisation, not a form field: a call centre only
// hears its customers on the phone, so it opens phone cases and can never
// attest a document it has not seen; a partner shop opens shop cases, and
// only its members record the document checked at the counter
// (docs/operations.md, "Case channels").

// ErrChannelNotAllowed refuses a case on a channel the staff member's
// organisation does not work on.
var ErrChannelNotAllowed = errors.New("the staff member's organisation does not open cases on that channel")

// worksCases reports whether a role works on support cases at all.
func worksCases(role string) bool {
	switch role {
	case RoleAdmin, RoleSupervisor, RoleAgent, RolePartner:
		return true
	}
	return false
}

// CaseChannelsFor lists the channels a staff member of role in an
// organisation of orgKind opens cases on.
func CaseChannelsFor(role, orgKind string) []string {
	if !worksCases(role) {
		return nil
	}
	switch {
	case orgKind == OrgPartner:
		return []string{ChannelShop}
	case orgKind == OrgCentre && role != RolePartner:
		return []string{ChannelPhone}
	}
	return nil
}

// CaseChannel is the channel of a case st opens: requested when their
// organisation works on it, their organisation's only channel when
// nothing was requested, ErrChannelNotAllowed otherwise.
func CaseChannel(st *data.Staff, requested string) (string, error) {
	allowed := CaseChannelsFor(st.Role, st.OrgKind)
	switch {
	case requested == "" && len(allowed) == 1:
		return allowed[0], nil
	case requested != "" && slices.Contains(allowed, requested):
		return requested, nil
	}
	return "", ErrChannelNotAllowed
}

// MayVerify reports whether a staff member of role in an organisation of
// orgKind may record an identity check by method on a case of channel. A
// document is accepted only at a shop, from a member of a partner shop.
func MayVerify(role, orgKind, channel, method string) bool {
	if len(CaseChannelsFor(role, orgKind)) == 0 {
		return false
	}
	switch method {
	case data.VerifyDocument:
		return channel == ChannelShop && orgKind == OrgPartner
	case data.VerifyKnowledge, data.VerifyPossession, data.VerifySpoken, data.VerifyPostal:
		return true
	}
	return false
}
