package support

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/unicode/norm"
)

// ImportColumn is a column of the back office's customer export
// (docs/operations.md, "Importing customers").
type ImportColumn int

const (
	ColAccount ImportColumn = iota
	ColLoginID
	ColNameKanji
	ColNameKana
	ColBirthDate
	ColPostcode
	ColPref
	ColCity
	ColBuilding
	ColEmail
	ColMobile
	ColLanguage
	ColStatus
	ColPassword
	numImportColumns
)

// importColumnNames are each column's English header name, then the
// other names accepted for it (compared after NFKC and lower-casing).
func importColumnNames() [numImportColumns][]string {
	return [numImportColumns][]string{
		ColAccount:   {"account_number", "口座番号"},
		ColLoginID:   {"login_id", "ログインid"},
		ColNameKanji: {"name_kanji", "氏名", "氏名(漢字)", "漢字氏名"},
		ColNameKana:  {"name_kana", "氏名カナ", "氏名(カナ)", "カナ氏名", "フリガナ"},
		ColBirthDate: {"birth_date", "生年月日"},
		ColPostcode:  {"postcode", "郵便番号"},
		ColPref:      {"prefecture", "都道府県"},
		ColCity:      {"city", "市区町村・番地", "住所1"},
		ColBuilding:  {"building", "建物名", "住所2"},
		ColEmail:     {"email", "メールアドレス"},
		ColMobile:    {"mobile", "携帯電話番号", "携帯電話", "mobile_phone"},
		ColLanguage:  {"language", "言語", "lang"},
		ColStatus:    {"status", "口座状態", "状態"},
		ColPassword:  {"password_hash", "パスワードハッシュ"},
	}
}

func (c ImportColumn) String() string { return importColumnNames()[c][0] }

// requiredColumns must all be in the header before any row is read.
func requiredColumns() []ImportColumn {
	return []ImportColumn{ColAccount, ColLoginID, ColNameKanji, ColNameKana, ColBirthDate}
}

// ImportProblem is one bad line of an import file; lines count the header as 1.
type ImportProblem struct {
	Line   int
	Reason string
}

func (p ImportProblem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Reason) }

// ImportFile is a read import file: its rows by column, the problems of
// the rows that could not be read, the columns it has that are not
// imported, its encoding and its SHA-256 (for the audit trail).
type ImportFile struct {
	Rows     []ImportRecord
	Problems []ImportProblem
	Unknown  []string
	Encoding string
	SHA256   string
}

// ImportRecord is one data line's fields by column, unchecked.
type ImportRecord struct {
	Line   int
	Fields [numImportColumns]string
	Has    [numImportColumns]bool // the file has the column
}

// ErrImportEncoding: the file is neither UTF-8 nor Shift_JIS (CP932), or
// not the encoding asked for.
var ErrImportEncoding = errors.New("import file encoding")

// ReadImportFile decodes raw (encoding "auto", "utf-8" or "sjis") and
// maps its columns by the header line. The error is for a file that
// cannot be imported at all: bad encoding, no header, a required column
// missing or a column twice; bad rows are in Problems.
func ReadImportFile(raw []byte, encoding string) (*ImportFile, error) {
	sum := sha256.Sum256(raw)
	f := &ImportFile{SHA256: hex.EncodeToString(sum[:])}
	text, enc, err := decodeImport(raw, encoding)
	if err != nil {
		return nil, err
	}
	f.Encoding = enc
	r := csv.NewReader(strings.NewReader(text))
	r.FieldsPerRecord = -1
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("import file header (line 1): %w", err)
	}
	known := map[string]ImportColumn{}
	for col, names := range importColumnNames() {
		for _, n := range names {
			known[n] = ImportColumn(col)
		}
	}
	cols := make([]ImportColumn, len(header))
	var seen [numImportColumns]bool
	for i, h := range header {
		name := strings.ToLower(strings.TrimSpace(norm.NFKC.String(h)))
		col, ok := known[name]
		if !ok {
			col, ok = known[strings.ReplaceAll(name, " ", "_")]
		}
		if !ok {
			cols[i] = -1
			f.Unknown = append(f.Unknown, strings.TrimSpace(h))
			continue
		}
		if seen[col] {
			return nil, fmt.Errorf("import file header (line 1): column %s appears twice", col)
		}
		seen[col], cols[i] = true, col
	}
	var missing []string
	for _, col := range requiredColumns() {
		if !seen[col] {
			missing = append(missing, col.String())
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("import file header (line 1): required columns missing: %s", strings.Join(missing, ", "))
	}
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		var pe *csv.ParseError
		if errors.As(err, &pe) {
			f.Problems = append(f.Problems, ImportProblem{Line: pe.StartLine, Reason: "not readable as CSV: " + pe.Err.Error()})
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("read import file: %w", err)
		}
		line, _ := r.FieldPos(0)
		if blankRecord(rec) {
			continue // Excel leaves rows of empty cells at the end
		}
		if len(rec) != len(header) {
			f.Problems = append(f.Problems, ImportProblem{Line: line,
				Reason: fmt.Sprintf("has %d fields, the header has %d", len(rec), len(header))})
			continue
		}
		row := ImportRecord{Line: line, Has: seen}
		for i, v := range rec {
			if cols[i] >= 0 {
				row.Fields[cols[i]] = v
			}
		}
		f.Rows = append(f.Rows, row)
	}
	return f, nil
}

func blankRecord(rec []string) bool {
	for _, v := range rec {
		if strings.TrimSpace(v) != "" {
			return false
		}
	}
	return true
}

// decodeImport returns the file as UTF-8 text and the encoding it was
// in. "auto" takes UTF-8 (with or without a byte-order mark) when the
// bytes are valid UTF-8, else Shift_JIS as Excel writes it (CP932).
func decodeImport(raw []byte, encoding string) (string, string, error) {
	bom := []byte("\xef\xbb\xbf")
	switch encoding {
	case "utf-8", "utf8":
		if !utf8.Valid(raw) {
			return "", "", fmt.Errorf("%w: not valid UTF-8 (try --encoding sjis)", ErrImportEncoding)
		}
		return string(bytes.TrimPrefix(raw, bom)), "utf-8", nil
	case "sjis", "shift_jis", "cp932":
		return decodeSJIS(raw)
	case "auto", "":
		if utf8.Valid(raw) {
			return string(bytes.TrimPrefix(raw, bom)), "utf-8", nil
		}
		return decodeSJIS(raw)
	}
	return "", "", fmt.Errorf("%w: unknown encoding %q (want auto, utf-8 or sjis)", ErrImportEncoding, encoding)
}

func decodeSJIS(raw []byte) (string, string, error) {
	out, err := japanese.ShiftJIS.NewDecoder().Bytes(raw)
	if err != nil {
		return "", "", fmt.Errorf("%w: not valid Shift_JIS: %w", ErrImportEncoding, err)
	}
	// The decoder writes U+FFFD for bytes that are no character.
	if i := bytes.IndexRune(out, utf8.RuneError); i >= 0 {
		line := 1 + bytes.Count(out[:i], []byte("\n"))
		return "", "", fmt.Errorf("%w: neither UTF-8 nor Shift_JIS (a byte on line %d is no character)", ErrImportEncoding, line)
	}
	return string(out), "sjis", nil
}
