package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// EventBusName is the name of the custom bus on which Gantry publishes its own
// status-change events; users subscribe to it by name.
const EventBusName = "gantry"

// EventSource is the source of the events Gantry publishes on its bus.
const EventSource = "gantry"

// NotificationsProps configures NewNotifications.
type NotificationsProps struct {
	// AlarmEmail, when set, is subscribed to the topic.
	AlarmEmail string
}

// Notifications is where Gantry tells people and programs what happened: the SNS topic of
// notifications and alarms, and the gantry event bus.
type Notifications struct {
	// Construct is the scope of the parts. It is not embedded: this struct is not a
	// construct and must not be handed to jsii as one.
	Construct constructs.Construct
	// Key encrypts the topic. It is a customer-managed key because CloudWatch alarms cannot
	// publish to a topic encrypted with the AWS-managed aws/sns key.
	Key   awskms.Key
	Topic awssns.Topic
	Bus   awsevents.EventBus
}

// NewNotifications builds the encrypted, TLS-only topic (with the optional email
// subscription) and the gantry bus.
func NewNotifications(scope constructs.Construct, id string, props *NotificationsProps) *Notifications {
	c := constructs.NewConstruct(scope, &id)
	key := awskms.NewKey(c, jsii.String("TopicKey"), &awskms.KeyProps{
		Description:       jsii.String("Gantry: encrypts the notification topic"),
		EnableKeyRotation: jsii.Bool(true),
		RemovalPolicy:     awscdk.RemovalPolicy_DESTROY,
		PendingWindow:     awscdk.Duration_Days(jsii.Number(30)),
	})
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchAlarmsPublish"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("kms:Decrypt", "kms:GenerateDataKey*"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": awscdk.Aws_ACCOUNT_ID()},
		},
	}), jsii.Bool(false))
	topic := awssns.NewTopic(c, jsii.String("Topic"), &awssns.TopicProps{
		DisplayName: jsii.String("Gantry"),
		MasterKey:   key,
		EnforceSSL:  jsii.Bool(true),
	})
	// The topic policy that enforces TLS replaces SNS's default one, so the alarms of this
	// account need their own statement.
	topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchAlarmsPublish"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudwatch.amazonaws.com"), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  &[]*string{topic.TopicArn()},
		Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": awscdk.Aws_ACCOUNT_ID()},
		},
	}))
	if props.AlarmEmail != "" {
		topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(props.AlarmEmail), nil))
	}
	bus := awsevents.NewEventBus(c, jsii.String("Bus"), &awsevents.EventBusProps{
		EventBusName: jsii.String(EventBusName),
		Description:  jsii.String("Gantry's own status-change events; subscribe with rules on this bus"),
	})
	return &Notifications{Construct: c, Key: key, Topic: topic, Bus: bus}
}
