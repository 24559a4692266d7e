package kv

import (
	"fmt"
	"log/slog"
	"os"
)

// slogLogger adapts slog to pebble.Logger, so Pebble never writes to stderr
// on its own. Pebble's info messages are routine (WAL recovery, file
// deletions) and go to Debug.
type slogLogger struct{ l *slog.Logger }

func (s slogLogger) Infof(format string, args ...any) {
	s.l.Debug(fmt.Sprintf(format, args...))
}

func (s slogLogger) Errorf(format string, args ...any) {
	s.l.Error(fmt.Sprintf(format, args...))
}

// Fatalf logs and exits, as Pebble's default logger does: Pebble calls it
// only when continuing could corrupt data.
func (s slogLogger) Fatalf(format string, args ...any) {
	s.l.Error(fmt.Sprintf(format, args...), "fatal", true)
	os.Exit(1)
}
