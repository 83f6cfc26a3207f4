package platform

import (
	"crypto/rand"
	"fmt"
)

// NewID returns a random UUID (version 4): the form of deployment ids, which also serve as
// CloudFormation client request tokens.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// ValidateDeploymentID checks that id has the form of a deployment id, a UUID as NewID
// makes (hex digits in either case), before anything looks it up. It returns an Invalid
// error about field otherwise.
func ValidateDeploymentID(field, id string) error { return ValidateUUID(field, id, "a deployment id") }

// ValidateUUID checks that id is a UUID (hex digits in either case), the form of every id
// Gantry makes (deployments, environment account connections, sync blockers), before
// anything looks it up. Otherwise it returns an Invalid error about field saying that it
// must be what ("an environment account connection id", say).
func ValidateUUID(field, id, what string) error {
	if len(id) != 36 {
		return FieldErrorf(field, "must be %s (a UUID of 36 characters), is %d characters", what, len(id))
	}
	for i, c := range id {
		dash := i == 8 || i == 13 || i == 18 || i == 23
		hex := c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
		if dash && c != '-' || !dash && !hex {
			return FieldErrorf(field, "%q is not %s (a UUID such as 0f8fad5b-d9cb-469f-a165-70867728950e)", id, what)
		}
	}
	return nil
}
