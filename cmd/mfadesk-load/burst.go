package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// burstPhase fires o.loginsBurst logins at once, each from its own
// browser that first fetched the login page, and reports the answers and
// the server's resident memory.
func (l *load) burstPhase(ctx context.Context, w io.Writer) error {
	n := l.o.loginsBurst
	browsers := make([]*browser, n)
	prep := newRecorder()
	var k atomic.Int64
	l.workersN(ctx, func(ctx context.Context) {
		for i := int(k.Add(1)) - 1; i < n; i = int(k.Add(1)) - 1 {
			b := l.newBrowser(l.o.url)
			if timed(prep, "GET /login", http.StatusOK, func() (int, error) { return b.fetchForm(ctx, "/login") }) {
				browsers[i] = b
			}
		}
	})
	before := readMem(l.o.serverPID)

	statuses := map[string]int{}
	var mu sync.Mutex
	var peakRSS atomic.Int64
	sampleCtx, stopSampling := context.WithCancel(ctx)
	defer stopSampling()
	go func() {
		// VmHWM is the kernel's own peak; sampling VmRSS as well shows
		// whether the peak was this burst or something earlier.
		for sampleCtx.Err() == nil {
			if m := readMem(l.o.serverPID); m.rss > peakRSS.Load() {
				peakRSS.Store(m.rss)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}()
	startGate := make(chan struct{})
	var wg sync.WaitGroup
	lat := newRecorder()
	fired := 0
	for i, b := range browsers {
		if b == nil {
			continue
		}
		fired++
		loginID, password := demoLogin, demoPassword
		if l.o.seedLoad > 0 {
			loginID, password = loadLoginID(i%l.o.seedLoad+1), loadPassword
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-startGate
			t := time.Now()
			status, _, err := b.post(ctx, "/login", url.Values{"login_id": {loginID}, "password": {password}})
			key := strconv.Itoa(status)
			if err != nil {
				key = "error: " + errorKind(err)
			} else {
				lat.ok(key, time.Since(t))
			}
			mu.Lock()
			statuses[key]++
			mu.Unlock()
		}()
	}
	cpu := l.sampleCPU()
	start := time.Now()
	close(startGate)
	wg.Wait()
	elapsed := time.Since(start)
	cpuUsed := l.cpuSince(cpu)
	cpuUsed.unit = "login"
	stopSampling()
	after := readMem(l.o.serverPID)

	res := lat.result("burst", elapsed)
	res.note = fmt.Sprintf("%d logins at once (303 logged in, 503 busy, anything else is a problem)", n)
	res.errors = prep.errors
	res.print(w)
	fmt.Fprintf(w, "  answers: %v\n", statuses)
	fmt.Fprintf(w, "  %s\n", cpuUsed.line(fired))
	if l.o.serverPID > 0 {
		fmt.Fprintf(w, "  server RSS: before %s, sampled peak during burst %s, after %s; VmHWM (peak since start) %s (target < 300 MB)\n",
			mb(before.rss), mb(peakRSS.Load()), mb(after.rss), mb(after.hwm))
	} else {
		fmt.Fprintln(w, "  server RSS: not read (give --server-pid)")
	}
	return nil
}

// workersN runs fn in o.concurrency goroutines and waits.
func (l *load) workersN(ctx context.Context, fn func(ctx context.Context)) {
	var wg sync.WaitGroup
	for range l.o.concurrency {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(ctx)
		}()
	}
	wg.Wait()
}

type memInfo struct{ rss, hwm int64 } // bytes

// readMem reads VmRSS and VmHWM of pid from /proc; zero if unavailable.
func readMem(pid int) memInfo {
	var m memInfo
	if pid <= 0 {
		return m
	}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return m
	}
	for _, line := range strings.Split(string(b), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		fields := strings.Fields(value) // "123456 kB"
		if len(fields) != 2 || fields[1] != "kB" {
			continue
		}
		kb, err := strconv.ParseInt(fields[0], 10, 64)
		if err != nil {
			continue
		}
		switch name {
		case "VmRSS":
			m.rss = kb * 1024
		case "VmHWM":
			m.hwm = kb * 1024
		}
	}
	return m
}

func mb(bytes int64) string { return fmt.Sprintf("%.1f MB", float64(bytes)/(1<<20)) }
