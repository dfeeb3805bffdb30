package demorp

import (
	"html/template"
	"net/http"
	"strings"
)

// page is what the one template shows.
type page struct {
	CSRF    string
	Claims  *claimRows
	StepUp  string
	Problem string
	ACR     string
}

// claimRows are the signed-in customer's claims, ready to show.
type claimRows struct {
	Subject, ACR, AMR, AuthTime, Hold, Name, Email string
}

func (rp *RP) home(w http.ResponseWriter, r *http.Request) {
	sess := rp.sessions.ensure(w, r, rp.secure())
	s := rp.sessions.read(sess)
	p := page{CSRF: s.csrf, StepUp: s.stepUp, Problem: s.problem, ACR: rp.cfg.StepUpACR}
	if s.login != nil {
		c := s.login.claims
		p.Claims = &claimRows{Subject: c.Subject, ACR: c.ACR, AMR: strings.Join(c.AMR, " "), AuthTime: formatTime(c.AuthTime),
			Hold: "なし", Name: c.Name, Email: c.Email}
		if c.WithdrawalHoldUntil != 0 {
			p.Claims.Hold = formatTime(c.WithdrawalHoldUntil) + " まで出金保留中"
		}
	}
	rp.render(w, http.StatusOK, p)
}

func (rp *RP) render(w http.ResponseWriter, status int, p page) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_ = pageTemplate.Execute(w, p) // the status is sent; a broken connection is all that can fail here
}

var pageTemplate = template.Must(template.New("page").Parse(`<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>デモ証券取引サイト</title>
<style>
body { font-family: sans-serif; max-width: 40rem; margin: 2rem auto; padding: 0 1rem; line-height: 1.6; }
table { border-collapse: collapse; } th, td { border: 1px solid #999; padding: .3rem .6rem; text-align: left; }
.problem { color: #a00; } .ok { color: #060; } form { display: inline-block; margin: .5rem .5rem 0 0; }
button { font-size: 1rem; padding: .4rem 1rem; }
</style>
</head>
<body>
<h1>デモ証券取引サイト</h1>
<p>mfadesk の OpenID Connect でログインするデモです。</p>
{{if .Problem}}<p class="problem" id="problem">{{.Problem}}</p>{{end}}
{{if .StepUp}}<p class="ok" id="stepup">{{.StepUp}}</p>{{end}}
{{with .Claims}}
<h2>ログイン中のお客様</h2>
<table id="claims">
<tr><th>sub</th><td id="claim-sub">{{.Subject}}</td></tr>
<tr><th>acr</th><td id="claim-acr">{{.ACR}}</td></tr>
<tr><th>amr</th><td id="claim-amr">{{.AMR}}</td></tr>
<tr><th>auth_time</th><td id="claim-auth-time">{{.AuthTime}}</td></tr>
<tr><th>出金保留</th><td id="claim-hold">{{.Hold}}</td></tr>
{{if .Name}}<tr><th>お名前</th><td>{{.Name}}</td></tr>{{end}}
{{if .Email}}<tr><th>メール</th><td>{{.Email}}</td></tr>{{end}}
</table>
<p>出金の前に、パスキーでの追加認証（{{$.ACR}}）をお願いします。</p>
<form method="post" action="/withdraw"><input type="hidden" name="csrf" value="{{$.CSRF}}"><button type="submit">出金</button></form>
<form method="post" action="/logout"><input type="hidden" name="csrf" value="{{$.CSRF}}"><button type="submit">ログアウト</button></form>
{{else}}
<form method="post" action="/login"><input type="hidden" name="csrf" value="{{.CSRF}}"><button type="submit">ログイン</button></form>
{{end}}
</body>
</html>
`))
