package notify

import (
	"regexp"
	"strings"
)

// No message asks the customer to tell, read out or give a code to anyone:
// the firm never asks for one, so a message that did would teach the
// script a fraudster uses (docs/security.md). Sentences that say NOT to
// tell ("誰にも教えないでください", "never tell anyone") are what every code
// message should say, and pass.

// tellVerbs are the ways a text asks for a code to be passed on. Japanese
// verbs are followed by their ending; English ones are whole words.
var tellVerbs = regexp.MustCompile(`(?i)伝え|教え|読み上げ|口頭で|\btell\b|\bread (?:it |them |the code |this code )?(?:out|aloud|back|to)\b|\bgive (?:it|the code|this code) to\b`)

// jaNegated are the endings that make a Japanese verb a refusal.
var jaNegated = regexp.MustCompile(`^(?:ないで|ないよう|ず|ません|てはいけ)`)

// enNegated are the words before an English verb that make it a refusal.
var enNegated = regexp.MustCompile(`(?i)\b(?:never|not|don't|do not|no one|nobody)\b[^.!?]{0,20}$`)

// AsksToTellCode reports the first passage of body that asks the reader
// to pass something on, or "" when it asks nothing of the kind.
func AsksToTellCode(body string) string {
	for _, loc := range tellVerbs.FindAllStringIndex(body, -1) {
		verb, before, after := body[loc[0]:loc[1]], body[:loc[0]], body[loc[1]:]
		if isASCII(verb) {
			if enNegated.MatchString(before) {
				continue
			}
		} else if jaNegated.MatchString(after) {
			continue
		}
		start := max(0, loc[0]-30)
		for start > 0 && !isRuneStart(body[start]) {
			start--
		}
		return body[start:min(len(body), loc[1]+12)]
	}
	return ""
}

func isASCII(s string) bool { return strings.IndexFunc(s, func(r rune) bool { return r > 127 }) < 0 }

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
