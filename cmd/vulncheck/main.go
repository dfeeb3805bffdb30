// Command vulncheck reads govulncheck's JSON output on standard input and
// fails when the code calls a vulnerable function, unless the
// vulnerability is in the allow list (.ci/vuln-allow.txt) with the reason
// it does not affect mfadesk. Vulnerabilities only imported or required,
// never called, are listed but do not fail.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
)

type message struct {
	Finding *struct {
		OSV          string `json:"osv"`
		FixedVersion string `json:"fixed_version"`
		Trace        []struct {
			Module   string `json:"module"`
			Version  string `json:"version"`
			Function string `json:"function"`
		} `json:"trace"`
	} `json:"finding"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: govulncheck -format json ./... | vulncheck ALLOW-FILE")
		os.Exit(2)
	}
	allowed, err := readAllowList(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	called, other, err := readFindings(os.Stdin)
	if err != nil {
		fmt.Fprintln(os.Stderr, "govulncheck output:", err)
		os.Exit(2)
	}
	failed := false
	for _, id := range sorted(called) {
		if reason, ok := allowed[id]; ok {
			fmt.Printf("allowed  %s %s: %s\n", id, called[id], reason)
			continue
		}
		fmt.Printf("CALLED   %s %s\n", id, called[id])
		failed = true
	}
	for _, id := range sorted(other) {
		if _, ok := called[id]; !ok {
			fmt.Printf("not called %s %s\n", id, other[id])
		}
	}
	for id := range allowed {
		if _, ok := called[id]; !ok {
			fmt.Printf("note: %s is allowed but no longer found: remove it from the allow list\n", id)
		}
	}
	if failed {
		fmt.Println("vulnerable code is called: upgrade the module (or the Go toolchain in go.mod)")
		os.Exit(1)
	}
	fmt.Printf("govulncheck: %d called (all allowed), %d only imported or required\n", len(called), len(other))
}

// readFindings sorts findings into those whose trace reaches a function
// (called) and the rest; both map an OSV id to where it was found.
func readFindings(r io.Reader) (called, other map[string]string, err error) {
	called, other = map[string]string{}, map[string]string{}
	dec := json.NewDecoder(r)
	for {
		var m message
		if err := dec.Decode(&m); errors.Is(err, io.EOF) {
			return called, other, nil
		} else if err != nil {
			return nil, nil, err
		}
		if m.Finding == nil || len(m.Finding.Trace) == 0 {
			continue
		}
		top := m.Finding.Trace[0]
		where := top.Module + "@" + top.Version
		if top.Module == "stdlib" {
			where = "Go " + top.Version
		}
		if m.Finding.FixedVersion != "" {
			where += " (fixed in " + m.Finding.FixedVersion + ")"
		}
		if top.Function != "" {
			called[m.Finding.OSV] = where
		} else {
			other[m.Finding.OSV] = where
		}
	}
}

// readAllowList reads lines "GO-YYYY-NNNN reason"; # starts a comment.
func readAllowList(path string) (map[string]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	allowed := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		id, reason, _ := strings.Cut(line, " ")
		if strings.TrimSpace(reason) == "" {
			return nil, fmt.Errorf("%s: %s has no reason", path, id)
		}
		allowed[id] = strings.TrimSpace(reason)
	}
	return allowed, sc.Err()
}

func sorted(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
