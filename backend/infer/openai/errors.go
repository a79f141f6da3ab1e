package openai

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"github.com/hone-ai/hone/backend/infer"
)

// errorBody is OpenAI's error envelope. Param and Code are null when
// unset, as OpenAI sends them, rather than empty strings.
type errorBody struct {
	Error errorObject `json:"error"`
}

type errorObject struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    *string `json:"code"`
}

func nullable(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func newErrorObject(e *infer.Error) errorObject {
	return errorObject{Message: e.Message, Type: e.Type, Param: nullable(e.Param), Code: nullable(e.Code)}
}

// apiError builds an *infer.Error with any status, for the errors that are
// the server's rather than the engine's (401, 404 path, 405, 413, 415, 500).
func apiError(status int, typ, code, format string, a ...any) *infer.Error {
	return &infer.Error{Status: status, Type: typ, Code: code, Message: fmt.Sprintf(format, a...)}
}

// asAPIError turns any error into the one the client sees: an *infer.Error
// as it is (the engine chose its status), anything else a 500 whose message
// is kept, since the server's user is the model's owner, not a stranger.
func asAPIError(err error) *infer.Error {
	var ie *infer.Error
	if errors.As(err, &ie) {
		if ie.Status == 0 {
			c := *ie
			c.Status = http.StatusBadRequest
			return &c
		}
		return ie
	}
	return apiError(http.StatusInternalServerError, "server_error", "", "%v", err)
}

// writeError answers with err as OpenAI's JSON error.
func writeError(w http.ResponseWriter, err error) {
	e := asAPIError(err)
	if e.Type == "" {
		e = &infer.Error{Status: e.Status, Type: "invalid_request_error", Code: e.Code, Param: e.Param, Message: e.Message}
	}
	writeJSON(w, e.Status, errorBody{Error: newErrorObject(e)})
}

// writeJSON answers with v. The encoding cannot fail for the package's own
// types, so its error is not reported to a client that has the status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	data, err := json.Marshal(v)
	if err != nil {
		status, data = http.StatusInternalServerError,
			[]byte(`{"error":{"message":"encoding the response failed","type":"server_error","param":null,"code":null}}`)
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(append(data, '\n'))
}
