package main

import (
	"context"
	"io"
	"log/slog"
	"strings"
)

// newLogger returns the process logger. Under systemd (JOURNAL_STREAM set) every line gets
// the sd-daemon priority prefix (<3> error ... <7> debug), so the journal records real levels
// next to the structured key=value fields.
func newLogger(level string, w io.Writer, getenv func(string) string) *slog.Logger {
	var lv slog.Level
	lv.UnmarshalText([]byte(strings.ToUpper(level)))
	opts := &slog.HandlerOptions{Level: lv}
	if getenv("JOURNAL_STREAM") != "" {
		opts.ReplaceAttr = func(groups []string, a slog.Attr) slog.Attr {
			if len(groups) == 0 && a.Key == slog.TimeKey {
				return slog.Attr{} // the journal stamps lines itself
			}
			return a
		}
		return slog.New(&journalHandler{w: w, opts: opts})
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// journalHandler prefixes each record with its syslog priority.
type journalHandler struct {
	w     io.Writer
	opts  *slog.HandlerOptions
	attrs []slog.Attr
	group string
}

func (h *journalHandler) Enabled(_ context.Context, l slog.Level) bool {
	return l >= h.opts.Level.Level()
}

func (h *journalHandler) Handle(ctx context.Context, r slog.Record) error {
	prio := "<6>"
	switch {
	case r.Level >= slog.LevelError:
		prio = "<3>"
	case r.Level >= slog.LevelWarn:
		prio = "<4>"
	case r.Level < slog.LevelInfo:
		prio = "<7>"
	}
	var sb strings.Builder
	sb.WriteString(prio)
	th := slog.Handler(slog.NewTextHandler(&sb, h.opts))
	if len(h.attrs) > 0 {
		th = th.WithAttrs(h.attrs)
	}
	if h.group != "" {
		th = th.WithGroup(h.group)
	}
	if err := th.Handle(ctx, r); err != nil {
		return err
	}
	_, err := io.WriteString(h.w, sb.String())
	return err
}

func (h *journalHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr{}, h.attrs...), as...)
	return &c
}

func (h *journalHandler) WithGroup(name string) slog.Handler {
	c := *h
	c.group = name
	return &c
}
