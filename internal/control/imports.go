package control

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/gantry-platform/gantry/events"
	"github.com/gantry-platform/gantry/internal/platform"
)

// The tags AWS Proton put on the stacks it deployed (its AWS managed tags): each value is
// the ARN of the Proton resource.
const (
	protonTemplateTag        = "aws:proton:template"
	protonEnvironmentTag     = "aws:proton:environment"
	protonServiceTag         = "aws:proton:service"
	protonServiceInstanceTag = "aws:proton:service-instance"
)

// DefaultProtonStackPrefix is the prefix of the stacks AWS Proton made.
const DefaultProtonStackPrefix = events.AdoptedNamePrefix

// ImportInput is an import of the stacks AWS Proton left.
type ImportInput struct {
	// StackPrefix selects the stacks (default DefaultProtonStackPrefix).
	StackPrefix string
	// EnvironmentSpecs are the EnvironmentSpecs the environments were deployed with, by
	// environment name; ServiceSpecs the ServiceSpecs of the services, by service name.
	EnvironmentSpecs map[string]string
	ServiceSpecs     map[string]string
	// AcceptChanges adopts stacks whose change set would change resources; without it,
	// they are reported and left alone.
	AcceptChanges bool
	// ServiceRepositories are the source repositories of the services whose pipelines
	// are imported, by service name (the pipeline's template reads them).
	ServiceRepositories map[string]ServiceRepository
	// AccountConnectionIDs are CONNECTED environment account connections whose environment
	// accounts are scanned too (through their roles), besides the platform's own account:
	// an environment adopted there deploys through its connection afterwards.
	AccountConnectionIDs []string
	// Regions are the regions scanned, in each account (default: the platform's own
	// region only): an environment adopted in another region deploys there afterwards,
	// and so do its service instances.
	Regions []string
}

// ServiceRepository is a service's source repository, as AWS Proton's GetService gives
// it: repositoryConnectionArn, repositoryId and branchName.
type ServiceRepository struct {
	ConnectionARN string
	ID            string
	BranchName    string
}

// The outcomes of an imported stack.
const (
	ImportAdopted        = "ADOPTED"         // its change set was empty or only metadata and tags
	ImportAdoptedChanges = "ADOPTED_CHANGES" // adopted with AcceptChanges although it would change resources
	ImportAlreadyAdopted = "ALREADY_ADOPTED" // an earlier import adopted it: nothing done
	ImportDrifted        = "DRIFTED"         // rendering the spec would change resources: not adopted
	ImportFailed         = "FAILED"          // could not be proven (no spec, no template, a render error…)
	ImportSkipped        = "SKIPPED"         // not an environment, service instance or pipeline stack
)

// ImportedStack is what the import did with one stack.
type ImportedStack struct {
	StackName string
	// Account is the environment account the stack is in; "" for the platform's own.
	// Region is its region; "" for the platform's own.
	Account  string
	Region   string
	Target   platform.Target
	Template string
	Version  platform.Version
	Outcome  string
	Message  string
	// ChangeSet is the proof: the change set of the rendered spec against the live stack.
	ChangeSet *platform.ChangeSet
}

// ImportProtonStacks adopts the stacks AWS Proton left: for each stack named with the
// prefix, its aws:proton:* tags name its template, environment, service and instance (a
// service's pipeline stack has only its service and template tags). Environments come
// first, then services with their instances and pipeline. Each stack's spec
// (EnvironmentSpecs, ServiceSpecs) is rendered with the template's recommended published
// version — the bundle the user kept, registered beforehand — and a change set is made
// against the live stack with its own tags: when it is empty, or changes only metadata
// and tags, the stack is adopted: the environment (or service and instances) is stored
// with a succeeded deployment whose stack is that stack, under its own name, and its
// outputs. Otherwise the stack is reported DRIFTED with the change set, and adopted only
// with AcceptChanges (its next deployment then makes those changes). A pipeline's stack
// is proven with the pipeline part of the service template, the ServiceSpec's pipeline
// inputs, the service's repository (ServiceRepositories) and the service's instances; it
// is FAILED, naming why, when the template has no pipeline, the repository is not given,
// the service has several pipeline stacks or none of its instances' stacks is found, or
// the stack is in an environment account. A service is adopted only when all its
// instances' stacks and its pipeline's are; a service without a pipeline stack is adopted
// without a pipeline. Nothing is deployed, and a stack adopted before is ALREADY_ADOPTED:
// running the import again changes nothing. Other stacks are SKIPPED. Admins of the
// management account only. With AccountConnectionIDs, the environment accounts of those
// connections are scanned too, and with Regions each account in each of those regions
// (see importSources). Errors: Forbidden, Invalid naming accountConnectionIds or regions,
// Internal (the stacks could not be listed); per-stack problems are in the report.
func (s *Service) ImportProtonStacks(ctx context.Context, in ImportInput) ([]ImportedStack, error) {
	if err := requireRole(ctx, platform.AdminRole, "ImportProtonStacks"); err != nil {
		return nil, err
	}
	if account := s.CallerAccount(ctx); account != s.arns.Account {
		return nil, platform.Errorf(platform.Forbidden, "an import is made in the management account (%s), not from account %s", s.arns.Account, account)
	}
	if s.estate == nil || s.previewer == nil || s.stacks == nil {
		return nil, platform.Errorf(platform.Internal, "control: imports need a stack lister, a previewer and a provisioner")
	}
	prefix := in.StackPrefix
	if prefix == "" {
		prefix = DefaultProtonStackPrefix
	}
	sources, err := s.importSources(ctx, in.AccountConnectionIDs, in.Regions)
	if err != nil {
		return nil, err
	}
	var report []ImportedStack
	services := map[string][]foundStack{}
	for _, src := range sources {
		stacks, err := src.lister.ListStacks(ctx, prefix)
		if err != nil {
			return nil, err
		}
		for _, st := range stacks {
			found := foundStack{Stack: st, source: src}
			switch {
			case st.Tags[protonServiceInstanceTag] != "" || isPipelineStack(st):
				svc := lastSegment(st.Tags[protonServiceTag])
				services[svc] = append(services[svc], found)
			case st.Tags[protonEnvironmentTag] != "" && st.Tags[protonServiceTag] == "":
				report = append(report, s.importEnvironment(ctx, found, in))
			default:
				report = append(report, ImportedStack{StackName: st.StackName, Account: src.conn.EnvironmentAccountID, Region: src.region, Outcome: ImportSkipped,
					Message: "not an environment, service instance or pipeline stack of AWS Proton (untagged)"})
			}
		}
	}
	names := make([]string, 0, len(services))
	for name := range services {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		report = append(report, s.importService(ctx, name, services[name], in)...)
	}
	return report, nil
}

// lastSegment is the name at the end of a Proton ARN (…:environment/NAME,
// …:service/SVC/service-instance/NAME).
func lastSegment(arn string) string { return arn[strings.LastIndex(arn, "/")+1:] }

// templateOf reads a stack's template tag: the template's name and its recommended
// published version.
func (s *Service) templateOf(ctx context.Context, kind platform.TemplateKind, st platform.Stack) (platform.TemplateVersion, error) {
	arn := st.Tags[protonTemplateTag]
	if arn == "" {
		return platform.TemplateVersion{}, platform.Errorf(platform.Invalid, "the stack has no %s tag", protonTemplateTag)
	}
	name := lastSegment(arn)
	t, err := s.store.GetTemplate(ctx, kind, name)
	if platform.KindOf(err) == platform.NotFound {
		return platform.TemplateVersion{}, platform.Errorf(platform.NotFound, "%s template %s is not registered: register and publish the bundle you kept first", kindWord(kind), name)
	}
	if err != nil {
		return platform.TemplateVersion{}, err
	}
	if t.Recommended == (platform.Version{}) {
		return platform.TemplateVersion{}, platform.Errorf(platform.NotFound, "%s template %s has no published version: publish the bundle you kept first", kindWord(kind), name)
	}
	return s.store.GetTemplateVersion(ctx, kind, name, t.Recommended)
}

// prove renders body's change set against the live stack (with the stack's own tags) and
// says whether it may be adopted: empty, or changing only metadata and tags.
func (s *Service) prove(ctx context.Context, st foundStack, body []byte, item *ImportedStack, accept bool) bool {
	cs, err := st.source.stacks.CreateChangeSet(ctx, platform.StackDeployment{StackName: st.StackName, TemplateBody: body, Tags: st.Tags},
		"gantry-import-"+s.newID())
	if err != nil {
		item.Outcome, item.Message = ImportFailed, "the change set against the live stack failed: "+platform.MessageOf(err)
		return false
	}
	item.ChangeSet = &cs
	if cs.Empty() || onlyMetadataAndTags(cs) {
		item.Outcome = ImportAdopted
		return true
	}
	sum := cs.Summary()
	detail := fmt.Sprintf("rendering the spec would change the stack: %d to add, %d to modify (%d replacing), %d to remove", sum.Add, sum.Modify, sum.Replace, sum.Remove)
	if accept {
		item.Outcome, item.Message = ImportAdoptedChanges, detail+"; adopted as asked (its next deployment makes them)"
		return true
	}
	item.Outcome, item.Message = ImportDrifted, detail+"; not adopted (--accept-changes adopts it)"
	return false
}

func onlyMetadataAndTags(cs platform.ChangeSet) bool {
	for _, c := range cs.Changes {
		if c.Action != "Modify" {
			return false
		}
		for _, scope := range c.Scope {
			if scope != "Metadata" && scope != "Tags" {
				return false
			}
		}
	}
	return true
}

// adopted is the finished deployment that records an adopted stack.
func (s *Service) adopted(d platform.Deployment, st platform.Stack, message string) platform.Deployment {
	d.Status, d.StatusMessage = platform.Succeeded, message
	d.StackName, d.StackID, d.Outputs = st.StackName, st.StackID, st.Outputs
	d.CompletedAt, d.UpdatedAt = s.clock(), s.clock()
	d.LeaseOwner, d.LeaseExpiresAt = "", d.CreatedAt
	return d
}

func (s *Service) importEnvironment(ctx context.Context, st foundStack, in ImportInput) ImportedStack {
	name := lastSegment(st.Tags[protonEnvironmentTag])
	target := platform.Target{Kind: platform.EnvironmentTarget, Environment: name}
	conn := st.source.conn
	item := ImportedStack{StackName: st.StackName, Target: target, Account: conn.EnvironmentAccountID, Region: st.source.region}
	fail := func(err error) ImportedStack {
		item.Outcome, item.Message = ImportFailed, platform.MessageOf(err)
		return item
	}
	if conn.ID != "" && conn.EnvironmentName != name {
		return fail(platform.Errorf(platform.Conflict, "the stack is in account %s, whose connection %s is for environment %s, not %s: "+
			"request a connection for %s from that account", conn.EnvironmentAccountID, conn.ID, conn.EnvironmentName, name, name))
	}
	if existing, err := s.store.GetEnvironment(ctx, name); err == nil {
		item.Template, item.Version = existing.TemplateName, existing.TemplateVersion
		if !samePlace(existing, st.source) {
			return fail(platform.Errorf(platform.Conflict, "environment %s exists in %s (stack %s), and this stack is in %s: "+
				"an environment's name is one across accounts and regions, so this stack is not adopted",
				name, s.placeName(existing.AccountID, existing.Region), existing.StackName, s.placeName(conn.EnvironmentAccountID, st.source.region)))
		}
		if existing.StackName == st.StackName {
			item.Outcome = ImportAlreadyAdopted
			return item
		}
		return fail(platform.Errorf(platform.Conflict, "environment %s exists with another stack (%s)", name, existing.StackName))
	} else if platform.KindOf(err) != platform.NotFound {
		return fail(err)
	}
	tv, err := s.templateOf(ctx, platform.EnvironmentTemplate, st.Stack)
	if err != nil {
		return fail(err)
	}
	item.Template, item.Version = tv.TemplateName, tv.Version
	spec, ok := in.EnvironmentSpecs[name]
	if !ok {
		return fail(platform.Errorf(platform.Invalid, "no spec for environment %s: give the EnvironmentSpec it was deployed with", name))
	}
	inputs, err := s.engine.EnvironmentInputs(tv.Schema, spec)
	if err != nil {
		return fail(err)
	}
	d := s.newDeployment(target, platform.Deploy, tv, spec, inputs)
	d.StackName, d.Account, d.ConnectionID, d.Region = st.StackName, conn.EnvironmentAccountID, conn.ID, st.source.region
	env := platform.Environment{Name: name, Description: "imported from AWS Proton's stack " + st.StackName,
		AccountConnectionID: conn.ID, AccountID: conn.EnvironmentAccountID, Region: st.source.region, Deployable: platform.Deployable{
			TemplateName: tv.TemplateName, TemplateVersion: tv.Version, Spec: spec, DeploymentStatus: d.Status, LastDeploymentID: d.ID,
			StackName: st.StackName, LastAttemptedAt: d.CreatedAt, CreatedAt: d.CreatedAt, Revision: 1}}
	body, err := s.previewer.RenderNewEnvironment(ctx, d, env)
	if err != nil {
		return fail(err)
	}
	if !s.prove(ctx, st, body, &item, in.AcceptChanges) {
		return item
	}
	if err := s.keepRendered(ctx, &d, body); err != nil {
		return fail(err)
	}
	if err := s.store.CreateEnvironment(ctx, env, d, nil); err != nil {
		return fail(err)
	}
	if err := s.store.FinishDeployment(ctx, s.adopted(d, st.Stack, "adopted AWS Proton's stack "+st.StackName)); err != nil {
		return fail(err)
	}
	return item
}

// keepRendered keeps the rendered template where the deployment's would be.
func (s *Service) keepRendered(ctx context.Context, d *platform.Deployment, body []byte) error {
	d.RenderedKey = "rendered/" + d.ID + "/cloudformation.yaml"
	return s.blobs.Put(ctx, d.RenderedKey, body)
}

// importService adopts a service with the instances and the pipeline whose stacks are
// given, all or none: its instances' stacks are proven first, then its pipeline's (once
// pipelineProblem finds nothing against it). A service is adopted only when every given
// stack is.
func (s *Service) importService(ctx context.Context, name string, stacks []foundStack, in ImportInput) []ImportedStack {
	items := make([]ImportedStack, len(stacks))
	pipelines := []int{}
	for i, st := range stacks {
		items[i] = ImportedStack{StackName: st.StackName, Account: st.source.conn.EnvironmentAccountID, Region: st.source.region, Target: platform.Target{Kind: platform.ServiceInstanceTarget, Service: name,
			Instance: lastSegment(st.Tags[protonServiceInstanceTag])}}
		if isPipelineStack(st.Stack) {
			items[i].Target = platform.Target{Kind: platform.ServicePipelineTarget, Service: name}
			pipelines = append(pipelines, i)
		}
	}
	failAll := func(err error) []ImportedStack {
		for i := range items {
			if items[i].Outcome == "" || items[i].Outcome == ImportAdopted || items[i].Outcome == ImportAdoptedChanges {
				items[i].Outcome, items[i].Message = ImportFailed, platform.MessageOf(err)
			}
		}
		return items
	}
	if existing, err := s.store.GetService(ctx, name); err == nil {
		for i := range items {
			var adopted platform.Deployable
			var err error
			if items[i].Target.Kind == platform.ServicePipelineTarget {
				var p platform.ServicePipeline
				p, err = s.store.GetServicePipeline(ctx, name)
				adopted = p.Deployable
			} else {
				var inst platform.ServiceInstance
				inst, err = s.store.GetServiceInstance(ctx, name, items[i].Target.Instance)
				adopted = inst.Deployable
			}
			switch {
			case err == nil && adopted.StackName == stacks[i].StackName:
				items[i].Outcome, items[i].Template, items[i].Version = ImportAlreadyAdopted, adopted.TemplateName, adopted.TemplateVersion
			default:
				items[i].Outcome = ImportFailed
				items[i].Message = fmt.Sprintf("service %s exists (template %s) without this %s's stack: import adopts a whole service once", name, existing.TemplateName, targetWord(items[i].Target))
			}
		}
		return items
	} else if platform.KindOf(err) != platform.NotFound {
		return failAll(err)
	}
	tv, err := s.templateOf(ctx, platform.ServiceTemplate, stacks[0].Stack)
	if err != nil {
		return failAll(err)
	}
	spec, ok := in.ServiceSpecs[name]
	if !ok {
		return failAll(platform.Errorf(platform.Invalid, "no spec for service %s: give the ServiceSpec it was deployed with", name))
	}
	pipeline := -1
	if len(pipelines) > 0 {
		pipeline = pipelines[0]
		if problem := s.pipelineProblem(name, stacks, pipelines, tv, in); problem != "" {
			for _, i := range pipelines {
				items[i].Outcome, items[i].Message, items[i].Template, items[i].Version = ImportFailed, problem, tv.TemplateName, tv.Version
			}
			pipeline = -1
		}
	}
	validated, err := s.engine.ServiceInputs(tv.Schema, spec, pipeline >= 0)
	if err != nil {
		return failAll(err)
	}
	byName := map[string]InstanceInputs{}
	for _, i := range validated.Instances {
		byName[i.Name] = i
	}
	repo := in.ServiceRepositories[name]
	svc := platform.Service{Name: name, Description: "imported from AWS Proton", TemplateName: tv.TemplateName, TemplateVersion: tv.Version, Spec: spec,
		Status: platform.ServiceCreateInProgress, Revision: 1, HasPipeline: pipeline >= 0}
	if pipeline >= 0 {
		svc.RepositoryConnectionARN, svc.RepositoryID, svc.BranchName = repo.ConnectionARN, repo.ID, repo.BranchName
	}
	var instances []platform.ServiceInstance
	var deployments []platform.Deployment
	var bodies [][]byte
	var adoptedStacks []platform.Stack
	var rendered []platform.ServiceInstance // every instance the spec lists, as its pipeline reads it
	inputs := map[string]json.RawMessage{}
	adopt := len(pipelines) == 0 || pipeline >= 0
	for i, st := range stacks {
		if items[i].Target.Kind == platform.ServicePipelineTarget {
			continue
		}
		items[i].Template, items[i].Version = tv.TemplateName, tv.Version
		spec, ok := byName[items[i].Target.Instance]
		if !ok {
			items[i].Outcome, items[i].Message = ImportFailed, fmt.Sprintf("the ServiceSpec of %s does not list instance %s", name, items[i].Target.Instance)
			adopt = false
			continue
		}
		if err := s.inEnvironmentsPlace(ctx, spec.Environment, st.source); err != nil {
			items[i].Outcome, items[i].Message = ImportFailed, platform.MessageOf(err)
			adopt = false
			continue
		}
		d := s.newDeployment(items[i].Target, platform.Deploy, tv, spec.Spec, spec.Inputs)
		d.StackName, d.Account, d.ConnectionID, d.Region = st.StackName, st.source.conn.EnvironmentAccountID, st.source.conn.ID, st.source.region
		inst := platform.ServiceInstance{Name: spec.Name, Service: name, Environment: spec.Environment, Deployable: platform.Deployable{
			TemplateName: tv.TemplateName, TemplateVersion: tv.Version, Spec: spec.Spec, DeploymentStatus: d.Status, LastDeploymentID: d.ID,
			StackName: st.StackName, LastAttemptedAt: d.CreatedAt, CreatedAt: d.CreatedAt, Revision: 1}}
		withOutputs := inst
		withOutputs.Outputs = st.Outputs
		rendered, inputs[inst.Name] = append(rendered, withOutputs), spec.Inputs
		body, err := s.previewer.RenderNewInstance(ctx, d, svc, inst)
		if err != nil {
			items[i].Outcome, items[i].Message = ImportFailed, platform.MessageOf(err)
			adopt = false
			continue
		}
		if !s.prove(ctx, st, body, &items[i], in.AcceptChanges) {
			adopt = false
			continue
		}
		instances, deployments, bodies = append(instances, inst), append(deployments, d), append(bodies, body)
		adoptedStacks = append(adoptedStacks, st.Stack)
	}
	var adoptedPipeline *platform.ServicePipeline
	if pipeline >= 0 {
		item := &items[pipeline]
		item.Template, item.Version = tv.TemplateName, tv.Version
		d := s.newDeployment(item.Target, platform.Deploy, tv, spec, validated.Pipeline)
		d.StackName = stacks[pipeline].StackName
		sort.Slice(rendered, func(a, b int) bool { return rendered[a].Name < rendered[b].Name }) // as the store lists them
		body, err := s.previewer.RenderNewPipeline(ctx, d, svc, rendered, inputs)
		switch {
		case err != nil:
			item.Outcome, item.Message = ImportFailed, platform.MessageOf(err)
			adopt = false
		case !s.prove(ctx, stacks[pipeline], body, item, in.AcceptChanges):
			adopt = false
		default:
			adoptedPipeline = &platform.ServicePipeline{Service: name, Deployable: newDeployable(tv, d)}
			deployments, bodies = append(deployments, d), append(bodies, body)
			adoptedStacks = append(adoptedStacks, stacks[pipeline].Stack)
		}
	}
	if !adopt {
		holdBack(name, items)
		return items
	}
	for i := range deployments {
		if err := s.keepRendered(ctx, &deployments[i], bodies[i]); err != nil {
			return failAll(err)
		}
	}
	svc.CreatedAt, svc.UpdatedAt = s.clock(), s.clock()
	if err := s.store.CreateService(ctx, svc, instances, adoptedPipeline, deployments, nil); err != nil {
		return failAll(err)
	}
	for i, d := range deployments {
		if err := s.store.FinishDeployment(ctx, s.adopted(d, adoptedStacks[i], "adopted AWS Proton's stack "+d.StackName)); err != nil {
			return failAll(err)
		}
	}
	return items
}

// isPipelineStack says whether st is a service pipeline's stack as AWS Proton tagged it:
// its service and template, neither an environment nor a service instance.
func isPipelineStack(st platform.Stack) bool {
	return st.Tags[protonServiceTag] != "" && st.Tags[protonServiceInstanceTag] == "" && st.Tags[protonEnvironmentTag] == ""
}

// pipelineProblem says why the pipeline stacks (indexes into stacks) of service name
// cannot be adopted before anything is rendered, "" when they may be proven: one
// pipeline, in the management account and the platform's region (Gantry deploys pipelines
// there, as Proton did),
// a template version with a pipeline, and the service's repository given.
func (s *Service) pipelineProblem(name string, stacks []foundStack, pipelines []int, tv platform.TemplateVersion, in ImportInput) string {
	if len(pipelines) > 1 {
		names := make([]string, len(pipelines))
		for i, p := range pipelines {
			names[i] = stacks[p].StackName
		}
		return fmt.Sprintf("service %s has %d pipeline stacks (%s): a service has one pipeline; delete the stale ones or leave them out with the prefix",
			name, len(names), strings.Join(names, ", "))
	}
	if len(pipelines) == len(stacks) {
		return fmt.Sprintf("no instance stack of service %s was found: a service is adopted with its instances (scan their accounts with accountConnectionIds)", name)
	}
	st := stacks[pipelines[0]]
	if account := st.source.conn.EnvironmentAccountID; account != "" {
		return fmt.Sprintf("the pipeline's stack is in environment account %s: a pipeline is adopted in the management account (%s), where pipelines deploy", account, s.arns.Account)
	}
	if region := st.source.region; region != "" {
		return fmt.Sprintf("the pipeline's stack is in region %s: a pipeline is adopted in the platform's region (%s), where pipelines deploy", region, s.arns.Region)
	}
	if !tv.HasPipeline {
		return fmt.Sprintf("service template %s %s has no pipeline (no pipeline_infrastructure in its bundle): register the bundle AWS Proton deployed this pipeline from", tv.TemplateName, tv.Version)
	}
	repo := in.ServiceRepositories[name]
	for field, v := range map[string]string{"repositoryConnectionArn": repo.ConnectionARN, "repositoryId": repo.ID, "branchName": repo.BranchName} {
		if v == "" {
			return fmt.Sprintf("serviceRepositories.%s.%s is required: the pipeline of service %s reads its repository (aws proton get-service gives it)", name, field, name)
		}
	}
	return ""
}

// holdBack marks the stacks of service name proven adoptable FAILED, naming a stack of
// the service that was not: a service is adopted whole.
func holdBack(name string, items []ImportedStack) {
	instance, pipeline := -1, -1
	for i, it := range items {
		switch {
		case it.Outcome == ImportAdopted || it.Outcome == ImportAdoptedChanges:
		case it.Target.Kind == platform.ServicePipelineTarget:
			pipeline = i
		case instance < 0:
			instance = i
		}
	}
	for i := range items {
		if items[i].Outcome != ImportAdopted && items[i].Outcome != ImportAdoptedChanges {
			continue
		}
		var other string
		switch {
		case items[i].Target.Kind == platform.ServicePipelineTarget:
			other = "instance " + items[instance].Target.Instance + " of service " + name
		case instance >= 0:
			other = "another instance of service " + name + " (" + items[instance].Target.Instance + ")"
		case pipeline >= 0:
			other = "the pipeline of service " + name
		}
		items[i].Outcome, items[i].Message = ImportFailed, "not adopted: "+other+" was not"
	}
}

// targetWord names what a target of an imported service is.
func targetWord(t platform.Target) string {
	if t.Kind == platform.ServicePipelineTarget {
		return "pipeline"
	}
	return "instance"
}

// importSource is an account and region an import scans: the platform's own account
// (conn zero), or a connected environment account reached through conn's role; region ""
// is the platform's own.
type importSource struct {
	conn   platform.EnvironmentAccountConnection
	region string
	lister platform.StackLister
	stacks platform.StackProvisioner
}

// foundStack is a stack an import found, with the account and region it was found in.
type foundStack struct {
	platform.Stack
	source importSource
}

// importSources are each of regions (default the platform's own) of the platform's own
// account and of the environment accounts of the connections ids. Invalid naming
// accountConnectionIds for a connection that does not exist, is not with this management
// account, is not CONNECTED or has no role; naming regions for a malformed region or one
// that cannot be reached; naming either when this Gantry cannot reach other accounts or
// regions.
func (s *Service) importSources(ctx context.Context, ids, regions []string) ([]importSource, error) {
	const field = "accountConnectionIds"
	places, err := s.importRegions(regions)
	if err != nil {
		return nil, err
	}
	conns := []platform.EnvironmentAccountConnection{{}}
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		if s.accounts == nil {
			return nil, platform.FieldErrorf(field, "this Gantry is not configured to reach other accounts")
		}
		c, err := s.connectedConnection(ctx, field, id)
		if err != nil {
			return nil, err
		}
		conns = append(conns, c)
	}
	var sources []importSource
	for _, c := range conns {
		for _, region := range places {
			if c.ID == "" && region == "" {
				sources = append(sources, importSource{lister: s.estate, stacks: s.stacks})
				continue
			}
			stacks, err := s.accounts.StackProvisioner(ctx, platform.StackLocation{Account: c.EnvironmentAccountID, Region: region, RoleARN: c.RoleARN, ExternalID: c.ID})
			if platform.KindOf(err) == platform.Invalid && region != "" {
				return nil, platform.FieldErrorf("regions", "%s cannot be reached: %s", s.placeName(c.EnvironmentAccountID, region), platform.MessageOf(err))
			}
			if err != nil {
				return nil, err
			}
			lister, ok := stacks.(platform.StackLister)
			if !ok {
				return nil, platform.Errorf(platform.Internal, "control: the stacks of %s cannot be listed", s.placeName(c.EnvironmentAccountID, region))
			}
			sources = append(sources, importSource{conn: c, region: region, lister: lister, stacks: stacks})
		}
	}
	return sources, nil
}

// importRegions are the regions an import scans, each once, the platform's own as "":
// regions, or the platform's own alone when there are none. Invalid naming regions for a
// malformed region, or another region when this Gantry cannot reach other regions.
func (s *Service) importRegions(regions []string) ([]string, error) {
	if len(regions) == 0 {
		return []string{""}, nil
	}
	var out []string
	for _, r := range regions {
		if err := platform.ValidateRegion("regions", r); err != nil {
			return nil, err
		}
		if r == s.arns.Region {
			r = ""
		}
		if r != "" && s.accounts == nil {
			return nil, platform.FieldErrorf("regions", "this Gantry is not configured to reach other regions (%s)", r)
		}
		if !slices.Contains(out, r) {
			out = append(out, r)
		}
	}
	return out, nil
}

// inEnvironmentsPlace checks that environment env (stored, or adopted earlier in the
// import) is in the account and region of src: a service instance's stack is adopted only
// where its environment is. Conflict naming both places.
func (s *Service) inEnvironmentsPlace(ctx context.Context, env string, src importSource) error {
	e, err := s.store.GetEnvironment(ctx, env)
	if err != nil {
		return err
	}
	if !samePlace(e, src) {
		return platform.Errorf(platform.Conflict, "environment %s is in %s, but the stack is in %s", e.Name,
			s.placeName(e.AccountID, e.Region), s.placeName(src.conn.EnvironmentAccountID, src.region))
	}
	return nil
}

// samePlace reports whether environment e is in src's account and region.
func samePlace(e platform.Environment, src importSource) bool {
	return e.AccountID == src.conn.EnvironmentAccountID && e.Region == src.region
}

// placeName says where an account ("" the platform's own) and region ("" the platform's
// own) are, for messages.
func (s *Service) placeName(account, region string) string {
	where := "the platform's own account"
	if account != "" {
		where = "account " + account
	}
	return where + " in " + s.regionName(region)
}
