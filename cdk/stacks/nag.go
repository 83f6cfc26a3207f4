package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// ApplyChecks adds cdk-nag's AwsSolutions checks to every construct of scope; they run at
// synth and report findings as error and warning annotations. Gantry's accepted findings
// are suppressed next to the resource they concern, each with its reason.
func ApplyChecks(scope constructs.IConstruct) {
	awscdk.Aspects_Of(scope).Add(cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}), nil)
}

// suppress records that construct c and its children accept cdk-nag rule rule for
// reason, for the findings appliesTo lists (strings, or cdknag.RegexAppliesTo) or, when
// none is given, for all of them.
func suppress(c constructs.IConstruct, rule, reason string, appliesTo ...any) {
	s := &cdknag.NagPackSuppression{Id: jsii.String(rule), Reason: jsii.String(reason)}
	if len(appliesTo) > 0 {
		s.AppliesTo = &appliesTo
	}
	cdknag.NagSuppressions_AddResourceSuppressions(c, &[]*cdknag.NagPackSuppression{s}, jsii.Bool(true))
}

// matching is a cdk-nag appliesTo entry matching findings by regular expression, written
// /pattern/.
func matching(pattern string) cdknag.RegexAppliesTo {
	return cdknag.RegexAppliesTo{Regex: jsii.String("/" + pattern + "/")}
}
