package httpui

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"firmline/store"
)

// apiError is an error whose status and message are meant for the caller. Service methods
// return it for every refusal; anything else is internal and shown as "internal error".
type apiError struct {
	Status     int
	Msg        string
	RetryAfter time.Duration // 429 only
	// MFARequired / EnrolmentRequired add {"mfa_required": true} or
	// {"mfa_enrolment_required": true} to the JSON body (sign-in steps).
	MFARequired       bool
	EnrolmentRequired bool
}

func (e *apiError) Error() string { return e.Msg }

func badRequest(msg string) error { return &apiError{Status: http.StatusBadRequest, Msg: msg} }
func forbidden(msg string) error  { return &apiError{Status: http.StatusForbidden, Msg: msg} }
func conflict(msg string) error   { return &apiError{Status: http.StatusConflict, Msg: msg} }
func notFound(msg string) error   { return &apiError{Status: http.StatusNotFound, Msg: msg} }
func gone(msg string) error       { return &apiError{Status: http.StatusGone, Msg: msg} }
func unauthorised(msg string) error {
	return &apiError{Status: http.StatusUnauthorized, Msg: msg}
}
func tooMany(d time.Duration) error {
	return &apiError{Status: http.StatusTooManyRequests, Msg: "too many attempts; try again later", RetryAfter: d}
}

// Refusals shared by several methods.
var (
	errSignIn      = &apiError{Status: http.StatusUnauthorized, Msg: "sign in first"}
	errBadLogin    = &apiError{Status: http.StatusUnauthorized, Msg: "wrong email or password"}
	errBadCode     = &apiError{Status: http.StatusUnauthorized, Msg: "wrong or already used code"}
	errBadPassword = &apiError{Status: http.StatusUnauthorized, Msg: "wrong password"}
	errRole        = &apiError{Status: http.StatusForbidden, Msg: "your role does not allow this"}
	errUserOnly    = &apiError{Status: http.StatusForbidden, Msg: "this needs a signed-in user, not an API token"}
	errMFAOwed     = &apiError{Status: http.StatusUnauthorized, Msg: "finish signing in with your second factor", MFARequired: true}
	errEnrolOwed   = &apiError{Status: http.StatusUnauthorized, Msg: "set up a second factor first", EnrolmentRequired: true}
)

// statusOf maps an error to its HTTP status and a message safe to show. Store sentinels map
// to 404/409/410; anything unknown is 500 "internal error" (the caller logs the real error).
func statusOf(err error) (status int, msg string) {
	var ae *apiError
	var pe *PolicyError
	switch {
	case errors.As(err, &ae):
		return ae.Status, ae.Msg
	case errors.As(err, &pe):
		return http.StatusBadRequest, pe.Reason
	case errors.Is(err, store.ErrPrimary):
		return http.StatusForbidden, "the primary owner cannot be removed or demoted"
	case errors.Is(err, store.ErrNotFound):
		return http.StatusNotFound, "not found"
	case errors.Is(err, store.ErrExists):
		return http.StatusConflict, "already exists"
	case errors.Is(err, store.ErrExpired):
		return http.StatusGone, "expired"
	case errors.Is(err, store.ErrUsed):
		return http.StatusGone, "already used"
	}
	return http.StatusInternalServerError, "internal error"
}

// writeError renders err as {"error": msg} (plus sign-in step flags) with its status, and
// logs internal errors.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	status, msg := statusOf(err)
	if status == http.StatusInternalServerError {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err)
	}
	body := map[string]any{"error": msg}
	var ae *apiError
	if errors.As(err, &ae) {
		if ae.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((ae.RetryAfter+time.Second-1)/time.Second)))
		}
		if ae.MFARequired {
			body["mfa_required"] = true
		}
		if ae.EnrolmentRequired {
			body["mfa_enrolment_required"] = true
		}
	}
	writeJSON(w, status, body)
}

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// writeJSON renders v; encoding happens into memory first so a failure cannot leave half a body.
func writeJSON(w http.ResponseWriter, status int, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	w.Write(append(b, '\n'))
}

// maxBody bounds every JSON request body.
const maxBody = 64 << 10

// decodeJSON reads a bounded JSON body into v (lenient: unknown fields are ignored).
func decodeJSON(w http.ResponseWriter, r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return &apiError{Status: http.StatusRequestEntityTooLarge, Msg: "request body too large"}
		}
		return badRequest("the request body is not valid JSON for this call")
	}
	return nil
}
