package control_test

import (
	"context"
	"reflect"
	"testing"

	"github.com/gantry-platform/gantry/internal/platform"
)

// stackHas makes stack exist with pages of resources: the first under "", each next one
// under the token the previous gives ("page-2", …).
func (h *harness) stackHas(stack string, pages ...[]platform.StackResource) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stackResources == nil {
		h.stackResources = map[string]map[string]platform.StackResourcePage{}
	}
	byToken := map[string]platform.StackResourcePage{}
	token := ""
	for i, resources := range pages {
		page := platform.StackResourcePage{Resources: resources}
		if i+1 < len(pages) {
			page.NextToken = "page-" + string(rune('2'+i))
		}
		byToken[token] = page
		token = page.NextToken
	}
	h.stackResources[stack] = byToken
}

func TestListProvisionedResourcesOfEachTarget(t *testing.T) {
	h := newHarness(t)
	h.mustComponentService(true)
	dev := developerContext()
	c, err := h.svc.CreateComponent(dev, attachedInput("queue"))
	if err != nil {
		t.Fatal(err)
	}
	h.mustFinish(c.LastDeploymentID)

	env := platform.Target{Kind: platform.EnvironmentTarget, Environment: "Beta"}
	inst := platform.Target{Kind: platform.ServiceInstanceTarget, Service: "frontend", Instance: "frontend-beta"}
	pipeline := platform.Target{Kind: platform.ServicePipelineTarget, Service: "frontend"}
	component := platform.Target{Kind: platform.ComponentTarget, Component: "queue"}
	for i, target := range []platform.Target{env, inst, pipeline, component} {
		name := string(rune('A' + i))
		h.stackHas(platform.StackName(target),
			[]platform.StackResource{{LogicalID: "Vpc" + name, PhysicalID: "vpc-0" + name, Type: "AWS::EC2::VPC", Status: "CREATE_COMPLETE"},
				{LogicalID: "Gone", PhysicalID: "gone-1", Type: "AWS::SNS::Topic", Status: "DELETE_COMPLETE"}},
			[]platform.StackResource{{LogicalID: "Queue", Type: "AWS::SQS::Queue", Status: "CREATE_IN_PROGRESS"}})
	}
	for i, target := range []platform.Target{env, inst, pipeline, component} {
		name := string(rune('A' + i))
		first, err := h.svc.ListProvisionedResources(dev, target, "")
		if err != nil {
			t.Fatalf("%s: %v", target, err)
		}
		// The deleted resource is left out.
		want := []platform.ProvisionedResource{{Name: "Vpc" + name, Identifier: "vpc-0" + name, ProvisioningEngine: platform.CloudFormationEngine}}
		if !reflect.DeepEqual(first.Items, want) || first.NextToken != "page-2" {
			t.Fatalf("%s first page = %+v, want %+v and a next token", target, first, want)
		}
		second, err := h.svc.ListProvisionedResources(dev, target, first.NextToken)
		if err != nil {
			t.Fatalf("%s page 2: %v", target, err)
		}
		want = []platform.ProvisionedResource{{Name: "Queue", ProvisioningEngine: platform.CloudFormationEngine}}
		if !reflect.DeepEqual(second.Items, want) || second.NextToken != "" {
			t.Fatalf("%s second page = %+v, want %+v", target, second, want)
		}
		if _, err := h.svc.ListProvisionedResources(dev, target, "forged"); platform.KindOf(err) != platform.Invalid {
			t.Errorf("%s with a forged token: %v, want Invalid", target, err)
		}
	}
}

func TestListProvisionedResourcesOfATargetNeverDeployedIsEmpty(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	h.mustCreateEnvironment(h.envInput("Beta"))
	page, err := h.svc.ListProvisionedResources(h.ctx, platform.Target{Kind: platform.EnvironmentTarget, Environment: "Beta"}, "")
	if err != nil || page.Items == nil || len(page.Items) != 0 || page.NextToken != "" {
		t.Fatalf("never deployed = %+v, %v; want an empty list", page, err)
	}
	// A token that continued a stack which is gone since is refused, naming the field.
	if _, err := h.svc.ListProvisionedResources(h.ctx, platform.Target{Kind: platform.EnvironmentTarget, Environment: "Beta"}, "page-2"); platform.KindOf(err) != platform.Invalid {
		t.Fatalf("a token of a vanished stack: %v, want Invalid", err)
	} else if kind, field := fieldOf(err); kind != platform.Invalid || field != "nextToken" {
		t.Fatalf("error names %q, want nextToken", field)
	}
}

func TestListProvisionedResourcesOfMissingTargetsIsNotFound(t *testing.T) {
	h := newHarness(t)
	h.mustEnvTemplate()
	h.mustDeployedEnvironment("Beta")
	h.mustServiceTemplate()
	if _, err := h.svc.CreateService(h.ctx, serviceInput("Beta")); err != nil {
		t.Fatal(err)
	}
	for _, target := range []platform.Target{
		{Kind: platform.EnvironmentTarget, Environment: "Nowhere"},
		{Kind: platform.ServiceInstanceTarget, Service: "frontend", Instance: "nowhere"},
		{Kind: platform.ServiceInstanceTarget, Service: "nowhere", Instance: "frontend-beta"},
		{Kind: platform.ServicePipelineTarget, Service: "nowhere"},
		{Kind: platform.ComponentTarget, Component: "nowhere"},
	} {
		if _, err := h.svc.ListProvisionedResources(developerContext(), target, ""); platform.KindOf(err) != platform.NotFound {
			t.Errorf("%s: %v, want NotFound", target, err)
		}
	}
	nobody := platform.WithCaller(context.Background(), platform.Caller{Subject: "nobody"})
	if _, err := h.svc.ListProvisionedResources(nobody, platform.Target{Kind: platform.EnvironmentTarget, Environment: "Beta"}, ""); platform.KindOf(err) != platform.Forbidden {
		t.Errorf("a caller without a role: %v, want Forbidden", err)
	}
}
