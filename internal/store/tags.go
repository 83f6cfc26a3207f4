package store

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gantry-platform/gantry/internal/platform"
)

// A resource's customer tags are one item, TAGS#<resource> / TAGS, holding them as a map:
// listing them is one GetItem, changing them one conditional write on its revision.

const skTags = "TAGS"

func tagsPK(r platform.Resource) string {
	key := string(r.Type) + "#"
	if r.Service != "" {
		key += r.Service + "/"
	}
	key += r.Name
	if !r.Version.IsZero() {
		key += ":" + r.Version.String()
	}
	return "TAGS#" + key
}

type tagsItem struct {
	itemKeys
	Tags     map[string]string `dynamodbav:"tags"`
	Revision int64             `dynamodbav:"revision"`
}

// readTags reads a resource's tag item; a resource without one has revision 0.
func (s *Store) readTags(ctx context.Context, r platform.Resource) (tagsItem, error) {
	var it tagsItem
	err := s.get(ctx, tagsPK(r), skTags, &it, "tags of "+r.String())
	if platform.KindOf(err) == platform.NotFound {
		return tagsItem{itemKeys: itemKeys{PK: tagsPK(r), SK: skTags}, Tags: map[string]string{}}, nil
	}
	if it.Tags == nil {
		it.Tags = map[string]string{}
	}
	return it, err
}

// writeTags saves it over the revision read (creating it at revision 0), or deletes it
// when it holds no tag.
func (s *Store) writeTags(ctx context.Context, r platform.Resource, it tagsItem) error {
	what := "tags of " + r.String()
	var op writeOp
	var err error
	switch {
	case it.Revision == 0 && len(it.Tags) == 0:
		return nil
	case it.Revision == 0:
		it.Revision = 1
		op, err = s.putNew(it, what)
		op.failed = func(map[string]types.AttributeValue) error { return changed(what) }
	case len(it.Tags) == 0:
		op = s.deleteRevised(it.PK, it.SK, it.Revision, what)
	default:
		revision := it.Revision
		it.Revision++
		op, err = s.putRevised(it, revision, what)
	}
	if err != nil {
		return err
	}
	return s.write(ctx, "tag resource", op)
}

// TagResource adds tags to r, or changes their values. Invalid when r would carry more
// than platform.MaxTags; Conflict when its tags changed meanwhile.
func (s *Store) TagResource(ctx context.Context, r platform.Resource, tags map[string]string) error {
	it, err := s.readTags(ctx, r)
	if err != nil {
		return err
	}
	for k, v := range tags {
		it.Tags[k] = v
	}
	if len(it.Tags) > platform.MaxTags {
		return platform.FieldErrorf("tags", "%s would carry %d tags; at most %d", r, len(it.Tags), platform.MaxTags)
	}
	return s.writeTags(ctx, r, it)
}

// UntagResource removes the tags keys name from r; keys it does not carry are ignored.
// Conflict when its tags changed meanwhile.
func (s *Store) UntagResource(ctx context.Context, r platform.Resource, keys []string) error {
	it, err := s.readTags(ctx, r)
	if err != nil {
		return err
	}
	before := len(it.Tags)
	for _, k := range keys {
		delete(it.Tags, k)
	}
	if len(it.Tags) == before {
		return nil
	}
	return s.writeTags(ctx, r, it)
}

// ListTags returns r's tags, an empty map when it has none.
func (s *Store) ListTags(ctx context.Context, r platform.Resource) (map[string]string, error) {
	it, err := s.readTags(ctx, r)
	return it.Tags, err
}

// dropTags deletes r's tags with r (unconditionally: there may be none).
func (s *Store) dropTags(r platform.Resource) writeOp {
	what := fmt.Sprintf("tags of %s", r)
	return writeOp{delete: &types.Delete{TableName: &s.table, Key: key(tagsPK(r), skTags)},
		what: what, failed: func(map[string]types.AttributeValue) error { return changed(what) }}
}

// templateResource is the tagged resource of a template, or of one of its versions when v
// is not zero.
func templateResource(kind platform.TemplateKind, name string, v platform.Version) platform.Resource {
	switch {
	case kind == platform.ServiceTemplate && v.IsZero():
		return platform.Resource{Type: platform.ServiceTemplateResource, Name: name}
	case kind == platform.ServiceTemplate:
		return platform.Resource{Type: platform.ServiceTemplateVersionResource, Name: name, Version: v}
	case v.IsZero():
		return platform.Resource{Type: platform.EnvironmentTemplateResource, Name: name}
	}
	return platform.Resource{Type: platform.EnvironmentTemplateVersionResource, Name: name, Version: v}
}

// maxTransactGet is the most items one TransactGetItems request reads.
const maxTransactGet = 100

// ListTagsOf returns the tags of each resource in rs (none is an empty map, never
// NotFound), reading them in requests of up to 100 items each: a fleet's resources cost
// one request per hundred, not one each. Each request is a consistent snapshot of its
// items.
func (s *Store) ListTagsOf(ctx context.Context, rs []platform.Resource) (map[platform.Resource]map[string]string, error) {
	out := make(map[platform.Resource]map[string]string, len(rs))
	for start := 0; start < len(rs); start += maxTransactGet {
		chunk := rs[start:min(start+maxTransactGet, len(rs))]
		gets := make([]types.TransactGetItem, len(chunk))
		for i, r := range chunk {
			gets[i] = types.TransactGetItem{Get: &types.Get{TableName: &s.table, Key: key(tagsPK(r), skTags)}}
		}
		res, err := s.client.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: gets})
		if err != nil {
			return nil, fmt.Errorf("store: get tags of %d resources: %w", len(chunk), err)
		}
		for i, r := range chunk {
			var it tagsItem
			if i < len(res.Responses) && res.Responses[i].Item != nil {
				if err := attributevalue.UnmarshalMap(res.Responses[i].Item, &it); err != nil {
					return nil, fmt.Errorf("store: decode tags of %s: %w", r, err)
				}
			}
			if it.Tags == nil {
				it.Tags = map[string]string{}
			}
			out[r] = it.Tags
		}
	}
	return out, nil
}
