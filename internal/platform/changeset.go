package platform

// ChangeSet is a CloudFormation change set as DescribeChangeSet reports it: what executing
// it would do to its stack, resource by resource.
type ChangeSet struct {
	// Name is the change set's name; ID its ARN.
	Name, ID  string
	StackName string
	StackID   string
	// Type is CREATE (the stack does not exist yet) or UPDATE.
	Type string
	// Status is CREATE_COMPLETE (ready to execute) or FAILED; StatusReason says why it
	// failed. A change set with no changes is FAILED with CloudFormation's reason
	// NoChangesReason (Empty reports it).
	Status       string
	StatusReason string
	Changes      []ResourceChange
}

// NoChangesReason is the status reason CloudFormation gives a change set that would change
// nothing (its status is FAILED).
const NoChangesReason = "The submitted information didn't contain changes. Submit different information to create a change set."

// Empty reports a change set that would change nothing.
func (c ChangeSet) Empty() bool { return c.Status == "FAILED" && c.StatusReason == NoChangesReason }

// ResourceChange is one resource's change in a change set (CloudFormation's
// ResourceChange).
type ResourceChange struct {
	// Action is Add, Modify or Remove.
	Action             string
	LogicalResourceID  string
	PhysicalResourceID string
	ResourceType       string
	// Replacement is, for a Modify, True, False or Conditional: whether CloudFormation
	// replaces the resource (creates a new one and deletes the old).
	Replacement string
	// Scope lists what changes: Properties, Metadata, CreationPolicy, UpdatePolicy,
	// DeletionPolicy, UpdateReplacePolicy, Tags.
	Scope   []string
	Details []ResourceChangeDetail
}

// ResourceChangeDetail is one change of a modified resource (CloudFormation's
// ResourceChangeDetail and its ResourceTargetDefinition).
type ResourceChangeDetail struct {
	// Attribute is what changes (Properties, Metadata, Tags, …); Name the property for
	// Properties.
	Attribute string
	Name      string
	// RequiresRecreation is Never, Conditionally or Always.
	RequiresRecreation string
	// Evaluation is Static (known now) or Dynamic (known only when executed).
	Evaluation string
	// ChangeSource is DirectModification, ResourceReference, ParameterReference,
	// ResourceAttribute or Automatic.
	ChangeSource string
	// CausingEntity names the resource or parameter that causes a non-direct change.
	CausingEntity string
}

// ChangeSetSummary counts a change set's (or many's) changes.
type ChangeSetSummary struct {
	Add, Modify, Remove int
	// Replace counts the modifies whose Replacement is True or Conditional.
	Replace int
}

// Summary counts c's changes.
func (c ChangeSet) Summary() ChangeSetSummary {
	var s ChangeSetSummary
	for _, r := range c.Changes {
		switch r.Action {
		case "Add":
			s.Add++
		case "Modify":
			s.Modify++
			if r.Replacement == "True" || r.Replacement == "Conditional" {
				s.Replace++
			}
		case "Remove":
			s.Remove++
		}
	}
	return s
}

// Plus adds o to s.
func (s ChangeSetSummary) Plus(o ChangeSetSummary) ChangeSetSummary {
	return ChangeSetSummary{Add: s.Add + o.Add, Modify: s.Modify + o.Modify, Remove: s.Remove + o.Remove, Replace: s.Replace + o.Replace}
}
