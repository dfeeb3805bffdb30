package mfadesk

import (
	"bufio"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// outsideCitations are ways of pointing at documents a clone of the
// repository does not have: the specification the project started from,
// numbered review issues. The project's own are docs/design.md and
// docs/security.md, in lower case.
var outsideCitations = []*regexp.Regexp{
	regexp.MustCompile(`SECURITY [0-9]`),
	regexp.MustCompile(`DESIGN [§]`),
	regexp.MustCompile(`\b(DESIGN|SECURITY|STYLE)\.md`),
	regexp.MustCompile(`shared/`),
	regexp.MustCompile(`(?i)\bissue [0-9]`),
}

// scannedExt are the files people read: code, templates, SQL, policy,
// configuration and documentation.
var scannedExt = map[string]bool{".go": true, ".templ": true, ".md": true, ".sql": true,
	".csv": true, ".conf": true, ".txt": true}

// repoFiles returns the scanned files of the repository, skipping version
// control, test fixtures and tools CI downloads into .ci.
func repoFiles(t *testing.T) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch {
			case d.Name() == ".git", d.Name() == "testdata", d.Name() == "node_modules",
				path == filepath.Join(".ci", "tools"), path == filepath.Join(".ci", "artifacts"):
				return filepath.SkipDir
			}
			return nil
		}
		if scannedExt[filepath.Ext(path)] && path != "repo_test.go" {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// eachLine calls f with every line of every scanned file.
func eachLine(t *testing.T, f func(path string, n int, line string)) {
	t.Helper()
	for _, path := range repoFiles(t) {
		file, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(file)
		sc.Buffer(make([]byte, 0, 64*1024), 4*1024*1024)
		for n := 1; sc.Scan(); n++ {
			f(path, n, sc.Text())
		}
		err = sc.Err()
		file.Close()
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
}

// Comments and docs cite the repository's own documents, so whoever clones
// it can follow every reference.
func TestNoCitationsOutsideTheRepository(t *testing.T) {
	eachLine(t, func(path string, n int, line string) {
		for _, re := range outsideCitations {
			if m := re.FindString(line); m != "" {
				t.Errorf("%s:%d cites %q, a document outside the repository: point to docs/design.md or docs/security.md, or say the reason", path, n, m)
			}
		}
	})
}

var (
	securityCite = regexp.MustCompile(`security\.md\)? ((?:S[0-9]+(?:, | and |–|-)?)+)`)
	securityRule = regexp.MustCompile(`^\*\*S([0-9]+)(?:–S([0-9]+))?\.\*\*`)
	designCite   = regexp.MustCompile(`design\.md\)? §([0-9]+)`)
	designHead   = regexp.MustCompile(`^## §([0-9]+) `)
	ruleNumber   = regexp.MustCompile(`S([0-9]+)`)
)

// headings returns the numbers re captures at the start of a document's
// lines: a rule's "**S14.**" or a range "**S54–S56.**", a section's "## §4 ".
func headings(t *testing.T, path string, re *regexp.Regexp) map[string]bool {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]bool{}
	for _, line := range strings.Split(string(b), "\n") {
		m := re.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		first, _ := strconv.Atoi(m[1])
		last := first
		if len(m) > 2 && m[2] != "" {
			last, _ = strconv.Atoi(m[2])
		}
		for n := first; n <= last; n++ {
			found[strconv.Itoa(n)] = true
		}
	}
	return found
}

// Every "docs/security.md S<n>" and "docs/design.md §<n>" names a rule or a
// section that exists.
func TestCitationsNameExistingRulesAndSections(t *testing.T) {
	rules := headings(t, filepath.Join("docs", "security.md"), securityRule)
	sections := headings(t, filepath.Join("docs", "design.md"), designHead)
	if len(rules) < 50 || len(sections) < 5 {
		t.Fatalf("read %d rules and %d sections: the headings' format changed", len(rules), len(sections))
	}
	eachLine(t, func(path string, n int, line string) {
		for _, m := range securityCite.FindAllStringSubmatch(line, -1) {
			for _, r := range ruleNumber.FindAllStringSubmatch(m[1], -1) {
				if !rules[r[1]] {
					t.Errorf("%s:%d cites docs/security.md S%s, which has no such rule", path, n, r[1])
				}
			}
		}
		for _, m := range designCite.FindAllStringSubmatch(line, -1) {
			if !sections[m[1]] {
				t.Errorf("%s:%d cites docs/design.md §%s, which has no such section", path, n, m[1])
			}
		}
	})
}

// docs/design.md describes every top-level directory that holds Go code.
func TestDesignNamesEveryPackageDirectory(t *testing.T) {
	design, err := os.ReadFile(filepath.Join("docs", "design.md"))
	if err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") || e.Name() == "testdata" {
			continue
		}
		if !holdsGo(t, e.Name()) {
			continue
		}
		if !regexp.MustCompile(`\b` + regexp.QuoteMeta(e.Name()) + `/`).Match(design) {
			t.Errorf("docs/design.md does not mention %s/: give it a paragraph in §4", e.Name())
		}
	}
}

func holdsGo(t *testing.T, dir string) bool {
	t.Helper()
	found := false
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && d.Name() == "testdata" {
			return filepath.SkipDir
		}
		if !d.IsDir() && filepath.Ext(path) == ".go" {
			found = true
			return filepath.SkipAll
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// Every test docs/security.md names exists, so a renamed or deleted test
// cannot leave a rule pointing at nothing. The package prefix is not
// checked: tests move with the code they check.
func TestSecurityRulesNameRealTests(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("docs", "security.md"))
	if err != nil {
		t.Fatal(err)
	}
	tests := map[string]bool{}
	funcTest := regexp.MustCompile(`(?m)^func (Test[A-Za-z0-9_]*)\(`)
	for _, path := range repoFiles(t) {
		if !strings.HasSuffix(path, "_test.go") {
			continue
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		// The document names a test by its package (`mfa.TestX`), or
		// by no package for cmd/mfadesk's.
		pkg := filepath.Base(filepath.Dir(path))
		if filepath.Dir(path) == filepath.Join("cmd", "mfadesk") {
			pkg = ""
		}
		for _, m := range funcTest.FindAllSubmatch(b, -1) {
			tests[pkg+"."+string(m[1])] = true
		}
	}
	named := regexp.MustCompile("`(?:([a-z]+)\\.)?(Test[A-Za-z0-9_]+)`")
	count := 0
	for _, m := range named.FindAllSubmatch(doc, -1) {
		pkg, name := string(m[1]), string(m[2])
		if name == "TestX" { // the document's example of the notation
			continue
		}
		count++
		if !tests[pkg+"."+name] {
			t.Errorf("docs/security.md names %s.%s, which no _test.go of that package defines", pkg, name)
		}
	}
	if count < 100 {
		t.Errorf("docs/security.md names only %d tests: the notation changed?", count)
	}
}
