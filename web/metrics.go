package web

import (
	"errors"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"mfadesk/mfa"
)

// Metrics are the Prometheus metrics of one App, on that App's own
// registry (several Apps run side by side in tests). Every label value
// comes from a short fixed set: route patterns, methods, outcome codes;
// never a raw URL or user input.
type Metrics struct {
	requests     *prometheus.HistogramVec
	logins       *prometheus.CounterVec
	secondFactor *prometheus.CounterVec
	lockouts     prometheus.Counter

	observers sync.Map // requestSeries → prometheus.Observer of requests
}

// requestSeries is one series of the request histogram.
type requestSeries struct {
	route, method string
	code          int
}

// NewMetrics registers the HTTP and authentication metrics on reg.
func NewMetrics(reg prometheus.Registerer) (*Metrics, error) {
	m := &Metrics{
		requests: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "mfadesk_http_request_duration_seconds",
			Help:    "Time to answer HTTP requests, by route pattern, method and status code.",
			Buckets: prometheus.DefBuckets,
		}, []string{"route", "method", "code"}),
		logins: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mfadesk_logins_total",
			Help: "Password steps of customer logins, by outcome.",
		}, []string{"outcome"}),
		secondFactor: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "mfadesk_second_factor_total",
			Help: "Second-factor checks, by method, purpose (login, stepup, ...) and outcome.",
		}, []string{"method", "purpose", "outcome"}),
		lockouts: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "mfadesk_lockouts_total",
			Help: "Accounts whose second factor was locked after repeated failures.",
		}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.logins, m.secondFactor, m.lockouts} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// Middleware times every request under its route pattern (c.Path(), such
// as "/settings/mfa/:id"), so ids in URLs do not make new series.
func (m *Metrics) Middleware() echo.MiddlewareFunc {
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			start := time.Now()
			err := next(c)
			status := c.Response().Status
			if err != nil {
				// The error handler writes the response after us; take the
				// status it will use.
				status = 500
				var he *echo.HTTPError
				if errors.As(err, &he) {
					status = he.Code
				}
			}
			route := c.Path()
			if route == "" || status == 404 {
				route = "unmatched" // scanners' random paths stay one series
			}
			m.requestObserver(route, c.Request().Method, status).Observe(time.Since(start).Seconds())
			return err
		}
	}
}

// requestObserver is the request histogram's series, kept once looked
// up: WithLabelValues hashes the labels and takes a lock on every call.
// A method a client made up is counted as "other", so it can grow
// neither the map nor the series.
func (m *Metrics) requestObserver(route, method string, code int) prometheus.Observer {
	if !standardMethod(method) {
		method = "other"
	}
	key := requestSeries{route, method, code}
	if o, ok := m.observers.Load(key); ok {
		return o.(prometheus.Observer)
	}
	o := m.requests.WithLabelValues(route, method, strconv.Itoa(code))
	m.observers.Store(key, o)
	return o
}

func standardMethod(method string) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete,
		http.MethodOptions:
		return true
	}
	return false
}

// PasswordChecked implements mfa.Observer.
func (m *Metrics) PasswordChecked(outcome string) { m.logins.WithLabelValues(outcome).Inc() }

// SecondFactorChecked implements mfa.Observer.
func (m *Metrics) SecondFactorChecked(method mfa.Method, purpose, outcome string) {
	m.secondFactor.WithLabelValues(string(method), purpose, outcome).Inc()
}

// Locked implements mfa.Observer.
func (m *Metrics) Locked() { m.lockouts.Inc() }

var _ mfa.Observer = (*Metrics)(nil)
