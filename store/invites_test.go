package store

import (
	"errors"
	"testing"
	"time"
)

func TestInvites(t *testing.T) {
	s, c := openTest(t)
	owner := mustUser(t, s, "owner@firm.test", RoleOwner)
	inv, err := s.CreateInvite(Invite{Hash: "h1", Email: "New@Firm.test", Role: RoleManager, InvitedBy: owner.ID})
	if err != nil || inv.ID == "" || inv.Email != "new@firm.test" || !inv.Expires.Equal(c.Now().Add(7*24*time.Hour)) {
		t.Fatalf("CreateInvite: %+v %v", inv, err)
	}
	if _, err := s.CreateInvite(Invite{Hash: "h2", Email: "owner@firm.test", Role: RoleViewer}); !errors.Is(err, ErrExists) {
		t.Fatalf("invite of an existing user: %v", err)
	}
	if _, err := s.CreateInvite(Invite{Hash: "h1", Email: "z@firm.test", Role: RoleViewer}); !errors.Is(err, ErrExists) {
		t.Fatalf("duplicate hash: %v", err)
	}
	if got, err := s.InviteByHash("h1"); err != nil || got.ID != inv.ID {
		t.Fatalf("InviteByHash: %v", err)
	}
	if _, err := s.InviteByHash("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatal("unknown hash")
	}
	if list, _ := s.Invites(); len(list) != 1 {
		t.Fatal("pending invite not listed")
	}

	// Expiry at exactly seven days.
	c.Advance(7*24*time.Hour - time.Nanosecond)
	if _, err := s.InviteByHash("h1"); err != nil {
		t.Fatalf("valid just before expiry: %v", err)
	}
	c.Advance(time.Nanosecond)
	if got, err := s.InviteByHash("h1"); !errors.Is(err, ErrExpired) || got.ID != inv.ID {
		t.Fatalf("at expiry: %v", err)
	}
	if _, err := s.AcceptInvite("h1", User{Name: "N"}); !errors.Is(err, ErrExpired) {
		t.Fatalf("accepting an expired invite: %v", err)
	}
	if list, _ := s.Invites(); len(list) != 0 {
		t.Fatal("expired invite listed as pending")
	}

	// Accept: creates the user with the invite's email and role, once.
	inv2, _ := s.CreateInvite(Invite{Hash: "h3", Email: "b@firm.test", Role: RoleViewer})
	u, err := s.AcceptInvite("h3", User{Email: "evil@firm.test", Role: RoleOwner, Name: "B", PasswordHash: "p"})
	if err != nil || u.Email != "b@firm.test" || u.Role != RoleViewer || u.Name != "B" || u.Primary {
		t.Fatalf("AcceptInvite: %+v %v", u, err)
	}
	if got, err := s.InviteByHash("h3"); !errors.Is(err, ErrUsed) || got.UsedAt.IsZero() {
		t.Fatalf("used invite: %v", err)
	}
	if _, err := s.AcceptInvite("h3", User{}); !errors.Is(err, ErrUsed) {
		t.Fatal("accepted twice")
	}
	_ = inv2

	// Revoked reads as not found.
	inv4, _ := s.CreateInvite(Invite{Hash: "h4", Email: "c@firm.test", Role: RoleViewer})
	if err := s.RevokeInvite(inv4.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.InviteByHash("h4"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("revoked: %v", err)
	}
	if err := s.RevokeInvite("nope"); !errors.Is(err, ErrNotFound) {
		t.Fatal("revoke unknown")
	}

	// The email became an account meanwhile.
	s.CreateInvite(Invite{Hash: "h5", Email: "d@firm.test", Role: RoleViewer})
	mustUser(t, s, "d@firm.test", RoleViewer)
	if _, err := s.AcceptInvite("h5", User{}); !errors.Is(err, ErrExists) {
		t.Fatalf("accept for an existing email: %v", err)
	}
	if _, err := s.InviteByHash("h5"); err != nil {
		t.Fatal("a failed accept marked the invite used")
	}
}
