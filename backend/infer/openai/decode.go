package openai

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"reflect"

	"github.com/hone-ai/hone/backend/infer"
)

// readBody reads r's body. MaxBytesReader stops reading at the limit (and
// has net/http close the connection), so an oversized upload is refused
// without being held in memory.
func (s *server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, *infer.Error) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.o.MaxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			return nil, apiError(http.StatusRequestEntityTooLarge, "invalid_request_error", "request_too_large",
				"The request body is larger than this server's limit of %d bytes", tooLarge.Limit)
		}
		return nil, apiError(http.StatusBadRequest, "invalid_request_error", "invalid_body", "Reading the request body failed: %v", err)
	}
	return data, nil
}

// decode reads r's JSON body into each of vs in turn. Separate structs,
// rather than one embedding the others, keep json's error paths to the
// field's own name ("temperature", not "samplingBody.temperature"). Unknown
// fields are ignored, as OpenAI ignores them.
func (s *server) decode(w http.ResponseWriter, r *http.Request, vs ...any) *infer.Error {
	data, err := s.readBody(w, r)
	if err != nil {
		return err
	}
	for _, v := range vs {
		if err := jsonError(json.Unmarshal(data, v)); err != nil {
			return err
		}
	}
	return nil
}

// jsonError explains a json.Unmarshal error the way OpenAI does: what was
// wrong, where (the byte offset), and which field, if a field's type was.
func jsonError(err error) *infer.Error {
	if err == nil {
		return nil
	}
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syntax):
		return infer.Errorf("invalid_json", "",
			"We could not parse the JSON body of your request: %v (at byte %d)", syntax, syntax.Offset)
	case errors.As(err, &typ) && typ.Field == "":
		return infer.Errorf("invalid_json", "", "The request body must be a JSON object, got %s", typ.Value)
	case errors.As(err, &typ):
		return infer.Errorf("invalid_type", typ.Field, "Invalid type for '%s': expected %s, but got %s instead (at byte %d)",
			typ.Field, kindName(typ.Type), typ.Value, typ.Offset)
	default:
		return infer.Errorf("invalid_json", "", "We could not parse the JSON body of your request: %v", err)
	}
}

// kindName names a Go type as a JSON type, for error messages.
func kindName(t reflect.Type) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	default:
		return "an object"
	}
}
