// Command firmline is the appliance that gives an office its own phone number for SMS
// verification codes: it reads SMS from an LTE modem, stores them, and serves a web inbox.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run dispatches a subcommand and returns the process exit status: 0 on success, 1 on a
// runtime failure, 2 on bad usage.
func run(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprintln(stderr, "firmline: no command given; try 'firmline serve' or 'firmline demo'.")
		return 2
	}
	env := cliEnv{ctx: ctx, getenv: getenv, stdin: stdin, stdout: stdout, stderr: stderr}
	rest := args[1:]
	switch args[0] {
	case "serve":
		return exitCode(env, cmdServe(env, rest))
	case "demo":
		return exitCode(env, cmdDemo(env, rest))
	case "user":
		return exitCode(env, cmdUser(env, rest))
	case "token":
		return exitCode(env, cmdToken(env, rest))
	case "pdu":
		return exitCode(env, cmdPDU(env, rest))
	case "messages":
		return exitCode(env, cmdMessages(env, rest))
	case "modem":
		return exitCode(env, cmdModem(env, rest))
	case "backup":
		return exitCode(env, cmdBackup(env, rest))
	case "restore":
		return exitCode(env, cmdRestore(env, rest))
	case "audit":
		return exitCode(env, cmdAudit(env, rest))
	case "version", "--version":
		return cmdVersion(env)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usageText)
		return 0
	default:
		fmt.Fprintf(stderr, "firmline: unknown command %q; the commands are serve, demo, user, token, pdu, messages, modem, backup, restore, audit and version.\n", args[0])
		return 2
	}
}

const usageText = `firmline: the firm's own number for SMS verification codes.

  firmline serve [flags]        run the appliance (see 'firmline serve -h')
  firmline demo [--listen ADDR] the whole appliance on a simulated modem
  firmline user add|list|delete|reset-mfa
  firmline token create|list|revoke
  firmline messages [--limit N] [--json]
  firmline pdu decode [HEX ...]
  firmline modem probe [--modem DEV]
  firmline backup --out FILE / restore --in FILE
  firmline audit verify|export
  firmline version
`
