package main

import (
	"context"
	"fmt"

	"mfadesk/data"
	"mfadesk/mfa"
	"mfadesk/support"
)

// Demo staff (dev only), listed in the README. Their authenticator is
// already enrolled with the demo TOTP secret.
const demoStaffPassword = "Demo#2025staff"

// demoShop is the demo partner shop; partner shops' ids start with "shop-".
var demoShop = data.Organisation{ID: "shop-demo", Name: "提携ショップ 渋谷店", Kind: "partner"}

var demoStaff = []data.Staff{
	{LoginID: "admin", Name: "管理 花子", Role: support.RoleAdmin, OrgID: "support"},
	{LoginID: "supervisor", Name: "主任 一郎", Role: support.RoleSupervisor, OrgID: "support"},
	{LoginID: "agent", Name: "窓口 次郎", Role: support.RoleAgent, OrgID: "support"},
	{LoginID: "partner", Name: "店頭 三郎", Role: support.RolePartner, OrgID: demoShop.ID},
	{LoginID: "auditor", Name: "監査 四郎", Role: support.RoleAuditor, OrgID: "compliance"},
}

// seedDemoStaff fills an empty staff table with the demo staff and the
// demo partner shop. It does nothing when there is any staff account, so
// it never touches real data; the caller runs it only in dev with demo data.
func seedDemoStaff(ctx context.Context, app *App) (bool, error) {
	svc := app.Support
	n, err := svc.DB.CountStaff(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	hash, err := mfa.HashPassword(demoStaffPassword, svc.Config.Argon2)
	if err != nil {
		return false, err
	}
	err = svc.DB.InTx(ctx, func(tx *data.Tx) error {
		if err := tx.CreateOrganisation(ctx, &demoShop); err != nil {
			return err
		}
		for _, s := range demoStaff {
			s.PasswordHash = hash
			id, err := tx.CreateStaff(ctx, &s)
			if err != nil {
				return err
			}
			sealed, err := svc.SealStaffTOTPSecret(id, demoTOTPSecret)
			if err != nil {
				return err
			}
			if err := tx.SetStaffTOTPPending(ctx, id, sealed); err != nil {
				return err
			}
			if err := tx.ConfirmStaffTOTP(ctx, id, -1); err != nil {
				return err
			}
		}
		return tx.Audit(ctx, data.AuditEvent{ActorKind: "system", Actor: "demo", Action: "demo.seed_staff", Outcome: "success",
			Detail: fmt.Sprintf("staff=%d", len(demoStaff))})
	})
	return err == nil, err
}
