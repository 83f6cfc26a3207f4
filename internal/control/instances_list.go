package control

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
)

// ServiceInstanceFilter picks service instances across services, as the filters of
// Proton's ListServiceInstances do (every field that is set must hold). Service,
// Environment and a full template version (TemplateName, Major and Minor) choose the index
// read, in the order: template version, environment, service, else every instance; the
// other fields are applied to what that index returns.
type ServiceInstanceFilter struct {
	Name             string
	Service          string
	Environment      string
	TemplateName     string
	Major            *int
	Minor            *int
	DeploymentStatus platform.DeploymentStatus
	// VersionStatus is how the instance stands against its template's recommended
	// version: VersionUpToDate, VersionBehindMinor or VersionBehindMajor (Proton's
	// deployedTemplateVersionStatus, whose values Proton does not document).
	VersionStatus string
	// The time filters hold for instances whose time is strictly before or after the
	// given one; an instance without the time (never deployed successfully) fails them.
	AttemptedBefore, AttemptedAfter *time.Time
	SucceededBefore, SucceededAfter *time.Time
	CreatedBefore, CreatedAfter     *time.Time
}

// The values of ServiceInstanceFilter.VersionStatus.
const (
	VersionUpToDate    = "UP_TO_DATE"
	VersionBehindMinor = "BEHIND_MINOR"
	VersionBehindMajor = "BEHIND_MAJOR"
)

// InstanceSort orders ListServiceInstances: By one of Proton's ListServiceInstancesSortBy
// values (name, deploymentStatus, templateName, serviceName, environmentName,
// lastDeploymentAttemptedAt, createdAt; "" is serviceName, instances of a service by
// name), ascending unless Descending.
type InstanceSort struct {
	By         string
	Descending bool
}

// sortKeys gives each sortBy value the instance's key for it; ties are broken by service
// and instance name.
var sortKeys = map[string]func(platform.ServiceInstance) string{
	"name":                      func(i platform.ServiceInstance) string { return i.Name },
	"deploymentStatus":          func(i platform.ServiceInstance) string { return string(i.DeploymentStatus) },
	"templateName":              func(i platform.ServiceInstance) string { return i.TemplateName },
	"serviceName":               func(i platform.ServiceInstance) string { return "" },
	"environmentName":           func(i platform.ServiceInstance) string { return i.Environment },
	"lastDeploymentAttemptedAt": func(i platform.ServiceInstance) string { return sortableTime(i.LastAttemptedAt) },
	"createdAt":                 func(i platform.ServiceInstance) string { return sortableTime(i.CreatedAt) },
}

func sortableTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000000000")
}

// MaxSortedInstances bounds the instances a sort other than the index's own order reads:
// such a sort reads every instance the filters' index chooses (at most this many), and
// pages through them sorted.
const MaxSortedInstances = 2000

// FindServiceInstances lists the service instances f picks, sorted as order says, one
// page (Proton's ListServiceInstances).
//
// The index read is chosen by f (see ServiceInstanceFilter); sorted by service and
// instance name (the default, or name within one service), each page is one Query of it,
// the other filters narrowing the page (a page may then hold fewer items than asked,
// NextToken still leading on). Any other sort reads the whole chosen index — one Query
// per 100 instances, at most MaxSortedInstances, else Invalid asking for narrower
// filters — then filters, sorts and pages through the result by position (NextToken
// carries the position; a list that changes meanwhile may repeat or skip an instance).
// Errors: Invalid naming the field (an unknown sortBy, deploymentStatus or version status,
// a minor without its major, a page token of another list), Forbidden for a caller with no
// role. An unknown name has no instances (never NotFound).
func (s *Service) FindServiceInstances(ctx context.Context, f ServiceInstanceFilter, order InstanceSort, page platform.PageRequest) (platform.Page[platform.ServiceInstance], error) {
	if err := requireRole(ctx, platform.DeveloperRole, "ListServiceInstances"); err != nil {
		return platform.Page[platform.ServiceInstance]{}, err
	}
	if err := f.check(); err != nil {
		return platform.Page[platform.ServiceInstance]{}, err
	}
	if order.By == "" {
		order.By = "serviceName"
	}
	if sortKeys[order.By] == nil {
		return platform.Page[platform.ServiceInstance]{}, platform.FieldErrorf("sortBy", "%q is not one of name, deploymentStatus, templateName, serviceName, environmentName, lastDeploymentAttemptedAt, createdAt", order.By)
	}
	scope := platform.InstanceScope{Environment: f.Environment, Service: f.Service}
	if f.TemplateName != "" && f.Major != nil && f.Minor != nil {
		scope = platform.InstanceScope{TemplateName: f.TemplateName, Version: platform.Version{Major: *f.Major, Minor: *f.Minor}}
	}
	keep := s.instanceMatcher(ctx, f)
	if order.By == "serviceName" || (order.By == "name" && scope.Service != "") {
		list, err := s.store.ListInstances(ctx, scope, order.Descending, page)
		if err != nil {
			return list, err
		}
		kept := list.Items[:0]
		for _, i := range list.Items {
			ok, err := keep(i)
			if err != nil {
				return list, err
			}
			if ok {
				kept = append(kept, i)
			}
		}
		list.Items = kept
		return list, nil
	}
	return s.sortedInstances(ctx, f, scope, order, keep, page)
}

// check validates the filter's values.
func (f ServiceInstanceFilter) check() error {
	if f.DeploymentStatus != "" && !knownStatus(f.DeploymentStatus) {
		return platform.FieldErrorf("deploymentStatus", "%q is not a deployment status (IN_PROGRESS, SUCCEEDED, FAILED, DELETE_IN_PROGRESS, DELETE_FAILED, DELETE_COMPLETE, CANCELLING, CANCELLED)", f.DeploymentStatus)
	}
	switch f.VersionStatus {
	case "", VersionUpToDate, VersionBehindMinor, VersionBehindMajor:
	default:
		return platform.FieldErrorf("deployedTemplateVersionStatus", "%q is not one of %s, %s, %s", f.VersionStatus, VersionUpToDate, VersionBehindMinor, VersionBehindMajor)
	}
	if f.Minor != nil && f.Major == nil {
		return platform.FieldErrorf("templateMinorVersion", "needs templateMajorVersion")
	}
	return nil
}

func knownStatus(s platform.DeploymentStatus) bool {
	switch s {
	case platform.InProgress, platform.Succeeded, platform.Failed, platform.DeleteInProgress, platform.DeleteFailed,
		platform.DeleteComplete, platform.Cancelling, platform.Cancelled:
		return true
	}
	return false
}

// instanceMatcher returns the test of f on one instance; the version status reads each
// template's recommended version once.
func (s *Service) instanceMatcher(ctx context.Context, f ServiceInstanceFilter) func(platform.ServiceInstance) (bool, error) {
	recommended := map[string]platform.Version{}
	before := func(limit *time.Time, t time.Time) bool { return limit == nil || (!t.IsZero() && t.Before(*limit)) }
	after := func(limit *time.Time, t time.Time) bool { return limit == nil || (!t.IsZero() && t.After(*limit)) }
	return func(i platform.ServiceInstance) (bool, error) {
		switch {
		case f.Name != "" && i.Name != f.Name,
			f.Service != "" && i.Service != f.Service,
			f.Environment != "" && i.Environment != f.Environment,
			f.TemplateName != "" && i.TemplateName != f.TemplateName,
			f.Major != nil && i.TemplateVersion.Major != *f.Major,
			f.Minor != nil && i.TemplateVersion.Minor != *f.Minor,
			f.DeploymentStatus != "" && i.DeploymentStatus != f.DeploymentStatus,
			!before(f.AttemptedBefore, i.LastAttemptedAt), !after(f.AttemptedAfter, i.LastAttemptedAt),
			!before(f.SucceededBefore, i.LastSucceededAt), !after(f.SucceededAfter, i.LastSucceededAt),
			!before(f.CreatedBefore, i.CreatedAt), !after(f.CreatedAfter, i.CreatedAt):
			return false, nil
		}
		if f.VersionStatus == "" {
			return true, nil
		}
		rec, ok := recommended[i.TemplateName]
		if !ok {
			t, err := s.store.GetTemplate(ctx, platform.ServiceTemplate, i.TemplateName)
			if err != nil && platform.KindOf(err) != platform.NotFound {
				return false, err
			}
			rec, recommended[i.TemplateName] = t.Recommended, t.Recommended
		}
		major, minor := platform.Staleness(i.TemplateVersion, rec)
		status := VersionUpToDate
		if major {
			status = VersionBehindMajor
		} else if minor {
			status = VersionBehindMinor
		}
		return status == f.VersionStatus, nil
	}
}

// sortedToken is the NextToken of a sorted list: the position of the next page in it, and
// what the list is, so that a token is not taken for another list's.
type sortedToken struct {
	List     string `json:"l"`
	Position int    `json:"p"`
}

// sortedInstances reads every instance scope chooses (bounded), keeps those f picks,
// sorts them and returns the page at the token's position.
func (s *Service) sortedInstances(ctx context.Context, f ServiceInstanceFilter, scope platform.InstanceScope, order InstanceSort, keep func(platform.ServiceInstance) (bool, error), page platform.PageRequest) (platform.Page[platform.ServiceInstance], error) {
	var out platform.Page[platform.ServiceInstance]
	raw, err := json.Marshal([]any{f, order})
	if err != nil {
		return out, fmt.Errorf("control: list instances: %w", err)
	}
	sum := sha256.Sum256(raw)
	id := hex.EncodeToString(sum[:8])
	position := 0
	if page.NextToken != "" {
		var t sortedToken
		b, err := base64.RawURLEncoding.DecodeString(page.NextToken)
		if err != nil || json.Unmarshal(b, &t) != nil || t.List != id || t.Position < 0 {
			return out, platform.FieldErrorf("nextToken", "is not a page token of this list of service instances")
		}
		position = t.Position
	}
	var all []platform.ServiceInstance
	read := platform.PageRequest{Limit: 100}
	for read.NextToken != "" || all == nil {
		list, err := s.store.ListInstances(ctx, scope, false, read)
		if err != nil {
			return out, err
		}
		if all == nil {
			all = []platform.ServiceInstance{}
		}
		for _, i := range list.Items {
			ok, err := keep(i)
			if err != nil {
				return out, err
			}
			if ok {
				all = append(all, i)
			}
		}
		if len(all) > MaxSortedInstances {
			return out, platform.FieldErrorf("sortBy", "sorting by %s reads every instance the filters choose, and more than %d match; narrow the list with serviceName, environmentName, or templateName with templateMajorVersion and templateMinorVersion (sorted by serviceName, any number can be listed)", order.By, MaxSortedInstances)
		}
		read.NextToken = list.NextToken
	}
	key := sortKeys[order.By]
	sort.SliceStable(all, func(a, b int) bool {
		ka, kb := key(all[a]), key(all[b])
		if ka != kb {
			return (ka < kb) != order.Descending
		}
		na, nb := all[a].Service+"#"+all[a].Name, all[b].Service+"#"+all[b].Name
		return strings.Compare(na, nb) < 0
	})
	limit := page.Limit
	switch {
	case limit <= 0:
		limit = 50
	case limit > 100:
		limit = 100
	}
	if position > len(all) {
		position = len(all)
	}
	end := min(position+limit, len(all))
	out.Items = all[position:end]
	if end < len(all) {
		b, err := json.Marshal(sortedToken{List: id, Position: end})
		if err != nil {
			return out, fmt.Errorf("control: list instances: %w", err)
		}
		out.NextToken = base64.RawURLEncoding.EncodeToString(b)
	}
	return out, nil
}
