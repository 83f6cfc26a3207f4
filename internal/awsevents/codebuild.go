package awsevents

import (
	"encoding/json"
	"strings"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
)

// The source and detail type of CodeBuild's build state changes.
const (
	SourceCodeBuild            = "aws.codebuild"
	DetailTypeBuildStateChange = "CodeBuild Build State Change"
	buildDeploymentVariable    = "GANTRY_DEPLOYMENT_ID"
)

// BuildDeploymentVariable is the environment variable that carries, on every build Gantry
// starts, the deployment the build provisions.
const BuildDeploymentVariable = buildDeploymentVariable

// BuildStateChange is a "CodeBuild Build State Change" event.
type BuildStateChange struct {
	EventID         string
	Time            time.Time
	Account, Region string
	// BuildID is the build's ARN; Project its project's name.
	BuildID, Project string
	// Status is IN_PROGRESS, SUCCEEDED, FAILED, FAULT, STOPPED or TIMED_OUT.
	Status string
	// DeploymentID is the build's GANTRY_DEPLOYMENT_ID variable ("" for a build Gantry did
	// not start).
	DeploymentID string
	// FailedPhase and Reason name the phase that failed and its context, when one did.
	FailedPhase, Reason string
}

type buildDetail struct {
	Status      string `json:"build-status"`
	Project     string `json:"project-name"`
	BuildID     string `json:"build-id"`
	CurrentInfo struct {
		Environment struct {
			Variables []struct {
				Name  string `json:"name"`
				Value string `json:"value"`
			} `json:"environment-variables"`
		} `json:"environment"`
		Phases []struct {
			Type    string   `json:"phase-type"`
			Status  string   `json:"phase-status"`
			Context []string `json:"phase-context"`
		} `json:"phases"`
	} `json:"additional-information"`
}

func buildStateChange(env envelope) (BuildStateChange, error) {
	t, err := header(env)
	if err != nil {
		return BuildStateChange{}, err
	}
	var d buildDetail
	if err := json.Unmarshal(env.Detail, &d); err != nil {
		return BuildStateChange{}, platform.FieldErrorf("detail", "is not a build state change: %v", err)
	}
	if d.BuildID == "" {
		return BuildStateChange{}, platform.FieldErrorf("detail.build-id", "is required")
	}
	if d.Status == "" {
		return BuildStateChange{}, platform.FieldErrorf("detail.build-status", "is required")
	}
	ev := BuildStateChange{EventID: env.ID, Time: t, Account: env.Account, Region: env.Region,
		BuildID: d.BuildID, Project: d.Project, Status: d.Status}
	for _, v := range d.CurrentInfo.Environment.Variables {
		if v.Name == buildDeploymentVariable {
			ev.DeploymentID = v.Value
		}
	}
	for _, p := range d.CurrentInfo.Phases {
		if p.Status != "" && p.Status != "SUCCEEDED" && p.Type != "COMPLETED" {
			ev.FailedPhase = p.Type
			ev.Reason = strings.Join(p.Context, "; ")
			break
		}
	}
	return ev, nil
}

// BuildEnded reports whether a build status is final.
func BuildEnded(status string) bool {
	switch status {
	case "SUCCEEDED", "FAILED", "FAULT", "STOPPED", "TIMED_OUT":
		return true
	}
	return false
}
