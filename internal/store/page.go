package store

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Page sizes: a PageRequest.Limit ≤ 0 gets DefaultPageSize, one above MaxPageSize gets MaxPageSize.
const (
	DefaultPageSize = 50
	MaxPageSize     = 100
)

// listQuery is one list: a partition of the table or of an index, optionally narrowed to
// sort keys that begin with prefix.
type listQuery struct {
	index     string // "" for the table
	partition string
	prefix    string
	before    string // when set, only sort keys below it
	backwards bool
	what      string // for messages, e.g. "environments"
}

// keyAttrs returns the partition and sort key attributes of q's table or index.
func (q listQuery) keyAttrs() (pkAttr, skAttr string) {
	if q.index == "" {
		return attrPK, attrSK
	}
	for _, ix := range Design().Indexes {
		if ix.Name == q.index {
			return ix.PartitionKey, ix.SortKey
		}
	}
	panic("store: unknown index " + q.index)
}

// startKeyAttrs are the attributes of a LastEvaluatedKey of q: the table's key, plus the
// index's when q reads an index.
func (q listQuery) startKeyAttrs() []string {
	pkAttr, skAttr := q.keyAttrs()
	if q.index == "" {
		return []string{pkAttr, skAttr}
	}
	return []string{attrPK, attrSK, pkAttr, skAttr}
}

// id binds a page token to its list.
func (q listQuery) id() string {
	sum := sha256.Sum256([]byte(fmt.Sprintf("%s\x00%s\x00%s\x00%t", q.index, q.partition, q.prefix, q.backwards)))
	return hex.EncodeToString(sum[:8])
}

// pageToken is the decoded NextToken: the list it belongs to and where the next page starts.
type pageToken struct {
	List string            `json:"l"`
	Key  map[string]string `json:"k"`
}

func (q listQuery) encodeToken(item map[string]types.AttributeValue) (string, error) {
	t := pageToken{List: q.id(), Key: map[string]string{}}
	for _, name := range q.startKeyAttrs() {
		s, ok := item[name].(*types.AttributeValueMemberS)
		if !ok {
			return "", fmt.Errorf("store: list %s: item without string key attribute %s", q.what, name)
		}
		t.Key[name] = s.Value
	}
	b, err := json.Marshal(t)
	if err != nil {
		return "", fmt.Errorf("store: list %s: %w", q.what, err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// decodeToken validates a NextToken against q; Invalid (field nextToken) for garbage and
// for a token of another list.
func (q listQuery) decodeToken(token string) (map[string]types.AttributeValue, error) {
	bad := platform.FieldErrorf("nextToken", "is not a page token of this list of %s", q.what)
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return nil, bad
	}
	var t pageToken
	if err := json.Unmarshal(b, &t); err != nil || t.List != q.id() {
		return nil, bad
	}
	attrs := q.startKeyAttrs()
	if len(t.Key) != len(attrs) {
		return nil, bad
	}
	pkAttr, skAttr := q.keyAttrs()
	if t.Key[pkAttr] != q.partition || !strings.HasPrefix(t.Key[skAttr], q.prefix) {
		return nil, bad
	}
	start := make(map[string]types.AttributeValue, len(attrs))
	for _, name := range attrs {
		v, ok := t.Key[name]
		if !ok || v == "" {
			return nil, bad
		}
		start[name] = &types.AttributeValueMemberS{Value: v}
	}
	return start, nil
}

// list reads one page of q, decoding each item into I and converting it with domain. It
// asks for one item more than the page holds, so that the last page has no NextToken.
func list[I any, T any](ctx context.Context, s *Store, q listQuery, page platform.PageRequest, domain func(I) (T, error)) (platform.Page[T], error) {
	limit := page.Limit
	switch {
	case limit <= 0:
		limit = DefaultPageSize
	case limit > MaxPageSize:
		limit = MaxPageSize
	}
	pkAttr, skAttr := q.keyAttrs()
	in := &dynamodb.QueryInput{
		TableName:                 &s.table,
		KeyConditionExpression:    aws.String("#pk = :pk"),
		ExpressionAttributeNames:  map[string]string{"#pk": pkAttr},
		ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: q.partition}},
		ScanIndexForward:          aws.Bool(!q.backwards),
		Limit:                     aws.Int32(int32(limit + 1)),
	}
	if q.index != "" {
		in.IndexName = aws.String(q.index)
	} else {
		in.ConsistentRead = aws.Bool(true)
	}
	if q.prefix != "" {
		*in.KeyConditionExpression += " AND begins_with(#sk, :prefix)"
		in.ExpressionAttributeNames["#sk"] = skAttr
		in.ExpressionAttributeValues[":prefix"] = &types.AttributeValueMemberS{Value: q.prefix}
	}
	if q.before != "" {
		*in.KeyConditionExpression += " AND #sk < :before"
		in.ExpressionAttributeNames["#sk"] = skAttr
		in.ExpressionAttributeValues[":before"] = &types.AttributeValueMemberS{Value: q.before}
	}
	if page.NextToken != "" {
		start, err := q.decodeToken(page.NextToken)
		if err != nil {
			return platform.Page[T]{}, err
		}
		in.ExclusiveStartKey = start
	}
	res, err := s.client.Query(ctx, in)
	if err != nil {
		return platform.Page[T]{}, fmt.Errorf("store: list %s: %w", q.what, err)
	}
	items := res.Items
	var next string
	switch {
	case len(items) > limit:
		items = items[:limit]
		if next, err = q.encodeToken(items[limit-1]); err != nil {
			return platform.Page[T]{}, err
		}
	case len(res.LastEvaluatedKey) > 0: // the 1 MB limit cut the page short
		if next, err = q.encodeToken(res.LastEvaluatedKey); err != nil {
			return platform.Page[T]{}, err
		}
	}
	out := platform.Page[T]{Items: make([]T, 0, len(items)), NextToken: next}
	for _, av := range items {
		var it I
		if err := attributevalue.UnmarshalMap(av, &it); err != nil {
			return platform.Page[T]{}, fmt.Errorf("store: decode %s: %w", q.what, err)
		}
		t, err := domain(it)
		if err != nil {
			return platform.Page[T]{}, err
		}
		out.Items = append(out.Items, t)
	}
	return out, nil
}
