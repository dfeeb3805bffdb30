package main

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
)

// recorder collects the latency of each step and the errors, from many
// workers.
type recorder struct {
	mu     sync.Mutex
	steps  map[string][]time.Duration
	errors map[string]int
	order  []string
}

func newRecorder() *recorder {
	return &recorder{steps: map[string][]time.Duration{}, errors: map[string]int{}}
}

func (r *recorder) ok(step string, d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, seen := r.steps[step]; !seen {
		r.order = append(r.order, step)
	}
	r.steps[step] = append(r.steps[step], d)
}

func (r *recorder) fail(step, why string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.errors[step+": "+why]++
}

// phaseResult is one phase's numbers.
type phaseResult struct {
	name    string
	note    string
	elapsed time.Duration
	steps   []stepResult
	errors  map[string]int
	cpu     *cpuUse // nil if not measured
}

type stepResult struct {
	name     string
	count    int
	perSec   float64
	p50, p99 time.Duration
}

func (r *recorder) result(name string, elapsed time.Duration) *phaseResult {
	r.mu.Lock()
	defer r.mu.Unlock()
	res := &phaseResult{name: name, elapsed: elapsed, errors: r.errors}
	for _, step := range r.order {
		d := slices.Clone(r.steps[step])
		slices.Sort(d)
		res.steps = append(res.steps, stepResult{name: step, count: len(d),
			perSec: float64(len(d)) / elapsed.Seconds(), p50: percentile(d, 50), p99: percentile(d, 99)})
	}
	return res
}

// percentile of sorted durations, nearest rank.
func percentile(sorted []time.Duration, p int) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := (len(sorted)*p + 99) / 100 // ceil(n·p/100), 1-based
	return sorted[max(i-1, 0)]
}

func (r *phaseResult) step(name string) (stepResult, bool) {
	for _, s := range r.steps {
		if s.name == name {
			return s, true
		}
	}
	return stepResult{}, false
}

func (r *phaseResult) print(w io.Writer) {
	fmt.Fprintf(w, "\n== %s (%s)", r.name, r.elapsed.Round(time.Millisecond))
	if r.note != "" {
		fmt.Fprintf(w, " — %s", r.note)
	}
	fmt.Fprintln(w)
	fmt.Fprintf(w, "  %-16s %8s %10s %10s %10s\n", "step", "count", "per sec", "p50", "p99")
	for _, s := range r.steps {
		fmt.Fprintf(w, "  %-16s %8d %10.1f %10s %10s\n", s.name, s.count, s.perSec, ms(s.p50), ms(s.p99))
	}
	if len(r.errors) > 0 {
		keys := make([]string, 0, len(r.errors))
		for k := range r.errors {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "  error %s ×%d\n", k, r.errors[k])
		}
	}
	if r.cpu != nil {
		fmt.Fprintf(w, "  %s\n", r.cpu.line(r.count()))
		if s, ok := r.step(r.cpu.also); ok {
			fmt.Fprintf(w, "  %s\n", r.cpu.stepLine(s.name, s.count))
		}
	}
}

// count is how many requests (or checks) the phase made, failed ones
// included: each cost CPU.
func (r *phaseResult) count() int {
	n := 0
	for _, s := range r.steps {
		n += s.count
	}
	for _, k := range r.errors {
		n += k
	}
	return n
}

func ms(d time.Duration) string { return fmt.Sprintf("%.2fms", float64(d.Microseconds())/1000) }

// ratio is a measured rate against its ceiling, both measured in the
// same round.
type ratio struct {
	rate, ceiling float64
}

func (r ratio) percent() float64 { return 100 * r.rate / r.ceiling }

// roundRatios finds a round's two ratios; ok is false where the round
// lacked a phase.
func roundRatios(results []*phaseResult) (page, login ratio, okPage, okLogin bool) {
	find := func(phase, step string) (stepResult, bool) {
		for _, r := range results {
			if r.name == phase {
				return r.step(step)
			}
		}
		return stepResult{}, false
	}
	bare, okB := find("bare", "GET /bare")
	home, okH := find("page", "GET /home")
	hash, okA := find("hash", "argon2id check")
	pw, okP := find("login", "password")
	page, okPage = ratio{home.perSec, bare.perSec}, okB && okH && bare.perSec > 0
	login, okLogin = ratio{pw.perSec, hash.perSec}, okA && okP && hash.perSec > 0
	return page, login, okPage, okLogin
}

// serverCPUPerRequest is the server's CPU per request of a phase of the
// round; ok is false without that phase or without the server's figure.
func serverCPUPerRequest(results []*phaseResult, phase string) (time.Duration, bool) {
	for _, r := range results {
		if r.name == phase && r.cpu != nil && r.cpu.server >= 0 && r.count() > 0 {
			return r.cpu.server / time.Duration(r.count()), true
		}
	}
	return 0, false
}

// consoleVsHome is the server's CPU per console page against its CPU per
// customer /home, in the same round.
func consoleVsHome(results []*phaseResult) (console, home time.Duration, ok bool) {
	console, okC := serverCPUPerRequest(results, "console")
	home, okH := serverCPUPerRequest(results, "page")
	return console, home, okC && okH && home > 0
}

func printRatios(w io.Writer, results []*phaseResult) {
	page, login, okPage, okLogin := roundRatios(results)
	fmt.Fprintln(w)
	if console, home, ok := consoleVsHome(results); ok {
		fmt.Fprintf(w, "server CPU per console page vs per /home: %s / %s = %.1f× (target ≤ 3×)\n",
			perUnit(console, 1), perUnit(home, 1), float64(console)/float64(home))
	}
	if okPage {
		fmt.Fprintf(w, "authenticated page vs bare handler: %.1f / %.1f req/s = %.0f%% (target ≥ 40%%)\n",
			page.rate, page.ceiling, page.percent())
	}
	if okLogin {
		fmt.Fprintf(w, "login (password step) vs argon2id alone: %.1f / %.1f per s = %.0f%% (target ≥ 85%%)\n",
			login.rate, login.ceiling, login.percent())
	}
}

// printMedianRatios sums the rounds up: each ratio's median, and every
// round's, since one slow phase moves a single round's ratio a lot.
func printMedianRatios(w io.Writer, rounds [][]*phaseResult) {
	var pages, logins, consoles []float64
	for _, results := range rounds {
		if console, home, ok := consoleVsHome(results); ok {
			consoles = append(consoles, float64(console)/float64(home))
		}
		page, login, okPage, okLogin := roundRatios(results)
		if okPage {
			pages = append(pages, page.percent())
		}
		if okLogin {
			logins = append(logins, login.percent())
		}
	}
	fmt.Fprintf(w, "\n##### over %d rounds\n", len(rounds))
	if len(consoles) > 0 {
		fmt.Fprintf(w, "server CPU per console page vs per /home, median: %.1f× (rounds: %s; target ≤ 3×)\n",
			median(consoles), times(consoles))
	}
	if len(pages) > 0 {
		fmt.Fprintf(w, "authenticated page vs bare handler, median: %.0f%% (rounds: %s; target ≥ 40%%)\n",
			median(pages), percents(pages))
	}
	if len(logins) > 0 {
		fmt.Fprintf(w, "login (password step) vs argon2id alone, median: %.0f%% (rounds: %s; target ≥ 85%%)\n",
			median(logins), percents(logins))
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

func percents(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.0f%%", x)
	}
	return strings.Join(parts, ", ")
}

func times(xs []float64) string {
	parts := make([]string, len(xs))
	for i, x := range xs {
		parts[i] = fmt.Sprintf("%.1f×", x)
	}
	return strings.Join(parts, ", ")
}
