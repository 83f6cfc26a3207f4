package api

import (
	"net/http"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
)

// tagRoutes are Proton's tagging operations, addressed by resource ARN. Any role may call
// them; the control plane lets a caller change the tags of what it may update.
func tagRoutes() []route {
	return []route{
		{method: "GET", path: "/v1/tags", operationID: "ListTagsForResource", summary: "The customer tags of the resource ?resourceArn= names", access: anyRole, response: "Tags", status: 200, query: []string{"resourceArn"}, handle: (*handler).listTags},
		{method: "POST", path: "/v1/tags", operationID: "TagResource", summary: "Add tags to a resource, or change their values (at most 50; aws: and gantry: keys are reserved); they reach its stack on its next deployment", access: anyRole, request: "TagResource", response: "Tags", status: 200, handle: (*handler).tagResource},
		{method: "POST", path: "/v1/tags/remove", operationID: "UntagResource", summary: "Remove tags from a resource by key", access: anyRole, request: "UntagResource", response: "Tags", status: 200, handle: (*handler).untagResource},
	}
}

// viewTags lists tags by key, [] when there are none.
func viewTags(tags map[string]string) apimodel.Tags {
	out := apimodel.Tags{Tags: make([]apimodel.Tag, 0, len(tags))}
	for _, k := range platform.SortedTagKeys(tags) {
		out.Tags = append(out.Tags, apimodel.Tag{Key: k, Value: tags[k]})
	}
	return out
}

func (h *handler) listTags(w http.ResponseWriter, r *http.Request) error {
	arn := r.URL.Query().Get("resourceArn")
	if arn == "" {
		return platform.FieldErrorf("resourceArn", "is required")
	}
	tags, err := h.svc.ListTagsForResource(r.Context(), arn)
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewTags(tags))
	return nil
}

// tagResource answers the resource's tags as they now are.
func (h *handler) tagResource(w http.ResponseWriter, r *http.Request) error {
	var in apimodel.TagResource
	if err := decode(r, &in); err != nil {
		return err
	}
	tags, err := tagMap("tags", in.Tags)
	if err != nil {
		return err
	}
	if err := h.svc.TagResource(r.Context(), in.ResourceARN, tags); err != nil {
		return err
	}
	return h.writeTags(w, r, in.ResourceARN)
}

func (h *handler) untagResource(w http.ResponseWriter, r *http.Request) error {
	var in apimodel.UntagResource
	if err := decode(r, &in); err != nil {
		return err
	}
	if err := h.svc.UntagResource(r.Context(), in.ResourceARN, in.TagKeys); err != nil {
		return err
	}
	return h.writeTags(w, r, in.ResourceARN)
}

func (h *handler) writeTags(w http.ResponseWriter, r *http.Request, arn string) error {
	tags, err := h.svc.ListTagsForResource(r.Context(), arn)
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewTags(tags))
	return nil
}
