package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"strconv"
	"strings"

	"golang.org/x/term"
)

// version and commit are set at build time by packaging/build.sh (-X main.version=...).
var (
	version = "dev"
	commit  = "unknown"
)

// cliEnv is what every subcommand receives from run.
type cliEnv struct {
	ctx    context.Context
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

// exitCode maps a subcommand's error to the exit status and prints its one sentence.
func exitCode(env cliEnv, err error) int {
	if err == nil || errors.Is(err, errHelp) {
		return 0
	}
	msg := err.Error()
	var ae *adminError
	usage := errors.Is(err, errUsage) || (errors.As(err, &ae) && ae.usage)
	msg = strings.TrimPrefix(msg, errUsage.Error()+": ")
	fmt.Fprintf(env.stderr, "firmline: %s\n", msg)
	if usage {
		return 2
	}
	return 1
}

func printFlags(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage of %s:\n", fs.Name())
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// dataFlag adds the --data flag. Its default is the one serve would use: FIRMLINE_DATA, else
// the config file's data setting, else /var/lib/firmline.
func dataFlag(fs *flag.FlagSet, env cliEnv) *string {
	def := env.getenv("FIRMLINE_DATA")
	if def == "" {
		path := env.getenv("FIRMLINE_CONFIG")
		if path == "" {
			path = defaultConfig().ConfigFile
		}
		if file, err := readConfigFile(path, false); err == nil {
			def = file["data"]
		}
	}
	if def == "" {
		def = defaultConfig().Data
	}
	return fs.String("data", def, "data directory")
}

// newFlags returns a flag set that prints nothing by itself: a bad flag becomes one sentence
// through exitCode, and -h prints the flags to stdout.
func newFlags(env cliEnv, name string) *flag.FlagSet {
	fs := flag.NewFlagSet("firmline "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// errHelp ends a command after its help was printed (exit status 0).
var errHelp = errors.New("help printed")

func parseFlags(env cliEnv, fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printFlags(env.stdout, fs)
			return errHelp
		}
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: unexpected argument %q", errUsage, fs.Arg(0))
	}
	return nil
}

func cmdVersion(env cliEnv) int {
	fmt.Fprintf(env.stdout, "firmline %s (commit %s, %s, %s/%s)\n", version, commit, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return 0
}

func cmdUser(env cliEnv, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: user needs add, list, delete or reset-mfa", errUsage)
	}
	fs := newFlags(env, "user "+args[0])
	data := dataFlag(fs, env)
	email := fs.String("email", "", "the user's email address")
	req := adminRequest{Cmd: "user." + args[0], Args: map[string]string{}}
	switch args[0] {
	case "add":
		role := fs.String("role", "", "owner, manager or viewer")
		name := fs.String("name", "", "the user's name")
		if err := parseFlags(env, fs, args[1:]); err != nil {
			return err
		}
		if *email == "" || *role == "" {
			return fmt.Errorf("%w: user add needs --email and --role", errUsage)
		}
		pw, err := readPassword(env)
		if err != nil {
			return err
		}
		req.Args["role"], req.Args["name"], req.Password = *role, *name, pw
	case "list":
		if err := parseFlags(env, fs, args[1:]); err != nil {
			return err
		}
	case "delete", "reset-mfa":
		if err := parseFlags(env, fs, args[1:]); err != nil {
			return err
		}
		if *email == "" {
			return fmt.Errorf("%w: user %s needs --email", errUsage, args[0])
		}
	default:
		return fmt.Errorf("%w: user %q is not add, list, delete or reset-mfa", errUsage, args[0])
	}
	req.Args["email"] = *email
	return runAdmin(env.ctx, *data, req, env.stdout)
}

// readPassword reads the new user's password from stdin when it is not a terminal, or
// prompts twice without echo.
func readPassword(env cliEnv) (string, error) {
	if f, ok := env.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(env.stderr, "Password: ")
		a, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.stderr)
		if err != nil {
			return "", fmt.Errorf("cannot read the password: %w", err)
		}
		fmt.Fprint(env.stderr, "Again: ")
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.stderr)
		if err != nil {
			return "", fmt.Errorf("cannot read the password: %w", err)
		}
		if string(a) != string(b) {
			return "", errors.New("the two passwords differ; nothing was changed")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(env.stdin).ReadString('\n')
	if err != nil && line == "" {
		return "", fmt.Errorf("%w: user add reads the password from stdin, and stdin was empty", errUsage)
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func cmdToken(env cliEnv, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: token needs create, list or revoke", errUsage)
	}
	fs := newFlags(env, "token "+args[0])
	data := dataFlag(fs, env)
	name := fs.String("name", "", "the token's name")
	role := fs.String("role", "viewer", "viewer, manager or owner")
	if err := parseFlags(env, fs, args[1:]); err != nil {
		return err
	}
	switch args[0] {
	case "create", "revoke":
		if *name == "" {
			return fmt.Errorf("%w: token %s needs --name", errUsage, args[0])
		}
	case "list":
	default:
		return fmt.Errorf("%w: token %q is not create, list or revoke", errUsage, args[0])
	}
	return runAdmin(env.ctx, *data, adminRequest{Cmd: "token." + args[0], Args: map[string]string{"name": *name, "role": *role}}, env.stdout)
}

func cmdMessages(env cliEnv, args []string) error {
	fs := newFlags(env, "messages")
	data := dataFlag(fs, env)
	limit := fs.Int("limit", 20, "how many messages")
	asJSON := fs.Bool("json", false, "one Message JSON object per line")
	if err := parseFlags(env, fs, args); err != nil {
		return err
	}
	if *limit <= 0 || *limit > 100000 {
		return fmt.Errorf("%w: --limit must be between 1 and 100000", errUsage)
	}
	return runAdmin(env.ctx, *data, adminRequest{Cmd: "messages", Args: map[string]string{
		"limit": strconv.Itoa(*limit), "json": strconv.FormatBool(*asJSON)}}, env.stdout)
}

func cmdAudit(env cliEnv, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: audit needs verify or export", errUsage)
	}
	fs := newFlags(env, "audit "+args[0])
	data := dataFlag(fs, env)
	switch args[0] {
	case "verify":
		in := fs.String("in", "", "an exported JSONL file to check instead of the data dir")
		if err := parseFlags(env, fs, args[1:]); err != nil {
			return err
		}
		if *in != "" {
			return verifyExport(*in, env.stdout)
		}
		return runAdmin(env.ctx, *data, adminRequest{Cmd: "audit.verify"}, env.stdout)
	case "export":
		format := fs.String("format", "jsonl", "csv or jsonl")
		since := fs.String("since", "", "from this time (2026-11-01, RFC 3339, or 720h ago)")
		until := fs.String("until", "", "up to this time")
		outPath := fs.String("out", "", "write to this file instead of stdout")
		if err := parseFlags(env, fs, args[1:]); err != nil {
			return err
		}
		if *format != "csv" && *format != "jsonl" {
			return fmt.Errorf("%w: --format must be csv or jsonl", errUsage)
		}
		return withOutput(env, *outPath, func(w io.Writer) error {
			return runAdmin(env.ctx, *data, adminRequest{Cmd: "audit.export", Args: map[string]string{
				"format": *format, "since": *since, "until": *until}}, w)
		})
	default:
		return fmt.Errorf("%w: audit %q is not verify or export", errUsage, args[0])
	}
}

// withOutput runs fn with stdout or a new file that is removed again if fn fails.
func withOutput(env cliEnv, path string, fn func(io.Writer) error) error {
	if path == "" {
		return fn(env.stdout)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("cannot create %s: %w", path, err)
	}
	if err := fn(f); err != nil {
		f.Close()
		os.Remove(path)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	return f.Close()
}
