package views

import "context"

// Message is a catalog key with the arguments its text is formatted
// with, for model fields such as a form's field errors: the key stays a
// key until a component shows it. The zero Message is no message.
type Message struct {
	Key  string
	Args []any
}

// Empty reports whether m is no message.
func (m Message) Empty() bool { return m.Key == "" }

// M is m's text in the page's language, or "" for no message.
func M(ctx context.Context, m Message) string {
	if m.Empty() {
		return ""
	}
	return T(ctx, m.Key, m.Args...)
}
