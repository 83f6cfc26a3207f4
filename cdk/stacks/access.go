package stacks

import "fmt"

// level is how much of a resource a function may use.
type level int

const (
	none level = iota
	read
	readWrite
)

// access is what one function may do. Its permissions are granted from it and its
// environment variables follow from it, so that a function gets a variable exactly when
// it may use the resource the variable names.
type access struct {
	table  level
	bucket level
	// stacks is CloudFormation on Gantry's stacks (gantry-*, and the AWSProton-* stacks it
	// adopts): read = describe, list resources, readWrite = also create, update, delete
	// through change sets.
	stacks level
	// previewStacks makes and drops change sets of those stacks without executing them
	// (previews, and an import's proofs), reading their templates.
	previewStacks bool
	// listStacks describes every stack of the account (DescribeStacks without a name,
	// whose resource is "*"): an import scans for AWS Proton's.
	listStacks bool
	// cancelStackUpdates may cancel the update in progress of Gantry's stacks
	// (cloudformation:CancelUpdateStack), which rolls them back.
	cancelStackUpdates bool
	// startExecution starts the deployment workflow; sendTaskResponse resolves its
	// waiting tasks (states:SendTaskSuccess/Failure/Heartbeat).
	startExecution   bool
	sendTaskResponse bool
	// putEvents publishes on the gantry bus; publish notifies on the SNS topic.
	putEvents bool
	publish   bool
	// passProvisioningRole hands this account's provisioning role to CloudFormation;
	// assumeAccountRole assumes the connected accounts' role.
	passProvisioningRole bool
	assumeAccountRole    bool
	// builds is CodeBuild provisioning's project: read = describe builds, readWrite =
	// also start and stop them.
	builds level
	// sealAccessKeys seals access keys' secrets (the reporter's keys given to builds).
	sealAccessKeys bool
	// roleGroups gets the identity-provider groups of the admin and developer roles.
	roleGroups bool
	// startSync starts the sync workflow (states:StartExecution on its state machine).
	startSync bool
	// gitCredentials reads linked repositories from their hosts, with the tokens of the
	// configured Secrets Manager secret (secretsmanager:GetSecretValue on it).
	gitCredentials bool
	// timeoutSeconds and memoryMiB size the function.
	timeoutSeconds float64
	memoryMiB      float64
}

// functionAccess returns the access of the function named by its logical name (one of
// lambdaenv.Functions()), or an error for a name it does not know.
func functionAccess(name string) (access, error) {
	switch name {
	case "api":
		// Reads and writes the catalogue, uploads bundles, starts deployments, cancels them
		// (the stack update in progress, or the waiting task of one whose stack is not
		// there yet), publishes Gantry's events for changes made through the API. API
		// Gateway gives up at 30 s.
		// Receives the push webhooks of linked repositories, which start the sync workflow.
		// Previews make change sets, never executed here (with the provisioning role, or in a
		// connected account with its role), and read stacks' resources; an import scans the
		// stacks AWS Proton left and proves them with change sets.
		return access{table: readWrite, bucket: readWrite, startExecution: true, sendTaskResponse: true, putEvents: true,
			cancelStackUpdates: true, builds: readWrite, roleGroups: true, startSync: true,
			stacks: read, previewStacks: true, listStacks: true, passProvisioningRole: true, assumeAccountRole: true, timeoutSeconds: 29, memoryMiB: 256}, nil
	case "render":
		// Renders a template version's bundle into a CloudFormation template.
		return access{table: readWrite, bucket: readWrite, timeoutSeconds: 60, memoryMiB: 512}, nil
	case "deploy":
		// Creates, updates and deletes users' stacks here (passing the provisioning role)
		// or in a connected account (assuming its role); resolves its own task at once
		// when a stack needs no change.
		// Starts CodeBuild provisioning's builds, with a reporter's key it seals.
		return access{table: readWrite, bucket: readWrite, stacks: readWrite, passProvisioningRole: true, sendTaskResponse: true,
			assumeAccountRole: true, builds: readWrite, sealAccessKeys: true, timeoutSeconds: 60, memoryMiB: 256}, nil
	case "record":
		// Records a deployment's outcome and its stack's outputs; starts a new service's
		// pipeline deployment once its instances are done.
		return access{table: readWrite, stacks: read, startExecution: true, assumeAccountRole: true, putEvents: true,
			builds: read, timeoutSeconds: 30, memoryMiB: 256}, nil
	case "notify":
		return access{table: read, putEvents: true, publish: true, timeoutSeconds: 30, memoryMiB: 256}, nil
	case "events":
		// Resolves waiting tasks from stack and pipeline events, updates statuses and
		// starts follow-up deployments.
		return access{table: readWrite, stacks: read, startExecution: true, sendTaskResponse: true,
			putEvents: true, assumeAccountRole: true, builds: read, timeoutSeconds: 30, memoryMiB: 256}, nil
	case "sync":
		// The sync workflow's task: reads a commit of a linked repository, registers
		// template versions (bundles to the bucket) or updates synced service instances
		// (starting their deployments). Its state's timeout is the Lambda maximum.
		return access{table: readWrite, bucket: readWrite, startExecution: true, putEvents: true, gitCredentials: true,
			timeoutSeconds: 900, memoryMiB: 1024}, nil
	case "poll":
		// The sync poller: asks each followed branch for its head and starts the sync
		// workflow for a new one.
		return access{table: read, startSync: true, gitCredentials: true, timeoutSeconds: 300, memoryMiB: 512}, nil
	default:
		return access{}, fmt.Errorf("function %q: no access is declared for it in cdk/stacks/access.go", name)
	}
}
