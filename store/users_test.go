package store

import (
	"errors"
	"testing"
	"time"
)

func mustUser(t *testing.T, s *Store, email string, role Role) User {
	t.Helper()
	u, err := s.CreateUser(User{Email: email, Name: email, Role: role, PasswordHash: "$argon2id$x"})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestRoles(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Role
		ok   bool
	}{{"viewer", RoleViewer, true}, {" Owner ", RoleOwner, true}, {"MANAGER", RoleManager, true}, {"admin", "", false}, {"", "", false}} {
		r, err := ParseRole(tc.in)
		if r != tc.want || (err == nil) != tc.ok {
			t.Errorf("ParseRole(%q) = %q, %v", tc.in, r, err)
		}
	}
	if !RoleOwner.AtLeast(RoleManager) || RoleViewer.AtLeast(RoleManager) || !RoleManager.AtLeast(RoleManager) || Role("x").AtLeast(RoleViewer) {
		t.Error("AtLeast ordering is wrong")
	}
}

func TestUsers(t *testing.T) {
	s, _ := openTest(t)
	if n, _ := s.CountUsers(); n != 0 {
		t.Fatal("new store has users")
	}
	v := mustUser(t, s, "Viewer@Firm.test", RoleViewer)
	own := mustUser(t, s, "owner@firm.test", RoleOwner)
	own2 := mustUser(t, s, "second@firm.test", RoleOwner)
	if v.Email != "viewer@firm.test" || v.ID == "" || v.Created.IsZero() || v.Primary {
		t.Fatalf("viewer: %+v", v)
	}
	if !own.Primary || own2.Primary {
		t.Fatal("the first owner must be primary, and only the first")
	}
	if _, err := s.CreateUser(User{Email: "VIEWER@firm.test", Role: RoleViewer}); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate email: %v", err)
	}
	if _, err := s.CreateUser(User{Email: "x@firm.test", Role: "boss"}); err == nil {
		t.Fatal("bad role accepted")
	}
	if u, err := s.UserByEmail("OWNER@firm.test"); err != nil || u.ID != own.ID {
		t.Fatalf("UserByEmail: %v", err)
	}
	if _, err := s.User("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("User(nope): %v", err)
	}
	if _, err := s.UserByEmail("nope@firm.test"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("UserByEmail(nope): %v", err)
	}
	all, _ := s.Users()
	if len(all) != 3 || all[0].Email != "owner@firm.test" || all[2].Email != "viewer@firm.test" {
		t.Fatalf("Users not sorted by email: %+v", all)
	}
	// Primary owner protection.
	if _, err := s.DeleteUser(own.ID); !errors.Is(err, ErrPrimary) || !errors.Is(err, ErrLastOwner) {
		t.Fatalf("deleting the primary owner: %v", err)
	}
	if _, err := s.UpdateUser(own.ID, func(u *User) error { u.Role = RoleManager; return nil }); !errors.Is(err, ErrPrimary) {
		t.Fatalf("demoting the primary owner: %v", err)
	}
	if _, err := s.UpdateUser(own2.ID, func(u *User) error { u.Primary = true; return nil }); err != nil {
		t.Fatal(err)
	} else if u, _ := s.User(own2.ID); u.Primary {
		t.Fatal("UpdateUser let a caller set Primary")
	}
	// Updates: fn errors abort; email uniqueness; the email index follows.
	boom := errors.New("boom")
	if _, err := s.UpdateUser(v.ID, func(u *User) error { u.Name = "changed"; return boom }); !errors.Is(err, boom) {
		t.Fatalf("fn error not returned: %v", err)
	}
	if u, _ := s.User(v.ID); u.Name == "changed" {
		t.Fatal("a refused update was stored")
	}
	if _, err := s.UpdateUser(v.ID, func(u *User) error { u.Email = "owner@firm.test"; return nil }); !errors.Is(err, ErrExists) {
		t.Fatalf("email collision: %v", err)
	}
	u, err := s.UpdateUser(v.ID, func(u *User) error {
		u.Email, u.Role, u.BackupCodes = "New@firm.test", RoleManager, []string{"h1"}
		return nil
	})
	if err != nil || u.Email != "new@firm.test" || u.Role != RoleManager {
		t.Fatalf("update: %+v %v", u, err)
	}
	if _, err := s.UserByEmail("viewer@firm.test"); !errors.Is(err, ErrNotFound) {
		t.Fatal("old email still indexed")
	}
	if _, err := s.UpdateUser("nope", func(*User) error { return nil }); !errors.Is(err, ErrNotFound) {
		t.Fatal("update of unknown user")
	}
}

func TestDeleteUserRemovesSessionsAndTokens(t *testing.T) {
	s, c := openTest(t)
	mustUser(t, s, "owner@firm.test", RoleOwner)
	m := mustUser(t, s, "m@firm.test", RoleManager)
	other := mustUser(t, s, "o@firm.test", RoleViewer)
	exp := c.Now().Add(time.Hour)
	for _, h := range []string{"s1", "s2"} {
		if err := s.CreateSession(Session{Hash: h, UserID: m.ID, Expires: exp}); err != nil {
			t.Fatal(err)
		}
	}
	s.CreateSession(Session{Hash: "s3", UserID: other.ID, Expires: exp})
	s.CreateToken(Token{Name: "mine", Hash: "t1", Role: RoleViewer, UserID: m.ID})
	s.CreateToken(Token{Name: "console", Hash: "t2", Role: RoleOwner})
	gone, err := s.DeleteUser(m.ID)
	if err != nil || gone.Email != "m@firm.test" {
		t.Fatalf("DeleteUser: %v", err)
	}
	for _, h := range []string{"s1", "s2"} {
		if _, err := s.Session(h); !errors.Is(err, ErrNotFound) {
			t.Fatalf("session %s survived its user", h)
		}
	}
	if _, err := s.Session("s3"); err != nil {
		t.Fatal("another user's session was removed")
	}
	if _, err := s.TokenByHash("t1"); !errors.Is(err, ErrNotFound) {
		t.Fatal("the deleted user's token survived")
	}
	if _, err := s.TokenByHash("t2"); err != nil {
		t.Fatal("a console token was removed")
	}
	if _, err := s.UserByEmail("m@firm.test"); !errors.Is(err, ErrNotFound) {
		t.Fatal("email still indexed")
	}
	if err := s.CreateSession(Session{Hash: "s4", UserID: m.ID}); !errors.Is(err, ErrNotFound) {
		t.Fatalf("session for a deleted user: %v", err)
	}
	if _, err := s.DeleteUser(m.ID); !errors.Is(err, ErrNotFound) {
		t.Fatal("deleted twice")
	}
	// The email is free again.
	mustUser(t, s, "m@firm.test", RoleViewer)
}

func TestSessions(t *testing.T) {
	s, c := openTest(t)
	u := mustUser(t, s, "a@firm.test", RoleViewer)
	now := c.Now()
	for i, h := range []string{"h1", "h2", "h3"} {
		err := s.CreateSession(Session{Hash: h, UserID: u.ID, LastSeen: now.Add(time.Duration(i) * time.Minute), Expires: now.Add(time.Hour)})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.CreateSession(Session{Hash: "h1", UserID: u.ID}); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate session: %v", err)
	}
	if err := s.TouchSession("h1", now.Add(time.Hour), now.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	list, _ := s.UserSessions(u.ID)
	if len(list) != 3 || list[0].Hash != "h1" || !list[0].Expires.Equal(now.Add(2*time.Hour)) {
		t.Fatalf("UserSessions: %+v", list)
	}
	got, err := s.UpdateSession("h2", func(x *Session) error { x.MFAPassed, x.UserID = true, "evil"; return nil })
	if err != nil || !got.MFAPassed || got.UserID != u.ID {
		t.Fatalf("UpdateSession: %+v %v", got, err)
	}
	if err := s.TouchSession("zz", now, now); !errors.Is(err, ErrNotFound) {
		t.Fatalf("touch unknown: %v", err)
	}
	if n, err := s.DeleteUserSessions(u.ID, "h2"); err != nil || n != 2 {
		t.Fatalf("DeleteUserSessions = %d, %v", n, err)
	}
	if list, _ := s.UserSessions(u.ID); len(list) != 1 || list[0].Hash != "h2" {
		t.Fatal("the excepted session was not kept")
	}
	if err := s.DeleteSession("h2"); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession("h2"); err != nil {
		t.Fatal("DeleteSession is not idempotent")
	}
	if _, err := s.Session("h2"); !errors.Is(err, ErrNotFound) {
		t.Fatal("deleted session found")
	}
	s.CreateSession(Session{Hash: "old", UserID: u.ID, Expires: now})
	s.CreateSession(Session{Hash: "new", UserID: u.ID, Expires: now.Add(time.Second)})
	if n, _ := s.DeleteExpiredSessions(now); n != 1 {
		t.Fatalf("DeleteExpiredSessions removed %d, want 1", n)
	}
}

func TestTokens(t *testing.T) {
	s, c := openTest(t)
	tok, err := s.CreateToken(Token{Name: "ci", Hash: "abc", Role: RoleManager})
	if err != nil || tok.ID == "" || tok.Created.IsZero() {
		t.Fatalf("CreateToken: %+v %v", tok, err)
	}
	if _, err := s.CreateToken(Token{Name: "ci", Hash: "other", Role: RoleViewer}); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate name: %v", err)
	}
	if _, err := s.CreateToken(Token{Name: "x", Hash: "abc", Role: RoleViewer}); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate hash: %v", err)
	}
	if _, err := s.CreateToken(Token{Name: "x", Hash: "h", Role: "root"}); err == nil {
		t.Fatal("bad role accepted")
	}
	s.CreateToken(Token{Name: "a-first", Hash: "def", Role: RoleViewer})
	if err := s.TouchToken("abc", c.Now()); err != nil {
		t.Fatal(err)
	}
	got, err := s.TokenByHash("abc")
	if err != nil || got.Name != "ci" || !got.LastUsed.Equal(c.Now()) {
		t.Fatalf("TokenByHash: %+v %v", got, err)
	}
	if list, _ := s.Tokens(); len(list) != 2 || list[0].Name != "a-first" {
		t.Fatalf("Tokens: %+v", list)
	}
	if r, err := s.RevokeToken("ci"); err != nil || r.Hash != "abc" {
		t.Fatalf("RevokeToken: %v", err)
	}
	if _, err := s.RevokeToken("ci"); !errors.Is(err, ErrNotFound) {
		t.Fatal("revoked twice")
	}
	if _, err := s.TokenByHash("abc"); !errors.Is(err, ErrNotFound) {
		t.Fatal("revoked token still works")
	}
	if err := s.TouchToken("abc", c.Now()); !errors.Is(err, ErrNotFound) {
		t.Fatal("touch of a revoked token")
	}
}

func TestSettings(t *testing.T) {
	s, _ := openTest(t)
	st, err := s.Settings()
	if err != nil || st.RetentionDays != 365 || st.MFAPolicy != "optional" {
		t.Fatalf("defaults: %+v %v", st, err)
	}
	st, err = s.UpdateSettings(func(x *Settings) error {
		x.RetentionDays, x.OwnNumbers = 0, map[string]string{"m1": "+15550001111"}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	again, _ := s.Settings()
	if again.RetentionDays != 0 || again.OwnNumbers["m1"] != "+15550001111" {
		t.Fatalf("0 (keep forever) or numbers not kept: %+v", again)
	}
	boom := errors.New("no")
	if _, err := s.UpdateSettings(func(x *Settings) error { x.PublicURL = "x"; return boom }); !errors.Is(err, boom) {
		t.Fatal("fn error not returned")
	}
	if again, _ := s.Settings(); again.PublicURL != "" {
		t.Fatal("refused update stored")
	}
}
