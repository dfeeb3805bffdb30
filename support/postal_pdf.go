package support

import (
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/go-pdf/fpdf"
)

// ErrNoLetterFont refuses to print letters when no Japanese font was
// found (--letter-font); the print queue says what to install.
var ErrNoLetterFont = errors.New("no Japanese font for letters: apt-get install fonts-ipafont-gothic, or set --letter-font")

// DefaultLetterFonts are where Debian's fonts-ipafont-gothic puts its
// gothic font; the first that exists is the default of --letter-font.
var DefaultLetterFonts = []string{
	"/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf",
	"/usr/share/fonts/truetype/fonts-japanese-gothic.ttf",
}

// FirstExistingFont is the first of paths that is a file, or "".
func FirstExistingFont(paths []string) string {
	for _, p := range paths {
		if st, err := os.Stat(p); err == nil && st.Mode().IsRegular() {
			return p
		}
	}
	return ""
}

// LetterPrinter makes print-ready PDFs of letters (A4, portrait) with a
// TrueType font embedded as a subset with its ToUnicode map, so the mail
// house prints exactly these glyphs and the text can be extracted.
type LetterPrinter struct {
	font []byte
}

// NewLetterPrinter reads the font at path. An empty path or an unreadable
// font gives ErrNoLetterFont: the rest of the service runs without it.
func NewLetterPrinter(path string) (*LetterPrinter, error) {
	if path == "" {
		return nil, ErrNoLetterFont
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w (%v)", ErrNoLetterFont, err)
	}
	return &LetterPrinter{font: b}, nil
}

// Window-envelope geometry, in millimetres: an A4 sheet folded in three
// fits a 長形3号 envelope whose window (about 90 x 45 mm) sits 20 mm from
// the left and 12 mm from the top of the sheet's first third.
const (
	windowX     = 22.0
	windowY     = 16.0
	bodyX       = 20.0
	bodyWidth   = 170.0
	foldHeight  = 99.0
	letterFont  = "letter"
	lineSpacing = 6.5
)

// Render writes one PDF holding sheets, one page each, to w.
func (p *LetterPrinter) Render(w io.Writer, sheets []LetterSheet) error {
	if p == nil {
		return ErrNoLetterFont
	}
	pdf := fpdf.New("P", "mm", "A4", "")
	title := "郵便物"
	if len(sheets) == 1 {
		title = sheets[0].Title()
	}
	pdf.SetTitle(title, true)
	pdf.SetCreator(Brokerage, true)
	pdf.AddUTF8FontFromBytes(letterFont, "", p.font)
	pdf.SetAutoPageBreak(false, 0)
	for _, s := range sheets {
		p.page(pdf, s)
	}
	if err := pdf.Error(); err != nil {
		return fmt.Errorf("letter pdf: %w", err)
	}
	return pdf.Output(w)
}

func (p *LetterPrinter) page(pdf *fpdf.Fpdf, s LetterSheet) {
	pdf.AddPage()
	// The window: 転送不要 (the post returns it rather than forward it),
	// then the address and the name.
	pdf.SetFont(letterFont, "", 10)
	pdf.SetXY(windowX, windowY)
	pdf.CellFormat(28, 6, "転送不要郵便", "1", 0, "C", false, 0, "")
	pdf.SetFont(letterFont, "", 11)
	y := windowY + 13
	for _, line := range s.AddressLines() {
		pdf.Text(windowX, y, line)
		y += 6
	}
	pdf.SetFont(letterFont, "", 14)
	pdf.Text(windowX+4, y+4, s.Addressee())
	// The sender, right of the window, stays inside the envelope.
	pdf.SetFont(letterFont, "", 9)
	pdf.Text(130, windowY+4, Brokerage)
	pdf.Text(130, windowY+9, "お客様サポート "+supportPhone)
	pdf.Text(130, windowY+14, s.Reference())

	// Below the first fold: the letter.
	pdf.SetFont(letterFont, "", 16)
	pdf.SetXY(bodyX, foldHeight+8)
	pdf.CellFormat(bodyWidth, 10, s.Title(), "", 1, "C", false, 0, "")
	pdf.SetFont(letterFont, "", 10.5)
	pdf.SetXY(bodyX, foldHeight+24)
	pdf.MultiCell(bodyWidth, lineSpacing, s.Addressee(), "", "L", false)
	for _, para := range s.Body() {
		pdf.SetX(bodyX)
		pdf.MultiCell(bodyWidth, lineSpacing, para, "", "L", false)
	}
	if s.Reminder() {
		return // no code on a reminder
	}
	// The code, boxed, with its expiry.
	pdf.Ln(4)
	pdf.SetX(bodyX + 25)
	pdf.SetFont(letterFont, "", 12)
	pdf.CellFormat(50, 14, "ご本人確認コード", "1", 0, "C", false, 0, "")
	pdf.SetFont(letterFont, "", 20)
	pdf.CellFormat(70, 14, s.Code, "1", 1, "C", false, 0, "")
	pdf.SetX(bodyX + 25)
	pdf.SetFont(letterFont, "", 10.5)
	pdf.CellFormat(120, 9, "有効期限："+s.ExpiresJST(), "", 1, "L", false, 0, "")
}
