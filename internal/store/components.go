package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/feature/dynamodb/attributevalue"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb/types"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Components live in a partition of their own (COMPONENT#<name>), on gsi1 under
// COMPONENTS (every component by name) and on gsi2 under ENV_COMPONENTS#<environment>.
// An attached component is also linked from its service's partition
// (SVC#<service>, COMPONENT#<instance>): the link makes "one component per instance" a
// key condition and lists a service's components with a consistent Query.

const (
	skComponent         = "COMPONENT"
	prefixComponentLink = "COMPONENT#"
	gsi1ComponentsPK    = "COMPONENTS"
)

func componentPK(name string) string { return "COMPONENT#" + name }

func componentLinkSK(instance string) string { return prefixComponentLink + instance }

func environmentComponentsGSI2PK(environment string) string { return "ENV_COMPONENTS#" + environment }

func componentWhat(name string) string { return fmt.Sprintf("component %q", name) }

type componentItem struct {
	itemKeys
	Name                   string `dynamodbav:"name"`
	Description            string `dynamodbav:"description,omitempty"`
	Environment            string `dynamodbav:"environment"`
	Service                string `dynamodbav:"service,omitempty"`
	Instance               string `dynamodbav:"instance,omitempty"`
	ServiceSpec            string `dynamodbav:"serviceSpec,omitempty"`
	Manifest               string `dynamodbav:"manifest"`
	TemplateFile           string `dynamodbav:"templateFile"`
	LastClientRequestToken string `dynamodbav:"lastClientRequestToken,omitempty"`
	UpdatedAt              string `dynamodbav:"updatedAt,omitempty"`
	deployableItem
}

// componentLinkItem ties a service instance to its component.
type componentLinkItem struct {
	itemKeys
	Component string `dynamodbav:"component"`
}

func newComponentItem(c platform.Component) componentItem {
	return componentItem{
		itemKeys: itemKeys{PK: componentPK(c.Name), SK: skComponent, GSI1PK: gsi1ComponentsPK, GSI1SK: c.Name,
			GSI2PK: environmentComponentsGSI2PK(c.Environment), GSI2SK: c.Name},
		Name: c.Name, Description: c.Description, Environment: c.Environment, Service: c.Service, Instance: c.Instance,
		ServiceSpec: c.ServiceSpec, Manifest: c.Manifest, TemplateFile: c.TemplateFile,
		LastClientRequestToken: c.LastClientRequestToken, UpdatedAt: formatTime(c.UpdatedAt),
		deployableItem: newDeployableItem(c.Deployable),
	}
}

func (it componentItem) domain() (platform.Component, error) {
	var p times
	c := platform.Component{Name: it.Name, Description: it.Description, Environment: it.Environment,
		Service: it.Service, Instance: it.Instance, ServiceSpec: it.ServiceSpec, Manifest: it.Manifest,
		TemplateFile: it.TemplateFile, LastClientRequestToken: it.LastClientRequestToken,
		UpdatedAt: p.parse(it.UpdatedAt), Deployable: it.deployableItem.domain(&p)}
	return c, p.err
}

// CreateComponent stores a new component with its first deployment d (and the client
// token, when not nil) atomically, each with Revision 1; the component is marked as
// StartDeployment marks a target. An attached component needs its service instance to
// exist (NotFound otherwise) and to have no component yet (Conflict). Conflict also when
// the name, the deployment id or the client token is taken; Invalid when d does not
// target the component.
func (s *Store) CreateComponent(ctx context.Context, c platform.Component, d platform.Deployment, token *platform.ClientToken) error {
	if d.Target != c.Target() {
		return platform.FieldErrorf("deployment.target", "%s is not component %q", d.Target, c.Name)
	}
	c.Revision = 1
	markStarted(&c.Deployable, d)
	op, err := s.putNew(newComponentItem(c), componentWhat(c.Name))
	if err != nil {
		return err
	}
	ops := []writeOp{op}
	if c.Attached() {
		link, err := s.linkComponent(c)
		if err != nil {
			return err
		}
		ops = append(ops, link...)
	}
	d.Revision = 1
	dop, err := s.putNew(newDeploymentItem(d), deploymentWhat(d.ID))
	if err != nil {
		return err
	}
	ops = append(ops, dop)
	c2 := counts{}
	c2.add(platform.ComponentTarget, c.Deployable, +1)
	ops, err = s.withToken(s.withCounts(ops, c2), token)
	if err != nil {
		return err
	}
	return s.write(ctx, "create component", ops...)
}

// linkComponent writes the link of an attached component, on the condition that its
// instance exists and has none.
func (s *Store) linkComponent(c platform.Component) ([]writeOp, error) {
	inst := targetWhat(platform.Target{Kind: platform.ServiceInstanceTarget, Service: c.Service, Instance: c.Instance})
	link, err := s.putNew(componentLinkItem{itemKeys: itemKeys{PK: servicePK(c.Service), SK: componentLinkSK(c.Instance)}, Component: c.Name}, inst+" component")
	if err != nil {
		return nil, err
	}
	link.failed = func(old map[string]types.AttributeValue) error {
		var it componentLinkItem
		_ = attributevalue.UnmarshalMap(old, &it)
		return platform.Errorf(platform.Conflict, "%s already has a component (%s); a service instance has at most one", inst, it.Component)
	}
	check := writeOp{
		check: &types.ConditionCheck{TableName: &s.table, Key: key(servicePK(c.Service), instanceSK(c.Instance)),
			ConditionExpression: aws.String("attribute_exists(#pk)"), ExpressionAttributeNames: map[string]string{"#pk": attrPK}},
		what:   inst,
		failed: func(map[string]types.AttributeValue) error { return notFound(inst) },
	}
	return []writeOp{link, check}, nil
}

// unlinkComponent removes the link of a stored component item, when it is attached.
func (s *Store) unlinkComponent(raw map[string]types.AttributeValue) []writeOp {
	var it componentItem
	if err := attributevalue.UnmarshalMap(raw, &it); err != nil || it.Instance == "" {
		return nil
	}
	what := componentWhat(it.Name) + " link"
	return []writeOp{{delete: &types.Delete{TableName: &s.table, Key: key(servicePK(it.Service), componentLinkSK(it.Instance))},
		what: what, failed: func(map[string]types.AttributeValue) error { return changed(what) }}}
}

// relinkComponent returns the writes that move c's link from the instance it is stored
// attached to onto the one c names, none when they are the same. The stored item is read
// here; UpdateComponent's revision check makes the transaction fail if it changed since.
func (s *Store) relinkComponent(ctx context.Context, c platform.Component) ([]writeOp, error) {
	stored, err := s.GetComponent(ctx, c.Name)
	if err != nil {
		return nil, err
	}
	if stored.Service == c.Service && stored.Instance == c.Instance {
		return nil, nil
	}
	var ops []writeOp
	if stored.Attached() {
		what := componentWhat(c.Name) + " link"
		ops = append(ops, writeOp{delete: &types.Delete{TableName: &s.table, Key: key(servicePK(stored.Service), componentLinkSK(stored.Instance))},
			what: what, failed: func(map[string]types.AttributeValue) error { return changed(what) }})
	}
	if c.Attached() {
		link, err := s.linkComponent(c)
		if err != nil {
			return nil, err
		}
		ops = append(ops, link...)
	}
	return ops, nil
}

// GetComponent returns a component; NotFound if there is none.
func (s *Store) GetComponent(ctx context.Context, name string) (platform.Component, error) {
	var it componentItem
	if err := s.get(ctx, componentPK(name), skComponent, &it, componentWhat(name)); err != nil {
		return platform.Component{}, err
	}
	return it.domain()
}

// GetInstanceComponent returns the component attached to a service instance; NotFound
// if it has none.
func (s *Store) GetInstanceComponent(ctx context.Context, service, instance string) (platform.Component, error) {
	var link componentLinkItem
	what := fmt.Sprintf("component of service instance %q", service+"/"+instance)
	if err := s.get(ctx, servicePK(service), componentLinkSK(instance), &link, what); err != nil {
		return platform.Component{}, err
	}
	return s.GetComponent(ctx, link.Component)
}

// UpdateComponent saves c, checked on its Revision, and, when d is not nil, starts d as
// StartDeployment does, atomically: c is marked with d, and the write fails with Conflict
// while c has a deployment in progress. A c attached elsewhere than stored is moved in the
// same transaction: the old instance's link goes, the new one's is written (Conflict when
// that instance has a component, NotFound when it does not exist). NotFound when c is gone; Conflict when its stored
// Revision differs or the client token is taken; Invalid when d does not target c.
func (s *Store) UpdateComponent(ctx context.Context, c platform.Component, d *platform.Deployment, token *platform.ClientToken) error {
	what := componentWhat(c.Name)
	revision := c.Revision
	c.Revision++
	before := c.Deployable // as stored at revision, which the write checks
	if d != nil {
		if d.Target != c.Target() {
			return platform.FieldErrorf("deployment.target", "%s is not component %q", d.Target, c.Name)
		}
		markStarted(&c.Deployable, *d)
	}
	op, err := s.putRevised(newComponentItem(c), revision, what)
	if err != nil {
		return err
	}
	ops := []writeOp{op}
	if d != nil {
		// Not while a deployment is in progress: the stored status must be a final one.
		op.put.ConditionExpression = aws.String(*op.put.ConditionExpression + " AND NOT #status IN (:inProgress, :deleteInProgress, :cancelling)")
		op.put.ExpressionAttributeNames["#status"] = attrDeploymentStatus
		for k, v := range map[string]platform.DeploymentStatus{":inProgress": platform.InProgress, ":deleteInProgress": platform.DeleteInProgress, ":cancelling": platform.Cancelling} {
			op.put.ExpressionAttributeValues[k] = &types.AttributeValueMemberS{Value: string(v)}
		}
		op.failed = func(old map[string]types.AttributeValue) error {
			if old == nil {
				return notFound(what)
			}
			var it deployableItem
			if err := attributevalue.UnmarshalMap(old, &it); err == nil && platform.DeploymentStatus(it.DeploymentStatus).Active() {
				return platform.Errorf(platform.Conflict, "component %s has a deployment in progress", c.Name)
			}
			return changed(what)
		}
		ops[0] = op
		dd := *d
		dd.Revision = 1
		dop, err := s.putNew(newDeploymentItem(dd), deploymentWhat(d.ID))
		if err != nil {
			return err
		}
		ops = append(ops, dop)
	}
	relinked, err := s.relinkComponent(ctx, c)
	if err != nil {
		return err
	}
	ops = append(ops, relinked...)
	moved := counts{}
	moved.change(platform.ComponentTarget, before, c.Deployable)
	ops, err = s.withToken(s.withCounts(ops, moved), token)
	if err != nil {
		return err
	}
	return s.write(ctx, "update component", ops...)
}

// ListComponents lists components by name: every one, those in an environment (attached
// or not), those attached to a service's instances, or the one of a service instance, as
// f says. Invalid for a bad page token or an instance without its service.
func (s *Store) ListComponents(ctx context.Context, f platform.ComponentFilter, page platform.PageRequest) (platform.Page[platform.Component], error) {
	switch {
	case f.Instance != "" && f.Service == "":
		return platform.Page[platform.Component]{}, platform.FieldErrorf("serviceName", "is required with serviceInstanceName")
	case f.Instance != "":
		c, err := s.GetInstanceComponent(ctx, f.Service, f.Instance)
		if platform.KindOf(err) == platform.NotFound {
			return platform.Page[platform.Component]{Items: []platform.Component{}}, nil
		}
		if err != nil || (f.Environment != "" && c.Environment != f.Environment) {
			return platform.Page[platform.Component]{Items: []platform.Component{}}, err
		}
		return platform.Page[platform.Component]{Items: []platform.Component{c}}, nil
	case f.Service != "":
		q := listQuery{partition: servicePK(f.Service), prefix: prefixComponentLink, what: "components of service " + f.Service}
		links, err := list(ctx, s, q, page, func(it componentLinkItem) (string, error) { return it.Component, nil })
		if err != nil {
			return platform.Page[platform.Component]{}, err
		}
		out := platform.Page[platform.Component]{NextToken: links.NextToken}
		out.Items, err = s.getComponents(ctx, links.Items)
		if err != nil {
			return out, err
		}
		if f.Environment != "" {
			kept := out.Items[:0]
			for _, c := range out.Items {
				if c.Environment == f.Environment {
					kept = append(kept, c)
				}
			}
			out.Items = kept
		}
		return out, nil
	case f.Environment != "":
		q := listQuery{index: "gsi2", partition: environmentComponentsGSI2PK(f.Environment), what: "components of environment " + f.Environment}
		return list(ctx, s, q, page, componentItem.domain)
	}
	q := listQuery{index: "gsi1", partition: gsi1ComponentsPK, what: "components"}
	return list(ctx, s, q, page, componentItem.domain)
}

// getComponents reads named components (at most 100) in one request, in the order given;
// those deleted meanwhile are left out.
func (s *Store) getComponents(ctx context.Context, names []string) ([]platform.Component, error) {
	out := make([]platform.Component, 0, len(names))
	if len(names) == 0 {
		return out, nil
	}
	gets := make([]types.TransactGetItem, len(names))
	for i, n := range names {
		gets[i] = types.TransactGetItem{Get: &types.Get{TableName: &s.table, Key: key(componentPK(n), skComponent)}}
	}
	res, err := s.client.TransactGetItems(ctx, &dynamodb.TransactGetItemsInput{TransactItems: gets})
	if err != nil {
		return nil, fmt.Errorf("store: get components: %w", err)
	}
	for _, r := range res.Responses {
		if r.Item == nil {
			continue
		}
		var it componentItem
		if err := attributevalue.UnmarshalMap(r.Item, &it); err != nil {
			return nil, fmt.Errorf("store: decode component: %w", err)
		}
		c, err := it.domain()
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// ListInstanceComponentLinks returns the names of the components attached to service's
// instances, by instance name; an instance without a component is not in it. One Query
// per hundred links.
func (s *Store) ListInstanceComponentLinks(ctx context.Context, service string) (map[string]string, error) {
	out := map[string]string{}
	q := listQuery{partition: servicePK(service), prefix: prefixComponentLink, what: "component links of service " + service}
	page := platform.PageRequest{Limit: MaxPageSize}
	for {
		links, err := list(ctx, s, q, page, func(it componentLinkItem) (componentLinkItem, error) { return it, nil })
		if err != nil {
			return nil, err
		}
		for _, it := range links.Items {
			out[strings.TrimPrefix(it.SK, prefixComponentLink)] = it.Component
		}
		if links.NextToken == "" {
			return out, nil
		}
		page.NextToken = links.NextToken
	}
}
