package mfa

import (
	"context"

	"mfadesk/data"
	"mfadesk/notify"
)

// LoginDone is a completed login, for the record and the new-device notice.
type LoginDone struct {
	Customer   *data.Customer
	DeviceHash string // hash of the long-lived device cookie
	UserAgent  string
	ClientIP   string
	Method     Method
}

// RecordLogin audits a completed login and, when it came from a browser
// the customer never used before, emails them about it in the same
// transaction. It reports whether the device was new.
func (s *Service) RecordLogin(ctx context.Context, in LoginDone) (bool, error) {
	var isNew bool
	err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		var err error
		if isNew, err = tx.RememberDevice(ctx, in.Customer.ID, in.DeviceHash, truncateUA(in.UserAgent)); err != nil {
			return err
		}
		if isNew && in.Customer.HasValidEmail() {
			m := notify.NewDeviceLogin(tx.Now(), in.UserAgent, in.ClientIP).In(in.Customer.Lang)
			if err := notify.Queue(ctx, tx, in.Customer.ID, notify.Email, in.Customer.Email, m); err != nil {
				return err
			}
		}
		detail := "method=" + string(in.Method)
		if isNew {
			detail += " new_device=true"
		}
		return tx.Audit(ctx, data.AuditEvent{ActorKind: "customer", Actor: in.Customer.LoginID, CustomerID: in.Customer.ID,
			Action: "login", Outcome: "success", ClientIP: in.ClientIP, Detail: detail})
	})
	return isNew, err
}

func truncateUA(ua string) string {
	if len(ua) > 256 {
		return ua[:256]
	}
	return ua
}
