package control

import (
	"context"
	"fmt"

	"github.com/gantry-platform/gantry/internal/platform"
)

// taggable resolves a resource ARN for tagging: the resource it names, once it is known to
// exist. Deployments carry no tags. Errors: Invalid naming resourceArn, NotFound.
func (s *Service) taggable(ctx context.Context, arn string) (platform.Resource, error) {
	r, err := s.arns.ParseARN("resourceArn", arn)
	if err != nil {
		return r, err
	}
	switch r.Type {
	case platform.EnvironmentResource:
		_, err = s.store.GetEnvironment(ctx, r.Name)
	case platform.ServiceResource:
		_, err = s.store.GetService(ctx, r.Name)
	case platform.ServiceInstanceResource:
		_, err = s.store.GetServiceInstance(ctx, r.Service, r.Name)
	case platform.ComponentResource:
		_, err = s.store.GetComponent(ctx, r.Name)
	case platform.EnvironmentAccountConnectionResource:
		_, _, err = s.connectionFor(ctx, r.Name)
	case platform.EnvironmentTemplateResource, platform.ServiceTemplateResource:
		_, err = s.store.GetTemplate(ctx, templateKindOf(r.Type), r.Name)
	case platform.EnvironmentTemplateVersionResource, platform.ServiceTemplateVersionResource:
		_, err = s.store.GetTemplateVersion(ctx, templateKindOf(r.Type), r.Name, r.Version)
	case platform.RepositoryResource:
		id, _ := platform.RepositoryIDOf(r)
		if err = s.reposConfigured(); err == nil {
			_, err = s.repos.GetRepository(ctx, id)
		}
	default:
		return r, platform.FieldErrorf("resourceArn", "%s carries no tags", r)
	}
	return r, err
}

func templateKindOf(t platform.ResourceType) platform.TemplateKind {
	if t == platform.ServiceTemplateResource || t == platform.ServiceTemplateVersionResource {
		return platform.ServiceTemplate
	}
	return platform.EnvironmentTemplate
}

// tagRole is the role that may change a resource's tags: the role that may update it.
// Admins manage templates and environments; developers services, their instances and
// components.
func tagRole(r platform.Resource) platform.Role {
	switch r.Type {
	case platform.ServiceResource, platform.ServiceInstanceResource, platform.ComponentResource:
		return platform.DeveloperRole
	}
	return platform.AdminRole
}

// TagResource adds customer tags to the resource arn names, or changes their values, as
// Proton's TagResource does; they reach its stack on its next deployment. Errors: Invalid
// naming resourceArn or the offending tag (Proton's limits: at most 50 tags, keys of 1
// to 128 characters, values of at most 256, no aws: or gantry: prefix), NotFound,
// Forbidden for a caller without the role that may update the resource.
func (s *Service) TagResource(ctx context.Context, arn string, tags map[string]string) error {
	if len(tags) == 0 {
		return platform.FieldErrorf("tags", "is required: at least one tag")
	}
	if err := platform.ValidateTags("tags", tags); err != nil {
		return err
	}
	r, err := s.taggable(ctx, arn)
	if err != nil {
		return err
	}
	if err := requireRole(ctx, tagRole(r), "tagging "+r.String()); err != nil {
		return err
	}
	return s.store.TagResource(ctx, r, tags)
}

// UntagResource removes the customer tags with keys from the resource arn names; keys it
// does not carry are ignored. Errors as TagResource's.
func (s *Service) UntagResource(ctx context.Context, arn string, keys []string) error {
	if len(keys) == 0 {
		return platform.FieldErrorf("tagKeys", "is required: at least one tag key")
	}
	if len(keys) > platform.MaxTags {
		return platform.FieldErrorf("tagKeys", "lists %d keys; at most %d", len(keys), platform.MaxTags)
	}
	for i, k := range keys {
		if k == "" {
			return platform.FieldErrorf(fmt.Sprintf("tagKeys[%d]", i), "a tag key must not be empty")
		}
	}
	r, err := s.taggable(ctx, arn)
	if err != nil {
		return err
	}
	if err := requireRole(ctx, tagRole(r), "untagging "+r.String()); err != nil {
		return err
	}
	return s.store.UntagResource(ctx, r, keys)
}

// ListTagsForResource returns the customer tags of the resource arn names. Errors:
// Invalid naming resourceArn, NotFound.
func (s *Service) ListTagsForResource(ctx context.Context, arn string) (map[string]string, error) {
	r, err := s.taggable(ctx, arn)
	if err != nil {
		return nil, err
	}
	return s.store.ListTags(ctx, r)
}
