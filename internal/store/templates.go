package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gantry-platform/gantry/internal/platform"
)

// CreateTemplate stores a new template with Revision 1, and the client token when not nil,
// atomically; Conflict if the kind and name, or the token, are taken.
func (s *Store) CreateTemplate(ctx context.Context, t platform.Template, token *platform.ClientToken) error {
	t.Revision = 1
	op, err := s.putNew(newTemplateItem(t), templateWhat(t.Kind, t.Name))
	if err != nil {
		return err
	}
	mirror, err := s.mirrorTemplate(t)
	if err != nil {
		return err
	}
	ops, err := s.withToken([]writeOp{op, mirror}, token)
	if err != nil {
		return err
	}
	return s.write(ctx, "create template", ops...)
}

// GetTemplate returns a template; NotFound if there is none.
func (s *Store) GetTemplate(ctx context.Context, kind platform.TemplateKind, name string) (platform.Template, error) {
	var it templateItem
	if err := s.get(ctx, templatePK(kind, name), skTemplate, &it, templateWhat(kind, name)); err != nil {
		return platform.Template{}, err
	}
	return it.domain()
}

// UpdateTemplate saves t, checked on its Revision: NotFound when the template is gone,
// Conflict when its stored Revision differs. The stored Revision becomes t.Revision+1.
func (s *Store) UpdateTemplate(ctx context.Context, t platform.Template) error {
	op, err := s.reviseTemplate(t)
	if err != nil {
		return err
	}
	mirror, err := s.mirrorTemplate(t)
	if err != nil {
		return err
	}
	return s.write(ctx, "update template", op, mirror)
}

// reviseTemplate is the write of t checked on its Revision, storing Revision+1 and every
// attribute but the versions count.
func (s *Store) reviseTemplate(t platform.Template) (writeOp, error) {
	revision := t.Revision
	t.Revision++
	return s.updateRevised(newTemplateItem(t), revision, templateWhat(t.Kind, t.Name), attrVersions)
}

// DeleteTemplate removes the template whose stored Revision is revision, with its tags:
// NotFound when it is gone, Conflict when it still has versions or its Revision differs.
func (s *Store) DeleteTemplate(ctx context.Context, kind platform.TemplateKind, name string, revision int64) error {
	what := templateWhat(kind, name)
	op := s.deleteRevised(templatePK(kind, name), skTemplate, revision, what)
	op.delete.ConditionExpression = aws.String("#revision = :expected AND (attribute_not_exists(#versions) OR #versions = :zero)")
	op.delete.ExpressionAttributeNames["#versions"] = attrVersions
	op.delete.ExpressionAttributeValues[":zero"] = number(0)
	op.failed = func(old map[string]types.AttributeValue) error {
		var it templateItem
		if old != nil && attributevalue.UnmarshalMap(old, &it) == nil && it.Versions > 0 {
			return platform.Errorf(platform.Conflict, "%s still has %d version(s); delete them first", what, it.Versions)
		}
		return revisionFailed(what)(old)
	}
	return s.write(ctx, "delete template", op, s.unmirrorTemplate(kind, name), s.dropTags(templateResource(kind, name, platform.Version{})))
}

// ListTemplates lists the templates of a kind by name; Invalid for a bad page token.
func (s *Store) ListTemplates(ctx context.Context, kind platform.TemplateKind, page platform.PageRequest) (platform.Page[platform.Template], error) {
	q := listQuery{index: "gsi1", partition: templatesGSI1PK(kind), what: "templates"}
	return list(ctx, s, q, page, templateItem.domain)
}

// CreateTemplateVersion stores a new version with Revision 1, counts it on its template,
// marks its bundle digest (when set) as taken within its major, and records the client
// token when not nil, atomically: NotFound if the template does not exist, Conflict if
// that major.minor, a version of that major with the same bundle digest, or the token
// exists.
func (s *Store) CreateTemplateVersion(ctx context.Context, v platform.TemplateVersion, token *platform.ClientToken) error {
	v.Revision = 1
	tmpl := templateWhat(v.Kind, v.TemplateName)
	check := writeOp{
		update: &types.Update{
			TableName:                           &s.table,
			Key:                                 key(templatePK(v.Kind, v.TemplateName), skTemplate),
			UpdateExpression:                    aws.String("ADD #versions :one"),
			ConditionExpression:                 aws.String("attribute_exists(#pk)"),
			ExpressionAttributeNames:            map[string]string{"#pk": attrPK, "#versions": attrVersions},
			ExpressionAttributeValues:           map[string]types.AttributeValue{":one": number(1)},
			ReturnValuesOnConditionCheckFailure: types.ReturnValuesOnConditionCheckFailureAllOld,
		},
		what:   tmpl,
		failed: func(map[string]types.AttributeValue) error { return notFound(tmpl) },
	}
	put, err := s.putNew(newTemplateVersionItem(v), versionWhat(v.Kind, v.TemplateName, v.Version))
	if err != nil {
		return err
	}
	ops := []writeOp{check, put, s.untombstone(v.Kind, v.TemplateName, v.Version)}
	if v.BundleDigest != "" {
		marker, err := s.putNew(bundleMarkerItem{itemKeys: itemKeys{PK: templatePK(v.Kind, v.TemplateName), SK: bundleMarkerSK(v.Version.Major, v.BundleDigest)},
			Major: v.Version.Major, Minor: v.Version.Minor}, "")
		if err != nil {
			return err
		}
		marker.what = fmt.Sprintf("%s bundle %s", templateWhat(v.Kind, v.TemplateName), v.BundleDigest)
		marker.failed = func(old map[string]types.AttributeValue) error {
			var it bundleMarkerItem
			_ = attributevalue.UnmarshalMap(old, &it)
			return platform.Errorf(platform.Conflict, "%s: the same bundle is registered as version %d.%d", templateWhat(v.Kind, v.TemplateName), it.Major, it.Minor)
		}
		ops = append(ops, marker)
	}
	ops, err = s.withToken(ops, token)
	if err != nil {
		return err
	}
	return s.write(ctx, "create template version", ops...)
}

// bundleMarkerItem makes a bundle digest unique within a major version of a template: it
// is written with the version that registers the bundle and deleted with it.
type bundleMarkerItem struct {
	itemKeys
	Major int `dynamodbav:"major"`
	Minor int `dynamodbav:"minor"`
}

// bundleMarkerSK is the sort key of the marker of digest within major.
func bundleMarkerSK(major int, digest string) string {
	return fmt.Sprintf("BUNDLE#%06d#%s", major, digest)
}

// GetTemplateVersion returns one version of a template; NotFound if there is none.
func (s *Store) GetTemplateVersion(ctx context.Context, kind platform.TemplateKind, name string, v platform.Version) (platform.TemplateVersion, error) {
	var it templateVersionItem
	if err := s.get(ctx, templatePK(kind, name), versionSK(v), &it, versionWhat(kind, name, v)); err != nil {
		return platform.TemplateVersion{}, err
	}
	return it.domain()
}

// LatestTemplateVersion returns the highest version of a template, within major when
// major > 0, whatever its status; NotFound when there is none.
func (s *Store) LatestTemplateVersion(ctx context.Context, kind platform.TemplateKind, name string, major int) (platform.TemplateVersion, error) {
	q := listQuery{partition: templatePK(kind, name), prefix: prefixVersion, backwards: true, what: "template versions"}
	missing := templateWhat(kind, name) + " has no versions"
	if major > 0 {
		q.prefix = majorPrefix(major)
		missing = templateWhat(kind, name) + " has no version " + itoa(major) + ".x"
	}
	page, err := list(ctx, s, q, platform.PageRequest{Limit: 1}, templateVersionItem.domain)
	if err != nil {
		return platform.TemplateVersion{}, err
	}
	if len(page.Items) == 0 {
		return platform.TemplateVersion{}, platform.Errorf(platform.NotFound, "%s", missing)
	}
	return page.Items[0], nil
}

// ListTemplateVersions lists a template's versions, highest first; Invalid for a bad page
// token. An unknown template has no versions.
func (s *Store) ListTemplateVersions(ctx context.Context, kind platform.TemplateKind, name string, page platform.PageRequest) (platform.Page[platform.TemplateVersion], error) {
	q := listQuery{partition: templatePK(kind, name), prefix: prefixVersion, backwards: true, what: "template versions"}
	return list(ctx, s, q, page, templateVersionItem.domain)
}

// UpdateTemplateVersion saves v, and t when not nil, atomically, each checked on its
// Revision: NotFound when one is gone, Conflict when one's stored Revision differs;
// Invalid when t is not v's template.
func (s *Store) UpdateTemplateVersion(ctx context.Context, v platform.TemplateVersion, t *platform.Template) error {
	what := versionWhat(v.Kind, v.TemplateName, v.Version)
	revision := v.Revision
	v.Revision++
	op, err := s.putRevised(newTemplateVersionItem(v), revision, what)
	if err != nil {
		return err
	}
	ops := []writeOp{op}
	if t != nil {
		if t.Kind != v.Kind || t.Name != v.TemplateName {
			return platform.FieldErrorf("template", "%s is not the template of %s", templateWhat(t.Kind, t.Name), what)
		}
		op, err := s.reviseTemplate(*t)
		if err != nil {
			return err
		}
		mirror, err := s.mirrorTemplate(*t)
		if err != nil {
			return err
		}
		ops = append(ops, op, mirror)
	}
	return s.write(ctx, "update template version", ops...)
}

// DeleteTemplateVersion removes v (with the marker of its bundle and its tags) and saves
// its template t (the recommended version it keeps after the deletion), one fewer version
// counted on it, atomically, each checked on its Revision, and on nothing running v or
// being deployed to it (the estate's counts, written in the same transactions as what
// they count, so a concurrent create or deployment on v either fails or stops this):
// NotFound when one is gone, Conflict when one's stored Revision differs or v is in use;
// Invalid when t is not v's template.
func (s *Store) DeleteTemplateVersion(ctx context.Context, v platform.TemplateVersion, t platform.Template) error {
	what := versionWhat(v.Kind, v.TemplateName, v.Version)
	if t.Kind != v.Kind || t.Name != v.TemplateName {
		return platform.FieldErrorf("template", "%s is not the template of %s", templateWhat(t.Kind, t.Name), what)
	}
	tmpl, err := s.reviseTemplate(t)
	if err != nil {
		return err
	}
	*tmpl.update.UpdateExpression += " ADD #versions :minusOne"
	tmpl.update.ExpressionAttributeNames["#versions"] = attrVersions
	tmpl.update.ExpressionAttributeValues[":minusOne"] = number(-1)
	mirror, err := s.mirrorTemplate(t)
	if err != nil {
		return err
	}
	ops := []writeOp{s.deleteRevised(templatePK(v.Kind, v.TemplateName), versionSK(v.Version), v.Revision, what), tmpl, mirror,
		s.dropTags(templateResource(v.Kind, v.TemplateName, v.Version))}
	ops = append(ops, s.tombstone(v.Kind, v.TemplateName, v.Version))
	ops = append(ops, s.versionUnused(v.Kind, v.TemplateName, v.Version)...)
	if v.BundleDigest != "" {
		ops = append(ops, writeOp{delete: &types.Delete{TableName: &s.table, Key: key(templatePK(v.Kind, v.TemplateName), bundleMarkerSK(v.Version.Major, v.BundleDigest))},
			what: what, failed: revisionFailed(what)})
	}
	return s.write(ctx, "delete template version", ops...)
}
