package platform

import (
	"context"
	"encoding/json"
	"time"
)

// Preview is what an update of a target would change, computed without deploying: the
// template version and spec the update would apply, its rendered template, and the
// CloudFormation change set made from them. An update naming the preview (PreviewID)
// deploys exactly that change set.
type Preview struct {
	ID              string
	Target          Target
	TemplateName    string
	TemplateVersion Version
	Spec            string
	Inputs          json.RawMessage
	StackName       string
	// BaseDeploymentID is the target's last deployment when the preview was made: the
	// preview no longer holds once another deployment of the target has started.
	BaseDeploymentID string
	// Rendered is the rendered template.
	Rendered  []byte
	ChangeSet ChangeSet
	CreatedBy string
	CreatedAt time.Time
	// ExpiresAt is when the preview stops being deployable (CreatedAt + PreviewLifetime);
	// zero for previews made before previews expired.
	ExpiresAt time.Time
}

// PreviewLifetime is how long a preview can be deployed after it was made: a preview
// shows a stack as it was, and an old one is more likely stale than useful.
const PreviewLifetime = 24 * time.Hour

// PreviewChangeSetName is the name of preview id's change set.
func PreviewChangeSetName(id string) string { return "gantry-preview-" + id }

// StackLister reads the stacks that exist, whoever made them: what an import of AWS
// Proton's stacks starts from.
type StackLister interface {
	// ListStacks returns the live stacks whose name starts with prefix, with their tags
	// and outputs.
	ListStacks(ctx context.Context, prefix string) ([]Stack, error)
	// GetTemplate returns a stack's current template; NotFound when there is no such stack.
	GetTemplate(ctx context.Context, stackName string) ([]byte, error)
}
