package api

import (
	"maps"
	"net/http"
	"regexp"
	"strconv"
	"strings"
)

// OpenAPI returns the OpenAPI 3.0 document of the API, built from the route table so the
// two cannot disagree.
func OpenAPI() map[string]any {
	paths := map[string]any{}
	for _, rt := range routes() {
		item, _ := paths[rt.path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[rt.path] = item
		}
		op := map[string]any{
			"operationId": rt.operationID,
			"summary":     rt.summary,
			"responses":   responses(rt),
		}
		if rt.local {
			op["x-gantry-local"] = true
		}
		if rt.access == public {
			op["security"] = []any{}
		} else {
			op["description"] = "Requires the " + string(rt.access) + " role."
		}
		var params []any
		for _, name := range pathParams(rt.path) {
			params = append(params, map[string]any{"name": name, "in": "path", "required": true, "schema": str()})
		}
		for _, name := range rt.query {
			schema := str()
			if name == "maxResults" || name == "majorVersion" {
				schema = map[string]any{"type": "integer", "minimum": 1}
			}
			params = append(params, map[string]any{"name": name, "in": "query", "schema": schema})
		}
		if params != nil {
			op["parameters"] = params
		}
		switch rt.request {
		case "":
		case "bundle":
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/gzip": map[string]any{"schema": map[string]any{"type": "string", "format": "binary"}}}}
		default:
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{
				"application/json": map[string]any{"schema": ref(rt.request)}}}
		}
		item[strings.ToLower(rt.method)] = op
	}
	return map[string]any{
		"openapi": "3.0.3",
		"info": map[string]any{"title": "Gantry API", "version": "1",
			"description": "Gantry, a self-hosted successor of AWS Proton: templates, environments, services, service instances and their deployments."},
		"paths": paths,
		"components": map[string]any{
			"securitySchemes": map[string]any{"bearer": map[string]any{"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}},
			"schemas":         schemas(),
		},
		"security": []any{map[string]any{"bearer": []any{}}},
	}
}

var pathParam = regexp.MustCompile(`\{([^}]+)\}`)

func pathParams(path string) []string {
	var out []string
	for _, m := range pathParam.FindAllStringSubmatch(path, -1) {
		out = append(out, m[1])
	}
	return out
}

func responses(rt route) map[string]any {
	out := map[string]any{}
	code := http.StatusText(rt.status)
	out[strconv.Itoa(rt.status)] = map[string]any{"description": code,
		"content": map[string]any{"application/json": map[string]any{"schema": ref(rt.response)}}}
	errs := []int{500}
	if rt.access != public {
		errs = append(errs, 401, 403)
	}
	if rt.request != "" || len(rt.query) > 0 || strings.Contains(rt.path, "{") {
		errs = append(errs, 400, 404)
	}
	if rt.method != "GET" {
		errs = append(errs, 409)
	}
	if rt.request != "" {
		errs = append(errs, 413)
	}
	for _, e := range errs {
		out[strconv.Itoa(e)] = map[string]any{"description": http.StatusText(e),
			"content": map[string]any{"application/json": map[string]any{"schema": ref("Error")}}}
	}
	if rt.operationID == "Health" {
		out["503"] = map[string]any{"description": "a dependency is down",
			"content": map[string]any{"application/json": map[string]any{"schema": ref("Health")}}}
	}
	return out
}

func ref(name string) map[string]any { return map[string]any{"$ref": "#/components/schemas/" + name} }
func str() map[string]any            { return map[string]any{"type": "string"} }
func integer() map[string]any        { return map[string]any{"type": "integer"} }
func dateTime() map[string]any       { return map[string]any{"type": "string", "format": "date-time"} }
func enum(values ...string) map[string]any {
	return map[string]any{"type": "string", "enum": values}
}
func object(required []string, props map[string]any) map[string]any {
	o := map[string]any{"type": "object", "properties": props}
	if required != nil {
		o["required"] = required
	}
	return o
}
func list(item string) map[string]any {
	return object([]string{"items"}, map[string]any{"items": map[string]any{"type": "array", "items": ref(item)}, "nextToken": str()})
}

var deploymentStatus = enum("IN_PROGRESS", "SUCCEEDED", "FAILED", "DELETE_IN_PROGRESS", "DELETE_FAILED", "DELETE_COMPLETE", "CANCELLING", "CANCELLED")

func deployable(extra map[string]any, required ...string) map[string]any {
	props := map[string]any{
		"templateName": str(), "templateMajorVersion": integer(), "templateMinorVersion": integer(),
		"spec": str(), "deploymentStatus": deploymentStatus, "deploymentStatusMessage": str(),
		"lastDeploymentId": str(), "lastSucceededDeploymentId": str(), "stackName": str(),
		"lastDeploymentAttemptedAt": dateTime(), "lastDeploymentSucceededAt": dateTime(), "createdAt": dateTime(),
	}
	for k, v := range extra {
		props[k] = v
	}
	return object(append(required, "templateName", "templateMajorVersion", "templateMinorVersion", "deploymentStatus"), props)
}

func schemas() map[string]any {
	output := object([]string{"key", "valueString"}, map[string]any{"key": str(), "valueString": str()})
	name := map[string]any{"type": "string", "pattern": `^[0-9A-Za-z]+[0-9A-Za-z_\-]*$`, "maxLength": 100}
	spec := map[string]any{"type": "string", "maxLength": 51200, "description": "Proton spec YAML"}
	arn := map[string]any{"type": "string", "description": "the resource's ARN, in AWS Proton's format (arn:aws:proton:region:account:…)"}
	inputs := map[string]any{"type": "object", "description": "the validated inputs of the spec, defaults applied"}
	givenOutputs := map[string]any{"type": "object", "additionalProperties": map[string]any{"type": "string", "maxLength": 4096},
		"maxProperties": 200, "description": "a customer-managed environment's outputs, output name to value"}
	componentRole := map[string]any{"type": "string", "maxLength": 2048,
		"description": "environments: the IAM role of its directly defined components (Proton's componentRoleArn); an update with \"\" removes it"}
	codebuildRole := map[string]any{"type": "string", "maxLength": 2048,
		"description": "environments: the IAM role CodeBuild provisioning runs under for it and its instances (Proton's codebuildRoleArn; required for a CodeBuild template version unless its account connection has one); an update with \"\" removes it"}
	all := map[string]any{
		"DeadLetterList": list("DeadLetter"),
		"DeadLetter": object([]string{"id", "time", "rule", "event", "error", "attempts"}, map[string]any{"id": str(), "time": dateTime(),
			"rule": str(), "target": str(), "event": map[string]any{"type": "object", "description": "the EventBridge event"}, "error": str(), "attempts": integer()}),
		"CreateAccessKey": object([]string{"role"}, map[string]any{"role": enum("admin", "developer"), "team": name,
			"account":     map[string]any{"type": "string", "pattern": "^[0-9]{12}$", "description": "the AWS account the key's requests act in (default: the platform's own)"},
			"description": map[string]any{"type": "string", "maxLength": 500}}),
		"UpdateAccessKey": object([]string{"status"}, map[string]any{"status": enum("Active", "Inactive")}),
		"AccessKey": object([]string{"accessKeyId", "role", "status", "createdAt"}, map[string]any{"accessKeyId": str(),
			"secretAccessKey": map[string]any{"type": "string", "description": "only in the answer of CreateAccessKey"},
			"role":            enum("admin", "developer"), "team": str(), "account": str(), "description": str(), "status": enum("Active", "Inactive"),
			"createdBy": str(), "createdAt": dateTime()}),
		"AccessKeyList": list("AccessKey"),
		"ReplayResult":  object([]string{"replayed"}, map[string]any{"replayed": integer()}),
		"Error":         object([]string{"code", "message", "requestId"}, map[string]any{"code": str(), "message": str(), "requestId": str()}),
		"Health": object([]string{"status", "dependencies"}, map[string]any{"status": enum("ok", "unavailable"),
			"dependencies": map[string]any{"type": "object", "additionalProperties": str(), "description": "each dependency checked (dynamodb): ok, or a short reason"}}),
		"OpenAPI": map[string]any{"type": "object"},
		"CreateTemplate": object([]string{"name"}, map[string]any{"name": name,
			"displayName": map[string]any{"type": "string", "maxLength": 100}, "description": map[string]any{"type": "string", "maxLength": 500},
			"clientToken": map[string]any{"type": "string", "maxLength": 64}}),
		"UpdateTemplate": object(nil, map[string]any{
			"displayName": map[string]any{"type": "string", "maxLength": 100}, "description": map[string]any{"type": "string", "maxLength": 500},
			"recommendedVersion": map[string]any{"type": "string", "pattern": `^([0-9]+\.[0-9]+|latest)$`,
				"description": "major.minor pins that published version as the recommended one; latest unpins (the highest published is recommended)"},
			"selfService": map[string]any{"type": "boolean", "description": "environment templates only: developers may create, update, delete and cancel environments of the template"}}),
		"Template": object([]string{"name", "createdAt"}, map[string]any{"name": str(), "arn": arn, "displayName": str(), "description": str(),
			"recommendedVersion": str(), "recommendedMajorVersion": integer(), "recommendedMinorVersion": integer(),
			"recommendedVersionPinned": map[string]any{"type": "boolean"}, "selfService": map[string]any{"type": "boolean"}, "createdAt": dateTime(), "lastModifiedAt": dateTime()}),
		"TemplateList": list("Template"),
		"TemplateVersion": object([]string{"templateName", "majorVersion", "minorVersion", "status"}, map[string]any{
			"templateName": str(), "arn": arn, "majorVersion": integer(), "minorVersion": integer(),
			"status": enum("REGISTRATION_IN_PROGRESS", "REGISTRATION_FAILED", "DRAFT", "PUBLISHED", "DEPRECATED"), "statusMessage": str(),
			"description": str(), "schema": str(), "hasPipeline": map[string]any{"type": "boolean"},
			"supportedComponentSources": map[string]any{"type": "array", "items": enum("DIRECTLY_DEFINED")},
			"compatibleEnvironmentTemplates": map[string]any{"type": "array", "items": object([]string{"templateName", "majorVersion"},
				map[string]any{"templateName": str(), "majorVersion": integer()})},
			"createdAt": dateTime(), "lastModifiedAt": dateTime()}),
		"TemplateVersionList": list("TemplateVersion"),
		"RenderedTemplate":    object([]string{"deploymentId", "template"}, map[string]any{"deploymentId": str(), "template": str()}),
		"UpdateTemplateVersion": object(nil, map[string]any{
			"description": map[string]any{"type": "string", "maxLength": 500},
			"status":      enum("DRAFT", "PUBLISHED", "DEPRECATED"),
			"compatibleEnvironmentTemplates": map[string]any{"type": "array", "items": object([]string{"templateName", "majorVersion"},
				map[string]any{"templateName": str(), "majorVersion": integer()})},
			"supportedComponentSources": map[string]any{"type": "array", "items": enum("DIRECTLY_DEFINED")}}),
		"CreateEnvironment": object([]string{"name", "templateName", "templateMajorVersion", "spec"}, map[string]any{
			"name": name, "description": str(), "templateName": str(), "templateMajorVersion": integer(),
			"templateMinorVersion": integer(), "spec": spec, "clientToken": str(),
			"environmentAccountConnectionId": map[string]any{"type": "string", "description": "deploy into this CONNECTED environment account connection's account"},
			"region":                         map[string]any{"type": "string", "description": "the AWS region the environment, its service instances and components deploy in (default: the platform's own)"},
			"componentRoleArn":               componentRole,
			"codebuildRoleArn":               codebuildRole,
			"provisioningRepository":         ref("RepositoryBranch"),
			"provisioning":                   enum(customerManaged),
			"outputs":                        givenOutputs}),
		"Update": object([]string{"deploymentType"}, map[string]any{"spec": spec, "componentRoleArn": componentRole, "codebuildRoleArn": codebuildRole, "outputs": givenOutputs,
			"region":               map[string]any{"type": "string", "description": "an environment's region, which cannot change: only its current region is accepted"},
			"deploymentType":       enum("NONE", "CURRENT_VERSION", "MINOR_VERSION", "MAJOR_VERSION"),
			"templateMajorVersion": integer(), "templateMinorVersion": integer(), "clientToken": str(),
			"dryRun":    map[string]any{"type": "boolean", "description": "answer the update's Preview (200) instead of deploying"},
			"previewId": map[string]any{"type": "string", "description": "deploy this preview's change set (its spec and template version)"}}),
		"Environment": deployable(map[string]any{"name": str(), "arn": arn, "description": str(),
			"environmentAccountConnectionId": str(), "environmentAccountId": str(), "region": str(), "componentRoleArn": str(), "codebuildRoleArn": str(),
			"provisioning": enum(customerManaged), "provisioningRepository": ref("RepositoryBranch")}, "name"),
		"EnvironmentList": list("Environment"),
		"Outputs":         object([]string{"outputs"}, map[string]any{"outputs": map[string]any{"type": "array", "items": output}}),
		"CreateService": object([]string{"name", "templateName", "templateMajorVersion", "spec"}, map[string]any{
			"name": name, "description": str(), "templateName": str(), "templateMajorVersion": integer(),
			"templateMinorVersion": integer(), "spec": spec, "repositoryId": str(), "repositoryConnectionArn": str(),
			"branchName": str(), "clientToken": str()}),
		"ServicePipeline": deployable(map[string]any{"serviceName": str(), "lastExecution": ref("PipelineExecution")}, "serviceName"),
		"PipelineExecution": object([]string{"executionId", "state", "updatedAt"}, map[string]any{"executionId": str(),
			"state": str(), "stage": str(), "summary": str(), "updatedAt": dateTime()}),
		"Service": object([]string{"name", "templateName", "status"}, map[string]any{"name": str(), "arn": arn, "description": str(),
			"templateName": str(), "templateMajorVersion": integer(), "templateMinorVersion": integer(), "spec": str(),
			"status":        enum("CREATE_IN_PROGRESS", "CREATE_FAILED", "ACTIVE", "UPDATE_IN_PROGRESS", "UPDATE_FAILED", "DELETE_IN_PROGRESS", "DELETE_FAILED"),
			"statusMessage": str(), "repositoryId": str(), "repositoryConnectionArn": str(),
			"branchName": str(), "pipeline": ref("ServicePipeline"), "createdAt": dateTime(), "lastModifiedAt": dateTime()}),
		"ServiceList":   list("Service"),
		"UpdateService": object(nil, map[string]any{"description": map[string]any{"type": "string", "maxLength": 500}, "spec": spec, "clientToken": str()}),
		"CreateServiceInstance": object([]string{"name", "spec"}, map[string]any{"name": name, "spec": spec,
			"templateMajorVersion": integer(), "templateMinorVersion": integer(), "clientToken": str()}),
		"ServiceInstance":     deployable(map[string]any{"name": str(), "arn": arn, "serviceName": str(), "environmentName": str()}, "name", "serviceName", "environmentName"),
		"ServiceInstanceList": list("ServiceInstance"),
		"Deployment": object([]string{"id", "targetResourceType", "operation", "deploymentStatus", "createdAt"}, map[string]any{
			"id": str(), "arn": arn, "targetResourceType": enum("ENVIRONMENT", "SERVICE_INSTANCE", "SERVICE_PIPELINE", "COMPONENT"),
			"environmentName": str(), "serviceName": str(), "serviceInstanceName": str(), "componentName": str(), "operation": enum("DEPLOY", "DELETE"),
			"templateName": str(), "templateMajorVersion": integer(), "templateMinorVersion": integer(), "spec": str(),
			"inputs": inputs, "deploymentStatus": deploymentStatus, "deploymentStatusMessage": str(), "stackName": str(), "stackId": str(), "account": str(), "region": str(),
			"outputs": map[string]any{"type": "array", "items": output}, "previousDeploymentId": str(),
			"createdAt": dateTime(), "lastModifiedAt": dateTime(), "completedAt": dateTime()}),
		"DeploymentList": list("Deployment"),
	}
	for k, v := range componentSchemas(name, spec, arn, deploymentStatus) {
		all[k] = v
	}
	for k, v := range accountConnectionSchemas(name, arn) {
		all[k] = v
	}
	maps.Copy(all, summarySchemas())
	maps.Copy(all, previewSchemas())
	maps.Copy(all, importSchemas())
	maps.Copy(all, provisionedResourceSchemas())
	maps.Copy(all, repositorySchemas(arn))
	maps.Copy(all, notifySchemas(arn, output))
	for k, v := range syncSchemas(name) {
		all[k] = v
	}
	maps.Copy(all, serviceSyncSchemas(name))
	return all
}

// tagSchema is a tag's schema, tagsSchema a request's list of tags (Proton's limits).
func tagSchema() map[string]any {
	return object([]string{"key", "value"}, map[string]any{"key": map[string]any{"type": "string", "minLength": 1, "maxLength": 128},
		"value": map[string]any{"type": "string", "maxLength": 256}})
}

func tagsSchema() map[string]any {
	return map[string]any{"type": "array", "maxItems": 50, "items": tagSchema()}
}

// componentSchemas are the schemas of components and tags.
func componentSchemas(name, spec, arn, status map[string]any) map[string]any {
	tag, tags := tagSchema(), tagsSchema()
	text := func(max int) map[string]any { return map[string]any{"type": "string", "maxLength": max} }
	return map[string]any{
		"Component": object([]string{"name", "arn", "environmentName", "deploymentStatus", "createdAt", "lastModifiedAt"}, map[string]any{
			"name": str(), "arn": arn, "description": str(), "environmentName": str(), "serviceName": str(),
			"serviceInstanceName": str(), "serviceSpec": str(), "deploymentStatus": status, "deploymentStatusMessage": str(),
			"lastAttemptedDeploymentId": str(), "lastSucceededDeploymentId": str(), "lastClientRequestToken": str(),
			"lastDeploymentAttemptedAt": dateTime(), "lastDeploymentSucceededAt": dateTime(), "stackName": str(),
			"createdAt": dateTime(), "lastModifiedAt": dateTime()}),
		"ComponentList": list("Component"),
		"CreateComponent": object([]string{"name", "manifest", "templateFile"}, map[string]any{
			"name": name, "description": text(500), "environmentName": str(), "serviceName": str(), "serviceInstanceName": str(),
			"serviceSpec": spec, "manifest": map[string]any{"type": "string", "maxLength": 1024, "description": "manifest.yaml listing the one jinja CloudFormation template"},
			"templateFile": map[string]any{"type": "string", "maxLength": 51200, "description": "the CloudFormation template (Jinja)"},
			"clientToken":  str(), "tags": tags}),
		"UpdateComponent": object([]string{"deploymentType"}, map[string]any{
			"deploymentType": enum("NONE", "CURRENT_VERSION"), "description": text(500), "serviceName": str(),
			"serviceInstanceName": str(), "serviceSpec": spec, "templateFile": text(51200), "clientToken": str()}),
		"Tags":          object([]string{"tags"}, map[string]any{"tags": map[string]any{"type": "array", "items": tag}, "nextToken": str()}),
		"TagResource":   object([]string{"resourceArn", "tags"}, map[string]any{"resourceArn": arn, "tags": tags}),
		"UntagResource": object([]string{"resourceArn", "tagKeys"}, map[string]any{"resourceArn": arn, "tagKeys": map[string]any{"type": "array", "maxItems": 50, "items": str()}}),
	}
}

func (h *handler) openAPI(w http.ResponseWriter, r *http.Request) error {
	writeJSON(w, 200, OpenAPI())
	return nil
}
