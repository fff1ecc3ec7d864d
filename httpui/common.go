package httpui

import (
	_ "embed"
	"strings"
	"sync"
)

//go:embed common-passwords.txt
var commonPasswordsFile string

var (
	commonOnce sync.Once
	commonSet  map[string]struct{}
)

func commonPasswords() map[string]struct{} {
	commonOnce.Do(func() {
		commonSet = make(map[string]struct{}, 2048)
		for _, line := range strings.Split(commonPasswordsFile, "\n") {
			if line = strings.TrimSpace(line); line != "" && !strings.HasPrefix(line, "#") {
				commonSet[line] = struct{}{}
			}
		}
	})
	return commonSet
}

// keyboardRuns are strings whose substrings are keyboard or counting walks.
var keyboardRuns = []string{
	"01234567890123456789", "98765432109876543210",
	"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz", "zyxwvutsrqponmlkjihgfedcba",
	"qwertyuiopasdfghjklzxcvbnm", "mnbvcxzlkjhgfdsapoiuytrewq", "qwertzuiopasdfghjklyxcvbnm",
	"azertyuiopqsdfghjklmwxcvbn", "qazwsxedcrfvtgbyhnujmikolp", "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik9ol0p",
	"1q2w3e4r5t6y7u8i9o0p", "q1w2e3r4t5y6u7i8o9p0", "zaq12wsxcde34rfvbgt56yhnmju78ik,.lo90p;/",
}

var leet = strings.NewReplacer("@", "a", "4", "a", "0", "o", "1", "l", "!", "i", "3", "e", "$", "s", "5", "s", "7", "t", "+", "t", "8", "b", "9", "g")

// isCommonPassword reports whether pw is on the common list, is one after stripping leading
// and trailing digits and symbols ("Welcome2026!", "Summer2025", "password1234") or undoing
// l33t substitutions ("P@ssw0rd!"), is a keyboard or counting walk, or repeats a short unit.
func isCommonPassword(pw string) bool {
	set := commonPasswords()
	lower := strings.ToLower(pw)
	base := stripNonLetters(lower)
	for _, c := range []string{lower, base, leet.Replace(lower), stripNonLetters(leet.Replace(base)), leet.Replace(base)} {
		if _, ok := set[c]; ok && c != "" {
			return true
		}
		if repeatsUnit(c, set) {
			return true
		}
	}
	for _, run := range keyboardRuns {
		if strings.Contains(run, lower) {
			return true
		}
	}
	return false
}

func stripNonLetters(s string) string {
	isLetter := func(r rune) bool { return r >= 'a' && r <= 'z' || r > 0x7f }
	return strings.TrimFunc(s, func(r rune) bool { return !isLetter(r) })
}

// repeatsUnit reports whether s is a short unit (up to 4 bytes) or a common word repeated.
func repeatsUnit(s string, set map[string]struct{}) bool {
	for n := 1; n <= len(s)/2; n++ {
		if len(s)%n != 0 || strings.Repeat(s[:n], len(s)/n) != s {
			continue
		}
		if _, ok := set[s[:n]]; ok || n <= 4 {
			return true
		}
	}
	return false
}
