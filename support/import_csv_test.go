package support

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"mfadesk/mfa"
)

func TestReadImportFile(t *testing.T) {
	sjis := func(s string) []byte {
		b, err := japanese.ShiftJIS.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	const enHeader = "account_number,login_id,name_kanji,name_kana,birth_date\n"
	tests := []struct {
		name     string
		raw      []byte
		encoding string
		wantErr  string // "" for a readable file
		wantEnc  string
		rows     []int // the lines of the rows read
		problems []int // the lines of the problems
		unknown  string
	}{
		{name: "English headers", raw: []byte(enHeader + "1,a,山田,ヤマダ,1950-01-01\n"), encoding: "auto", wantEnc: "utf-8", rows: []int{2}},
		{name: "BOM and Japanese headers", raw: []byte("\xef\xbb\xbf口座番号,ﾛｸﾞｲﾝID,氏名（漢字）,フリガナ,生年月日,メモ\r\n1,a,山田,ヤマダ,1950-01-01,x\r\n"),
			encoding: "auto", wantEnc: "utf-8", rows: []int{2}, unknown: "メモ"},
		{name: "Shift_JIS detected", raw: sjis("口座番号,ログインID,氏名,氏名カナ,生年月日\r\n1,a,山田,ﾔﾏﾀﾞ,1950/1/1\r\n"), encoding: "auto", wantEnc: "sjis", rows: []int{2}},
		{name: "Shift_JIS asked for", raw: sjis(enHeader + "1,a,髙橋,タカハシ,1950-01-01\n"), encoding: "sjis", wantEnc: "sjis", rows: []int{2}},
		{name: "Shift_JIS read as UTF-8", raw: sjis(enHeader + "1,a,山田,ヤマダ,1950-01-01\n"), encoding: "utf-8", wantErr: "not valid UTF-8"},
		{name: "neither", raw: []byte(enHeader + "1,a,\x82\xff,x,1950-01-01\n"), encoding: "auto", wantErr: "neither UTF-8 nor Shift_JIS"},
		{name: "required column missing", raw: []byte("account_number,login_id,name_kanji\n"), encoding: "auto", wantErr: "name_kana, birth_date"},
		{name: "column twice", raw: []byte(enHeader[:len(enHeader)-1] + ",口座番号\n"), encoding: "auto", wantErr: "appears twice"},
		{name: "unknown encoding", raw: []byte(enHeader), encoding: "latin1", wantErr: "unknown encoding"},
		{name: "line numbers count the header and quoted line breaks; blank rows skipped",
			raw:      []byte(enHeader + "1,\"a\nb\",山田,ヤマダ,1950-01-01\n,,,,\n2,c,x\n3,d,\"bad\"quote,ヤ,1950-01-01\n4,e,山,ヤ,1950-01-01\n"),
			encoding: "auto", wantEnc: "utf-8", rows: []int{2, 7}, problems: []int{5, 6}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := ReadImportFile(tt.raw, tt.encoding)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.Encoding != tt.wantEnc || strings.Join(f.Unknown, ",") != tt.unknown || len(f.SHA256) != 64 {
				t.Errorf("encoding %s, unknown %v, sha256 %q", f.Encoding, f.Unknown, f.SHA256)
			}
			var rows, problems []int
			for _, r := range f.Rows {
				rows = append(rows, r.Line)
			}
			for _, p := range f.Problems {
				problems = append(problems, p.Line)
			}
			if !slices.Equal(rows, tt.rows) || !slices.Equal(problems, tt.problems) {
				t.Errorf("rows on lines %v, problems on %v (%v); want %v and %v", rows, problems, f.Problems, tt.rows, tt.problems)
			}
		})
	}
}

func TestCheckImportRecord(t *testing.T) {
	today := time.Date(2026, 11, 30, 0, 0, 0, 0, time.UTC)
	good := func() ImportRecord {
		var r ImportRecord
		r.Line = 2
		r.Fields[ColAccount], r.Fields[ColLoginID], r.Fields[ColNameKanji] = "１２３", " Yamada-T ", "山田　太郎"
		r.Fields[ColNameKana], r.Fields[ColBirthDate] = "ﾔﾏﾀﾞ ﾀﾛｳ", "1950/4/1"
		return r
	}
	row, bad := CheckImportRecord(good(), today)
	if len(bad) > 0 || row.AccountNumber != "123" || row.LoginID != "yamada-t" || row.NameKanji != "山田 太郎" ||
		row.NameKana != "ヤマダ タロウ" || row.BirthDate != "1950-04-01" || row.Closed || row.Lang != "" {
		t.Fatalf("good record: %+v %v", row, bad)
	}
	hash, err := mfa.HashPassword("Imported#2026pass", mfa.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		col  ImportColumn
		val  string
		want string // the problem's start, or "" when accepted
	}{
		{ColAccount, "12a", "account_number:"},
		{ColAccount, "", "account_number:"},
		{ColLoginID, "a b", "login_id:"},
		{ColNameKanji, " ", "name_kanji:"},
		{ColNameKana, "山田", "name_kana:"},
		{ColNameKana, "やまだ", "name_kana:"},
		{ColBirthDate, "1950-02-30", "birth_date:"},
		{ColBirthDate, "2027-01-01", "birth_date:"},
		{ColBirthDate, "1899-12-31", "birth_date:"},
		{ColEmail, "a@b", "email:"},
		{ColEmail, "taro@example.jp", ""},
		{ColMobile, "03-1234-5678", "mobile:"},
		{ColMobile, "０９０ー１２３４ー５６７８", ""},
		{ColLanguage, "fr", "language:"},
		{ColLanguage, "英語", ""},
		{ColStatus, "解約", ""},
		{ColStatus, "frozen", "status:"},
		{ColPostcode, "100-0005", "postcode: postal address: bad prefecture"},
		{ColPassword, "$2b$12$abcdefghijklmnopqrstuuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012", "password_hash:"},
		{ColPassword, hash, ""},
	}
	for _, tt := range tests {
		r := good()
		r.Fields[tt.col] = tt.val
		_, bad := CheckImportRecord(r, today)
		got := strings.Join(bad, "; ")
		if (tt.want == "") != (got == "") || !strings.HasPrefix(got, tt.want) {
			t.Errorf("%s=%q: problems %q, want %q", tt.col, tt.val, got, tt.want)
		}
		if strings.Contains(got, tt.val) && tt.col == ColPassword {
			t.Errorf("the hash is repeated in the report: %q", got)
		}
	}
}

func TestParseImportedHash(t *testing.T) {
	hash, err := mfa.HashPassword("x", mfa.Argon2Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := mfa.ParseImportedHash(" " + hash + " "); err != nil || got != hash {
		t.Errorf("argon2id: %q %v", got, err)
	}
	for _, bad := range []string{"", "$2b$12$abcdefghijklmnopqrstuu", "$argon2id$v=19$m=64,t=1,p=1$bad", "$pbkdf2-sha256$1000$c2FsdA$aGFzaA"} {
		if _, err := mfa.ParseImportedHash(bad); !errors.Is(err, mfa.ErrUnsupportedHash) {
			t.Errorf("%q: %v, want ErrUnsupportedHash", bad, err)
		}
	}
}
