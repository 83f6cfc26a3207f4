package platform

import (
	"context"
	"time"
)

// PageRequest asks for one page of a list. Limit ≤ 0 means the store's default (50);
// NextToken is the opaque token of the previous page, "" for the first.
type PageRequest struct {
	Limit     int
	NextToken string
}

// Page is one page of a list; NextToken is "" on the last page.
type Page[T any] struct {
	Items     []T
	NextToken string
}

// VersionTarget is a deployment target and the template version it runs.
type VersionTarget struct {
	Target          Target
	TemplateVersion Version
}

// AllMinors as a Version's Minor asks ListTemplateVersionTargets for every minor of the major.
const AllMinors = -1

// InstanceScope chooses the service instances ListInstances reads: one template version
// (TemplateName with Version), else one environment's, else one service's, else every
// instance.
type InstanceScope struct {
	TemplateName string
	Version      Version
	Environment  string
	Service      string
}

// ClientToken makes a create or update call idempotent: the first call with a token
// records it with a fingerprint of its parameters and what it produced (Result, e.g. a
// deployment id); a repeat with the same token and fingerprint gets the same Result back,
// a repeat with other parameters is a Conflict.
type ClientToken struct {
	// Scope is the operation and the caller, e.g. "CreateEnvironment:alice".
	Scope       string
	Token       string
	Fingerprint string
	Result      string
	ExpiresAt   time.Time
}

// Store keeps Gantry's metadata. Every method costs O(1) requests (no Scan). Writes that
// belong together are atomic. Errors: NotFound for a missing item, Conflict for a broken
// condition (name taken, stale Revision, a deployment already in progress), Invalid for a
// bad page token, Internal otherwise. Revision fields are managed by the store: a write
// succeeds only when the item's stored Revision equals the given one, and the stored
// Revision is then one higher (a create stores Revision 1).
type Store interface {
	EnvironmentAccountConnectionStore

	// CreateTemplate stores a new template and the client token (when not nil)
	// atomically; Conflict if the name or the token is taken.
	CreateTemplate(ctx context.Context, t Template, token *ClientToken) error
	GetTemplate(ctx context.Context, kind TemplateKind, name string) (Template, error)
	// UpdateTemplate saves t (checked on Revision): NotFound when the template is gone,
	// Conflict when its stored Revision is not t.Revision.
	UpdateTemplate(ctx context.Context, t Template) error
	ListTemplates(ctx context.Context, kind TemplateKind, page PageRequest) (Page[Template], error)
	// CreateTemplateVersion stores a new version; Conflict if that major.minor exists,
	// NotFound if the template does not.
	// The client token, when not nil, is recorded in the same transaction.
	CreateTemplateVersion(ctx context.Context, v TemplateVersion, token *ClientToken) error
	GetTemplateVersion(ctx context.Context, kind TemplateKind, name string, v Version) (TemplateVersion, error)
	// LatestTemplateVersion returns the highest version, within major when major > 0;
	// NotFound when there is none.
	LatestTemplateVersion(ctx context.Context, kind TemplateKind, name string, major int) (TemplateVersion, error)
	// ListTemplateVersions lists versions, highest first.
	ListTemplateVersions(ctx context.Context, kind TemplateKind, name string, page PageRequest) (Page[TemplateVersion], error)
	// UpdateTemplateVersion saves v, and t when not nil, atomically (each checked on Revision).
	UpdateTemplateVersion(ctx context.Context, v TemplateVersion, t *Template) error
	// DeleteTemplateVersion removes v and saves its template t, atomically (each checked
	// on Revision); the template counts one version fewer.
	DeleteTemplateVersion(ctx context.Context, v TemplateVersion, t Template) error
	// DeleteTemplate removes a template (checked on revision); Conflict while it has versions.
	DeleteTemplate(ctx context.Context, kind TemplateKind, name string, revision int64) error

	// ListTemplateVersionTargets lists what runs template name at version v — environments
	// for an environment template; service instances, then pipelines, for a service
	// template — ordered by minor version, then environment or service and instance name.
	// v.Minor AllMinors lists every minor of v.Major. A target runs the version it was
	// created with, then that of its last successful deployment; it leaves the list once
	// deleted. The list may lag a write by a moment (an eventually consistent index).
	ListTemplateVersionTargets(ctx context.Context, kind TemplateKind, name string, v Version, page PageRequest) (Page[VersionTarget], error)
	// ListTemplateVersionInstances lists the service instances of every service that run
	// version v of service template name, by service and instance name (the same index,
	// as eventually consistent). Invalid when v.Minor is AllMinors.
	ListTemplateVersionInstances(ctx context.Context, name string, v Version, page PageRequest) (Page[ServiceInstance], error)

	// GetClientToken returns a recorded client token, NotFound if none.
	GetClientToken(ctx context.Context, scope, token string) (ClientToken, error)

	// CreateEnvironment stores a new environment with its first deployment (and the client
	// token, when not nil) atomically; Conflict if the name is taken.
	CreateEnvironment(ctx context.Context, e Environment, d Deployment, token *ClientToken) error
	GetEnvironment(ctx context.Context, name string) (Environment, error)
	// SetEnvironmentComponentRole records the environment's component role (a metadata
	// change, no deployment), if its revision is still revision and no deployment is in
	// progress on it; the revision moves on. Conflict otherwise; NotFound.
	SetEnvironmentComponentRole(ctx context.Context, name, roleARN string, revision int64) error
	// SetEnvironmentCodebuildRole records the environment's CodeBuild role, as
	// SetEnvironmentComponentRole does its component role.
	SetEnvironmentCodebuildRole(ctx context.Context, name, roleARN string, revision int64) error
	ListEnvironments(ctx context.Context, page PageRequest) (Page[Environment], error)

	// CreateService stores a new service with its instances, its pipeline (when not nil),
	// their first deployments and the client token, atomically; Conflict if the name is
	// taken. At most 20 instances.
	CreateService(ctx context.Context, s Service, instances []ServiceInstance, pipeline *ServicePipeline, deployments []Deployment, token *ClientToken) error
	GetService(ctx context.Context, name string) (Service, error)
	ListServices(ctx context.Context, page PageRequest) (Page[Service], error)
	// UpdateService saves s (checked on Revision).
	UpdateService(ctx context.Context, s Service) error
	// ChangeService saves s (checked on Revision) and, atomically with it, stores the
	// instances in added (their first deployments among deployments) and starts the other
	// deployments on existing instances or the pipeline of s, each checked on
	// revisions[target] as StartDeployment checks it. Conflict when anything changed
	// meanwhile or a target has a deployment in progress; Invalid when it does not fit in
	// one transaction.
	ChangeService(ctx context.Context, s Service, added []ServiceInstance, deployments []Deployment, revisions map[Target]int64, token *ClientToken) error
	// DeleteService removes the service record; Conflict while it has instances or a pipeline.
	DeleteService(ctx context.Context, name string) error
	GetServiceInstance(ctx context.Context, service, name string) (ServiceInstance, error)
	ListServiceInstances(ctx context.Context, service string, page PageRequest) (Page[ServiceInstance], error)
	// ListEnvironmentInstances lists the service instances running in an environment.
	ListEnvironmentInstances(ctx context.Context, environment string, page PageRequest) (Page[ServiceInstance], error)
	// GetServicePipeline returns a service's pipeline with its last execution.
	GetServicePipeline(ctx context.Context, service string) (ServicePipeline, error)
	// RecordPipelineExecution keeps e as the pipeline's last execution unless a newer one
	// (by UpdatedAt) is kept already, in which case it changes nothing and returns nil.
	// NotFound when the service has no pipeline.
	RecordPipelineExecution(ctx context.Context, service string, e PipelineExecution) error

	// StartDeployment stores d (Status IN_PROGRESS or DELETE_IN_PROGRESS) and marks its
	// target atomically: the target's DeploymentStatus becomes d.Status, LastDeploymentID
	// d.ID, LastAttemptedAt d.CreatedAt. Conflict when the target's stored Revision is not
	// targetRevision or it has a deployment in progress; NotFound when the target is gone.
	// The client token, when not nil, is recorded in the same transaction.
	StartDeployment(ctx context.Context, d Deployment, targetRevision int64, token *ClientToken) error
	// RecordDeployment stores d, final already (SUCCEEDED or DELETE_COMPLETE) because it
	// deploys nothing (a customer-managed environment's outputs or removal), and applies it
	// to its target as StartDeployment then FinishDeployment would, atomically, checked
	// as StartDeployment checks.
	RecordDeployment(ctx context.Context, d Deployment, targetRevision int64, token *ClientToken) error
	GetDeployment(ctx context.Context, id string) (Deployment, error)
	// UpdateDeployment saves an unfinished deployment's progress (checked on Revision);
	// when d.Status changes and the target's LastDeploymentID is d.ID, the target's
	// DeploymentStatus follows, in the same transaction.
	UpdateDeployment(ctx context.Context, d Deployment) error
	// FinishDeployment stores d's final status and applies it to the target atomically,
	// if the target's LastDeploymentID is still d.ID: on SUCCEEDED the target takes d's
	// TemplateName, TemplateVersion, Spec, StackName and Outputs, LastSucceededDeploymentID
	// and LastSucceededAt; on any other final status only DeploymentStatus and
	// DeploymentStatusMessage change; on DELETE_COMPLETE the target record is removed.
	// Conflict when d (checked on Revision) is already finished.
	FinishDeployment(ctx context.Context, d Deployment) error
	// CreateComponent stores a new component with its first deployment (and the client
	// token, when not nil) atomically; Conflict if the name is taken or its service
	// instance has a component already, NotFound if that instance is gone.
	CreateComponent(ctx context.Context, c Component, d Deployment, token *ClientToken) error
	GetComponent(ctx context.Context, name string) (Component, error)
	// GetInstanceComponent returns the component attached to a service instance;
	// NotFound if it has none.
	GetInstanceComponent(ctx context.Context, service, instance string) (Component, error)
	// ListInstanceComponentLinks returns the names of the components attached to a
	// service's instances, by instance name (an instance without one is left out).
	ListInstanceComponentLinks(ctx context.Context, service string) (map[string]string, error)
	// UpdateComponent saves c (checked on Revision) and, when d is not nil, starts d as
	// StartDeployment does, atomically (Conflict while a deployment is in progress).
	UpdateComponent(ctx context.Context, c Component, d *Deployment, token *ClientToken) error
	// ListComponents lists components by name, filtered as f says.
	ListComponents(ctx context.Context, f ComponentFilter, page PageRequest) (Page[Component], error)

	// TagResource adds tags to (or changes them on) a resource; Invalid when it would then
	// carry more than MaxTags. The resource's existence is the caller's to check.
	TagResource(ctx context.Context, r Resource, tags map[string]string) error
	// UntagResource removes the tags with keys from a resource; absent keys are ignored.
	UntagResource(ctx context.Context, r Resource, keys []string) error
	// ListTags returns a resource's tags; none is an empty map, never NotFound.
	ListTags(ctx context.Context, r Resource) (map[string]string, error)
	// ListTagsOf returns the tags of each of rs, as ListTags would, in one request per
	// hundred resources.
	ListTagsOf(ctx context.Context, rs []Resource) (map[Resource]map[string]string, error)

	// ListDeployments lists a target's deployments, newest first; history outlives the target.
	ListDeployments(ctx context.Context, target Target, page PageRequest) (Page[Deployment], error)
	// ListExpiredDeployments lists the unfinished deployments that have a lease which
	// expired before the given time, the longest expired first (a Query of an index of
	// unfinished deployments, never a Scan). Invalid for a bad page token.
	ListExpiredDeployments(ctx context.Context, before time.Time, page PageRequest) (Page[Deployment], error)
	// ListServiceDeployments lists the deployments of a service's instances and pipeline,
	// newest first.
	ListServiceDeployments(ctx context.Context, service string, page PageRequest) (Page[Deployment], error)
	// DeleteDeployment removes a finished deployment; Conflict while it is unfinished or
	// its target's last or last successful deployment; NotFound.
	DeleteDeployment(ctx context.Context, id string) error

	// RecordSpec stores spec as target t's spec, checked on its Revision and on no
	// deployment being in progress, with the client token (when not nil), atomically; no
	// deployment is written (deploymentType NONE). NotFound, Conflict.
	RecordSpec(ctx context.Context, t Target, spec string, revision int64, token *ClientToken) error

	// ListInstances lists the service instances scope chooses, by service then instance
	// name (descending reverses the order), one Query of an index per page (never a
	// Scan). Invalid for a bad page token.
	ListInstances(ctx context.Context, scope InstanceScope, descending bool, page PageRequest) (Page[ServiceInstance], error)

	// GetEstateCounts returns the counts GetResourcesSummary is computed from: kept by the
	// writes that create, remove, fail or move what is counted, in their own transactions,
	// and read in O(1) requests whatever the size of the estate.
	GetEstateCounts(ctx context.Context) (EstateCounts, error)
}
