package stacks_test

import (
	"encoding/json"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/gantry-platform/gantry/cdk/stacks"
	"github.com/gantry-platform/gantry/events"
)

// TestConnectionStackTrustsThePlatformWithTheConnectionIDs: the role Gantry assumes in an
// environment account trusts the platform account (a parameter) only with one of the
// connections' ids as sts:ExternalId, carries Gantry's account role name, and may run
// CloudFormation on Gantry's stacks alone and pass only the roles they create.
func TestConnectionStackTrustsThePlatformWithTheConnectionIDs(t *testing.T) {
	s := synthesized(t)
	tpl := s.connection
	platformRoot := map[string]any{"Fn::Join": assertions.Match_ArrayWith(&[]any{assertions.Match_ArrayWith(&[]any{
		map[string]any{"Ref": stacks.ParamPlatformAccountID}})})}
	holds(t, "the trust policy", func() {
		tpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), map[string]any{
			"RoleName": testContext[stacks.ContextAccountRoleName],
			"AssumeRolePolicyDocument": map[string]any{"Statement": []any{assertions.Match_ObjectLike(&map[string]any{
				"Action":    "sts:AssumeRole",
				"Effect":    "Allow",
				"Principal": map[string]any{"AWS": platformRoot},
				"Condition": map[string]any{"StringEquals": map[string]any{"sts:ExternalId": map[string]any{"Ref": stacks.ParamConnectionIDs}}},
			})}},
		})
	})
	holds(t, "the parameters", func() {
		tpl.HasParameter(jsii.String(stacks.ParamPlatformAccountID), map[string]any{"Type": "String", "AllowedPattern": "^[0-9]{12}$"})
		tpl.HasParameter(jsii.String(stacks.ParamConnectionIDs), map[string]any{"Type": "CommaDelimitedList", "Default": stacks.PendingConnection})
	})
	holds(t, "CloudFormation on Gantry's stacks, passing the roles they create", func() {
		tpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{"Sid": "GantryStacks", "Resource": map[string]any{"Fn::Join": assertions.Match_ArrayWith(&[]any{
				assertions.Match_ArrayWith(&[]any{":stack/" + events.NamePrefix + "*/*"})})}}),
			assertions.Match_ObjectLike(&map[string]any{"Sid": "PassTheStacksRoles", "Action": "iam:PassRole", "Resource": map[string]any{"Fn::Join": assertions.Match_ArrayWith(&[]any{
				assertions.Match_ArrayWith(&[]any{":role/" + events.NamePrefix + "*"})})}}),
		})}})
	})
}

// TestConnectionStackForwardsStackEventsToThePlatformBus: the environment account's
// CloudFormation stack events, matched by the pattern of events.ForwardingRules (the
// platform's stack rule's), go to the platform account's default bus, with a role
// EventBridge assumes that may put events there and nowhere else.
func TestConnectionStackForwardsStackEventsToThePlatformBus(t *testing.T) {
	s := synthesized(t)
	tpl := s.connection
	rules, err := events.ForwardingRules()
	if err != nil {
		t.Fatal(err)
	}
	var pattern map[string]any
	if err := json.Unmarshal(rules[0].Pattern, &pattern); err != nil {
		t.Fatal(err)
	}
	platformBus := map[string]any{"Fn::Join": []any{"", []any{"arn:", map[string]any{"Ref": "AWS::Partition"}, ":events:",
		map[string]any{"Ref": "AWS::Region"}, ":", map[string]any{"Ref": stacks.ParamPlatformAccountID}, ":event-bus/default"}}}
	holds(t, "the forwarding rule", func() {
		tpl.ResourceCountIs(jsii.String("AWS::Events::Rule"), jsii.Number(1))
		tpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{
			"EventPattern": pattern,
			"State":        "ENABLED",
			"Targets": []any{assertions.Match_ObjectLike(&map[string]any{
				"Arn":     platformBus,
				"RoleArn": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^ForwardRole")), "Arn"}},
			})},
		})
	})
	holds(t, "the forwarding role", func() {
		tpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), map[string]any{"AssumeRolePolicyDocument": map[string]any{"Statement": []any{
			assertions.Match_ObjectLike(&map[string]any{"Principal": map[string]any{"Service": "events.amazonaws.com"}})}}})
		tpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{"PolicyDocument": map[string]any{"Statement": []any{
			assertions.Match_ObjectLike(&map[string]any{"Action": "events:PutEvents", "Effect": "Allow", "Resource": platformBus})}}})
	})
}

// TestPlatformBusTakesTheEnvironmentAccountsEvents: each of gantry:environmentAccounts may
// put events on Gantry's default bus, the target of its forwarding rule.
func TestPlatformBusTakesTheEnvironmentAccountsEvents(t *testing.T) {
	s := synthesized(t)
	holds(t, "the bus policy", func() {
		s.service.HasResourceProperties(jsii.String("AWS::Events::EventBusPolicy"), map[string]any{
			"EventBusName": "default", "Action": "events:PutEvents", "Principal": "222222222222", "StatementId": "gantry-222222222222"})
	})
}
