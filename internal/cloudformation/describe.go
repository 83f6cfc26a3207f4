package cloudformation

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation/types"

	"github.com/gantry-platform/gantry/internal/awsevents"
	"github.com/gantry-platform/gantry/internal/platform"
)

// maxEventPages bounds how far back Describe reads a stack's events for the latest
// operation (CloudFormation returns them newest first, about 100 a page).
const maxEventPages = 10

// Describe returns the stack named stackName (or a stack ARN, which names its account)
// with its outputs and, from its events, the client request token of the latest operation
// and, when that operation failed, its first failure: the earliest *_FAILED event of the
// operation, as "LogicalId (Type): reason". Errors: NotFound when there is no such stack,
// Internal otherwise.
func (p *Provisioner) Describe(ctx context.Context, stackName string) (platform.Stack, error) {
	api, err := p.stackClient(stackName)
	if err != nil {
		return platform.Stack{}, err
	}
	s, err := describeStack(ctx, api, stackName)
	if err != nil {
		return platform.Stack{}, err
	}
	stack := platform.Stack{
		StackID:      aws.ToString(s.StackId),
		StackName:    aws.ToString(s.StackName),
		Status:       string(s.StackStatus),
		StatusReason: aws.ToString(s.StackStatusReason),
	}
	for _, tag := range s.Tags {
		if stack.Tags == nil {
			stack.Tags = map[string]string{}
		}
		stack.Tags[aws.ToString(tag.Key)] = aws.ToString(tag.Value)
	}
	for _, o := range s.Outputs {
		stack.Outputs = append(stack.Outputs, platform.Output{Key: aws.ToString(o.OutputKey), Value: aws.ToString(o.OutputValue)})
	}
	failed := awsevents.ClassifyStackStatus(stack.Status) == awsevents.Failed
	op, err := latestOperation(ctx, api, s, failed)
	if err != nil {
		return platform.Stack{}, err
	}
	stack.LastClientRequestToken = op.token
	if failed && op.firstFailure != "" {
		stack.StatusReason = op.firstFailure
	}
	return stack, nil
}

// describeStack returns the stack; NotFound when CloudFormation says it does not exist.
func describeStack(ctx context.Context, api API, stackName string) (types.Stack, error) {
	out, err := api.DescribeStacks(ctx, &cfn.DescribeStacksInput{StackName: aws.String(stackName)})
	if notFound(err) {
		return types.Stack{}, platform.Errorf(platform.NotFound, "stack %s does not exist", stackName)
	}
	if err != nil {
		return types.Stack{}, stackError("DescribeStacks", stackName, err)
	}
	if len(out.Stacks) == 0 {
		return types.Stack{}, platform.Errorf(platform.NotFound, "stack %s does not exist", stackName)
	}
	return out.Stacks[0], nil
}

// operation is what the events tell of a stack's latest operation.
type operation struct {
	token        string
	firstFailure string
}

// latestOperation reads the stack's events, newest first: the newest event's client
// request token is the latest operation's; with failures, it reads on to the operation's
// start (the stack's own *_IN_PROGRESS event that begins it, or an event of another
// token) and keeps the earliest failure.
func latestOperation(ctx context.Context, api API, stack types.Stack, failures bool) (operation, error) {
	var op operation
	var next *string
	seen := false
	for range maxEventPages {
		out, err := api.DescribeStackEvents(ctx, &cfn.DescribeStackEventsInput{StackName: stack.StackId, NextToken: next})
		if err != nil {
			return operation{}, stackError("DescribeStackEvents", aws.ToString(stack.StackName), err)
		}
		for _, e := range out.StackEvents {
			token := aws.ToString(e.ClientRequestToken)
			if !seen {
				op.token, seen = token, true
				if !failures {
					return op, nil
				}
			}
			if token != op.token {
				return op, nil
			}
			if strings.HasSuffix(string(e.ResourceStatus), "_FAILED") && aws.ToString(e.ResourceStatusReason) != "" {
				op.firstFailure = aws.ToString(e.LogicalResourceId) + " (" + aws.ToString(e.ResourceType) + "): " + aws.ToString(e.ResourceStatusReason)
			}
			if startsOperation(e, stack) {
				return op, nil
			}
		}
		if out.NextToken == nil {
			break
		}
		next = out.NextToken
	}
	return op, nil
}

// startsOperation reports the event with which the stack itself began an operation.
func startsOperation(e types.StackEvent, stack types.Stack) bool {
	if aws.ToString(e.ResourceType) != "AWS::CloudFormation::Stack" || aws.ToString(e.PhysicalResourceId) != aws.ToString(stack.StackId) {
		return false
	}
	switch e.ResourceStatus {
	case types.ResourceStatusCreateInProgress, types.ResourceStatusUpdateInProgress, types.ResourceStatusDeleteInProgress,
		types.ResourceStatusImportInProgress:
		return true
	}
	return false
}
