package api

import (
	"context"
	"maps"
	"strconv"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
	pw "github.com/gantry-platform/gantry/internal/protonwire"
)

// wireOps is the wire protocol's operation table: Proton's operation name → the shapes it
// takes and gives, who may call it, and the control-plane call behind it (the one the
// REST route of the same operationId makes).
func wireOps() map[string]wireOp {
	ops := map[string]wireOp{
		"CreateEnvironmentTemplate":        op(adminOnly, []string{"name", "displayName", "description"}, (*handler).wCreateEnvironmentTemplate),
		"GetEnvironmentTemplate":           op(anyRole, []string{"name"}, (*handler).wGetEnvironmentTemplate),
		"ListEnvironmentTemplates":         op(anyRole, []string{"maxResults", "nextToken"}, (*handler).wListEnvironmentTemplates),
		"UpdateEnvironmentTemplate":        op(adminOnly, []string{"name", "displayName", "description"}, (*handler).wUpdateEnvironmentTemplate),
		"DeleteEnvironmentTemplate":        op(adminOnly, []string{"name"}, (*handler).wDeleteEnvironmentTemplate),
		"CreateEnvironmentTemplateVersion": op(adminOnly, []string{"templateName", "majorVersion", "description", "source", "clientToken"}, (*handler).wCreateEnvironmentTemplateVersion),
		"GetEnvironmentTemplateVersion":    op(anyRole, []string{"templateName", "majorVersion", "minorVersion"}, (*handler).wGetEnvironmentTemplateVersion),
		"ListEnvironmentTemplateVersions":  op(anyRole, []string{"templateName", "majorVersion", "maxResults", "nextToken"}, (*handler).wListEnvironmentTemplateVersions),
		"UpdateEnvironmentTemplateVersion": op(adminOnly, []string{"templateName", "majorVersion", "minorVersion", "status", "description"}, (*handler).wUpdateEnvironmentTemplateVersion),
		"DeleteEnvironmentTemplateVersion": op(adminOnly, []string{"templateName", "majorVersion", "minorVersion"}, (*handler).wDeleteEnvironmentTemplateVersion),

		"CreateServiceTemplate":        op(adminOnly, []string{"name", "displayName", "description"}, (*handler).wCreateServiceTemplate),
		"GetServiceTemplate":           op(anyRole, []string{"name"}, (*handler).wGetServiceTemplate),
		"ListServiceTemplates":         op(anyRole, []string{"maxResults", "nextToken"}, (*handler).wListServiceTemplates),
		"UpdateServiceTemplate":        op(adminOnly, []string{"name", "displayName", "description"}, (*handler).wUpdateServiceTemplate),
		"DeleteServiceTemplate":        op(adminOnly, []string{"name"}, (*handler).wDeleteServiceTemplate),
		"CreateServiceTemplateVersion": op(adminOnly, []string{"templateName", "majorVersion", "description", "source", "clientToken", "compatibleEnvironmentTemplates", "supportedComponentSources"}, (*handler).wCreateServiceTemplateVersion),
		"GetServiceTemplateVersion":    op(anyRole, []string{"templateName", "majorVersion", "minorVersion"}, (*handler).wGetServiceTemplateVersion),
		"ListServiceTemplateVersions":  op(anyRole, []string{"templateName", "majorVersion", "maxResults", "nextToken"}, (*handler).wListServiceTemplateVersions),
		"UpdateServiceTemplateVersion": op(adminOnly, []string{"templateName", "majorVersion", "minorVersion", "status", "description", "compatibleEnvironmentTemplates", "supportedComponentSources"}, (*handler).wUpdateServiceTemplateVersion),
		"DeleteServiceTemplateVersion": op(adminOnly, []string{"templateName", "majorVersion", "minorVersion"}, (*handler).wDeleteServiceTemplateVersion),

		"CreateEnvironment":           op(developer, []string{"name", "description", "templateName", "templateMajorVersion", "templateMinorVersion", "spec", "environmentAccountConnectionId", "componentRoleArn", "codebuildRoleArn", "provisioningRepository"}, (*handler).wCreateEnvironment),
		"GetEnvironment":              op(anyRole, []string{"name"}, (*handler).wGetEnvironment),
		"ListEnvironments":            op(anyRole, []string{"maxResults", "nextToken"}, (*handler).wListEnvironments),
		"UpdateEnvironment":           op(developer, []string{"name", "deploymentType", "spec", "templateMajorVersion", "templateMinorVersion", "componentRoleArn", "codebuildRoleArn"}, (*handler).wUpdateEnvironment),
		"DeleteEnvironment":           op(developer, []string{"name"}, (*handler).wDeleteEnvironment),
		"ListEnvironmentOutputs":      op(anyRole, []string{"environmentName", "nextToken"}, (*handler).wListEnvironmentOutputs),
		"CancelEnvironmentDeployment": op(developer, []string{"environmentName"}, (*handler).wCancelEnvironmentDeployment),

		"CreateService":                   op(developer, []string{"name", "description", "templateName", "templateMajorVersion", "templateMinorVersion", "spec", "repositoryId", "repositoryConnectionArn", "branchName"}, (*handler).wCreateService),
		"GetService":                      op(anyRole, []string{"name"}, (*handler).wGetService),
		"ListServices":                    op(anyRole, []string{"maxResults", "nextToken"}, (*handler).wListServices),
		"UpdateService":                   op(developer, []string{"name", "description", "spec"}, (*handler).wUpdateService),
		"DeleteService":                   op(developer, []string{"name"}, (*handler).wDeleteService),
		"CreateServiceInstance":           op(developer, []string{"serviceName", "name", "spec", "templateMajorVersion", "templateMinorVersion", "clientToken"}, (*handler).wCreateServiceInstance),
		"GetServiceInstance":              op(anyRole, []string{"serviceName", "name"}, (*handler).wGetServiceInstance),
		"UpdateServiceInstance":           op(developer, []string{"serviceName", "name", "deploymentType", "spec", "templateMajorVersion", "templateMinorVersion", "clientToken"}, (*handler).wUpdateServiceInstance),
		"ListServiceInstanceOutputs":      op(anyRole, []string{"serviceName", "serviceInstanceName", "nextToken"}, (*handler).wListServiceInstanceOutputs),
		"CancelServiceInstanceDeployment": op(developer, []string{"serviceName", "serviceInstanceName"}, (*handler).wCancelServiceInstanceDeployment),
		"ListServicePipelineOutputs":      op(anyRole, []string{"serviceName", "nextToken"}, (*handler).wListServicePipelineOutputs),
		"UpdateServicePipeline":           op(developer, []string{"serviceName", "deploymentType", "spec", "templateMajorVersion", "templateMinorVersion"}, (*handler).wUpdateServicePipeline),
		"CancelServicePipelineDeployment": op(developer, []string{"serviceName"}, (*handler).wCancelServicePipelineDeployment),
		"DeleteDeployment":                op(developer, []string{"id"}, (*handler).wDeleteDeployment),

		"GetDeployment":   op(anyRole, []string{"id", "environmentName", "serviceName", "serviceInstanceName"}, (*handler).wGetDeployment),
		"ListDeployments": op(anyRole, []string{"environmentName", "serviceName", "serviceInstanceName", "maxResults", "nextToken"}, (*handler).wListDeployments),
	}
	maps.Copy(ops, componentWireOps())
	maps.Copy(ops, accountWireOps())
	maps.Copy(ops, summaryWireOps())
	maps.Copy(ops, provisionedResourceWireOps())
	maps.Copy(ops, instanceWireOps())
	maps.Copy(ops, repositoryWireOps())
	maps.Copy(ops, notifyWireOps())
	maps.Copy(ops, syncWireOps())
	maps.Copy(ops, serviceSyncWireOps())
	return ops
}

// Proton's versions are strings on the wire ("1"); Gantry's are numbers.

func versionPart(field, s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || strconv.Itoa(n) != s {
		return 0, platform.FieldErrorf(field, "%q must be a whole number written without sign or leading zeros", s)
	}
	return n, nil
}

// optionalPart is nil for "".
func optionalPart(field, s string) (*int, error) {
	if s == "" {
		return nil, nil
	}
	n, err := versionPart(field, s)
	return &n, err
}

func requiredMajor(field, s string) (int, error) {
	if s == "" {
		return 0, platform.FieldErrorf(field, "is required")
	}
	n, err := versionPart(field, s)
	if err == nil && n < 1 {
		return 0, platform.FieldErrorf(field, "must be at least 1")
	}
	return n, err
}

func fullVersion(majorField, major, minorField, minor string) (platform.Version, error) {
	ma, err := requiredMajor(majorField, major)
	if err != nil {
		return platform.Version{}, err
	}
	if minor == "" {
		return platform.Version{}, platform.FieldErrorf(minorField, "is required")
	}
	mi, err := versionPart(minorField, minor)
	return platform.Version{Major: ma, Minor: mi}, err
}

func part(n int) string { return strconv.Itoa(n) }

func wirePage(maxResults *int32, nextToken string) (platform.PageRequest, error) {
	p := platform.PageRequest{NextToken: nextToken}
	if maxResults != nil {
		if *maxResults < 1 || *maxResults > 100 {
			return p, platform.FieldErrorf("maxResults", "must be from 1 to 100")
		}
		p.Limit = int(*maxResults)
	}
	return p, nil
}

func required(field, value string) error {
	if value == "" {
		return platform.FieldErrorf(field, "is required")
	}
	return nil
}

// ---- templates

func (h *handler) wTemplate(t platform.Template) pw.EnvironmentTemplate {
	v := pw.EnvironmentTemplate{ARN: h.arns.ARN(platform.TemplateResource(t.Kind, t.Name)), Name: t.Name, DisplayName: t.DisplayName,
		Description: t.Description, CreatedAt: pw.At(t.CreatedAt), LastModifiedAt: pw.At(t.UpdatedAt)}
	if !t.Recommended.IsZero() {
		v.RecommendedVersion = t.Recommended.String()
	}
	return v
}

func (h *handler) wServiceTemplate(t platform.Template) pw.ServiceTemplate {
	e := h.wTemplate(t)
	return pw.ServiceTemplate{ARN: e.ARN, Name: e.Name, DisplayName: e.DisplayName, Description: e.Description,
		CreatedAt: e.CreatedAt, LastModifiedAt: e.LastModifiedAt, RecommendedVersion: e.RecommendedVersion}
}

func (h *handler) createTemplateWire(ctx context.Context, kind platform.TemplateKind, name, displayName, description string) (platform.Template, error) {
	return h.svc.CreateTemplate(ctx, kind, control.CreateTemplateInput{Name: name, DisplayName: displayName, Description: description})
}

func (h *handler) updateTemplateWire(ctx context.Context, kind platform.TemplateKind, name, displayName, description string) (platform.Template, error) {
	in := control.UpdateTemplateInput{}
	if displayName != "" {
		in.DisplayName = &displayName
	}
	if description != "" {
		in.Description = &description
	}
	return h.svc.UpdateTemplate(ctx, kind, name, in)
}

func (h *handler) wCreateEnvironmentTemplate(ctx context.Context, in *pw.CreateEnvironmentTemplateInput) (*pw.CreateEnvironmentTemplateOutput, error) {
	t, err := h.createTemplateWire(ctx, platform.EnvironmentTemplate, in.Name, in.DisplayName, in.Description)
	if err != nil {
		return nil, err
	}
	v := h.wTemplate(t)
	return &pw.CreateEnvironmentTemplateOutput{EnvironmentTemplate: &v}, nil
}

func (h *handler) wGetEnvironmentTemplate(ctx context.Context, in *pw.GetEnvironmentTemplateInput) (*pw.GetEnvironmentTemplateOutput, error) {
	t, err := h.svc.GetTemplate(ctx, platform.EnvironmentTemplate, in.Name)
	if err != nil {
		return nil, err
	}
	v := h.wTemplate(t)
	return &pw.GetEnvironmentTemplateOutput{EnvironmentTemplate: &v}, nil
}

func (h *handler) wListEnvironmentTemplates(ctx context.Context, in *pw.ListEnvironmentTemplatesInput) (*pw.ListEnvironmentTemplatesOutput, error) {
	p, err := wirePage(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	list, err := h.svc.ListTemplates(ctx, platform.EnvironmentTemplate, p)
	if err != nil {
		return nil, err
	}
	out := &pw.ListEnvironmentTemplatesOutput{Templates: []pw.EnvironmentTemplateSummary{}, NextToken: list.NextToken}
	for _, t := range list.Items {
		v := h.wTemplate(t)
		out.Templates = append(out.Templates, pw.EnvironmentTemplateSummary{ARN: v.ARN, Name: v.Name, DisplayName: v.DisplayName,
			Description: v.Description, CreatedAt: v.CreatedAt, LastModifiedAt: v.LastModifiedAt, RecommendedVersion: v.RecommendedVersion})
	}
	return out, nil
}

func (h *handler) wUpdateEnvironmentTemplate(ctx context.Context, in *pw.UpdateEnvironmentTemplateInput) (*pw.UpdateEnvironmentTemplateOutput, error) {
	t, err := h.updateTemplateWire(ctx, platform.EnvironmentTemplate, in.Name, in.DisplayName, in.Description)
	if err != nil {
		return nil, err
	}
	v := h.wTemplate(t)
	return &pw.UpdateEnvironmentTemplateOutput{EnvironmentTemplate: &v}, nil
}

func (h *handler) wDeleteEnvironmentTemplate(ctx context.Context, in *pw.DeleteEnvironmentTemplateInput) (*pw.DeleteEnvironmentTemplateOutput, error) {
	t, err := h.svc.DeleteTemplate(ctx, platform.EnvironmentTemplate, in.Name)
	if err != nil {
		return nil, err
	}
	v := h.wTemplate(t)
	return &pw.DeleteEnvironmentTemplateOutput{EnvironmentTemplate: &v}, nil
}

func (h *handler) wCreateServiceTemplate(ctx context.Context, in *pw.CreateServiceTemplateInput) (*pw.CreateServiceTemplateOutput, error) {
	t, err := h.createTemplateWire(ctx, platform.ServiceTemplate, in.Name, in.DisplayName, in.Description)
	if err != nil {
		return nil, err
	}
	v := h.wServiceTemplate(t)
	return &pw.CreateServiceTemplateOutput{ServiceTemplate: &v}, nil
}

func (h *handler) wGetServiceTemplate(ctx context.Context, in *pw.GetServiceTemplateInput) (*pw.GetServiceTemplateOutput, error) {
	t, err := h.svc.GetTemplate(ctx, platform.ServiceTemplate, in.Name)
	if err != nil {
		return nil, err
	}
	v := h.wServiceTemplate(t)
	return &pw.GetServiceTemplateOutput{ServiceTemplate: &v}, nil
}

func (h *handler) wListServiceTemplates(ctx context.Context, in *pw.ListServiceTemplatesInput) (*pw.ListServiceTemplatesOutput, error) {
	p, err := wirePage(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	list, err := h.svc.ListTemplates(ctx, platform.ServiceTemplate, p)
	if err != nil {
		return nil, err
	}
	out := &pw.ListServiceTemplatesOutput{Templates: []pw.ServiceTemplateSummary{}, NextToken: list.NextToken}
	for _, t := range list.Items {
		v := h.wServiceTemplate(t)
		out.Templates = append(out.Templates, pw.ServiceTemplateSummary{ARN: v.ARN, Name: v.Name, DisplayName: v.DisplayName,
			Description: v.Description, CreatedAt: v.CreatedAt, LastModifiedAt: v.LastModifiedAt, RecommendedVersion: v.RecommendedVersion})
	}
	return out, nil
}

func (h *handler) wUpdateServiceTemplate(ctx context.Context, in *pw.UpdateServiceTemplateInput) (*pw.UpdateServiceTemplateOutput, error) {
	t, err := h.updateTemplateWire(ctx, platform.ServiceTemplate, in.Name, in.DisplayName, in.Description)
	if err != nil {
		return nil, err
	}
	v := h.wServiceTemplate(t)
	return &pw.UpdateServiceTemplateOutput{ServiceTemplate: &v}, nil
}

func (h *handler) wDeleteServiceTemplate(ctx context.Context, in *pw.DeleteServiceTemplateInput) (*pw.DeleteServiceTemplateOutput, error) {
	t, err := h.svc.DeleteTemplate(ctx, platform.ServiceTemplate, in.Name)
	if err != nil {
		return nil, err
	}
	v := h.wServiceTemplate(t)
	return &pw.DeleteServiceTemplateOutput{ServiceTemplate: &v}, nil
}

// ---- template versions

func (h *handler) wVersion(tv platform.TemplateVersion, withSchema bool) pw.ServiceTemplateVersion {
	v := pw.ServiceTemplateVersion{ARN: h.arns.ARN(platform.TemplateVersionResource(tv.Kind, tv.TemplateName, tv.Version)),
		TemplateName: tv.TemplateName, MajorVersion: part(tv.Version.Major), MinorVersion: part(tv.Version.Minor),
		Status: string(tv.Status), StatusMessage: tv.StatusMessage, Description: tv.Description,
		CreatedAt: pw.At(tv.CreatedAt), LastModifiedAt: pw.At(tv.UpdatedAt), SupportedComponentSources: tv.SupportedComponentSources}
	if withSchema {
		v.Schema = tv.Schema
	}
	if tv.Kind == platform.ServiceTemplate {
		v.CompatibleEnvironmentTemplates = []pw.CompatibleEnvironmentTemplate{}
		for _, c := range tv.CompatibleEnvironments {
			v.CompatibleEnvironmentTemplates = append(v.CompatibleEnvironmentTemplates, pw.CompatibleEnvironmentTemplate{TemplateName: c.TemplateName, MajorVersion: part(c.MajorVersion)})
		}
	}
	return v
}

func (h *handler) wEnvironmentVersion(tv platform.TemplateVersion, withSchema bool) *pw.EnvironmentTemplateVersion {
	v := h.wVersion(tv, withSchema)
	return &pw.EnvironmentTemplateVersion{ARN: v.ARN, TemplateName: v.TemplateName, MajorVersion: v.MajorVersion, MinorVersion: v.MinorVersion,
		Status: v.Status, StatusMessage: v.StatusMessage, Description: v.Description, Schema: v.Schema, CreatedAt: v.CreatedAt, LastModifiedAt: v.LastModifiedAt}
}

// bundleFrom reads a version's bundle from source.s3.
func (h *handler) bundleFrom(ctx context.Context, source *pw.TemplateVersionSourceInput) ([]byte, error) {
	if source == nil || source.S3 == nil {
		return nil, platform.FieldErrorf("source.s3", "is required: the bucket and key of the bundle (.tar.gz)")
	}
	if err := required("source.s3.bucket", source.S3.Bucket); err != nil {
		return nil, err
	}
	if err := required("source.s3.key", source.S3.Key); err != nil {
		return nil, err
	}
	if h.opts.Bundles == nil {
		return nil, platform.FieldErrorf("source.s3", "this Gantry reads no S3 bundles")
	}
	b, err := h.opts.Bundles.GetObject(ctx, source.S3.Bucket, source.S3.Key)
	if platform.KindOf(err) == platform.NotFound || platform.KindOf(err) == platform.Forbidden {
		return nil, platform.FieldErrorf("source.s3", "s3://%s/%s cannot be read: %s", source.S3.Bucket, source.S3.Key, platform.MessageOf(err))
	}
	return b, err
}

func (h *handler) createVersionWire(ctx context.Context, kind platform.TemplateKind, name, major, description string, source *pw.TemplateVersionSourceInput, in control.CreateVersionInput) (platform.TemplateVersion, error) {
	if err := required("templateName", name); err != nil {
		return platform.TemplateVersion{}, err
	}
	if major != "" {
		n, err := requiredMajor("majorVersion", major)
		if err != nil {
			return platform.TemplateVersion{}, err
		}
		in.Major = n
	}
	bundle, err := h.bundleFrom(ctx, source)
	if err != nil {
		return platform.TemplateVersion{}, err
	}
	in.Description, in.Bundle = description, bundle
	return h.svc.CreateTemplateVersion(ctx, kind, name, in)
}

func (h *handler) wCreateEnvironmentTemplateVersion(ctx context.Context, in *pw.CreateEnvironmentTemplateVersionInput) (*pw.CreateEnvironmentTemplateVersionOutput, error) {
	tv, err := h.createVersionWire(ctx, platform.EnvironmentTemplate, in.TemplateName, in.MajorVersion, in.Description, in.Source, control.CreateVersionInput{})
	if err != nil {
		return nil, err
	}
	return &pw.CreateEnvironmentTemplateVersionOutput{EnvironmentTemplateVersion: h.wEnvironmentVersion(tv, false)}, nil
}

func (h *handler) wCreateServiceTemplateVersion(ctx context.Context, in *pw.CreateServiceTemplateVersionInput) (*pw.CreateServiceTemplateVersionOutput, error) {
	if len(in.CompatibleEnvironmentTemplates) == 0 {
		return nil, platform.FieldErrorf("compatibleEnvironmentTemplates", "is required: at least one environment template major version")
	}
	compatible, err := wCompatible(in.CompatibleEnvironmentTemplates)
	if err != nil {
		return nil, err
	}
	cin := control.CreateVersionInput{SupportedComponentSources: in.SupportedComponentSources, CompatibleEnvironments: compatible}
	tv, err := h.createVersionWire(ctx, platform.ServiceTemplate, in.TemplateName, in.MajorVersion, in.Description, in.Source, cin)
	if err != nil {
		return nil, err
	}
	v := h.wVersion(tv, false)
	return &pw.CreateServiceTemplateVersionOutput{ServiceTemplateVersion: &v}, nil
}

func (h *handler) getVersionWire(ctx context.Context, kind platform.TemplateKind, name, major, minor string) (platform.TemplateVersion, error) {
	v, err := fullVersion("majorVersion", major, "minorVersion", minor)
	if err != nil {
		return platform.TemplateVersion{}, err
	}
	return h.svc.GetTemplateVersion(ctx, kind, name, v)
}

func (h *handler) wGetEnvironmentTemplateVersion(ctx context.Context, in *pw.GetEnvironmentTemplateVersionInput) (*pw.GetEnvironmentTemplateVersionOutput, error) {
	tv, err := h.getVersionWire(ctx, platform.EnvironmentTemplate, in.TemplateName, in.MajorVersion, in.MinorVersion)
	if err != nil {
		return nil, err
	}
	return &pw.GetEnvironmentTemplateVersionOutput{EnvironmentTemplateVersion: h.wEnvironmentVersion(tv, true)}, nil
}

func (h *handler) wGetServiceTemplateVersion(ctx context.Context, in *pw.GetServiceTemplateVersionInput) (*pw.GetServiceTemplateVersionOutput, error) {
	tv, err := h.getVersionWire(ctx, platform.ServiceTemplate, in.TemplateName, in.MajorVersion, in.MinorVersion)
	if err != nil {
		return nil, err
	}
	v := h.wVersion(tv, true)
	return &pw.GetServiceTemplateVersionOutput{ServiceTemplateVersion: &v}, nil
}

// listVersionsWire lists a template's versions, highest first; with major set, the
// versions of other majors are left out of each page (a page may then hold fewer items).
func (h *handler) listVersionsWire(ctx context.Context, kind platform.TemplateKind, name, major string, maxResults *int32, nextToken string) (platform.Page[platform.TemplateVersion], error) {
	p, err := wirePage(maxResults, nextToken)
	if err != nil {
		return platform.Page[platform.TemplateVersion]{}, err
	}
	only, err := optionalPart("majorVersion", major)
	if err != nil {
		return platform.Page[platform.TemplateVersion]{}, err
	}
	list, err := h.svc.ListTemplateVersions(ctx, kind, name, p)
	if err != nil || only == nil {
		return list, err
	}
	kept := list.Items[:0]
	for _, tv := range list.Items {
		if tv.Version.Major == *only {
			kept = append(kept, tv)
		}
	}
	list.Items = kept
	return list, nil
}

func (h *handler) wListEnvironmentTemplateVersions(ctx context.Context, in *pw.ListEnvironmentTemplateVersionsInput) (*pw.ListEnvironmentTemplateVersionsOutput, error) {
	list, err := h.listVersionsWire(ctx, platform.EnvironmentTemplate, in.TemplateName, in.MajorVersion, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &pw.ListEnvironmentTemplateVersionsOutput{TemplateVersions: []pw.EnvironmentTemplateVersionSummary{}, NextToken: list.NextToken}
	for _, tv := range list.Items {
		v := h.wEnvironmentVersion(tv, false)
		out.TemplateVersions = append(out.TemplateVersions, pw.EnvironmentTemplateVersionSummary{ARN: v.ARN, TemplateName: v.TemplateName,
			MajorVersion: v.MajorVersion, MinorVersion: v.MinorVersion, Status: v.Status, StatusMessage: v.StatusMessage,
			Description: v.Description, CreatedAt: v.CreatedAt, LastModifiedAt: v.LastModifiedAt})
	}
	return out, nil
}

func (h *handler) wListServiceTemplateVersions(ctx context.Context, in *pw.ListServiceTemplateVersionsInput) (*pw.ListServiceTemplateVersionsOutput, error) {
	list, err := h.listVersionsWire(ctx, platform.ServiceTemplate, in.TemplateName, in.MajorVersion, in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	out := &pw.ListServiceTemplateVersionsOutput{TemplateVersions: []pw.ServiceTemplateVersionSummary{}, NextToken: list.NextToken}
	for _, tv := range list.Items {
		v := h.wVersion(tv, false)
		out.TemplateVersions = append(out.TemplateVersions, pw.ServiceTemplateVersionSummary{ARN: v.ARN, TemplateName: v.TemplateName,
			MajorVersion: v.MajorVersion, MinorVersion: v.MinorVersion, Status: v.Status, StatusMessage: v.StatusMessage,
			Description: v.Description, CreatedAt: v.CreatedAt, LastModifiedAt: v.LastModifiedAt})
	}
	return out, nil
}

// updateVersionWire changes a version's description and status (and, through in, a
// service template version's compatible environments and component sources).
func (h *handler) updateVersionWire(ctx context.Context, kind platform.TemplateKind, name, major, minor, status, description string, in control.UpdateVersionInput) (platform.TemplateVersion, error) {
	v, err := fullVersion("majorVersion", major, "minorVersion", minor)
	if err != nil {
		return platform.TemplateVersion{}, err
	}
	if status != "" {
		st := platform.VersionStatus(status)
		in.Status = &st
	}
	if description != "" {
		in.Description = &description
	}
	return h.svc.UpdateTemplateVersion(ctx, kind, name, v, in)
}

func (h *handler) wUpdateEnvironmentTemplateVersion(ctx context.Context, in *pw.UpdateEnvironmentTemplateVersionInput) (*pw.UpdateEnvironmentTemplateVersionOutput, error) {
	tv, err := h.updateVersionWire(ctx, platform.EnvironmentTemplate, in.TemplateName, in.MajorVersion, in.MinorVersion, in.Status, in.Description, control.UpdateVersionInput{})
	if err != nil {
		return nil, err
	}
	return &pw.UpdateEnvironmentTemplateVersionOutput{EnvironmentTemplateVersion: h.wEnvironmentVersion(tv, false)}, nil
}

// wCompatible maps Proton's compatible environment templates; nil stays nil (no change).
func wCompatible(list []pw.CompatibleEnvironmentTemplateInput) ([]platform.CompatibleEnvironment, error) {
	var out []platform.CompatibleEnvironment
	for i, c := range list {
		field := "compatibleEnvironmentTemplates[" + strconv.Itoa(i) + "]"
		major, err := requiredMajor(field+".majorVersion", c.MajorVersion)
		if err != nil {
			return nil, err
		}
		if err := required(field+".templateName", c.TemplateName); err != nil {
			return nil, err
		}
		out = append(out, platform.CompatibleEnvironment{TemplateName: c.TemplateName, MajorVersion: major})
	}
	return out, nil
}

func (h *handler) wUpdateServiceTemplateVersion(ctx context.Context, in *pw.UpdateServiceTemplateVersionInput) (*pw.UpdateServiceTemplateVersionOutput, error) {
	compatible, err := wCompatible(in.CompatibleEnvironmentTemplates)
	if err != nil {
		return nil, err
	}
	tv, err := h.updateVersionWire(ctx, platform.ServiceTemplate, in.TemplateName, in.MajorVersion, in.MinorVersion, in.Status, in.Description,
		control.UpdateVersionInput{CompatibleEnvironments: compatible, SupportedComponentSources: in.SupportedComponentSources})
	if err != nil {
		return nil, err
	}
	v := h.wVersion(tv, false)
	return &pw.UpdateServiceTemplateVersionOutput{ServiceTemplateVersion: &v}, nil
}

func (h *handler) deleteVersionWire(ctx context.Context, kind platform.TemplateKind, name, major, minor string) (platform.TemplateVersion, error) {
	v, err := fullVersion("majorVersion", major, "minorVersion", minor)
	if err != nil {
		return platform.TemplateVersion{}, err
	}
	return h.svc.DeleteTemplateVersion(ctx, kind, name, v)
}

func (h *handler) wDeleteEnvironmentTemplateVersion(ctx context.Context, in *pw.DeleteEnvironmentTemplateVersionInput) (*pw.DeleteEnvironmentTemplateVersionOutput, error) {
	tv, err := h.deleteVersionWire(ctx, platform.EnvironmentTemplate, in.TemplateName, in.MajorVersion, in.MinorVersion)
	if err != nil {
		return nil, err
	}
	return &pw.DeleteEnvironmentTemplateVersionOutput{EnvironmentTemplateVersion: h.wEnvironmentVersion(tv, false)}, nil
}

func (h *handler) wDeleteServiceTemplateVersion(ctx context.Context, in *pw.DeleteServiceTemplateVersionInput) (*pw.DeleteServiceTemplateVersionOutput, error) {
	tv, err := h.deleteVersionWire(ctx, platform.ServiceTemplate, in.TemplateName, in.MajorVersion, in.MinorVersion)
	if err != nil {
		return nil, err
	}
	v := h.wVersion(tv, false)
	return &pw.DeleteServiceTemplateVersionOutput{ServiceTemplateVersion: &v}, nil
}

// ---- environments

func (h *handler) wEnvironment(e platform.Environment) *pw.Environment {
	return &pw.Environment{ARN: h.arns.ARN(platform.Resource{Type: platform.EnvironmentResource, Name: e.Name}), Name: e.Name,
		Description: e.Description, TemplateName: e.TemplateName, TemplateMajorVersion: part(e.TemplateVersion.Major),
		TemplateMinorVersion: part(e.TemplateVersion.Minor), Spec: e.Spec, DeploymentStatus: string(e.DeploymentStatus),
		DeploymentStatusMessage: e.DeploymentStatusMessage, LastAttemptedDeploymentID: e.LastDeploymentID,
		LastSucceededDeploymentID: e.LastSucceededDeploymentID, CreatedAt: pw.At(e.CreatedAt),
		LastDeploymentAttemptedAt: pw.At(e.LastAttemptedAt), LastDeploymentSucceededAt: pw.At(e.LastSucceededAt),
		EnvironmentAccountConnectionID: e.AccountConnectionID, EnvironmentAccountID: e.AccountID, ComponentRoleARN: e.ComponentRoleARN, CodebuildRoleARN: e.CodebuildRoleARN,
		Provisioning: provisioningOf(e), ProvisioningRepository: h.wRepositoryBranch(e.ProvisioningRepository)}
}

func wUpdateInput(deploymentType, spec, major, minor string) (control.UpdateInput, error) {
	in := control.UpdateInput{Spec: spec, DeploymentType: platform.DeploymentType(deploymentType)}
	if err := required("deploymentType", deploymentType); err != nil {
		return in, err
	}
	var err error
	if in.MajorVersion, err = optionalPart("templateMajorVersion", major); err != nil {
		return in, err
	}
	in.MinorVersion, err = optionalPart("templateMinorVersion", minor)
	return in, err
}

func (h *handler) wCreateEnvironment(ctx context.Context, in *pw.CreateEnvironmentInput) (*pw.CreateEnvironmentOutput, error) {
	major, err := requiredMajor("templateMajorVersion", in.TemplateMajorVersion)
	if err != nil {
		return nil, err
	}
	minor, err := optionalPart("templateMinorVersion", in.TemplateMinorVersion)
	if err != nil {
		return nil, err
	}
	e, err := h.svc.CreateEnvironment(ctx, control.CreateEnvironmentInput{Name: in.Name, Description: in.Description,
		TemplateName: in.TemplateName, MajorVersion: major, MinorVersion: minor, Spec: in.Spec,
		EnvironmentAccountConnectionID: in.EnvironmentAccountConnectionID, ComponentRoleARN: in.ComponentRoleARN, CodebuildRoleARN: in.CodebuildRoleARN,
		ProvisioningRepository: wRepositoryBranchInput(in.ProvisioningRepository)})
	if err != nil {
		return nil, err
	}
	return &pw.CreateEnvironmentOutput{Environment: h.wEnvironment(e)}, nil
}

func (h *handler) wGetEnvironment(ctx context.Context, in *pw.GetEnvironmentInput) (*pw.GetEnvironmentOutput, error) {
	e, err := h.svc.GetEnvironment(ctx, in.Name)
	if err != nil {
		return nil, err
	}
	return &pw.GetEnvironmentOutput{Environment: h.wEnvironment(e)}, nil
}

func (h *handler) wListEnvironments(ctx context.Context, in *pw.ListEnvironmentsInput) (*pw.ListEnvironmentsOutput, error) {
	p, err := wirePage(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	list, err := h.svc.ListEnvironments(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &pw.ListEnvironmentsOutput{Environments: []pw.EnvironmentSummary{}, NextToken: list.NextToken}
	for _, e := range list.Items {
		v := h.wEnvironment(e)
		out.Environments = append(out.Environments, pw.EnvironmentSummary{ARN: v.ARN, Name: v.Name, Description: v.Description,
			TemplateName: v.TemplateName, TemplateMajorVersion: v.TemplateMajorVersion, TemplateMinorVersion: v.TemplateMinorVersion,
			DeploymentStatus: v.DeploymentStatus, DeploymentStatusMessage: v.DeploymentStatusMessage,
			LastAttemptedDeploymentID: v.LastAttemptedDeploymentID, LastSucceededDeploymentID: v.LastSucceededDeploymentID,
			CreatedAt: v.CreatedAt, LastDeploymentAttemptedAt: v.LastDeploymentAttemptedAt, LastDeploymentSucceededAt: v.LastDeploymentSucceededAt,
			EnvironmentAccountConnectionID: v.EnvironmentAccountConnectionID, EnvironmentAccountID: v.EnvironmentAccountID})
	}
	return out, nil
}

func (h *handler) wUpdateEnvironment(ctx context.Context, in *pw.UpdateEnvironmentInput) (*pw.UpdateEnvironmentOutput, error) {
	u, err := wUpdateInput(in.DeploymentType, in.Spec, in.TemplateMajorVersion, in.TemplateMinorVersion)
	if err != nil {
		return nil, err
	}
	u.ComponentRoleARN, u.CodebuildRoleARN = optional(in.ComponentRoleARN), optional(in.CodebuildRoleARN)
	e, err := h.svc.UpdateEnvironment(ctx, in.Name, u)
	if err != nil {
		return nil, err
	}
	return &pw.UpdateEnvironmentOutput{Environment: h.wEnvironment(e)}, nil
}

func (h *handler) wDeleteEnvironment(ctx context.Context, in *pw.DeleteEnvironmentInput) (*pw.DeleteEnvironmentOutput, error) {
	e, err := h.svc.DeleteEnvironment(ctx, in.Name)
	if err != nil {
		return nil, err
	}
	return &pw.DeleteEnvironmentOutput{Environment: h.wEnvironment(e)}, nil
}

func wOutputs(outputs []platform.Output) []pw.Output {
	out := make([]pw.Output, 0, len(outputs))
	for _, o := range outputs {
		out = append(out, pw.Output{Key: o.Key, ValueString: o.Value})
	}
	return out
}

// Outputs come in one page: nextToken is refused rather than ignored.
func noOutputPages(nextToken string) error {
	if nextToken != "" {
		return platform.FieldErrorf("nextToken", "outputs come in one page; there is no next page")
	}
	return nil
}

func (h *handler) wListEnvironmentOutputs(ctx context.Context, in *pw.ListEnvironmentOutputsInput) (*pw.ListEnvironmentOutputsOutput, error) {
	if err := noOutputPages(in.NextToken); err != nil {
		return nil, err
	}
	e, err := h.svc.GetEnvironment(ctx, in.EnvironmentName)
	if err != nil {
		return nil, err
	}
	return &pw.ListEnvironmentOutputsOutput{Outputs: wOutputs(e.Outputs)}, nil
}

func (h *handler) wCancelEnvironmentDeployment(ctx context.Context, in *pw.CancelEnvironmentDeploymentInput) (*pw.CancelEnvironmentDeploymentOutput, error) {
	e, err := h.svc.GetEnvironment(ctx, in.EnvironmentName)
	if err != nil {
		return nil, err
	}
	if _, err := h.svc.CancelDeployment(ctx, e.LastDeploymentID); err != nil {
		return nil, err
	}
	if e, err = h.svc.GetEnvironment(ctx, in.EnvironmentName); err != nil {
		return nil, err
	}
	return &pw.CancelEnvironmentDeploymentOutput{Environment: h.wEnvironment(e)}, nil
}

// ---- services

func (h *handler) wService(ctx context.Context, s platform.Service, withPipeline bool) (*pw.Service, error) {
	v := &pw.Service{ARN: h.arns.ARN(platform.Resource{Type: platform.ServiceResource, Name: s.Name}), Name: s.Name,
		Description: s.Description, TemplateName: s.TemplateName, Spec: s.Spec, Status: string(s.Status),
		RepositoryID: s.RepositoryID, RepositoryConnectionARN: s.RepositoryConnectionARN, BranchName: s.BranchName,
		CreatedAt: pw.At(s.CreatedAt), LastModifiedAt: pw.At(s.UpdatedAt)}
	if withPipeline && s.HasPipeline {
		p, err := h.svc.GetServicePipeline(ctx, s.Name)
		if err != nil && platform.KindOf(err) != platform.NotFound {
			return nil, err
		}
		if err == nil {
			v.Pipeline = h.wPipeline(p)
		}
	}
	return v, nil
}

func (h *handler) wPipeline(p platform.ServicePipeline) *pw.ServicePipeline {
	return &pw.ServicePipeline{ARN: h.arns.ARN(platform.Resource{Type: platform.ServiceResource, Name: p.Service}) + "/pipeline", TemplateName: p.TemplateName,
		TemplateMajorVersion: part(p.TemplateVersion.Major), TemplateMinorVersion: part(p.TemplateVersion.Minor),
		Spec: p.Spec, DeploymentStatus: string(p.DeploymentStatus), DeploymentStatusMessage: p.DeploymentStatusMessage,
		LastAttemptedDeploymentID: p.LastDeploymentID, LastSucceededDeploymentID: p.LastSucceededDeploymentID,
		CreatedAt: pw.At(p.CreatedAt), LastDeploymentAttemptedAt: pw.At(p.LastAttemptedAt), LastDeploymentSucceededAt: pw.At(p.LastSucceededAt)}
}

func (h *handler) wCreateService(ctx context.Context, in *pw.CreateServiceInput) (*pw.CreateServiceOutput, error) {
	major, err := requiredMajor("templateMajorVersion", in.TemplateMajorVersion)
	if err != nil {
		return nil, err
	}
	minor, err := optionalPart("templateMinorVersion", in.TemplateMinorVersion)
	if err != nil {
		return nil, err
	}
	s, err := h.svc.CreateService(ctx, control.CreateServiceInput{Name: in.Name, Description: in.Description, TemplateName: in.TemplateName,
		MajorVersion: major, MinorVersion: minor, Spec: in.Spec, RepositoryID: in.RepositoryID,
		RepositoryConnectionARN: in.RepositoryConnectionARN, BranchName: in.BranchName})
	if err != nil {
		return nil, err
	}
	v, err := h.wService(ctx, s, true)
	if err != nil {
		return nil, err
	}
	return &pw.CreateServiceOutput{Service: v}, nil
}

func (h *handler) wGetService(ctx context.Context, in *pw.GetServiceInput) (*pw.GetServiceOutput, error) {
	s, err := h.svc.GetService(ctx, in.Name)
	if err != nil {
		return nil, err
	}
	v, err := h.wService(ctx, s, true)
	if err != nil {
		return nil, err
	}
	return &pw.GetServiceOutput{Service: v}, nil
}

func (h *handler) wListServices(ctx context.Context, in *pw.ListServicesInput) (*pw.ListServicesOutput, error) {
	p, err := wirePage(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	list, err := h.svc.ListServices(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &pw.ListServicesOutput{Services: []pw.ServiceSummary{}, NextToken: list.NextToken}
	for _, s := range list.Items {
		out.Services = append(out.Services, pw.ServiceSummary{ARN: h.arns.ARN(platform.Resource{Type: platform.ServiceResource, Name: s.Name}),
			Name: s.Name, Description: s.Description, TemplateName: s.TemplateName, Status: string(s.Status),
			CreatedAt: pw.At(s.CreatedAt), LastModifiedAt: pw.At(s.UpdatedAt)})
	}
	return out, nil
}

func (h *handler) wUpdateService(ctx context.Context, in *pw.UpdateServiceInput) (*pw.UpdateServiceOutput, error) {
	u := control.UpdateServiceInput{Spec: in.Spec}
	if in.Description != "" {
		u.Description = &in.Description
	}
	s, err := h.svc.UpdateService(ctx, in.Name, u)
	if err != nil {
		return nil, err
	}
	v, err := h.wService(ctx, s, true)
	if err != nil {
		return nil, err
	}
	return &pw.UpdateServiceOutput{Service: v}, nil
}

func (h *handler) wDeleteService(ctx context.Context, in *pw.DeleteServiceInput) (*pw.DeleteServiceOutput, error) {
	s, err := h.svc.DeleteService(ctx, in.Name)
	if err != nil {
		return nil, err
	}
	v, err := h.wService(ctx, s, false)
	if err != nil {
		return nil, err
	}
	return &pw.DeleteServiceOutput{Service: v}, nil
}

func (h *handler) wCreateServiceInstance(ctx context.Context, in *pw.CreateServiceInstanceInput) (*pw.CreateServiceInstanceOutput, error) {
	major, err := optionalPart("templateMajorVersion", in.TemplateMajorVersion)
	if err != nil {
		return nil, err
	}
	minor, err := optionalPart("templateMinorVersion", in.TemplateMinorVersion)
	if err != nil {
		return nil, err
	}
	i, err := h.svc.CreateServiceInstance(ctx, control.CreateServiceInstanceInput{Service: in.ServiceName, Name: in.Name, Spec: in.Spec,
		MajorVersion: major, MinorVersion: minor, ClientToken: in.ClientToken})
	if err != nil {
		return nil, err
	}
	return &pw.CreateServiceInstanceOutput{ServiceInstance: h.wInstance(i)}, nil
}

func (h *handler) wInstance(i platform.ServiceInstance) *pw.ServiceInstance {
	return &pw.ServiceInstance{ARN: h.arns.ARN(platform.Resource{Type: platform.ServiceInstanceResource, Service: i.Service, Name: i.Name}),
		Name: i.Name, ServiceName: i.Service, EnvironmentName: i.Environment, TemplateName: i.TemplateName,
		TemplateMajorVersion: part(i.TemplateVersion.Major), TemplateMinorVersion: part(i.TemplateVersion.Minor), Spec: i.Spec,
		DeploymentStatus: string(i.DeploymentStatus), DeploymentStatusMessage: i.DeploymentStatusMessage,
		LastAttemptedDeploymentID: i.LastDeploymentID, LastSucceededDeploymentID: i.LastSucceededDeploymentID,
		CreatedAt: pw.At(i.CreatedAt), LastDeploymentAttemptedAt: pw.At(i.LastAttemptedAt), LastDeploymentSucceededAt: pw.At(i.LastSucceededAt)}
}

func (h *handler) wGetServiceInstance(ctx context.Context, in *pw.GetServiceInstanceInput) (*pw.GetServiceInstanceOutput, error) {
	i, err := h.svc.GetServiceInstance(ctx, in.ServiceName, in.Name)
	if err != nil {
		return nil, err
	}
	return &pw.GetServiceInstanceOutput{ServiceInstance: h.wInstance(i)}, nil
}

func (h *handler) wUpdateServiceInstance(ctx context.Context, in *pw.UpdateServiceInstanceInput) (*pw.UpdateServiceInstanceOutput, error) {
	u, err := wUpdateInput(in.DeploymentType, in.Spec, in.TemplateMajorVersion, in.TemplateMinorVersion)
	if err != nil {
		return nil, err
	}
	u.ClientToken = in.ClientToken
	i, err := h.svc.UpdateServiceInstance(ctx, in.ServiceName, in.Name, u)
	if err != nil {
		return nil, err
	}
	return &pw.UpdateServiceInstanceOutput{ServiceInstance: h.wInstance(i)}, nil
}

func (h *handler) wListServiceInstanceOutputs(ctx context.Context, in *pw.ListServiceInstanceOutputsInput) (*pw.ListServiceInstanceOutputsOutput, error) {
	if err := noOutputPages(in.NextToken); err != nil {
		return nil, err
	}
	i, err := h.svc.GetServiceInstance(ctx, in.ServiceName, in.ServiceInstanceName)
	if err != nil {
		return nil, err
	}
	return &pw.ListServiceInstanceOutputsOutput{Outputs: wOutputs(i.Outputs)}, nil
}

func (h *handler) wCancelServiceInstanceDeployment(ctx context.Context, in *pw.CancelServiceInstanceDeploymentInput) (*pw.CancelServiceInstanceDeploymentOutput, error) {
	i, err := h.svc.GetServiceInstance(ctx, in.ServiceName, in.ServiceInstanceName)
	if err != nil {
		return nil, err
	}
	if _, err := h.svc.CancelDeployment(ctx, i.LastDeploymentID); err != nil {
		return nil, err
	}
	if i, err = h.svc.GetServiceInstance(ctx, in.ServiceName, in.ServiceInstanceName); err != nil {
		return nil, err
	}
	return &pw.CancelServiceInstanceDeploymentOutput{ServiceInstance: h.wInstance(i)}, nil
}

func (h *handler) wListServicePipelineOutputs(ctx context.Context, in *pw.ListServicePipelineOutputsInput) (*pw.ListServicePipelineOutputsOutput, error) {
	if err := noOutputPages(in.NextToken); err != nil {
		return nil, err
	}
	p, err := h.svc.GetServicePipeline(ctx, in.ServiceName)
	if err != nil {
		return nil, err
	}
	return &pw.ListServicePipelineOutputsOutput{Outputs: wOutputs(p.Outputs)}, nil
}

// ---- deployments

func (h *handler) wDeployment(d platform.Deployment) *pw.Deployment {
	v := &pw.Deployment{ID: d.ID, ARN: h.arns.ARN(platform.Resource{Type: platform.DeploymentResource, Name: d.ID}),
		TargetARN: h.arns.ARN(platform.TargetResource(d.Target)), TargetResourceType: string(d.Target.Kind),
		EnvironmentName: d.Target.Environment, ServiceName: d.Target.Service, ServiceInstanceName: d.Target.Instance,
		DeploymentStatus: string(d.Status), DeploymentStatusMessage: d.StatusMessage,
		CreatedAt: pw.At(d.CreatedAt), LastModifiedAt: pw.At(d.UpdatedAt), CompletedAt: pw.At(d.CompletedAt)}
	state := &pw.DeploymentState{}
	major, minor := part(d.TemplateVersion.Major), part(d.TemplateVersion.Minor)
	switch d.Target.Kind {
	case platform.EnvironmentTarget:
		state.Environment = &pw.EnvironmentState{TemplateName: d.TemplateName, TemplateMajorVersion: major, TemplateMinorVersion: minor, Spec: d.Spec}
	case platform.ServiceInstanceTarget:
		state.ServiceInstance = &pw.ServiceInstanceState{TemplateName: d.TemplateName, TemplateMajorVersion: major, TemplateMinorVersion: minor, Spec: d.Spec}
	case platform.ServicePipelineTarget:
		state.ServicePipeline = &pw.ServicePipelineState{TemplateName: d.TemplateName, TemplateMajorVersion: major, TemplateMinorVersion: minor, Spec: d.Spec}
	default:
		state = nil
	}
	v.TargetState = state
	return v
}

func (h *handler) wGetDeployment(ctx context.Context, in *pw.GetDeploymentInput) (*pw.GetDeploymentOutput, error) {
	if err := required("id", in.ID); err != nil {
		return nil, err
	}
	d, err := h.svc.GetDeployment(ctx, in.ID)
	if err != nil {
		return nil, err
	}
	if (in.EnvironmentName != "" && in.EnvironmentName != d.Target.Environment) || (in.ServiceName != "" && in.ServiceName != d.Target.Service) ||
		(in.ServiceInstanceName != "" && in.ServiceInstanceName != d.Target.Instance) {
		return nil, platform.Errorf(platform.NotFound, "deployment %q of the named target not found", in.ID)
	}
	return &pw.GetDeploymentOutput{Deployment: h.wDeployment(d)}, nil
}

func (h *handler) wListDeployments(ctx context.Context, in *pw.ListDeploymentsInput) (*pw.ListDeploymentsOutput, error) {
	p, err := wirePage(in.MaxResults, in.NextToken)
	if err != nil {
		return nil, err
	}
	filter := control.DeploymentFilter{Environment: in.EnvironmentName, Service: in.ServiceName, Instance: in.ServiceInstanceName}
	list, err := h.svc.ListDeployments(ctx, filter, p)
	if err != nil {
		return nil, err
	}
	out := &pw.ListDeploymentsOutput{Deployments: []pw.DeploymentSummary{}, NextToken: list.NextToken}
	for _, d := range list.Items {
		v := h.wDeployment(d)
		out.Deployments = append(out.Deployments, pw.DeploymentSummary{ID: v.ID, ARN: v.ARN, TargetARN: v.TargetARN,
			TargetResourceType: v.TargetResourceType, EnvironmentName: v.EnvironmentName, ServiceName: v.ServiceName,
			ServiceInstanceName: v.ServiceInstanceName, DeploymentStatus: v.DeploymentStatus, CreatedAt: v.CreatedAt,
			LastModifiedAt: v.LastModifiedAt, CompletedAt: v.CompletedAt})
	}
	return out, nil
}
