package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/gantry-platform/gantry/internal/apiclient"
	"github.com/gantry-platform/gantry/internal/apimodel"
)

const servicesCreateUsage = `usage: gantry services create --name NAME --template TEMPLATE --major N [--minor N] --spec FILE
       [--repository-id OWNER/REPO --repository-connection-arn ARN --branch BRANCH]
       [--description TEXT] [--client-token TOKEN] [--wait [--timeout D]]

--spec is the "proton: ServiceSpec" YAML file; every instance it lists is deployed, then
the pipeline when the template has one (which needs the repository flags). --wait waits
for all of them.
`

const instancesUpdateUsage = `usage: gantry instances update --service SERVICE --name NAME [--spec FILE] [--input KEY=VALUE ...]
       [--deployment-type TYPE] [--major N] [--minor N] [--client-token TOKEN] [--wait [--timeout D]]

--spec is the instance's spec: its inputs under "spec:", or a ServiceSpec naming it.
--input sets one input, starting from --spec or else from the instance's current spec;
the value is read as a YAML scalar (30 is a number, true a boolean, "30" a string).
`

func servicesCommand() func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return resource("services", []verb{
		{"list", "list services", "usage: gantry services list\n", servicesList},
		{"get", "show a service and its pipeline", "usage: gantry services get NAME\n", servicesGet},
		{"create", "create a service and deploy its instances, then its pipeline (developer)", servicesCreateUsage, servicesCreate},
		{"update", "change a service's description, or its instances with a new spec (developer)", servicesUpdateUsage, servicesUpdate},
		{"delete", "delete a service: its pipeline, its instances, then the service (developer)",
			"usage: gantry services delete [--wait [--timeout D]] NAME\n", servicesDelete},
	})
}

func instancesCommand() func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return resource("instances", []verb{
		{"list", "list service instances: a service's, or across services with filters and a sort", "usage: gantry instances list [--service SERVICE] [--filter KEY=VALUE]... [--sort-by KEY] [--sort-order ASCENDING|DESCENDING]\n", instancesList},
		{"get", "show a service instance", "usage: gantry instances get --service SERVICE NAME\n", instancesGet},
		{"create", "add an instance to a service and deploy it (developer)", instancesCreateUsage, instancesCreate},
		{"update", "redeploy an instance: new spec, inputs and/or template version (developer)", instancesUpdateUsage, instancesUpdate},
		{"cancel", "cancel an instance's deployment in progress (developer)", "usage: gantry instances cancel --service SERVICE NAME\n", instancesCancel},
		{"outputs", "show a service instance's stack outputs", "usage: gantry instances outputs --service SERVICE NAME\n", instancesOutputs},
		{"resources", "list the resources a service instance's stack provisioned", "usage: gantry instances resources --service SERVICE NAME\n", instancesResources},
	})
}

func servicesList(a *apiCommand) action {
	a.pageFlags()
	return func(ctx context.Context) int {
		return list(ctx, a, a.client.ListServices, func(s apiclient.Service) json.RawMessage { return s.Raw },
			[]string{"NAME", "TEMPLATE", "VERSION", "STATUS", "CREATED"},
			func(s apiclient.Service) []string {
				return []string{s.Name, s.TemplateName, versionText(s.TemplateMajorVersion, s.TemplateMinorVersion), string(s.Status), timeText(s.CreatedAt)}
			})
	}
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

func servicesGet(a *apiCommand) action {
	name := a.nameFlag("service", "the service's name")
	return func(ctx context.Context) int {
		svc, err := a.client.GetService(ctx, *name)
		return a.answer(err, svc.Raw, func(w io.Writer) { writeService(w, svc) })
	}
}

func servicesCreate(a *apiCommand) action {
	c := newCreateFlags(a, "service")
	var repositoryID, connectionARN, branch string
	a.fs.StringVar(&repositoryID, "repository-id", "", "the source repository, OWNER/REPO (templates with a pipeline)")
	a.fs.StringVar(&connectionARN, "repository-connection-arn", "", "the CodeStar connection to the repository (templates with a pipeline)")
	a.fs.StringVar(&branch, "branch", "", "the repository's branch (templates with a pipeline)")
	return func(ctx context.Context) int {
		svc, err := a.client.CreateService(ctx, apimodel.CreateService{Name: *c.name, Description: c.description,
			TemplateName: c.template, TemplateMajorVersion: c.major, TemplateMinorVersion: c.minor.ptr(), Spec: c.spec,
			RepositoryID: repositoryID, RepositoryConnectionARN: connectionARN, BranchName: branch, ClientToken: c.clientToken})
		return a.started(ctx, err, svc.Raw, func(w io.Writer) { writeService(w, svc) }, a.client.PollService(svc.Name))
	}
}

func instancesList(a *apiCommand) action {
	flag := a.fs.String("service", "", "the service's name (without it, instances across services)")
	var filters tagFlags
	a.fs.Var(&filters, "filter", "a ListServiceInstances filter KEY=VALUE (repeatable): name, deploymentStatus, templateName, environmentName, "+
		"deployedTemplateVersionStatus (UP_TO_DATE, BEHIND_MINOR, BEHIND_MAJOR), templateMajorVersion, templateMinorVersion, "+
		"lastDeploymentAttemptedAtBefore|After, lastDeploymentSucceededAtBefore|After, createdAtBefore|After (RFC 3339)")
	sortBy := a.fs.String("sort-by", "", "name, deploymentStatus, templateName, serviceName (the default), environmentName, lastDeploymentAttemptedAt or createdAt")
	sortOrder := a.fs.String("sort-order", "", "ASCENDING (the default) or DESCENDING")
	a.takesArgument = true
	service := new(string)
	a.check(func() (int, bool) {
		switch {
		case len(a.positional) > 1 || (len(a.positional) == 1 && *flag != ""):
			return a.usageError("unexpected argument %q", a.positional[len(a.positional)-1]), false
		case len(a.positional) == 1:
			*service = a.positional[0]
		default:
			*service = *flag
		}
		return exitOK, true
	})
	a.pageFlags()
	return func(ctx context.Context) int {
		read := func(ctx context.Context, p apiclient.PageRequest) (apiclient.Page[apiclient.ServiceInstance], error) {
			if *service != "" && len(filters) == 0 && *sortBy == "" && *sortOrder == "" {
				return a.client.ListServiceInstances(ctx, *service, p)
			}
			f := apiclient.InstanceFilter{ServiceName: *service, SortBy: *sortBy, SortOrder: *sortOrder, Filters: map[string]string{}}
			for _, kv := range filters {
				f.Filters[kv.Key] = kv.Value
			}
			return a.client.FindServiceInstances(ctx, f, p)
		}
		return list(ctx, a, read, func(i apiclient.ServiceInstance) json.RawMessage { return i.Raw },
			[]string{"SERVICE", "NAME", "ENVIRONMENT", "TEMPLATE", "VERSION", "STATUS", "LAST DEPLOYMENT"},
			func(i apiclient.ServiceInstance) []string {
				return []string{i.ServiceName, i.Name, i.EnvironmentName, i.TemplateName, versionText(i.TemplateMajorVersion, i.TemplateMinorVersion),
					string(i.DeploymentStatus), timePtrText(i.LastDeploymentAttemptedAt)}
			})
	}
}

func writeInstance(w io.Writer, i apiclient.ServiceInstance) {
	writeFields(w, append([]field{{"name", i.Name}, {"service", i.ServiceName}, {"environment", i.EnvironmentName}},
		deployableFields(i.Deployable)...), field{"spec", i.Spec})
}

// instanceFlags adds --service (required) and --name (described by nameUsage), the
// service instance a verb acts on; the name may be the single argument instead.
func instanceFlags(a *apiCommand, nameUsage string) (service, name *string) {
	service = a.fs.String("service", "", "the service's name (required)")
	a.required(service, "service")
	return service, a.nameFlag("instance", nameUsage)
}

func instancesGet(a *apiCommand) action {
	service, name := instanceFlags(a, "the instance's name")
	return func(ctx context.Context) int {
		inst, err := a.client.GetServiceInstance(ctx, *service, *name)
		return a.answer(err, inst.Raw, func(w io.Writer) { writeInstance(w, inst) })
	}
}

func instancesUpdate(a *apiCommand) action {
	service, name := instanceFlags(a, "the instance's name (required)")
	var inputs inputList
	a.fs.Var(&inputs, "input", "set the input KEY to VALUE, a YAML scalar (repeatable)")
	u := newUpdateFlags(a)
	return func(ctx context.Context) int {
		in := u.input
		if len(inputs) > 0 {
			spec, code, ok := specWithInputs(ctx, a, *service, *name, u, inputs)
			if !ok {
				return code
			}
			in.Spec = spec
		}
		inst, err := a.client.UpdateServiceInstance(ctx, *service, *name, in)
		return a.started(ctx, err, inst.Raw, func(w io.Writer) { writeInstance(w, inst) },
			a.client.PollServiceInstance(*service, *name), apiclient.ServiceInstanceStatus(inst))
	}
}

// specWithInputs returns the spec of an instance update with each --input set, starting
// from --spec or else from the instance's current spec. ok is false, with the exit code
// after printing why, when the instance cannot be read or the spec takes no inputs.
func specWithInputs(ctx context.Context, a *apiCommand, service, instance string, u *updateFlags, inputs inputList) (spec string, code int, ok bool) {
	base, from := u.input.Spec, u.specFile
	if u.specFile == "" {
		inst, err := a.client.GetServiceInstance(ctx, service, instance)
		if err != nil {
			return "", a.fail(err), false
		}
		base, from = inst.Spec, "the current spec"
	}
	spec, err := setInputs(base, instance, inputs)
	if err != nil {
		fmt.Fprintf(a.stderr, "gantry %s: %s: %v\n", a.fs.Name(), from, err)
		return "", exitProblems, false
	}
	return spec, exitOK, true
}

func instancesOutputs(a *apiCommand) action {
	service, name := instanceFlags(a, "the instance's name")
	return func(ctx context.Context) int {
		out, err := a.client.ServiceInstanceOutputs(ctx, *service, *name)
		return a.answer(err, out.Raw, func(w io.Writer) { writeOutputs(w, out.Outputs) })
	}
}

const servicesUpdateUsage = `usage: gantry services update [--description TEXT] [--spec FILE] [--client-token TOKEN] [--wait [--timeout D]] NAME

--spec is a "proton: ServiceSpec" listing the instances to keep and to add: an instance it
adds is created and deployed, one it leaves out is deleted (its stack, then its record).
Existing instances are left as they are (gantry instances update changes them).
`

const instancesCreateUsage = `usage: gantry instances create --service SERVICE --name NAME --spec FILE [--major N] [--minor N]
       [--client-token TOKEN] [--wait [--timeout D]]

--spec is a "proton: ServiceSpec" listing the instance by name, with its environment and
inputs. The template version defaults to the service's major and its recommended minor.
`

func servicesUpdate(a *apiCommand) action {
	name := a.nameFlag("service", "the service's name")
	var in apimodel.UpdateService
	var description, specFile string
	a.fs.StringVar(&description, "description", "", "the new description")
	a.fs.StringVar(&specFile, "spec", "", "a ServiceSpec YAML file: the instances to keep and to add")
	a.fs.StringVar(&in.ClientToken, "client-token", "", "an idempotency token")
	a.waitFlags()
	a.check(func() (code int, ok bool) {
		if specFile == "" {
			return exitOK, true
		}
		in.Spec, code, ok = a.readSpec(specFile)
		return code, ok
	})
	return func(ctx context.Context) int {
		a.fs.Visit(func(f *flag.Flag) {
			if f.Name == "description" {
				in.Description = &description
			}
		})
		svc, err := a.client.UpdateService(ctx, *name, in)
		return a.started(ctx, err, svc.Raw, func(w io.Writer) { writeService(w, svc) }, a.client.PollService(*name))
	}
}

func servicesDelete(a *apiCommand) action {
	name := a.nameFlag("service", "the service's name")
	a.waitFlags()
	return func(ctx context.Context) int {
		svc, err := a.client.DeleteService(ctx, *name)
		return a.started(ctx, err, svc.Raw, func(w io.Writer) { writeService(w, svc) }, a.client.PollService(*name))
	}
}

func instancesCreate(a *apiCommand) action {
	service, name := instanceFlags(a, "the new instance's name (required)")
	var in apimodel.CreateServiceInstance
	var major, minor optionalInt
	var specFile string
	a.fs.StringVar(&specFile, "spec", "", "a ServiceSpec YAML file listing the instance (required)")
	a.fs.Var(&major, "major", "the template's major version (default: the service's)")
	a.fs.Var(&minor, "minor", "the template's minor version (default: the recommended one)")
	a.fs.StringVar(&in.ClientToken, "client-token", "", "an idempotency token")
	a.waitFlags()
	a.check(func() (code int, ok bool) {
		if specFile == "" {
			return a.usageError("--spec is required"), false
		}
		in.Spec, code, ok = a.readSpec(specFile)
		return code, ok
	})
	return func(ctx context.Context) int {
		in.Name, in.TemplateMajorVersion, in.TemplateMinorVersion = *name, major.ptr(), minor.ptr()
		inst, err := a.client.CreateServiceInstance(ctx, *service, in)
		return a.started(ctx, err, inst.Raw, func(w io.Writer) { writeInstance(w, inst) },
			a.client.PollServiceInstance(*service, *name), apiclient.ServiceInstanceStatus(inst))
	}
}

func instancesCancel(a *apiCommand) action {
	service, name := instanceFlags(a, "the instance's name")
	return func(ctx context.Context) int {
		d, err := a.client.CancelServiceInstanceDeployment(ctx, *service, *name)
		return a.answer(err, d.Raw, func(w io.Writer) { fmt.Fprintf(w, "%s: %s\n", targetText(d), d.DeploymentStatus) })
	}
}

func pipelinesCommand() func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return resource("pipelines", []verb{
		{"update", "redeploy a service's pipeline: new spec and/or template version (developer)", pipelinesUpdateUsage, pipelinesUpdate},
		{"outputs", "show a service pipeline's stack outputs", "usage: gantry pipelines outputs SERVICE\n", pipelinesOutputs},
		{"resources", "list the resources a service pipeline's stack provisioned", "usage: gantry pipelines resources SERVICE\n", pipelinesResources},
		{"cancel", "cancel a service pipeline's deployment in progress (developer)", "usage: gantry pipelines cancel SERVICE\n", pipelinesCancel},
	})
}

const pipelinesUpdateUsage = `usage: gantry pipelines update [--spec FILE] [--deployment-type TYPE] [--major N] [--minor N]
       [--client-token TOKEN] [--wait [--timeout D]] SERVICE

--spec is a "proton: ServiceSpec" whose pipeline section holds the pipeline's inputs.
`

func pipelinesUpdate(a *apiCommand) action {
	service := a.nameFlag("service", "the service's name")
	u := newUpdateFlags(a)
	return func(ctx context.Context) int {
		p, err := a.client.UpdateServicePipeline(ctx, *service, u.input)
		return a.started(ctx, err, p.Raw, func(w io.Writer) {
			writeFields(w, append([]field{{"service", p.ServiceName}}, deployableFields(p.Deployable)...), field{"spec", p.Spec})
		}, a.client.PollService(*service))
	}
}

func pipelinesOutputs(a *apiCommand) action {
	service := a.nameFlag("service", "the service's name")
	return func(ctx context.Context) int {
		out, err := a.client.ServicePipelineOutputs(ctx, *service)
		return a.answer(err, out.Raw, func(w io.Writer) { writeOutputs(w, out.Outputs) })
	}
}

func pipelinesCancel(a *apiCommand) action {
	service := a.nameFlag("service", "the service's name")
	return func(ctx context.Context) int {
		d, err := a.client.CancelServicePipelineDeployment(ctx, *service)
		return a.answer(err, d.Raw, func(w io.Writer) { fmt.Fprintf(w, "%s: %s\n", targetText(d), d.DeploymentStatus) })
	}
}
