package web

import "testing"

// The per-address cap counts an IPv6 client's whole /64, or one address
// would be as good as unlimited.
func TestAddressBlock(t *testing.T) {
	for ip, want := range map[string]string{
		"192.0.2.7":            "192.0.2.7",
		"::ffff:192.0.2.7":     "192.0.2.7",
		"2001:db8:1:2:3:4:5:6": "2001:db8:1:2::/64",
		"2001:db8:1:2:ffff::1": "2001:db8:1:2::/64",
		"2001:db8:1:3::1":      "2001:db8:1:3::/64",
		"not an address":       "not an address",
	} {
		if got := addressBlock(ip); got != want {
			t.Errorf("addressBlock(%q) = %q, want %q", ip, got, want)
		}
	}
}
