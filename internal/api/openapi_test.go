package api

import (
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/gantry-platform/gantry/internal/apimodel"
)

// jsonField is one field of a Go type as encoding/json sees it.
type jsonField struct {
	name      string
	omitEmpty bool
	typ       reflect.Type
}

// jsonFields lists the JSON fields of struct type t, with those of embedded structs
// promoted, as encoding/json does.
func jsonFields(t reflect.Type) []jsonField {
	var out []jsonField
	for f := range t.Fields() {
		tag := f.Tag.Get("json")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" && f.Type.Kind() == reflect.Struct {
			out = append(out, jsonFields(f.Type)...)
			continue
		}
		if name == "" {
			name = f.Name
		}
		out = append(out, jsonField{name: name, omitEmpty: slices.Contains(strings.Split(opts, ","), "omitempty"), typ: f.Type})
	}
	return out
}

// checkSchema reports where the OpenAPI schema differs from the JSON fields of t: a
// property the type lacks, a field the schema lacks, a required property the type may
// leave out; it follows inline objects and arrays of them.
func checkSchema(t *testing.T, path string, schema map[string]any, typ reflect.Type) {
	t.Helper()
	props, _ := schema["properties"].(map[string]any)
	fields := map[string]jsonField{}
	for _, f := range jsonFields(typ) {
		fields[f.name] = f
		if props[f.name] == nil {
			t.Errorf("%s: the schema has no property %q (field of %s)", path, f.name, typ)
		}
	}
	for name, p := range props {
		f, ok := fields[name]
		if !ok {
			t.Errorf("%s: property %q is not a field of %s", path, name, typ)
			continue
		}
		p := p.(map[string]any)
		ft := f.typ
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if items, ok := p["items"].(map[string]any); ok && items["properties"] != nil {
			checkSchema(t, path+"."+name+"[]", items, ft)
		} else if p["properties"] != nil {
			checkSchema(t, path+"."+name, p, ft)
		}
	}
	required, _ := schema["required"].([]string)
	for _, name := range required {
		if f, ok := fields[name]; ok && f.omitEmpty {
			t.Errorf("%s: %q is required but %s leaves it out when empty", path, name, typ)
		}
	}
}

// The OpenAPI document's schemas describe the shapes of internal/apimodel: the same
// properties, and no required property that the encoder may leave out.
func TestOpenAPISchemasAreTheModel(t *testing.T) {
	types := map[string]reflect.Type{
		"Error":                                reflect.TypeFor[apimodel.Error](),
		"CreateTemplate":                       reflect.TypeFor[apimodel.CreateTemplate](),
		"UpdateTemplate":                       reflect.TypeFor[apimodel.UpdateTemplate](),
		"Template":                             reflect.TypeFor[apimodel.Template](),
		"TemplateList":                         reflect.TypeFor[apimodel.List[apimodel.Template]](),
		"TemplateVersion":                      reflect.TypeFor[apimodel.TemplateVersion](),
		"TemplateVersionList":                  reflect.TypeFor[apimodel.List[apimodel.TemplateVersion]](),
		"UpdateTemplateVersion":                reflect.TypeFor[apimodel.UpdateTemplateVersion](),
		"RenderedTemplate":                     reflect.TypeFor[apimodel.RenderedTemplate](),
		"CreateEnvironment":                    reflect.TypeFor[apimodel.CreateEnvironment](),
		"Update":                               reflect.TypeFor[apimodel.Update](),
		"Environment":                          reflect.TypeFor[apimodel.Environment](),
		"EnvironmentList":                      reflect.TypeFor[apimodel.List[apimodel.Environment]](),
		"Outputs":                              reflect.TypeFor[apimodel.Outputs](),
		"CreateService":                        reflect.TypeFor[apimodel.CreateService](),
		"ServicePipeline":                      reflect.TypeFor[apimodel.ServicePipeline](),
		"PipelineExecution":                    reflect.TypeFor[apimodel.PipelineExecution](),
		"Service":                              reflect.TypeFor[apimodel.Service](),
		"ServiceList":                          reflect.TypeFor[apimodel.List[apimodel.Service]](),
		"UpdateService":                        reflect.TypeFor[apimodel.UpdateService](),
		"CreateServiceInstance":                reflect.TypeFor[apimodel.CreateServiceInstance](),
		"ServiceInstance":                      reflect.TypeFor[apimodel.ServiceInstance](),
		"ServiceInstanceList":                  reflect.TypeFor[apimodel.List[apimodel.ServiceInstance]](),
		"Deployment":                           reflect.TypeFor[apimodel.Deployment](),
		"DeploymentList":                       reflect.TypeFor[apimodel.List[apimodel.Deployment]](),
		"DeadLetter":                           reflect.TypeFor[apimodel.DeadLetter](),
		"DeadLetterList":                       reflect.TypeFor[apimodel.List[apimodel.DeadLetter]](),
		"ReplayResult":                         reflect.TypeFor[apimodel.ReplayResult](),
		"Health":                               reflect.TypeFor[apimodel.Health](),
		"Component":                            reflect.TypeFor[apimodel.Component](),
		"ComponentList":                        reflect.TypeFor[apimodel.List[apimodel.Component]](),
		"CreateComponent":                      reflect.TypeFor[apimodel.CreateComponent](),
		"UpdateComponent":                      reflect.TypeFor[apimodel.UpdateComponent](),
		"Tags":                                 reflect.TypeFor[apimodel.Tags](),
		"TagResource":                          reflect.TypeFor[apimodel.TagResource](),
		"UntagResource":                        reflect.TypeFor[apimodel.UntagResource](),
		"CreateAccessKey":                      reflect.TypeFor[apimodel.CreateAccessKey](),
		"UpdateAccessKey":                      reflect.TypeFor[apimodel.UpdateAccessKey](),
		"AccessKey":                            reflect.TypeFor[apimodel.AccessKey](),
		"AccessKeyList":                        reflect.TypeFor[apimodel.List[apimodel.AccessKey]](),
		"EnvironmentAccountConnection":         reflect.TypeFor[apimodel.EnvironmentAccountConnection](),
		"EnvironmentAccountConnectionList":     reflect.TypeFor[apimodel.List[apimodel.EnvironmentAccountConnection]](),
		"CreateEnvironmentAccountConnection":   reflect.TypeFor[apimodel.CreateEnvironmentAccountConnection](),
		"UpdateEnvironmentAccountConnection":   reflect.TypeFor[apimodel.UpdateEnvironmentAccountConnection](),
		"ResourcesSummary":                     reflect.TypeFor[apimodel.ResourcesSummary](),
		"Preview":                              reflect.TypeFor[apimodel.Preview](),
		"FleetPreview":                         reflect.TypeFor[apimodel.FleetPreview](),
		"ProvisionedResource":                  reflect.TypeFor[apimodel.ProvisionedResource](),
		"ProvisionedResourceList":              reflect.TypeFor[apimodel.List[apimodel.ProvisionedResource]](),
		"CreateRepository":                     reflect.TypeFor[apimodel.CreateRepository](),
		"Repository":                           reflect.TypeFor[apimodel.Repository](),
		"RepositoryList":                       reflect.TypeFor[apimodel.List[apimodel.Repository]](),
		"RepositoryBranch":                     reflect.TypeFor[apimodel.RepositoryBranch](),
		"AccountSettings":                      reflect.TypeFor[apimodel.AccountSettings](),
		"UpdateAccountSettings":                reflect.TypeFor[apimodel.UpdateAccountSettings](),
		"NotifyResourceDeploymentStatusChange": reflect.TypeFor[apimodel.NotifyResourceDeploymentStatusChange](),
		"NotifyResult":                         reflect.TypeFor[apimodel.NotifyResult](),
		"TemplateSyncConfig":                   reflect.TypeFor[apimodel.TemplateSyncConfig](),
		"ResourceSyncStatus":                   reflect.TypeFor[apimodel.ResourceSyncStatus](),
		"RepositorySyncDefinition":             reflect.TypeFor[apimodel.RepositorySyncDefinition](),
		"RepositorySyncDefinitionList":         reflect.TypeFor[apimodel.List[apimodel.RepositorySyncDefinition]](),
		"RepositorySyncStatus":                 reflect.TypeFor[apimodel.RepositorySyncStatus](),
		"RepositoryWebhookSecret":              reflect.TypeFor[apimodel.RepositoryWebhookSecret](),
		"RepositoryWebhook":                    reflect.TypeFor[apimodel.RepositoryWebhook](),
		"ServiceSyncConfig":                    reflect.TypeFor[apimodel.ServiceSyncConfig](),
		"ServiceSyncBlockerSummary":            reflect.TypeFor[apimodel.ServiceSyncBlockerSummary](),
		"ResolveSyncBlocker":                   reflect.TypeFor[apimodel.ResolveSyncBlocker](),
		"ServiceSyncBlockerUpdate":             reflect.TypeFor[apimodel.ServiceSyncBlockerUpdate](),
		"WebhookReceipt":                       reflect.TypeFor[apimodel.WebhookReceipt](),
		"ImportProton":                         reflect.TypeFor[apimodel.ImportProton](),
		"ImportReport":                         reflect.TypeFor[apimodel.ImportReport](),
	}
	notModel := map[string]bool{"OpenAPI": true} // not shapes of apimodel
	for name, schema := range schemas() {
		typ, ok := types[name]
		if !ok {
			if !notModel[name] {
				t.Errorf("schema %s has no apimodel type in this test", name)
			}
			continue
		}
		checkSchema(t, name, schema.(map[string]any), typ)
	}
	for _, rt := range routes() {
		for _, name := range []string{rt.request, rt.response} {
			if _, ok := types[name]; !ok && name != "" && name != "bundle" && !notModel[name] {
				t.Errorf("%s: schema %s has no apimodel type in this test", rt.operationID, name)
			}
		}
	}
}
