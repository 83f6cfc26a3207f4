package render

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	sanitizeRe = regexp.MustCompile(`^[a-zA-Z0-9_-]*$`)
	arnRe      = regexp.MustCompile(`^arn:[^:\s]*:[^:\s]*:[^:\s]*:[^:\s]*:\S+$`)
	policyRe   = regexp.MustCompile(`^arn:[a-zA-Z-]+:iam::\d{12}:policy/`)
)

// protonFilters returns AWS Proton's four filters.
func protonFilters() map[string]filterFunc {
	return map[string]filterFunc{
		"proton_cfn_ecs_task_definition_formatted_env_vars": envVarsFilter("proton_cfn_ecs_task_definition_formatted_env_vars", func(k, v string) string {
			return "- {Name: " + k + ", Value: " + v + "}"
		}),
		"proton_cfn_lambda_function_formatted_env_vars": envVarsFilter("proton_cfn_lambda_function_formatted_env_vars", func(k, v string) string {
			return k + ": " + v
		}),
		"proton_cfn_iam_policy_arns": filterIAMPolicyARNs,
		"proton_cfn_sanitize":        filterSanitize,
	}
}

// sanitize returns s unchanged when it is safe to embed in CloudFormation, else fails.
func sanitize(s string) (string, error) {
	if sanitizeRe.MatchString(s) || arnRe.MatchString(s) {
		return s, nil
	}
	return "", fmt.Errorf("Illegal character(s) detected in %q. Only alphanumeric characters, '-' and '_', or an ARN, are allowed", s)
}

func filterSanitize(r *renderer, v any, a *callArgs) (any, error) {
	if _, err := a.bind("proton_cfn_sanitize", nil, nil); err != nil {
		return nil, err
	}
	if u, ok := v.(*undefined); ok {
		return nil, u.err()
	}
	return sanitize(pyStr(v))
}

// envVarsFilter formats a mapping as one line per item; raw=False sanitizes each value.
func envVarsFilter(name string, line func(k, v string) string) filterFunc {
	return func(r *renderer, v any, a *callArgs) (any, error) {
		p, err := a.bind(name, []string{"raw"}, []any{true})
		if err != nil {
			return nil, err
		}
		m, ok := v.(*Map)
		if !ok {
			if u, isU := v.(*undefined); isU {
				return nil, u.err()
			}
			return nil, fmt.Errorf("%s: expected a mapping, got %s", name, typeName(v))
		}
		lines := make([]string, 0, m.Len())
		for i, k := range m.keys {
			val := pyStr(m.vals[i])
			if !truthy(p[0]) {
				if val, err = sanitize(val); err != nil {
					return nil, err
				}
			}
			lines = append(lines, line(pyStr(k), val))
		}
		return strings.Join(lines, "\n"), nil
	}
}

func filterIAMPolicyARNs(r *renderer, v any, a *callArgs) (any, error) {
	if _, err := a.bind("proton_cfn_iam_policy_arns", nil, nil); err != nil {
		return nil, err
	}
	m, ok := v.(*Map)
	if !ok {
		if u, isU := v.(*undefined); isU {
			return nil, u.err()
		}
		return nil, fmt.Errorf("proton_cfn_iam_policy_arns: expected a mapping, got %s", typeName(v))
	}
	var lines []string
	for _, val := range m.vals {
		if s, ok := val.(string); ok && policyRe.MatchString(s) {
			lines = append(lines, "- "+s)
		}
	}
	return strings.Join(lines, "\n"), nil
}
