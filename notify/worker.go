package notify

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"strings"
	"sync"
	"time"

	"firmline/store"
)

// Config tunes the Worker. The zero value of every field means its default.
type Config struct {
	Mailer      *Mailer             // nil: no SMTP; email channels fail, per-user email is off
	PublicURL   string              // inbox address for links when Settings.PublicURL is empty
	HTTPClient  *http.Client        // NewHTTPClient()
	Concurrency int                 // sends in flight at once; 4
	Timeout     time.Duration       // per send; 10 s
	FirstRetry  time.Duration       // first backoff ceiling; 2 s
	MaxBackoff  time.Duration       // longest wait between tries; 10 min
	GiveUpAfter time.Duration       // a delivery fails for good this long after creation; 24 h
	AlertAfter  time.Duration       // a modem bad this long raises an alert; 3 min
	Now         func() time.Time    // time.Now
	Rand        func(n int64) int64 // uniform in [0, n); math/rand/v2 Int64N
	Senders     map[string]Sender   // by channel type; the four built-in senders
}

func (c *Config) defaults() {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.Timeout, 10*time.Second)
	def(&c.FirstRetry, 2*time.Second)
	def(&c.MaxBackoff, 10*time.Minute)
	def(&c.GiveUpAfter, 24*time.Hour)
	def(&c.AlertAfter, 3*time.Minute)
	if c.Concurrency <= 0 {
		c.Concurrency = 4
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	if c.Rand == nil {
		c.Rand = rand.Int64N
	}
	if c.HTTPClient == nil {
		c.HTTPClient = NewHTTPClient()
	}
	if c.Senders == nil {
		c.Senders = map[string]Sender{
			TypeSlack:   Slack{Client: c.HTTPClient},
			TypeTeams:   Teams{Client: c.HTTPClient},
			TypeEmail:   Email{Mailer: c.Mailer},
			TypeWebhook: Webhook{Client: c.HTTPClient, Now: c.Now},
		}
	}
}

// Worker is the single owner of sending. Run expands outbox events into deliveries and sends
// due deliveries; Wake, ModemState and Test may be called from any goroutine.
type Worker struct {
	st  *store.Store
	cfg Config
	log *slog.Logger

	wake     chan struct{}
	expandMu sync.Mutex // serialises event expansion between Run and Test
	health   health
	beat     heartbeat

	finished chan<- store.Delivery // tests: every recorded attempt, after the store has it
}

// New returns a Worker on st; nothing runs until Run.
func New(st *store.Store, cfg Config, log *slog.Logger) *Worker {
	cfg.defaults()
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Worker{st: st, cfg: cfg, log: log, wake: make(chan struct{}, 1),
		health: health{modems: map[string]*modemHealth{}}}
}

// Wake tells Run that the outbox changed (a message was committed). It never blocks.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// Run sends until ctx is done, then waits for the sends in flight (they are cut off by ctx,
// and stay pending for the next start). State lives in the store, so a restart loses nothing.
func (w *Worker) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	defer wg.Wait()
	done := make(chan string, w.cfg.Concurrency) // never blocks: at most Concurrency in flight
	inflight := map[string]bool{}
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		wait := w.pass(ctx, &wg, done, inflight)
		timer.Reset(wait)
		select {
		case <-ctx.Done():
			return nil
		case <-w.wake:
		case id := <-done:
			delete(inflight, id)
		case <-timer.C:
		}
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
	}
}

// pass does one round of work and returns how long Run may sleep before the next one.
func (w *Worker) pass(ctx context.Context, wg *sync.WaitGroup, done chan<- string, inflight map[string]bool) time.Duration {
	now := w.cfg.Now()
	w.Tick(now)
	if err := w.expand(); err != nil {
		w.log.Warn("cannot expand notification events", "error", err)
		return 5 * time.Second
	}
	if err := w.dispatch(ctx, wg, done, inflight); err != nil {
		w.log.Warn("cannot read due deliveries", "error", err)
		return 5 * time.Second
	}
	return w.sleep(now, len(inflight) > 0)
}

func (w *Worker) dispatch(ctx context.Context, wg *sync.WaitGroup, done chan<- string, inflight map[string]bool) error {
	free := w.cfg.Concurrency - len(inflight)
	if free <= 0 {
		return nil
	}
	due, err := w.st.DueDeliveries(w.cfg.Now(), w.cfg.Concurrency+len(inflight))
	if err != nil {
		return err
	}
	for _, d := range due {
		if free == 0 {
			break
		}
		if inflight[d.ID] {
			continue
		}
		inflight[d.ID] = true
		free--
		wg.Add(1)
		go func() {
			defer wg.Done()
			w.deliver(ctx, d)
			done <- d.ID
		}()
	}
	return nil
}

// sleep is the time until the next due delivery, health deadline or heartbeat. While sends
// are in flight the earliest due delivery may be one of them: their completion wakes Run.
func (w *Worker) sleep(now time.Time, busy bool) time.Duration {
	next := w.health.deadline(w.cfg.AlertAfter)
	if t, ok := w.st.NextDue(); ok && (t.After(now) || !busy) {
		next = earliest(next, t)
	}
	if next.IsZero() {
		return time.Hour
	}
	return min(max(next.Sub(now), 10*time.Millisecond), time.Hour)
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

// deliver makes one attempt and records it. A send cut off by shutdown is not recorded: the
// delivery stays due and is retried, with the same id, by the next Run.
func (w *Worker) deliver(ctx context.Context, d store.Delivery) {
	ch, n, err := w.notification(d)
	if err == nil {
		_, err = w.send(ctx, ch, n)
	}
	if err != nil && ctx.Err() != nil {
		return
	}
	w.record(d, ch, err)
}

func (w *Worker) send(ctx context.Context, ch store.Channel, n Notification) (Answer, error) {
	s, ok := w.cfg.Senders[ch.Type]
	if !ok {
		return Answer{}, wrapPermanent(fmt.Errorf("%w: unknown channel type %q", ErrInvalid, ch.Type))
	}
	sctx, cancel := context.WithTimeout(ctx, w.cfg.Timeout)
	defer cancel()
	return s.Send(sctx, ch, n)
}

// record stores the outcome of one attempt: delivered, retry later, or failed for good.
func (w *Worker) record(d store.Delivery, ch store.Channel, sendErr error) {
	now := w.cfg.Now()
	var next time.Time
	final := false
	errText := ""
	if sendErr != nil {
		errText = clip(sendErr.Error(), 300)
		next, final = w.retryAt(d, now, sendErr)
	}
	got, err := w.st.FinishDelivery(d.ID, sendErr == nil, errText, next, final)
	if err != nil {
		w.log.Error("cannot record a delivery attempt", "delivery_id", d.ID, "error", err)
		return
	}
	w.logAttempt(got, ch, sendErr)
	w.audit(got, ch)
	if w.finished != nil {
		w.finished <- got
	}
}

// retryAt computes the next try: full jitter over [FirstRetry, ceiling], the ceiling doubling
// per attempt up to MaxBackoff; final once GiveUpAfter has passed since creation, or when the
// error is permanent. The last try is scheduled at the give-up time itself.
func (w *Worker) retryAt(d store.Delivery, now time.Time, err error) (time.Time, bool) {
	deadline := d.Created.Add(w.cfg.GiveUpAfter)
	if errors.Is(err, ErrPermanent) || !now.Before(deadline) {
		return time.Time{}, true
	}
	ceiling := w.cfg.MaxBackoff
	if d.Attempts < 20 {
		ceiling = min(ceiling, w.cfg.FirstRetry<<d.Attempts)
	}
	delay := min(w.cfg.FirstRetry+time.Duration(w.cfg.Rand(int64(ceiling))), w.cfg.MaxBackoff)
	next := now.Add(delay)
	if next.After(deadline) {
		next = deadline
	}
	return next, false
}

func (w *Worker) logAttempt(d store.Delivery, ch store.Channel, err error) {
	attrs := []any{"delivery_id", d.ID, "kind", d.Kind, "channel_id", d.ChannelID, "channel_type", ch.Type, "attempts", d.Attempts}
	switch d.Status {
	case store.StatusDelivered:
		w.log.Info("notification delivered", attrs...)
	case store.StatusFailed:
		w.log.Warn("notification failed for good", append(attrs, "error", err)...)
	default:
		w.log.Info("notification attempt failed; will retry", append(attrs, "error", err, "next_attempt", d.NextAttempt)...)
	}
}

// audit records the final outcome of a delivery in the audit log (the firm's evidence that
// a code reached its channel, or did not). Retries in between are in the delivery log only.
func (w *Worker) audit(d store.Delivery, ch store.Channel) {
	action := ""
	switch d.Status {
	case store.StatusDelivered:
		action = "notification.delivered"
	case store.StatusFailed:
		action = "notification.failed"
	default:
		return
	}
	detail := map[string]string{"delivery_id": d.ID, "kind": d.Kind, "channel_type": ch.Type, "attempts": fmt.Sprint(d.Attempts)}
	if d.MessageID != "" {
		detail["msg_id"] = d.MessageID
	}
	if d.LastError != "" {
		detail["error"] = d.LastError
	}
	if _, err := w.st.Audit(store.AuditEntry{Actor: "system", Action: action, Target: ch.Name, Detail: detail}); err != nil {
		w.log.Error("audit append failed", "action", action, "error", err)
	}
}

// userChannel marks a delivery to one user's own address (per-user email preferences).
const userChannel = "user:"

// channel resolves a delivery's channel; a deleted channel fails the delivery for good.
func (w *Worker) channel(d store.Delivery) (store.Channel, error) {
	if id, ok := strings.CutPrefix(d.ChannelID, userChannel); ok {
		// The person must still be on the team: a removed user gets nothing more, even a
		// delivery planned (or retrying) from before their removal.
		u, err := w.st.User(id)
		switch {
		case errors.Is(err, store.ErrNotFound) || (err == nil && u.Email != d.Data["to"]):
			return store.Channel{}, wrapPermanent(errors.New("the user was removed"))
		case err != nil:
			return store.Channel{}, err
		}
		return store.Channel{ID: d.ChannelID, Type: TypeEmail, Name: "personal email of user " + id, To: u.Email}, nil
	}
	ch, err := w.st.Channel(d.ChannelID)
	if errors.Is(err, store.ErrNotFound) {
		return ch, wrapPermanent(errors.New("the channel was deleted"))
	}
	return ch, err
}
