package stacks

import (
	"fmt"
	"sort"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gantry-platform/gantry/statemachines"
)

// WorkflowProps configures NewWorkflow.
type WorkflowProps struct {
	// Functions are Gantry's functions by logical name; the workflow invokes those its
	// definition substitutes.
	Functions map[string]*Function
	// Kind names the workflow, "deployment" (default) or "sync": its definition
	// (statemachines.Deployment or Sync, with their substitutions) and the suffix of its
	// state machine's name.
	Kind string
}

// Workflow is a state machine built from a definition of package statemachines: the
// deployment workflow or the sync workflow.
type Workflow struct {
	// Construct is the scope of the parts. It is not embedded: this struct is not a
	// construct and must not be handed to jsii as one.
	Construct    constructs.Construct
	StateMachine awsstepfunctions.StateMachine
	LogGroup     awslogs.LogGroup
	// StateMachineARN and ExecutionsARN are built from the state machine's name (derived
	// from the stack's name), not read from the resource: the functions the state machine
	// invokes may then be granted rights on it without a circular dependency.
	StateMachineARN *string
	ExecutionsARN   *string
}

// NewWorkflow builds the standard state machine of props.Kind from its ASL text with its
// substitutions replaced by the ARNs of the functions they name, logging every event
// without execution data (inputs may hold secrets) and with X-Ray tracing. It returns an
// error naming a substitution whose function does not exist, or an unknown kind.
func NewWorkflow(scope constructs.Construct, id string, props *WorkflowProps) (*Workflow, error) {
	kind := props.Kind
	if kind == "" {
		kind = "deployment"
	}
	var definition []byte
	var subs map[string]string
	switch kind {
	case "deployment":
		definition, subs = statemachines.Deployment(), statemachines.DeploymentSubstitutions()
	case "sync":
		definition, subs = statemachines.Sync(), statemachines.SyncSubstitutions()
	default:
		return nil, fmt.Errorf("stacks: no workflow of kind %q", kind)
	}
	names := make([]string, 0, len(subs))
	for name := range subs {
		names = append(names, name)
	}
	sort.Strings(names)
	substitutions := make(map[string]*string, len(subs))
	var invoked []*Function
	for _, name := range names {
		fn, ok := props.Functions[subs[name]]
		if !ok {
			return nil, fmt.Errorf("statemachines: the %s workflow's substitution %s names function %q, which lambdaenv.Functions() does not list", kind, name, subs[name])
		}
		substitutions[name] = fn.Function.FunctionArn()
		invoked = append(invoked, fn)
	}

	c := constructs.NewConstruct(scope, &id)
	stack := awscdk.Stack_Of(c)
	name := awscdk.Fn_Join(jsii.String(""), &[]*string{stack.StackName(), jsii.String("-" + kind)})
	logGroup := awslogs.NewLogGroup(c, jsii.String("Logs"), &awslogs.LogGroupProps{
		Retention:     LogRetention,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	sm := awsstepfunctions.NewStateMachine(c, jsii.String(titleCase(kind)), &awsstepfunctions.StateMachineProps{
		StateMachineName:        name,
		StateMachineType:        awsstepfunctions.StateMachineType_STANDARD,
		DefinitionBody:          awsstepfunctions.DefinitionBody_FromString(jsii.String(string(definition))),
		DefinitionSubstitutions: &substitutions,
		Logs: &awsstepfunctions.LogOptions{
			Destination:          logGroup,
			Level:                awsstepfunctions.LogLevel_ALL,
			IncludeExecutionData: jsii.Bool(false),
		},
		TracingEnabled: jsii.Bool(true),
	})
	for _, fn := range invoked {
		fn.Function.GrantInvoke(sm)
	}
	arn := stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("states"), Resource: jsii.String("stateMachine"),
		ResourceName: name, ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME})
	executions := stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("states"), Resource: jsii.String("execution"),
		ResourceName: awscdk.Fn_Join(jsii.String(""), &[]*string{name, jsii.String(":*")}), ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME})
	return &Workflow{Construct: c, StateMachine: sm, LogGroup: logGroup, StateMachineARN: arn, ExecutionsARN: executions}, nil
}
