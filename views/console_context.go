package views

import (
	"context"
	"strings"
)

// ConsoleUser is the staff member a console page is shown to, with the
// menu links their role may use (decided by the policy, not here).
type ConsoleUser struct {
	Login   string
	Name    string
	Role    string
	OrgName string
	Nav     []NavLink
}

// NavLink is one entry of the console menu.
type NavLink struct {
	Href  string
	Label string
}

type consoleKey struct{}

// WithConsoleUser stores the console user for components.
func WithConsoleUser(ctx context.Context, u ConsoleUser) context.Context {
	return context.WithValue(ctx, consoleKey{}, u)
}

// ConsoleUserFrom returns the console user (zero when nobody is logged in).
func ConsoleUserFrom(ctx context.Context) ConsoleUser {
	u, _ := ctx.Value(consoleKey{}).(ConsoleUser)
	return u
}

// RoleLabel names a role in Japanese.
func RoleLabel(role string) string {
	return labelOr(map[string]string{"admin": "管理者", "supervisor": "スーパーバイザー", "agent": "サポート担当",
		"partner": "提携ショップ担当", "auditor": "監査担当"}, role)
}

// ChannelLabel names a case channel.
func ChannelLabel(ch string) string {
	return labelOr(map[string]string{"phone": "電話", "shop": "店頭", "email": "メール", "chat": "チャット"}, ch)
}

// MethodLabel names an identity verification method with its strength.
func MethodLabel(m string) string {
	return labelOr(map[string]string{"knowledge": "知識確認（弱）", "possession": "所持確認（強）",
		"document": "本人確認書類（強）", "postal": "郵送確認（強）"}, m)
}

// StrengthLabel says what a case's verification allows.
func StrengthLabel(s string) string {
	return labelOr(map[string]string{"strong": "強い本人確認済み", "weak": "弱い本人確認のみ（マスク表示・説明のみ）",
		"": "本人確認未実施"}, s)
}

// DocumentLabel names an identity document type.
func DocumentLabel(d string) string {
	return labelOr(map[string]string{"license": "運転免許証", "mynumber": "マイナンバーカード", "passport": "パスポート",
		"residence": "在留カード", "insurance": "健康保険証"}, d)
}

// StatusLabel names a case or verification status.
func StatusLabel(s string) string {
	return labelOr(map[string]string{"open": "対応中", "closed": "完了", "pending": "コード送付済み",
		"passed": "確認済み", "failed": "不一致", "voided": "無効"}, s)
}

func labelOr(labels map[string]string, key string) string {
	if l, ok := labels[key]; ok {
		return l
	}
	return key
}

func joinJP(items []string) string { return strings.Join(items, "、") }
