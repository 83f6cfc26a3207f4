package cfnsim

import (
	"encoding/json"
	"time"
)

// statusEvent is an EventBridge "CloudFormation Stack Status Change" event, field for field
// in the order AWS delivers it.
type statusEvent struct {
	Version    string       `json:"version"`
	ID         string       `json:"id"`
	DetailType string       `json:"detail-type"`
	Source     string       `json:"source"`
	Account    string       `json:"account"`
	Time       string       `json:"time"`
	Region     string       `json:"region"`
	Resources  []string     `json:"resources"`
	Detail     statusDetail `json:"detail"`
}

type statusDetail struct {
	StackID            string        `json:"stack-id"`
	StatusDetails      statusDetails `json:"status-details"`
	ClientRequestToken string        `json:"client-request-token,omitempty"`
}

type statusDetails struct {
	Status       string `json:"status"`
	StatusReason string `json:"status-reason"`
}

// encodeStatusEvent returns the event JSON for one status transition of stack stackID.
func (s *Simulator) encodeStatusEvent(stackID, status, reason, token string, at time.Time, serial, step int) []byte {
	e := statusEvent{
		Version:    "0",
		ID:         uuidFrom("event", stackID, itoa(serial), itoa(step)),
		DetailType: "CloudFormation Stack Status Change",
		Source:     "aws.cloudformation",
		Account:    s.opts.Account,
		Time:       at.UTC().Format(time.RFC3339),
		Region:     s.opts.Region,
		Resources:  []string{stackID},
		Detail: statusDetail{
			StackID:            stackID,
			StatusDetails:      statusDetails{Status: status, StatusReason: reason},
			ClientRequestToken: token,
		},
	}
	b, err := json.Marshal(e)
	if err != nil {
		// A struct of strings always marshals.
		panic(err)
	}
	return b
}
