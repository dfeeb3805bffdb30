package main

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"fmt"
	"time"

	"mfadesk/data"
	"mfadesk/mfa"
)

// Load customers: load-00001 … with one login password and each with an
// authenticator app of its own secret. Distinct secrets matter: the
// replay guard accepts each TOTP step once per customer, so many logins
// of one customer within 30 s would be refused as reused codes.
const loadPassword = "Load#2025login"

func loadLoginID(i int) string { return fmt.Sprintf("load-%05d", i) }

// loadSecret derives customer i's TOTP secret, so the seeding and the
// simulated authenticator agree without storing anything. These are
// test accounts in a test database: a derivable secret is the point.
func loadSecret(i int) string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("mfadesk-load-%d", i)))
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(sum[:20])
}

// seedLoadCustomers writes n load customers straight into the SQLite file
// (WAL lets the server keep running meanwhile) and returns how many were
// new. Existing ones are kept, so seeding twice is harmless.
func seedLoadCustomers(ctx context.Context, path, secretKey string, n int) (int, error) {
	key := mfa.DevSecretKey()
	if secretKey != "" {
		var err error
		if key, err = mfa.ParseSecretKey(secretKey); err != nil {
			return 0, fmt.Errorf("--secret-key: %w", err)
		}
	}
	box, err := mfa.NewSecretBox(key)
	if err != nil {
		return 0, err
	}
	db, err := data.Open(ctx, path, time.Now)
	if err != nil {
		return 0, err
	}
	defer db.Close()
	svc := &mfa.Service{DB: db, Box: box, Config: mfa.DefaultConfig()}
	// One hash for all: they share the password, and a fresh salt each
	// would only make seeding take n × 20 ms.
	hash, err := mfa.HashPassword(loadPassword, svc.Config.Argon2)
	if err != nil {
		return 0, err
	}
	added := 0
	const batch = 500 // rows per transaction: fast, and the server's writers get a turn between
	for first := 1; first <= n; first += batch {
		err := db.InTx(ctx, func(tx *data.Tx) error {
			for i := first; i < first+batch && i <= n; i++ {
				if _, err := db.CustomerByLoginID(ctx, loadLoginID(i)); err == nil {
					continue
				} else if !errors.Is(err, data.ErrNotFound) {
					return err
				}
				id, err := tx.CreateCustomer(ctx, &data.Customer{AccountNumber: fmt.Sprintf("9%07d", i),
					LoginID: loadLoginID(i), NameKanji: "負荷 試験", NameKana: "フカ シケン", BirthDate: "1970-01-01",
					Email: loadLoginID(i) + "@example.jp", EmailStatus: "verified",
					PasswordHash: hash, TradingPasswordHash: hash})
				if err != nil {
					return err
				}
				sealed, err := svc.SealTOTPSecret(id, loadSecret(i))
				if err != nil {
					return err
				}
				if _, err := tx.CreateFactor(ctx, &data.Factor{CustomerID: id, Kind: data.FactorTOTP, SecretEnc: sealed,
					UseLogin: true, UseAccount: true, UseWithdrawal: true, LastStep: -1, ConfirmedAt: tx.Now()}); err != nil {
					return err
				}
				added++
			}
			return nil
		})
		if err != nil {
			return added, fmt.Errorf("seed load customers: %w", err)
		}
	}
	return added, nil
}
