package httpui

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"firmline/store"
)

const (
	auditScan  = 5000 // newest entries read per page view before filtering
	auditShown = 500  // entries shown at most
)

// auditPage browses the audit log, newest first, with filters and export links.
type auditPage struct {
	pageBase
	Entries                []store.AuditEntry
	More                   bool
	Q, Action              string
	Since, Until           string // YYYY-MM-DD as in the form
	Actions                []string
	ExportCSV, ExportJSONL string
}

// dayRange parses the form's since/until dates (UTC days). until is exclusive, as in the
// store, so it is the start of the day after the chosen one.
func dayRange(q url.Values) (since, until time.Time, sinceS, untilS string) {
	sinceS, untilS = q.Get("since"), q.Get("until")
	if t, err := time.Parse(time.DateOnly, sinceS); err == nil {
		since = t
	} else {
		sinceS = ""
	}
	if t, err := time.Parse(time.DateOnly, untilS); err == nil {
		until = t.AddDate(0, 0, 1)
	} else {
		untilS = ""
	}
	return since, until, sinceS, untilS
}

func (p *pages) audit(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	since, until, sinceS, untilS := dayRange(q)
	entries, err := p.s.st.AuditEntries(since, until, auditScan, true)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	pg := auditPage{pageBase: p.base(r, "Audit log", "settings"), Q: strings.TrimSpace(q.Get("q")),
		Action: q.Get("action"), Since: sinceS, Until: untilS}
	actions := map[string]bool{}
	needle := strings.ToLower(pg.Q)
	for _, e := range entries {
		actions[e.Action] = true
		if pg.Action != "" && e.Action != pg.Action {
			continue
		}
		if needle != "" && !strings.Contains(strings.ToLower(e.Actor+" "+e.Action+" "+e.Target), needle) {
			continue
		}
		if len(pg.Entries) == auditShown {
			pg.More = true
			break
		}
		pg.Entries = append(pg.Entries, e)
	}
	pg.More = pg.More || len(entries) == auditScan
	pg.Actions = sortedKeys(actions)
	pg.ExportCSV, pg.ExportJSONL = exportURL("csv", since, until), exportURL("jsonl", since, until)
	p.render(w, r, http.StatusOK, "audit", pg)
}

// exportURL is the audit export of the API for the chosen period.
func exportURL(format string, since, until time.Time) string {
	v := url.Values{"format": {format}}
	if !since.IsZero() {
		v.Set("since", since.Format(time.RFC3339))
	}
	if !until.IsZero() {
		v.Set("until", until.Format(time.RFC3339))
	}
	return "/api/v1/audit/export?" + v.Encode()
}

// reportPage is the printable compliance report for insurers and bar-compliance reviews.
type reportPage struct {
	pageBase
	Generated     time.Time
	Since, Until  string
	FirmNumbers   []string
	PlatformsSeen []string
	Users         []userRow
	LastSignIn    map[string]time.Time // user email -> newest session.login in the period
	Accounts      []store.Account      // the MFA inventory register
	Suggestions   []suggestion         // platforms seen in codes in the period, not registered
	Offboardings  []store.AuditEntry   // users removed in the period
	Changes       []store.AuditEntry
	ChainEntries  int
	ChainError    string
	JSONURL       string
}

// reportActions are the audit actions the report lists as access changes.
func reportAction(a string) bool {
	return strings.HasPrefix(a, "user.") || strings.HasPrefix(a, "token.") ||
		a == "mfa.disabled" || a == "mfa.reset" || a == "mfa.removed" || a == "settings.mfa_policy"
}

func (p *pages) report(w http.ResponseWriter, r *http.Request) {
	c, _ := p.s.callerFrom(r)
	now := p.s.now().UTC()
	since, until, sinceS, untilS := dayRange(r.URL.Query())
	today := now.Truncate(24 * time.Hour)
	if since.IsZero() {
		since = today.AddDate(-1, 0, 0)
		sinceS = since.Format(time.DateOnly)
	}
	if until.IsZero() {
		until, untilS = today.AddDate(0, 0, 1), today.Format(time.DateOnly) // through the end of today
	}
	pg := reportPage{pageBase: p.base(r, "Compliance report", "settings"), Generated: now, Since: sinceS, Until: untilS,
		JSONURL: "/report?" + url.Values{"format": {"json"}, "since": {sinceS}, "until": {untilS}}.Encode()}
	users, err := p.s.st.Users()
	if err != nil {
		p.fail(w, r, err)
		return
	}
	for _, u := range users {
		pg.Users = append(pg.Users, newUserRow(u, c))
	}
	entries, err := p.s.st.AuditEntries(since, until, 0, false)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	pg.LastSignIn = map[string]time.Time{}
	for _, e := range entries {
		switch {
		case e.Action == "session.login":
			pg.LastSignIn[e.Target] = e.Time // entries are oldest first
		case e.Action == "user.removed" || e.Action == "user.deleted":
			pg.Offboardings = append(pg.Offboardings, e)
		}
		if reportAction(e.Action) {
			pg.Changes = append(pg.Changes, e)
		}
	}
	if pg.Accounts, err = p.s.st.Accounts(); err != nil {
		p.fail(w, r, err)
		return
	}
	if pg.PlatformsSeen, pg.Suggestions, err = p.platformsSeen(since, pg.Accounts); err != nil {
		p.fail(w, r, err)
		return
	}
	pg.ChainEntries, err = p.s.st.VerifyAudit()
	if err != nil {
		pg.ChainError = err.Error() // the chain error names the first broken entry; no secrets
	}
	pg.FirmNumbers = p.firmNumbers(p.modems())
	if r.URL.Query().Get("format") == "json" {
		w.Header().Set("Content-Disposition", `attachment; filename="firmline-report-`+now.Format("20060102")+`.json"`)
		writeJSON(w, http.StatusOK, reportJSON(pg))
		return
	}
	p.render(w, r, http.StatusOK, "report", pg)
}

// reportFile is the JSON export of the compliance report.
type reportFile struct {
	Generated     time.Time          `json:"generated"`
	GeneratedBy   string             `json:"generated_by"`
	Since         string             `json:"since"`
	Until         string             `json:"until"`
	FirmNumbers   []string           `json:"firm_numbers"`
	PlatformsSeen []string           `json:"platforms_seen"`
	Users         []reportUser       `json:"users"`
	Register      []reportAccount    `json:"mfa_register"`
	Unregistered  []suggestion       `json:"unregistered_platforms"`
	Offboardings  []store.AuditEntry `json:"offboardings"`
	Changes       []store.AuditEntry `json:"access_changes"`
	AuditEntries  int                `json:"audit_entries_verified"`
	AuditIntact   bool               `json:"audit_chain_intact"`
	AuditError    string             `json:"audit_chain_error,omitempty"`
}

type reportUser struct {
	Name     string     `json:"name"`
	Email    string     `json:"email"`
	Role     store.Role `json:"role"`
	Primary  bool       `json:"primary_owner"`
	MFA      string     `json:"second_factor"`
	LastSeen time.Time  `json:"last_seen"`
	// LastSignIn is the newest sign-in in the report's period (zero: none in the period).
	LastSignIn time.Time `json:"last_sign_in"`
}

type reportAccount struct {
	Platform     string    `json:"platform"`
	Account      string    `json:"account"`
	RegisteredBy string    `json:"registered_by"`
	Registered   time.Time `json:"registered"`
	Notes        string    `json:"notes"`
}

func reportJSON(pg reportPage) reportFile {
	f := reportFile{Generated: pg.Generated, Since: pg.Since, Until: pg.Until, FirmNumbers: pg.FirmNumbers,
		PlatformsSeen: pg.PlatformsSeen, Changes: pg.Changes, AuditEntries: pg.ChainEntries,
		Register: []reportAccount{}, Unregistered: pg.Suggestions, Offboardings: pg.Offboardings,
		AuditIntact: pg.ChainError == "", AuditError: pg.ChainError}
	if pg.User != nil {
		f.GeneratedBy = pg.User.Email
	}
	for _, u := range pg.Users {
		f.Users = append(f.Users, reportUser{Name: u.Name, Email: u.Email, Role: u.Role, Primary: u.Primary,
			MFA: u.MFAState, LastSeen: u.LastSeen, LastSignIn: pg.LastSignIn[u.Email]})
	}
	for _, a := range pg.Accounts {
		f.Register = append(f.Register, reportAccount{Platform: a.Platform, Account: a.Account,
			RegisteredBy: a.RegisteredBy, Registered: a.Registered, Notes: a.Notes})
	}
	if f.Offboardings == nil {
		f.Offboardings = []store.AuditEntry{}
	}
	return f
}

// platformsSeen are the platforms that sent codes since the period's start, and those of them
// the register does not name.
func (p *pages) platformsSeen(since time.Time, reg []store.Account) ([]string, []suggestion, error) {
	seen, sg, err := p.s.unregistered(since, reg)
	names := map[string]bool{}
	for n := range seen {
		names[n] = true
	}
	return sortedKeys(names), sg, err
}
