package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"firmline/httpui"
	"firmline/notify"
	"firmline/store"
)

// execAdmin runs one console command against env.store and writes its output to out. It is
// the same code whether it runs in the console process or inside a running server.
func execAdmin(ctx context.Context, env adminEnv, req adminRequest, out io.Writer) error {
	a := req.Args
	switch req.Cmd {
	case "user.add":
		return adminUserAdd(env, a["email"], a["name"], a["role"], req.Password, out)
	case "user.list":
		return adminUserList(env, out)
	case "user.delete":
		return adminUserDelete(env, a["email"], out)
	case "user.reset-mfa":
		return adminResetMFA(env, a["email"], out)
	case "token.create":
		return adminTokenCreate(env, a["name"], a["role"], out)
	case "token.list":
		return adminTokenList(env, out)
	case "token.revoke":
		return adminTokenRevoke(env, a["name"], out)
	case "messages":
		n, _ := strconv.Atoi(a["limit"])
		return adminMessages(env, n, a["json"] == "true", out)
	case "backup":
		return adminBackup(env, out)
	case "audit.verify":
		return adminAuditVerify(env, out)
	case "audit.export":
		return adminAuditExport(env, a["format"], a["since"], a["until"], out)
	default:
		return usagef("unknown console command %q", req.Cmd)
	}
}

func consoleAudit(env adminEnv, action, target string, detail map[string]string) {
	if _, err := env.store.Audit(store.AuditEntry{Actor: "console", Action: action, Target: target, Detail: detail}); err != nil {
		env.log.Error("audit append failed", "action", action, "error", err)
	}
}

func adminUserAdd(env adminEnv, email, name, roleText, password string, out io.Writer) error {
	role, err := store.ParseRole(roleText)
	if err != nil {
		return usagef("--role must be owner, manager or viewer")
	}
	email = strings.ToLower(strings.TrimSpace(email))
	if !strings.Contains(email, "@") {
		return usagef("--email %q is not an email address", email)
	}
	if err := httpui.CheckPasswordPolicy(password, email); err != nil {
		return failf("the password was refused: %v", err)
	}
	hash, err := httpui.HashPassword(password)
	if err != nil {
		return failf("cannot hash the password: %v", err)
	}
	u, err := env.store.CreateUser(store.User{Email: email, Name: name, Role: role, PasswordHash: hash})
	if errors.Is(err, store.ErrExists) {
		return failf("a user with the email %s already exists", email)
	}
	if err != nil {
		return failf("cannot create the user: %v", err)
	}
	consoleAudit(env, "user.added", u.Email, map[string]string{"role": string(u.Role)})
	primary := ""
	if u.Primary {
		primary = " (primary owner)"
	}
	fmt.Fprintf(out, "created %s as %s%s\n", u.Email, u.Role, primary)
	return nil
}

func adminUserList(env adminEnv, out io.Writer) error {
	users, err := env.store.Users()
	if err != nil {
		return failf("cannot read the users: %v", err)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "EMAIL\tNAME\tROLE\tSECOND FACTOR\tLAST SEEN")
	for _, u := range users {
		mfa := "off"
		if u.TOTPSecret != "" {
			mfa = "on"
		} else if u.MFARequired {
			mfa = "required"
		}
		role := string(u.Role)
		if u.Primary {
			role += " (primary)"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", u.Email, u.Name, role, mfa, ago(u.LastSeen))
	}
	return tw.Flush()
}

func ago(t time.Time) string {
	if t.IsZero() {
		return "never"
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func userByEmail(env adminEnv, email string) (store.User, error) {
	u, err := env.store.UserByEmail(strings.ToLower(strings.TrimSpace(email)))
	if errors.Is(err, store.ErrNotFound) {
		return u, failf("there is no user with the email %s", email)
	}
	if err != nil {
		return u, failf("cannot read the user: %v", err)
	}
	return u, nil
}

func adminUserDelete(env adminEnv, email string, out io.Writer) error {
	u, err := userByEmail(env, email)
	if err != nil {
		return err
	}
	if _, err := env.store.DeleteUser(u.ID); err != nil {
		return failf("cannot remove %s: %v", u.Email, err)
	}
	if env.disconnect != nil {
		env.disconnect(u.ID)
	}
	consoleAudit(env, "user.removed", u.Email, nil)
	fmt.Fprintf(out, "removed %s: every session, live connection and API token of theirs is revoked\n", u.Email)
	return nil
}

func adminResetMFA(env adminEnv, email string, out io.Writer) error {
	u, err := userByEmail(env, email)
	if err != nil {
		return err
	}
	_, err = env.store.UpdateUser(u.ID, func(u *store.User) error {
		u.TOTPSecret, u.TOTPPending, u.BackupCodes, u.TOTPLastStep = "", "", nil, 0
		return nil
	})
	if err != nil {
		return failf("cannot reset the second factor of %s: %v", u.Email, err)
	}
	if _, err := env.store.DeleteUserSessions(u.ID, ""); err != nil {
		return failf("cannot end the sessions of %s: %v", u.Email, err)
	}
	if env.disconnect != nil {
		env.disconnect(u.ID)
	}
	consoleAudit(env, "mfa.reset", u.Email, nil)
	fmt.Fprintf(out, "cleared the second factor of %s; they enrol again at their next sign-in\n", u.Email)
	return nil
}

func adminTokenCreate(env adminEnv, name, roleText string, out io.Writer) error {
	if roleText == "" {
		roleText = "viewer"
	}
	role, err := store.ParseRole(roleText)
	if err != nil {
		return usagef("--role must be owner, manager or viewer")
	}
	if err := httpui.CheckTokenName(name); err != nil {
		return usagef("--name: %v", err)
	}
	plain, hash := httpui.NewToken()
	if _, err := env.store.CreateToken(store.Token{Name: name, Hash: hash, Role: role}); err != nil {
		if errors.Is(err, store.ErrExists) {
			return failf("a token named %q already exists; revoke it first or pick another name", name)
		}
		return failf("cannot create the token: %v", err)
	}
	consoleAudit(env, "token.created", name, map[string]string{"role": string(role)})
	fmt.Fprintf(out, "API token %q (%s); it is shown once, store it now:\n%s\n", name, role, plain)
	return nil
}

func adminTokenList(env adminEnv, out io.Writer) error {
	toks, err := env.store.Tokens()
	if err != nil {
		return failf("cannot read the tokens: %v", err)
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tROLE\tCREATED\tLAST USED")
	for _, t := range toks {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", t.Name, t.Role, ago(t.Created), ago(t.LastUsed))
	}
	return tw.Flush()
}

func adminTokenRevoke(env adminEnv, name string, out io.Writer) error {
	t, err := env.store.RevokeToken(name)
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return failf("there is no token named %q", name)
		}
		return failf("cannot revoke the token: %v", err)
	}
	if env.disconnectToken != nil {
		env.disconnectToken(t.Hash)
	}
	consoleAudit(env, "token.revoked", name, nil)
	fmt.Fprintf(out, "revoked token %q\n", name)
	return nil
}

func adminMessages(env adminEnv, limit int, asJSON bool, out io.Writer) error {
	if limit <= 0 {
		limit = 20
	}
	msgs, _, err := env.store.Messages(store.Query{Limit: limit})
	if err != nil {
		return failf("cannot read the messages: %v", err)
	}
	if asJSON {
		enc := json.NewEncoder(out)
		for _, m := range msgs {
			if err := enc.Encode(notify.NewMessage(m)); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "RECEIVED\tSENDER\tPLATFORM\tCODE\tTEXT")
	for _, m := range msgs {
		text := strings.Join(strings.Fields(m.Text), " ")
		if r := []rune(text); len(r) > 60 {
			text = string(r[:59]) + "…"
		}
		if !m.Complete {
			text = fmt.Sprintf("[%d of %d parts] %s", m.PartsReceived, m.Parts, text)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", m.ReceivedAt.Local().Format("2006-01-02 15:04:05"), m.Sender, dash(m.Platform), dash(m.Code), text)
	}
	return tw.Flush()
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func adminBackup(env adminEnv, out io.Writer) error {
	if _, err := env.store.Backup(out); err != nil {
		return failf("the backup failed: %v", err)
	}
	consoleAudit(env, "backup.made", "console", nil)
	return nil
}

func adminAuditVerify(env adminEnv, out io.Writer) error {
	n, err := env.store.VerifyAudit()
	if err != nil {
		return failf("%v", err)
	}
	fmt.Fprintf(out, "audit log intact: %d entries, hash chain verified\n", n)
	return nil
}
