package cloudformation

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/gantry-platform/gantry/internal/platform"
)

var _ platform.StackLister = (*Provisioner)(nil)

// maxStackPages bounds how many pages of DescribeStacks ListStacks reads (100 stacks a
// page).
const maxStackPages = 200

// ListStacks returns the home account's live stacks whose name starts with prefix, with
// their tags and outputs, from every page of DescribeStacks. Errors: Internal.
func (p *Provisioner) ListStacks(ctx context.Context, prefix string) ([]platform.Stack, error) {
	var out []platform.Stack
	var next *string
	for n := 0; n < maxStackPages; n++ {
		page, err := p.home.DescribeStacks(ctx, &cfn.DescribeStacksInput{NextToken: next})
		if err != nil {
			return nil, stackError("DescribeStacks", prefix+"*", err)
		}
		for _, s := range page.Stacks {
			if !strings.HasPrefix(aws.ToString(s.StackName), prefix) || s.StackStatus == types.StackStatusDeleteComplete {
				continue
			}
			st := platform.Stack{StackID: aws.ToString(s.StackId), StackName: aws.ToString(s.StackName), Status: string(s.StackStatus),
				StatusReason: aws.ToString(s.StackStatusReason), Tags: map[string]string{}}
			for _, t := range s.Tags {
				st.Tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			for _, o := range s.Outputs {
				st.Outputs = append(st.Outputs, platform.Output{Key: aws.ToString(o.OutputKey), Value: aws.ToString(o.OutputValue)})
			}
			out = append(out, st)
		}
		if next = page.NextToken; aws.ToString(next) == "" {
			return out, nil
		}
	}
	return nil, platform.Errorf(platform.Internal, "more than %d pages of stacks", maxStackPages)
}

// GetTemplate returns the stack's template as it was submitted (stage Original). Errors:
// NotFound when there is no such stack, Internal otherwise.
func (p *Provisioner) GetTemplate(ctx context.Context, stackName string) ([]byte, error) {
	api, err := p.stackClient(stackName)
	if err != nil {
		return nil, err
	}
	t, err := api.GetTemplate(ctx, &cfn.GetTemplateInput{StackName: aws.String(stackName), TemplateStage: types.TemplateStageOriginal})
	if notFound(err) {
		return nil, platform.Errorf(platform.NotFound, "stack %s does not exist", stackName)
	}
	if err != nil {
		return nil, stackError("GetTemplate", stackName, err)
	}
	return []byte(aws.ToString(t.TemplateBody)), nil
}
