package main

import (
	"log/slog"
	"net/http"
	"net/http/pprof"
)

// startPprof serves the runtime profiles on their own listener, apart from
// the API port, for performance work on a running server.
func startPprof(addr string, log *slog.Logger) {
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	go func() {
		log.Info("profiling endpoints", "addr", addr)
		if err := http.ListenAndServe(addr, mux); err != nil {
			log.Error("profiling listener", "err", err)
		}
	}()
}
