package mfa

import (
	"bytes"
	"fmt"
	"image/png"

	"github.com/pquerna/otp"
)

// QRCodePNG draws an otpauth:// URI as a QR code PNG of size×size pixels,
// for authenticator apps to scan. pquerna/otp draws it, so the encoding is
// the one those apps are tested against.
func QRCodePNG(uri string, size int) ([]byte, error) {
	key, err := otp.NewKeyFromURL(uri)
	if err != nil {
		return nil, fmt.Errorf("qr: parse uri: %w", err)
	}
	img, err := key.Image(size, size)
	if err != nil {
		return nil, fmt.Errorf("qr: draw: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, fmt.Errorf("qr: encode png: %w", err)
	}
	return buf.Bytes(), nil
}
