package httpui

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// Password hashing: argon2id with the OWASP Password Storage Cheat Sheet's (2023+) first
// listed configuration, m=19 MiB, t=2, p=1, 16-byte salt, 32-byte key. It is the cheapest of
// OWASP's equivalent settings in memory, which suits a Raspberry-Pi-class box that also serves
// the inbox. The parameters are part of the encoded hash (PHC string format), so they can be
// raised later: a successful sign-in with older parameters rehashes the password.
const (
	argonMemory  = 19 * 1024 // KiB
	argonTime    = 2
	argonThreads = 1
	argonKeyLen  = 32
	argonSaltLen = 16

	// MinPasswordLen is the shortest password accepted (characters). NIST SP 800-63B asks for
	// at least 8; 12 is the length where a password not on a common-password list resists
	// offline guessing even if the hash file leaks from a lost appliance.
	MinPasswordLen = 12
	// MaxPasswordLen bounds the bytes hashed per attempt (argon2 cost is per byte only a
	// little, but request bodies must stay small).
	MaxPasswordLen = 256
)

// argonParams are the cost parameters of one encoded hash.
type argonParams struct {
	memory  uint32
	time    uint32
	threads uint8
}

// defaultParams are the production parameters. currentParams is what HashPassword uses and
// what older hashes are compared against; only tests lower it (see TestMain).
var (
	defaultParams = argonParams{memory: argonMemory, time: argonTime, threads: argonThreads}
	currentParams = defaultParams
)

// errBadHash reports a stored password hash that cannot be parsed.
var errBadHash = errors.New("malformed password hash")

// HashPassword returns the PHC-encoded argon2id hash of pw with the current parameters:
// $argon2id$v=19$m=19456,t=2,p=1$<salt b64>$<key b64>. The console uses it for `user add`.
func HashPassword(pw string) (string, error) {
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", fmt.Errorf("password salt: %w", err)
	}
	return encodePHC(currentParams, salt, argonKey(pw, salt, currentParams)), nil
}

func argonKey(pw string, salt []byte, p argonParams) []byte {
	return argon2.IDKey([]byte(pw), salt, p.time, p.memory, p.threads, argonKeyLen)
}

func encodePHC(p argonParams, salt, key []byte) string {
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s",
		argon2.Version, p.memory, p.time, p.threads, b64.EncodeToString(salt), b64.EncodeToString(key))
}

// parsePHC parses an encoded argon2id hash. It bounds every parameter so that a corrupt or
// hostile stored value cannot make verification allocate gigabytes.
func parsePHC(s string) (p argonParams, salt, key []byte, err error) {
	parts := strings.Split(s, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" || parts[2] != "v=19" {
		return p, nil, nil, errBadHash
	}
	if p, err = parseArgonParams(parts[3]); err != nil {
		return p, nil, nil, err
	}
	b64 := base64.RawStdEncoding.Strict()
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) < 8 || len(salt) > 64 || len(key) < 16 || len(key) > 64 {
		return p, nil, nil, errBadHash
	}
	return p, salt, key, nil
}

func parseArgonParams(s string) (argonParams, error) {
	var p argonParams
	fields := strings.Split(s, ",")
	if len(fields) != 3 {
		return p, errBadHash
	}
	vals := make([]uint64, 3)
	for i, name := range []string{"m=", "t=", "p="} {
		v, ok := strings.CutPrefix(fields[i], name)
		n, err := strconv.ParseUint(v, 10, 32)
		if !ok || err != nil || (len(v) > 1 && v[0] == '0') {
			return p, errBadHash
		}
		vals[i] = n
	}
	p = argonParams{memory: uint32(vals[0]), time: uint32(vals[1]), threads: uint8(vals[2])}
	if vals[2] < 1 || vals[2] > 16 || vals[1] < 1 || vals[1] > 16 ||
		vals[0] < 8*vals[2] || vals[0] > 1<<20 {
		return p, errBadHash
	}
	return p, nil
}

// verifyPassword reports whether pw matches the encoded hash (constant-time compare), and
// whether the hash should be replaced because its parameters are weaker than current ones.
func verifyPassword(encoded, pw string) (ok, rehash bool, err error) {
	p, salt, key, err := parsePHC(encoded)
	if err != nil {
		return false, false, err
	}
	if len(pw) > MaxPasswordLen {
		return false, false, nil
	}
	got := argon2.IDKey([]byte(pw), salt, p.time, p.memory, p.threads, uint32(len(key)))
	ok = subtle.ConstantTimeCompare(got, key) == 1
	weaker := p.memory < currentParams.memory || p.time < currentParams.time || len(key) < argonKeyLen
	return ok, ok && weaker, nil
}

// CheckPasswordPolicy returns a *PolicyError (message safe to show) when pw may not be used by
// the account with this email: shorter than MinPasswordLen characters, longer than
// MaxPasswordLen bytes, a common or keyboard-pattern password (also after undoing simple
// substitutions such as p@ssw0rd and trailing digits or symbols), or containing the email's
// local part. The console uses it for `user add`.
func CheckPasswordPolicy(pw, email string) error {
	switch {
	case utf8.RuneCountInString(pw) < MinPasswordLen:
		return &PolicyError{fmt.Sprintf("the password must have at least %d characters", MinPasswordLen)}
	case len(pw) > MaxPasswordLen:
		return &PolicyError{fmt.Sprintf("the password must have at most %d bytes", MaxPasswordLen)}
	case !utf8.ValidString(pw):
		return &PolicyError{"the password is not valid text"}
	case isCommonPassword(pw):
		return &PolicyError{"that password is too common; choose a longer passphrase of unrelated words"}
	case containsEmail(pw, email):
		return &PolicyError{"the password must not contain your email address or name"}
	}
	return nil
}

// PolicyError is a password the policy refuses; Error() is meant for the person choosing it.
type PolicyError struct{ Reason string }

func (e *PolicyError) Error() string { return e.Reason }

func containsEmail(pw, email string) bool {
	local, _, _ := strings.Cut(strings.ToLower(email), "@")
	p := strings.ToLower(pw)
	if len(local) >= 3 && strings.Contains(p, local) {
		return true
	}
	for _, part := range strings.FieldsFunc(local, func(r rune) bool { return r == '.' || r == '_' || r == '-' || r == '+' }) {
		if len(part) >= 4 && strings.Contains(p, part) && len(p)-len(part) < MinPasswordLen/2 {
			return true
		}
	}
	return false
}
