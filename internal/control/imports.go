package control

import (
	"context"
	"fmt"
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
	// AccountConnectionIDs are CONNECTED environment account connections whose environment
	// accounts are scanned too (through their roles), besides the platform's own account:
	// an environment adopted there deploys through its connection afterwards.
	AccountConnectionIDs []string
}

// The outcomes of an imported stack.
const (
	ImportAdopted        = "ADOPTED"         // its change set was empty or only metadata and tags
	ImportAdoptedChanges = "ADOPTED_CHANGES" // adopted with AcceptChanges although it would change resources
	ImportAlreadyAdopted = "ALREADY_ADOPTED" // an earlier import adopted it: nothing done
	ImportDrifted        = "DRIFTED"         // rendering the spec would change resources: not adopted
	ImportFailed         = "FAILED"          // could not be proven (no spec, no template, a render error…)
	ImportSkipped        = "SKIPPED"         // not an environment or a service instance stack
)

// ImportedStack is what the import did with one stack.
type ImportedStack struct {
	StackName string
	// Account is the environment account the stack is in; "" for the platform's own.
	Account  string
	Target   platform.Target
	Template string
	Version  platform.Version
	Outcome  string
	Message  string
	// ChangeSet is the proof: the change set of the rendered spec against the live stack.
	ChangeSet *platform.ChangeSet
}

// ImportProtonStacks adopts the stacks AWS Proton left: for each stack named with the
// prefix, its aws:proton:* tags name its template, environment, service and instance.
// Environments come first, then services with their instances. Each stack's spec
// (EnvironmentSpecs, ServiceSpecs) is rendered with the template's recommended published
// version — the bundle the user kept, registered beforehand — and a change set is made
// against the live stack with its own tags: when it is empty, or changes only metadata
// and tags, the stack is adopted: the environment (or service and instances) is stored
// with a succeeded deployment whose stack is that stack, under its own name, and its
// outputs. Otherwise the stack is reported DRIFTED with the change set, and adopted only
// with AcceptChanges (its next deployment then makes those changes). A service is adopted
// only when all its instances' stacks are. Nothing is deployed, and a stack adopted
// before is ALREADY_ADOPTED: running the import again changes nothing. Pipelines' stacks
// are SKIPPED. Admins of the management account only. With AccountConnectionIDs, the
// environment accounts of those connections are scanned too (see importSources). Errors:
// Forbidden, Invalid naming accountConnectionIds, Internal (the stacks could not be listed);
// per-stack problems are in the report.
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
	sources, err := s.importSources(ctx, in.AccountConnectionIDs)
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
			case st.Tags[protonServiceInstanceTag] != "":
				svc := lastSegment(st.Tags[protonServiceTag])
				services[svc] = append(services[svc], found)
			case st.Tags[protonEnvironmentTag] != "" && st.Tags[protonServiceTag] == "":
				report = append(report, s.importEnvironment(ctx, found, in))
			default:
				report = append(report, ImportedStack{StackName: st.StackName, Account: src.conn.EnvironmentAccountID, Outcome: ImportSkipped,
					Message: "not an environment or service instance stack of AWS Proton (a pipeline's, or untagged)"})
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
	item := ImportedStack{StackName: st.StackName, Target: target, Account: conn.EnvironmentAccountID}
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
	d.StackName, d.Account, d.ConnectionID = st.StackName, conn.EnvironmentAccountID, conn.ID
	env := platform.Environment{Name: name, Description: "imported from AWS Proton's stack " + st.StackName,
		AccountConnectionID: conn.ID, AccountID: conn.EnvironmentAccountID, Deployable: platform.Deployable{
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

// importService adopts a service and the instances whose stacks are given, all or none.
func (s *Service) importService(ctx context.Context, name string, stacks []foundStack, in ImportInput) []ImportedStack {
	items := make([]ImportedStack, len(stacks))
	for i, st := range stacks {
		items[i] = ImportedStack{StackName: st.StackName, Account: st.source.conn.EnvironmentAccountID, Target: platform.Target{Kind: platform.ServiceInstanceTarget, Service: name,
			Instance: lastSegment(st.Tags[protonServiceInstanceTag])}}
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
			inst, err := s.store.GetServiceInstance(ctx, name, items[i].Target.Instance)
			switch {
			case err == nil && inst.StackName == stacks[i].StackName:
				items[i].Outcome, items[i].Template, items[i].Version = ImportAlreadyAdopted, inst.TemplateName, inst.TemplateVersion
			default:
				items[i].Outcome = ImportFailed
				items[i].Message = fmt.Sprintf("service %s exists (template %s) without this instance's stack: import adopts a whole service once", name, existing.TemplateName)
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
	validated, err := s.engine.ServiceInputs(tv.Schema, spec, false)
	if err != nil {
		return failAll(err)
	}
	byName := map[string]InstanceInputs{}
	for _, i := range validated.Instances {
		byName[i.Name] = i
	}
	svc := platform.Service{Name: name, Description: "imported from AWS Proton", TemplateName: tv.TemplateName, TemplateVersion: tv.Version, Spec: spec,
		Status: platform.ServiceCreateInProgress, Revision: 1}
	var instances []platform.ServiceInstance
	var deployments []platform.Deployment
	var bodies [][]byte
	adopt := true
	for i, st := range stacks {
		items[i].Template, items[i].Version = tv.TemplateName, tv.Version
		spec, ok := byName[items[i].Target.Instance]
		if !ok {
			items[i].Outcome, items[i].Message = ImportFailed, fmt.Sprintf("the ServiceSpec of %s does not list instance %s", name, items[i].Target.Instance)
			adopt = false
			continue
		}
		if err := s.sameAccount(ctx, spec.Environment, st.source.conn); err != nil {
			items[i].Outcome, items[i].Message = ImportFailed, platform.MessageOf(err)
			adopt = false
			continue
		}
		d := s.newDeployment(items[i].Target, platform.Deploy, tv, spec.Spec, spec.Inputs)
		d.StackName, d.Account, d.ConnectionID = st.StackName, st.source.conn.EnvironmentAccountID, st.source.conn.ID
		inst := platform.ServiceInstance{Name: spec.Name, Service: name, Environment: spec.Environment, Deployable: platform.Deployable{
			TemplateName: tv.TemplateName, TemplateVersion: tv.Version, Spec: spec.Spec, DeploymentStatus: d.Status, LastDeploymentID: d.ID,
			StackName: st.StackName, LastAttemptedAt: d.CreatedAt, CreatedAt: d.CreatedAt, Revision: 1}}
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
	}
	if !adopt {
		for i := range items {
			if items[i].Outcome == ImportAdopted || items[i].Outcome == ImportAdoptedChanges {
				items[i].Outcome, items[i].Message = ImportFailed, "not adopted: another instance of service "+name+" was not"
			}
		}
		return items
	}
	for i := range deployments {
		if err := s.keepRendered(ctx, &deployments[i], bodies[i]); err != nil {
			return failAll(err)
		}
	}
	svc.CreatedAt, svc.UpdatedAt = s.clock(), s.clock()
	if err := s.store.CreateService(ctx, svc, instances, nil, deployments, nil); err != nil {
		return failAll(err)
	}
	for i, d := range deployments {
		if err := s.store.FinishDeployment(ctx, s.adopted(d, stacks[i].Stack, "adopted AWS Proton's stack "+d.StackName)); err != nil {
			return failAll(err)
		}
	}
	return items
}

// importSource is an account an import scans: the platform's own (conn zero), or a
// connected environment account reached through conn's role.
type importSource struct {
	conn   platform.EnvironmentAccountConnection
	lister platform.StackLister
	stacks platform.StackProvisioner
}

// foundStack is a stack an import found, with the account it was found in.
type foundStack struct {
	platform.Stack
	source importSource
}

// importSources are the platform's own account and the environment accounts of the
// connections ids. Invalid naming accountConnectionIds for a connection that does not
// exist, is not with this management account, is not CONNECTED or has no role, or when
// this Gantry cannot reach other accounts.
func (s *Service) importSources(ctx context.Context, ids []string) ([]importSource, error) {
	const field = "accountConnectionIds"
	sources := []importSource{{lister: s.estate, stacks: s.stacks}}
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
		stacks, err := s.accounts.StackProvisioner(ctx, platform.StackLocation{Account: c.EnvironmentAccountID, RoleARN: c.RoleARN, ExternalID: c.ID})
		if err != nil {
			return nil, err
		}
		lister, ok := stacks.(platform.StackLister)
		if !ok {
			return nil, platform.Errorf(platform.Internal, "control: the stacks of account %s cannot be listed", c.EnvironmentAccountID)
		}
		sources = append(sources, importSource{conn: c, lister: lister, stacks: stacks})
	}
	return sources, nil
}

// sameAccount checks that environment env (stored, or adopted earlier in the import) is in
// the account of connection conn (the platform's own for the zero connection): a service
// instance's stack is adopted only in its environment's account.
func (s *Service) sameAccount(ctx context.Context, env string, conn platform.EnvironmentAccountConnection) error {
	e, err := s.store.GetEnvironment(ctx, env)
	if err != nil {
		return err
	}
	if e.AccountID != conn.EnvironmentAccountID {
		where := func(a string) string {
			if a == "" {
				return "the platform's own account"
			}
			return "account " + a
		}
		return platform.Errorf(platform.Conflict, "the stack is in %s, but its environment %s is in %s", where(conn.EnvironmentAccountID), env, where(e.AccountID))
	}
	return nil
}
