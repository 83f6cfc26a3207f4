// Package platform holds Gantry's domain: templates, environments, services, service
// instances and deployments, the rules that govern them, and the ports (interfaces) through
// which the domain reaches storage, CloudFormation, workflows and events. It imports nothing
// from AWS; adapters depend on it, never the reverse.
package platform

import (
	"errors"
	"fmt"
)

// ErrorKind classifies an error by what the caller can do about it. The HTTP API maps kinds
// to statuses in one table; the domain never speaks HTTP.
type ErrorKind string

// The error kinds.
const (
	Invalid      ErrorKind = "invalid"      // the request is malformed or breaks a rule
	NotFound     ErrorKind = "not_found"    // the named thing does not exist
	Conflict     ErrorKind = "conflict"     // the request clashes with the current state
	Unauthorized ErrorKind = "unauthorized" // no valid credentials
	Forbidden    ErrorKind = "forbidden"    // valid credentials, not allowed
	Internal     ErrorKind = "internal"     // a failure of Gantry or a dependency
	TooLarge     ErrorKind = "too_large"    // the request is larger than its limit
)

// Error is a domain error: a kind, a message fit for the caller, and, for Invalid errors,
// the field (a dotted path such as "spec.instances[0].name") the message is about.
type Error struct {
	Kind    ErrorKind
	Field   string
	Message string
}

// Error implements error.
func (e *Error) Error() string {
	if e.Field != "" {
		return e.Field + ": " + e.Message
	}
	return e.Message
}

// Errorf returns an *Error of kind with a formatted message.
func Errorf(kind ErrorKind, format string, args ...any) *Error {
	return &Error{Kind: kind, Message: fmt.Sprintf(format, args...)}
}

// FieldErrorf returns an Invalid *Error about field.
func FieldErrorf(field, format string, args ...any) *Error {
	return &Error{Kind: Invalid, Field: field, Message: fmt.Sprintf(format, args...)}
}

// KindOf returns the kind of err: the Kind of the first *Error in its chain, Internal for
// any other non-nil error, and "" for nil.
func KindOf(err error) ErrorKind {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// MessageOf returns the caller-safe message of err: the message of the first *Error in its
// chain, or "internal error" for anything else, whose text may hold details that belong
// in the log only.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Kind != Internal {
		return e.Error()
	}
	return "internal error"
}
