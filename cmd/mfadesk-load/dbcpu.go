package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// On PostgreSQL much of a request's work is done by the database server's
// own processes, which the server's figure does not count: --db-pid names
// the postmaster, and each phase also reports the CPU of it and of its
// backends, so PostgreSQL's figures compare with SQLite's, which runs in
// the server process.

// statFields are a /proc/<pid>/stat line's fields from the third on
// (f[0] is the state): the command, field 2, is in parentheses and may
// hold spaces and parentheses itself, so fields are counted from the
// last ')'.
func statFields(stat []byte) ([]string, error) {
	i := bytes.LastIndexByte(stat, ')')
	if i < 0 {
		return nil, errors.New("stat: no command field")
	}
	f := strings.Fields(string(stat[i+1:]))
	if len(f) < 15 {
		return nil, errors.New("stat: too few fields")
	}
	return f, nil
}

func ticksOf(fields []string) (time.Duration, error) {
	var ticks int64
	for _, s := range fields {
		t, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return 0, fmt.Errorf("stat: %w", err)
		}
		ticks += t
	}
	return time.Duration(ticks) * time.Second / clockTicks, nil
}

// treeCPU is the CPU time of pid, of its children that have exited
// (cutime, cstime: a backend per connection, which ends with it) and of
// its living children.
func treeCPU(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	f, err := statFields(b)
	if err != nil {
		return 0, err
	}
	total, err := ticksOf(f[11:15]) // utime, stime, cutime, cstime
	if err != nil {
		return 0, err
	}
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	parent := strconv.Itoa(pid)
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil {
			continue // exited meanwhile
		}
		f, err := statFields(b)
		if err != nil || f[1] != parent {
			continue
		}
		if d, err := ticksOf(f[11:13]); err == nil {
			total += d
		}
	}
	return total, nil
}
