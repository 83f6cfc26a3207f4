package control_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/platform"
)

// seedInstances stores services s0..s5 of four instances each in environments e0..e2,
// on template api at 1.0 or 1.1, created an hour apart, some failed; api recommends 1.1.
func seedInstances(t *testing.T, h *harness) []platform.ServiceInstance {
	t.Helper()
	at := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	if err := h.store.CreateTemplate(h.ctx, platform.Template{Kind: platform.ServiceTemplate, Name: "api", Recommended: platform.Version{Major: 1, Minor: 1}}, nil); err != nil {
		t.Fatal(err)
	}
	var all []platform.ServiceInstance
	n := 0
	for s := range 6 {
		svc := platform.Service{Name: fmt.Sprintf("s%d", s), TemplateName: "api", TemplateVersion: platform.Version{Major: 1}, Status: platform.ServiceActive}
		var instances []platform.ServiceInstance
		var deployments []platform.Deployment
		for i := range 4 {
			n++
			created := at.Add(time.Duration((n*7)%24) * time.Hour) // not in name order
			in := platform.ServiceInstance{Service: svc.Name, Name: fmt.Sprintf("i%d-%s", i, svc.Name), Environment: fmt.Sprintf("e%d", n%3),
				Deployable: platform.Deployable{TemplateName: "api", TemplateVersion: platform.Version{Major: 1, Minor: n % 2}, CreatedAt: created}}
			d := platform.Deployment{ID: fmt.Sprintf("d-%d", n), Target: platform.Target{Kind: platform.ServiceInstanceTarget, Service: svc.Name, Instance: in.Name},
				Operation: platform.Deploy, TemplateName: "api", TemplateVersion: in.TemplateVersion, Status: platform.InProgress, CreatedAt: created, UpdatedAt: created}
			instances, deployments = append(instances, in), append(deployments, d)
		}
		if err := h.store.CreateService(h.ctx, svc, instances, nil, deployments, nil); err != nil {
			t.Fatal(err)
		}
		for _, d := range deployments {
			stored, err := h.store.GetDeployment(h.ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			stored.Status = platform.Succeeded
			if strings.HasSuffix(d.ID, "3") || strings.HasSuffix(d.ID, "8") {
				stored.Status = platform.Failed
			}
			if err := h.store.FinishDeployment(h.ctx, stored); err != nil {
				t.Fatal(err)
			}
			in, err := h.store.GetServiceInstance(h.ctx, d.Target.Service, d.Target.Instance)
			if err != nil {
				t.Fatal(err)
			}
			all = append(all, in)
		}
	}
	return all
}

func names(list []platform.ServiceInstance) []string {
	out := make([]string, len(list))
	for i, in := range list {
		out[i] = in.Service + "/" + in.Name
	}
	return out
}

// TestListServiceInstancesFiltersSortsAndPages lists instances with each of Proton's
// filters and sorts, in pages of 3, and compares every concatenation with the instances
// the test computes from what it stored.
func TestListServiceInstancesFiltersSortsAndPages(t *testing.T) {
	h := newHarness(t)
	all := seedInstances(t, h)
	dev := developerContext()
	cut := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	one := 1
	zero := 0
	byService := func(a, b platform.ServiceInstance) int {
		return strings.Compare(a.Service+"#"+a.Name, b.Service+"#"+b.Name)
	}
	for _, c := range []struct {
		what   string
		filter control.ServiceInstanceFilter
		order  control.InstanceSort
		keep   func(platform.ServiceInstance) bool
		cmp    func(a, b platform.ServiceInstance) int
	}{
		{"everything", control.ServiceInstanceFilter{}, control.InstanceSort{}, nil, byService},
		{"everything, descending", control.ServiceInstanceFilter{}, control.InstanceSort{Descending: true}, nil,
			func(a, b platform.ServiceInstance) int { return -byService(a, b) }},
		{"failed ones", control.ServiceInstanceFilter{DeploymentStatus: platform.Failed}, control.InstanceSort{},
			func(i platform.ServiceInstance) bool { return i.DeploymentStatus == platform.Failed }, byService},
		{"in e1 by name", control.ServiceInstanceFilter{Environment: "e1"}, control.InstanceSort{By: "name"},
			func(i platform.ServiceInstance) bool { return i.Environment == "e1" },
			func(a, b platform.ServiceInstance) int {
				return cmpOr(strings.Compare(a.Name, b.Name), byService(a, b))
			}},
		{"on 1.0 behind a minor", control.ServiceInstanceFilter{TemplateName: "api", Major: &one, Minor: &zero, VersionStatus: control.VersionBehindMinor}, control.InstanceSort{},
			func(i platform.ServiceInstance) bool { return i.TemplateVersion.Minor == 0 }, byService},
		{"up to date", control.ServiceInstanceFilter{VersionStatus: control.VersionUpToDate}, control.InstanceSort{By: "environmentName", Descending: true},
			func(i platform.ServiceInstance) bool { return i.TemplateVersion.Minor == 1 },
			func(a, b platform.ServiceInstance) int {
				return cmpOr(-strings.Compare(a.Environment, b.Environment), byService(a, b))
			}},
		{"created before noon, newest first", control.ServiceInstanceFilter{CreatedBefore: &cut}, control.InstanceSort{By: "createdAt", Descending: true},
			func(i platform.ServiceInstance) bool { return i.CreatedAt.Before(cut) },
			func(a, b platform.ServiceInstance) int {
				return cmpOr(-a.CreatedAt.Compare(b.CreatedAt), byService(a, b))
			}},
		{"of s2 by status", control.ServiceInstanceFilter{Service: "s2"}, control.InstanceSort{By: "deploymentStatus"},
			func(i platform.ServiceInstance) bool { return i.Service == "s2" },
			func(a, b platform.ServiceInstance) int {
				return cmpOr(strings.Compare(string(a.DeploymentStatus), string(b.DeploymentStatus)), byService(a, b))
			}},
		{"one by name", control.ServiceInstanceFilter{Name: "i2-s4"}, control.InstanceSort{By: "lastDeploymentAttemptedAt"},
			func(i platform.ServiceInstance) bool { return i.Name == "i2-s4" }, byService},
	} {
		want := slices.Clone(all)
		if c.keep != nil {
			want = slices.DeleteFunc(want, func(i platform.ServiceInstance) bool { return !c.keep(i) })
		}
		slices.SortStableFunc(want, c.cmp)
		var got []platform.ServiceInstance
		page := platform.PageRequest{Limit: 3}
		for pages := 0; ; pages++ {
			if pages > len(all) {
				t.Fatalf("%s: the pages do not end", c.what)
			}
			list, err := h.svc.FindServiceInstances(dev, c.filter, c.order, page)
			if err != nil {
				t.Fatalf("%s: %v", c.what, err)
			}
			got = append(got, list.Items...)
			if list.NextToken == "" {
				break
			}
			page.NextToken = list.NextToken
		}
		if !slices.Equal(names(got), names(want)) {
			t.Fatalf("%s:\n got %v\nwant %v", c.what, names(got), names(want))
		}
		if len(want) == 0 {
			t.Fatalf("%s: the seed has no match; the case tests nothing", c.what)
		}
	}

	// A sorted list's token belongs to that list only; bad values are refused by field.
	first, err := h.svc.FindServiceInstances(dev, control.ServiceInstanceFilter{}, control.InstanceSort{By: "createdAt"}, platform.PageRequest{Limit: 2})
	if err != nil || first.NextToken == "" {
		t.Fatalf("first sorted page: %v, %+v", err, first)
	}
	for _, bad := range []struct {
		filter control.ServiceInstanceFilter
		order  control.InstanceSort
		page   platform.PageRequest
		field  string
	}{
		{control.ServiceInstanceFilter{}, control.InstanceSort{By: "name"}, platform.PageRequest{NextToken: first.NextToken}, "nextToken"},
		{control.ServiceInstanceFilter{}, control.InstanceSort{By: "colour"}, platform.PageRequest{}, "sortBy"},
		{control.ServiceInstanceFilter{DeploymentStatus: "BROKEN"}, control.InstanceSort{}, platform.PageRequest{}, "deploymentStatus"},
		{control.ServiceInstanceFilter{VersionStatus: "OLD"}, control.InstanceSort{}, platform.PageRequest{}, "deployedTemplateVersionStatus"},
		{control.ServiceInstanceFilter{Minor: &one}, control.InstanceSort{}, platform.PageRequest{}, "templateMinorVersion"},
	} {
		_, err := h.svc.FindServiceInstances(dev, bad.filter, bad.order, bad.page)
		if platform.KindOf(err) != platform.Invalid || !strings.Contains(err.Error(), bad.field) {
			t.Errorf("%+v %+v: %v, want Invalid naming %s", bad.filter, bad.order, err, bad.field)
		}
	}
	if _, err := h.svc.FindServiceInstances(platform.WithCaller(h.ctx, platform.Caller{Subject: "nobody"}), control.ServiceInstanceFilter{}, control.InstanceSort{}, platform.PageRequest{}); platform.KindOf(err) != platform.Forbidden {
		t.Errorf("a caller without a role: %v, want Forbidden", err)
	}
}

func cmpOr(c ...int) int {
	for _, x := range c {
		if x != 0 {
			return x
		}
	}
	return 0
}
