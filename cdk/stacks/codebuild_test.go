package stacks_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/gantry-platform/gantry/cdk/stacks"
	"github.com/gantry-platform/gantry/internal/lambdaenv"
)

// TestCodeBuildProvisioningProjectAndRole: one CodeBuild project (gantry-provisioning-…,
// so the build-state-change rule matches it) runs under a role CodeBuild alone assumes, in
// this account, with the operator's provisioning policies; deploy may start and stop its
// builds and seal reporter's keys, events and record may only describe them, and no
// function touches CodeBuild beyond that project; deploy may pass this account's roles to
// CodeBuild alone (the environments' codebuildRoleArn); the builds' sources, which carry
// reporter's keys, expire from the bucket after a day.
func TestCodeBuildProvisioningProjectAndRole(t *testing.T) {
	s := synthesized(t)
	holds(t, "one project", func() { s.service.ResourceCountIs(jsii.String("AWS::CodeBuild::Project"), jsii.Number(1)) })
	projects := s.serviceJSON.ofType("AWS::CodeBuild::Project")
	project := s.serviceJSON.Resources[projects[0]].Properties
	name, _ := json.Marshal(project["Name"])
	if !strings.Contains(string(name), `gantry-provisioning-`) || project["TimeoutInMinutes"] != float64(60) {
		t.Errorf("project name %s, timeout %v", name, project["TimeoutInMinutes"])
	}
	role := project["ServiceRole"].(map[string]any)["Fn::GetAtt"].([]any)[0].(string)
	holds(t, "the builds' role", func() {
		s.service.HasResourceProperties(jsii.String("AWS::IAM::Role"), map[string]any{
			"ManagedPolicyArns": testContext[stacks.ContextProvisioningPolicyARN],
			"AssumeRolePolicyDocument": map[string]any{"Statement": []any{assertions.Match_ObjectLike(&map[string]any{
				"Principal": map[string]any{"Service": "codebuild.amazonaws.com"},
				"Condition": map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": map[string]any{"Ref": "AWS::AccountId"}}}})}},
		})
	})
	if !strings.HasPrefix(role, "CodeBuildProvisioningRole") {
		t.Errorf("the project runs under %s", role)
	}
	got := map[string][]string{}
	for id, sts := range statements(s.serviceJSON) {
		for _, st := range sts {
			for _, a := range asList(st["Action"]) {
				action := fmt.Sprint(a)
				if !strings.HasPrefix(action, "codebuild:") || strings.HasPrefix(id, "CodeBuildProvisioning") {
					continue
				}
				resource, _ := json.Marshal(st["Resource"])
				if !strings.Contains(string(resource), projects[0]) {
					t.Errorf("%s: %s on %s, want the provisioning project only", id, action, resource)
				}
				for _, fn := range lambdaenv.Functions() {
					if strings.HasPrefix(id, strings.ToUpper(fn[:1])+fn[1:]+"Function") {
						got[fn] = append(got[fn], action)
					}
				}
			}
		}
	}
	for fn, want := range map[string][]string{
		"deploy": {"codebuild:BatchGetBuilds", "codebuild:StartBuild", "codebuild:StopBuild"},
		"api":    {"codebuild:BatchGetBuilds", "codebuild:StartBuild", "codebuild:StopBuild"},
		"events": {"codebuild:BatchGetBuilds"}, "record": {"codebuild:BatchGetBuilds"},
	} {
		slices.Sort(got[fn])
		if !slices.Equal(got[fn], want) {
			t.Errorf("%s may %v on builds, want %v", fn, got[fn], want)
		}
	}
	for _, fn := range []string{"render", "notify"} {
		if len(got[fn]) > 0 {
			t.Errorf("%s may %v on builds, want nothing", fn, got[fn])
		}
	}
	deployPasses := false
	for id, sts := range statements(s.serviceJSON) {
		for _, st := range sts {
			if st["Sid"] != "PassCodebuildRoles" {
				continue
			}
			if !strings.HasPrefix(id, "DeployFunction") && !strings.HasPrefix(id, "ApiFunction") {
				t.Errorf("%s may pass roles to CodeBuild; only deploy and api start builds", id)
			}
			if cond, _ := json.Marshal(st["Condition"]); string(cond) != `{"StringEquals":{"iam:PassedToService":"codebuild.amazonaws.com"}}` {
				t.Errorf("%s passes roles under %s, want to CodeBuild only", id, cond)
			}
			deployPasses = deployPasses || strings.HasPrefix(id, "DeployFunction")
		}
	}
	if !deployPasses {
		t.Error("deploy may not pass the environments' codebuildRoleArn to CodeBuild")
	}
	holds(t, "the builds' sources, which carry reporter's keys, expire after a day", func() {
		s.data.HasResourceProperties(jsii.String("AWS::S3::Bucket"), map[string]any{
			"LifecycleConfiguration": map[string]any{"Rules": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
				"Prefix": stacks.ProvisioningSourcePrefix, "Status": "Enabled", "ExpirationInDays": 1,
				"NoncurrentVersionExpiration": map[string]any{"NoncurrentDays": 1}})})},
		})
	})
	holds(t, "deploy knows the project, the endpoint and the key", func() {
		s.service.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
			"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{
				lambdaenv.BuildProject: assertions.Match_AnyValue(), lambdaenv.ProtonEndpoint: assertions.Match_AnyValue(),
				lambdaenv.AccessKeysKMSKey: assertions.Match_AnyValue(), lambdaenv.ProvisioningRoleARN: assertions.Match_AnyValue()})},
		})
	})
}
