package control

import (
	"context"

	"github.com/gantry-platform/gantry/internal/platform"
)

// GetRenderedTemplate returns the CloudFormation template a deployment rendered, kept in
// the blob store whether the deployment then succeeded or failed, so that an error citing
// a line of the rendered template can be read (render errors cite the bundle's files).
// NotFound, saying why, when the deployment does not exist or rendered nothing: a
// deletion, a render that failed (its message names the bundle file and line), or a
// deployment that has not rendered yet.
func (s *Service) GetRenderedTemplate(ctx context.Context, id string) (platform.Deployment, string, error) {
	d, err := s.store.GetDeployment(ctx, id)
	if err != nil {
		return d, "", err
	}
	if d.RenderedKey == "" {
		why := "it has not rendered yet"
		switch {
		case d.Operation == platform.Delete:
			why = "a deletion renders nothing"
		case d.Finished():
			why = "it ended before rendering (" + string(d.Status) + ": " + d.StatusMessage + ")"
		}
		return d, "", platform.Errorf(platform.NotFound, "deployment %s has no rendered template: %s", id, why)
	}
	body, err := s.blobs.Get(ctx, d.RenderedKey)
	if platform.KindOf(err) == platform.NotFound {
		return d, "", platform.Errorf(platform.NotFound, "the rendered template of deployment %s is no longer kept", id)
	}
	return d, string(body), err
}
