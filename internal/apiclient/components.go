package apiclient

import (
	"context"
	"encoding/json"
	"net/url"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
)

// Component is a directly defined component, with its JSON.
type Component struct {
	apimodel.Component
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes one Component and keeps its JSON in Raw.
func (c *Component) UnmarshalJSON(data []byte) error { return keep(data, &c.Component, &c.Raw) }

// Tags are a resource's customer tags, with their JSON.
type Tags struct {
	apimodel.Tags
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes Tags and keeps their JSON in Raw.
func (t *Tags) UnmarshalJSON(data []byte) error { return keep(data, &t.Tags, &t.Raw) }

// ComponentFilter narrows ListComponents: to an environment, a service, or one service
// instance (ServiceName with ServiceInstanceName); empty fields do not filter.
type ComponentFilter struct {
	EnvironmentName     string
	ServiceName         string
	ServiceInstanceName string
}

// CreateComponent creates a directly defined component and starts deploying it
// (developer role); the answer is IN_PROGRESS.
func (c *Client) CreateComponent(ctx context.Context, in apimodel.CreateComponent) (Component, error) {
	var out Component
	r, err := jsonRequest("POST", "/v1/components", in)
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}

// ListComponents lists components, one page.
func (c *Client) ListComponents(ctx context.Context, f ComponentFilter, p PageRequest) (Page[Component], error) {
	q := pageQuery(p)
	for k, v := range map[string]string{"environmentName": f.EnvironmentName, "serviceName": f.ServiceName, "serviceInstanceName": f.ServiceInstanceName} {
		if v != "" {
			q.Set(k, v)
		}
	}
	var out Page[Component]
	err := c.do(ctx, request{method: "GET", path: "/v1/components", query: q}, &out)
	return out, err
}

// GetComponent reads a component.
func (c *Client) GetComponent(ctx context.Context, name string) (Component, error) {
	var out Component
	err := c.do(ctx, request{method: "GET", path: pathOf("v1", "components", name)}, &out)
	return out, err
}

// UpdateComponent updates a component (developer role): NONE changes its description,
// CURRENT_VERSION redeploys it; Conflict while a deployment of it is in progress.
func (c *Client) UpdateComponent(ctx context.Context, name string, in apimodel.UpdateComponent) (Component, error) {
	var out Component
	r, err := jsonRequest("PATCH", pathOf("v1", "components", name), in)
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}

// DeleteComponent starts deleting a component's stack, then the component (developer
// role); the answer is DELETE_IN_PROGRESS.
func (c *Client) DeleteComponent(ctx context.Context, name string) (Component, error) {
	var out Component
	err := c.do(ctx, request{method: "DELETE", path: pathOf("v1", "components", name)}, &out)
	return out, err
}

// ComponentOutputs returns a component's stack outputs, or those of one of its
// deployments when deploymentID is not "".
func (c *Client) ComponentOutputs(ctx context.Context, name, deploymentID string) (Outputs, error) {
	q := url.Values{}
	if deploymentID != "" {
		q.Set("deploymentId", deploymentID)
	}
	var out Outputs
	err := c.do(ctx, request{method: "GET", path: pathOf("v1", "components", name, "outputs"), query: q}, &out)
	return out, err
}

// CancelComponentDeployment cancels the component's deployment in progress (developer
// role); Conflict when none is.
func (c *Client) CancelComponentDeployment(ctx context.Context, name string) (Component, error) {
	var out Component
	err := c.do(ctx, request{method: "POST", path: pathOf("v1", "components", name, "cancel")}, &out)
	return out, err
}

// TagResource adds tags to the resource arn names, or changes their values; the answer is
// its tags as they now are.
func (c *Client) TagResource(ctx context.Context, arn string, tags []apimodel.Tag) (Tags, error) {
	var out Tags
	r, err := jsonRequest("POST", "/v1/tags", apimodel.TagResource{ResourceARN: arn, Tags: tags})
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}

// UntagResource removes the tags with keys from the resource arn names.
func (c *Client) UntagResource(ctx context.Context, arn string, keys []string) (Tags, error) {
	var out Tags
	r, err := jsonRequest("POST", "/v1/tags/remove", apimodel.UntagResource{ResourceARN: arn, TagKeys: keys})
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}

// ListTagsForResource returns the tags of the resource arn names.
func (c *Client) ListTagsForResource(ctx context.Context, arn string) (Tags, error) {
	var out Tags
	err := c.do(ctx, request{method: "GET", path: "/v1/tags", query: url.Values{"resourceArn": {arn}}}, &out)
	return out, err
}

// ComponentStatus returns the status of a component.
func ComponentStatus(comp Component) Status {
	return Status{Target: "component " + comp.Name, DeploymentStatus: comp.DeploymentStatus,
		Message: comp.DeploymentStatusMessage, DeploymentID: comp.LastAttemptedDeploymentID}
}

// PollComponent polls a component; once it is gone (deleted) its status is
// DELETE_COMPLETE.
func (c *Client) PollComponent(name string) Poll {
	return func(ctx context.Context) ([]Status, error) {
		comp, err := c.GetComponent(ctx, name)
		if IsNotFound(err) {
			return []Status{{Target: "component " + name, DeploymentStatus: platform.DeleteComplete}}, nil
		}
		if err != nil {
			return nil, err
		}
		return []Status{ComponentStatus(comp)}, nil
	}
}
