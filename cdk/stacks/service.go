package stacks

import (
	"fmt"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/gantry-platform/gantry/events"
	"github.com/gantry-platform/gantry/internal/lambdaenv"
)

// ServiceStackProps configures NewServiceStack.
type ServiceStackProps struct {
	awscdk.StackProps
	Config Config
	// Table and Bucket are the data stack's.
	Table  awsdynamodb.ITable
	Bucket awss3.IBucket
	// AccessKeysKey is the data stack's key sealing access keys' secrets.
	AccessKeysKey awskms.IKey
}

// ServiceStack is everything of Gantry but its data: it can be destroyed and rebuilt. It
// is one stack of small constructs because its parts reference each other both ways (the
// workflow invokes functions whose siblings start it; the alarms watch every part):
// split into stacks, those references would become CloudFormation exports that lock
// each other against change.
type ServiceStack struct {
	awscdk.Stack
	// Functions by logical name (lambdaenv.Functions()).
	Functions     map[string]*Function
	Notifications *Notifications
	Provisioning  *Provisioning
	// Builds is CodeBuild provisioning's project and role.
	Builds        *CodeBuildProvisioning
	Workflow      *Workflow
	SyncWorkflow  *Workflow // the sync state machine (statemachines/sync.asl.json)
	API           *API
	EventRouting  *EventRouting
	Observability *Observability
	// Proton is AWS Proton's wire protocol on the API (POST /, SigV4 access keys).
	Proton *ProtonEndpoint
	// Console is the web console and, on its origin, the API; nil when it was not built.
	Console *Console
}

// NewServiceStack builds the functions of lambdaenv.Functions() with the permissions and
// environment of their declared access, the HTTP API, the workflow, the rules of
// events.Rules(), the notification topic and bus, the provisioning role, the alarms and
// the dashboard. It returns an error when those sources disagree: a function without
// declared access, a substitution or rule naming an unknown function, an unreadable rule.
func NewServiceStack(scope constructs.Construct, id string, props *ServiceStackProps) (*ServiceStack, error) {
	cfg := props.Config
	rules, err := events.Rules()
	if err != nil {
		return nil, err
	}
	schedules, err := events.Schedules()
	if err != nil {
		return nil, err
	}
	names := lambdaenv.Functions()
	accesses := make(map[string]access, len(names))
	for _, name := range names {
		if accesses[name], err = functionAccess(name); err != nil {
			return nil, err
		}
	}
	if _, ok := accesses["api"]; !ok {
		return nil, fmt.Errorf("lambdaenv.Functions: no \"api\" function to serve the HTTP API")
	}

	sp := props.StackProps
	if sp.Description == nil {
		sp.Description = jsii.String("Gantry service: API, workflow, functions, event routing, notifications, alarms")
	}
	stack := awscdk.NewStack(scope, &id, &sp)
	s := &ServiceStack{Stack: stack, Functions: make(map[string]*Function, len(names))}
	s.Notifications = NewNotifications(stack, "Notifications", &NotificationsProps{AlarmEmail: cfg.AlarmEmail})
	s.Provisioning = NewProvisioning(stack, "Provisioning", &ProvisioningProps{PolicyARNs: cfg.ProvisioningPolicyARNs})
	s.Builds = NewCodeBuildProvisioning(stack, "CodeBuildProvisioning", &CodeBuildProvisioningProps{PolicyARNs: cfg.ProvisioningPolicyARNs, Bucket: props.Bucket})
	ordered := make([]*Function, 0, len(names))
	for _, name := range names {
		a := accesses[name]
		fn := NewFunction(stack, titleCase(name)+"Function", &FunctionProps{
			Name:      name,
			AssetsDir: cfg.AssetsDir,
			Timeout:   awscdk.Duration_Seconds(jsii.Number(a.timeoutSeconds)),
			MemoryMiB: a.memoryMiB,
		})
		fn.access = a
		s.Functions[name] = fn
		ordered = append(ordered, fn)
	}
	if s.Workflow, err = NewWorkflow(stack, "Workflow", &WorkflowProps{Functions: s.Functions}); err != nil {
		return nil, err
	}
	if s.SyncWorkflow, err = NewWorkflow(stack, "SyncWorkflow", &WorkflowProps{Functions: s.Functions, Kind: "sync"}); err != nil {
		return nil, err
	}
	if cfg.SyncPollMinutes > 0 {
		schedules = append(schedules, syncPollSchedule(cfg.SyncPollMinutes))
	}
	s.API = NewAPI(stack, "Api", &APIProps{Handler: s.Functions["api"], Issuer: cfg.issuer(), Audience: cfg.audience()})
	s.Proton = NewProtonEndpoint(stack, "ProtonEndpoint", &ProtonEndpointProps{API: s.API, Handler: s.Functions["api"], BundleBuckets: cfg.BundleBuckets, AccessKeysKey: props.AccessKeysKey})
	if cfg.JWTIssuer == "" || len(cfg.JWTAudience) == 0 {
		awscdk.Annotations_Of(s.API.HTTPAPI).AddWarningV2(jsii.String("gantry:noIdentityProvider"),
			jsii.String(ContextJWTIssuer+" or "+ContextJWTAudience+" is not set: the API rejects every token until you set both (see docs/deploy.md)"))
	}
	if ConsoleBuilt(cfg.ConsoleDir) {
		s.Console = NewConsole(stack, "Console", &ConsoleProps{Dir: cfg.ConsoleDir, API: s.API, Config: cfg})
	} else {
		awscdk.Annotations_Of(stack).AddWarningV2(jsii.String("gantry:consoleNotBuilt"),
			jsii.String(ContextConsoleDir+" ("+cfg.ConsoleDir+") holds no built console: deploying without it (make web builds it)"))
	}
	if s.EventRouting, err = NewEventRouting(stack, "EventRouting", &EventRoutingProps{Rules: rules, Schedules: schedules, Functions: s.Functions,
		StateMachineARN: s.Workflow.StateMachine.StateMachineArn()}); err != nil {
		return nil, err
	}
	for _, fn := range ordered {
		s.grant(fn, props, cfg)
	}
	s.Observability = NewObservability(stack, "Observability", &ObservabilityProps{
		Functions:    ordered,
		API:          s.API.HTTPAPI,
		StateMachine: s.Workflow.StateMachine,
		DeadLetters:  s.EventRouting.DeadLetters,
		Topic:        s.Notifications.Topic,
	})
	s.suppressAcceptedFindings()
	s.outputs()
	return s, nil
}

// grant gives fn the permissions of its access and the environment variables that name
// what it may use.
func (s *ServiceStack) grant(fn *Function, props *ServiceStackProps, cfg Config) {
	a, role := fn.access, fn.Role
	env := func(name string, value *string) { fn.Function.AddEnvironment(jsii.String(name), value, nil) }
	switch a.table {
	case read:
		props.Table.GrantReadData(role)
	case readWrite:
		props.Table.GrantReadWriteData(role)
	}
	if a.table != none {
		env(lambdaenv.TableName, props.Table.TableName())
	}
	switch a.bucket {
	case read:
		props.Bucket.GrantRead(role, nil)
	case readWrite:
		props.Bucket.GrantReadWrite(role, nil)
	}
	if a.bucket != none {
		env(lambdaenv.BucketName, props.Bucket.BucketName())
	}
	wf := s.Workflow
	if a.startExecution {
		// DescribeExecution lets a repeated start of a finished execution be told apart
		// from a clash of names (internal/stepfunctions).
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("StartDeployments"), Actions: jsii.Strings("states:StartExecution"),
			Resources: &[]*string{wf.StateMachineARN}}))
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("DescribeDeployments"), Actions: jsii.Strings("states:DescribeExecution"),
			Resources: &[]*string{wf.ExecutionsARN}}))
	}
	if a.sendTaskResponse {
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ResolveDeploymentTasks"),
			Actions:   jsii.Strings("states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"),
			Resources: &[]*string{wf.StateMachineARN}}))
	}
	if a.startExecution || a.sendTaskResponse {
		env(lambdaenv.StateMachineARN, wf.StateMachineARN)
	}
	if a.putEvents {
		s.Notifications.Bus.GrantPutEventsTo(role, nil)
		env(lambdaenv.EventBusName, s.Notifications.Bus.EventBusName())
		env(lambdaenv.EventSource, jsii.String(EventSource))
	}
	if a.publish {
		s.Notifications.Topic.GrantPublish(role)
		env(lambdaenv.TopicARN, s.Notifications.Topic.TopicArn())
	}
	var actions []string
	if a.stacks != none {
		actions = append(actions, "cloudformation:DescribeStacks", "cloudformation:DescribeStackEvents", "cloudformation:DescribeChangeSet",
			"cloudformation:ListStackResources")
	}
	if a.stacks == readWrite {
		actions = append(actions, "cloudformation:CreateChangeSet", "cloudformation:ExecuteChangeSet",
			"cloudformation:DeleteChangeSet", "cloudformation:ListChangeSets", "cloudformation:DeleteStack",
			"cloudformation:GetTemplate", "cloudformation:TagResource", "cloudformation:UntagResource")
	}
	if a.previewStacks {
		actions = append(actions, "cloudformation:CreateChangeSet", "cloudformation:DeleteChangeSet", "cloudformation:GetTemplate")
	}
	if a.cancelStackUpdates {
		actions = append(actions, "cloudformation:CancelUpdateStack")
	}
	if len(actions) > 0 {
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("GantryStacks"),
			Actions:   jsii.Strings(actions...),
			Resources: jsii.Strings(gantryStacksARNs()...),
		}))
	}
	if a.listStacks {
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ListStacks"),
			Actions:   jsii.Strings("cloudformation:DescribeStacks"),
			Resources: jsii.Strings("*"),
		}))
	}
	if a.passProvisioningRole {
		s.Provisioning.Role.GrantPassRole(role)
		env(lambdaenv.ProvisioningRoleARN, s.Provisioning.Role.RoleArn())
	}
	if a.assumeAccountRole {
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ConnectedAccounts"),
			Actions:   jsii.Strings("sts:AssumeRole"),
			Resources: jsii.Strings(accountRoleARN(cfg.AccountRoleName)),
		}))
		env(lambdaenv.AccountRoleName, jsii.String(cfg.AccountRoleName))
	}
	if a.builds != none {
		actions := []string{"codebuild:BatchGetBuilds"}
		if a.builds == readWrite {
			actions = append(actions, "codebuild:StartBuild", "codebuild:StopBuild")
		}
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("ProvisioningBuilds"), Actions: jsii.Strings(actions...), Resources: &[]*string{s.Builds.Project.ProjectArn()}}))
		if a.builds == readWrite {
			// A build runs under its environment's codebuildRoleArn (serviceRoleOverride):
			// roles of this account, passed to CodeBuild only.
			role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid: jsii.String("PassCodebuildRoles"), Actions: jsii.Strings("iam:PassRole"),
				Resources:  jsii.Strings("arn:" + *awscdk.Aws_PARTITION() + ":iam::" + *awscdk.Aws_ACCOUNT_ID() + ":role/*"),
				Conditions: &map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "codebuild.amazonaws.com"}},
			}))
		}
		env(lambdaenv.BuildProject, s.Builds.Project.ProjectName())
		env(lambdaenv.ProtonEndpoint, s.API.HTTPAPI.ApiEndpoint())
	}
	if a.startSync {
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("StartSyncs"), Actions: jsii.Strings("states:StartExecution"),
			Resources: &[]*string{s.SyncWorkflow.StateMachineARN}}))
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("DescribeSyncs"), Actions: jsii.Strings("states:DescribeExecution"),
			Resources: &[]*string{s.SyncWorkflow.ExecutionsARN}}))
		env(lambdaenv.SyncStateMachineARN, s.SyncWorkflow.StateMachineARN)
	}
	if a.gitCredentials && cfg.GitCredentialsSecretARN != "" {
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("GitCredentials"), Actions: jsii.Strings("secretsmanager:GetSecretValue"),
			Resources: jsii.Strings(cfg.GitCredentialsSecretARN)}))
		env(lambdaenv.GitCredentialsSecretARN, jsii.String(cfg.GitCredentialsSecretARN))
	}
	if a.gitCredentials && cfg.GitHubEnterpriseURL != "" {
		env(lambdaenv.GitHubEnterpriseURL, jsii.String(cfg.GitHubEnterpriseURL))
	}
	if a.sealAccessKeys {
		props.AccessKeysKey.GrantEncrypt(role)
		env(lambdaenv.AccessKeysKMSKey, props.AccessKeysKey.KeyArn())
	}
	if a.roleGroups {
		env(lambdaenv.AdminGroups, jsii.String(strings.Join(cfg.AdminGroups, ",")))
		env(lambdaenv.DeveloperGroups, jsii.String(strings.Join(cfg.DeveloperGroups, ",")))
		env(lambdaenv.GroupsClaim, jsii.String(cfg.GroupsClaim))
	}
}

// syncPollSchedule is the scheduled rule of the sync poller: every minutes, the poll
// function.
func syncPollSchedule(minutes int) events.Schedule {
	rate := fmt.Sprintf("rate(%d minutes)", minutes)
	if minutes == 1 {
		rate = "rate(1 minute)"
	}
	return events.Schedule{Name: "sync-poll", Expression: rate, Target: "poll",
		Description: fmt.Sprintf("Every %d minute(s) (%s), the sync poller asks each branch a sync configuration follows for its head and starts the sync workflow for a new one (webhooks missed)", minutes, ContextSyncPollMinutes)}
}

// gantryStacksARNs match Gantry's CloudFormation stacks, and the AWS Proton stacks it
// adopts, in every region of this account's partition.
func gantryStacksARNs() []string {
	out := []string{}
	for _, prefix := range []string{events.NamePrefix, events.AdoptedNamePrefix} {
		out = append(out, "arn:"+*awscdk.Aws_PARTITION()+":cloudformation:*:*:stack/"+prefix+"*/*")
	}
	return out
}

// accountRoleARN matches the role named name in every account.
func accountRoleARN(name string) string {
	return "arn:" + *awscdk.Aws_PARTITION() + ":iam::*:role/" + name
}

// suppressAcceptedFindings records, with reasons, the cdk-nag findings Gantry accepts.
func (s *ServiceStack) suppressAcceptedFindings() {
	for _, fn := range s.Functions {
		suppress(fn.Role, "AwsSolutions-IAM5",
			"wildcards come from CDK grants scoped to one resource: objects of the bundle bucket (<bucket>/*), "+
				"indexes of the table (<table>/index/*), the action families of those grants (s3:GetObject*, s3:List*, ...); "+
				"CloudFormation is limited to Gantry's stacks (stack/"+events.NamePrefix+"*/*, any region) and the AWS Proton stacks it adopts (stack/"+
				events.AdoptedNamePrefix+"*/*), except DescribeStacks on * for the API's import, which must list the account's stacks to find AWS Proton's "+
				"(DescribeStacks without a stack name has no narrower resource), and sts:AssumeRole "+
				"to the connected-account role name (role/<name>, any account, which Gantry cannot list at deploy time); "+
				"iam:PassRole on this account's roles (role/*) only when passed to CodeBuild (iam:PassedToService): "+
				"the environments' codebuildRoleArn, which the admins choose at run time; "+
				"states:DescribeExecution on the executions of Gantry's own state machines (execution:<name>:*), whose names are deployment ids or sync ids",
			matching(`^Action::s3:.*\*$`),
			matching(`^Action::kms:.*\*$`),
			matching(`^Resource::.*/\*$`),
			matching(`^Resource::.*/index/\*$`),
			matching(`^Resource::arn:<AWS::Partition>:cloudformation:\*:\*:stack/(`+events.NamePrefix+`|`+events.AdoptedNamePrefix+`)\*/\*$`),
			matching(`^Resource::\*$`),
			matching(`^Resource::arn:<AWS::Partition>:iam::\*:role/.+$`),
			matching(`^Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:.+-(deployment|sync):\*$`),
		)
	}
	for _, wf := range []*Workflow{s.Workflow, s.SyncWorkflow} {
		suppress(wf.StateMachine, "AwsSolutions-IAM5",
			"Step Functions needs these on '*': X-Ray (xray:PutTraceSegments and friends have no resource-level permission) "+
				"and CloudWatch Logs delivery (logs:CreateLogDelivery and friends); function ARNs with ':*' allow invoking their versions",
			matching(`^Resource::\*$`),
			matching(`^Resource::<.*\.Arn>:\*$`),
		)
	}
}

// outputs publishes what operators and connected accounts need.
func (s *ServiceStack) outputs() {
	out := func(id, description string, value *string) {
		awscdk.NewCfnOutput(s.Stack, jsii.String(id), &awscdk.CfnOutputProps{Value: value, Description: jsii.String(description)})
	}
	out("ApiUrl", "Gantry's API endpoint", s.API.Stage.Url())
	out("StateMachineArn", "The deployment workflow", s.Workflow.StateMachine.StateMachineArn())
	out("SyncStateMachineArn", "The sync workflow (template and service sync)", s.SyncWorkflow.StateMachine.StateMachineArn())
	out("WebhookUrl", "Point the push webhooks of linked repositories at <url>/<provider> (GITHUB, GITHUB_ENTERPRISE, BITBUCKET)",
		awscdk.Fn_Join(jsii.String(""), &[]*string{s.API.HTTPAPI.ApiEndpoint(), jsii.String("/webhooks")}))
	out("EventBusName", "Subscribe here to Gantry's status-change events", s.Notifications.Bus.EventBusName())
	out("TopicArn", "Gantry's notifications and alarms", s.Notifications.Topic.TopicArn())
	out("ProvisioningRoleArn", "CloudFormation's role for users' stacks in this account", s.Provisioning.Role.RoleArn())
	for _, name := range lambdaenv.Functions() {
		if fn := s.Functions[name]; fn.access.assumeAccountRole {
			out(titleCase(name)+"RoleArn", "Trust this role from a connected account's "+"role (docs/deploy.md)", fn.Role.RoleArn())
		}
	}
}
