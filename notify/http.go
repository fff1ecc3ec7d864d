package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// answerLimit is how much of a receiver's body an Answer keeps.
const answerLimit = 512

// NewHTTPClient returns the client the HTTP senders use by default: no redirects (a redirect
// could carry the payload somewhere the firm did not choose), timeouts from the caller's
// context.
func NewHTTPClient() *http.Client {
	return &http.Client{
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// postJSON POSTs body to rawURL with the extra headers. Any 2xx is success; 4xx other than
// 408 and 429 wrap ErrPermanent when permanent4xx is set. Errors never contain the URL.
func postJSON(ctx context.Context, c *http.Client, rawURL string, body []byte, hdr http.Header) (Answer, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, rawURL, bytes.NewReader(body))
	if err != nil {
		return Answer{}, fmt.Errorf("%w: the channel URL is not valid", ErrPermanent)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "firmline")
	for k, v := range hdr {
		req.Header[k] = v
	}
	resp, err := c.Do(req)
	if err != nil {
		return Answer{}, scrub(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, answerLimit))
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) // lets the connection be reused
	a := Answer{Status: resp.StatusCode, Body: truncateUTF8(b)}
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return a, nil
	}
	return a, statusError(a)
}

// statusError describes a non-2xx answer.
func statusError(a Answer) error {
	body := a.Body
	if len(body) > 200 {
		body = body[:200]
	}
	return fmt.Errorf("receiver answered HTTP %d: %q", a.Status, body)
}

// permanent4xx wraps ErrPermanent around err when the answer is a 4xx that retrying cannot
// change (Slack's invalid_payload or no_service, a deleted Teams workflow).
func permanent4xx(a Answer, err error) error {
	if err == nil || a.Status < 400 || a.Status >= 500 || a.Status == 408 || a.Status == 429 {
		return err
	}
	return wrapPermanent(err)
}

func wrapPermanent(err error) error { return fmt.Errorf("%w: %w", ErrPermanent, err) }

// scrub drops the URL that net/http puts in its errors (it may carry a secret).
func scrub(err error) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("POST failed: %w", ue.Err)
	}
	return err
}

func truncateUTF8(b []byte) string { return strings.ToValidUTF8(string(b), "\uFFFD") }

// marshal encodes v as compact JSON without HTML escaping (the bodies are not HTML).
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("notify: marshal: " + err.Error()) // only our fixed types are marshalled
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}
