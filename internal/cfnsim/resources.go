package cfnsim

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/gantry-platform/gantry/internal/platform"
)

// resourcePageSize is how many resources a ListStackResources page holds, as on AWS.
const resourcePageSize = 100

// plannedResource is a resource a template provisions: its physical id and a digest of
// its declaration, which tells an update whether the resource changes.
type plannedResource struct {
	id, typ, physical, digest string
}

// plan lists the resources whose condition holds, in logical id order, with their
// physical ids.
func (e *evaluator) plan() ([]plannedResource, error) {
	var out []plannedResource
	for _, id := range sortedKeys(e.resources) {
		ok, err := e.conditionOf(e.resources[id])
		if err != nil {
			return nil, err
		}
		if !ok {
			continue
		}
		declaration, err := yaml.Marshal(e.resources[id])
		if err != nil {
			return nil, err
		}
		sum := sha256.Sum256(declaration)
		out = append(out, plannedResource{id: id, typ: e.types[id], physical: e.physicalID(id), digest: hex.EncodeToString(sum[:])})
	}
	return out, nil
}

// listedResource is a resource of a stack as ListStackResources shows it, with the digest
// of the declaration it was last provisioned from.
type listedResource struct {
	platform.StackResource
	digest string
}

// createPhase is the status of a create's resources while the stack is at a status; a
// failed resource is CREATE_FAILED during the rollback.
var createPhase = map[string]string{"CREATE_IN_PROGRESS": "CREATE_IN_PROGRESS", "CREATE_COMPLETE": "CREATE_COMPLETE",
	"ROLLBACK_IN_PROGRESS": "CREATE_COMPLETE", "ROLLBACK_COMPLETE": "DELETE_COMPLETE"}

// resourcesAt returns the stack's resources while op is at status, given those the stack
// had before op (before), as CloudFormation shows them: a create lists its resources
// CREATE_IN_PROGRESS then CREATE_COMPLETE (a failed one CREATE_FAILED without a physical
// id, and all DELETE_COMPLETE once rolled back); an update creates the resources it adds,
// updates those whose declaration changed and deletes those it drops during its cleanup,
// and a rollback restores before; a deletion lists them DELETE_IN_PROGRESS.
func (op *operation) resourcesAt(status string, before []listedResource) []listedResource {
	failed := map[string]string{}
	for _, p := range op.problems {
		if p.LogicalID != "" {
			if _, seen := failed[p.LogicalID]; !seen {
				failed[p.LogicalID] = p.Message
			}
		}
	}
	previous := map[string]listedResource{}
	for _, r := range before {
		previous[r.LogicalID] = r
	}
	planned := func(p plannedResource, status string) listedResource {
		return listedResource{StackResource: platform.StackResource{LogicalID: p.id, PhysicalID: p.physical, Type: p.typ, Status: status}, digest: p.digest}
	}
	withStatus := func(rs []listedResource, status string) []listedResource {
		out := slices.Clone(rs)
		for i := range out {
			out[i].Status, out[i].StatusReason = status, ""
		}
		return out
	}
	var plan []plannedResource
	if op.result != nil {
		plan = op.result.provisioned
	}
	switch status {
	case "REVIEW_IN_PROGRESS":
		return nil
	case "CREATE_IN_PROGRESS", "CREATE_COMPLETE", "ROLLBACK_IN_PROGRESS", "ROLLBACK_COMPLETE":
		var out []listedResource
		for _, p := range plan {
			r := planned(p, createPhase[status])
			if reason, bad := failed[p.id]; bad && status != "CREATE_IN_PROGRESS" {
				r.PhysicalID = ""
				if status == "ROLLBACK_IN_PROGRESS" {
					r.Status, r.StatusReason = "CREATE_FAILED", reason
				}
			}
			out = append(out, r)
		}
		return out
	case "UPDATE_IN_PROGRESS", "UPDATE_COMPLETE_CLEANUP_IN_PROGRESS", "UPDATE_COMPLETE":
		if op.cancelled {
			return before
		}
		done := status != "UPDATE_IN_PROGRESS"
		kept := map[string]bool{}
		var out []listedResource
		for _, p := range plan {
			kept[p.id] = true
			old, existed := previous[p.id]
			switch {
			case !existed && done:
				out = append(out, planned(p, "CREATE_COMPLETE"))
			case !existed:
				out = append(out, planned(p, "CREATE_IN_PROGRESS"))
			case old.digest == p.digest:
				out = append(out, old)
			case done:
				out = append(out, planned(p, "UPDATE_COMPLETE"))
			default:
				r := old
				r.Status, r.StatusReason = "UPDATE_IN_PROGRESS", ""
				out = append(out, r)
			}
		}
		if status != "UPDATE_COMPLETE" {
			for _, r := range before {
				if !kept[r.LogicalID] {
					if done {
						r.Status, r.StatusReason = "DELETE_IN_PROGRESS", ""
					}
					out = append(out, r)
				}
			}
		}
		slices.SortFunc(out, func(a, b listedResource) int { return strings.Compare(a.LogicalID, b.LogicalID) })
		return out
	case "UPDATE_ROLLBACK_IN_PROGRESS":
		out := slices.Clone(before)
		for _, p := range plan {
			reason, bad := failed[p.id]
			if !bad {
				continue
			}
			if i := slices.IndexFunc(out, func(r listedResource) bool { return r.LogicalID == p.id }); i >= 0 {
				out[i].Status, out[i].StatusReason = "UPDATE_FAILED", reason
			} else {
				r := planned(p, "CREATE_FAILED")
				r.PhysicalID, r.StatusReason = "", reason
				out = append(out, r)
			}
		}
		slices.SortFunc(out, func(a, b listedResource) int { return strings.Compare(a.LogicalID, b.LogicalID) })
		return out
	case "DELETE_IN_PROGRESS", "DELETE_COMPLETE":
		return withStatus(before, status)
	}
	// The rollback's cleanup and end, and a failed deletion, leave the stack as it was.
	return before
}

// ListResources returns one page (100 resources, in logical id order) of the stack's
// resources as they stand at its current status (see resourcesAt); nextToken is the
// token a previous page of this stack gave. Errors: NotFound when the stack does not
// exist (never created, or deleted); Invalid for a token this stack did not give.
func (s *Simulator) ListResources(ctx context.Context, stackName, nextToken string) (platform.StackResourcePage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st := s.stacks[stackName]
	if st == nil {
		return platform.StackResourcePage{}, platform.Errorf(platform.NotFound, "Stack with id %s does not exist", stackName)
	}
	start := 0
	if nextToken != "" {
		raw, err := base64.RawURLEncoding.DecodeString(nextToken)
		stackID, after, ok := strings.Cut(string(raw), "\x00")
		if err != nil || !ok || stackID != st.id {
			return platform.StackResourcePage{}, platform.FieldErrorf("nextToken", "Invalid NextToken: not a token of stack %s's resources", stackName)
		}
		start, _ = slices.BinarySearchFunc(st.listed, after, func(r listedResource, id string) int { return strings.Compare(r.LogicalID, id) })
		if start < len(st.listed) && st.listed[start].LogicalID == after {
			start++
		}
	}
	end := min(start+resourcePageSize, len(st.listed))
	var page platform.StackResourcePage
	for _, r := range st.listed[start:end] {
		page.Resources = append(page.Resources, r.StackResource)
	}
	if end < len(st.listed) {
		page.NextToken = base64.RawURLEncoding.EncodeToString([]byte(st.id + "\x00" + st.listed[end-1].LogicalID))
	}
	return page, nil
}
