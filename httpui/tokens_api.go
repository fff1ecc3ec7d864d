package httpui

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"firmline/store"
)

// tokenView is an API token as listed (never its hash).
type tokenView struct {
	ID       string     `json:"id"`
	Name     string     `json:"name"`
	Role     store.Role `json:"role"`
	UserID   string     `json:"user_id"`
	Created  time.Time  `json:"created"`
	LastUsed time.Time  `json:"last_used"`
}

func tokenJSON(t store.Token) tokenView {
	return tokenView{ID: t.ID, Name: t.Name, Role: t.Role, UserID: t.UserID, Created: t.Created, LastUsed: t.LastUsed}
}

// CheckTokenName accepts 1 to 64 characters with no spaces or slashes, so that every token
// can be named in DELETE /api/v1/tokens/{name}; the console uses it too.
func CheckTokenName(name string) error {
	if name == "" || len(name) > 64 || strings.ContainsAny(name, " \t\r\n/\\") {
		return errors.New("a token name of 1 to 64 characters without spaces or slashes is needed")
	}
	return nil
}

// createToken makes an API token with a role no higher than the caller's; the plain token is
// returned once and only its hash is stored.
func (s *Server) createToken(ctx context.Context, c caller, name string, role store.Role) (store.Token, string, error) {
	name = strings.TrimSpace(name)
	if err := CheckTokenName(name); err != nil {
		return store.Token{}, "", badRequest(err.Error())
	}
	if !c.Role.AtLeast(role) {
		return store.Token{}, "", forbidden("you cannot create a token with a role higher than your own")
	}
	plain, hash := NewToken()
	t, err := s.st.CreateToken(store.Token{Name: name, Hash: hash, Role: role, UserID: c.User.ID, Created: s.now()})
	if err != nil {
		return t, "", err
	}
	return t, plain, s.audit(c.Actor(), "token.created", name, c.Addr, map[string]string{"role": string(role)})
}

// revokeToken deletes a token by name and closes sockets opened with it.
func (s *Server) revokeToken(ctx context.Context, c caller, name string) error {
	t, err := s.st.RevokeToken(name)
	if err != nil {
		return err
	}
	s.hub.disconnectSession(t.Hash)
	return s.audit(c.Actor(), "token.revoked", name, c.Addr, nil)
}

func (s *Server) handleTokens(w http.ResponseWriter, r *http.Request) error {
	ts, err := s.st.Tokens()
	if err != nil {
		return err
	}
	out := make([]tokenView, 0, len(ts))
	for _, t := range ts {
		out = append(out, tokenJSON(t))
	}
	writeJSON(w, http.StatusOK, map[string]any{"tokens": out})
	return nil
}

func (s *Server) handleCreateToken(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Name string `json:"name"`
		Role string `json:"role"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if in.Role == "" {
		in.Role = string(store.RoleViewer)
	}
	role, err := store.ParseRole(in.Role)
	if err != nil {
		return badRequest("role must be owner, manager or viewer")
	}
	t, plain, err := s.createToken(r.Context(), s.must(r), in.Name, role)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"token": plain, "info": tokenJSON(t)})
	return nil
}

func (s *Server) handleRevokeToken(w http.ResponseWriter, r *http.Request) error {
	if err := s.revokeToken(r.Context(), s.must(r), r.PathValue("name")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	return nil
}
