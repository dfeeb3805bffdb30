package data

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"mfadesk/pgtest"
)

// cacheStaff is the fixture of the staff cache tests: an agent with a
// console session "s1", and a customer account that may be linked to them.
type cacheStaff struct {
	staffID, customerID int64
}

func newCacheStaff(t *testing.T, db *DB) cacheStaff {
	t.Helper()
	ctx := context.Background()
	f := cacheStaff{customerID: cacheTestCustomer(t, db, 1)}
	if err := db.InTx(ctx, func(tx *Tx) error {
		var err error
		f.staffID, err = tx.CreateStaff(ctx, &Staff{LoginID: "agent-1", Name: "試験 花子", Role: "agent", OrgID: "support",
			PasswordHash: "old-hash"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	now := db.Now()
	if err := db.ReplaceSession(ctx, "", &Session{IDHash: "s1", Site: SiteConsole, StaffID: f.staffID, Level: LevelFull,
		CSRFToken: "t", StepUpPurpose: "staff.password", CreatedAt: now, LastSeenAt: now.Add(-2 * time.Minute)}); err != nil {
		t.Fatal(err)
	}
	return f
}

func inTx(db *DB, fn func(tx *Tx) error) error { return db.InTx(context.Background(), fn) }

// staffIs checks the staff member as the next request reads them.
func staffIs(want func(*Staff) bool, what string) func(*DB, cacheStaff) error {
	return func(db *DB, f cacheStaff) error {
		st, err := db.StaffByID(context.Background(), f.staffID)
		if err != nil {
			return err
		}
		if !want(st) {
			return fmt.Errorf("staff %+v: want %s", *st, what)
		}
		return nil
	}
}

// sessionIs checks session s1 as the next request reads it; nil want:
// it must be gone.
func sessionIs(want func(*Session) bool, what string) func(*DB, cacheStaff) error {
	return func(db *DB, _ cacheStaff) error {
		s, err := db.SessionByHash(context.Background(), "s1")
		if want == nil {
			if !errors.Is(err, ErrNotFound) {
				return fmt.Errorf("ended session still read (err %v)", err)
			}
			return nil
		}
		if err != nil {
			return err
		}
		if !want(s) {
			return fmt.Errorf("session %+v: want %s", *s, what)
		}
		return nil
	}
}

// Every write path that changes a staff member, their organisation, their
// linked account or their console session is seen by the very next read,
// though both were served from the read cache just before.
func TestCachedStaffSeesEveryCommittedChange(t *testing.T) {
	pgtest.SkipOnPostgres(t, "the read cache is off on PostgreSQL (TestPostgresReadCacheStaysOff)")
	ctx := context.Background()
	pendingRole := func(db *DB, f cacheStaff) error {
		return inTx(db, func(tx *Tx) error {
			return tx.SetStaffPendingRole(ctx, f.staffID, "supervisor", "compliance", f.staffID)
		})
	}
	enrolled := func(db *DB, f cacheStaff) error {
		return inTx(db, func(tx *Tx) error {
			if err := tx.SetStaffTOTPPending(ctx, f.staffID, []byte("sealed")); err != nil {
				return err
			}
			return tx.ConfirmStaffTOTP(ctx, f.staffID, 5)
		})
	}
	linked := func(db *DB, f cacheStaff) error {
		return inTx(db, func(tx *Tx) error { return tx.SetStaffCustomer(ctx, f.staffID, f.customerID) })
	}
	tests := []struct {
		name    string
		prepare func(*DB, cacheStaff) error // before the reads that fill the cache
		write   func(*DB, cacheStaff) error
		check   func(*DB, cacheStaff) error
	}{
		{"deactivated", nil, func(db *DB, f cacheStaff) error {
			return inTx(db, func(tx *Tx) error { return tx.SetStaffActive(ctx, f.staffID, false) })
		}, staffIs(func(s *Staff) bool { return !s.Active }, "inactive")},
		{"role and organisation changed", nil, func(db *DB, f cacheStaff) error {
			return inTx(db, func(tx *Tx) error { return tx.SetStaffRole(ctx, f.staffID, "auditor", "compliance") })
		}, staffIs(func(s *Staff) bool {
			return s.Role == "auditor" && s.OrgID == "compliance" && s.OrgName == "コンプライアンス部"
		}, "auditor at compliance")},
		{"role change waits for a second admin", nil, pendingRole,
			staffIs(func(s *Staff) bool { return s.PendingKind == StaffPendingRole && s.Role == "agent" }, "a waiting role")},
		{"waiting role confirmed", pendingRole, func(db *DB, f cacheStaff) error {
			return inTx(db, func(tx *Tx) error { return tx.ApplyStaffPending(ctx, f.staffID) })
		}, staffIs(func(s *Staff) bool { return s.Role == "supervisor" && s.OrgID == "compliance" }, "supervisor")},
		{"waiting role dropped", pendingRole, func(db *DB, f cacheStaff) error {
			return inTx(db, func(tx *Tx) error { return tx.ClearStaffPending(ctx, f.staffID) })
		}, staffIs(func(s *Staff) bool { return s.PendingKind == "" }, "nothing waiting")},
		{"password reset by an admin", nil, func(db *DB, f cacheStaff) error {
			return inTx(db, func(tx *Tx) error { return tx.SetStaffTemporaryPassword(ctx, f.staffID, "temp-hash") })
		}, staffIs(func(s *Staff) bool { return s.MustChangePassword && s.PasswordHash == "temp-hash" }, "must change")},
		{"own password chosen", func(db *DB, f cacheStaff) error {
			return inTx(db, func(tx *Tx) error { return tx.SetStaffTemporaryPassword(ctx, f.staffID, "temp-hash") })
		}, func(db *DB, f cacheStaff) error {
			return inTx(db, func(tx *Tx) error { return tx.ReplaceStaffPassword(ctx, f.staffID, "temp-hash", "own-hash") })
		}, staffIs(func(s *Staff) bool { return !s.MustChangePassword && s.PasswordHash == "own-hash" }, "own password")},
		{"TOTP enrolled", nil, enrolled, staffIs(func(s *Staff) bool { return s.HasTOTP() }, "an authenticator")},
		{"TOTP reset", enrolled, func(db *DB, f cacheStaff) error {
			return inTx(db, func(tx *Tx) error { return tx.ResetStaffTOTP(ctx, f.staffID) })
		}, staffIs(func(s *Staff) bool { return !s.HasTOTP() && s.TOTPLastStep == -1 }, "no authenticator")},
		{"TOTP step used", nil, func(db *DB, f cacheStaff) error {
			return inTx(db, func(tx *Tx) error { _, err := tx.AdvanceStaffTOTPStep(ctx, f.staffID, 7); return err })
		}, staffIs(func(s *Staff) bool { return s.TOTPLastStep == 7 }, "step 7")},
		{"TOTP secret re-sealed (rekey)", enrolled, func(db *DB, f cacheStaff) error {
			return inTx(db, func(tx *Tx) error {
				return tx.ReplaceSealedSecret(ctx, SealedSecret{Table: "staff", Column: "totp_secret_enc", ID: f.staffID,
					Sealed: []byte("sealed")}, []byte("resealed"))
			})
		}, staffIs(func(s *Staff) bool { return bytes.Equal(s.TOTPSecretEnc, []byte("resealed")) }, "the new sealing")},
		{"own account linked", nil, linked,
			staffIs(func(s *Staff) bool { return s.CustomerID != 0 && s.CustomerAccount == "90000001" }, "linked")},
		{"own account unlinked", linked, func(db *DB, f cacheStaff) error {
			return inTx(db, func(tx *Tx) error { return tx.SetStaffCustomer(ctx, f.staffID, 0) })
		}, staffIs(func(s *Staff) bool { return s.CustomerID == 0 && s.CustomerAccount == "" }, "unlinked")},
		{"linked account's number changed", linked, func(db *DB, f cacheStaff) error {
			return inTx(db, func(tx *Tx) error {
				_, err := tx.ExecContext(ctx, `UPDATE customers SET account_number = '90000002' WHERE id = ?`, f.customerID)
				return err
			})
		}, staffIs(func(s *Staff) bool { return s.CustomerAccount == "90000002" }, "the new account number")},
		{"organisation renamed", nil, func(db *DB, _ cacheStaff) error {
			return inTx(db, func(tx *Tx) error { return tx.RenameOrganisation(ctx, "support", "お客さまセンター") })
		}, staffIs(func(s *Staff) bool { return s.OrgName == "お客さまセンター" }, "the new name")},
		{"logged out", nil, func(db *DB, _ cacheStaff) error { return db.DeleteSession(ctx, "s1") }, sessionIs(nil, "")},
		{"every session ended (deactivation, reset)", nil, func(db *DB, f cacheStaff) error {
			return inTx(db, func(tx *Tx) error { return tx.DeleteStaffSessions(ctx, f.staffID) })
		}, sessionIs(nil, "")},
		{"ended by another session's password change", nil, func(db *DB, f cacheStaff) error {
			return inTx(db, func(tx *Tx) error { return tx.DeleteOtherStaffSessions(ctx, f.staffID, "s2") })
		}, sessionIs(nil, "")},
		{"rotated", nil, func(db *DB, f cacheStaff) error {
			now := db.Now()
			return db.ReplaceSession(ctx, "s1", &Session{IDHash: "s2", Site: SiteConsole, StaffID: f.staffID,
				Level: LevelFull, CSRFToken: "t", CreatedAt: now, LastSeenAt: now})
		}, sessionIs(nil, "")},
		{"idle sessions swept", nil, func(db *DB, _ cacheStaff) error {
			_, err := db.DeleteSessionsBefore(ctx, db.Now(), db.Now().Add(-time.Hour))
			return err
		}, sessionIs(nil, "")},
		{"activity recorded", nil, func(db *DB, _ cacheStaff) error { return db.TouchSession(ctx, "s1", db.Now()) },
			sessionIs(func(s *Session) bool { return s.LastSeenAt.Equal(db0Now) }, "last seen now")},
		{"step-up used", nil, func(db *DB, _ cacheStaff) error { return db.StepUpUsed(ctx, "s1") },
			sessionIs(func(s *Session) bool { return s.StepUpPurpose == "" }, "no step-up")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			db := openTestDB(t)
			f := newCacheStaff(t, db)
			if tt.prepare != nil {
				if err := tt.prepare(db, f); err != nil {
					t.Fatal(err)
				}
			}
			for range 2 { // the second read is served by the cache
				if _, err := db.StaffByID(ctx, f.staffID); err != nil {
					t.Fatal(err)
				}
				if _, err := db.SessionByHash(ctx, "s1"); err != nil {
					t.Fatal(err)
				}
			}
			_, okStaff := lookup(db.cache, &db.cache.staff, f.staffID)
			_, okSession := lookup(db.cache, &db.cache.sessions, "s1")
			if !okStaff || !okSession {
				t.Fatalf("not cached after two reads (staff %v, session %v): the test would prove nothing", okStaff, okSession)
			}
			if err := tt.write(db, f); err != nil {
				t.Fatal(err)
			}
			if err := tt.check(db, f); err != nil {
				t.Fatal(err)
			}
		})
	}
}

// db0Now is openTestDB's clock.
var db0Now = time.Unix(1_800_000_000, 0)

// The cache hands out copies of staff members too: a caller changing the
// sealed secret it got changes nothing for the next caller.
func TestCachedStaffAreCopies(t *testing.T) {
	ctx := context.Background()
	db := openTestDB(t)
	f := newCacheStaff(t, db)
	if err := inTx(db, func(tx *Tx) error { return tx.SetStaffTOTPPending(ctx, f.staffID, []byte("sealed")) }); err != nil {
		t.Fatal(err)
	}
	for range 3 {
		st, err := db.StaffByID(ctx, f.staffID)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(st.TOTPPendingEnc, []byte("sealed")) || st.Role != "agent" {
			t.Fatalf("pending %q, role %q: an earlier caller's change reached the cache", st.TOTPPendingEnc, st.Role)
		}
		st.TOTPPendingEnc[0], st.Role = 'X', "admin"
	}
}

// The console header's count of requests waiting for a second member is
// served from the read cache, and still follows every new or decided
// request and the clock: a request past its expiry is no longer counted.
func TestCachedPendingCountFollowsRequestsAndTime(t *testing.T) {
	pgtest.SkipOnPostgres(t, "the read cache is off on PostgreSQL (TestPostgresReadCacheStaysOff)")
	ctx := context.Background()
	db := openTestDB(t)
	f := newCacheStaff(t, db)
	now := db.Now()
	var caseID int64
	if err := inTx(db, func(tx *Tx) error {
		var err error
		caseID, err = tx.OpenCase(ctx, &Case{CustomerID: f.customerID, OrgID: "support", StaffID: f.staffID, Channel: "phone",
			Reason: "lost phone"})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	request := func(expires time.Time) int64 {
		t.Helper()
		var id int64
		if err := inTx(db, func(tx *Tx) error {
			var err error
			id, err = tx.CreateRequest(ctx, &ActionRequest{CaseID: caseID, CustomerID: f.customerID, Kind: "reset",
				Remove: "totp", RequestedBy: f.staffID, ExpiresAt: expires})
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return id
	}
	count := func(at time.Time, want int) {
		t.Helper()
		for range 2 { // the second from the cache
			if n, err := db.PendingRequestCount(ctx, at); err != nil || n != want {
				t.Fatalf("count at %v: %d (err %v), want %d", at.Sub(now), n, err, want)
			}
		}
		if _, ok := lookup(db.cache, &db.cache.pending, 0); !ok {
			t.Fatal("the count was not cached: the test would prove nothing")
		}
	}
	count(now, 0)
	first := request(now.Add(time.Hour))
	count(now, 1)
	request(now.Add(2 * time.Hour))
	count(now, 2)
	count(now.Add(time.Hour-time.Second), 2)
	count(now.Add(time.Hour), 1) // the first expired
	count(now, 2)
	if err := inTx(db, func(tx *Tx) error { return tx.DecideRequest(ctx, first, "approved", f.staffID, "") }); err != nil {
		t.Fatal(err)
	}
	count(now, 1)
}
