package parse

import (
	"bytes"
	"encoding/json"
	"slices"
	"testing"
)

// checkScan holds scanObject to encoding/json: what it accepts, json.Unmarshal
// accepts with the same fields; a plain valid object it must not refuse.
func checkScan(t *testing.T, b []byte) {
	t.Helper()
	r, ok := scanObject(b)
	var m jsonRow
	err := json.Unmarshal(b, &m)
	if !ok {
		plain := err == nil && m != nil && !bytes.Contains(b, []byte(`\`)) && !bytes.ContainsAny(b, "\x00\x80\xff")
		for _, c := range b {
			plain = plain && c < 0x80 && (c >= 0x20 || c == '\n' || c == '\t' || c == '\r')
		}
		if plain && bytes.Count(b, []byte("[")) < 10 {
			t.Errorf("scanObject refused a plain object %q", b)
		}
		return
	}
	if err != nil || m == nil {
		t.Fatalf("scanObject accepted %q, encoding/json says %v", b, err)
	}
	if got, want := r.names(), m.names(); !slices.Equal(got, want) {
		t.Fatalf("%q: names %q, want %q", b, got, want)
	}
	for _, n := range m.names() {
		if got, want := r.get(n), m.get(n); got.kind != want.kind || got.text != want.text || !bytes.Equal(got.raw, want.raw) {
			t.Fatalf("%q: field %q is %+v, want %+v", b, n, got, want)
		}
	}
	if v := r.get("no such field"); v.kind != absent {
		t.Fatalf("absent field: %+v", v)
	}
}

func TestScanObject(t *testing.T) {
	for _, s := range []string{
		`{}`, ` { } `, `{"a":1}`, `{"prompt": "p", "completion": "c"}`, "\t{\"a\" :\r\n\"b\" } ",
		`{"a": "x", "a": "y"}`, `{"a": null, "b": true, "c": false, "d": [], "e": {}}`,
		`{"n": [0, -0, 1.5, -2e10, 3E+2, 4e-3, 12345678901234567890]}`,
		`{"s": "esc \" \\ \/ \b \f \n \r \t \u00e9 \uD83D\uDE00 end"}`, `{"s": "ünïcødé ✓"}`,
		`{"messages": [{"role": "user", "content": [{"type": "text", "text": "x"}]}, {"role": "assistant", "content": "y"}]}`,
		// refused: for encoding/json to read or to reject
		``, ` `, `null`, `[]`, `"s"`, `1`, `{`, `}`, `{"a"}`, `{"a":}`, `{"a":1,}`, `{,}`, `{"a":1}x`, `{"a":1}{}`,
		`{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":-}`, `{"a":1e}`, `{"a":+1}`, `{"a":tru}`, `{"a":nul}`, `{"a":True}`,
		`{"a":"\x"}`, `{"a":"\u12"}`, `{"a":"\u12G4"}`, "{\"a\":\"tab\there\"}", `{"a":"open}`, `{"a":[1,]}`, `{"a":[1 2]}`,
		`{"a":{"b"}}`, `{"a":{"b":1,}}`, `{"k\"ey": 1}`, `{"k\u0065y": 1}`, "{\"a\":\"\xff\"}", "{\"\xffa\":1}",
		`{"a":` + string(bytes.Repeat([]byte("["), 100)) + string(bytes.Repeat([]byte("]"), 100)) + `}`,
	} {
		checkScan(t, []byte(s))
	}
}

func FuzzScanObject(f *testing.F) {
	f.Add([]byte(`{"prompt": "p", "completion": "c"}`))
	f.Add([]byte(`{"messages": [{"role": "user", "content": "q\n\"x\""}, {"role": "assistant", "content": [1, -2.5e3, true, null]}]}`))
	f.Add([]byte(`{"a": "x", "a": {"b": []}}`))
	f.Fuzz(func(t *testing.T, b []byte) { checkScan(t, b) })
}
