package httpui

import (
	"net/http"

	"firmline/store"
)

func (s *Server) handleInvites(w http.ResponseWriter, r *http.Request) error {
	list, err := s.invites(r.Context(), s.must(r))
	if err != nil {
		return err
	}
	out := make([]inviteView, 0, len(list))
	for _, inv := range list {
		out = append(out, inviteJSON(inv))
	}
	writeJSON(w, http.StatusOK, map[string]any{"invites": out})
	return nil
}

func (s *Server) handleInvite(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email string `json:"email"`
		Role  string `json:"role"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	role, err := store.ParseRole(in.Role)
	if err != nil {
		return badRequest("role must be owner, manager or viewer")
	}
	res, err := s.invite(r.Context(), s.must(r), in.Email, role, s.origin(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"invite": res.view()})
	return nil
}

func (s *Server) handleResendInvite(w http.ResponseWriter, r *http.Request) error {
	res, err := s.resendInvite(r.Context(), s.must(r), r.PathValue("id"), s.origin(r))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"invite": res.view()})
	return nil
}

func (s *Server) handleRevokeInvite(w http.ResponseWriter, r *http.Request) error {
	if err := s.revokeInvite(r.Context(), s.must(r), r.PathValue("id")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	return nil
}

// handleCheckInvite: GET /api/v1/invites/accept?token= -> {"email","role","expires"}.
func (s *Server) handleCheckInvite(w http.ResponseWriter, r *http.Request) error {
	inv, err := s.checkInvite(r.Context(), r.URL.Query().Get("token"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"email": inv.Email, "role": inv.Role, "expires": inv.Expires})
	return nil
}

func (s *Server) handleAcceptInvite(w http.ResponseWriter, r *http.Request) error {
	var in acceptInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	in.Addr, in.UserAgent = remoteAddr(r), r.UserAgent()
	res, err := s.acceptInvite(r.Context(), in)
	if err != nil {
		return err
	}
	s.renderSignup(w, res)
	return nil
}

// renderSignup answers a created account: 201 {"user", "mfa_enrolment_required"} with the
// session cookie (pending and limited to enrolment when the flag is true).
func (s *Server) renderSignup(w http.ResponseWriter, res loginResult) {
	s.setSessionCookie(w, res)
	writeJSON(w, http.StatusCreated, map[string]any{"user": userJSON(res.User),
		"mfa_enrolment_required": res.EnrolmentRequired})
}
