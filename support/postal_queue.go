package support

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"mfadesk/data"
	"mfadesk/jst"
	"mfadesk/mfa"
)

// The print queue (docs/operations.md, "Letters"): a letter is queued
// with its code sealed, printed by the mail room (one PDF, or a batch
// for the mail house), marked printed (the code leaves the database) and,
// if the post brings it back, marked returned (its verification is
// voided). Every state change and every download, which reveals codes,
// is audited.

// ErrLetterState refuses an action the letter's state does not allow:
// printing a letter no longer queued (or whose code expired), marking
// returned one not printed.
var ErrLetterState = errors.New("the letter is not in a state that allows this")

// ErrNoLetters refuses a batch export with nothing queued.
var ErrNoLetters = errors.New("no letter is waiting to be printed")

// queueLetter adds the case's letter to the queue in tx, the code sealed
// to the customer, addressed as the customer's address is now.
func (s *Service) queueLetter(ctx context.Context, tx *data.Tx, a CaseActor, code string, expires time.Time) (int64, error) {
	addr, err := tx.CustomerAddress(ctx, a.Case.CustomerID)
	if errors.Is(err, data.ErrNotFound) {
		return 0, ErrNoAddress
	}
	if err != nil {
		return 0, err
	}
	c, err := tx.CustomerByID(ctx, a.Case.CustomerID)
	if err != nil {
		return 0, err
	}
	sealed, err := s.Box.Seal([]byte(code), mfa.LetterAAD(c.ID))
	if err != nil {
		return 0, err
	}
	return tx.QueuePostalLetter(ctx, &data.PostalLetter{CustomerID: c.ID, CaseID: a.Case.ID, CodeEnc: sealed,
		Address: addr, Name: c.NameKanji, ExpiresAt: expires})
}

// printable opens a queued letter's code for its sheet; a reminder has
// none to open.
func (s *Service) printable(l data.PostalLetter) (LetterSheet, error) {
	if l.Status != data.LetterQueued || !s.DB.Now().Before(l.ExpiresAt) {
		return LetterSheet{}, ErrLetterState
	}
	if l.Kind == data.LetterKindReminder {
		return newLetterSheet(l, "", s.Origin), nil
	}
	if l.CodeEnc == nil {
		return LetterSheet{}, ErrLetterState
	}
	code, err := s.Box.Open(l.CodeEnc, mfa.LetterAAD(l.CustomerID))
	if err != nil {
		return LetterSheet{}, fmt.Errorf("letter %d: %w", l.ID, err)
	}
	return newLetterSheet(l, string(code), s.Origin), nil
}

func letterEvent(st *data.Staff, clientIP, action, outcome string, l *data.PostalLetter) data.AuditEvent {
	e := StaffEvent(st, clientIP)
	e.Action, e.Outcome = action, outcome
	if l != nil {
		e.CustomerID, e.CaseID, e.Detail = l.CustomerID, l.CaseID, "letter="+strconv.FormatInt(l.ID, 10)
		if l.Kind == data.LetterKindReminder {
			e.Detail += " kind=reminder"
		}
	}
	return e
}

// LetterPDF renders one queued letter; the download is audited with the
// letter, its case and customer before the PDF is handed out. Rendering
// happens outside any transaction, so a batch never holds the write lock.
func (s *Service) LetterPDF(ctx context.Context, st *data.Staff, clientIP string, id int64) ([]byte, error) {
	if s.Letters == nil {
		return nil, ErrNoLetterFont
	}
	l, err := s.DB.PostalLetter(ctx, id)
	if err != nil {
		return nil, err
	}
	sheet, err := s.printable(*l)
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	if err := s.Letters.Render(&out, []LetterSheet{sheet}); err != nil {
		return nil, err
	}
	err = s.DB.InTx(ctx, func(tx *data.Tx) error {
		return tx.Audit(ctx, letterEvent(st, clientIP, "letters.download", "success", l))
	})
	if err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// LetterBatch is the mail house's export: one PDF of every queued letter
// and a manifest without codes, in one zip.
type LetterBatch struct {
	Zip     []byte
	Letters int
}

// ExportLetters renders every queued letter (oldest first) into one PDF
// with its CSV manifest (letter id, postcode, page), audited with the
// letters' ids. The letters stay queued until marked printed.
func (s *Service) ExportLetters(ctx context.Context, st *data.Staff, clientIP string) (LetterBatch, error) {
	if s.Letters == nil {
		return LetterBatch{}, ErrNoLetterFont
	}
	letters, err := s.DB.QueuedLetters(ctx)
	if err != nil {
		return LetterBatch{}, err
	}
	if len(letters) == 0 {
		return LetterBatch{}, ErrNoLetters
	}
	sheets := make([]LetterSheet, 0, len(letters))
	ids := make([]string, 0, len(letters))
	for _, l := range letters {
		sheet, err := s.printable(l)
		if err != nil {
			return LetterBatch{}, err
		}
		sheets = append(sheets, sheet)
		ids = append(ids, strconv.FormatInt(l.ID, 10))
	}
	b := LetterBatch{Letters: len(sheets)}
	if b.Zip, err = s.batchZip(sheets, s.DB.Now()); err != nil {
		return LetterBatch{}, err
	}
	err = s.DB.InTx(ctx, func(tx *data.Tx) error {
		e := letterEvent(st, clientIP, "letters.export", "success", nil)
		e.Detail = "letters=" + strings.Join(ids, ",")
		return tx.Audit(ctx, e)
	})
	if err != nil {
		return LetterBatch{}, err
	}
	return b, nil
}

func (s *Service) batchZip(sheets []LetterSheet, now time.Time) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	stamp := now.In(jst.Zone)
	pdf, err := zw.CreateHeader(&zip.FileHeader{Name: "letters.pdf", Method: zip.Deflate, Modified: stamp})
	if err != nil {
		return nil, err
	}
	if err := s.Letters.Render(pdf, sheets); err != nil {
		return nil, err
	}
	manifest, err := zw.CreateHeader(&zip.FileHeader{Name: "manifest.csv", Method: zip.Deflate, Modified: stamp})
	if err != nil {
		return nil, err
	}
	w := csv.NewWriter(manifest)
	rows := [][]string{{"letter_id", "postcode", "page"}}
	for i, sh := range sheets {
		rows = append(rows, []string{strconv.FormatInt(sh.LetterID, 10), sh.Address.Postcode, strconv.Itoa(i + 1)})
	}
	if err := w.WriteAll(rows); err != nil {
		return nil, err
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// MarkLettersPrinted moves the queued letters among ids to printed, their
// codes scrubbed, each audited; it returns how many moved (a letter
// already printed or voided is left as it is).
func (s *Service) MarkLettersPrinted(ctx context.Context, st *data.Staff, clientIP string, ids []int64) (int, error) {
	n := 0
	err := s.DB.InTx(ctx, func(tx *data.Tx) error {
		for _, id := range ids {
			l, err := tx.PostalLetter(ctx, id)
			if errors.Is(err, data.ErrNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			won, err := tx.MarkLetterPrinted(ctx, id)
			if err != nil {
				return err
			}
			if !won {
				continue
			}
			n++
			if err := tx.Audit(ctx, letterEvent(st, clientIP, "letters.printed", "success", l)); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// MarkLetterReturned records a printed letter the post brought back and
// voids its pending verification.
func (s *Service) MarkLetterReturned(ctx context.Context, st *data.Staff, clientIP string, id int64) error {
	return s.DB.InTx(ctx, func(tx *data.Tx) error {
		l, err := tx.PostalLetter(ctx, id)
		if err != nil {
			return err
		}
		won, err := tx.MarkLetterReturned(ctx, id)
		if err != nil {
			return err
		}
		if !won {
			return ErrLetterState
		}
		return tx.Audit(ctx, letterEvent(st, clientIP, "letters.returned", "success", l))
	})
}
