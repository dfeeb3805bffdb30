package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestClientIP(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 192.0.2.7, 2001:db8:f::/48")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name      string
		peer      string // RemoteAddr
		xff       []string
		forwarded []string
		want      string
	}{
		{"no proxy headers", "203.0.113.5:4000", nil, nil, "203.0.113.5"},
		{"spoofed XFF from an untrusted peer", "203.0.113.5:4000", []string{"198.51.100.1"}, nil, "203.0.113.5"},
		{"spoofed Forwarded from an untrusted peer", "203.0.113.5:4000", nil, []string{"for=198.51.100.1"}, "203.0.113.5"},
		{"trusted proxy without headers", "10.1.2.3:4000", nil, nil, "10.1.2.3"},
		{"one trusted proxy", "10.1.2.3:4000", []string{"198.51.100.1"}, nil, "198.51.100.1"},
		{"client's spoof left of the real hop", "10.1.2.3:4000", []string{"1.1.1.1, 198.51.100.1"}, nil, "198.51.100.1"},
		{"chain of trusted proxies", "10.1.2.3:4000", []string{"198.51.100.1, 192.0.2.7", "10.9.9.9"}, nil, "198.51.100.1"},
		{"untrusted hop in the middle is the client", "10.1.2.3:4000", []string{"198.51.100.1, 203.0.113.9, 10.2.2.2"}, nil, "203.0.113.9"},
		{"every hop trusted", "10.1.2.3:4000", []string{"10.5.5.5, 10.6.6.6"}, nil, "10.5.5.5"},
		{"XFF with a port", "10.1.2.3:4000", []string{"198.51.100.1:51234"}, nil, "198.51.100.1"},
		{"XFF IPv6", "10.1.2.3:4000", []string{"2001:db8::1"}, nil, "2001:db8::1"},
		{"XFF bracketed IPv6 with port", "10.1.2.3:4000", []string{"[2001:db8::1]:443"}, nil, "2001:db8::1"},
		{"XFF IPv4-mapped", "10.1.2.3:4000", []string{"::ffff:198.51.100.1"}, nil, "198.51.100.1"},
		{"IPv6 trusted peer", "[2001:db8:f::2]:4000", []string{"198.51.100.1"}, nil, "198.51.100.1"},
		{"garbage XFF", "10.1.2.3:4000", []string{"not-an-ip"}, nil, "10.1.2.3"},
		{"empty XFF item", "10.1.2.3:4000", []string{"198.51.100.1,,10.2.2.2"}, nil, "10.1.2.3"},
		{"garbage left of the client is not read", "10.1.2.3:4000", []string{"garbage, 198.51.100.1"}, nil, "198.51.100.1"},
		{"XFF zone", "10.1.2.3:4000", []string{"fe80::1%eth0"}, nil, "10.1.2.3"},
		{"Forwarded", "10.1.2.3:4000", nil, []string{"for=198.51.100.1;proto=https;by=10.1.2.3"}, "198.51.100.1"},
		{"Forwarded quoted IPv6 with port", "10.1.2.3:4000", nil, []string{`for="[2001:db8:cafe::17]:4711"`}, "2001:db8:cafe::17"},
		{"Forwarded quoted IPv4 with port", "10.1.2.3:4000", nil, []string{`For="198.51.100.1:80"`}, "198.51.100.1"},
		{"Forwarded chain over two lines", "10.1.2.3:4000", nil, []string{"for=1.1.1.1, for=198.51.100.1", "for=10.7.7.7;proto=http"}, "198.51.100.1"},
		{"Forwarded spoof left of the real hop", "10.1.2.3:4000", nil, []string{`for="[2001:db8::66]", for=203.0.113.9`}, "203.0.113.9"},
		{"Forwarded unknown", "10.1.2.3:4000", nil, []string{"for=unknown"}, "10.1.2.3"},
		{"Forwarded obfuscated", "10.1.2.3:4000", nil, []string{"for=_hidden"}, "10.1.2.3"},
		{"Forwarded element without for", "10.1.2.3:4000", nil, []string{"proto=https"}, "10.1.2.3"},
		{"Forwarded unclosed bracket", "10.1.2.3:4000", nil, []string{`for="[2001:db8::1"`}, "10.1.2.3"},
		{"XFF wins over Forwarded", "10.1.2.3:4000", []string{"198.51.100.1"}, []string{"for=203.0.113.9"}, "198.51.100.1"},
		{"blank XFF falls to Forwarded", "10.1.2.3:4000", []string{" "}, []string{"for=203.0.113.9"}, "203.0.113.9"},
	}
	extract := ClientIP(trusted)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(http.MethodGet, "/", nil)
			r.RemoteAddr = tt.peer
			for _, v := range tt.xff {
				r.Header.Add("X-Forwarded-For", v)
			}
			for _, v := range tt.forwarded {
				r.Header.Add("Forwarded", v)
			}
			if got := extract(r); got != tt.want {
				t.Errorf("client = %q, want %q", got, tt.want)
			}
		})
	}
}

// Without trusted proxies every header is ignored.
func TestClientIPTrustsNoneByDefault(t *testing.T) {
	none, err := ParseTrustedProxies("")
	if err != nil || len(none) != 0 {
		t.Fatalf("empty list: %v, %v", none, err)
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.RemoteAddr = "127.0.0.1:5000"
	r.Header.Set("X-Forwarded-For", "198.51.100.1")
	r.Header.Set("Forwarded", "for=198.51.100.1")
	if got := ClientIP(none)(r); got != "127.0.0.1" {
		t.Errorf("client = %q, want the peer", got)
	}
}

func TestParseTrustedProxies(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want string // the prefixes, space-separated; "error" for a refusal
	}{
		{"", ""},
		{" 10.0.0.0/8 ,, 192.0.2.7 ", "10.0.0.0/8 192.0.2.7/32"},
		{"10.1.2.3/8", "10.0.0.0/8"},
		{"::1, 2001:db8::/32", "::1/128 2001:db8::/32"},
		{"::ffff:10.0.0.0/104", "10.0.0.0/8"},
		{"10.0.0.0/33", "error"},
		{"10.0.0.0/8, proxy.example", "error"},
		{"fe80::1%eth0", "error"},
		{"300.1.1.1", "error"},
	} {
		got, err := ParseTrustedProxies(tt.in)
		if tt.want == "error" {
			if err == nil {
				t.Errorf("%q: accepted as %v", tt.in, got)
			}
			continue
		}
		var parts []string
		for _, p := range got {
			parts = append(parts, p.String())
		}
		if err != nil || strings.Join(parts, " ") != tt.want {
			t.Errorf("%q: %v, %v; want %q", tt.in, parts, err, tt.want)
		}
	}
}
