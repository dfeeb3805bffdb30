package web

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/labstack/echo/v4"

	"mfadesk/data"
	"mfadesk/views"
)

// UserError is an error whose page the visitor may see as it is.
type UserError struct {
	Status  int
	Title   string
	Message string
}

func (e *UserError) Error() string { return e.Title }

// statusPages are the plain-language pages for HTTP errors Echo raises
// itself (unknown path, wrong method, oversized body).
var statusPages = map[int]UserError{
	http.StatusBadRequest:            {Title: "入力内容を確認してください", Message: "送信された内容を読み取れませんでした。もう一度入力してください。"},
	http.StatusForbidden:             {Title: "このページは表示できません", Message: "このページを表示する権限がありません。"},
	http.StatusNotFound:              {Title: "ページが見つかりません", Message: "アドレスが正しいかご確認ください。"},
	http.StatusMethodNotAllowed:      {Title: "この操作はできません", Message: "ページを開き直してから操作してください。"},
	http.StatusRequestEntityTooLarge: {Title: "入力内容が長すぎます", Message: "入力内容を短くして、もう一度送信してください。"},
	http.StatusTooManyRequests:       {Title: "しばらくお待ちください", Message: "短い時間に多くの操作がありました。時間をおいてからお試しください。"},
	http.StatusUnsupportedMediaType:  {Title: "入力内容を確認してください", Message: "送信された内容を読み取れませんでした。もう一度入力してください。"},
}

// ErrorHandler is Echo's HTTPErrorHandler: the one place errors become
// pages. Internal errors are logged with a request id and never shown.
func ErrorHandler(log *slog.Logger) echo.HTTPErrorHandler {
	return func(err error, c echo.Context) {
		if c.Response().Committed {
			return
		}
		page := userErrorFor(err)
		if page.Status >= 500 {
			log.Error("request failed", "err", err, "method", c.Request().Method,
				"path", c.Path(), "request_id", requestID(c))
		}
		model := views.ErrorModel{Status: page.Status, Title: page.Title, Message: page.Message, RequestID: requestID(c)}
		if c.Request().Method == http.MethodHead {
			c.NoContent(page.Status)
			return
		}
		if rerr := Render(c, page.Status, views.ErrorPage(model)); rerr != nil {
			log.Error("render error page", "err", rerr)
		}
	}
}

func userErrorFor(err error) UserError {
	var ue *UserError
	if errors.As(err, &ue) {
		return *ue
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		if p, ok := statusPages[he.Code]; ok {
			p.Status = he.Code
			return p
		}
	}
	if errors.Is(err, data.ErrNotFound) {
		p := statusPages[http.StatusNotFound]
		p.Status = http.StatusNotFound
		return p
	}
	return UserError{Status: http.StatusInternalServerError, Title: "エラーが発生しました",
		Message: "申し訳ありません。時間をおいてもう一度お試しください。解決しない場合は、下の番号をお客様サポートにお伝えください。"}
}

func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}
