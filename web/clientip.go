package web

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"strings"

	"github.com/labstack/echo/v4"
)

// The client address feeds per-address password throttling and the audit
// trail, so a header a client can set is believed only when it reaches
// mfadesk through a proxy the operator named (--trusted-proxies; what this
// means for throttling is in docs/operations.md).

// ParseTrustedProxies reads a comma-separated list of CIDRs, such as
// "10.0.0.0/8, 192.0.2.7/32, ::1/128". A bare address stands for itself
// alone. Blank items are skipped; an empty list trusts no proxy.
func ParseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if !strings.Contains(item, "/") {
			addr, err := netip.ParseAddr(item)
			if err != nil || addr.Zone() != "" {
				return nil, fmt.Errorf("%q is not a CIDR or an address", item)
			}
			addr = addr.Unmap()
			out = append(out, netip.PrefixFrom(addr, addr.BitLen()))
			continue
		}
		p, err := netip.ParsePrefix(item)
		if err != nil || p.Addr().Zone() != "" {
			return nil, fmt.Errorf("%q is not a CIDR", item)
		}
		if p.Addr().Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// ClientIP returns Echo's extractor of the client address. The direct
// peer is the client unless it is inside a trusted CIDR; then the client
// is the first address, reading X-Forwarded-For right to left (or, when
// the request has no X-Forwarded-For, the for= of RFC 7239 Forwarded),
// that is not itself a trusted proxy. Each proxy appends the address it
// received the request from, so everything left of the first untrusted
// hop may be made up by the client and is never read. A hop that does
// not parse before that point means the header cannot be believed: the
// direct peer is the answer then.
func ClientIP(trusted []netip.Prefix) echo.IPExtractor {
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	return func(r *http.Request) string {
		host, _, err := net.SplitHostPort(r.RemoteAddr)
		if err != nil {
			host = r.RemoteAddr
		}
		peer, err := netip.ParseAddr(host)
		if err != nil || !isTrusted(peer.Unmap()) {
			return host
		}
		hops, parse := forwardedHops(r.Header)
		var client netip.Addr
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := parse(hops[i])
			if err != nil {
				return host
			}
			client = a // when every hop is trusted, the leftmost began the request
			if !isTrusted(a) {
				break
			}
		}
		if !client.IsValid() {
			return host
		}
		return client.String()
	}
}

// forwardedHops lists the hops the proxies recorded, nearest last, with
// the function that reads one (called only on the hops the extractor
// reaches: what lies left of the client is never read): X-Forwarded-For
// when the request has one (what proxies send by default), else the
// elements of Forwarded.
func forwardedHops(h http.Header) ([]string, func(string) (netip.Addr, error)) {
	if xff := strings.Join(h.Values("X-Forwarded-For"), ","); strings.TrimSpace(xff) != "" {
		return strings.Split(xff, ","), parseHop
	}
	if fwd := strings.Join(h.Values("Forwarded"), ","); strings.TrimSpace(fwd) != "" {
		return strings.Split(fwd, ","), forwardedFor
	}
	return nil, nil
}

var errBadHop = errors.New("unreadable forwarding hop")

// forwardedFor reads the for= parameter of one Forwarded element, like
// `for="[2001:db8::17]:4711";proto=https`.
func forwardedFor(element string) (netip.Addr, error) {
	for _, pair := range strings.Split(element, ";") {
		name, value, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok || !strings.EqualFold(name, "for") {
			continue
		}
		if len(value) >= 2 && value[0] == '"' && value[len(value)-1] == '"' {
			value = value[1 : len(value)-1]
		}
		return parseHop(value)
	}
	return netip.Addr{}, errBadHop
}

// parseHop reads one recorded address: an IPv4 or IPv6 address, with or
// without a port (IPv6 then in brackets). "unknown", obfuscated names
// and anything else are not addresses.
func parseHop(s string) (netip.Addr, error) {
	s = strings.TrimSpace(s)
	if a, err := netip.ParseAddr(s); err == nil && a.Zone() == "" {
		return a.Unmap(), nil
	}
	host := s
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 || (end != len(s)-1 && s[end+1] != ':') {
			return netip.Addr{}, errBadHop
		}
		host = s[1:end]
	} else if h, _, ok := strings.Cut(s, ":"); ok && strings.Count(s, ":") == 1 {
		host = h // IPv4 with a port; a port may be obfuscated ("_x1")
	}
	a, err := netip.ParseAddr(host)
	if err != nil || a.Zone() != "" {
		return netip.Addr{}, errBadHop
	}
	return a.Unmap(), nil
}
