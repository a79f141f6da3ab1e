package openai

import "fmt"

// CheckBind refuses to serve on anything but loopback without a token:
// the API loads adapters from paths on this machine and spends its
// compute, so on a network it must not be open to anyone who can reach it.
// host is the address's host part ("127.0.0.1", "::1", "localhost",
// "0.0.0.0", "" for every interface).
func CheckBind(host, token string) error {
	if token != "" || isLoopbackHost(hostOnly(host)) {
		return nil
	}
	shown := host
	if shown == "" {
		shown = "every interface"
	}
	return fmt.Errorf("refusing to serve on %s without a token: anyone who can reach it could use the model and load adapters from this machine's files; "+
		"set a token (clients send it as \"Authorization: Bearer TOKEN\") or listen on 127.0.0.1", shown)
}
