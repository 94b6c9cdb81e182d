// Command ferretdb-local runs FerretDB 1.x with the SQLite backend for Tributary's local stack.
//
// It is a thin wrapper around the embeddable github.com/FerretDB/FerretDB/ferretdb package, built once
// by scripts/stack.mjs into the stack cache. It speaks the MongoDB wire protocol on -listen and keeps one
// SQLite file per database under -dir.
package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/FerretDB/FerretDB/ferretdb"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:27017", "TCP address to listen on (host:port)")
	dir := flag.String("dir", "", "directory for the SQLite database files (required)")
	logLevel := flag.String("log-level", "error", "log level: debug, info, warn or error (warn logs every failed command in full)")
	synchronous := flag.String("synchronous", "normal", "SQLite synchronous setting: normal (a commit is safe when the process dies, as MongoDB's default write concern) or full (fsync every commit, safe when the machine dies)")
	flag.Parse()

	if *dir == "" {
		fmt.Fprintln(os.Stderr, "ferretdb-local: -dir is required")
		os.Exit(2)
	}

	if *synchronous != "normal" && *synchronous != "full" {
		fmt.Fprintf(os.Stderr, "ferretdb-local: bad -synchronous %q: normal or full\n", *synchronous)
		os.Exit(2)
	}

	var level slog.Level
	if err := level.UnmarshalText([]byte(*logLevel)); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb-local: bad -log-level %q: %v\n", *logLevel, err)
		os.Exit(2)
	}

	absDir, err := filepath.Abs(*dir)
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb-local: %v\n", err)
		os.Exit(1)
	}
	if err = os.MkdirAll(absDir, 0o755); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb-local: %v\n", err)
		os.Exit(1)
	}

	logger := slog.New(&lazyHandler{inner: slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})})

	f, err := ferretdb.New(&ferretdb.Config{
		Listener:  ferretdb.ListenerConfig{TCP: *listen},
		Logger:    logger,
		Handler:   "sqlite",
		SQLiteURL: "file:" + absDir + "/?_pragma=synchronous(" + *synchronous + ")",
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb-local: %v\n", err)
		os.Exit(1)
	}

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	fmt.Fprintf(os.Stderr, "ferretdb-local: listening on %s, sqlite data in %s (log level %s)\n", *listen, absDir, level)

	if err = f.Run(ctx); err != nil {
		fmt.Fprintf(os.Stderr, "ferretdb-local: %v\n", err)
		os.Exit(1)
	}

	fmt.Fprintln(os.Stderr, "ferretdb-local: stopped")
}

// lazyHandler defers a logger's attributes and groups until a record is written. FerretDB 1.24 derives
// a logger with the query and its arguments (whole documents) twice for every SQL statement, to log
// them at debug level; slog's TextHandler formats those attributes at once, even when the level
// discards the record, which cost about a tenth of the server's CPU under the services' load.
type lazyHandler struct {
	inner slog.Handler
	// steps replays WithAttrs and WithGroup on inner, in order, when a record is handled.
	steps []func(slog.Handler) slog.Handler
}

func (h *lazyHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.inner.Enabled(ctx, level)
}

func (h *lazyHandler) Handle(ctx context.Context, record slog.Record) error {
	inner := h.inner
	for _, step := range h.steps {
		inner = step(inner)
	}

	return inner.Handle(ctx, record)
}

func (h *lazyHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return h.with(func(inner slog.Handler) slog.Handler { return inner.WithAttrs(attrs) })
}

func (h *lazyHandler) WithGroup(name string) slog.Handler {
	return h.with(func(inner slog.Handler) slog.Handler { return inner.WithGroup(name) })
}

func (h *lazyHandler) with(step func(slog.Handler) slog.Handler) slog.Handler {
	steps := make([]func(slog.Handler) slog.Handler, len(h.steps), len(h.steps)+1)
	copy(steps, h.steps)

	return &lazyHandler{inner: h.inner, steps: append(steps, step)}
}
