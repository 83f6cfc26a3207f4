package local

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/proton"
	"github.com/aws/aws-sdk-go-v2/service/proton/types"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
)

// TestProtonSDKEveryDay calls, through the official Go client, the operations of an
// estate's everyday life that TestProtonSDK does not: template reads and updates, version
// lists, environment and service lists, an environment update, outputs of instances and
// pipelines, tags, components, and the teardown — service, environment, versions and
// templates deleted — each answer checked.
func TestProtonSDKEveryDay(t *testing.T) {
	ctx := t.Context()
	w := newWirePlatform(t)
	admin, dev := w.client(t, platform.AdminRole), w.client(t, platform.DeveloperRole)
	w.deployFrontend(t, admin, dev)
	check := func(what string, err error, ok bool) {
		t.Helper()
		if err != nil || !ok {
			t.Fatalf("%s: ok %v, %v", what, ok, err)
		}
	}

	et, err := admin.UpdateEnvironmentTemplate(ctx, &proton.UpdateEnvironmentTemplateInput{Name: aws.String(platformtest.EnvTemplate), Description: aws.String("VPC and cluster")})
	check("UpdateEnvironmentTemplate", err, err == nil && aws.ToString(et.EnvironmentTemplate.Description) == "VPC and cluster")
	st, err := admin.UpdateServiceTemplate(ctx, &proton.UpdateServiceTemplateInput{Name: aws.String(platformtest.SvcTemplate), DisplayName: aws.String("Fargate service")})
	check("UpdateServiceTemplate", err, err == nil && aws.ToString(st.ServiceTemplate.DisplayName) == "Fargate service")
	gst, err := dev.GetServiceTemplate(ctx, &proton.GetServiceTemplateInput{Name: aws.String(platformtest.SvcTemplate)})
	check("GetServiceTemplate", err, err == nil && aws.ToString(gst.ServiceTemplate.RecommendedVersion) == "1.0")
	lst, err := dev.ListServiceTemplates(ctx, &proton.ListServiceTemplatesInput{})
	check("ListServiceTemplates", err, err == nil && len(lst.Templates) == 1)
	ev, err := dev.GetEnvironmentTemplateVersion(ctx, &proton.GetEnvironmentTemplateVersionInput{TemplateName: aws.String(platformtest.EnvTemplate),
		MajorVersion: aws.String("1"), MinorVersion: aws.String("0")})
	check("GetEnvironmentTemplateVersion", err, err == nil && strings.Contains(aws.ToString(ev.EnvironmentTemplateVersion.Schema), "environment_input_type"))
	sv, err := dev.GetServiceTemplateVersion(ctx, &proton.GetServiceTemplateVersionInput{TemplateName: aws.String(platformtest.SvcTemplate),
		MajorVersion: aws.String("1"), MinorVersion: aws.String("0")})
	check("GetServiceTemplateVersion", err, err == nil && sv.ServiceTemplateVersion.Status == types.TemplateVersionStatusPublished)
	lev, err := dev.ListEnvironmentTemplateVersions(ctx, &proton.ListEnvironmentTemplateVersionsInput{TemplateName: aws.String(platformtest.EnvTemplate), MajorVersion: aws.String("1")})
	check("ListEnvironmentTemplateVersions", err, err == nil && len(lev.TemplateVersions) == 1)
	lsv, err := dev.ListServiceTemplateVersions(ctx, &proton.ListServiceTemplateVersionsInput{TemplateName: aws.String(platformtest.SvcTemplate)})
	check("ListServiceTemplateVersions", err, err == nil && len(lsv.TemplateVersions) == 1)

	envs, err := dev.ListEnvironments(ctx, &proton.ListEnvironmentsInput{})
	check("ListEnvironments", err, err == nil && len(envs.Environments) == 1 && aws.ToString(envs.Environments[0].Name) == "Beta")
	updated, err := admin.UpdateEnvironment(ctx, &proton.UpdateEnvironmentInput{Name: aws.String("Beta"), DeploymentType: types.DeploymentUpdateTypeCurrentVersion})
	check("UpdateEnvironment", err, err == nil && updated.Environment.DeploymentStatus == types.DeploymentStatusInProgress)
	check("EnvironmentDeployed after the update", proton.NewEnvironmentDeployedWaiter(admin).Wait(ctx, &proton.GetEnvironmentInput{Name: aws.String("Beta")}, time.Minute,
		func(o *proton.EnvironmentDeployedWaiterOptions) { fast[any](&o.MinDelay, &o.MaxDelay)(nil) }), true)
	_, err = admin.CancelEnvironmentDeployment(ctx, &proton.CancelEnvironmentDeploymentInput{EnvironmentName: aws.String("Beta")})
	var conflict *types.ConflictException
	check("CancelEnvironmentDeployment of a finished deployment is a ConflictException", nil, errors.As(err, &conflict))

	svcs, err := dev.ListServices(ctx, &proton.ListServicesInput{})
	check("ListServices", err, err == nil && len(svcs.Services) == 1)
	svc, err := dev.GetService(ctx, &proton.GetServiceInput{Name: aws.String("frontend")})
	check("GetService", err, err == nil && svc.Service.Pipeline != nil && aws.ToString(svc.Service.Arn) == "arn:aws:proton:us-east-1:"+AccountID+":service/frontend")
	insts, err := dev.ListServiceInstances(ctx, &proton.ListServiceInstancesInput{ServiceName: aws.String("frontend")})
	check("ListServiceInstances", err, err == nil && len(insts.ServiceInstances) == 1)
	inEnv, err := dev.ListServiceInstances(ctx, &proton.ListServiceInstancesInput{Filters: []types.ListServiceInstancesFilter{
		{Key: types.ListServiceInstancesFilterByEnvironmentName, Value: aws.String("Beta")},
		{Key: types.ListServiceInstancesFilterByDeploymentStatus, Value: aws.String("SUCCEEDED")}}})
	check("ListServiceInstances by environment and status", err, err == nil && len(inEnv.ServiceInstances) == 1 && aws.ToString(inEnv.ServiceInstances[0].ServiceName) == "frontend")
	sorted, err := dev.ListServiceInstances(ctx, &proton.ListServiceInstancesInput{SortBy: types.ListServiceInstancesSortByCreatedAt, SortOrder: types.SortOrderDescending,
		Filters: []types.ListServiceInstancesFilter{{Key: types.ListServiceInstancesFilterByCreatedAtAfter, Value: aws.String("2000-01-01T00:00:00Z")},
			{Key: types.ListServiceInstancesFilterByDeployedTemplateVersionStatus, Value: aws.String("UP_TO_DATE")}}})
	check("ListServiceInstances sorted by createdAt, filtered by time and version status", err, err == nil && len(sorted.ServiceInstances) == 1)
	_, err = dev.ListServiceInstances(ctx, &proton.ListServiceInstancesInput{SortBy: "color"})
	check("ListServiceInstances with an unknown sortBy", nil, err != nil && strings.Contains(err.Error(), "sortBy"))
	io, err := dev.ListServiceInstanceOutputs(ctx, &proton.ListServiceInstanceOutputsInput{ServiceName: aws.String("frontend"), ServiceInstanceName: aws.String("frontend-dev")})
	check("ListServiceInstanceOutputs", err, err == nil && len(io.Outputs) > 0)
	check("ServicePipelineDeployed", proton.NewServicePipelineDeployedWaiter(dev).Wait(ctx, &proton.GetServiceInput{Name: aws.String("frontend")}, time.Minute,
		func(o *proton.ServicePipelineDeployedWaiterOptions) { fast[any](&o.MinDelay, &o.MaxDelay)(nil) }), true)
	_, err = dev.ListServicePipelineOutputs(ctx, &proton.ListServicePipelineOutputsInput{ServiceName: aws.String("frontend")})
	check("ListServicePipelineOutputs", err, true)
	envResources, err := dev.ListEnvironmentProvisionedResources(ctx, &proton.ListEnvironmentProvisionedResourcesInput{EnvironmentName: aws.String("Beta")})
	check("ListEnvironmentProvisionedResources", err, err == nil && hasResource(envResources.ProvisionedResources, "VPC"))
	var instResources []types.ProvisionedResource
	pages := proton.NewListServiceInstanceProvisionedResourcesPaginator(dev, &proton.ListServiceInstanceProvisionedResourcesInput{
		ServiceName: aws.String("frontend"), ServiceInstanceName: aws.String("frontend-dev")})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		check("ListServiceInstanceProvisionedResources page", err, true)
		instResources = append(instResources, page.ProvisionedResources...)
	}
	check("ListServiceInstanceProvisionedResources", nil, hasResource(instResources, "Service"))
	pipeResources, err := dev.ListServicePipelineProvisionedResources(ctx, &proton.ListServicePipelineProvisionedResourcesInput{ServiceName: aws.String("frontend")})
	check("ListServicePipelineProvisionedResources", err, err == nil && len(pipeResources.ProvisionedResources) > 0)
	_, err = dev.ListComponentProvisionedResources(ctx, &proton.ListComponentProvisionedResourcesInput{ComponentName: aws.String("nope")})
	var missing *types.ResourceNotFoundException
	check("ListComponentProvisionedResources of a missing component is a ResourceNotFoundException", nil, errors.As(err, &missing))

	envARN := aws.String("arn:aws:proton:us-east-1:" + AccountID + ":environment/Beta")
	_, err = admin.TagResource(ctx, &proton.TagResourceInput{ResourceArn: envARN, Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("payments")}}})
	check("TagResource", err, true)
	tags, err := dev.ListTagsForResource(ctx, &proton.ListTagsForResourceInput{ResourceArn: envARN})
	check("ListTagsForResource", err, err == nil && len(tags.Tags) == 1 && aws.ToString(tags.Tags[0].Value) == "payments")
	_, err = admin.UntagResource(ctx, &proton.UntagResourceInput{ResourceArn: envARN, TagKeys: []string{"team"}})
	check("UntagResource", err, true)
	comps, err := dev.ListComponents(ctx, &proton.ListComponentsInput{})
	check("ListComponents", err, err == nil && len(comps.Components) == 0)
	_, err = dev.GetComponent(ctx, &proton.GetComponentInput{Name: aws.String("nope")})
	var notFound *types.ResourceNotFoundException
	check("GetComponent of a missing component is a ResourceNotFoundException", nil, errors.As(err, &notFound))

	// Teardown: the service, then the environment, then the versions and templates.
	_, err = dev.DeleteService(ctx, &proton.DeleteServiceInput{Name: aws.String("frontend")})
	check("DeleteService", err, true)
	check("ServiceDeleted", proton.NewServiceDeletedWaiter(dev).Wait(ctx, &proton.GetServiceInput{Name: aws.String("frontend")}, time.Minute,
		func(o *proton.ServiceDeletedWaiterOptions) { fast[any](&o.MinDelay, &o.MaxDelay)(nil) }), true)
	_, err = admin.DeleteEnvironment(ctx, &proton.DeleteEnvironmentInput{Name: aws.String("Beta")})
	check("DeleteEnvironment", err, true)
	deadline := time.Now().Add(time.Minute)
	for {
		_, err := dev.GetEnvironment(ctx, &proton.GetEnvironmentInput{Name: aws.String("Beta")})
		if errors.As(err, &notFound) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("environment Beta still there a minute after DeleteEnvironment: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	_, err = admin.DeleteServiceTemplateVersion(ctx, &proton.DeleteServiceTemplateVersionInput{TemplateName: aws.String(platformtest.SvcTemplate),
		MajorVersion: aws.String("1"), MinorVersion: aws.String("0")})
	check("DeleteServiceTemplateVersion", err, true)
	_, err = admin.DeleteServiceTemplate(ctx, &proton.DeleteServiceTemplateInput{Name: aws.String(platformtest.SvcTemplate)})
	check("DeleteServiceTemplate", err, true)
	_, err = admin.DeleteEnvironmentTemplateVersion(ctx, &proton.DeleteEnvironmentTemplateVersionInput{TemplateName: aws.String(platformtest.EnvTemplate),
		MajorVersion: aws.String("1"), MinorVersion: aws.String("0")})
	check("DeleteEnvironmentTemplateVersion", err, true)
	_, err = admin.DeleteEnvironmentTemplate(ctx, &proton.DeleteEnvironmentTemplateInput{Name: aws.String(platformtest.EnvTemplate)})
	check("DeleteEnvironmentTemplate", err, true)
	left, err := dev.ListEnvironmentTemplates(ctx, &proton.ListEnvironmentTemplatesInput{})
	check("nothing left", err, err == nil && len(left.Templates) == 0)
}

// hasResource reports a resource named name provisioned by CloudFormation with an identifier.
func hasResource(rs []types.ProvisionedResource, name string) bool {
	for _, r := range rs {
		if aws.ToString(r.Name) == name && aws.ToString(r.Identifier) != "" && r.ProvisioningEngine == types.ProvisionedResourceEngineCloudformation {
			return true
		}
	}
	return false
}
