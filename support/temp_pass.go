package support

import (
	"context"
	"strconv"
	"time"

	"mfadesk/data"
	"mfadesk/mfa"
)

// issueTempPass makes a new pass for the case's customer within tx,
// voiding any earlier one, audits the issue, and returns the pass to be
// shown once. requestID names the approved request it belongs to, if any.
func (s *Service) issueTempPass(ctx context.Context, tx *data.Tx, e data.AuditEvent, caseID, staffID, requestID int64) (string, error) {
	pass, err := mfa.NewTempPass()
	if err != nil {
		return "", err
	}
	folded, _ := mfa.NormalizeTempPass(pass)
	hash, err := s.Codes.Hash(folded)
	if err != nil {
		return "", err
	}
	expires := tx.Now().Add(s.Config.TempPassTTL)
	if _, err := tx.CreateTempPass(ctx, &data.TempPass{CustomerID: e.CustomerID, CaseID: caseID, StaffID: staffID,
		RequestID: requestID, PassHash: hash, ExpiresAt: expires}); err != nil {
		return "", err
	}
	e.Action, e.Outcome = "temp_pass.issue", "success"
	e.Detail = "expires=" + expires.UTC().Format(time.RFC3339)
	if requestID != 0 {
		e.Detail += " request=" + strconv.FormatInt(requestID, 10)
	}
	return pass, tx.Audit(ctx, e)
}
