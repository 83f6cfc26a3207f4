package cloudformation

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/gantry-platform/gantry/internal/platform"
)

// ListResources returns one page of the resources of the stack named stackName (or a
// stack ARN, which names its account) with ListStackResources, starting at nextToken
// (CloudFormation's own token; "" for the first page). Errors: NotFound when there is no
// such stack (a deleted stack is addressed by its ARN only, as CloudFormation does);
// Invalid when CloudFormation refuses the token; Internal otherwise (throttling marked
// as worth retrying).
func (p *Provisioner) ListResources(ctx context.Context, stackName, nextToken string) (platform.StackResourcePage, error) {
	if stackName == "" {
		return platform.StackResourcePage{}, platform.Errorf(platform.Invalid, "listing a stack's resources needs the stack's name")
	}
	api, err := p.stackClient(stackName)
	if err != nil {
		return platform.StackResourcePage{}, err
	}
	in := &cfn.ListStackResourcesInput{StackName: aws.String(stackName)}
	if nextToken != "" {
		in.NextToken = aws.String(nextToken)
	}
	out, err := api.ListStackResources(ctx, in)
	switch {
	case notFound(err):
		return platform.StackResourcePage{}, platform.Errorf(platform.NotFound, "stack %s does not exist", stackName)
	case err != nil && nextToken != "" && isCode(err, "ValidationError"):
		return platform.StackResourcePage{}, platform.FieldErrorf("nextToken", "CloudFormation refused the token: %s", message(err))
	case err != nil:
		return platform.StackResourcePage{}, stackError("ListStackResources", stackName, err)
	}
	page := platform.StackResourcePage{NextToken: aws.ToString(out.NextToken)}
	for _, r := range out.StackResourceSummaries {
		page.Resources = append(page.Resources, platform.StackResource{
			LogicalID:    aws.ToString(r.LogicalResourceId),
			PhysicalID:   aws.ToString(r.PhysicalResourceId),
			Type:         aws.ToString(r.ResourceType),
			Status:       string(r.ResourceStatus),
			StatusReason: aws.ToString(r.ResourceStatusReason),
		})
	}
	return page, nil
}
