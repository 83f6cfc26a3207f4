package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"github.com/gantry-platform/gantry/internal/apiclient"
	"github.com/gantry-platform/gantry/internal/apimodel"
	"github.com/gantry-platform/gantry/internal/platform"
)

const importProtonUsage = `usage: gantry import proton [--bundle environment|service:TEMPLATE=PATH ...]
       [--environment-spec NAME=FILE ...] [--service-spec NAME=FILE ...] [--prefix AWSProton-] [--accept-changes]
       [--account-connection ID ...] [--regions REGION,...] [--service-repository NAME=CONNECTION_ARN,REPOSITORY_ID,BRANCH ...]

Adopts the stacks AWS Proton left (admin). Each --bundle (a folder or a .tar.gz you kept)
is registered and published as a version of TEMPLATE, the name Proton's aws:proton:template
tag gives; then every AWSProton-* stack is proven — its environment's or service's spec
rendered with that version, a change set made against the live stack — and adopted when the
change set is empty (or changes only metadata and tags). Stacks that would change are
reported and left alone unless --accept-changes. Running it again changes nothing.
The platform's own account is scanned, and the environment account of each CONNECTED
--account-connection (an environment found there is adopted through its connection), each
in the platform's own region, or in each of --regions (an environment found in another
region is adopted there: it deploys there afterwards, and so do its service instances).
A service's pipeline stack is proven with the pipeline part of its template and the
pipeline section of its spec; give its repository with --service-repository (as
aws proton get-service showed it). A service is adopted with all its instances and its
pipeline, or not at all.
Exits 1 when a stack was reported DRIFTED or FAILED.
`

// namedFiles collects repeated NAME=PATH flags.
type namedFiles map[string]string

func (n namedFiles) String() string { return fmt.Sprint(map[string]string(n)) }

func (n namedFiles) Set(s string) error {
	name, path, ok := strings.Cut(s, "=")
	if !ok || name == "" || path == "" {
		return fmt.Errorf("want NAME=PATH, not %q", s)
	}
	n[name] = path
	return nil
}

func importCommand() func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return resource("import", []verb{
		{"proton", "adopt the stacks AWS Proton left, with the bundles and specs you kept (admin)", importProtonUsage, importProton},
	})
}

func importProton(a *apiCommand) action {
	bundles, envSpecs, svcSpecs := namedFiles{}, namedFiles{}, namedFiles{}
	a.fs.Var(bundles, "bundle", "environment|service:TEMPLATE=PATH: a kept bundle to register and publish as TEMPLATE (repeatable)")
	a.fs.Var(envSpecs, "environment-spec", "NAME=FILE: the EnvironmentSpec environment NAME was deployed with (repeatable)")
	a.fs.Var(svcSpecs, "service-spec", "NAME=FILE: the ServiceSpec service NAME was deployed with (repeatable)")
	var in apimodel.ImportProton
	a.fs.StringVar(&in.StackNamePrefix, "prefix", "", "the stacks' name prefix (default AWSProton-)")
	a.fs.BoolVar(&in.AcceptChanges, "accept-changes", false, "adopt stacks whose change set would change resources too")
	a.fs.Func("account-connection", "a CONNECTED environment account connection whose account is scanned too (repeatable)", func(id string) error {
		in.AccountConnectionIDs = append(in.AccountConnectionIDs, id)
		return nil
	})
	a.fs.Func("service-repository", "NAME=CONNECTION_ARN,REPOSITORY_ID,BRANCH: the repository of service NAME, whose pipeline is imported (repeatable)", func(s string) error {
		name, repo, ok := strings.Cut(s, "=")
		parts := strings.Split(repo, ",")
		if !ok || name == "" || len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
			return fmt.Errorf("want NAME=CONNECTION_ARN,REPOSITORY_ID,BRANCH, not %q", s)
		}
		if in.ServiceRepositories == nil {
			in.ServiceRepositories = map[string]apimodel.ServiceRepository{}
		}
		in.ServiceRepositories[name] = apimodel.ServiceRepository{RepositoryConnectionARN: parts[0], RepositoryID: parts[1], BranchName: parts[2]}
		return nil
	})
	a.fs.Func("regions", "the regions scanned in each account, comma-separated (default: the platform's own)", func(list string) error {
		for _, r := range strings.Split(list, ",") {
			if r = strings.TrimSpace(r); r != "" {
				in.Regions = append(in.Regions, r)
			}
		}
		return nil
	})
	return func(ctx context.Context) int {
		for key, path := range bundles {
			word, name, ok := strings.Cut(key, ":")
			kind, known := map[string]platform.TemplateKind{"environment": platform.EnvironmentTemplate, "service": platform.ServiceTemplate}[word]
			if !ok || !known {
				return a.usageError("--bundle wants environment:TEMPLATE=PATH or service:TEMPLATE=PATH, not %q", key)
			}
			if code, ok := registerKept(ctx, a, kind, name, path); !ok {
				return code
			}
		}
		var err error
		if in.EnvironmentSpecs, err = readNamed(envSpecs); err == nil {
			in.ServiceSpecs, err = readNamed(svcSpecs)
		}
		if err != nil {
			fmt.Fprintf(a.stderr, "gantry %s: %v\n", a.fs.Name(), err)
			return exitProblems
		}
		report, err := a.client.ImportProtonStacks(ctx, in)
		code := a.answer(err, report.Raw, func(w io.Writer) { writeImportReport(w, report) })
		if code == exitOK && report.Drifted+report.Failed > 0 {
			return exitProblems
		}
		return code
	}
}

// registerKept registers and publishes a kept bundle as a version of template name,
// creating the template first when it does not exist.
func registerKept(ctx context.Context, a *apiCommand, kind platform.TemplateKind, name, path string) (int, bool) {
	archive, err := apiclient.BundleArchive(path)
	if err != nil {
		fmt.Fprintf(a.stderr, "gantry %s: --bundle %s: %v\n", a.fs.Name(), path, err)
		return exitProblems, false
	}
	in := apiclient.RegisterInput{Description: "the bundle kept from AWS Proton"}
	_, err = a.client.CreateTemplate(ctx, kind, apimodel.CreateTemplate{Name: name, Description: "imported from AWS Proton"})
	switch platform.KindOf(err) {
	case "":
	case platform.Conflict:
		// Registered by an earlier import: the same bundle under major 1 is the version
		// it already is, so running the import again registers nothing new.
		in.MajorVersion = 1
	default:
		return a.fail(err), false
	}
	tv, err := a.client.CreateTemplateVersion(ctx, kind, name, archive, in)
	if err == nil && tv.Status != platform.Published {
		_, err = a.client.PublishTemplateVersion(ctx, kind, name, tv.Version())
	}
	if err != nil {
		return a.fail(err), false
	}
	return exitOK, true
}

func readNamed(files namedFiles) (map[string]string, error) {
	out := map[string]string{}
	for name, path := range files {
		body, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		out[name] = string(body)
	}
	return out, nil
}

func writeImportReport(w io.Writer, r apiclient.ImportReport) {
	writeFields(w, []field{{"adopted", strconv.Itoa(r.Adopted)}, {"already adopted", strconv.Itoa(r.AlreadyAdopted)},
		{"drifted", strconv.Itoa(r.Drifted)}, {"failed", strconv.Itoa(r.Failed)}, {"skipped", strconv.Itoa(r.Skipped)}})
	if len(r.Stacks) == 0 {
		return
	}
	fmt.Fprintln(w)
	rows := make([][]string, 0, len(r.Stacks))
	for _, s := range r.Stacks {
		target := s.EnvironmentName
		switch {
		case s.TargetResourceType == string(platform.ServicePipelineTarget):
			target = s.ServiceName + " (pipeline)"
		case s.ServiceName != "":
			target = s.ServiceName + "/" + s.ServiceInstanceName
		}
		if s.Account != "" {
			target = s.Account + ":" + target // found through a connection
		}
		if s.Region != "" {
			target = s.Region + "/" + target // found in another region
		}
		changes := ""
		if s.Summary != nil {
			changes = summaryText(*s.Summary)
		}
		rows = append(rows, []string{s.StackName, target, s.Outcome, changes, s.Message})
	}
	writeTable(w, []string{"STACK", "TARGET", "OUTCOME", "CHANGES", "MESSAGE"}, rows)
}
