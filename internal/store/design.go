package store

// Index is a global secondary index of the table; all attributes are projected.
type Index struct {
	Name         string
	PartitionKey string
	SortKey      string
}

// TableDesign is the table's key schema: the one definition used by the adapter, the CDK
// stack and the tests. Every key attribute is a string.
type TableDesign struct {
	PartitionKey  string
	SortKey       string
	Indexes       []Index
	TTLAttribute  string
	StreamEnabled bool
}

// Design returns the table design.
func Design() TableDesign {
	return TableDesign{
		PartitionKey: "pk",
		SortKey:      "sk",
		Indexes: []Index{
			// Lists by kind: every environment, service, template of a kind.
			{Name: "gsi1", PartitionKey: "gsi1pk", SortKey: "gsi1sk"},
			// Instances by environment; deployments by target (history, newest first).
			{Name: "gsi2", PartitionKey: "gsi2pk", SortKey: "gsi2sk"},
			// Deployables by template version (fleet views and rollouts).
			{Name: "gsi3", PartitionKey: "gsi3pk", SortKey: "gsi3sk"},
		},
		TTLAttribute: "expiresAt",
	}
}
