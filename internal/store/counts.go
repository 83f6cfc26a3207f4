package store

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gantry-platform/gantry/internal/platform"
)

// The estate's counts (GetResourcesSummary) live in one partition, pkCounts, so that one
// Query reads them all:
//   - a count item per (counted kind, template, major, minor) holds total, failed and
//     deploying; every write that creates, removes, fails or moves a counted record, or
//     starts or finishes a deployment, adds to the count items in its own transaction.
//     DeleteTemplateVersion checks a version's items are at 0, which is why a count is
//     one item, not shards summed by the reader (countShards is 1; the shard suffix of
//     the key is kept for a layout that may shard the counts nothing checks): concurrent
//     writes on one count conflict, and write sends them again (see Store.write).
//   - a template item per template mirrors its recommended version, written with the
//     template in every transaction that writes it, so that staleness is computed at read
//     time against the recommendation as it is now.
const (
	attrDeploying     = "deploying"
	pkCounts          = "COUNTS"
	prefixCount       = "C#"
	prefixRecommended = "R#"
	countShards       = 1
)

func countSK(k countKey, shard int) string {
	return fmt.Sprintf("%s%s#%s#%06d#%06d#%d", prefixCount, k.kind, k.template, k.version.Major, k.version.Minor, shard)
}

func recommendedSK(kind platform.TemplateKind, name string) string {
	return prefixRecommended + string(kind) + "#" + name
}

// A count shard holds kind, templateName, major and minor (for people reading the table;
// the reader takes them from the key) and the numbers total and failed.

// recommendedItem mirrors a template's recommended version in the counts partition.
type recommendedItem struct {
	itemKeys
	Kind             string `dynamodbav:"kind"`
	Name             string `dynamodbav:"name"`
	RecommendedMajor int    `dynamodbav:"recommendedMajor"`
	RecommendedMinor int    `dynamodbav:"recommendedMinor"`
}

type countKey struct {
	kind     platform.CountedKind
	template string
	version  platform.Version
}

// countDelta changes a count: total and failed count what runs a template version;
// deploying counts the unfinished deployments to it (started by the writes that start a
// deployment, ended by FinishDeployment), so that a version cannot be deleted while
// anything runs it or is being moved to it (DeleteTemplateVersion checks both are 0).
type countDelta struct{ total, failed, deploying int }

// counts are the changes a write makes to the estate's counts.
type counts map[countKey]countDelta

func countedKindOf(t platform.TargetKind) platform.CountedKind {
	switch t {
	case platform.EnvironmentTarget:
		return platform.CountedEnvironments
	case platform.ServiceInstanceTarget:
		return platform.CountedServiceInstances
	case platform.ComponentTarget:
		return platform.CountedComponents
	}
	return platform.CountedPipelines
}

// failedStatus is whether a deployable in status s counts as failed.
func failedStatus(s platform.DeploymentStatus) bool {
	return s == platform.Failed || s == platform.DeleteFailed
}

// add counts a deployable of target kind t (sign +1) or uncounts it (sign -1), under the
// template version it runs; components have none.
func (c counts) add(t platform.TargetKind, d platform.Deployable, sign int) {
	k := countKey{kind: countedKindOf(t)}
	if k.kind != platform.CountedComponents {
		k.template, k.version = d.TemplateName, d.TemplateVersion
	}
	delta := c[k]
	delta.total += sign
	if failedStatus(d.DeploymentStatus) {
		delta.failed += sign
	}
	c[k] = delta
}

// change counts the move of a deployable from before to after.
func (c counts) change(t platform.TargetKind, before, after platform.Deployable) {
	c.add(t, before, -1)
	c.add(t, after, +1)
}

// deploying counts deployment d starting (sign +1) or finishing (sign -1), under the
// template version it deploys; components have none and are not counted.
func (c counts) deploying(d platform.Deployment, sign int) {
	if d.Target.Kind == platform.ComponentTarget || d.TemplateName == "" {
		return
	}
	k := countKey{kind: countedKindOf(d.Target.Kind), template: d.TemplateName, version: d.TemplateVersion}
	delta := c[k]
	delta.deploying += sign
	c[k] = delta
}

// addService counts a service (sign +1) or uncounts it (sign -1).
func (c counts) addService(sign int) {
	k := countKey{kind: platform.CountedServices}
	delta := c[k]
	delta.total += sign
	c[k] = delta
}

// ops are the writes of the counts that change, on one shard chosen at random.
func (s *Store) countOps(c counts) []writeOp {
	keys := make([]countKey, 0, len(c))
	for k, d := range c {
		if d != (countDelta{}) {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return countSK(keys[i], 0) < countSK(keys[j], 0) })
	shard := rand.IntN(countShards)
	ops := make([]writeOp, 0, len(keys))
	for _, k := range keys {
		d := c[k]
		what := fmt.Sprintf("count of %s %s %s", k.kind, k.template, k.version)
		ops = append(ops, writeOp{
			update: &types.Update{
				TableName:        &s.table,
				Key:              key(pkCounts, countSK(k, shard)),
				UpdateExpression: aws.String("ADD #total :total, #failed :failed, #deploying :deploying SET #kind = :kind, #template = :template, #major = :major, #minor = :minor"),
				ExpressionAttributeNames: map[string]string{"#total": "total", "#failed": "failed", "#deploying": attrDeploying, "#kind": "kind",
					"#template": "templateName", "#major": "major", "#minor": "minor"},
				ExpressionAttributeValues: map[string]types.AttributeValue{
					":total": number(int64(d.total)), ":failed": number(int64(d.failed)), ":deploying": number(int64(d.deploying)),
					":kind": &types.AttributeValueMemberS{Value: string(k.kind)}, ":template": &types.AttributeValueMemberS{Value: k.template},
					":major": number(int64(k.version.Major)), ":minor": number(int64(k.version.Minor)),
				},
			},
			what:   what,
			failed: func(map[string]types.AttributeValue) error { return changed(what) },
		})
	}
	return ops
}

// withCounts appends the writes of c to ops.
func (s *Store) withCounts(ops []writeOp, c counts) []writeOp { return append(ops, s.countOps(c)...) }

// mirrorTemplate is the write of t's recommended version into the counts partition.
func (s *Store) mirrorTemplate(t platform.Template) (writeOp, error) {
	what := templateWhat(t.Kind, t.Name) + " recommendation"
	av, err := attributevalue.MarshalMap(recommendedItem{itemKeys: itemKeys{PK: pkCounts, SK: recommendedSK(t.Kind, t.Name)},
		Kind: string(t.Kind), Name: t.Name, RecommendedMajor: t.Recommended.Major, RecommendedMinor: t.Recommended.Minor})
	if err != nil {
		return writeOp{}, fmt.Errorf("store: encode %s: %w", what, err)
	}
	return writeOp{put: &types.Put{TableName: &s.table, Item: av}, what: what,
		failed: func(map[string]types.AttributeValue) error { return changed(what) }}, nil
}

// unmirrorTemplate is the removal of a template's mirror.
func (s *Store) unmirrorTemplate(kind platform.TemplateKind, name string) writeOp {
	what := templateWhat(kind, name) + " recommendation"
	return writeOp{delete: &types.Delete{TableName: &s.table, Key: key(pkCounts, recommendedSK(kind, name))}, what: what,
		failed: func(map[string]types.AttributeValue) error { return changed(what) }}
}

// GetEstateCounts returns the estate's counts by kind and template version, and every
// template's recommended version: one consistent Query of the counts partition (more only
// when it outgrows a 1 MB page, which takes thousands of template versions in use), never
// a Scan, whatever the size of the estate. Internal on failure.
func (s *Store) GetEstateCounts(ctx context.Context) (platform.EstateCounts, error) {
	out := platform.EstateCounts{Recommended: map[platform.TemplateKind]map[string]platform.Version{}}
	buckets := map[countKey]*platform.CountBucket{}
	var order []countKey
	var start map[string]types.AttributeValue
	for {
		res, err := s.client.Query(ctx, &dynamodb.QueryInput{
			TableName:              &s.table,
			KeyConditionExpression: aws.String("#pk = :pk"),
			ExpressionAttributeNames: map[string]string{"#pk": attrPK, "#sk": attrSK, "#total": "total", "#failed": "failed",
				"#rmajor": "recommendedMajor", "#rminor": "recommendedMinor"},
			ExpressionAttributeValues: map[string]types.AttributeValue{":pk": &types.AttributeValueMemberS{Value: pkCounts}},
			ProjectionExpression:      aws.String("#sk, #total, #failed, #rmajor, #rminor"),
			ConsistentRead:            aws.Bool(true),
			ExclusiveStartKey:         start,
		})
		if err != nil {
			return out, fmt.Errorf("store: read the estate's counts: %w", err)
		}
		for _, raw := range res.Items {
			if err := readCountItem(raw, &out, buckets, &order); err != nil {
				return out, err
			}
		}
		if len(res.LastEvaluatedKey) == 0 {
			break
		}
		start = res.LastEvaluatedKey
	}
	for _, k := range order {
		if b := buckets[k]; b.Total != 0 || b.Failed != 0 {
			out.Buckets = append(out.Buckets, *b)
		}
	}
	return out, nil
}

// deployable is the stored target's shared state.
func (st *storedTarget) deployable() platform.Deployable {
	var p times
	return st.deployableItem.domain(&p)
}

// countStart counts deployment d starting on its stored target: the target's status
// becomes d's (a failed target stops counting as failed).
func countStart(c counts, d platform.Deployment, stored *storedTarget) {
	if stored == nil {
		return // the write fails: the target is gone
	}
	before := stored.deployable()
	after := before
	after.DeploymentStatus = d.Status
	c.change(d.Target.Kind, before, after)
}

func addedTarget(added []platform.ServiceInstance, t platform.Target) bool {
	for _, in := range added {
		if instanceTarget(in) == t {
			return true
		}
	}
	return false
}

// readTargets reads the stored deployment targets (at most 100, complete ones; others are
// left out) in one consistent request; a target that is gone is absent from the result.
func (s *Store) readTargets(ctx context.Context, targets []platform.Target) (map[platform.Target]*storedTarget, error) {
	out := map[platform.Target]*storedTarget{}
	var gets []types.TransactGetItem
	var asked []platform.Target
	seen := map[platform.Target]bool{}
	for _, t := range targets {
		pk, sk, err := targetItemKey(t)
		if err != nil || seen[t] {
			continue
		}
		seen[t] = true
		gets = append(gets, types.TransactGetItem{Get: &types.Get{TableName: &s.table, Key: key(pk, sk)}})
		asked = append(asked, t)
	}
	if len(gets) == 0 {
		return out, nil
	}
	var items []map[string]types.AttributeValue
	if len(gets) == 1 {
		res, err := s.client.GetItem(ctx, &dynamodb.GetItemInput{TableName: &s.table, Key: gets[0].Get.Key, ConsistentRead: aws.Bool(true)})
		if err != nil {
			return nil, fmt.Errorf("store: read %s: %w", targetWhat(asked[0]), err)
		}
		items = append(items, res.Item)
	} else {
		res, err := s.client.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: gets})
		if err != nil {
			return nil, fmt.Errorf("store: read deployment targets: %w", err)
		}
		for _, r := range res.Responses {
			items = append(items, r.Item)
		}
	}
	for i, raw := range items {
		if i >= len(asked) || raw == nil {
			continue
		}
		st := &storedTarget{raw: raw}
		if err := attributevalue.UnmarshalMap(raw, &st.deployableItem); err != nil {
			return nil, fmt.Errorf("store: decode %s: %w", targetWhat(asked[i]), err)
		}
		out[asked[i]] = st
	}
	return out, nil
}

// readCountItem adds one item of the counts partition (its key, counts and recommended
// version only) to out: a count shard to its bucket, a template's mirror to Recommended.
// The key says the rest (names never hold '#').
func readCountItem(raw map[string]types.AttributeValue, out *platform.EstateCounts, buckets map[countKey]*platform.CountBucket, order *[]countKey) error {
	sk, _ := raw[attrSK].(*types.AttributeValueMemberS)
	if sk == nil {
		return nil
	}
	num := func(name string) (int, error) {
		n, ok := raw[name].(*types.AttributeValueMemberN)
		if !ok {
			return 0, nil
		}
		v, err := strconv.Atoi(n.Value)
		if err != nil {
			return 0, fmt.Errorf("store: count item %s: %s %q: %w", sk.Value, name, n.Value, err)
		}
		return v, nil
	}
	if rest, ok := strings.CutPrefix(sk.Value, prefixRecommended); ok {
		kind, name, _ := strings.Cut(rest, "#")
		major, err := num("recommendedMajor")
		if err != nil {
			return err
		}
		minor, err := num("recommendedMinor")
		if err != nil {
			return err
		}
		tk := platform.TemplateKind(kind)
		if out.Recommended[tk] == nil {
			out.Recommended[tk] = map[string]platform.Version{}
		}
		out.Recommended[tk][name] = platform.Version{Major: major, Minor: minor}
		return nil
	}
	rest, ok := strings.CutPrefix(sk.Value, prefixCount)
	parts := strings.Split(rest, "#")
	if !ok || len(parts) != 5 {
		return nil
	}
	major, err1 := strconv.Atoi(parts[2])
	minor, err2 := strconv.Atoi(parts[3])
	if err1 != nil || err2 != nil {
		return fmt.Errorf("store: count item %s: bad version", sk.Value)
	}
	total, err := num("total")
	if err != nil {
		return err
	}
	failed, err := num("failed")
	if err != nil {
		return err
	}
	k := countKey{kind: platform.CountedKind(parts[0]), template: parts[1], version: platform.Version{Major: major, Minor: minor}}
	b := buckets[k]
	if b == nil {
		b = &platform.CountBucket{Kind: k.kind, Template: k.template, Version: k.version}
		buckets[k] = b
		*order = append(*order, k)
	}
	b.Total += total
	b.Failed += failed
	return nil
}

// versionUnused are the checks that nothing runs or is being deployed to version v of a
// template (every count shard of the kinds that run it), for DeleteTemplateVersion.
func (s *Store) versionUnused(kind platform.TemplateKind, name string, v platform.Version) []writeOp {
	kinds := []platform.CountedKind{platform.CountedEnvironments}
	if kind == platform.ServiceTemplate {
		kinds = []platform.CountedKind{platform.CountedServiceInstances, platform.CountedPipelines}
	}
	what := versionWhat(kind, name, v)
	var ops []writeOp
	for _, k := range kinds {
		for shard := range countShards {
			ops = append(ops, writeOp{
				check: &types.ConditionCheck{
					TableName:                 &s.table,
					Key:                       key(pkCounts, countSK(countKey{kind: k, template: name, version: v}, shard)),
					ConditionExpression:       aws.String("(attribute_not_exists(#total) OR #total = :zero) AND (attribute_not_exists(#deploying) OR #deploying = :zero)"),
					ExpressionAttributeNames:  map[string]string{"#total": "total", "#deploying": attrDeploying},
					ExpressionAttributeValues: map[string]types.AttributeValue{":zero": number(0)},
				},
				what: what,
				failed: func(map[string]types.AttributeValue) error {
					return platform.Errorf(platform.Conflict, "%s is in use: something runs it or is being deployed to it", what)
				},
			})
		}
	}
	return ops
}

// A deleted template version leaves a tombstone (TEMPLATE#<kind>#<name> /
// DELETED#<version sk>) for tombstoneTTL, written in DeleteTemplateVersion's transaction
// and removed by a registration that takes the number again; every write that starts a
// deployment checks that the version it deploys has none. With the counts
// DeleteTemplateVersion checks, a deletion and a create or deployment racing on one
// version cannot both succeed: whichever commits second fails on the other's write (or
// they conflict, and the one retried then fails).
const (
	prefixTombstone = "DELETED#"
	tombstoneTTL    = 24 * time.Hour
)

func tombstoneSK(v platform.Version) string { return prefixTombstone + versionSK(v) }

// tombstone is the write of version v's tombstone.
func (s *Store) tombstone(kind platform.TemplateKind, name string, v platform.Version) writeOp {
	what := versionWhat(kind, name, v) + " tombstone"
	return writeOp{put: &types.Put{TableName: &s.table, Item: map[string]types.AttributeValue{
		attrPK: &types.AttributeValueMemberS{Value: templatePK(kind, name)}, attrSK: &types.AttributeValueMemberS{Value: tombstoneSK(v)},
		attrExpiresAt: number(s.Now().Add(tombstoneTTL).Unix()),
	}}, what: what, failed: func(map[string]types.AttributeValue) error { return changed(what) }}
}

// untombstone removes version v's tombstone, if any.
func (s *Store) untombstone(kind platform.TemplateKind, name string, v platform.Version) writeOp {
	what := versionWhat(kind, name, v) + " tombstone"
	return writeOp{delete: &types.Delete{TableName: &s.table, Key: key(templatePK(kind, name), tombstoneSK(v))},
		what: what, failed: func(map[string]types.AttributeValue) error { return changed(what) }}
}

// versionNotDeleted are the checks that the template versions the deployments in ds
// deploy were not deleted (one per version): NotFound naming the version otherwise.
// Components have no template version.
func (s *Store) versionNotDeleted(ds ...platform.Deployment) []writeOp {
	seen := map[countKey]bool{}
	var ops []writeOp
	for _, d := range ds {
		if d.Target.Kind == platform.ComponentTarget || d.TemplateName == "" || d.TemplateVersion.IsZero() {
			continue
		}
		kind := platform.ServiceTemplate
		if d.Target.Kind == platform.EnvironmentTarget {
			kind = platform.EnvironmentTemplate
		}
		k := countKey{kind: platform.CountedKind(kind), template: d.TemplateName, version: d.TemplateVersion}
		if seen[k] {
			continue
		}
		seen[k] = true
		what := versionWhat(kind, d.TemplateName, d.TemplateVersion)
		ops = append(ops, writeOp{
			check: &types.ConditionCheck{
				TableName:                &s.table,
				Key:                      key(templatePK(kind, d.TemplateName), tombstoneSK(d.TemplateVersion)),
				ConditionExpression:      aws.String("attribute_not_exists(#pk)"),
				ExpressionAttributeNames: map[string]string{"#pk": attrPK},
			},
			what: what,
			failed: func(map[string]types.AttributeValue) error {
				return platform.Errorf(platform.NotFound, "%s was deleted", what)
			},
		})
	}
	return ops
}
