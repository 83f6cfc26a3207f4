package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/gantry-platform/gantry/internal/apiclient"
	"github.com/gantry-platform/gantry/internal/apimodel"
)

func servicesCommand() func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return resource("services", []verb{
		{"list", "list services", runServicesList},
		{"get", "show a service and its pipeline", runServicesGet},
		{"create", "create a service and deploy its instances, then its pipeline (developer)", runServicesCreate},
	})
}

func instancesCommand() func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return resource("instances", []verb{
		{"list", "list a service's instances", runInstancesList},
		{"get", "show a service instance", runInstancesGet},
		{"update", "redeploy an instance: new spec, inputs and/or template version (developer)", runInstancesUpdate},
		{"outputs", "show a service instance's stack outputs", runInstancesOutputs},
	})
}

func runServicesList(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := newAPICommand("services list", "usage: gantry services list\n", stdout, stderr)
	a.pageFlags()
	if code, done := a.parse(args); done {
		return code
	}
	if code, ok := a.noArgs(); !ok {
		return code
	}
	return list(ctx, a, a.client.ListServices, func(s apiclient.Service) json.RawMessage { return s.Raw },
		[]string{"NAME", "TEMPLATE", "VERSION", "STATUS", "CREATED"},
		func(s apiclient.Service) []string {
			return []string{s.Name, s.TemplateName, versionText(s.TemplateMajorVersion, s.TemplateMinorVersion), string(s.Status), timeText(s.CreatedAt)}
		})
}

func writeService(w io.Writer, s apiclient.Service) {
	fields := []field{{"name", s.Name}, {"description", s.Description}, {"template", s.TemplateName},
		{"template version", versionText(s.TemplateMajorVersion, s.TemplateMinorVersion)}, {"status", string(s.Status)},
		{"repository", s.RepositoryID}, {"repository connection", s.RepositoryConnectionARN}, {"branch", s.BranchName},
		{"created", timeText(s.CreatedAt)}, {"modified", timeText(s.LastModifiedAt)}}
	if p := s.Pipeline; p != nil {
		fields = append(fields, field{"pipeline status", string(p.DeploymentStatus)}, field{"pipeline status message", p.DeploymentStatusMessage},
			field{"pipeline last deployment", p.LastDeploymentID}, field{"pipeline stack", p.StackName})
	}
	writeFields(w, fields, field{"spec", s.Spec})
}

func runServicesGet(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := newAPICommand("services get", "usage: gantry services get NAME\n", stdout, stderr)
	nameFlag := a.fs.String("name", "", "the service's name")
	if code, done := a.parse(args); done {
		return code
	}
	name, code, ok := a.name(*nameFlag, "service")
	if !ok {
		return code
	}
	svc, err := a.client.GetService(ctx, name)
	if err != nil {
		return a.fail(err)
	}
	return a.show(svc.Raw, func(w io.Writer) { writeService(w, svc) })
}

const servicesCreateUsage = `usage: gantry services create --name NAME --template TEMPLATE --major N [--minor N] --spec FILE
       [--repository-id OWNER/REPO --repository-connection-arn ARN --branch BRANCH]
       [--description TEXT] [--client-token TOKEN] [--wait [--timeout D]]

--spec is the "proton: ServiceSpec" YAML file; every instance it lists is deployed, then
the pipeline when the template has one (which needs the repository flags). --wait waits
for all of them.
`

func runServicesCreate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := newAPICommand("services create", servicesCreateUsage, stdout, stderr)
	var in apimodel.CreateService
	var minor optionalInt
	a.fs.StringVar(&in.Name, "name", "", "the service's name (required)")
	a.fs.StringVar(&in.TemplateName, "template", "", "the service template (required)")
	a.fs.IntVar(&in.TemplateMajorVersion, "major", 0, "the template's major version (required)")
	a.fs.Var(&minor, "minor", "the template's minor version (default: the recommended one)")
	specFile := a.fs.String("spec", "", "the spec YAML file (required)")
	a.fs.StringVar(&in.RepositoryID, "repository-id", "", "the source repository, OWNER/REPO (templates with a pipeline)")
	a.fs.StringVar(&in.RepositoryConnectionARN, "repository-connection-arn", "", "the CodeStar connection to the repository (templates with a pipeline)")
	a.fs.StringVar(&in.BranchName, "branch", "", "the repository's branch (templates with a pipeline)")
	a.fs.StringVar(&in.Description, "description", "", "a description")
	a.fs.StringVar(&in.ClientToken, "client-token", "", "an idempotency token: repeating the call with it creates nothing new")
	a.waitFlags()
	if code, done := a.parse(args); done {
		return code
	}
	var code int
	var ok bool
	if in.Name, code, ok = a.name(in.Name, "service"); !ok {
		return code
	}
	switch {
	case in.TemplateName == "":
		return a.usageError("--template is required")
	case in.TemplateMajorVersion < 1:
		return a.usageError("--major is required (≥ 1)")
	case *specFile == "":
		return a.usageError("--spec is required")
	}
	in.TemplateMinorVersion = minor.ptr()
	if in.Spec, code, ok = a.readSpec("spec", *specFile); !ok {
		return code
	}
	svc, err := a.client.CreateService(ctx, in)
	if err != nil {
		return a.fail(err)
	}
	if a.json() || !a.wait {
		a.show(svc.Raw, func(w io.Writer) { writeService(w, svc) })
	}
	return a.waitFor(ctx, a.client.PollService(svc.Name))
}

func runInstancesList(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := newAPICommand("instances list", "usage: gantry instances list --service SERVICE\n", stdout, stderr)
	service := a.fs.String("service", "", "the service's name")
	a.pageFlags()
	if code, done := a.parse(args); done {
		return code
	}
	svc, code, ok := a.name(*service, "service (--service)")
	if !ok {
		return code
	}
	return list(ctx, a, func(ctx context.Context, p apiclient.PageRequest) (apiclient.Page[apiclient.ServiceInstance], error) {
		return a.client.ListServiceInstances(ctx, svc, p)
	}, func(i apiclient.ServiceInstance) json.RawMessage { return i.Raw },
		[]string{"NAME", "ENVIRONMENT", "TEMPLATE", "VERSION", "STATUS", "LAST DEPLOYMENT"},
		func(i apiclient.ServiceInstance) []string {
			return []string{i.Name, i.EnvironmentName, i.TemplateName, versionText(i.TemplateMajorVersion, i.TemplateMinorVersion),
				string(i.DeploymentStatus), timePtrText(i.LastDeploymentAttemptedAt)}
		})
}

func writeInstance(w io.Writer, i apiclient.ServiceInstance) {
	writeFields(w, append([]field{{"name", i.Name}, {"service", i.ServiceName}, {"environment", i.EnvironmentName}},
		deployableFields(i.Deployable)...), field{"spec", i.Spec})
}

// instanceArgs reads the instance a verb acts on: --service and --name (or a single
// argument).
func instanceArgs(a *apiCommand, service, name string) (string, string, int, bool) {
	if service == "" {
		return "", "", a.usageError("--service is required"), false
	}
	name, code, ok := a.name(name, "instance")
	return service, name, code, ok
}

func runInstancesGet(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := newAPICommand("instances get", "usage: gantry instances get --service SERVICE NAME\n", stdout, stderr)
	service := a.fs.String("service", "", "the service's name (required)")
	nameFlag := a.fs.String("name", "", "the instance's name")
	if code, done := a.parse(args); done {
		return code
	}
	svc, name, code, ok := instanceArgs(a, *service, *nameFlag)
	if !ok {
		return code
	}
	inst, err := a.client.GetServiceInstance(ctx, svc, name)
	if err != nil {
		return a.fail(err)
	}
	return a.show(inst.Raw, func(w io.Writer) { writeInstance(w, inst) })
}

const instancesUpdateUsage = `usage: gantry instances update --service SERVICE --name NAME [--spec FILE] [--input KEY=VALUE ...]
       [--deployment-type TYPE] [--major N] [--minor N] [--client-token TOKEN] [--wait [--timeout D]]

--spec is the instance's spec: its inputs under "spec:", or a ServiceSpec naming it.
--input sets one input, starting from --spec or else from the instance's current spec;
the value is read as a YAML scalar (30 is a number, true a boolean, "30" a string).
`

func runInstancesUpdate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := newAPICommand("instances update", instancesUpdateUsage, stdout, stderr)
	service := a.fs.String("service", "", "the service's name (required)")
	nameFlag := a.fs.String("name", "", "the instance's name (required)")
	var inputs inputList
	a.fs.Var(&inputs, "input", "set the input KEY to VALUE, a YAML scalar (repeatable)")
	specFile, build := updateFlags(a)
	if code, done := a.parse(args); done {
		return code
	}
	svc, name, code, ok := instanceArgs(a, *service, *nameFlag)
	if !ok {
		return code
	}
	in, code, ok := build()
	if !ok {
		return code
	}
	if *specFile != "" {
		if in.Spec, code, ok = a.readSpec("spec", *specFile); !ok {
			return code
		}
	}
	if len(inputs) > 0 {
		base := in.Spec
		if *specFile == "" {
			inst, err := a.client.GetServiceInstance(ctx, svc, name)
			if err != nil {
				return a.fail(err)
			}
			base = inst.Spec
		}
		spec, err := setInputs(base, name, inputs)
		if err != nil {
			from := "the current spec"
			if *specFile != "" {
				from = *specFile
			}
			fmt.Fprintf(stderr, "gantry %s: %s: %v\n", a.fs.Name(), from, err)
			return exitProblems
		}
		in.Spec = spec
	}
	inst, err := a.client.UpdateServiceInstance(ctx, svc, name, in)
	if err != nil {
		return a.fail(err)
	}
	if a.json() || !a.wait {
		a.show(inst.Raw, func(w io.Writer) { writeInstance(w, inst) })
	}
	return a.waitFor(ctx, a.client.PollServiceInstance(svc, name), apiclient.ServiceInstanceStatus(inst))
}

func runInstancesOutputs(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	a := newAPICommand("instances outputs", "usage: gantry instances outputs --service SERVICE NAME\n", stdout, stderr)
	service := a.fs.String("service", "", "the service's name (required)")
	nameFlag := a.fs.String("name", "", "the instance's name")
	if code, done := a.parse(args); done {
		return code
	}
	svc, name, code, ok := instanceArgs(a, *service, *nameFlag)
	if !ok {
		return code
	}
	out, err := a.client.ServiceInstanceOutputs(ctx, svc, name)
	if err != nil {
		return a.fail(err)
	}
	return a.show(out.Raw, func(w io.Writer) { writeOutputs(w, out.Outputs) })
}
