package store

import "github.com/gantry-platform/gantry/internal/platform"

// repositoryBranchItem is a linked repository's branch as an attribute (an environment's
// provisioning repository).
type repositoryBranchItem struct {
	Provider string `dynamodbav:"provider"`
	Name     string `dynamodbav:"name"`
	Branch   string `dynamodbav:"branch"`
}

func newRepositoryBranchItem(b *platform.RepositoryBranch) *repositoryBranchItem {
	if b == nil {
		return nil
	}
	return &repositoryBranchItem{Provider: string(b.Provider), Name: b.Name, Branch: b.Branch}
}

func (it *repositoryBranchItem) domain() *platform.RepositoryBranch {
	if it == nil {
		return nil
	}
	return &platform.RepositoryBranch{Provider: platform.RepositoryProvider(it.Provider), Name: it.Name, Branch: it.Branch}
}
