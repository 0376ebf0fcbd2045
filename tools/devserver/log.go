package main

import (
	"context"
	"log/slog"

	"go.temporal.io/server/common/log"
	"go.temporal.io/server/common/log/tag"
)

// serverLogger feeds the server's tagged log calls into slog. The level is a
// LevelVar so it can be raised while shutting down.
type serverLogger struct {
	out   *slog.Logger
	level *slog.LevelVar
	tags  []slog.Attr
}

var (
	_ log.Logger     = serverLogger{}
	_ log.WithLogger = serverLogger{}
)

func newServerLogger(out *slog.Logger, level *slog.LevelVar) serverLogger {
	return serverLogger{out: out, level: level}
}

func (l serverLogger) Debug(msg string, tags ...tag.Tag) { l.emit(slog.LevelDebug, msg, tags) }
func (l serverLogger) Info(msg string, tags ...tag.Tag)  { l.emit(slog.LevelInfo, msg, tags) }
func (l serverLogger) Warn(msg string, tags ...tag.Tag)  { l.emit(slog.LevelWarn, msg, tags) }
func (l serverLogger) Error(msg string, tags ...tag.Tag) { l.emit(slog.LevelError, msg, tags) }

// The server must not die because of its logger: panics and fatals are
// logged as errors only.
func (l serverLogger) DPanic(msg string, tags ...tag.Tag) { l.emit(slog.LevelError, msg, tags) }
func (l serverLogger) Panic(msg string, tags ...tag.Tag)  { l.emit(slog.LevelError, msg, tags) }
func (l serverLogger) Fatal(msg string, tags ...tag.Tag)  { l.emit(slog.LevelError, msg, tags) }

func (l serverLogger) With(tags ...tag.Tag) log.Logger {
	merged := make([]slog.Attr, 0, len(l.tags)+len(tags))
	merged = append(merged, l.tags...)
	merged = appendTags(merged, tags)
	return serverLogger{out: l.out, level: l.level, tags: merged}
}

func (l serverLogger) emit(level slog.Level, msg string, tags []tag.Tag) {
	if level < l.level.Level() {
		return
	}
	ctx := context.Background()
	if !l.out.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, len(l.tags)+len(tags))
	attrs = append(attrs, l.tags...)
	attrs = appendTags(attrs, tags)
	l.out.LogAttrs(ctx, level, msg, attrs...)
}

func appendTags(attrs []slog.Attr, tags []tag.Tag) []slog.Attr {
	for _, t := range tags {
		attrs = append(attrs, slog.Any(t.Key(), t.Value()))
	}
	return attrs
}
