package store

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
)

// The private item structs: how each entity is laid out in the table. Domain types carry
// no storage tags; the functions below map between the two.

type outputItem struct {
	Key   string `dynamodbav:"key"`
	Value string `dynamodbav:"value"`
}

type compatibleEnvironmentItem struct {
	TemplateName string `dynamodbav:"templateName"`
	MajorVersion int    `dynamodbav:"majorVersion"`
}

// templateItem has no omitempty: UpdateTemplate sets every attribute but the keys, the
// revision and the versions count, and must clear what the update empties.
type templateItem struct {
	itemKeys
	Kind             string `dynamodbav:"kind"`
	Name             string `dynamodbav:"name"`
	DisplayName      string `dynamodbav:"displayName"`
	Description      string `dynamodbav:"description"`
	RecommendedMajor int    `dynamodbav:"recommendedMajor"`
	RecommendedMinor int    `dynamodbav:"recommendedMinor"`
	Pinned           bool   `dynamodbav:"pinned"`
	SelfService      bool   `dynamodbav:"selfService"`
	CreatedAt        string `dynamodbav:"createdAt"`
	UpdatedAt        string `dynamodbav:"updatedAt"`
	Revision         int64  `dynamodbav:"revision"`
	// Versions counts the template's versions; CreateTemplateVersion and
	// DeleteTemplateVersion change it in the transaction that writes the version.
	Versions int `dynamodbav:"versions"`
}

const attrVersions = "versions"

type templateVersionItem struct {
	itemKeys
	Kind                      string                      `dynamodbav:"kind"`
	TemplateName              string                      `dynamodbav:"templateName"`
	Major                     int                         `dynamodbav:"major"`
	Minor                     int                         `dynamodbav:"minor"`
	Status                    string                      `dynamodbav:"status,omitempty"`
	StatusMessage             string                      `dynamodbav:"statusMessage,omitempty"`
	Description               string                      `dynamodbav:"description,omitempty"`
	Schema                    string                      `dynamodbav:"schema,omitempty"`
	BundleKey                 string                      `dynamodbav:"bundleKey,omitempty"`
	BundleDigest              string                      `dynamodbav:"bundleDigest,omitempty"`
	CompatibleEnvironments    []compatibleEnvironmentItem `dynamodbav:"compatibleEnvironments,omitempty"`
	SupportedComponentSources []string                    `dynamodbav:"supportedComponentSources,omitempty"`
	HasPipeline               bool                        `dynamodbav:"hasPipeline,omitempty"`
	Engine                    string                      `dynamodbav:"engine,omitempty"`
	PipelineEngine            string                      `dynamodbav:"pipelineEngine,omitempty"`
	CreatedAt                 string                      `dynamodbav:"createdAt,omitempty"`
	UpdatedAt                 string                      `dynamodbav:"updatedAt,omitempty"`
	Revision                  int64                       `dynamodbav:"revision"`
}

// Attribute names of deployableItem that StartDeployment updates in place.
const (
	attrDeploymentStatus = "deploymentStatus"
	attrLastDeploymentID = "lastDeploymentId"
	attrLastAttemptedAt  = "lastAttemptedAt"

	attrLastSucceededDeploymentID = "lastSucceededDeploymentId"
)

type deployableItem struct {
	TemplateName              string       `dynamodbav:"templateName,omitempty"`
	TemplateMajor             int          `dynamodbav:"templateMajor,omitempty"`
	TemplateMinor             int          `dynamodbav:"templateMinor,omitempty"`
	Spec                      string       `dynamodbav:"spec,omitempty"`
	DeploymentStatus          string       `dynamodbav:"deploymentStatus,omitempty"`
	DeploymentStatusMessage   string       `dynamodbav:"deploymentStatusMessage,omitempty"`
	LastDeploymentID          string       `dynamodbav:"lastDeploymentId,omitempty"`
	LastSucceededDeploymentID string       `dynamodbav:"lastSucceededDeploymentId,omitempty"`
	StackName                 string       `dynamodbav:"stackName,omitempty"`
	Outputs                   []outputItem `dynamodbav:"outputs,omitempty"`
	LastAttemptedAt           string       `dynamodbav:"lastAttemptedAt,omitempty"`
	LastSucceededAt           string       `dynamodbav:"lastSucceededAt,omitempty"`
	CreatedAt                 string       `dynamodbav:"createdAt,omitempty"`
	Revision                  int64        `dynamodbav:"revision"`
}

type environmentItem struct {
	itemKeys
	Name                   string                `dynamodbav:"name"`
	Description            string                `dynamodbav:"description,omitempty"`
	AccountConnectionID    string                `dynamodbav:"accountConnectionId,omitempty"`
	AccountID              string                `dynamodbav:"accountId,omitempty"`
	Region                 string                `dynamodbav:"region,omitempty"`
	ComponentRoleARN       string                `dynamodbav:"componentRoleArn,omitempty"`
	CodebuildRoleARN       string                `dynamodbav:"codebuildRoleArn,omitempty"`
	ProvisioningRepository *repositoryBranchItem `dynamodbav:"provisioningRepository,omitempty"`
	CustomerManaged        bool                  `dynamodbav:"customerManaged,omitempty"`
	deployableItem
}

// serviceItem has no omitempty: UpdateService sets every attribute but the keys, the
// revision and the children count, and must clear what the update empties.
type serviceItem struct {
	itemKeys
	Name                    string `dynamodbav:"name"`
	Description             string `dynamodbav:"description"`
	TemplateName            string `dynamodbav:"templateName"`
	TemplateMajor           int    `dynamodbav:"templateMajor"`
	TemplateMinor           int    `dynamodbav:"templateMinor"`
	Spec                    string `dynamodbav:"spec"`
	RepositoryID            string `dynamodbav:"repositoryId"`
	RepositoryConnectionARN string `dynamodbav:"repositoryConnectionArn"`
	BranchName              string `dynamodbav:"branchName"`
	HasPipeline             bool   `dynamodbav:"hasPipeline"`
	Status                  string `dynamodbav:"status"`
	CreatedAt               string `dynamodbav:"createdAt"`
	UpdatedAt               string `dynamodbav:"updatedAt"`
	Revision                int64  `dynamodbav:"revision"`
	// Children counts the service's instances and pipeline.
	Children int `dynamodbav:"children"`
}

const attrChildren = "children"

type instanceItem struct {
	itemKeys
	Service     string `dynamodbav:"service"`
	Name        string `dynamodbav:"name"`
	Environment string `dynamodbav:"environment"`
	deployableItem
}

type pipelineItem struct {
	itemKeys
	Service string `dynamodbav:"service"`
	deployableItem
}

type deploymentItem struct {
	itemKeys
	ID                   string       `dynamodbav:"id"`
	TargetKind           string       `dynamodbav:"targetKind"`
	TargetEnvironment    string       `dynamodbav:"targetEnvironment,omitempty"`
	TargetService        string       `dynamodbav:"targetService,omitempty"`
	TargetInstance       string       `dynamodbav:"targetInstance,omitempty"`
	TargetComponent      string       `dynamodbav:"targetComponent,omitempty"`
	Operation            string       `dynamodbav:"operation,omitempty"`
	TemplateName         string       `dynamodbav:"templateName,omitempty"`
	TemplateMajor        int          `dynamodbav:"templateMajor,omitempty"`
	TemplateMinor        int          `dynamodbav:"templateMinor,omitempty"`
	Spec                 string       `dynamodbav:"spec,omitempty"`
	Inputs               string       `dynamodbav:"inputs,omitempty"`
	Status               string       `dynamodbav:"status"`
	StatusMessage        string       `dynamodbav:"statusMessage,omitempty"`
	StackName            string       `dynamodbav:"stackName,omitempty"`
	StackID              string       `dynamodbav:"stackId,omitempty"`
	Account              string       `dynamodbav:"account,omitempty"`
	ConnectionID         string       `dynamodbav:"connectionId,omitempty"`
	Region               string       `dynamodbav:"region,omitempty"`
	Outputs              []outputItem `dynamodbav:"outputs,omitempty"`
	ExecutionID          string       `dynamodbav:"executionId,omitempty"`
	TaskToken            string       `dynamodbav:"taskToken,omitempty"`
	Engine               string       `dynamodbav:"engine,omitempty"`
	ProvisioningRef      string       `dynamodbav:"provisioningRef,omitempty"`
	Reported             string       `dynamodbav:"reported,omitempty"`
	ReportedMessage      string       `dynamodbav:"reportedMessage,omitempty"`
	RenderedKey          string       `dynamodbav:"renderedKey,omitempty"`
	ChangeSetName        string       `dynamodbav:"changeSetName,omitempty"`
	PreviousDeploymentID string       `dynamodbav:"previousDeploymentId,omitempty"`
	LeaseOwner           string       `dynamodbav:"leaseOwner,omitempty"`
	LeaseExpiresAt       string       `dynamodbav:"leaseExpiresAt,omitempty"`
	CreatedAt            string       `dynamodbav:"createdAt,omitempty"`
	UpdatedAt            string       `dynamodbav:"updatedAt,omitempty"`
	CompletedAt          string       `dynamodbav:"completedAt,omitempty"`
	Revision             int64        `dynamodbav:"revision"`
}

const attrExpiresAt = "expiresAt"

type tokenItem struct {
	itemKeys
	Scope       string `dynamodbav:"scope"`
	Token       string `dynamodbav:"token"`
	Fingerprint string `dynamodbav:"fingerprint,omitempty"`
	Result      string `dynamodbav:"result,omitempty"`
	// ExpiresAt is in epoch seconds, the table's TTL attribute; 0 (absent) never expires.
	ExpiresAt int64 `dynamodbav:"expiresAt,omitempty"`
}

// times parses stored times, keeping the first error.
type times struct{ err error }

func (p *times) parse(s string) time.Time {
	t, err := parseTime(s)
	if err != nil && p.err == nil {
		p.err = fmt.Errorf("store: stored time %q: %w", s, err)
	}
	return t
}

func outputsToItems(outputs []platform.Output) []outputItem {
	if len(outputs) == 0 {
		return nil
	}
	items := make([]outputItem, len(outputs))
	for i, o := range outputs {
		items[i] = outputItem{Key: o.Key, Value: o.Value}
	}
	return items
}

func outputsFromItems(items []outputItem) []platform.Output {
	if len(items) == 0 {
		return nil
	}
	outputs := make([]platform.Output, len(items))
	for i, o := range items {
		outputs[i] = platform.Output{Key: o.Key, Value: o.Value}
	}
	return outputs
}

func newTemplateItem(t platform.Template) templateItem {
	return templateItem{
		itemKeys: itemKeys{
			PK: templatePK(t.Kind, t.Name), SK: skTemplate,
			GSI1PK: templatesGSI1PK(t.Kind), GSI1SK: t.Name,
		},
		Kind:             string(t.Kind),
		Name:             t.Name,
		DisplayName:      t.DisplayName,
		Description:      t.Description,
		RecommendedMajor: t.Recommended.Major,
		RecommendedMinor: t.Recommended.Minor,
		Pinned:           t.Pinned,
		SelfService:      t.SelfService,
		CreatedAt:        formatTime(t.CreatedAt),
		UpdatedAt:        formatTime(t.UpdatedAt),
		Revision:         t.Revision,
	}
}

func (it templateItem) domain() (platform.Template, error) {
	var p times
	t := platform.Template{
		Kind:        platform.TemplateKind(it.Kind),
		Name:        it.Name,
		DisplayName: it.DisplayName,
		Description: it.Description,
		Recommended: platform.Version{Major: it.RecommendedMajor, Minor: it.RecommendedMinor},
		Pinned:      it.Pinned,
		SelfService: it.SelfService,
		CreatedAt:   p.parse(it.CreatedAt),
		UpdatedAt:   p.parse(it.UpdatedAt),
		Revision:    it.Revision,
	}
	return t, p.err
}

func newTemplateVersionItem(v platform.TemplateVersion) templateVersionItem {
	var compatible []compatibleEnvironmentItem
	for _, c := range v.CompatibleEnvironments {
		compatible = append(compatible, compatibleEnvironmentItem{TemplateName: c.TemplateName, MajorVersion: c.MajorVersion})
	}
	return templateVersionItem{
		itemKeys:                  itemKeys{PK: templatePK(v.Kind, v.TemplateName), SK: versionSK(v.Version)},
		Kind:                      string(v.Kind),
		TemplateName:              v.TemplateName,
		Major:                     v.Version.Major,
		Minor:                     v.Version.Minor,
		Status:                    string(v.Status),
		StatusMessage:             v.StatusMessage,
		Description:               v.Description,
		Schema:                    v.Schema,
		BundleKey:                 v.BundleKey,
		BundleDigest:              v.BundleDigest,
		CompatibleEnvironments:    compatible,
		SupportedComponentSources: v.SupportedComponentSources,
		HasPipeline:               v.HasPipeline,
		Engine:                    string(v.Engine),
		PipelineEngine:            string(v.PipelineEngine),
		CreatedAt:                 formatTime(v.CreatedAt),
		UpdatedAt:                 formatTime(v.UpdatedAt),
		Revision:                  v.Revision,
	}
}

func (it templateVersionItem) domain() (platform.TemplateVersion, error) {
	var p times
	var compatible []platform.CompatibleEnvironment
	for _, c := range it.CompatibleEnvironments {
		compatible = append(compatible, platform.CompatibleEnvironment{TemplateName: c.TemplateName, MajorVersion: c.MajorVersion})
	}
	v := platform.TemplateVersion{
		Kind:                      platform.TemplateKind(it.Kind),
		TemplateName:              it.TemplateName,
		Version:                   platform.Version{Major: it.Major, Minor: it.Minor},
		Status:                    platform.VersionStatus(it.Status),
		StatusMessage:             it.StatusMessage,
		Description:               it.Description,
		Schema:                    it.Schema,
		BundleKey:                 it.BundleKey,
		BundleDigest:              it.BundleDigest,
		CompatibleEnvironments:    compatible,
		SupportedComponentSources: it.SupportedComponentSources,
		HasPipeline:               it.HasPipeline,
		Engine:                    platform.Engine(it.Engine),
		PipelineEngine:            platform.Engine(it.PipelineEngine),
		CreatedAt:                 p.parse(it.CreatedAt),
		UpdatedAt:                 p.parse(it.UpdatedAt),
		Revision:                  it.Revision,
	}
	return v, p.err
}

func newDeployableItem(d platform.Deployable) deployableItem {
	return deployableItem{
		TemplateName:              d.TemplateName,
		TemplateMajor:             d.TemplateVersion.Major,
		TemplateMinor:             d.TemplateVersion.Minor,
		Spec:                      d.Spec,
		DeploymentStatus:          string(d.DeploymentStatus),
		DeploymentStatusMessage:   d.DeploymentStatusMessage,
		LastDeploymentID:          d.LastDeploymentID,
		LastSucceededDeploymentID: d.LastSucceededDeploymentID,
		StackName:                 d.StackName,
		Outputs:                   outputsToItems(d.Outputs),
		LastAttemptedAt:           formatTime(d.LastAttemptedAt),
		LastSucceededAt:           formatTime(d.LastSucceededAt),
		CreatedAt:                 formatTime(d.CreatedAt),
		Revision:                  d.Revision,
	}
}

func (it deployableItem) domain(p *times) platform.Deployable {
	return platform.Deployable{
		TemplateName:              it.TemplateName,
		TemplateVersion:           platform.Version{Major: it.TemplateMajor, Minor: it.TemplateMinor},
		Spec:                      it.Spec,
		DeploymentStatus:          platform.DeploymentStatus(it.DeploymentStatus),
		DeploymentStatusMessage:   it.DeploymentStatusMessage,
		LastDeploymentID:          it.LastDeploymentID,
		LastSucceededDeploymentID: it.LastSucceededDeploymentID,
		StackName:                 it.StackName,
		Outputs:                   outputsFromItems(it.Outputs),
		LastAttemptedAt:           p.parse(it.LastAttemptedAt),
		LastSucceededAt:           p.parse(it.LastSucceededAt),
		CreatedAt:                 p.parse(it.CreatedAt),
		Revision:                  it.Revision,
	}
}

// deployedKeys puts a deployable on gsi3 under its template version, once it has one.
func deployedKeys(k *itemKeys, kind platform.TemplateKind, d platform.Deployable, target platform.Target) {
	if d.TemplateName == "" || d.TemplateVersion.IsZero() {
		return
	}
	k.GSI3PK = deployedGSI3PK(kind, d.TemplateName, d.TemplateVersion.Major)
	k.GSI3SK = deployedGSI3SK(d.TemplateVersion.Minor, target)
}

func newEnvironmentItem(e platform.Environment) environmentItem {
	k := itemKeys{PK: environmentPK(e.Name), SK: skEnvironment, GSI1PK: gsi1EnvironmentsPK, GSI1SK: e.Name}
	deployedKeys(&k, platform.EnvironmentTemplate, e.Deployable, platform.Target{Kind: platform.EnvironmentTarget, Environment: e.Name})
	return environmentItem{itemKeys: k, Name: e.Name, Description: e.Description, AccountConnectionID: e.AccountConnectionID,
		AccountID: e.AccountID, Region: e.Region, ComponentRoleARN: e.ComponentRoleARN, CodebuildRoleARN: e.CodebuildRoleARN, ProvisioningRepository: newRepositoryBranchItem(e.ProvisioningRepository),
		CustomerManaged: e.CustomerManaged, deployableItem: newDeployableItem(e.Deployable)}
}

func (it environmentItem) domain() (platform.Environment, error) {
	var p times
	e := platform.Environment{Name: it.Name, Description: it.Description, AccountConnectionID: it.AccountConnectionID,
		AccountID: it.AccountID, Region: it.Region, ComponentRoleARN: it.ComponentRoleARN, CodebuildRoleARN: it.CodebuildRoleARN, ProvisioningRepository: it.ProvisioningRepository.domain(),
		CustomerManaged: it.CustomerManaged, Deployable: it.deployableItem.domain(&p)}
	return e, p.err
}

func newServiceItem(s platform.Service, children int) serviceItem {
	return serviceItem{
		itemKeys:                itemKeys{PK: servicePK(s.Name), SK: skService, GSI1PK: gsi1ServicesPK, GSI1SK: s.Name},
		Name:                    s.Name,
		Description:             s.Description,
		TemplateName:            s.TemplateName,
		TemplateMajor:           s.TemplateVersion.Major,
		TemplateMinor:           s.TemplateVersion.Minor,
		Spec:                    s.Spec,
		RepositoryID:            s.RepositoryID,
		RepositoryConnectionARN: s.RepositoryConnectionARN,
		BranchName:              s.BranchName,
		HasPipeline:             s.HasPipeline,
		Status:                  string(s.Status),
		CreatedAt:               formatTime(s.CreatedAt),
		UpdatedAt:               formatTime(s.UpdatedAt),
		Revision:                s.Revision,
		Children:                children,
	}
}

func (it serviceItem) domain() (platform.Service, error) {
	var p times
	s := platform.Service{
		Name:                    it.Name,
		Description:             it.Description,
		TemplateName:            it.TemplateName,
		TemplateVersion:         platform.Version{Major: it.TemplateMajor, Minor: it.TemplateMinor},
		Spec:                    it.Spec,
		RepositoryID:            it.RepositoryID,
		RepositoryConnectionARN: it.RepositoryConnectionARN,
		BranchName:              it.BranchName,
		HasPipeline:             it.HasPipeline,
		Status:                  platform.ServiceStatus(it.Status),
		CreatedAt:               p.parse(it.CreatedAt),
		UpdatedAt:               p.parse(it.UpdatedAt),
		Revision:                it.Revision,
	}
	return s, p.err
}

func instanceTarget(i platform.ServiceInstance) platform.Target {
	return platform.Target{Kind: platform.ServiceInstanceTarget, Service: i.Service, Instance: i.Name}
}

func newInstanceItem(i platform.ServiceInstance) instanceItem {
	k := itemKeys{
		PK: servicePK(i.Service), SK: instanceSK(i.Name),
		GSI1PK: gsi1InstancesPK, GSI1SK: i.Service + "#" + i.Name,
		GSI2PK: environmentInstancesGSI2PK(i.Environment), GSI2SK: i.Service + "#" + i.Name,
	}
	deployedKeys(&k, platform.ServiceTemplate, i.Deployable, instanceTarget(i))
	return instanceItem{itemKeys: k, Service: i.Service, Name: i.Name, Environment: i.Environment, deployableItem: newDeployableItem(i.Deployable)}
}

func (it instanceItem) domain() (platform.ServiceInstance, error) {
	var p times
	i := platform.ServiceInstance{Service: it.Service, Name: it.Name, Environment: it.Environment, Deployable: it.deployableItem.domain(&p)}
	return i, p.err
}

func newPipelineItem(sp platform.ServicePipeline) pipelineItem {
	k := itemKeys{PK: servicePK(sp.Service), SK: skPipeline}
	deployedKeys(&k, platform.ServiceTemplate, sp.Deployable, platform.Target{Kind: platform.ServicePipelineTarget, Service: sp.Service})
	return pipelineItem{itemKeys: k, Service: sp.Service, deployableItem: newDeployableItem(sp.Deployable)}
}

func (it pipelineItem) domain() (platform.ServicePipeline, error) {
	var p times
	sp := platform.ServicePipeline{Service: it.Service, Deployable: it.deployableItem.domain(&p)}
	return sp, p.err
}

func newDeploymentItem(d platform.Deployment) deploymentItem {
	keys := itemKeys{
		PK: deploymentPK(d.ID), SK: skDeployment,
		GSI2PK: historyGSI2PK(d.Target), GSI2SK: formatTime(d.CreatedAt) + "#" + d.ID,
	}
	if !d.Finished() && !d.LeaseExpiresAt.IsZero() {
		// On gsi1 while unfinished and leased, for the reconciler's sweep; a final write drops it.
		keys.GSI1PK, keys.GSI1SK = gsi1LeasedPK, leasedGSI1SK(d.LeaseExpiresAt, d.ID)
	}
	if d.Target.Kind != platform.EnvironmentTarget && d.Target.Service != "" {
		keys.GSI3PK, keys.GSI3SK = serviceHistoryGSI3PK(d.Target.Service), keys.GSI2SK
	}
	return deploymentItem{
		itemKeys:             keys,
		ID:                   d.ID,
		TargetKind:           string(d.Target.Kind),
		TargetEnvironment:    d.Target.Environment,
		TargetService:        d.Target.Service,
		TargetInstance:       d.Target.Instance,
		TargetComponent:      d.Target.Component,
		Operation:            string(d.Operation),
		TemplateName:         d.TemplateName,
		TemplateMajor:        d.TemplateVersion.Major,
		TemplateMinor:        d.TemplateVersion.Minor,
		Spec:                 d.Spec,
		Inputs:               string(d.Inputs),
		Status:               string(d.Status),
		StatusMessage:        d.StatusMessage,
		StackName:            d.StackName,
		StackID:              d.StackID,
		Account:              d.Account,
		ConnectionID:         d.ConnectionID,
		Region:               d.Region,
		Outputs:              outputsToItems(d.Outputs),
		ExecutionID:          d.ExecutionID,
		TaskToken:            d.TaskToken,
		Engine:               string(d.Engine),
		ProvisioningRef:      d.ProvisioningRef,
		Reported:             string(d.Reported),
		ReportedMessage:      d.ReportedMessage,
		RenderedKey:          d.RenderedKey,
		ChangeSetName:        d.ChangeSetName,
		PreviousDeploymentID: d.PreviousDeploymentID,
		LeaseOwner:           d.LeaseOwner,
		LeaseExpiresAt:       formatTime(d.LeaseExpiresAt),
		CreatedAt:            formatTime(d.CreatedAt),
		UpdatedAt:            formatTime(d.UpdatedAt),
		CompletedAt:          formatTime(d.CompletedAt),
		Revision:             d.Revision,
	}
}

func (it deploymentItem) domain() (platform.Deployment, error) {
	var p times
	d := platform.Deployment{
		ID: it.ID,
		Target: platform.Target{
			Kind:        platform.TargetKind(it.TargetKind),
			Environment: it.TargetEnvironment,
			Service:     it.TargetService,
			Instance:    it.TargetInstance,
			Component:   it.TargetComponent,
		},
		Operation:            platform.Operation(it.Operation),
		TemplateName:         it.TemplateName,
		TemplateVersion:      platform.Version{Major: it.TemplateMajor, Minor: it.TemplateMinor},
		Spec:                 it.Spec,
		Status:               platform.DeploymentStatus(it.Status),
		StatusMessage:        it.StatusMessage,
		StackName:            it.StackName,
		StackID:              it.StackID,
		Account:              it.Account,
		ConnectionID:         it.ConnectionID,
		Region:               it.Region,
		Outputs:              outputsFromItems(it.Outputs),
		ExecutionID:          it.ExecutionID,
		TaskToken:            it.TaskToken,
		Engine:               platform.Engine(it.Engine),
		ProvisioningRef:      it.ProvisioningRef,
		Reported:             platform.DeploymentStatus(it.Reported),
		ReportedMessage:      it.ReportedMessage,
		RenderedKey:          it.RenderedKey,
		ChangeSetName:        it.ChangeSetName,
		PreviousDeploymentID: it.PreviousDeploymentID,
		LeaseOwner:           it.LeaseOwner,
		LeaseExpiresAt:       p.parse(it.LeaseExpiresAt),
		CreatedAt:            p.parse(it.CreatedAt),
		UpdatedAt:            p.parse(it.UpdatedAt),
		CompletedAt:          p.parse(it.CompletedAt),
		Revision:             it.Revision,
	}
	if it.Inputs != "" {
		d.Inputs = json.RawMessage(it.Inputs)
	}
	return d, p.err
}

func newTokenItem(t platform.ClientToken) tokenItem {
	it := tokenItem{
		itemKeys:    itemKeys{PK: tokenPK(t.Scope, t.Token), SK: skToken},
		Scope:       t.Scope,
		Token:       t.Token,
		Fingerprint: t.Fingerprint,
		Result:      t.Result,
	}
	if !t.ExpiresAt.IsZero() {
		it.ExpiresAt = t.ExpiresAt.Unix()
	}
	return it
}

func (it tokenItem) domain() platform.ClientToken {
	t := platform.ClientToken{Scope: it.Scope, Token: it.Token, Fingerprint: it.Fingerprint, Result: it.Result}
	if it.ExpiresAt != 0 {
		t.ExpiresAt = time.Unix(it.ExpiresAt, 0).UTC()
	}
	return t
}
