package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// config is the whole typed configuration of `firmline serve`. Layers, lowest first: the
// defaults literal, the config file, FIRMLINE_* environment variables, command-line flags.
type config struct {
	ConfigFile string
	Data       string
	Listen     string
	TLS        string
	TLSCert    string
	TLSKey     string
	Modems     []string
	Baud       int
	PIN        string
	PublicURL  string
	LogLevel   string
	SMTP       smtpConfig
	Grace      time.Duration // how long the parts of a concatenated message are awaited
	Backup     backupConfig
}

// backupConfig is the nightly backup: into Dir (a USB stick or NAS mount), keeping the last Keep.
type backupConfig struct {
	Dir, Passphrase string
	Keep            int
	At              string // local time of day, "02:30"
}

type smtpConfig struct {
	Host, User, Password, From, TLS string
	Port                            int
}

// defaultConfig is the one literal that holds every default.
func defaultConfig() config {
	return config{
		ConfigFile: "/etc/firmline/firmline.conf",
		Data:       "/var/lib/firmline",
		Listen:     ":8443",
		TLS:        "self-signed",
		Baud:       115200,
		LogLevel:   "info",
		SMTP:       smtpConfig{Port: 587, TLS: "starttls"},
		Grace:      30 * time.Second,
		Backup:     backupConfig{Keep: 14, At: "02:30"},
	}
}

// setting is one named knob, settable as --name, FIRMLINE_NAME and `name = value` in the file.
type setting struct {
	name, usage string
	set         func(*config, string) error
	secret      bool
}

func settings() []setting {
	str := func(f func(*config) *string) func(*config, string) error {
		return func(c *config, v string) error { *f(c) = v; return nil }
	}
	return []setting{
		{"data", "data directory (database, TLS certificate)", str(func(c *config) *string { return &c.Data }), false},
		{"listen", "HTTP(S) listen address", str(func(c *config) *string { return &c.Listen }), false},
		{"tls", "self-signed, files or off", str(func(c *config) *string { return &c.TLS }), false},
		{"tls-cert", "certificate file for --tls files", str(func(c *config) *string { return &c.TLSCert }), false},
		{"tls-key", "key file for --tls files", str(func(c *config) *string { return &c.TLSKey }), false},
		{"modem", "serial device(s) of the modem AT port, comma separated; empty = auto-detect", func(c *config, v string) error {
			c.Modems = splitList(v)
			return nil
		}, false},
		{"baud", "serial speed", func(c *config, v string) error { return setInt(&c.Baud, v) }, false},
		{"pin", "SIM PIN, entered at most once per start", str(func(c *config) *string { return &c.PIN }), true},
		{"public-url", "the inbox address as staff reach it", str(func(c *config) *string { return &c.PublicURL }), false},
		{"log-level", "debug, info, warn or error", str(func(c *config) *string { return &c.LogLevel }), false},
		{"smtp-host", "mail server for invitations and email notifications", str(func(c *config) *string { return &c.SMTP.Host }), false},
		{"smtp-port", "mail server port", func(c *config, v string) error { return setInt(&c.SMTP.Port, v) }, false},
		{"smtp-user", "mail server user", str(func(c *config) *string { return &c.SMTP.User }), false},
		{"smtp-password", "mail server password", str(func(c *config) *string { return &c.SMTP.Password }), true},
		{"smtp-from", "sender address of firmline's mail", str(func(c *config) *string { return &c.SMTP.From }), false},
		{"smtp-tls", "starttls, tls or none", str(func(c *config) *string { return &c.SMTP.TLS }), false},
		{"backup-dir", "nightly backups go here (a USB stick or NAS mount); empty = off", str(func(c *config) *string { return &c.Backup.Dir }), false},
		{"backup-keep", "how many nightly backups to keep", func(c *config, v string) error { return setInt(&c.Backup.Keep, v) }, false},
		{"backup-at", "local time of the nightly backup, HH:MM", str(func(c *config) *string { return &c.Backup.At }), false},
		{"backup-passphrase", "encrypt nightly backups with this passphrase (age)", str(func(c *config) *string { return &c.Backup.Passphrase }), true},
		{"concat-wait", "how long to wait for missing parts of a long message before showing it", func(c *config, v string) error {
			d, err := time.ParseDuration(v)
			if err != nil {
				return fmt.Errorf("%q is not a duration like 30s", v)
			}
			c.Grace = d
			return nil
		}, false},
	}
}

func setInt(p *int, v string) error {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return fmt.Errorf("%q is not a whole number", v)
	}
	*p = n
	return nil
}

func splitList(v string) []string {
	var out []string
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// errUsage marks an error that is the caller's fault (exit status 2).
var errUsage = errors.New("usage")

// loadConfig builds the configuration from all layers. Secrets may come from a file named by
// NAME_FILE (flag --smtp-password-file, env FIRMLINE_SMTP_PASSWORD_FILE, file smtp-password-file).
func loadConfig(name string, args []string, getenv func(string) string, stderr io.Writer) (config, []string, error) {
	c := defaultConfig()
	fs := flag.NewFlagSet("firmline "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	flags := map[string]*string{}
	fs.StringVar(&c.ConfigFile, "config", "", "config file (default /etc/firmline/firmline.conf if present)")
	for _, s := range settings() {
		flags[s.name] = fs.String(s.name, "", s.usage)
		if s.secret {
			flags[s.name+"-file"] = fs.String(s.name+"-file", "", "file holding the "+s.name)
		}
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printFlags(stderr, fs)
			return c, nil, errHelp
		}
		return c, nil, fmt.Errorf("%w: %v", errUsage, err)
	}
	explicit := c.ConfigFile != ""
	if !explicit {
		c.ConfigFile = getenv("FIRMLINE_CONFIG")
		explicit = c.ConfigFile != ""
	}
	if !explicit {
		c.ConfigFile = defaultConfig().ConfigFile
	}
	file, err := readConfigFile(c.ConfigFile, explicit)
	if err != nil {
		return c, nil, err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	for _, s := range settings() {
		type layer struct{ val, from string }
		flagVal := func(n string) string {
			if set[n] {
				return *flags[n]
			}
			return ""
		}
		layers := []layer{
			{file[s.name], "config file " + s.name},
			{getenv(envName(s.name)), envName(s.name)},
			{flagVal(s.name), "--" + s.name},
		}
		if s.secret {
			layers = []layer{
				{file[s.name], "config file " + s.name},
				{readSecret(file[s.name+"-file"]), "config file " + s.name + "-file"},
				{getenv(envName(s.name)), envName(s.name)},
				{readSecret(getenv(envName(s.name) + "_FILE")), envName(s.name) + "_FILE"},
				{flagVal(s.name), "--" + s.name},
				{readSecret(flagVal(s.name + "-file")), "--" + s.name + "-file"},
			}
		}
		for _, l := range layers {
			if l.val == "" {
				continue
			}
			if err := s.set(&c, l.val); err != nil {
				return c, nil, fmt.Errorf("%w: %s: %v", errUsage, l.from, err)
			}
		}
	}
	return c, fs.Args(), nil
}

func envName(setting string) string {
	return "FIRMLINE_" + strings.ToUpper(strings.ReplaceAll(setting, "-", "_"))
}

// readSecret returns the trimmed content of a secret file, or "\x00" when it cannot be read so
// that Validate names the problem instead of silently running without the secret.
func readSecret(path string) string {
	if path == "" {
		return ""
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "\x00unreadable:" + path
	}
	return strings.TrimSpace(string(b))
}

// readConfigFile parses `name = value` lines; '#' starts a comment. A missing default file is
// fine; a missing file that was asked for is an error.
func readConfigFile(path string, required bool) (map[string]string, error) {
	out := map[string]string{}
	f, err := os.Open(path)
	if err != nil {
		if !required && errors.Is(err, os.ErrNotExist) {
			return out, nil
		}
		return nil, fmt.Errorf("%w: cannot read the config file: %v", errUsage, err)
	}
	defer f.Close()
	known := map[string]bool{}
	for _, s := range settings() {
		known[s.name] = true
		if s.secret {
			known[s.name+"-file"] = true
		}
	}
	sc := bufio.NewScanner(f)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if i := strings.Index(line, "#"); i == 0 {
			continue
		}
		if line == "" {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		k, v = strings.TrimSpace(k), strings.Trim(strings.TrimSpace(v), `"`)
		if !ok || !known[k] {
			return nil, fmt.Errorf("%w: %s line %d: %q is not a setting firmline knows (expected name = value)", errUsage, path, n, line)
		}
		out[k] = v
	}
	return out, sc.Err()
}

// Validate names every bad value at once.
func (c config) Validate() error {
	var errs []string
	if c.Data == "" {
		errs = append(errs, "data directory is empty")
	}
	if _, _, err := net.SplitHostPort(c.Listen); err != nil {
		errs = append(errs, fmt.Sprintf("listen address %q is not host:port", c.Listen))
	}
	switch c.TLS {
	case "self-signed", "off":
	case "files":
		if c.TLSCert == "" || c.TLSKey == "" {
			errs = append(errs, "--tls files needs --tls-cert and --tls-key")
		}
	default:
		errs = append(errs, fmt.Sprintf("tls mode %q is not self-signed, files or off", c.TLS))
	}
	if c.Baud <= 0 {
		errs = append(errs, fmt.Sprintf("baud %d must be positive", c.Baud))
	}
	if c.PublicURL != "" {
		if u, err := url.Parse(c.PublicURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, fmt.Sprintf("public URL %q is not an http(s) URL", c.PublicURL))
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		errs = append(errs, fmt.Sprintf("log level %q is not debug, info, warn or error", c.LogLevel))
	}
	switch c.SMTP.TLS {
	case "starttls", "tls", "none":
	default:
		errs = append(errs, fmt.Sprintf("smtp-tls %q is not starttls, tls or none", c.SMTP.TLS))
	}
	if c.SMTP.Port <= 0 || c.SMTP.Port > 65535 {
		errs = append(errs, fmt.Sprintf("smtp port %d is out of range", c.SMTP.Port))
	}
	if _, err := time.Parse("15:04", c.Backup.At); err != nil {
		errs = append(errs, fmt.Sprintf("backup-at %q is not a time of day like 02:30", c.Backup.At))
	}
	if c.Backup.Keep < 1 {
		errs = append(errs, fmt.Sprintf("backup-keep %d must be at least 1", c.Backup.Keep))
	}
	if c.Backup.Passphrase != "" && len(c.Backup.Passphrase) < 8 {
		errs = append(errs, "backup-passphrase must be at least 8 characters")
	}
	for _, s := range []string{c.SMTP.Password, c.PIN, c.Backup.Passphrase} {
		if strings.HasPrefix(s, "\x00unreadable:") {
			errs = append(errs, "secret file "+strings.TrimPrefix(s, "\x00unreadable:")+" cannot be read")
		}
	}
	if c.Grace < 0 || c.Grace > time.Hour {
		errs = append(errs, fmt.Sprintf("concat-wait %s must be between 0 and 1h", c.Grace))
	}
	if len(errs) > 0 {
		return fmt.Errorf("%w: %s", errUsage, strings.Join(errs, "; "))
	}
	return nil
}
