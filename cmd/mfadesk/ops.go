package main

import (
	"context"
	"math"
	"net/http"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"mfadesk/notify"
	"mfadesk/web"
)

// registerOps adds the operational endpoints, /healthz and /metrics, and
// the metrics: request timing by route on every request of e, login and
// second-factor outcomes (as the mfa.Observer), outbox depth, delivery
// failures and the read cache's hits and misses. The registry is the App's own, not Prometheus' global one.
//
// /metrics is on the customer listener unless --metrics-addr moves it
// (see siteHandlers): operators should keep it from the internet at the
// proxy or firewall, as it tells login failure rates.
func (a *App) registerOps(e *echo.Echo) error {
	reg := prometheus.NewRegistry()
	m, err := web.NewMetrics(reg)
	if err != nil {
		return err
	}
	a.MFA.Observer = m
	e.Use(m.Middleware())
	for _, c := range []prometheus.Collector{
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		prometheus.NewGaugeFunc(prometheus.GaugeOpts{
			Name: "mfadesk_outbox_queue_depth",
			Help: "Messages waiting to be delivered (queued, sending or retrying).",
		}, a.countFunc(a.DB.OutboxDepth)),
		// Counted from outbox_attempts, so it survives restarts and sums
		// the work of every instance on the database.
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "mfadesk_delivery_failures_total",
			Help: "Delivery attempts that did not reach the provider (retried, failed, interrupted or abandoned).",
		}, a.countFunc(a.DB.DeliveryFailures)),
		// The read cache of sessions, customers, factor summaries and staff
		// (data/cache.go): a falling hit rate shows pages going to SQLite.
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "mfadesk_read_cache_hits_total",
			Help: "Session, customer, factor-summary and staff reads served from memory.",
		}, func() float64 { hits, _ := a.DB.ReadCacheStats(); return float64(hits) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{
			Name: "mfadesk_read_cache_misses_total",
			Help: "Session, customer, factor-summary and staff reads that went to SQLite.",
		}, func() float64 { _, misses := a.DB.ReadCacheStats(); return float64(misses) }),
	} {
		if err := reg.Register(c); err != nil {
			return err
		}
	}
	e.GET("/metrics", echo.WrapHandler(promhttp.HandlerFor(reg, promhttp.HandlerOpts{})))
	e.GET("/healthz", func(c echo.Context) error {
		if err := a.DB.Ping(c.Request().Context()); err != nil {
			return c.String(http.StatusServiceUnavailable, "database unavailable\n")
		}
		return c.String(http.StatusOK, "ok\n")
	})
	return nil
}

// countFunc adapts a database count to a metric; NaN says the count
// could not be read, rather than a misleading 0.
func (a *App) countFunc(count func(context.Context) (int, error)) func() float64 {
	return func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		n, err := count(ctx)
		if err != nil {
			a.Log.Error("metrics: count", "err", err)
			return math.NaN()
		}
		return float64(n)
	}
}

// siteHandlers are the handlers of the customer listener and, with
// --metrics-addr, of the metrics listener: then /metrics answers only
// there, and the metrics listener answers only /metrics and /healthz.
func (a *App) siteHandlers() (site, metrics http.Handler) {
	if a.Config.MetricsAddr == "" {
		return a.Echo, nil
	}
	site = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/metrics" {
			http.NotFound(w, r)
			return
		}
		a.Echo.ServeHTTP(w, r)
	})
	metrics = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/metrics" && r.URL.Path != "/healthz" {
			http.NotFound(w, r)
			return
		}
		a.Echo.ServeHTTP(w, r)
	})
	return site, metrics
}

// startDelivery starts the outbox worker with smtp delivery; with dev
// delivery messages stay in the outbox, shown at /dev/outbox. The
// returned stop cancels the worker and waits until it has given back the
// message it was sending, so nothing is left claimed at exit.
func (a *App) startDelivery(ctx context.Context) (stop func()) {
	if a.Config.Delivery != "smtp" {
		return func() {}
	}
	w := a.newWorker()
	a.Log.Info("delivery worker started", "settings", w.Describe())
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		w.Run(ctx)
	}()
	var once sync.Once
	return func() {
		once.Do(func() {
			cancel()
			<-done
			a.Log.Info("delivery worker stopped")
		})
	}
}

// newWorker builds the outbox worker from the configuration.
func (a *App) newWorker() *notify.Worker {
	email := a.Config.SMTP
	sms := a.Config.SMS
	if sms.Client == nil {
		sms.Client = &http.Client{Timeout: 30 * time.Second}
	}
	return &notify.Worker{DB: a.DB, Email: &email, SMS: &sms, Log: a.Log}
}
