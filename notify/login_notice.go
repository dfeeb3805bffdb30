package notify

import (
	"strings"
	"time"
)

// NewDeviceLogin tells the customer about a login from a browser or device
// not seen before on their account: when, roughly what (described from
// userAgent in each copy's language), and from where.
func NewDeviceLogin(at time.Time, userAgent, clientIP string) Message {
	return withEnglish(notice("new_device_login", "新しい端末からログインがありました",
		"お客様の口座に、これまでと異なる端末またはブラウザーからログインがありました。\n"+
			"端末："+DescribeDevice(userAgent, "ja")+"\n接続元："+clientIP, at),
		"New login from another device", "Someone logged in to your account from a device or browser not used before.\n"+
			"Device: "+DescribeDevice(userAgent, LangEN)+"\nFrom: "+clientIP, at)
}

// BankAccountChanged tells the customer the withdrawal bank account was
// changed, and until when withdrawals are held.
func BankAccountChanged(masked string, at, holdUntil time.Time) Message {
	return withEnglish(notice("bank_account_changed", "出金先口座が変更されました",
		"お客様の出金先口座が「"+masked+"」に変更されました。\n\n安全のため、"+jstTime(holdUntil)+
			"（日本時間）まで出金（出金指示・即時出金）を停止しています。", at),
		"Your withdrawal bank account was changed", "Your withdrawal bank account was changed to \""+masked+"\".\n\n"+
			heldUntilEN(holdUntil), at)
}

// DescribeDevice names a browser roughly from its User-Agent, as a
// customer would recognise it, in lang ("iPhone・Safari", or
// "iPhone / Safari" for English); never the raw string.
func DescribeDevice(userAgent, lang string) string {
	ua := strings.ToLower(userAgent)
	system, browser, sep := "不明な端末", "ブラウザー", "・"
	if lang == LangEN {
		system, browser, sep = "Unknown device", "unknown browser", " / "
	}
	for _, s := range []struct{ key, name string }{
		{"iphone", "iPhone"}, {"ipad", "iPad"}, {"android", "Android"}, {"windows", "Windows"},
		{"mac os x", "Mac"}, {"cros", "Chromebook"}, {"linux", "Linux"},
	} {
		if strings.Contains(ua, s.key) {
			system = s.name
			break
		}
	}
	for _, b := range []struct{ key, name string }{
		{"edg/", "Edge"}, {"firefox/", "Firefox"}, {"chrome/", "Chrome"}, {"crios/", "Chrome"}, {"safari/", "Safari"},
	} {
		if strings.Contains(ua, b.key) {
			browser = b.name
			break
		}
	}
	return system + sep + browser
}
