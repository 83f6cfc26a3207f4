package cfnsim

import (
	"fmt"
	"strconv"

	"go.yaml.in/yaml/v3"

	"github.com/gantry-platform/gantry/internal/cfnspec"
	"github.com/gantry-platform/gantry/internal/cfnspec/cfntemplate"
)

// s3MinimumDays is how long S3 keeps an object in an infrequent-access class before it
// may move on (and the least days before a move to one).
const s3MinimumDays = 30

// handlerProblems returns what resource handlers refuse while provisioning, beyond the
// resource specification: the rules S3 enforces on a bucket's lifecycle rules (a
// transition to STANDARD_IA or ONEZONE_IA after 30 days at least; GLACIER 30 days after
// those at least; expiration after every transition). Only literal day counts are
// checked. Each problem fails the resource as CloudFormation reports it.
func handlerProblems(root *yaml.Node) []cfnspec.Problem {
	resources := cfntemplate.Lookup(root, "Resources")
	if resources == nil || resources.Kind != yaml.MappingNode {
		return nil
	}
	var out []cfnspec.Problem
	for i := 0; i+1 < len(resources.Content); i += 2 {
		id, r := resources.Content[i].Value, cfntemplate.Resolve(resources.Content[i+1])
		if t := cfntemplate.Lookup(r, "Type"); t == nil || t.Value != "AWS::S3::Bucket" {
			continue
		}
		rules := cfntemplate.Lookup(cfntemplate.Lookup(cfntemplate.Lookup(r, "Properties"), "LifecycleConfiguration"), "Rules")
		if rules == nil || rules.Kind != yaml.SequenceNode {
			continue
		}
		for _, rule := range rules.Content {
			if msg, line := lifecycleRuleProblem(rule); msg != "" {
				out = append(out, cfnspec.Problem{LogicalID: id, Line: line,
					Message: fmt.Sprintf("Resource handler returned message: \"%s (Service: S3, Status Code: 400)\" (HandlerErrorCode: InvalidRequest)", msg)})
			}
		}
	}
	return out
}

// lifecycleRuleProblem returns S3's message for a lifecycle rule it refuses, and the
// rule's line; "" when S3 takes it.
func lifecycleRuleProblem(rule *yaml.Node) (string, int) {
	days := func(n *yaml.Node, key string) (int, bool) {
		v := cfntemplate.Lookup(n, key)
		if v == nil || v.Kind != yaml.ScalarNode {
			return 0, false
		}
		d, err := strconv.Atoi(v.Value)
		return d, err == nil
	}
	infrequent, glacier, latest := -1, -1, -1
	if transitions := cfntemplate.Lookup(rule, "Transitions"); transitions != nil && transitions.Kind == yaml.SequenceNode {
		for _, t := range transitions.Content {
			d, ok := days(t, "TransitionInDays")
			if !ok {
				continue
			}
			class := ""
			if c := cfntemplate.Lookup(t, "StorageClass"); c != nil {
				class = c.Value
			}
			switch class {
			case "STANDARD_IA", "ONEZONE_IA":
				if d < s3MinimumDays {
					return fmt.Sprintf("'Days' in Transition action must be greater than or equal to %d for storageClass '%s'", s3MinimumDays, class), t.Line
				}
				infrequent = d
			case "GLACIER", "DEEP_ARCHIVE", "GLACIER_IR":
				glacier = max(glacier, d)
			}
			latest = max(latest, d)
		}
	}
	if infrequent >= 0 && glacier >= 0 && glacier-infrequent < s3MinimumDays {
		return "'Days' in the Transition action for StorageClass 'GLACIER' for filter '(prefix=)' must be 30 days more than 'filter '(prefix=)'' in the Transition action for StorageClass 'STANDARD_IA'", rule.Line
	}
	if d, ok := days(rule, "ExpirationInDays"); ok && latest >= 0 && d <= latest {
		return "'Days' in the Expiration action for filter '(prefix=)' must be greater than 'Days' in the Transition action", rule.Line
	}
	return "", 0
}
