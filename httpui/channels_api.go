package httpui

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"firmline/notify"
	"firmline/store"
)

// channelView is a channel as the API shows it: URL and secret masked (notify.Mask).
type channelView struct {
	ID      string    `json:"id"`
	Type    string    `json:"type"`
	Name    string    `json:"name"`
	URL     string    `json:"url"`
	Secret  string    `json:"secret"`
	To      string    `json:"to"`
	Redact  bool      `json:"redact"`
	Default bool      `json:"default"`
	Created time.Time `json:"created"`
}

func channelJSON(c store.Channel) channelView {
	v := channelView{ID: c.ID, Type: c.Type, Name: c.Name, To: c.To, Redact: c.Redact, Default: c.Default, Created: c.Created}
	if c.URL != "" {
		v.URL = notify.Mask(c.URL)
	}
	if c.Secret != "" {
		v.Secret = notify.Mask(c.Secret)
	}
	return v
}

// channelInput is the body of POST /api/v1/channels.
type channelInput struct {
	Type    string `json:"type"`
	Name    string `json:"name"`
	URL     string `json:"url"`
	Secret  string `json:"secret"`
	To      string `json:"to"`
	Redact  bool   `json:"redact"`
	Default bool   `json:"default"`
}

// createChannel validates and stores a channel. A webhook without a secret gets a generated
// one, returned once in full (generated) so the receiver can be configured.
func (s *Server) createChannel(ctx context.Context, c caller, in channelInput) (store.Channel, string, error) {
	ch := store.Channel{Type: in.Type, Name: in.Name, URL: in.URL, Secret: in.Secret, To: in.To,
		Redact: in.Redact, Default: in.Default, Created: s.now()}
	var generated string
	if ch.Type == notify.TypeWebhook && ch.Secret == "" {
		generated = notify.NewSecret()
		ch.Secret = generated
	}
	if err := notify.Validate(ch); err != nil {
		if errors.Is(err, notify.ErrInvalid) || errors.Is(err, notify.ErrRetiredConnector) {
			return ch, "", badRequest(err.Error())
		}
		return ch, "", err
	}
	ch, err := s.st.PutChannel(ch)
	if err != nil {
		return ch, "", err
	}
	return ch, generated, s.audit(c.Actor(), "channel.created", ch.Name, c.Addr, map[string]string{"type": ch.Type, "id": ch.ID})
}

// deleteChannel removes a channel.
func (s *Server) deleteChannel(ctx context.Context, c caller, id string) error {
	ch, err := s.st.Channel(id)
	if err != nil {
		return err
	}
	if err := s.st.DeleteChannel(id); err != nil {
		return err
	}
	return s.audit(c.Actor(), "channel.deleted", ch.Name, c.Addr, map[string]string{"type": ch.Type, "id": ch.ID})
}

// testResult is the receiver's answer to a test notification.
type testResult struct {
	OK     bool   `json:"ok"`
	Status int    `json:"status"`
	Body   string `json:"body"`
	Error  string `json:"error,omitempty"`
}

// testChannel sends a test notification through the notify worker. A delivery failure is not
// an API error: it is reported in the result (notify's errors never carry URLs or secrets).
func (s *Server) testChannel(ctx context.Context, c caller, id string) (testResult, error) {
	if _, err := s.st.Channel(id); err != nil {
		return testResult{}, err
	}
	if s.notifier == nil {
		return testResult{}, conflict("notifications are not running")
	}
	ans, err := s.notifier.Test(ctx, id)
	res := testResult{OK: err == nil, Status: ans.Status, Body: ans.Body}
	if err != nil {
		res.Error = err.Error()
	}
	return res, nil
}

// putRules replaces the routing rules after notify.ValidateRule checked each one and
// every channel it names exists.
func (s *Server) putRules(ctx context.Context, c caller, rules []store.Rule) error {
	if len(rules) > 200 {
		return badRequest("at most 200 rules")
	}
	chans, err := s.st.Channels()
	if err != nil {
		return err
	}
	known := map[string]bool{}
	for _, ch := range chans {
		known[ch.ID] = true
	}
	for i, r := range rules {
		err := notify.ValidateRule(r)
		if errors.Is(err, notify.ErrInvalid) {
			return badRequest("rule " + strconv.Itoa(i+1) + ": " + err.Error())
		}
		if err != nil {
			return err
		}
		for _, id := range r.Channels {
			if !known[id] {
				return badRequest("rule " + strconv.Itoa(i+1) + " names a channel that does not exist")
			}
		}
	}
	if err := s.st.PutRules(rules); err != nil {
		return err
	}
	return s.audit(c.Actor(), "rules.changed", "rules", c.Addr, map[string]string{"count": strconv.Itoa(len(rules))})
}

func (s *Server) handleChannels(w http.ResponseWriter, r *http.Request) error {
	chans, err := s.st.Channels()
	if err != nil {
		return err
	}
	out := make([]channelView, 0, len(chans))
	for _, ch := range chans {
		out = append(out, channelJSON(ch))
	}
	writeJSON(w, http.StatusOK, map[string]any{"channels": out})
	return nil
}

func (s *Server) handleCreateChannel(w http.ResponseWriter, r *http.Request) error {
	var in channelInput
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	ch, generated, err := s.createChannel(r.Context(), s.must(r), in)
	if err != nil {
		return err
	}
	out := map[string]any{"channel": channelJSON(ch)}
	if generated != "" {
		out["signing_secret"] = generated
	}
	writeJSON(w, http.StatusCreated, out)
	return nil
}

func (s *Server) handleDeleteChannel(w http.ResponseWriter, r *http.Request) error {
	if err := s.deleteChannel(r.Context(), s.must(r), r.PathValue("id")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
	return nil
}

func (s *Server) handleTestChannel(w http.ResponseWriter, r *http.Request) error {
	res, err := s.testChannel(r.Context(), s.must(r), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func (s *Server) handleRules(w http.ResponseWriter, r *http.Request) error {
	rules, err := s.st.Rules()
	if err != nil {
		return err
	}
	if rules == nil {
		rules = []store.Rule{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": rules})
	return nil
}

func (s *Server) handlePutRules(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Rules []store.Rule `json:"rules"`
	}
	if err := decodeJSON(w, r, &in); err != nil {
		return err
	}
	if err := s.putRules(r.Context(), s.must(r), in.Rules); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"rules": in.Rules})
	return nil
}

func (s *Server) handleDeliveries(w http.ResponseWriter, r *http.Request) error {
	ds, err := s.st.Deliveries(r.URL.Query().Get("message"), 200)
	if err != nil {
		return err
	}
	if ds == nil {
		ds = []store.Delivery{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"deliveries": ds})
	return nil
}
