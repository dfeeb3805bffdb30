package main

import (
	"fmt"
	"os"
	"syscall"
	"time"
)

// Each timed phase reports the CPU time it cost, this process's and the
// server's: on a shared 2-core machine requests per second move with
// whatever else runs, CPU per request much less.

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat:
// 100 on every architecture Linux and Go share (getconf CLK_TCK).
const clockTicks = 100

// cpuSample is the CPU time used so far by this process, by the server
// and by the database server (--db-pid); server and db are -1 when they
// were not read.
type cpuSample struct{ self, server, db time.Duration }

func (l *load) sampleCPU() cpuSample {
	s := cpuSample{self: selfCPU(), server: -1, db: -1}
	if l.o.serverPID > 0 {
		if d, err := processCPU(l.o.serverPID); err == nil {
			s.server = d
		}
	}
	if l.o.dbPID > 0 {
		if d, err := treeCPU(l.o.dbPID); err == nil {
			s.db = d
		}
	}
	return s
}

// cpuUse is what a phase cost between two samples.
type cpuUse struct {
	client time.Duration
	server time.Duration // -1 when not read
	db     time.Duration // the database server's; -1 when not read
	// who is in the client figure: "client" unless the phase runs more in
	// this process, as the bare phase runs its handler
	who string
	// noServer says why there is no server figure, when the phase does not
	// involve the server at --server-pid
	noServer string
	unit     string // what the phase counts: "request", "check"
	// also, if set, is a step the CPU is shared out over as well: the
	// login phase's password step, one per login
	also string
}

// cpuSince returns the CPU used since start, per request by default.
func (l *load) cpuSince(start cpuSample) *cpuUse {
	end := l.sampleCPU()
	u := &cpuUse{client: end.self - start.self, server: -1, db: -1, who: "client", unit: "request"}
	if start.server >= 0 && end.server >= 0 {
		u.server = end.server - start.server
	}
	if start.db >= 0 && end.db >= 0 {
		u.db = end.db - start.db
	}
	return u
}

// line is one line of the phase's report, for n units of work.
func (u *cpuUse) line(n int) string {
	s := fmt.Sprintf("CPU: %s %s = %s/%s", u.who, cpuMS(u.client), perUnit(u.client, n), u.unit)
	switch {
	case u.noServer != "":
		s += "; server: " + u.noServer
	case u.server >= 0:
		s += fmt.Sprintf("; server %s = %s/%s", cpuMS(u.server), perUnit(u.server, n), u.unit)
	default:
		s += "; server: not read (give --server-pid)"
	}
	if u.db >= 0 {
		s += fmt.Sprintf("; database %s = %s/%s", cpuMS(u.db), perUnit(u.db, n), u.unit)
	}
	return s + fmt.Sprintf(" (%d %ss)", n, u.unit)
}

// stepLine shares the CPU out over one step's n as well.
func (u *cpuUse) stepLine(step string, n int) string {
	server := "not read"
	if u.server >= 0 {
		server = perUnit(u.server, n)
	}
	db := ""
	if u.db >= 0 {
		db = ", database " + perUnit(u.db, n)
	}
	return fmt.Sprintf("CPU per %s step: client %s, server %s%s (%d)", step, perUnit(u.client, n), server, db, n)
}

func cpuMS(d time.Duration) string { return fmt.Sprintf("%d ms", d.Milliseconds()) }

func perUnit(d time.Duration, n int) string {
	if n == 0 {
		return "- µs"
	}
	return fmt.Sprintf("%.1f µs", float64(d.Nanoseconds())/1e3/float64(n))
}

// selfCPU is this process's user and system CPU time so far.
func selfCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// processCPU reads pid's user and system CPU time from /proc/<pid>/stat.
func processCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	return parseStatCPU(b)
}

// parseStatCPU takes utime and stime (fields 14 and 15) from a
// /proc/<pid>/stat line.
func parseStatCPU(stat []byte) (time.Duration, error) {
	f, err := statFields(stat)
	if err != nil {
		return 0, err
	}
	return ticksOf(f[11:13])
}
