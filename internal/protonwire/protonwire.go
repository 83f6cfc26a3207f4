// Package protonwire is AWS Proton's wire protocol (AWS JSON 1.0): the request and
// response shapes of every Proton operation, generated from Proton's model
// (model/service-2.json.gz, the botocore data of proton 2020-07-20, which holds the same
// shapes as the model in aws/aws-sdk-go-v2 and the Go client service/proton v1.40.0), the
// epoch-second timestamps, and Proton's error codes. The API (package api) maps each
// operation it serves onto the control plane with these types.
package protonwire

//go:generate go run ./gen -model model/service-2.json.gz -out shapes_gen.go

import (
	"math"
	"net/http"
	"strconv"
	"time"
)

// ContentType is the media type of AWS JSON 1.0 requests and responses.
const ContentType = "application/x-amz-json-1.0"

// Time is a Proton timestamp: on the wire, seconds since the epoch as a JSON number
// (with a fraction for milliseconds).
type Time time.Time

// At returns t as a *Time, nil for the zero time (so that it is omitted).
func At(t time.Time) *Time {
	if t.IsZero() {
		return nil
	}
	w := Time(t)
	return &w
}

// MarshalJSON writes the epoch seconds.
func (t Time) MarshalJSON() ([]byte, error) {
	ms := time.Time(t).UnixMilli()
	return strconv.AppendFloat(nil, float64(ms)/1000, 'f', -1, 64), nil
}

// UnmarshalJSON reads epoch seconds.
func (t *Time) UnmarshalJSON(b []byte) error {
	f, err := strconv.ParseFloat(string(b), 64)
	if err != nil {
		return err
	}
	sec, frac := math.Modf(f)
	*t = Time(time.Unix(int64(sec), int64(math.Round(frac*1000))*int64(time.Millisecond)).UTC())
	return nil
}

// The error codes of Proton's model (its exception shapes), as the __type of an error
// response.
const (
	ValidationException           = "ValidationException"
	AccessDeniedException         = "AccessDeniedException"
	ResourceNotFoundException     = "ResourceNotFoundException"
	ConflictException             = "ConflictException"
	ServiceQuotaExceededException = "ServiceQuotaExceededException"
	ThrottlingException           = "ThrottlingException"
	InternalServerException       = "InternalServerException"
	// PayloadTooLargeException answers a body over the limit (413), as the REST API does.
	PayloadTooLargeException = "PayloadTooLargeException"
	// UnknownOperationException answers an X-Amz-Target that names no operation Gantry
	// serves (AWS's own code for an unknown target).
	UnknownOperationException = "UnknownOperationException"
)

// StatusOf is the HTTP status of an error code: the model's httpError of each of Proton's
// exceptions (Smithy's proton.json), 400 for the protocol's own client errors, and 403
// for AWS's authentication errors.
func StatusOf(code string) int {
	switch code {
	case ValidationException, UnknownOperationException:
		return http.StatusBadRequest
	case AccessDeniedException:
		return http.StatusForbidden
	case ResourceNotFoundException:
		return http.StatusNotFound
	case ConflictException:
		return http.StatusConflict
	case ServiceQuotaExceededException:
		return http.StatusPaymentRequired
	case ThrottlingException:
		return http.StatusTooManyRequests
	case PayloadTooLargeException:
		return http.StatusRequestEntityTooLarge
	case InternalServerException:
		return http.StatusInternalServerError
	default:
		return http.StatusForbidden
	}
}

// Error is the body of an error response.
type Error struct {
	Type    string `json:"__type"`
	Message string `json:"message"`
}
