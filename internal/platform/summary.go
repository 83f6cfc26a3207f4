package platform

// CountedKind is a kind of resource GetResourcesSummary counts.
type CountedKind string

// The counted kinds, one per member of Proton's CountsSummary.
const (
	CountedEnvironments         CountedKind = "ENVIRONMENT"
	CountedServices             CountedKind = "SERVICE"
	CountedServiceInstances     CountedKind = "SERVICE_INSTANCE"
	CountedPipelines            CountedKind = "SERVICE_PIPELINE"
	CountedComponents           CountedKind = "COMPONENT"
	CountedEnvironmentTemplates CountedKind = "ENVIRONMENT_TEMPLATE"
	CountedServiceTemplates     CountedKind = "SERVICE_TEMPLATE"
)

// CountBucket counts the resources of one kind that run one template version (Template
// "" and a zero Version for kinds without one): how many there are, and how many of them
// failed (deployment status FAILED or DELETE_FAILED).
type CountBucket struct {
	Kind     CountedKind
	Template string
	Version  Version
	Total    int
	Failed   int
}

// EstateCounts is what the store keeps for GetResourcesSummary: the counts by kind and
// template version, and the recommended version of every template (zero when nothing is
// published), by kind and name.
type EstateCounts struct {
	Buckets     []CountBucket
	Recommended map[TemplateKind]map[string]Version
}

// ResourceCounts is Proton's ResourceCountsSummary: how many resources of a kind there
// are, how many failed, and how they stand against their template's recommended version.
// UpToDate + BehindMajor + BehindMinor = Total for the kinds that run a template version.
type ResourceCounts struct {
	Total       int
	Failed      int
	UpToDate    int
	BehindMajor int
	BehindMinor int
}

// ResourcesSummary is Proton's CountsSummary: the counts of each kind.
type ResourcesSummary map[CountedKind]ResourceCounts

// Staleness says how a resource running version v stands against a template's
// recommended version rec (Proton's meaning): behind a major when rec's major is higher,
// behind a minor when the majors are equal and rec's minor is higher, up to date
// otherwise — also when nothing is recommended (rec zero) or v is newer than rec.
func Staleness(v, rec Version) (behindMajor, behindMinor bool) {
	switch {
	case rec.IsZero():
		return false, false
	case v.Major < rec.Major:
		return true, false
	case v.Major == rec.Major && v.Minor < rec.Minor:
		return false, true
	}
	return false, false
}

// templateKindOfCounted is the kind of template a counted kind runs, "" for none.
func templateKindOfCounted(k CountedKind) TemplateKind {
	switch k {
	case CountedEnvironments:
		return EnvironmentTemplate
	case CountedServiceInstances, CountedPipelines:
		return ServiceTemplate
	}
	return ""
}

// Summarize computes the summary from the counts, staleness against the templates'
// recommended versions as they are now (so that a moved recommendation moves the counts
// without any write to them). Environments, service instances and pipelines get every
// count; services, components and templates get Total and Failed (services and templates
// Failed 0: Proton derives neither).
func (c EstateCounts) Summarize() ResourcesSummary {
	out := ResourcesSummary{}
	for _, k := range []CountedKind{CountedEnvironments, CountedServices, CountedServiceInstances, CountedPipelines,
		CountedComponents, CountedEnvironmentTemplates, CountedServiceTemplates} {
		out[k] = ResourceCounts{}
	}
	for kind, names := range c.Recommended {
		k := CountedEnvironmentTemplates
		if kind == ServiceTemplate {
			k = CountedServiceTemplates
		}
		r := out[k]
		r.Total += len(names)
		out[k] = r
	}
	for _, b := range c.Buckets {
		r := out[b.Kind]
		r.Total += b.Total
		r.Failed += b.Failed
		if tk := templateKindOfCounted(b.Kind); tk != "" {
			major, minor := Staleness(b.Version, c.Recommended[tk][b.Template])
			switch {
			case major:
				r.BehindMajor += b.Total
			case minor:
				r.BehindMinor += b.Total
			default:
				r.UpToDate += b.Total
			}
		}
		out[b.Kind] = r
	}
	return out
}
