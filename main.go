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
	switch args[0] {
	default:
		fmt.Fprintf(stderr, "firmline: unknown command %q; the commands are serve, demo, user, token, pdu, messages, modem, backup, restore, audit and version.\n", args[0])
		return 2
	}
}
