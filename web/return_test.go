package web

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
)

// The return cookie stores and gives back local paths only, once.
func TestReturnCookie(t *testing.T) {
	e := echo.New()
	set := func(path string) []*http.Cookie {
		rec := httptest.NewRecorder()
		SetReturn(e.NewContext(httptest.NewRequest(http.MethodGet, "/", nil), rec), path, true, time.Minute)
		return rec.Result().Cookies()
	}
	take := func(value string) (string, []*http.Cookie) {
		req := httptest.NewRequest(http.MethodGet, "/", nil)
		req.AddCookie(&http.Cookie{Name: "__Host-mfadesk_return", Value: value})
		rec := httptest.NewRecorder()
		got := TakeReturn(e.NewContext(req, rec), true)
		return got, rec.Result().Cookies()
	}
	cks := set("/oidc/login?id=abc")
	if len(cks) != 1 || cks[0].Name != "__Host-mfadesk_return" || !cks[0].Secure || !cks[0].HttpOnly || cks[0].Path != "/" {
		t.Fatalf("cookie %+v", cks)
	}
	for _, bad := range []string{"https://evil.example/", "//evil.example", "/%5C%5Cevil.example"} {
		if cks := set(bad); len(cks) != 0 {
			t.Errorf("stored %q", bad)
		}
		if got, _ := take(bad); got != "" {
			t.Errorf("followed %q", bad)
		}
	}
	got, cleared := take("/oidc/login?id=abc")
	if got != "/oidc/login?id=abc" || len(cleared) != 1 || cleared[0].MaxAge >= 0 {
		t.Errorf("take: %q, cookies %+v", got, cleared)
	}
}
