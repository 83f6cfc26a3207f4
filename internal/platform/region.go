package platform

import "regexp"

// regionPattern is the shape of an AWS region name: us-east-1, eu-central-2,
// us-gov-west-1, cn-northwest-1, us-isob-east-1.
var regionPattern = regexp.MustCompile(`^[a-z]{2}(-(gov|iso|isob|isoe|isof))?-[a-z]+-[0-9]{1,2}$`)

// ValidateRegion checks that region is an AWS region name (lower case, like us-west-2);
// Invalid naming field otherwise.
func ValidateRegion(field, region string) error {
	if !regionPattern.MatchString(region) {
		return FieldErrorf(field, "must be an AWS region name like us-west-2, is %q", region)
	}
	return nil
}
