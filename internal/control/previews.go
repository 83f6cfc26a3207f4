package control

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"regexp"
	"slices"
	"sync"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Previewer renders a deployment that is not stored and says how its stack would be
// deployed: the workflow's own rendering (workflow.Tasks), so that a preview shows
// exactly what the deployment would do.
type Previewer interface {
	// RenderDeployment renders d's template; Invalid errors name the file and line.
	RenderDeployment(ctx context.Context, d platform.Deployment) ([]byte, error)
	// StackDeployment is what deploying body as d's stack asks of the provisioner
	// (stack name, tags, role); the client request token is d.ID.
	StackDeployment(ctx context.Context, d platform.Deployment, body []byte) (platform.StackDeployment, error)
	// RenderNewEnvironment renders d for environment env, not stored yet.
	RenderNewEnvironment(ctx context.Context, d platform.Deployment, env platform.Environment) ([]byte, error)
	// RenderNewInstance renders d for service instance inst of svc, neither stored yet.
	RenderNewInstance(ctx context.Context, d platform.Deployment, svc platform.Service, inst platform.ServiceInstance) ([]byte, error)
	// RenderNewPipeline renders d for svc's pipeline, svc and its instances not stored
	// yet; inputs are each instance's, by name.
	RenderNewPipeline(ctx context.Context, d platform.Deployment, svc platform.Service, instances []platform.ServiceInstance, inputs map[string]json.RawMessage) ([]byte, error)
	// RenderNewComponent renders d for component c as given, not stored (or stored otherwise).
	RenderNewComponent(ctx context.Context, d platform.Deployment, c platform.Component) ([]byte, error)
}

// PreviewEnvironmentUpdate computes what UpdateEnvironment with in would change without
// deploying: it checks the update exactly as UpdateEnvironment does, renders the
// template, validates it and creates a CloudFormation change set (never executed), and
// keeps the preview for an update naming it (UpdateInput.PreviewID). Whoever may update
// the environment may preview its update (admins; developers on a self-service template).
// Errors: Forbidden; Invalid naming the field, or the template file and line, or
// CloudFormation's reason; NotFound; Conflict while a deployment is in progress.
func (s *Service) PreviewEnvironmentUpdate(ctx context.Context, name string, in UpdateInput) (platform.Preview, error) {
	if err := s.authorizeEnvironmentOf(ctx, name, "previewing an update of", in.ComponentRoleARN != nil || in.CodebuildRoleARN != nil); err != nil {
		return platform.Preview{}, err
	}
	if err := s.checkPreviewInput(in); err != nil {
		return platform.Preview{}, err
	}
	env, d, err := s.planEnvironmentUpdate(ctx, name, in)
	if err != nil {
		return platform.Preview{}, err
	}
	return s.preview(ctx, d, env.Deployable, env)
}

// PreviewServiceInstanceUpdate is PreviewEnvironmentUpdate for UpdateServiceInstance.
// Developers (and admins).
func (s *Service) PreviewServiceInstanceUpdate(ctx context.Context, service, name string, in UpdateInput) (platform.Preview, error) {
	if err := requireRole(ctx, platform.DeveloperRole, "PreviewServiceInstanceUpdate"); err != nil {
		return platform.Preview{}, err
	}
	if err := s.checkPreviewInput(in); err != nil {
		return platform.Preview{}, err
	}
	inst, d, err := s.planInstanceUpdate(ctx, service, name, in)
	if err != nil {
		return platform.Preview{}, err
	}
	env, err := s.store.GetEnvironment(ctx, inst.Environment)
	if err != nil {
		return platform.Preview{}, err
	}
	return s.preview(ctx, d, inst.Deployable, env)
}

func (s *Service) checkPreviewInput(in UpdateInput) error {
	if err := checkSpec("spec", in.Spec); err != nil {
		return err
	}
	if in.PreviewID != "" {
		return platform.FieldErrorf("previewId", "a preview is deployed by an update naming it, not previewed again")
	}
	if in.DeploymentType == platform.DeployNone {
		return platform.FieldErrorf("deploymentType", "NONE deploys nothing: there is nothing to preview")
	}
	return nil
}

// preview renders d, creates its change set and keeps the preview. current is d's
// target as stored, env the environment it runs in (or is): the change set is made
// against the stack where the deployment would deploy it, in env's account through its
// environment account connection when it has one.
func (s *Service) preview(ctx context.Context, d platform.Deployment, current platform.Deployable, env platform.Environment) (platform.Preview, error) {
	if current.DeploymentStatus.Active() {
		return platform.Preview{}, platform.Errorf(platform.Conflict, "%s has a deployment in progress (%s); preview once it has ended", d.Target, current.LastDeploymentID)
	}
	if s.previewer == nil || s.stacks == nil {
		return platform.Preview{}, platform.Errorf(platform.Internal, "control: previews need a previewer and a provisioner")
	}
	d.StackName = stackOf(current, d)
	body, err := s.previewer.RenderDeployment(ctx, d)
	if err != nil {
		return platform.Preview{}, err
	}
	id := s.newID()
	d.ID = id // the change set's client token
	stack, err := s.previewer.StackDeployment(ctx, d, body)
	if err != nil {
		return platform.Preview{}, err
	}
	p := platform.Preview{ID: id, Target: d.Target, TemplateName: d.TemplateName, TemplateVersion: d.TemplateVersion,
		Spec: d.Spec, Inputs: d.Inputs, StackName: d.StackName, BaseDeploymentID: current.LastDeploymentID,
		Rendered: body, CreatedBy: caller(ctx).Subject, CreatedAt: s.clock()}
	p.ExpiresAt = p.CreatedAt.Add(platform.PreviewLifetime)
	d.Account, d.ConnectionID, d.Region = env.AccountID, env.AccountConnectionID, env.Region
	stacks, err := platform.StacksOf(ctx, s.stacks, s.accounts, s.store, d)
	if err != nil {
		return platform.Preview{}, err
	}
	p.ChangeSet, err = stacks.CreateChangeSet(ctx, stack, platform.PreviewChangeSetName(id))
	if err != nil {
		return platform.Preview{}, err
	}
	record, err := json.Marshal(p)
	if err != nil {
		return platform.Preview{}, err
	}
	if err := s.blobs.Put(ctx, previewKey(id), record); err != nil {
		return platform.Preview{}, err
	}
	s.supersede(ctx, stacks, p)
	return p, nil
}

// previewKey is where preview id's record is kept: under a folder named by the id's first
// two digits, so that the records of a fleet's previews, written at once, are spread
// over 256 folders rather than crowding one (locally, a folder takes one new file at a
// time).
func previewKey(id string) string { return "previews/" + id[:2] + "/" + id + ".json" }

// latestPreviewKey holds the id of the latest preview of the target whose stack is
// stackName, spread over 256 folders as the records are (by a hash of the name).
func latestPreviewKey(stackName string) string {
	h := fnv.New32a()
	h.Write([]byte(stackName))
	return fmt.Sprintf("previews/latest/%02x/%s", h.Sum32()&0xff, stackName)
}

// supersede makes p the latest preview of its target: the previous one is dropped, its
// change set deleted from the stack and its record removed, so that a target keeps at
// most one preview whoever previews it again. A preview is also ended by any operation
// on its stack (CloudFormation drops a stack's change sets) and by its expiry. A failure
// here leaves the old preview to expire: it is logged, and p stands.
func (s *Service) supersede(ctx context.Context, stacks platform.StackProvisioner, p platform.Preview) {
	key := latestPreviewKey(p.StackName)
	previous, err := s.blobs.Get(ctx, key)
	switch {
	case err == nil && string(previous) != p.ID && previewIDPattern.Match(previous):
		err = stacks.DeleteChangeSet(ctx, p.StackName, platform.PreviewChangeSetName(string(previous)))
		if platform.KindOf(err) == platform.NotFound {
			err = nil // ended by an operation on the stack
		}
		if err == nil {
			err = s.blobs.Delete(ctx, previewKey(string(previous)))
		}
	case platform.KindOf(err) == platform.NotFound:
		err = nil
	}
	if err == nil {
		err = s.blobs.Put(ctx, key, []byte(p.ID))
	}
	if err != nil {
		s.log.WarnContext(ctx, "the previous preview of the target was not dropped; it expires", "stack", p.StackName, "preview", p.ID, "error", err)
	}
}

var previewIDPattern = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// GetPreview returns a preview. Errors: Invalid (id) for an id that is not one, NotFound
// (for an expired preview too, whose record is then removed).
func (s *Service) GetPreview(ctx context.Context, id string) (platform.Preview, error) {
	if !previewIDPattern.MatchString(id) {
		return platform.Preview{}, platform.FieldErrorf("id", "%q is not a preview id", id)
	}
	body, err := s.blobs.Get(ctx, previewKey(id))
	if platform.KindOf(err) == platform.NotFound {
		return platform.Preview{}, platform.Errorf(platform.NotFound, "preview %s does not exist", id)
	}
	if err != nil {
		return platform.Preview{}, err
	}
	var p platform.Preview
	if err := json.Unmarshal(body, &p); err != nil {
		return platform.Preview{}, err
	}
	if !p.ExpiresAt.IsZero() && !s.clock().Before(p.ExpiresAt) {
		if err := s.blobs.Delete(ctx, previewKey(id)); err != nil {
			s.log.WarnContext(ctx, "an expired preview's record was not removed", "preview", id, "error", err)
		}
		return platform.Preview{}, platform.Errorf(platform.NotFound, "preview %s expired at %s (previews last %s): preview again", id, p.ExpiresAt.Format(time.RFC3339), platform.PreviewLifetime)
	}
	return p, nil
}

// previewedDeployment is the deployment of an update naming a preview: the preview's
// template version, spec, rendered template and change set. Errors: Invalid (previewId,
// spec, templateMajorVersion, deploymentType) when the update says more than the preview
// or names another target's preview; NotFound; Conflict when the target was deployed
// since the preview was made.
func (s *Service) previewedDeployment(ctx context.Context, target platform.Target, current platform.Deployable, in UpdateInput) (platform.Deployment, error) {
	switch {
	case in.Spec != "":
		return platform.Deployment{}, platform.FieldErrorf("spec", "must be left out with previewId: the preview's spec is deployed")
	case in.MajorVersion != nil || in.MinorVersion != nil:
		return platform.Deployment{}, platform.FieldErrorf("templateMajorVersion", "must be left out with previewId: the preview's template version is deployed")
	case in.DeploymentType == platform.DeployNone:
		return platform.Deployment{}, platform.FieldErrorf("deploymentType", "must not be NONE with previewId")
	}
	p, err := s.GetPreview(ctx, in.PreviewID)
	if platform.KindOf(err) == platform.Invalid {
		return platform.Deployment{}, platform.FieldErrorf("previewId", "%q is not a preview id", in.PreviewID)
	}
	if err != nil {
		return platform.Deployment{}, err
	}
	if p.Target != target {
		return platform.Deployment{}, platform.FieldErrorf("previewId", "is a preview of %s, not of %s", p.Target, target)
	}
	if p.BaseDeploymentID != current.LastDeploymentID {
		return platform.Deployment{}, platform.Errorf(platform.Conflict, "%s was deployed since preview %s was made (deployment %s): preview again", target, p.ID, current.LastDeploymentID)
	}
	kind := platform.ServiceTemplate
	if target.Kind == platform.EnvironmentTarget {
		kind = platform.EnvironmentTemplate
	}
	tv, err := s.store.GetTemplateVersion(ctx, kind, p.TemplateName, p.TemplateVersion)
	if err != nil {
		return platform.Deployment{}, err
	}
	d := s.newDeployment(target, platform.Deploy, tv, p.Spec, p.Inputs)
	d.StackName, d.ChangeSetName = p.StackName, p.ChangeSet.Name
	// The rendered template is kept where the deployment's would be, as Render keeps it.
	d.RenderedKey = "rendered/" + d.ID + "/cloudformation.yaml"
	if err := s.blobs.Put(ctx, d.RenderedKey, p.Rendered); err != nil {
		return platform.Deployment{}, err
	}
	return d, nil
}

// FleetPreview is the preview of moving every target of a template to one version.
type FleetPreview struct {
	Kind         platform.TemplateKind
	TemplateName string
	Version      platform.Version
	Targets      []FleetTarget
	// Summary adds up the targets' changes; Changed counts the targets whose change set
	// is not empty, Failed those that could not be previewed.
	Summary          platform.ChangeSetSummary
	Changed, Failed  int
	TargetsPreviewed int
}

// FleetTarget is one target of a fleet preview: its preview, or why there is none.
type FleetTarget struct {
	Target  platform.Target
	From    platform.Version
	Preview platform.Preview
	Error   error
}

// fleetParallelism bounds the previews a fleet preview makes at once.
const fleetParallelism = 16

// PreviewTemplateVersionRollout previews moving every environment (for an environment
// template) or service instance (for a service template) that runs an older version of
// template name to version v — MINOR_VERSION within v's major, MAJOR_VERSION from older
// majors — as PreviewEnvironmentUpdate and PreviewServiceInstanceUpdate do, at most
// fleetParallelism at once, each preview kept for its own update. Targets are previewed
// as their pages are listed (in listing order in the result). A target that cannot be
// previewed is reported with its error; the call fails only when the version or the
// targets cannot be read. Role: admin for environment templates, developer for service
// templates. Errors: Forbidden, NotFound, Invalid (version).
func (s *Service) PreviewTemplateVersionRollout(ctx context.Context, kind platform.TemplateKind, name string, v platform.Version) (FleetPreview, error) {
	role := platform.DeveloperRole
	if kind == platform.EnvironmentTemplate {
		role = platform.AdminRole
	}
	if err := requireRole(ctx, role, "PreviewTemplateVersionRollout"); err != nil {
		return FleetPreview{}, err
	}
	if _, err := s.store.GetTemplateVersion(ctx, kind, name, v); err != nil {
		return FleetPreview{}, err
	}
	fl := newFleetLister(s, kind, name, v)
	work := make(chan *FleetTarget, 2*fleetPage)
	var wg sync.WaitGroup
	for range fleetParallelism {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ft := range work {
				fl.fs.previewFleetTarget(ctx, ft, v)
			}
		}()
	}
	var targets []*FleetTarget
	err := fl.each(ctx, func(page []FleetTarget) {
		for i := range page {
			targets = append(targets, &page[i])
			work <- &page[i]
		}
	})
	close(work)
	wg.Wait()
	if err != nil {
		return FleetPreview{}, err
	}
	fleet := FleetPreview{Kind: kind, TemplateName: name, Version: v, Targets: make([]FleetTarget, 0, len(targets))}
	for _, ft := range targets {
		fleet.Targets = append(fleet.Targets, *ft)
		switch {
		case ft.Error != nil:
			fleet.Failed++
		default:
			fleet.TargetsPreviewed++
			fleet.Summary = fleet.Summary.Plus(ft.Preview.ChangeSet.Summary())
			if !ft.Preview.ChangeSet.Empty() {
				fleet.Changed++
			}
		}
	}
	return fleet, nil
}

// previewFleetTarget previews moving ft to v, as the update a rollout would make.
func (s *Service) previewFleetTarget(ctx context.Context, ft *FleetTarget, v platform.Version) {
	major, minor := v.Major, v.Minor
	in := UpdateInput{DeploymentType: platform.DeployMinorVersion, MajorVersion: &major, MinorVersion: &minor}
	if ft.From.Major != v.Major {
		in.DeploymentType = platform.DeployMajorVersion
	}
	if ft.Target.Kind == platform.EnvironmentTarget {
		ft.Preview, ft.Error = s.PreviewEnvironmentUpdate(ctx, ft.Target.Environment, in)
	} else {
		ft.Preview, ft.Error = s.PreviewServiceInstanceUpdate(ctx, ft.Target.Service, ft.Target.Instance, in)
	}
}

// fleetPage is how many targets a fleet preview lists per request.
const fleetPage = 100

// fleetLister lists the targets of a fleet preview page by page and fills the fleet's
// reads for each page before handing it on, with batched reads rather than one read per
// target: the service instances come with the Query that lists them, their component
// links with one Query per service, the tags of a page's targets (and of their services)
// with one request.
type fleetLister struct {
	s     *Service
	fs    *Service // s reading through reads
	reads *fleetReads
	kind  platform.TemplateKind
	name  string
	v     platform.Version
	links map[string]map[string]string // service → instance → component
}

func newFleetLister(s *Service, kind platform.TemplateKind, name string, v platform.Version) *fleetLister {
	reads := newFleetReads(s.store)
	fs := *s
	fs.store = reads
	if s.previewerWith != nil {
		fs.previewer = s.previewerWith(reads)
	}
	return &fleetLister{s: s, fs: &fs, reads: reads, kind: kind, name: name, v: v, links: map[string]map[string]string{}}
}

// each calls emit with each page of targets older than the lister's version, once its
// reads are in.
func (fl *fleetLister) each(ctx context.Context, emit func([]FleetTarget)) error {
	if fl.kind == platform.ServiceTemplate {
		return fl.eachInstancePage(ctx, emit)
	}
	for major := 1; major <= fl.v.Major; major++ {
		all := platform.Version{Major: major, Minor: platform.AllMinors}
		err := eachPage(func(page platform.PageRequest) (platform.Page[platform.VersionTarget], error) {
			return fl.s.store.ListTemplateVersionTargets(ctx, fl.kind, fl.name, all, page)
		}, func(targets []platform.VersionTarget) error {
			var out []FleetTarget
			for _, t := range targets {
				if t.Target.Kind != platform.ServicePipelineTarget && t.TemplateVersion.Less(fl.v) {
					out = append(out, FleetTarget{Target: t.Target, From: t.TemplateVersion})
				}
			}
			return fl.hand(ctx, out, emit)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// eachInstancePage lists, for each version of the service template older than the
// lister's, the instances running it: the Query gives their records too.
func (fl *fleetLister) eachInstancePage(ctx context.Context, emit func([]FleetTarget)) error {
	var older []platform.Version
	err := eachPage(func(page platform.PageRequest) (platform.Page[platform.TemplateVersion], error) {
		return fl.s.store.ListTemplateVersions(ctx, platform.ServiceTemplate, fl.name, page)
	}, func(versions []platform.TemplateVersion) error {
		for _, tv := range versions {
			if tv.Version.Less(fl.v) {
				older = append(older, tv.Version)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(older, func(a, b platform.Version) int {
		if a.Less(b) {
			return -1
		}
		return 1
	})
	for _, from := range older {
		err := eachPage(func(page platform.PageRequest) (platform.Page[platform.ServiceInstance], error) {
			return fl.s.store.ListTemplateVersionInstances(ctx, fl.name, from, page)
		}, func(instances []platform.ServiceInstance) error {
			out := make([]FleetTarget, 0, len(instances))
			for _, inst := range instances {
				fl.reads.put(instanceKey(inst.Service, inst.Name), inst, nil)
				out = append(out, FleetTarget{Target: inst.Target(), From: from})
			}
			return fl.hand(ctx, out, emit)
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// hand prefetches the reads of a page of targets, then emits it.
func (fl *fleetLister) hand(ctx context.Context, targets []FleetTarget, emit func([]FleetTarget)) error {
	if err := fl.prefetch(ctx, targets); err != nil {
		return err
	}
	emit(targets)
	return nil
}

// eachPage calls fn with each page list gives, fleetPage items at a time, from the first
// to the last; it stops at the first error of either.
func eachPage[T any](list func(platform.PageRequest) (platform.Page[T], error), fn func([]T) error) error {
	page := platform.PageRequest{Limit: fleetPage}
	for {
		items, err := list(page)
		if err != nil {
			return err
		}
		if err := fn(items.Items); err != nil {
			return err
		}
		if items.NextToken == "" {
			return nil
		}
		page.NextToken = items.NextToken
	}
}

// prefetch puts into the fleet's reads the tags of targets and their component links,
// and, for the services seen for the first time, their records and tags: the reads of a
// page are made at once.
func (fl *fleetLister) prefetch(ctx context.Context, targets []FleetTarget) error {
	var tagged []platform.Resource
	var services []string
	for _, ft := range targets {
		tagged = append(tagged, platform.TargetResource(ft.Target))
		if service := ft.Target.Service; ft.Target.Kind == platform.ServiceInstanceTarget && !slices.Contains(services, service) {
			if _, seen := fl.links[service]; !seen {
				services = append(services, service)
				tagged = append(tagged, platform.Resource{Type: platform.ServiceResource, Name: service})
			}
		}
	}
	var wg sync.WaitGroup
	errs := make([]error, len(services)+1)
	links := make([]map[string]string, len(services))
	for i, service := range services {
		wg.Add(1)
		go func() {
			defer wg.Done()
			links[i], errs[i] = fl.s.store.ListInstanceComponentLinks(ctx, service)
			if _, err := fl.reads.GetService(ctx, service); err != nil && platform.KindOf(err) != platform.NotFound {
				errs[i] = err // a service deleted meanwhile is its instances' previews' to report
			}
		}()
	}
	var tags map[platform.Resource]map[string]string
	wg.Add(1)
	go func() {
		defer wg.Done()
		tags, errs[len(services)] = fl.s.store.ListTagsOf(ctx, tagged)
	}()
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for i, service := range services {
		fl.links[service] = links[i]
	}
	for res, t := range tags {
		fl.reads.put(tagsKey(res), t, nil)
	}
	for _, ft := range targets {
		if ft.Target.Kind != platform.ServiceInstanceTarget {
			continue
		}
		if _, linked := fl.links[ft.Target.Service][ft.Target.Instance]; !linked { // a linked one is read when asked
			fl.reads.put(instanceComponentKey(ft.Target.Service, ft.Target.Instance), platform.Component{},
				platform.Errorf(platform.NotFound, "service instance %s/%s has no component", ft.Target.Service, ft.Target.Instance))
		}
	}
	return nil
}
