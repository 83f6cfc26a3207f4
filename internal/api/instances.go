package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
)

// instanceFilterKeys are the filters of ListServiceInstances: Proton's filter keys, and
// Gantry's template version and last-success ones (REST only).
var (
	protonInstanceFilters = []string{"name", "deploymentStatus", "templateName", "serviceName", "deployedTemplateVersionStatus", "environmentName",
		"lastDeploymentAttemptedAtBefore", "lastDeploymentAttemptedAtAfter", "createdAtBefore", "createdAtAfter"}
	gantryInstanceFilters = []string{"templateMajorVersion", "templateMinorVersion", "lastDeploymentSucceededAtBefore", "lastDeploymentSucceededAtAfter"}
)

func instanceListRoutes() []route {
	query := append(append(append([]string{}, protonInstanceFilters...), gantryInstanceFilters...), "sortBy", "sortOrder", "maxResults", "nextToken")
	return []route{
		{method: "GET", path: "/v1/service-instances", operationID: "ListServiceInstances", summary: "Service instances across services (Proton's ListServiceInstances), filtered by Proton's filters as query parameters (and templateMajorVersion/templateMinorVersion, lastDeploymentSucceededAtBefore/After); ?sortBy= (default serviceName) and ?sortOrder=ASCENDING|DESCENDING. A template version (templateName with both versions), environmentName or serviceName choose the index read; sorting by serviceName pages through it, other sorts read at most 2,000 matching instances", access: anyRole, response: "ServiceInstanceList", status: 200, query: query, handle: (*handler).findInstances},
	}
}

// instanceFilter builds ListServiceInstances' filter from values by filter key; field
// names the values in errors (e.g. "filters[2].value" on the wire), nil naming the key.
func instanceFilter(values map[string]string, field func(key string) string) (control.ServiceInstanceFilter, error) {
	if field == nil {
		field = func(key string) string { return key }
	}
	f := control.ServiceInstanceFilter{Name: values["name"], Service: values["serviceName"], Environment: values["environmentName"],
		TemplateName: values["templateName"], DeploymentStatus: platform.DeploymentStatus(values["deploymentStatus"]),
		VersionStatus: values["deployedTemplateVersionStatus"]}
	for key, out := range map[string]**int{"templateMajorVersion": &f.Major, "templateMinorVersion": &f.Minor} {
		if v, ok := values[key]; ok {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return f, platform.FieldErrorf(field(key), "must be a whole number ≥ 0")
			}
			*out = &n
		}
	}
	for key, out := range map[string]**time.Time{
		"lastDeploymentAttemptedAtBefore": &f.AttemptedBefore, "lastDeploymentAttemptedAtAfter": &f.AttemptedAfter,
		"lastDeploymentSucceededAtBefore": &f.SucceededBefore, "lastDeploymentSucceededAtAfter": &f.SucceededAfter,
		"createdAtBefore": &f.CreatedBefore, "createdAtAfter": &f.CreatedAfter,
	} {
		if v, ok := values[key]; ok {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				return f, platform.FieldErrorf(field(key), "%q is not an RFC 3339 time (e.g. 1985-04-12T23:20:50.52Z)", v)
			}
			*out = &t
		}
	}
	return f, nil
}

// instanceSort reads sortBy and sortOrder (ASCENDING, the default, or DESCENDING).
func instanceSort(by, order string) (control.InstanceSort, error) {
	s := control.InstanceSort{By: by}
	switch order {
	case "", "ASCENDING":
	case "DESCENDING":
		s.Descending = true
	default:
		return s, platform.FieldErrorf("sortOrder", "%q is not ASCENDING or DESCENDING", order)
	}
	return s, nil
}

func (h *handler) findInstances(w http.ResponseWriter, r *http.Request) error {
	p, err := page(r)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	values := map[string]string{}
	for _, key := range append(append([]string{}, protonInstanceFilters...), gantryInstanceFilters...) {
		if q.Has(key) {
			values[key] = q.Get(key)
		}
	}
	f, err := instanceFilter(values, nil)
	if err != nil {
		return err
	}
	order, err := instanceSort(q.Get("sortBy"), q.Get("sortOrder"))
	if err != nil {
		return err
	}
	list, err := h.svc.FindServiceInstances(r.Context(), f, order, p)
	if err != nil {
		return err
	}
	writeJSON(w, 200, viewList(list, func(i platform.ServiceInstance) apimodel.ServiceInstance { return viewInstance(h.arns, i) }))
	return nil
}
