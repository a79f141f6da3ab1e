package openai

import (
	"strings"
	"testing"
)

func TestToken(t *testing.T) {
	srv := serve(t, newFake(), Options{Token: "s3cret"})
	for _, tc := range []struct {
		name         string
		method, path string
		hdr          []string
		status       int
	}{
		{"no header", "GET", "/v1/models", nil, 401},
		{"a wrong token", "GET", "/v1/models", []string{"Authorization", "Bearer s3cre"}, 401},
		{"a longer wrong token", "GET", "/v1/models", []string{"Authorization", "Bearer s3cret2"}, 401},
		{"another scheme", "GET", "/v1/models", []string{"Authorization", "Basic s3cret"}, 401},
		{"the bare token", "GET", "/v1/models", []string{"Authorization", "s3cret"}, 401},
		{"the token", "GET", "/v1/models", []string{"Authorization", "Bearer s3cret"}, 200},
		{"the scheme in lower case", "GET", "/v1/models", []string{"Authorization", "bearer s3cret"}, 200},
		{"a completion needs it", "POST", "/v1/completions", nil, 401},
		{"an adapter load needs it", "POST", "/v1/adapters", nil, 401},
		{"an unload needs it", "DELETE", "/v1/adapters/x", nil, 401},
		{"an unknown path needs it", "GET", "/v1/nope", nil, 401},
		{"with a token any Host is served", "GET", "/v1/models", []string{"Authorization", "Bearer s3cret", "Host", "hone.lan:8000"}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, srv, tc.method, tc.path, `{"prompt":"x"}`, tc.hdr...)
			if r.status != tc.status {
				t.Fatalf("status %d, want %d: %s", r.status, tc.status, r.body)
			}
			if tc.status == 401 {
				if e := errorOf(t, r); deref(e.Code) != "invalid_api_key" || !strings.Contains(e.Message, "Bearer") {
					t.Errorf("401 body %s", r.body)
				}
				if r.header.Get("WWW-Authenticate") == "" {
					t.Error("401 without WWW-Authenticate")
				}
			}
		})
	}
}

func TestCORS(t *testing.T) {
	preflight := []string{"Origin", "http://localhost:5173", "Access-Control-Request-Method", "POST",
		"Access-Control-Request-Headers", "authorization,content-type"}
	for _, tc := range []struct {
		name       string
		token      string
		status     int
		wantOrigin string
	}{
		// With a token a page gets nothing without it, so any origin may ask.
		{"a preflight with a token set", "s3cret", 204, "*"},
		// Without one CORS would let every web page read the local server.
		{"a preflight without a token", "", 405, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := call(t, serve(t, newFake(), Options{Token: tc.token}), "OPTIONS", chatPath, "", preflight...)
			if r.status != tc.status || r.header.Get("Access-Control-Allow-Origin") != tc.wantOrigin {
				t.Fatalf("status %d origin %q, want %d %q", r.status, r.header.Get("Access-Control-Allow-Origin"), tc.status, tc.wantOrigin)
			}
			if tc.status == 204 && (!strings.Contains(r.header.Get("Access-Control-Allow-Headers"), "Authorization") ||
				!strings.Contains(r.header.Get("Access-Control-Allow-Methods"), "POST")) {
				t.Errorf("preflight headers %v", r.header)
			}
		})
	}
	r := call(t, serve(t, newFake(), Options{Token: "s3cret"}), "GET", "/v1/models", "", "Authorization", "Bearer s3cret")
	if r.header.Get("Access-Control-Allow-Origin") != "*" {
		t.Error("an answer with a token set lacks Access-Control-Allow-Origin, so a page could not read it")
	}
}

func TestLoopbackHosts(t *testing.T) {
	srv := serve(t, newFake(), Options{})
	for host, want := range map[string]int{
		"localhost:8000": 200, "LOCALHOST": 200, "app.localhost:1": 200, "127.0.0.1:9": 200, "127.1.2.3": 200, "[::1]:8000": 200,
		"10.0.0.5:8000": 403, "localhost.attacker.example": 403, "[::2]:80": 403, "0.0.0.0:8000": 403,
	} {
		if r := call(t, srv, "GET", "/v1/models", "", "Host", host); r.status != want {
			t.Errorf("Host %q: status %d, want %d", host, r.status, want)
		}
	}
}

func TestCheckBind(t *testing.T) {
	for _, tc := range []struct {
		host, token string
		ok          bool
	}{
		{"127.0.0.1", "", true},
		{"127.0.0.2", "", true},
		{"::1", "", true},
		{"[::1]", "", true},
		{"localhost", "", true},
		{"0.0.0.0", "", false},
		{"", "", false},
		{"::", "", false},
		{"192.168.1.20", "", false},
		{"hone.lan", "", false},
		{"0.0.0.0", "tok", true},
		{"", "tok", true},
	} {
		err := CheckBind(tc.host, tc.token)
		if (err == nil) != tc.ok {
			t.Errorf("CheckBind(%q, %q) = %v, want ok %v", tc.host, tc.token, err, tc.ok)
		}
		if err != nil && !strings.Contains(err.Error(), "token") {
			t.Errorf("CheckBind(%q): the refusal does not say a token would do: %v", tc.host, err)
		}
	}
}
