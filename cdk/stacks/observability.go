package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapigatewayv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssqs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsstepfunctions"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// ObservabilityProps configures NewObservability.
type ObservabilityProps struct {
	// Functions in the order the dashboard shows them.
	Functions    []*Function
	API          awsapigatewayv2.HttpApi
	StateMachine awsstepfunctions.StateMachine
	DeadLetters  awssqs.Queue
	// Topic receives every alarm's ALARM and OK notifications.
	Topic awssns.ITopic
}

// Observability is Gantry's alarms and dashboard.
type Observability struct {
	// Construct is the scope of the parts. It is not embedded: this struct is not a
	// construct and must not be handed to jsii as one.
	Construct constructs.Construct
	// Alarms by construct id.
	Alarms    map[string]awscloudwatch.Alarm
	Dashboard awscloudwatch.Dashboard
}

// NewObservability builds an alarm, notifying the topic, for each of: failed workflow
// executions, API 5xx responses, errors and throttles of each function, and events in the
// dead-letter queue; and a dashboard of the same metrics. Each alarm fires on one
// occurrence in five minutes: Gantry's traffic is low and each one is a failed deployment
// or a user-visible error.
func NewObservability(scope constructs.Construct, id string, props *ObservabilityProps) *Observability {
	c := constructs.NewConstruct(scope, &id)
	o := &Observability{Construct: c, Alarms: map[string]awscloudwatch.Alarm{}}
	var alarms []interfacesawscloudwatch.IAlarmRef // in creation order, for a stable template
	action := awscloudwatchactions.NewSnsAction(props.Topic)
	fiveMinutes := awscdk.Duration_Minutes(jsii.Number(5))
	sum := &awscloudwatch.MetricOptions{Period: fiveMinutes, Statistic: jsii.String("Sum")}
	alarm := func(id, description string, metric awscloudwatch.IMetric) {
		a := awscloudwatch.NewAlarm(c, jsii.String(id), &awscloudwatch.AlarmProps{
			Metric:             metric,
			AlarmDescription:   jsii.String(description),
			Threshold:          jsii.Number(1),
			EvaluationPeriods:  jsii.Number(1),
			ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
			TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
		})
		a.AddAlarmAction(action)
		a.AddOkAction(action)
		o.Alarms[id] = a
		alarms = append(alarms, a)
	}

	alarm("WorkflowFailed", "Gantry: a deployment workflow execution failed", props.StateMachine.MetricFailed(sum))
	alarm("Api5xx", "Gantry: the API answered 5xx", props.API.MetricServerError(sum))
	alarm("DeadLetters", "Gantry: an AWS event could not be delivered to or processed by a function; see the dead-letter queue",
		props.DeadLetters.MetricApproximateNumberOfMessagesVisible(&awscloudwatch.MetricOptions{Period: fiveMinutes, Statistic: jsii.String("Maximum")}))
	fnWidgets := make([]awscloudwatch.IWidget, 0, len(props.Functions))
	for _, fn := range props.Functions {
		title := titleCase(fn.Name)
		alarm(title+"Errors", "Gantry: the "+fn.Name+" function failed", fn.Function.MetricErrors(sum))
		alarm(title+"Throttles", "Gantry: the "+fn.Name+" function was throttled", fn.Function.MetricThrottles(sum))
		fnWidgets = append(fnWidgets, awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String(fn.Name + " function"),
			Width: jsii.Number(8),
			Left: &[]awscloudwatch.IMetric{
				fn.Function.MetricInvocations(sum), fn.Function.MetricErrors(sum), fn.Function.MetricThrottles(sum),
			},
			Right: &[]awscloudwatch.IMetric{fn.Function.MetricDuration(&awscloudwatch.MetricOptions{Period: fiveMinutes, Statistic: jsii.String("p99")})},
		}))
	}

	o.Dashboard = awscloudwatch.NewDashboard(c, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DefaultInterval: awscdk.Duration_Days(jsii.Number(7)),
	})
	o.Dashboard.AddWidgets(
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String("API requests"), Width: jsii.Number(8),
			Left: &[]awscloudwatch.IMetric{props.API.MetricCount(sum), props.API.MetricClientError(sum), props.API.MetricServerError(sum)},
		}),
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String("API latency (p99)"), Width: jsii.Number(8),
			Left: &[]awscloudwatch.IMetric{props.API.MetricLatency(&awscloudwatch.MetricOptions{Period: fiveMinutes, Statistic: jsii.String("p99")})},
		}),
		awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
			Title: jsii.String("Deployments"), Width: jsii.Number(8),
			Left: &[]awscloudwatch.IMetric{
				props.StateMachine.MetricStarted(sum), props.StateMachine.MetricSucceeded(sum),
				props.StateMachine.MetricFailed(sum), props.StateMachine.MetricTimedOut(sum),
			},
		}),
	)
	o.Dashboard.AddWidgets(fnWidgets...)
	o.Dashboard.AddWidgets(awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
		Title: jsii.String("Alarms"), Width: jsii.Number(24), Alarms: &alarms,
	}))
	return o
}

// titleCase upper-cases the first letter of an ASCII name: "api" → "Api".
func titleCase(name string) string {
	if name == "" || name[0] < 'a' || name[0] > 'z' {
		return name
	}
	return string(name[0]-'a'+'A') + name[1:]
}
