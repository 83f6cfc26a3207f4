package apiclient

import (
	"context"
	"encoding/json"

	"github.com/gantry-platform/gantry/internal/apimodel"
)

// Preview is a preview of an update, with its JSON.
type Preview struct {
	apimodel.Preview
	Raw json.RawMessage `json:"-"`
}

func (p *Preview) keepRaw(raw json.RawMessage) { p.Raw = raw }

// FleetPreview is a fleet preview, with its JSON.
type FleetPreview struct {
	apimodel.FleetPreview
	Raw json.RawMessage `json:"-"`
}

func (p *FleetPreview) keepRaw(raw json.RawMessage) { p.Raw = raw }

// PreviewEnvironmentUpdate previews the update in of an environment (admin role): its
// change set, made and not executed.
func (c *Client) PreviewEnvironmentUpdate(ctx context.Context, name string, in apimodel.Update) (Preview, error) {
	return c.preview(ctx, in, "v1", "environments", name, "preview")
}

// PreviewServiceInstanceUpdate previews the update in of a service instance.
func (c *Client) PreviewServiceInstanceUpdate(ctx context.Context, service, instance string, in apimodel.Update) (Preview, error) {
	return c.preview(ctx, in, "v1", "services", service, "instances", instance, "preview")
}

func (c *Client) preview(ctx context.Context, in apimodel.Update, path ...string) (Preview, error) {
	var out Preview
	r, err := jsonRequest("POST", pathOf(path...), in)
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}

// GetPreview returns a preview made earlier.
func (c *Client) GetPreview(ctx context.Context, id string) (Preview, error) {
	var out Preview
	err := c.do(ctx, request{method: "GET", path: pathOf("v1", "previews", id)}, &out)
	return out, err
}

// PreviewTemplateVersionRollout previews moving every environment or service instance on
// an older version of the template (kind "environment-templates" or "service-templates")
// to version ("major.minor").
func (c *Client) PreviewTemplateVersionRollout(ctx context.Context, kind, template, version string) (FleetPreview, error) {
	var out FleetPreview
	err := c.do(ctx, request{method: "POST", path: pathOf("v1", kind, template, "versions", version, "preview")}, &out)
	return out, err
}

// ImportReport is an import's report, with its JSON.
type ImportReport struct {
	apimodel.ImportReport
	Raw json.RawMessage `json:"-"`
}

func (p *ImportReport) keepRaw(raw json.RawMessage) { p.Raw = raw }

// ImportProtonStacks adopts the stacks AWS Proton left (admin role).
func (c *Client) ImportProtonStacks(ctx context.Context, in apimodel.ImportProton) (ImportReport, error) {
	var out ImportReport
	r, err := jsonRequest("POST", pathOf("v1", "imports", "proton"), in)
	if err == nil {
		err = c.do(ctx, r, &out)
	}
	return out, err
}
