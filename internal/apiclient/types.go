package apiclient

import (
	"encoding/json"

	"github.com/gantry-platform/gantry/internal/apimodel"
)

// The API's answers as the client returns them: the shared JSON shapes of internal/apimodel,
// each embedded with Raw, the JSON it was decoded from, verbatim, for callers that show the
// API's own answer (gantry's --output json): fields a newer server adds and the server's
// own escaping survive in Raw.

// Template is a template, with its JSON.
type Template struct {
	apimodel.Template
	Raw json.RawMessage `json:"-"`
}

// TemplateVersion is a template version, with its JSON; Schema is set when the version was
// read on its own (GetTemplateVersion).
type TemplateVersion struct {
	apimodel.TemplateVersion
	Raw json.RawMessage `json:"-"`
}

// Environment is an environment, with its JSON.
type Environment struct {
	apimodel.Environment
	Raw json.RawMessage `json:"-"`
}

// Service is a service, with its JSON; Pipeline is set on a service read on its own (or
// just created) whose template has a pipeline.
type Service struct {
	apimodel.Service
	Raw json.RawMessage `json:"-"`
}

// ServicePipeline is a service's pipeline, with its JSON.
type ServicePipeline struct {
	apimodel.ServicePipeline
	Raw json.RawMessage `json:"-"`
}

// ServiceInstance is a service instance, with its JSON.
type ServiceInstance struct {
	apimodel.ServiceInstance
	Raw json.RawMessage `json:"-"`
}

// Outputs are a target's stack outputs (in Outputs.Outputs), with their JSON.
type Outputs struct {
	apimodel.Outputs
	Raw json.RawMessage `json:"-"`
}

// Deployment is a deployment, with its JSON.
type Deployment struct {
	apimodel.Deployment
	Raw json.RawMessage `json:"-"`
}

// Page is one page of a list: Items in the API's order, each with its own JSON, and the
// token of the next page ("" on the last). Raw is the page's JSON.
type Page[T any] struct {
	apimodel.List[T]
	Raw json.RawMessage `json:"-"`
}

func (p *Page[T]) keepRaw(raw json.RawMessage) { p.Raw = raw }

// PageRequest asks for one page: at most Limit items (0: the API's default), after NextToken.
type PageRequest struct {
	Limit     int
	NextToken string
}

// UnmarshalJSON decodes one Template and keeps its JSON in Raw.
func (t *Template) UnmarshalJSON(data []byte) error { return keep(data, &t.Template, &t.Raw) }

// UnmarshalJSON decodes one TemplateVersion and keeps its JSON in Raw.
func (v *TemplateVersion) UnmarshalJSON(data []byte) error {
	return keep(data, &v.TemplateVersion, &v.Raw)
}

// UnmarshalJSON decodes one Environment and keeps its JSON in Raw.
func (e *Environment) UnmarshalJSON(data []byte) error { return keep(data, &e.Environment, &e.Raw) }

// UnmarshalJSON decodes one Service and keeps its JSON in Raw.
func (s *Service) UnmarshalJSON(data []byte) error { return keep(data, &s.Service, &s.Raw) }

// UnmarshalJSON decodes one ServiceInstance and keeps its JSON in Raw.
func (i *ServiceInstance) UnmarshalJSON(data []byte) error {
	return keep(data, &i.ServiceInstance, &i.Raw)
}

// UnmarshalJSON decodes one ServicePipeline and keeps its JSON in Raw.
func (p *ServicePipeline) UnmarshalJSON(data []byte) error {
	return keep(data, &p.ServicePipeline, &p.Raw)
}

// UnmarshalJSON decodes one Outputs and keeps its JSON in Raw.
func (o *Outputs) UnmarshalJSON(data []byte) error { return keep(data, &o.Outputs, &o.Raw) }

// UnmarshalJSON decodes one Deployment and keeps its JSON in Raw.
func (d *Deployment) UnmarshalJSON(data []byte) error { return keep(data, &d.Deployment, &d.Raw) }

// keep decodes data into v and keeps a copy of data in raw.
func keep(data []byte, v any, raw *json.RawMessage) error {
	if err := json.Unmarshal(data, v); err != nil {
		return err
	}
	*raw = append(json.RawMessage(nil), data...)
	return nil
}

// AccessKey is an access key, with its JSON; SecretAccessKey is set only when just created.
type AccessKey struct {
	apimodel.AccessKey
	Raw json.RawMessage `json:"-"`
}

// UnmarshalJSON decodes one AccessKey and keeps its JSON in Raw.
func (k *AccessKey) UnmarshalJSON(data []byte) error { return keep(data, &k.AccessKey, &k.Raw) }
