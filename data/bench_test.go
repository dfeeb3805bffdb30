package data

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"

	"mfadesk/pgtest"
)

// Benchmarks of the storage work every request or login does. Run with
//
//	go test -run '^$' -bench . ./data
//
// Plain `go test` compiles them but runs none. The search over 1,000,000
// customers is BenchmarkSearchMillionCustomers in search_test.go;
// BenchmarkSearchLatencyMillion below reuses its generator to report the
// tail latency a console user sees.

func openBenchDB(b *testing.B) *DB {
	b.Helper()
	db, err := Open(context.Background(), pgtest.DSN(b, filepath.Join(b.TempDir(), "bench.db")), time.Now)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	db.SetAuditKey(testAuditKey(b, 1))
	return db
}

// BenchmarkSessionByHash looks sessions up by their token hash among
// 10,000, as every request of a logged-in visitor does.
func BenchmarkSessionByHash(b *testing.B) {
	ctx := context.Background()
	db := openBenchDB(b)
	const n = 10_000
	now := time.Now()
	var customerID int64
	if err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		customerID, err = tx.CreateCustomer(ctx, &Customer{AccountNumber: "9000001", LoginID: "bench",
			NameKanji: "試験 太郎", NameKana: "シケン タロウ", BirthDate: "1950-01-01", EmailStatus: "none",
			PasswordHash: "x", TradingPasswordHash: "x"})
		return err
	}); err != nil {
		b.Fatal(err)
	}
	// Anonymous sessions are never cached: every read is a query. The
	// customer's are read from the cache once read.
	for _, bc := range []struct {
		name     string
		customer int64
	}{{"anonymous-query", 0}, {"customer-cached", customerID}} {
		hashes := make([]string, n)
		if err := db.InTx(ctx, func(tx *Tx) error {
			for i := range hashes {
				sum := sha256.Sum256([]byte(bc.name + strconv.Itoa(i)))
				hashes[i] = hex.EncodeToString(sum[:])
				if err := tx.CreateSession(ctx, &Session{IDHash: hashes[i], Site: SiteCustomer, CustomerID: bc.customer,
					Level: LevelFull, CSRFToken: "csrf", CreatedAt: now, LastSeenAt: now}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
		for _, h := range hashes { // warm: statements prepared, cache filled
			if _, err := db.SessionByHash(ctx, h); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.RunParallel(func(pb *testing.PB) {
				i := 0
				for pb.Next() {
					i = (i + 7919) % n // a prime stride visits them all, not one hot row
					if _, err := db.SessionByHash(ctx, hashes[i]); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}

// BenchmarkAuditAppend appends one hash-chained event per transaction,
// as a request that changes something does: read the newest hash, insert,
// commit. Writers are serialised by SQLite, so this is the ceiling of
// audited changes per second.
func BenchmarkAuditAppend(b *testing.B) {
	ctx := context.Background()
	db := openBenchDB(b)
	b.ReportAllocs()
	for b.Loop() {
		if err := db.InTx(ctx, func(tx *Tx) error {
			return tx.Audit(ctx, AuditEvent{ActorKind: "customer", Actor: "taro", Action: "login.password",
				Outcome: "success", ClientIP: "192.0.2.1"})
		}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkSearchLatencyMillion searches 1,000,000 generated customers
// with a mix of every kind of key and reports the median and 99th
// percentile of single searches (ns/op alone hides the tail), and the
// 99th percentile of each kind, so the tail can be told apart (with
// 2,000 searches, each kind's is its third slowest of about 286). It
// takes about a minute to generate; -short uses 10,000 customers.
//
//	go test ./data -run '^$' -bench SearchLatencyMillion -benchtime 2000x
func BenchmarkSearchLatencyMillion(b *testing.B) {
	n := 1_000_000
	if testing.Short() {
		n = 10_000
	}
	db := openBenchDB(b)
	generateCustomers(b, db, n)
	queries := searchBenchQueries(n)
	ctx := context.Background()
	var took []time.Duration
	byKind := make([][]time.Duration, len(queries))
	i := 0
	for b.Loop() {
		k := i % len(queries)
		i++
		start := time.Now()
		found, err := db.SearchCustomers(ctx, SearchKey(queries[k].q), 50)
		d := time.Since(start)
		took = append(took, d)
		byKind[k] = append(byKind[k], d)
		if err != nil || len(found) == 0 {
			b.Fatalf("%s: %d found, %v", queries[k].q, len(found), err)
		}
	}
	b.ReportMetric(percentileMillis(took, 50), "p50-ms")
	b.ReportMetric(percentileMillis(took, 99), "p99-ms")
	for k, q := range queries {
		if len(byKind[k]) > 0 {
			b.ReportMetric(percentileMillis(byKind[k], 99), q.name+"-p99-ms")
		}
	}
}

// percentileMillis sorts took and returns its pth percentile in ms.
func percentileMillis(took []time.Duration, p int) float64 {
	slices.Sort(took)
	return float64(took[len(took)*p/100].Microseconds()) / 1000
}
