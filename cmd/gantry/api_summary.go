package main

import (
	"context"
	"io"
	"strconv"

	"github.com/gantry-platform/gantry/internal/apiclient"
	"github.com/gantry-platform/gantry/internal/apimodel"
)

func summaryCommand() func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return verbless("summary", `usage: gantry summary

Counts each kind of resource (Proton's GetResourcesSummary): how many there are, how many
failed, and how many are up to date with, or a major or a minor behind, their template's
recommended version (environments, service instances and pipelines).
`, func(a *apiCommand) action {
		return func(ctx context.Context) int {
			s, err := a.client.GetResourcesSummary(ctx)
			return a.answer(err, s.Raw, func(w io.Writer) { writeSummary(w, s) })
		}
	})
}

func writeSummary(w io.Writer, s apiclient.ResourcesSummary) {
	c := s.Counts
	row := func(kind string, r apimodel.ResourceCounts, staleness bool) []string {
		out := []string{kind, strconv.Itoa(r.Total), strconv.Itoa(r.Failed), "-", "-", "-"}
		if staleness {
			out[3], out[4], out[5] = strconv.Itoa(r.UpToDate), strconv.Itoa(r.BehindMinor), strconv.Itoa(r.BehindMajor)
		}
		return out
	}
	writeTable(w, []string{"KIND", "TOTAL", "FAILED", "UP-TO-DATE", "BEHIND-MINOR", "BEHIND-MAJOR"}, [][]string{
		row("environment templates", c.EnvironmentTemplates, false),
		row("service templates", c.ServiceTemplates, false),
		row("environments", c.Environments, true),
		row("services", c.Services, false),
		row("service instances", c.ServiceInstances, true),
		row("pipelines", c.Pipelines, true),
		row("components", c.Components, false),
	})
}
