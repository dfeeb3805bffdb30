package main

import (
	"context"
	"fmt"

	"mfadesk/contact"
	"mfadesk/data"
	"mfadesk/mfa"
)

// Demo logins, listed in the README.
const (
	demoPassword        = "Demo#2025login"
	demoTradingPassword = "Demo#2025trade"
	demoTOTPSecret      = "JBSWY3DPEHPK3PXP"
)

type demoCustomer struct {
	customer data.Customer
	totp     bool
	sms      bool
	// address is where letters go; demo-email has none, to show a case
	// where no letter can be sent.
	address contact.Address
}

var demoCustomers = []demoCustomer{
	{customer: data.Customer{AccountNumber: "1000001", LoginID: "demo-app", NameKanji: "山田 太郎", NameKana: "ヤマダ タロウ",
		BirthDate: "1950-04-01", Email: "demo-app@example.jp", EmailStatus: "verified", Phone: "+819000000001"}, totp: true,
		address: contact.Address{Postcode: "1000005", Prefecture: "東京都", City: "千代田区丸の内1-1-1", Building: "丸の内デモビル 12階"}},
	{customer: data.Customer{AccountNumber: "1000002", LoginID: "demo-sms", NameKanji: "佐藤 花子", NameKana: "サトウ ハナコ",
		BirthDate: "1948-11-23", Email: "demo-sms@example.jp", EmailStatus: "verified", Phone: "+819000000002", PhoneVerified: true}, sms: true,
		address: contact.Address{Postcode: "5300001", Prefecture: "大阪府", City: "大阪市北区梅田2-2-2"}},
	{customer: data.Customer{AccountNumber: "1000003", LoginID: "demo-email", NameKanji: "鈴木 一郎", NameKana: "スズキ イチロウ",
		BirthDate: "1960-01-15", Email: "demo-email@example.jp", EmailStatus: "verified"}},
	{customer: data.Customer{AccountNumber: "1000004", LoginID: "demo-noemail", NameKanji: "高橋 正子", NameKana: "タカハシ マサコ",
		BirthDate: "1942-07-07", Email: "", EmailStatus: "none", Phone: "+81300000004"},
		address: contact.Address{Postcode: "0600001", Prefecture: "北海道", City: "札幌市中央区北一条西3-3", Building: "デモハイツ 201号室"}},
}

// seedDemo fills an empty database with the demo customers. It does
// nothing when there is any customer, so it never touches real data.
func seedDemo(ctx context.Context, svc *mfa.Service) (bool, error) {
	n, err := svc.DB.CountCustomers(ctx)
	if err != nil || n > 0 {
		return false, err
	}
	pw, err := mfa.HashPassword(demoPassword, svc.Config.Argon2)
	if err != nil {
		return false, err
	}
	trading, err := mfa.HashPassword(demoTradingPassword, svc.Config.Argon2)
	if err != nil {
		return false, err
	}
	err = svc.DB.InTx(ctx, func(tx *data.Tx) error {
		for _, d := range demoCustomers {
			c := d.customer
			c.PasswordHash, c.TradingPasswordHash = pw, trading
			id, err := tx.CreateCustomer(ctx, &c)
			if err != nil {
				return err
			}
			if err := seedDemoFactors(ctx, tx, svc, id, d); err != nil {
				return err
			}
			if d.address.Postcode != "" {
				if err := tx.SetCustomerAddress(ctx, id, d.address); err != nil {
					return err
				}
			}
		}
		return tx.Audit(ctx, data.AuditEvent{ActorKind: "system", Actor: "demo", Action: "demo.seed", Outcome: "success",
			Detail: fmt.Sprintf("customers=%d", len(demoCustomers))})
	})
	return err == nil, err
}

func seedDemoFactors(ctx context.Context, tx *data.Tx, svc *mfa.Service, id int64, d demoCustomer) error {
	now := tx.Now()
	if d.totp {
		sealed, err := svc.SealTOTPSecret(id, demoTOTPSecret)
		if err != nil {
			return err
		}
		if _, err := tx.CreateFactor(ctx, &data.Factor{CustomerID: id, Kind: data.FactorTOTP, SecretEnc: sealed,
			UseLogin: true, UseAccount: true, UseWithdrawal: true, LastStep: -1, ConfirmedAt: now}); err != nil {
			return err
		}
	}
	// Every demo customer has a bank account, so withdrawals can be tried.
	if err := tx.SetBankAccount(ctx, &data.BankAccount{CustomerID: id, BankName: "みずなみ銀行", BranchName: "本店営業部",
		AccountType: "普通", AccountNumber: fmt.Sprintf("12%05d", id), HolderKana: d.customer.NameKana}); err != nil {
		return err
	}
	if d.sms {
		if _, err := tx.CreateFactor(ctx, &data.Factor{CustomerID: id, Kind: data.FactorSMS, Phone: d.customer.Phone,
			UseLogin: true, UseAccount: true, UseWithdrawal: true, LastStep: -1, ConfirmedAt: now}); err != nil {
			return err
		}
	}
	return nil
}
