package platform

import (
	"encoding/json"
	"fmt"
)

// StatusChange is the detail of Gantry's "<Resource> Status Change" events, like Proton's
// aws.proton events: which resource, its status now and before.
type StatusChange struct {
	Name           string `json:"name"`
	Status         string `json:"status"`
	PreviousStatus string `json:"previousStatus,omitempty"`
	// Service names the service of an instance or pipeline; Template the template of a
	// template version; Version its major.minor.
	Service      string `json:"service,omitempty"`
	Template     string `json:"template,omitempty"`
	Version      string `json:"version,omitempty"`
	DeploymentID string `json:"deploymentId,omitempty"`
	Target       string `json:"target,omitempty"`
	Message      string `json:"statusMessage,omitempty"`
}

// StatusChangeEvent returns the event for change of a resource kind such as "Environment",
// "Service Instance", "Service Pipeline", "Deployment", "Environment Template Version".
func StatusChangeEvent(resource string, change StatusChange) Event {
	detail, _ := json.Marshal(change) // a struct of strings always marshals
	return Event{DetailType: resource + " Status Change", Detail: detail,
		Resources: []string{fmt.Sprintf("gantry:%s/%s", resourceSlug(resource), change.Name)}}
}

func resourceSlug(resource string) string {
	b := []byte(resource)
	for i, c := range b {
		switch {
		case c == ' ':
			b[i] = '-'
		case c >= 'A' && c <= 'Z':
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// TargetEvents returns the status-change events of a deployment and of its target, moving
// from previous to d.Status.
func TargetEvents(d Deployment, previous DeploymentStatus) []Event {
	change := StatusChange{Status: string(d.Status), PreviousStatus: string(previous),
		DeploymentID: d.ID, Message: d.StatusMessage}
	var resource string
	switch d.Target.Kind {
	case EnvironmentTarget:
		resource, change.Name = "Environment", d.Target.Environment
	case ServiceInstanceTarget:
		resource, change.Name, change.Service = "Service Instance", d.Target.Instance, d.Target.Service
	case ComponentTarget:
		resource, change.Name, change.Service = "Component", d.Target.Component, d.Target.Service
	default:
		resource, change.Name, change.Service = "Service Pipeline", d.Target.Service, d.Target.Service
	}
	dep := change
	dep.Name, dep.Service, dep.Target = d.ID, "", d.Target.String()
	return []Event{StatusChangeEvent(resource, change), StatusChangeEvent("Deployment", dep)}
}
