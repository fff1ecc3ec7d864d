package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"firmline/httpui"
	"firmline/modem"
	"firmline/notify"
	"firmline/store"
)

const dbName = "firmline.db"

// appliance is a running serve: what the demo and the end-to-end tests reach into.
type appliance struct {
	cfg    config
	log    *slog.Logger
	store  *store.Store
	web    *httpui.Server
	worker *notify.Worker
	modems *modemSet
	addr   net.Addr
	url    string
}

func cmdServe(env cliEnv, args []string) error {
	cfg, rest, err := loadConfig("serve", args, env.getenv, env.stderr)
	if err != nil {
		return err
	}
	if len(rest) > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, rest[0])
	}
	if err := cfg.Validate(); err != nil {
		return err
	}
	log := newLogger(cfg.LogLevel, env.stderr, env.getenv)
	return serve(env.ctx, cfg, log, env.getenv, nil)
}

// serve runs the appliance until ctx is done. ready, when set, is called once everything is
// up. Shutdown order: stop reading the modems, shut the web server (and its WebSockets), drain
// the notifier to a deadline, close the database last.
func serve(ctx context.Context, cfg config, log *slog.Logger, getenv func(string) string, ready func(*appliance)) error {
	if err := os.MkdirAll(cfg.Data, 0o750); err != nil {
		return fmt.Errorf("cannot create the data directory %s: %w", cfg.Data, err)
	}
	st, err := store.Open(filepath.Join(cfg.Data, dbName), store.Options{LockTimeout: 2 * time.Second})
	if err != nil {
		return openError(cfg.Data, err)
	}
	defer st.Close()
	a := &appliance{cfg: cfg, log: log, store: st, modems: newModemSet()}
	if err := a.build(ctx, getenv); err != nil {
		return err
	}
	return a.run(ctx, getenv, ready)
}

// build creates the parts; nothing runs yet.
func (a *appliance) build(ctx context.Context, getenv func(string) string) error {
	var mailer *notify.Mailer
	if a.cfg.SMTP.Host != "" {
		m, err := notify.NewMailer(notify.SMTP{Host: a.cfg.SMTP.Host, Port: a.cfg.SMTP.Port, User: a.cfg.SMTP.User,
			Password: a.cfg.SMTP.Password, From: a.cfg.SMTP.From, TLS: a.cfg.SMTP.TLS})
		if err != nil {
			return fmt.Errorf("%w: the SMTP settings are not usable: %v", errUsage, err)
		}
		mailer = m
	}
	a.worker = notify.New(a.store, notify.Config{Mailer: mailer, PublicURL: a.cfg.PublicURL}, a.log.With("part", "notify"))
	deps := httpui.Deps{Store: a.store, Log: a.log.With("part", "web"), Modems: a.modemStatuses, Notify: a.worker}
	if mailer != nil {
		deps.Mailer = mailer
	}
	web, err := httpui.New(httpui.Config{Listen: a.cfg.Listen, TLS: a.cfg.TLS, TLSCert: a.cfg.TLSCert, TLSKey: a.cfg.TLSKey,
		DataDir: a.cfg.Data, PublicURL: a.cfg.PublicURL, Version: version}, deps)
	if err != nil {
		return fmt.Errorf("cannot start the web inbox: %w", err)
	}
	a.web = web
	ports := a.cfg.Modems
	if len(ports) == 0 {
		dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		port, err := modem.Detect(dctx, a.log)
		cancel()
		if err != nil {
			a.log.Warn("no modem found; firmline keeps serving the inbox and looks again when restarted with --modem", "error", err)
		} else {
			ports = []string{port}
		}
	}
	pipe := &pipeline{store: a.store, publish: a.web.Publish, wake: a.worker.Wake, log: a.log.With("part", "receive"), now: time.Now}
	for i, port := range ports {
		name := fmt.Sprintf("modem%d", i+1)
		m := modem.New(modem.Config{Name: name, Port: port, Baud: a.cfg.Baud, PIN: a.cfg.PIN, Log: a.log.With("part", "modem", "modem", name)},
			pipe, a.onModemStatus)
		a.modems.add(m)
	}
	return nil
}

// onModemStatus is called by a modem on every status change.
func (a *appliance) onModemStatus(s modem.Status) {
	if a.modems.changed(s.Name, s.State) {
		detail := map[string]string{"state": s.State}
		if s.LastError != "" {
			detail["problem"] = s.LastError
		}
		if _, err := a.store.Audit(store.AuditEntry{Actor: "system", Action: "modem.state_changed", Target: s.Name, Detail: detail}); err != nil {
			a.log.Error("audit append failed", "error", err)
		}
	}
	a.web.PublishModem(a.withOwnNumber(modemJSON(s)))
	a.worker.ModemState(s.Name, s.State)
}

func (a *appliance) run(ctx context.Context, getenv func(string) string, ready func(*appliance)) error {
	ln, err := a.listen()
	if err != nil {
		return err
	}
	a.addr = ln.Addr()
	adminLn, err := listenAdmin(a.cfg.Data)
	if err != nil {
		ln.Close()
		return err
	}
	defer os.Remove(filepath.Join(a.cfg.Data, adminSocketName))
	sd := newNotifier(getenv, a.log)
	errs := make(chan error, 16)
	modems, web, bg := newGroup(ctx, errs), newGroup(context.Background(), errs), newGroup(context.Background(), errs)
	web.Go(func(c context.Context) error { return a.web.Serve(c, ln) })
	admin := &adminServer{env: adminEnv{store: a.store, disconnect: a.web.DisconnectUser,
		disconnectToken: a.web.DisconnectToken, log: a.log.With("part", "admin")}, ln: adminLn}
	for _, part := range []func(context.Context) error{admin.Run, a.worker.Run, a.revealLoop, a.retentionLoop, a.backupLoop,
		func(c context.Context) error { return sd.Watchdog(c, a.healthy) }, func(c context.Context) error { return a.statusLoop(c, sd) }} {
		bg.Go(part)
	}
	for _, m := range a.modems.list() {
		modems.Go(m.Run)
	}
	a.url = a.baseURL()
	a.log.Info("firmline is serving", "url", a.url, "version", version, "data", a.cfg.Data, "modems", len(a.modems.list()))
	if fp := a.web.TLSFingerprint(); fp != "" {
		a.log.Info("TLS certificate fingerprint (check it when the browser warns)", "sha256", fp)
	}
	sd.Ready()
	if ready != nil {
		ready(a)
	}
	var runErr error
	select {
	case <-ctx.Done():
	case runErr = <-errs:
	}
	sd.Stopping()
	a.log.Info("shutting down")
	modems.Stop() // stop reading the modems first: nothing new is committed after this
	web.Stop()    // http.Server.Shutdown, then the hub closes the WebSockets
	bg.Stop()     // the outbox is durable: a send cut off here is retried, with the same delivery id, at the next start
	if runErr == nil {
		select {
		case runErr = <-errs:
		default:
		}
	}
	return runErr
}

// group runs long-lived parts under one context; each part's error (other than
// cancellation) goes to errs. Stop cancels the context and waits for every part.
type group struct {
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	errs   chan<- error
}

func newGroup(parent context.Context, errs chan<- error) *group {
	ctx, cancel := context.WithCancel(parent)
	return &group{ctx: ctx, cancel: cancel, errs: errs}
}

func (g *group) Go(part func(context.Context) error) {
	g.wg.Add(1)
	go func() {
		defer g.wg.Done()
		if err := part(g.ctx); err != nil && !errors.Is(err, context.Canceled) {
			select {
			case g.errs <- err:
			default:
			}
		}
	}()
}

func (g *group) Stop() {
	g.cancel()
	g.wg.Wait()
}

func (a *appliance) listen() (net.Listener, error) {
	if ln, err := systemdListener(); err != nil || ln != nil {
		return ln, err
	}
	ln, err := net.Listen("tcp", a.cfg.Listen)
	if err != nil {
		return nil, fmt.Errorf("cannot listen on %s: %w", a.cfg.Listen, err)
	}
	return ln, nil
}

func (a *appliance) baseURL() string {
	scheme := "https"
	if a.cfg.TLS == "off" {
		scheme = "http"
	}
	host, port, _ := net.SplitHostPort(a.addr.String())
	if ip := net.ParseIP(host); ip == nil || ip.IsUnspecified() {
		host = "localhost"
	}
	return fmt.Sprintf("%s://%s", scheme, net.JoinHostPort(host, port))
}

// revealLoop shows incomplete concatenated messages once their grace period is over.
func (a *appliance) revealLoop(ctx context.Context) error {
	t := time.NewTicker(2 * time.Second)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		msgs, err := a.store.RevealIncomplete(time.Now().Add(-a.cfg.Grace))
		if err != nil {
			a.log.Error("cannot reveal incomplete messages", "error", err)
			continue
		}
		for _, m := range msgs {
			a.web.Publish(m)
		}
		if len(msgs) > 0 {
			a.worker.Wake()
		}
	}
}

// retentionLoop removes message bodies older than the Owner's retention setting, hourly.
func (a *appliance) retentionLoop(ctx context.Context) error {
	for {
		if s, err := a.store.Settings(); err == nil && s.RetentionDays > 0 {
			n, err := a.store.ExpireMessages(time.Now().AddDate(0, 0, -s.RetentionDays))
			if err != nil {
				a.log.Error("retention run failed", "error", err)
			} else if n > 0 {
				a.log.Info("retention removed old message bodies", "count", n)
			}
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Hour):
		}
	}
}
