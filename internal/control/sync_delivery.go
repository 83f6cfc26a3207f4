package control

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/gantry-platform/gantry/internal/platform"
)

// SyncInput is the input of the sync workflow (statemachines/sync.asl.json): one commit
// for one sync configuration (platform.TemplateSyncKey …).
type SyncInput struct {
	Key    string `json:"key"`
	Commit string `json:"commit"`
}

// SyncExecutionName is the name of the sync workflow's execution for key and commit: the
// same for the webhook and the poller, so that starting it twice starts it once.
func SyncExecutionName(key, commit string) string {
	sum := sha256.Sum256([]byte(key + "@" + commit))
	return "sync-" + hex.EncodeToString(sum[:20])
}

// ReceivePush starts the sync workflow for commit at the head of branch of repo, once for
// each sync configuration following that branch, and returns the configurations' keys.
// It is where the webhook receivers and the poller hand commits on; it acts for Gantry
// itself (the webhook's signature, not a caller, authenticates a push) and reveals
// nothing. Errors: Invalid for a bad commit id; Internal when the store or the workflow
// service fails (the pusher or the poller tries again).
func (s *Service) ReceivePush(ctx context.Context, repo platform.RepositoryID, branch, commit string) ([]string, error) {
	if err := s.syncConfigured(); err != nil {
		return nil, err
	}
	if s.syncWorkflows == nil {
		return nil, platform.Errorf(platform.Internal, "control: the sync workflow is not configured")
	}
	if len(commit) != 40 || strings.Trim(commit, "0123456789abcdef") != "" {
		return nil, platform.FieldErrorf("commit", "%q is not a commit id (40 hexadecimal digits)", commit)
	}
	var started []string
	start := func(key string) error {
		input, err := json.Marshal(SyncInput{Key: key, Commit: commit})
		if err != nil {
			return err
		}
		if _, err := s.syncWorkflows.Start(ctx, SyncExecutionName(key, commit), input); err != nil {
			return err
		}
		started = append(started, key)
		return nil
	}
	next := ""
	for {
		page, err := s.syncs.ListTemplateSyncConfigs(ctx, repo, platform.PageRequest{NextToken: next, Limit: 100})
		if err != nil {
			return started, err
		}
		for _, c := range page.Items {
			if c.Branch != branch {
				continue
			}
			if err := start(c.Key()); err != nil {
				return started, err
			}
		}
		if next = page.NextToken; next == "" {
			break
		}
	}
	if s.serviceSyncs == nil {
		return started, nil
	}
	// Service syncs: any branch may be an instance's; the sync reads the proton-ops file.
	for {
		page, err := s.serviceSyncs.ListServiceSyncConfigs(ctx, repo, platform.PageRequest{NextToken: next, Limit: 100})
		if err != nil {
			return started, err
		}
		for _, c := range page.Items {
			key := platform.ServiceSyncKey(c.ServiceName, branch)
			if err := start(key); err != nil {
				return started, err
			}
		}
		if next = page.NextToken; next == "" {
			return started, nil
		}
	}
}

// SyncWatch is a branch some sync configuration follows.
type SyncWatch struct {
	Repository platform.RepositoryID
	Branch     string
}

// SyncWatches lists the branches sync configurations follow, each once: what the poller
// asks the remotes about. A service sync follows its proton-ops file's branch and the
// branches of the instances the file lists (read from the local copy when it can).
func (s *Service) SyncWatches(ctx context.Context) ([]SyncWatch, error) {
	if err := s.syncConfigured(); err != nil {
		return nil, err
	}
	var out []SyncWatch
	seen := map[SyncWatch]bool{}
	next := ""
	for {
		page, err := s.syncs.ListAllTemplateSyncConfigs(ctx, platform.PageRequest{NextToken: next, Limit: 100})
		if err != nil {
			return nil, err
		}
		for _, c := range page.Items {
			w := SyncWatch{Repository: c.Repository, Branch: c.Branch}
			if !seen[w] {
				seen[w] = true
				out = append(out, w)
			}
		}
		if next = page.NextToken; next == "" {
			break
		}
	}
	for s.serviceSyncs != nil {
		page, err := s.serviceSyncs.ListAllServiceSyncConfigs(ctx, platform.PageRequest{NextToken: next, Limit: 100})
		if err != nil {
			return nil, err
		}
		for _, c := range page.Items {
			for _, branch := range s.serviceSyncBranches(ctx, c) {
				w := SyncWatch{Repository: c.Repository, Branch: branch}
				if !seen[w] {
					seen[w] = true
					out = append(out, w)
				}
			}
		}
		if next = page.NextToken; next == "" {
			break
		}
	}
	return out, nil
}

// SyncCommit is the sync workflow's task: it processes in for the configuration its key
// names, as execution (SyncTemplateCommit). A configuration deleted meanwhile is nothing
// to do (Skipped). Errors: Invalid for a key that names no kind of configuration; the
// rest as SyncTemplateCommit's.
func (s *Service) SyncCommit(ctx context.Context, in SyncInput, execution string) (SyncOutcome, error) {
	if service, branch, ok := platform.ParseServiceSyncKey(in.Key); ok {
		out, err := s.SyncServiceCommit(ctx, service, branch, in.Commit, execution)
		if platform.KindOf(err) == platform.NotFound && out.Status == "" {
			if _, gone := s.serviceSyncs.GetServiceSyncConfig(ctx, service); platform.KindOf(gone) == platform.NotFound {
				return SyncOutcome{Skipped: true}, nil
			}
		}
		return out, err
	}
	kind, name, ok := platform.ParseTemplateSyncKey(in.Key)
	if !ok {
		return SyncOutcome{}, platform.FieldErrorf("key", "%q names no sync configuration", in.Key)
	}
	out, err := s.SyncTemplateCommit(ctx, kind, name, in.Commit, execution)
	if platform.KindOf(err) == platform.NotFound && out.Status == "" {
		if _, gone := s.syncs.GetTemplateSyncConfig(ctx, kind, name); platform.KindOf(gone) == platform.NotFound {
			return SyncOutcome{Skipped: true}, nil
		}
	}
	return out, err
}

// webhookSecretContext binds a sealed webhook secret to its repository.
func webhookSecretContext(repo platform.RepositoryID) string { return "webhook:" + repo.String() }

// SetWebhookSecret sets the secret that signs a linked repository's push webhooks (admin
// role): GitHub's and Bitbucket's HMAC key, GitLab's token. It is kept sealed, never in
// clear. Errors: Invalid for a secret shorter than 16 or longer than 256 characters;
// NotFound when the repository is not linked; Forbidden for a caller who is not an admin.
func (s *Service) SetWebhookSecret(ctx context.Context, repo platform.RepositoryID, secret string) error {
	if err := requireAdmin(ctx, "setting a repository's webhook secret"); err != nil {
		return err
	}
	if err := s.syncConfigured(); err != nil {
		return err
	}
	if s.sealer == nil {
		return platform.Errorf(platform.Internal, "control: no sealer for webhook secrets")
	}
	if len(secret) < 16 || len(secret) > 256 {
		return platform.FieldErrorf("secret", "must be from 16 to 256 characters, is %d", len(secret))
	}
	if _, err := s.repos.GetRepository(ctx, repo); err != nil {
		return err
	}
	sealed, err := s.sealer.Seal(ctx, []byte(secret), webhookSecretContext(repo))
	if err != nil {
		return err
	}
	return s.syncs.PutWebhookSecret(ctx, repo, sealed)
}

// WebhookSecret opens the webhook secret of a linked repository, for the webhook
// receivers (gitsync.SecretFor). NotFound when the repository has none.
func (s *Service) WebhookSecret(ctx context.Context, repo platform.RepositoryID) ([]byte, error) {
	if err := s.syncConfigured(); err != nil {
		return nil, err
	}
	if s.sealer == nil {
		return nil, platform.Errorf(platform.Internal, "control: no sealer for webhook secrets")
	}
	sealed, err := s.syncs.GetWebhookSecret(ctx, repo)
	if err != nil {
		return nil, err
	}
	return s.sealer.Open(ctx, sealed, webhookSecretContext(repo))
}

// serviceSyncBranches lists the branches a service sync follows: the configuration's and,
// when its proton-ops file reads, each instance's. A file that cannot be read leaves the
// configuration's branch alone (the sync of that branch reports the file's problem).
func (s *Service) serviceSyncBranches(ctx context.Context, c platform.ServiceSyncConfig) []string {
	branches := []string{c.Branch}
	// The file at the commit last synced, when the local copy has it (no request), else
	// at the branch's head.
	var data []byte
	last, err := s.syncs.GetRepositorySyncAttempt(ctx, c.Repository, c.Branch, platform.ServiceSync)
	if err == nil {
		data, err = s.git.ReadFile(ctx, c.Repository, last.Commit, c.FilePath)
	}
	if err != nil {
		head, ferr := s.git.Fetch(ctx, c.Repository, c.Branch)
		if ferr != nil {
			return branches
		}
		if data, err = s.git.ReadFile(ctx, c.Repository, head, c.FilePath); err != nil {
			return branches
		}
	}
	instances, err := ParseOpsFile(c.FilePath, data, c.ServiceName)
	if err != nil {
		return branches
	}
	for _, oi := range instances {
		branches = append(branches, oi.Branch)
	}
	return branches
}
