package mfa

import (
	"context"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"mfadesk/data"
	"mfadesk/jst"
	"mfadesk/pgtest"
)

// Benchmarks of the per-request work of the second factor. Run with
//
//	go test -run '^$' -bench . ./mfa
//
// Plain `go test` compiles them but runs none.

// BenchmarkMatchTOTP checks a correct code in the middle of the ±1 step
// window, the usual case: three HMAC-SHA1 computations.
func BenchmarkMatchTOTP(b *testing.B) {
	const secret = "JBSWY3DPEHPK3PXP"
	now := time.Date(2026, 1, 5, 10, 0, 15, 0, jst.Zone)
	code, err := TOTPCode(secret, now)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := MatchTOTP(secret, code, now, -1); !ok {
			b.Fatal("code refused")
		}
	}
}

// BenchmarkSendLoginCode issues email login codes through the Service over
// a SQLite file: the code, its keyed hash, the challenge row, the outbox
// message and the audit event, in one transaction per code, as at login.
func BenchmarkSendLoginCode(b *testing.B) {
	ctx := context.Background()
	// The clock moves a minute per code so no resend cool-down applies.
	var clock atomic.Int64
	clock.Store(time.Date(2026, 1, 5, 10, 0, 0, 0, jst.Zone).Unix())
	db, err := data.Open(ctx, pgtest.DSN(b, filepath.Join(b.TempDir(), "bench.db")), func() time.Time { return time.Unix(clock.Load(), 0) })
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	cfg := DefaultConfig()
	cfg.SendsPerHour = 1 << 30 // measured here: the work, not the limit
	s := &Service{DB: db, Codes: NewCodeHasher(make([]byte, 32)), Config: cfg}
	c := &data.Customer{AccountNumber: "1000001", LoginID: "taro", NameKanji: "山田 太郎", NameKana: "ヤマダ タロウ",
		BirthDate: "1950-04-01", Email: "taro@example.jp", EmailStatus: "verified", PasswordHash: "x", TradingPasswordHash: "x"}
	if err := db.InTx(ctx, func(tx *data.Tx) error {
		c.ID, err = tx.CreateCustomer(ctx, c)
		return err
	}); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		clock.Add(61)
		if err := s.SendLoginCode(ctx, c, "session-"+strconv.Itoa(i), MethodEmail); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkHashCheck is one argon2id check at the default parameters, the
// cost that bounds login throughput; -cpu 1,2 shows how it scales.
func BenchmarkHashCheck(b *testing.B) {
	hash, err := HashPassword("Demo#2025login", DefaultArgon2())
	if err != nil {
		b.Fatal(err)
	}
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if ok, err := CheckPassword(hash, "Demo#2025login"); err != nil || !ok {
				b.Fatal("check failed", err)
			}
		}
	})
}
