package cloudformation

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	cfn "github.com/aws/aws-sdk-go-v2/service/cloudformation"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Cancel cancels the update in progress on the stack named stackName (or a stack ARN,
// which names its account) with CancelUpdateStack and token as its client request token,
// so that the rollback's events carry the deployment's id. CloudFormation then rolls the
// stack back to its previous template (UPDATE_ROLLBACK_COMPLETE). A repeated call with the
// same token that CloudFormation reports as already made (TokenAlreadyExistsException) is a
// success. Errors: Conflict when the stack is not UPDATE_IN_PROGRESS (being created or
// deleted, or with no operation running), with CloudFormation's message; NotFound when
// there is no such stack; Internal otherwise (throttling marked as worth retrying).
func (p *Provisioner) Cancel(ctx context.Context, stackName, token string) error {
	if stackName == "" {
		return platform.Errorf(platform.Invalid, "cancelling a stack update needs the stack's name")
	}
	api, err := p.stackClient(stackName)
	if err != nil {
		return err
	}
	in := &cfn.CancelUpdateStackInput{StackName: aws.String(stackName)}
	if token != "" {
		in.ClientRequestToken = aws.String(token)
	}
	_, err = api.CancelUpdateStack(ctx, in)
	switch {
	case err == nil, isCode(err, "TokenAlreadyExistsException"):
		return nil
	case notFound(err):
		return platform.Errorf(platform.NotFound, "stack %s does not exist", stackName)
	case cannotCancel(err):
		return platform.Errorf(platform.Conflict, "stack %s: %s (CloudFormation cancels only an update in progress)", stackName, message(err))
	}
	return stackError("CancelUpdateStack", stackName, err)
}
