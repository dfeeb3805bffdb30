package data

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"testing"
	"time"
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
	db, err := Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), time.Now)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	return db
}

// BenchmarkSessionByHash looks sessions up by their token hash among
// 10,000, as every request of a logged-in visitor does.
func BenchmarkSessionByHash(b *testing.B) {
	ctx := context.Background()
	db := openBenchDB(b)
	const n = 10_000
	hashes := make([]string, n)
	now := time.Now()
	if err := db.InTx(ctx, func(tx *Tx) error {
		for i := range hashes {
			sum := sha256.Sum256([]byte("token-" + strconv.Itoa(i)))
			hashes[i] = hex.EncodeToString(sum[:])
			if err := tx.CreateSession(ctx, &Session{IDHash: hashes[i], Site: SiteCustomer, Level: LevelFull,
				CSRFToken: "csrf", CreatedAt: now, LastSeenAt: now}); err != nil {
				return err
			}
		}
		return nil
	}); err != nil {
		b.Fatal(err)
	}
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
// percentile of single searches (ns/op alone hides the tail). It takes
// about a minute to generate; -short uses 10,000 customers.
//
//	go test ./data -run '^$' -bench SearchLatencyMillion -benchtime 2000x
func BenchmarkSearchLatencyMillion(b *testing.B) {
	n := 1_000_000
	if testing.Short() {
		n = 10_000
	}
	db := openBenchDB(b)
	generateCustomers(b, db, n)
	queries := []string{
		fmt.Sprintf("%08d", 20000000+n/2), fmt.Sprintf("user%d", n/3), "山田太郎", "サブロウ", "たなか",
		fmt.Sprintf("090-%04d-%04d", n/4/10000, n/4%10000), fmt.Sprintf("user%d@example.jp", n-1),
	}
	ctx := context.Background()
	var took []time.Duration
	i := 0
	for b.Loop() {
		q := queries[i%len(queries)]
		i++
		start := time.Now()
		found, err := db.SearchCustomers(ctx, SearchKey(q), 50)
		took = append(took, time.Since(start))
		if err != nil || len(found) == 0 {
			b.Fatalf("%s: %d found, %v", q, len(found), err)
		}
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
}
