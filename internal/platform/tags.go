package platform

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Proton's limits on customer tags.
const (
	MaxTags        = 50
	maxTagKey      = 128
	maxTagValue    = 256
	reservedPrefix = "aws:"
	// ManagedTagPrefix starts the tags Gantry sets on every stack it creates
	// (gantry:environment, gantry:service, …); customers cannot set them.
	ManagedTagPrefix = "gantry:"
)

var (
	tagKeyPattern   = regexp.MustCompile(`^[a-zA-Z0-9+\-=._:/@ ]+$`)
	tagValuePattern = regexp.MustCompile(`^[\s\p{L}\p{N}_.:/=+\-@]*$`)
)

// ValidateTags checks customer tags against Proton's rules: at most MaxTags, keys of 1 to
// 128 characters (letters, digits, spaces and + - = . _ : / @) not starting with "aws:"
// or Gantry's own "gantry:", values of at most 256 characters. The error names field and
// the offending key.
func ValidateTags(field string, tags map[string]string) error {
	if len(tags) > MaxTags {
		return FieldErrorf(field, "has %d tags; at most %d", len(tags), MaxTags)
	}
	for _, k := range SortedTagKeys(tags) {
		if err := ValidateTagKey(fmt.Sprintf("%s[%q]", field, k), k); err != nil {
			return err
		}
		v := tags[k]
		switch {
		case len(v) > maxTagValue:
			return FieldErrorf(fmt.Sprintf("%s[%q]", field, k), "value must be at most %d characters, is %d", maxTagValue, len(v))
		case !tagValuePattern.MatchString(v):
			return FieldErrorf(fmt.Sprintf("%s[%q]", field, k), "value %q may hold only letters, digits, spaces and _ . : / = + - @", v)
		}
	}
	return nil
}

// ValidateTagKey checks one tag key (see ValidateTags); the error names field.
func ValidateTagKey(field, k string) error {
	switch {
	case k == "":
		return FieldErrorf(field, "a tag key must not be empty")
	case len(k) > maxTagKey:
		return FieldErrorf(field, "a tag key must be at most %d characters, is %d", maxTagKey, len(k))
	case strings.HasPrefix(strings.ToLower(k), reservedPrefix):
		return FieldErrorf(field, "tag key %q: the prefix %s is reserved for AWS", k, reservedPrefix)
	case strings.HasPrefix(strings.ToLower(k), ManagedTagPrefix):
		return FieldErrorf(field, "tag key %q: the prefix %s is reserved for the tags Gantry manages", k, ManagedTagPrefix)
	case !tagKeyPattern.MatchString(k):
		return FieldErrorf(field, "tag key %q may hold only letters, digits, spaces and + - = . _ : / @", k)
	}
	return nil
}

// SortedTagKeys returns the keys of tags in order.
func SortedTagKeys(tags map[string]string) []string {
	keys := make([]string, 0, len(tags))
	for k := range tags {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
