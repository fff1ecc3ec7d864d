package httpui

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"image/png"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"firmline/store"
)

// TOTP per RFC 6238 as authenticator apps expect it: SHA-1, 6 digits, 30 s steps, one step
// of clock skew either way; each step is accepted once per user (User.TOTPLastStep).
const (
	totpPeriod   = 30
	totpDigits   = 6
	totpSkew     = 1
	totpIssuer   = "firmline"
	backupCount  = 10
	backupLength = 10 // base32 characters, shown as xxxxx-xxxxx (50 bits each)
)

// totpCode is the code for a time step, with the given number of digits.
func totpCode(secret string, step int64, digits int) (string, error) {
	return totp.GenerateCodeCustom(secret, time.Unix(step*totpPeriod, 0).UTC(), totp.ValidateOpts{
		Period: totpPeriod, Digits: otp.Digits(digits), Algorithm: otp.AlgorithmSHA1})
}

// matchTOTP finds the step within ±totpSkew of now whose code equals code and that is later
// than last (replay protection). Comparison is constant-time.
func matchTOTP(secret, code string, now time.Time, last int64) (int64, bool) {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != totpDigits || secret == "" {
		return 0, false
	}
	cur := now.Unix() / totpPeriod
	for step := cur - totpSkew; step <= cur+totpSkew; step++ {
		want, err := totpCode(secret, step, totpDigits)
		if err == nil && step > last && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return step, true
		}
	}
	return 0, false
}

// useTOTP accepts code for the user's confirmed secret once: the matched step is recorded in
// the same transaction, so the same code (or an older one) cannot be used again.
func (s *Server) useTOTP(userID, code string) error {
	now := s.now()
	_, err := s.st.UpdateUser(userID, func(u *store.User) error {
		step, ok := matchTOTP(u.TOTPSecret, code, now, u.TOTPLastStep)
		if !ok {
			return errBadCode
		}
		u.TOTPLastStep = step
		return nil
	})
	return err
}

// useBackupCode consumes one unused backup code.
func (s *Server) useBackupCode(userID, code string) error {
	h := hashSecret(normBackupCode(code))
	_, err := s.st.UpdateUser(userID, func(u *store.User) error {
		for i, c := range u.BackupCodes {
			if subtle.ConstantTimeCompare([]byte(c), []byte(h)) == 1 {
				u.BackupCodes = append(u.BackupCodes[:i:i], u.BackupCodes[i+1:]...)
				return nil
			}
		}
		return errBadCode
	})
	return err
}

func normBackupCode(c string) string {
	return strings.Map(func(r rune) rune {
		if r == '-' || r == ' ' {
			return -1
		}
		return r
	}, strings.ToLower(strings.TrimSpace(c)))
}

// newBackupCodes returns backupCount fresh codes (shown once) and their hashes (stored).
func newBackupCodes() (plain, hashes []string) {
	enc := base32.StdEncoding.WithPadding(base32.NoPadding)
	for range backupCount {
		b := make([]byte, 8)
		rand.Read(b)
		c := strings.ToLower(enc.EncodeToString(b))[:backupLength]
		plain = append(plain, c[:5]+"-"+c[5:])
		hashes = append(hashes, hashSecret(c))
	}
	return plain, hashes
}

// mfaRequired reports whether u must have a second factor (firm-wide policy or admin).
func (s *Server) mfaRequired(u store.User) bool {
	if u.MFARequired {
		return true
	}
	set, err := s.st.Settings()
	return err == nil && set.MFAPolicy == "required"
}

// enrolment is a TOTP secret awaiting confirmation: the secret in text, the otpauth:// URL,
// and its QR code as a PNG data URL (rendered here, no third-party service).
type enrolment struct {
	Secret string `json:"secret"`
	URL    string `json:"otpauth_url"`
	QR     string `json:"qr_png"`
}

// enrolTOTP starts (or restarts) enrolment: a new pending secret replaces any earlier pending
// one. A user who already has a factor must remove it first (409).
func (s *Server) enrolTOTP(ctx context.Context, c caller) (enrolment, error) {
	if c.User.TOTPSecret != "" {
		return enrolment{}, conflict("a second factor is already set up; remove it first")
	}
	key, err := totp.Generate(totp.GenerateOpts{Issuer: totpIssuer, AccountName: c.User.Email,
		Period: totpPeriod, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1, SecretSize: 20})
	if err != nil {
		return enrolment{}, fmt.Errorf("totp secret: %w", err)
	}
	qr, err := qrDataURL(key)
	if err != nil {
		return enrolment{}, err
	}
	_, err = s.st.UpdateUser(c.User.ID, func(u *store.User) error { u.TOTPPending = key.Secret(); return nil })
	return enrolment{Secret: key.Secret(), URL: key.URL(), QR: qr}, err
}

func qrDataURL(key *otp.Key) (string, error) {
	img, err := key.Image(240, 240)
	if err != nil {
		return "", fmt.Errorf("totp QR code: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return "", fmt.Errorf("totp QR code: %w", err)
	}
	return "data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes()), nil
}

// confirmTOTP checks the first code against the pending secret, makes it the user's factor,
// issues backup codes (returned once), and turns a pending enrolment session into a full one.
func (s *Server) confirmTOTP(ctx context.Context, c caller, code string) ([]string, loginResult, error) {
	acct := []string{"acct:" + c.User.Email}
	if d := s.limit.begin(acct, []int{limitFreeAcct}); d > 0 {
		return nil, loginResult{}, tooMany(d)
	}
	defer s.limit.end(acct...)
	plain, hashes := newBackupCodes()
	now := s.now()
	_, err := s.st.UpdateUser(c.User.ID, func(u *store.User) error {
		if u.TOTPSecret != "" {
			return conflict("a second factor is already set up")
		}
		step, ok := matchTOTP(u.TOTPPending, code, now, 0)
		if !ok {
			return errBadCode
		}
		u.TOTPSecret, u.TOTPPending, u.TOTPLastStep = u.TOTPPending, "", step
		u.BackupCodes, u.MFAInvited = hashes, false
		return nil
	})
	if errors.Is(err, errBadCode) {
		s.limit.fail([]string{"acct:" + c.User.Email}, []int{limitFreeAcct})
	}
	if err != nil {
		return nil, loginResult{}, err
	}
	if err := s.audit(c.Actor(), "mfa.enrolled", c.User.Email, c.Addr, map[string]string{"method": "totp"}); err != nil {
		return nil, loginResult{}, err
	}
	res, err := s.passSession(c)
	return plain, res, err
}

// passSession finishes a sign-in that was pending its enrolment: the pending session is
// replaced by a fresh full one (new id, returned for the cookie), so a pending id never gains
// rights. A session that had already passed is left alone (zero result).
func (s *Server) passSession(c caller) (loginResult, error) {
	if c.Session.Hash == "" || c.Session.MFAPassed {
		return loginResult{}, nil
	}
	if err := s.st.DeleteSession(c.Session.Hash); err != nil {
		return loginResult{}, err
	}
	u, err := s.st.User(c.User.ID)
	if err != nil {
		return loginResult{}, err
	}
	return s.loggedIn(u, c.Session.Persistent, c.Addr, c.Session.UserAgent, "password+enrolment")
}

// removeMFA removes the caller's own factor; it needs the password and a current code.
// Refused while MFA is required for the caller (policy or admin).
func (s *Server) removeMFA(ctx context.Context, c caller, password, code string) error {
	if s.mfaRequired(c.User) {
		return forbidden("a second factor is required for your account")
	}
	if err := s.reauth(c, password); err != nil {
		return err
	}
	if err := s.useTOTP(c.User.ID, code); err != nil {
		if errors.Is(err, errBadCode) {
			s.limit.fail([]string{"acct:" + c.User.Email}, []int{limitFreeAcct})
		}
		return err
	}
	if _, err := s.st.UpdateUser(c.User.ID, clearMFA); err != nil {
		return err
	}
	return s.audit(c.Actor(), "mfa.disabled", c.User.Email, c.Addr, map[string]string{"by": "self"})
}

func clearMFA(u *store.User) error {
	u.TOTPSecret, u.TOTPPending, u.BackupCodes = "", "", nil
	return nil
}

// regenerateBackupCodes replaces the caller's backup codes (voiding the old set) after
// checking the password; returns the new codes once.
func (s *Server) regenerateBackupCodes(ctx context.Context, c caller, password string) ([]string, error) {
	if c.User.TOTPSecret == "" {
		return nil, conflict("set up a second factor first")
	}
	if err := s.reauth(c, password); err != nil {
		return nil, err
	}
	plain, hashes := newBackupCodes()
	if _, err := s.st.UpdateUser(c.User.ID, func(u *store.User) error { u.BackupCodes = hashes; return nil }); err != nil {
		return nil, err
	}
	return plain, s.audit(c.Actor(), "backup_codes.regenerated", c.User.Email, c.Addr, nil)
}

// reauth re-checks the caller's password for a sensitive change (rate limited like sign-in).
func (s *Server) reauth(c caller, password string) error {
	key := "acct:" + c.User.Email
	if d := s.limit.begin([]string{key}, []int{limitFreeAcct}); d > 0 {
		return tooMany(d)
	}
	defer s.limit.end(key)
	if ok, _, err := verifyPassword(c.User.PasswordHash, password); err != nil || !ok {
		s.limit.fail([]string{key}, []int{limitFreeAcct})
		return errBadPassword
	}
	return nil
}
