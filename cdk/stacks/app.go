package stacks

import (
	"path/filepath"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/gantry-platform/gantry/internal/lambdaenv"
)

// Stack ids of the app; they are also the CloudFormation stack names.
const (
	DataStackID    = "GantryData"
	ServiceStackID = "Gantry"
)

// crossStackReferencesFlag is the feature flag of the cross-stack reference strength.
const crossStackReferencesFlag = "@aws-cdk/core:defaultCrossStackReferences"

// Gantry is the deployed system: its two stacks, the connection stack an environment
// account deploys, and a forwarding stack per other region (Config.Regions).
type Gantry struct {
	Data       *DataStack
	Service    *ServiceStack
	Connection *ConnectionStack
	Forwarding []*ForwardingStack
}

// Build adds Gantry's stacks to app, configured by cfg, and applies the cdk-nag checks.
// It returns an error, before creating anything, when a function binary is missing from
// cfg.AssetsDir, and the errors of NewServiceStack.
func Build(app awscdk.App, cfg Config) (*Gantry, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if !filepath.IsAbs(cfg.AssetsDir) {
		abs, err := filepath.Abs(cfg.AssetsDir)
		if err != nil {
			return nil, err
		}
		cfg.AssetsDir = abs
	}
	if err := checkAssets(cfg.AssetsDir, lambdaenv.Functions()); err != nil {
		return nil, err
	}
	// Cross-stack references (the service stack's use of the table and the bucket) stay
	// CloudFormation exports, which keep the data stack from dropping what is in use.
	if app.Node().TryGetContext(jsii.String(crossStackReferencesFlag)) == nil {
		app.Node().SetContext(jsii.String(crossStackReferencesFlag), "strong")
	}
	// Environment-agnostic: the account and region come from the credentials at deploy.
	data := NewDataStack(app, DataStackID, &DataStackProps{})
	service, err := NewServiceStack(app, ServiceStackID, &ServiceStackProps{
		Config:        cfg,
		Table:         data.Table,
		Bucket:        data.Bucket,
		AccessKeysKey: data.AccessKeysKey,
	})
	if err != nil {
		return nil, err
	}
	AllowEnvironmentAccounts(service.Stack, cfg.EnvironmentAccounts)
	// The connection stack is deployed in environment accounts: the same managed policies
	// bound what users' templates may create there.
	connection, err := NewConnectionStack(app, ConnectionStackID, &ConnectionStackProps{RoleName: cfg.AccountRoleName, PolicyARNs: cfg.ProvisioningPolicyARNs,
		PlatformRegion: cfg.PlatformRegion, Regions: cfg.Regions})
	if err != nil {
		return nil, err
	}
	g := &Gantry{Data: data, Service: service, Connection: connection}
	// Each other region forwards its stack events to the platform's bus: deployed there
	// in the platform's account and in each environment account with environments there.
	for _, region := range cfg.Regions {
		f, err := NewForwardingStack(app, ForwardingStackID+"-"+region, &ForwardingStackProps{
			StackProps: awscdk.StackProps{Env: &awscdk.Environment{Region: jsii.String(region)}}, PlatformRegion: cfg.PlatformRegion})
		if err != nil {
			return nil, err
		}
		g.Forwarding = append(g.Forwarding, f)
	}
	ApplyChecks(app)
	return g, nil
}
