package main

import (
	"context"
	"crypto/rand"
	"encoding/base32"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"os"
	"strings"
	"time"

	"firmline/httpui"
	"firmline/modem/pdu"
	"firmline/modem/sim"
	"firmline/store"
)

// demoSample is one realistic verification text the demo sends through the simulated modem.
type demoSample struct {
	sender, text string
}

// demoSamples are what a law firm's number receives; %s is replaced by a fresh code.
var demoSamples = []demoSample{
	{"+12065550143", "Your Clio verification code is %s. It expires in 10 minutes."},
	{"ThomsonRtrs", "Thomson Reuters: %s is your Westlaw one-time passcode. Do not share it."},
	{"+14155550199", "NetDocuments security code: %s"},
	{"iManage", "Your iManage Work authentication code is %s. This code is valid for 5 minutes."},
	{"69525", "Use %s as Microsoft account security code"},
	{"+18885550122", "MyCase: your login verification code is %s"},
	{"LexisNexis", "%s is your Lexis+ verification code."},
}

// demoLong is a concatenated message (more than 160 characters) sent now and then.
const demoLong = "Clio: a sign-in to your firm's Clio Manage account was requested from a new device (Chrome on Windows, Seattle, WA). " +
	"If this was you, enter the verification code %s. If it was not you, reset your password and contact your firm's administrator."

func cmdDemo(env cliEnv, args []string) error {
	fs := newFlags(env, "demo")
	listen := fs.String("listen", "127.0.0.1:8080", "where the demo inbox listens")
	every := fs.Duration("every", 20*time.Second, "how often a sample code arrives")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "firmline-demo-")
	if err != nil {
		return fmt.Errorf("cannot create a temporary data directory: %w", err)
	}
	defer os.RemoveAll(dir)
	log := newLogger("info", env.stderr, env.getenv)
	s, err := sim.Start(sim.Options{Profile: sim.Profile("quectel-ec25"), Dir: dir, Log: log.With("part", "simulator")})
	if err != nil {
		return fmt.Errorf("cannot start the simulated modem: %w", err)
	}
	defer s.Close()
	password := demoPassword()
	cfg := defaultConfig()
	cfg.Data, cfg.Listen, cfg.TLS, cfg.Modems = dir, *listen, "off", []string{s.Path()}
	if err := seedDemoOwner(cfg.Data, password); err != nil {
		return err
	}
	return serve(env.ctx, cfg, log, env.getenv, func(a *appliance) {
		fmt.Fprintf(env.stdout, "\nfirmline demo is running on a simulated modem.\n\n  Open   %s\n  Email  demo@firmline.example\n  Password %s\n\nA sample verification code arrives every %s. Press Ctrl-C to stop; the demo data is deleted.\n\n",
			a.url, password, every.String())
		go feedDemo(env.ctx, s, *every, log)
	})
}

func demoPassword() string {
	b := make([]byte, 10)
	rand.Read(b)
	p := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	return p[:4] + "-" + p[4:8] + "-" + p[8:12] + "-" + p[12:16]
}

// seedDemoOwner creates the demo's primary owner before the server opens the database.
func seedDemoOwner(dataDir, password string) error {
	st, err := store.Open(dataDir+"/"+dbName, store.Options{})
	if err != nil {
		return openError(dataDir, err)
	}
	defer st.Close()
	hash, err := httpui.HashPassword(password)
	if err != nil {
		return err
	}
	_, err = st.CreateUser(store.User{Email: "demo@firmline.example", Name: "Demo Owner", Role: store.RoleOwner, PasswordHash: hash})
	return err
}

// feedDemo sends a sample code through the simulated modem every interval; every fifth one
// is a long, concatenated message whose parts arrive out of order. It stops with ctx.
func feedDemo(ctx context.Context, s *sim.Sim, every time.Duration, log *slog.Logger) {
	for n := 0; ; n++ {
		pdus, err := demoPDUs(n)
		if err != nil {
			log.Error("demo sample could not be encoded", "error", err)
		} else if err := s.Deliver(pdus...); err != nil {
			log.Warn("simulated modem refused a sample", "error", err)
		}
		wait := every
		if n == 0 {
			wait = 3 * time.Second
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

func demoPDUs(n int) ([]string, error) {
	code := fmt.Sprintf("%06d", mrand.IntN(1000000))
	sample := demoSamples[n%len(demoSamples)]
	text := fmt.Sprintf(sample.text, code)
	if n%5 == 4 {
		sample, text = demoSamples[0], fmt.Sprintf(demoLong, code)
	}
	pdus, err := pdu.EncodeDeliver(pdu.Deliver{SMSC: "+15550000000", Sender: sample.sender, Text: text,
		SentAt: time.Now(), Ref: n % 256})
	if err != nil {
		return nil, err
	}
	if len(pdus) > 1 {
		pdus[0], pdus[len(pdus)-1] = pdus[len(pdus)-1], pdus[0]
	}
	return pdus, nil
}
