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
			assertions.Match_ObjectLike(&map[string]any{"Sid": "GantryStacks", "Resource": assertions.Match_ArrayWith(&[]any{map[string]any{"Fn::Join": assertions.Match_ArrayWith(&[]any{
				assertions.Match_ArrayWith(&[]any{":stack/" + events.NamePrefix + "*/*"})})}})}),
			assertions.Match_ObjectLike(&map[string]any{"Sid": "PassTheStacksRoles", "Action": "iam:PassRole", "Resource": map[string]any{"Fn::Join": assertions.Match_ArrayWith(&[]any{
				assertions.Match_ArrayWith(&[]any{":role/" + events.NamePrefix + "*"})})}}),
		})}})
	})
}

// platformBusIn is the ARN of the platform account's default bus in region, as the
// forwarding rules write it.
func platformBusIn(region string) map[string]any {
	return map[string]any{"Fn::Join": []any{"", []any{"arn:", map[string]any{"Ref": "AWS::Partition"}, ":events:" + region + ":",
		map[string]any{"Ref": stacks.ParamPlatformAccountID}, ":event-bus/default"}}}
}

// TestConnectionStackForwardsStackEventsToThePlatformBus: the environment account's
// CloudFormation stack events, matched by the pattern of events.ForwardingRules (the
// platform's stack rule's), go to the platform account's default bus in the platform's
// region (gantry:platformRegion), with a role EventBridge assumes that may put events
// there and nowhere else.
func TestConnectionStackForwardsStackEventsToThePlatformBus(t *testing.T) {
	wantForwardingToThePlatformBus(t, synthesized(t).connection)
}

// TestForwardingStackForwardsAcrossRegions: the forwarding stack of another region
// (gantry:regions) is deployed in that region and forwards its stack events to the
// platform account's default bus in the platform's region, as the connection stack does,
// and has nothing else; the connection stack's role may deploy Gantry's stacks there too.
func TestForwardingStackForwardsAcrossRegions(t *testing.T) {
	s := synthesized(t)
	if len(s.gantry.Forwarding) != 1 || *s.gantry.Forwarding[0].Stack.Region() != "us-west-2" {
		t.Fatalf("forwarding stacks = %v, want one in us-west-2", s.gantry.Forwarding)
	}
	wantForwardingToThePlatformBus(t, s.forwarding)
	holds(t, "only the rule and its role", func() {
		s.forwarding.ResourceCountIs(jsii.String("AWS::IAM::Role"), jsii.Number(1))
		s.forwarding.ResourceCountIs(jsii.String("AWS::IAM::Policy"), jsii.Number(1))
		s.forwarding.HasParameter(jsii.String(stacks.ParamPlatformAccountID), map[string]any{"Type": "String", "AllowedPattern": "^[0-9]{12}$"})
	})
	holds(t, "the connection role in us-west-2", func() {
		s.connection.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
			assertions.Match_ObjectLike(&map[string]any{"Sid": "GantryStacks", "Resource": assertions.Match_ArrayWith(&[]any{
				map[string]any{"Fn::Join": []any{"", []any{"arn:", map[string]any{"Ref": "AWS::Partition"}, ":cloudformation:us-west-2:",
					map[string]any{"Ref": "AWS::AccountId"}, ":stack/" + events.NamePrefix + "*/*"}}}})}),
		})}})
	})
}

// wantForwardingToThePlatformBus checks that tpl forwards the stack events of
// events.ForwardingRules to the platform's bus in the platform's region, with a role
// EventBridge assumes that may put events there and nowhere else.
func wantForwardingToThePlatformBus(t *testing.T, tpl assertions.Template) {
	t.Helper()
	rules, err := events.ForwardingRules()
	if err != nil {
		t.Fatal(err)
	}
	var pattern map[string]any
	if err := json.Unmarshal(rules[0].Pattern, &pattern); err != nil {
		t.Fatal(err)
	}
	platformBus := platformBusIn(testContext[stacks.ContextPlatformRegion].(string))
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
