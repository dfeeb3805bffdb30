package mfa

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"
)

// QRCodePNG draws an otpauth:// URI as a QR code PNG about size pixels
// wide: whole pixels per module, so every module is crisp, and the four
// modules of white quiet zone around it that scanners need.
func QRCodePNG(uri string, size int) ([]byte, error) {
	code, err := qr.Encode(uri, qr.M, qr.Auto)
	if err != nil {
		return nil, fmt.Errorf("qr: encode: %w", err)
	}
	const quiet = 4
	modules := code.Bounds().Dx()
	scale := size / (modules + 2*quiet)
	if scale < 1 {
		scale = 1
	}
	scaled, err := barcode.Scale(code, modules*scale, modules*scale)
	if err != nil {
		return nil, fmt.Errorf("qr: scale: %w", err)
	}
	side := (modules + 2*quiet) * scale
	img := image.NewGray(image.Rect(0, 0, side, side))
	draw.Draw(img, img.Bounds(), &image.Uniform{C: color.White}, image.Point{}, draw.Src)
	offset := image.Pt(quiet*scale, quiet*scale)
	draw.Draw(img, scaled.Bounds().Add(offset), scaled, scaled.Bounds().Min, draw.Src)
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("qr: encode png: %w", err)
	}
	return buf.Bytes(), nil
}
