package stacks

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambdadestinations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gantry-platform/gantry/events"
)

// EventRoutingProps configures NewEventRouting.
type EventRoutingProps struct {
	// Rules are the rules to create, from events.Rules().
	Rules []events.Rule
	// Schedules are the scheduled rules to create, from events.Schedules().
	Schedules []events.Schedule
	// StateMachineARN, when set, narrows the rules on Step Functions events (source
	// aws.states) to that state machine's executions.
	StateMachineARN *string
	// Functions are Gantry's functions by logical name; each rule targets its Target.
	Functions map[string]*Function
}

// EventRouting delivers AWS service events (stack status changes, pipeline state changes)
// from the default bus to Gantry's functions.
type EventRouting struct {
	// Construct is the scope of the parts. It is not embedded: this struct is not a
	// construct and must not be handed to jsii as one.
	Construct constructs.Construct
	// Rules are the EventBridge rules by events.Rule name.
	Rules map[string]awsevents.Rule
	// DeadLetters holds events that could not be delivered or processed.
	DeadLetters awssqs.Queue
}

// NewEventRouting builds one rule per events.Rule on the default bus, each targeting its
// function with retries and the dead-letter queue; the targeted functions also send
// events whose asynchronous invocation failed to that queue. It returns an error naming a
// rule whose target or pattern is unusable.
func NewEventRouting(scope constructs.Construct, id string, props *EventRoutingProps) (*EventRouting, error) {
	c := constructs.NewConstruct(scope, &id)
	dlq := awssqs.NewQueue(c, jsii.String("DeadLetters"), &awssqs.QueueProps{
		Encryption:      awssqs.QueueEncryption_SQS_MANAGED,
		EnforceSSL:      jsii.Bool(true),
		RetentionPeriod: awscdk.Duration_Days(jsii.Number(14)),
	})
	suppress(dlq, "AwsSolutions-SQS3", "this queue is the dead-letter queue of the EventBridge targets and of the functions' asynchronous invocations")

	routing := &EventRouting{Construct: c, Rules: map[string]awsevents.Rule{}, DeadLetters: dlq}
	configured := map[*Function]bool{}
	for _, r := range props.Rules {
		fn, ok := props.Functions[r.Target]
		if !ok {
			return nil, fmt.Errorf("events.Rules: rule %s targets function %q, which lambdaenv.Functions() does not list", r.Name, r.Target)
		}
		var pattern map[string]any
		if err := json.Unmarshal(r.Pattern, &pattern); err != nil {
			return nil, fmt.Errorf("events.Rules: rule %s: pattern: %w", r.Name, err)
		}
		if props.StateMachineARN != nil && matchesSource(pattern, "aws.states") {
			detail, _ := pattern["detail"].(map[string]any)
			if detail == nil {
				detail = map[string]any{}
				pattern["detail"] = detail
			}
			detail["stateMachineArn"] = []any{props.StateMachineARN}
		}
		rule := awsevents.NewRule(c, jsii.String(r.Name), &awsevents.RuleProps{
			Description: jsii.String(truncate(r.Description, 512)),
			// The typed EventPattern cannot hold every operator; the pattern from events/
			// replaces it whole below.
			EventPattern: &awsevents.EventPattern{Source: jsii.Strings("placeholder")},
		})
		rule.Node().DefaultChild().(awsevents.CfnRule).AddPropertyOverride(jsii.String("EventPattern"), pattern)
		routing.target(rule, r.Name, fn, configured)
	}
	for _, sch := range props.Schedules {
		fn, ok := props.Functions[sch.Target]
		if !ok {
			return nil, fmt.Errorf("events.Schedules: rule %s targets function %q, which lambdaenv.Functions() does not list", sch.Name, sch.Target)
		}
		rule := awsevents.NewRule(c, jsii.String(sch.Name), &awsevents.RuleProps{
			Description: jsii.String(truncate(sch.Description, 512)),
			Schedule:    awsevents.Schedule_Expression(jsii.String(sch.Expression)),
		})
		routing.target(rule, sch.Name, fn, configured)
	}
	return routing, nil
}

// target makes fn the target of rule, with retries and the dead-letter queue, and sends
// fn's failed asynchronous invocations to that queue (once per function).
func (routing *EventRouting) target(rule awsevents.Rule, name string, fn *Function, configured map[*Function]bool) {
	rule.AddTarget(awseventstargets.NewLambdaFunction(fn.Function, &awseventstargets.LambdaFunctionProps{
		DeadLetterQueue: routing.DeadLetters,
		RetryAttempts:   jsii.Number(8),
		MaxEventAge:     awscdk.Duration_Hours(jsii.Number(6)),
	}))
	routing.Rules[name] = rule
	if !configured[fn] {
		configured[fn] = true
		fn.Function.ConfigureAsyncInvoke(&awslambda.EventInvokeConfigOptions{
			OnFailure:     awslambdadestinations.NewSqsDestination(routing.DeadLetters),
			RetryAttempts: jsii.Number(2),
		})
	}
}

// matchesSource reports whether an event pattern's source list holds source.
func matchesSource(pattern map[string]any, source string) bool {
	sources, _ := pattern["source"].([]any)
	for _, s := range sources {
		if s == source {
			return true
		}
	}
	return false
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
