// Package statemachine runs Amazon States Language definitions locally, the way AWS Step
// Functions runs them: the same statemachines/*.asl.json files, the same data flow
// (InputPath, Parameters, ResultSelector, ResultPath, OutputPath, the context object), the
// same error names and the same Retry and Catch rules.
//
// It supports the JSONPath flavour of ASL: Task (Lambda functions by ARN or name,
// arn:aws:states:::lambda:invoke and its .waitForTaskToken variant), Choice, Wait, Pass,
// Parallel, inline Map, Succeed and Fail, the JSONPath subset $, .field, ['field'] and [N],
// and the common intrinsic functions. Parse rejects, with the state's name, anything the
// runner would not run the way the service does (JSONata, distributed Map, other service
// integrations).
//
// A Runner implements platform.Workflows: Start starts an execution in a goroutine, and
// SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat resolve the tasks that wait for a
// task token. Describe, Wait and History report executions like DescribeExecution and
// GetExecutionHistory.
package statemachine
