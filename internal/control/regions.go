package control

import (
	"cmp"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Environments in other regions (an extension beyond Proton, which was regional): an
// environment may be created with a region, fixed from then on; its stack, its service
// instances' and its components' deploy there (platform.StacksOf reaches them). "" stands
// for the platform's own region everywhere it is stored.

// environmentRegion checks the region a new environment asks for and returns what is
// stored: "" for none or the platform's own region. Only an environment whose template
// version CloudFormation provisions (or a customer-managed one given its outputs, which
// deploys nothing) may have another region: CodeBuild and Terraform provisioning run in
// the platform's region. Invalid naming region.
func (s *Service) environmentRegion(region string, tv platform.TemplateVersion, outputsGiven bool) (string, error) {
	if region == "" || region == s.arns.Region {
		return "", nil
	}
	if err := platform.ValidateRegion("region", region); err != nil {
		return "", err
	}
	if !outputsGiven {
		if err := s.checkEngineRegion(tv, platform.Environment{Region: region}, "region"); err != nil {
			return "", err
		}
	}
	return region, nil
}

// checkEngineRegion refuses template version tv for a target in environment env when env
// is in another region and tv is not provisioned by CloudFormation: CodeBuild and
// Terraform provisioning run in the platform's region. Invalid naming field.
func (s *Service) checkEngineRegion(tv platform.TemplateVersion, env platform.Environment, field string) error {
	if env.Region == "" || tv.Engine.OrDefault() == platform.EngineCloudFormation {
		return nil
	}
	return platform.FieldErrorf(field, "%s:%s is provisioned by %s, which runs in the platform's region (%s), not in region %s: "+
		"only CloudFormation deploys in another region", tv.TemplateName, tv.Version, tv.Engine.OrDefault(), s.arns.Region, env.Region)
}

// regionOf is the region env deploys in: its own, else the platform's.
func (s *Service) regionOf(env platform.Environment) string { return s.regionName(env.Region) }

// regionName is region, or the platform's region for "".
func (s *Service) regionName(region string) string { return cmp.Or(region, s.arns.Region) }

// checkRegionKept refuses an update of env that gives another region than env's: a region
// is fixed at creation (moving an environment would orphan its stack and its instances').
// Invalid naming region.
func (s *Service) checkRegionKept(env platform.Environment, region *string) error {
	if region == nil || *region == s.regionOf(env) {
		return nil
	}
	return platform.FieldErrorf("region", "environment %s is in region %s and cannot move to %q: a region is fixed at creation; "+
		"create an environment in %s and move its service instances there instead", env.Name, s.regionOf(env), *region, *region)
}
