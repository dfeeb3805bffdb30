package support

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"mfadesk/contact"
	"mfadesk/data"
)

// An address change needs a strong verification on the case and is
// refused on the staff member's own account, each refusal audited; the
// change commits with its audit event (masked) and the notice.
func TestSetAddressRules(t *testing.T) {
	e := newApprovalEnv(t)
	ctx := context.Background()
	kase, err := e.s.DB.CaseByID(ctx, e.caseID)
	if err != nil {
		t.Fatal(err)
	}
	addr := contact.Address{Postcode: "1000005", Prefecture: "東京都", City: "千代田区丸の内1-2-3"}
	actor := func(name string) CaseActor { return CaseActor{Staff: e.staff[name], Case: kase, ClientIP: "192.0.2.1"} }

	if err := e.s.SetAddress(ctx, actor(RoleSupervisor), addr); !errors.Is(err, ErrStrongVerificationRequired) {
		t.Fatalf("without a strong check: %v", err)
	}
	err = e.s.DB.InTx(ctx, func(tx *data.Tx) error {
		_, err := tx.CreateVerification(ctx, &data.Verification{CaseID: e.caseID, CustomerID: e.customer, StaffID: e.staff[RoleAgent].ID,
			Method: data.VerifyDocument, Strength: data.StrengthStrong, Status: data.VerificationPassed,
			PassedAt: e.now, ValidUntil: e.now.Add(15 * time.Minute)})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := e.s.SetAddress(ctx, actor("linked"), addr); !errors.Is(err, ErrOwnAccount) {
		t.Fatalf("own account: %v", err)
	}
	if _, err := e.s.CustomerAddress(ctx, e.customer); !errors.Is(err, ErrNoAddress) {
		t.Fatalf("address stored by a refused change: %v", err)
	}
	if err := e.s.SetAddress(ctx, actor(RoleSupervisor), addr); err != nil {
		t.Fatal(err)
	}
	if got, err := e.s.CustomerAddress(ctx, e.customer); err != nil || got != addr {
		t.Fatalf("stored: %+v %v", got, err)
	}
	want := []string{"support.address_change refused:needs_strong_verification", "support.address_change refused:own_account",
		"support.address_change success"}
	if got := e.events(); !slices.Equal(got, want) {
		t.Fatalf("audit: %q", got)
	}
	msgs, err := e.s.DB.RecentMessages(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 1 || msgs[0].To != "old@example.jp" || msgs[0].Kind != "address_changed" {
		t.Fatalf("notice: %+v", msgs)
	}
}
