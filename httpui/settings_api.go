package httpui

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"firmline/store"
)

// settingsView is the settings as the API shows them (never the setup code hash).
type settingsView struct {
	MFAPolicy      string            `json:"mfa_policy"`
	RetentionDays  int               `json:"retention_days"`
	OwnNumbers     map[string]string `json:"own_numbers"`
	PublicURL      string            `json:"public_url"`
	HeartbeatDaily bool              `json:"heartbeat_daily"`
}

func settingsJSON(st store.Settings) settingsView {
	nums := st.OwnNumbers
	if nums == nil {
		nums = map[string]string{}
	}
	return settingsView{MFAPolicy: st.MFAPolicy, RetentionDays: st.RetentionDays, OwnNumbers: nums,
		PublicURL: st.PublicURL, HeartbeatDaily: st.HeartbeatDaily}
}

// settingsInput is PUT /api/v1/settings; absent fields are left alone. The MFA policy is a
// Manager's to change; everything else needs an Owner.
type settingsInput struct {
	MFAPolicy      *string            `json:"mfa_policy"`
	RetentionDays  *int               `json:"retention_days"`
	OwnNumbers     *map[string]string `json:"own_numbers"`
	PublicURL      *string            `json:"public_url"`
	HeartbeatDaily *bool              `json:"heartbeat_daily"`
}

func (in settingsInput) ownerFields() bool {
	return in.RetentionDays != nil || in.OwnNumbers != nil || in.PublicURL != nil || in.HeartbeatDaily != nil
}

func (in settingsInput) validate() error {
	if in.MFAPolicy != nil && *in.MFAPolicy != "optional" && *in.MFAPolicy != "required" {
		return badRequest("mfa_policy must be optional or required")
	}
	if in.RetentionDays != nil && (*in.RetentionDays < 0 || *in.RetentionDays > 36500) {
		return badRequest("retention_days must be between 0 (keep forever) and 36500")
	}
	if in.OwnNumbers != nil && len(*in.OwnNumbers) > 16 {
		return badRequest("at most 16 own numbers")
	}
	if in.OwnNumbers != nil {
		for k, v := range *in.OwnNumbers {
			if len(k) > 100 || len(v) > 32 {
				return badRequest("own numbers: modem names up to 100 and numbers up to 32 characters")
			}
		}
	}
	if in.PublicURL != nil && *in.PublicURL != "" {
		u, err := url.Parse(*in.PublicURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(*in.PublicURL) > 500 {
			return badRequest("public_url must be an absolute http(s) URL")
		}
	}
	return nil
}

// updateSettings applies a change and audits settings.changed with the changed field names.
func (s *Server) updateSettings(ctx context.Context, c caller, in settingsInput) (store.Settings, error) {
	if in.ownerFields() && !c.Role.AtLeast(store.RoleOwner) {
		return store.Settings{}, forbidden("only an Owner can change these settings")
	}
	if err := in.validate(); err != nil {
		return store.Settings{}, err
	}
	var changed []string
	set := func(name string) { changed = append(changed, name) }
	st, err := s.st.UpdateSettings(func(x *store.Settings) error {
		if in.MFAPolicy != nil && x.MFAPolicy != *in.MFAPolicy {
			x.MFAPolicy = *in.MFAPolicy
			set("mfa_policy")
		}
		if in.RetentionDays != nil && x.RetentionDays != *in.RetentionDays {
			x.RetentionDays = *in.RetentionDays
			set("retention_days")
		}
		if in.OwnNumbers != nil {
			x.OwnNumbers = *in.OwnNumbers
			set("own_numbers")
		}
		if in.PublicURL != nil && x.PublicURL != *in.PublicURL {
			x.PublicURL = strings.TrimSuffix(*in.PublicURL, "/")
			set("public_url")
		}
		if in.HeartbeatDaily != nil && x.HeartbeatDaily != *in.HeartbeatDaily {
			x.HeartbeatDaily = *in.HeartbeatDaily
			set("heartbeat_daily")
		}
		return nil
	})
	if err != nil || len(changed) == 0 {
		return st, err
	}
	detail := map[string]string{"fields": strings.Join(changed, ",")}
	if slices.Contains(changed, "mfa_policy") {
		detail["mfa_policy"] = st.MFAPolicy
	}
	return st, s.audit(c.Actor(), "settings.changed", "settings", c.Addr, detail)
}

func (s *Server) handleSettings(w http.ResponseWriter, r *http.Request) error {
	st, err := s.st.Settings()
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, settingsJSON(st))
	return nil
}

func (s *Server) handlePutSettings(w http.ResponseWriter, r *http.Request) error {
	var in settingsInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	st, err := s.updateSettings(r.Context(), s.must(r), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, settingsJSON(st))
	return nil
}
