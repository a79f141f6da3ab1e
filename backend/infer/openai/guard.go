package openai

import (
	"crypto/sha256"
	"crypto/subtle"
	"mime"
	"net"
	"net/http"
	"strings"
)

// guard applies what every request passes before its handler: CORS
// preflights, the Host check (no token) or the bearer token, and the JSON
// content type of POST bodies. The package comment says why each exists.
func (s *server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.o.Token != "" {
			w.Header().Set("Access-Control-Allow-Origin", "*")
			if isPreflight(r) {
				answerPreflight(w)
				return
			}
			if !s.authorized(r) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="hone"`)
				writeError(w, apiError(http.StatusUnauthorized, "invalid_request_error", "invalid_api_key",
					"Missing or incorrect API key: send the server's token as \"Authorization: Bearer TOKEN\""))
				return
			}
		} else if !isLoopbackHost(hostOnly(r.Host)) {
			writeError(w, apiError(http.StatusForbidden, "invalid_request_error", "forbidden_host",
				"Host %q is not a loopback name: a server without a token answers only requests addressed to localhost", r.Host))
			return
		}
		if r.Method == http.MethodPost && !isJSON(r.Header.Get("Content-Type")) {
			writeError(w, apiError(http.StatusUnsupportedMediaType, "invalid_request_error", "unsupported_media_type",
				"Content-Type must be application/json, got %q", r.Header.Get("Content-Type")))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// authorized compares the bearer token in constant time. Hashing both
// sides first makes the comparison's time independent of the lengths too.
func (s *server) authorized(r *http.Request) bool {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return false
	}
	got := sha256.Sum256([]byte(strings.TrimSpace(token)))
	want := sha256.Sum256([]byte(s.o.Token))
	return subtle.ConstantTimeCompare(got[:], want[:]) == 1
}

func isPreflight(r *http.Request) bool {
	return r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
}

func answerPreflight(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET, POST, DELETE, OPTIONS")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}

func isJSON(contentType string) bool {
	media, _, err := mime.ParseMediaType(contentType)
	return err == nil && media == "application/json"
}

// hostOnly strips the port from a Host header ("[::1]:8000" -> "::1").
func hostOnly(hostport string) string {
	if host, _, err := net.SplitHostPort(hostport); err == nil {
		return host
	}
	return strings.TrimSuffix(strings.TrimPrefix(hostport, "["), "]")
}

// isLoopbackHost reports whether host names this machine only: localhost
// (and its subdomains, which resolvers keep on loopback by RFC 6761) or a
// loopback address.
func isLoopbackHost(host string) bool {
	host = strings.ToLower(strings.TrimSuffix(host, "."))
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
