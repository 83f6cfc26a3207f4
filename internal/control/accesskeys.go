package control

import (
	"context"
	"time"

	"github.com/gantry-platform/gantry/internal/auth"
	"github.com/gantry-platform/gantry/internal/platform"
)

// CreateAccessKeyInput is what CreateAccessKey needs.
type CreateAccessKeyInput struct {
	Role platform.Role
	Team string
	// Account is the AWS account requests signed with the key act in (an environment
	// account of environment account connections); "" is the platform's own.
	Account     string
	Description string
}

func (s *Service) accessKeysConfigured() error {
	if s.accessKeys == nil || s.sealer == nil {
		return platform.Errorf(platform.Internal, "control: access keys are not configured (no AccessKeys store or Sealer)")
	}
	return nil
}

// CreateAccessKey issues an access key for AWS Signature Version 4 requests carrying role
// (and team, as the caller's group) and returns it with its secret, which is shown only
// here: the store keeps it sealed. Forbidden unless the caller is an admin; Invalid for an
// unknown role or a team or description that is too long.
func (s *Service) CreateAccessKey(ctx context.Context, in CreateAccessKeyInput) (platform.AccessKey, string, error) {
	if err := requireAdmin(ctx, "creating an access key"); err != nil {
		return platform.AccessKey{}, "", err
	}
	if in.Role != platform.AdminRole && in.Role != platform.DeveloperRole {
		return platform.AccessKey{}, "", platform.FieldErrorf("role", "must be %s or %s, not %q", platform.AdminRole, platform.DeveloperRole, in.Role)
	}
	if in.Team != "" {
		if err := platform.ValidateName("team", in.Team); err != nil {
			return platform.AccessKey{}, "", err
		}
	}
	if len(in.Description) > 500 {
		return platform.AccessKey{}, "", platform.FieldErrorf("description", "must be at most 500 characters")
	}
	if in.Account == s.arns.Account {
		in.Account = ""
	}
	if in.Account != "" {
		if err := platform.ValidateAccountID("account", in.Account); err != nil {
			return platform.AccessKey{}, "", err
		}
	}
	if err := s.accessKeysConfigured(); err != nil {
		return platform.AccessKey{}, "", err
	}
	k := platform.AccessKey{ID: auth.NewAccessKeyID(), Role: in.Role, Team: in.Team, Account: in.Account, Description: in.Description,
		Status: platform.AccessKeyActive, CreatedBy: caller(ctx).Subject, CreatedAt: s.clock()}
	secret := auth.NewAccessKeySecret()
	sealed, err := s.sealer.Seal(ctx, []byte(secret), k.ID)
	if err != nil {
		return platform.AccessKey{}, "", err
	}
	k.SealedSecret = sealed
	if err := s.accessKeys.CreateAccessKey(ctx, k); err != nil {
		return platform.AccessKey{}, "", err
	}
	k.Revision = 1
	s.log.InfoContext(ctx, "access key created", "accessKeyId", k.ID, "role", k.Role, "team", k.Team, "account", k.Account, "by", k.CreatedBy)
	return k, secret, nil
}

// ListAccessKeys lists the access keys (never their secrets). Forbidden unless the caller
// is an admin; Invalid for a bad page token.
func (s *Service) ListAccessKeys(ctx context.Context, page platform.PageRequest) (platform.Page[platform.AccessKey], error) {
	if err := requireAdmin(ctx, "listing access keys"); err != nil {
		return platform.Page[platform.AccessKey]{}, err
	}
	if err := s.accessKeysConfigured(); err != nil {
		return platform.Page[platform.AccessKey]{}, err
	}
	return s.accessKeys.ListAccessKeys(ctx, page)
}

// SetAccessKeyStatus enables (Active) or disables (Inactive) an access key. Forbidden
// unless the caller is an admin; Invalid for another status; NotFound for an unknown key.
func (s *Service) SetAccessKeyStatus(ctx context.Context, id string, status platform.AccessKeyStatus) (platform.AccessKey, error) {
	if err := requireAdmin(ctx, "changing an access key"); err != nil {
		return platform.AccessKey{}, err
	}
	if status != platform.AccessKeyActive && status != platform.AccessKeyInactive {
		return platform.AccessKey{}, platform.FieldErrorf("status", "must be %s or %s, not %q", platform.AccessKeyActive, platform.AccessKeyInactive, status)
	}
	if err := s.accessKeysConfigured(); err != nil {
		return platform.AccessKey{}, err
	}
	k, err := s.accessKeys.GetAccessKey(ctx, id)
	if err != nil {
		return platform.AccessKey{}, err
	}
	if k.Status == status {
		return k, nil
	}
	k.Status = status
	if err := s.accessKeys.UpdateAccessKey(ctx, k); err != nil {
		return platform.AccessKey{}, err
	}
	k.Revision++
	s.log.InfoContext(ctx, "access key status changed", "accessKeyId", k.ID, "status", status, "by", caller(ctx).Subject)
	return k, nil
}

// DeleteAccessKey deletes an access key and returns it: requests signed with it fail from
// then on. Forbidden unless the caller is an admin; NotFound for an unknown key.
func (s *Service) DeleteAccessKey(ctx context.Context, id string) (platform.AccessKey, error) {
	if err := requireAdmin(ctx, "deleting an access key"); err != nil {
		return platform.AccessKey{}, err
	}
	if err := s.accessKeysConfigured(); err != nil {
		return platform.AccessKey{}, err
	}
	k, err := s.accessKeys.GetAccessKey(ctx, id)
	if err != nil {
		return platform.AccessKey{}, err
	}
	if err := s.accessKeys.DeleteAccessKey(ctx, id, k.Revision); err != nil {
		return platform.AccessKey{}, err
	}
	s.log.InfoContext(ctx, "access key deleted", "accessKeyId", id, "by", caller(ctx).Subject)
	return k, nil
}

// AccessKeySecret returns an active access key and its secret, for verifying a request's
// signature; it is the authenticator's lookup, called before there is a caller.
// Unauthorized when the key is unknown or inactive (the message says which, without
// the secret); Internal when its secret does not open.
func (s *Service) AccessKeySecret(ctx context.Context, id string) (platform.AccessKey, []byte, error) {
	if err := s.accessKeysConfigured(); err != nil {
		return platform.AccessKey{}, nil, err
	}
	k, err := s.accessKeys.GetAccessKey(ctx, id)
	if platform.KindOf(err) == platform.NotFound {
		return platform.AccessKey{}, nil, platform.Errorf(platform.Unauthorized, "the access key %s is not a Gantry access key", id)
	}
	if err != nil {
		return platform.AccessKey{}, nil, err
	}
	if k.Status != platform.AccessKeyActive {
		return platform.AccessKey{}, nil, platform.Errorf(platform.Unauthorized, "the access key %s is inactive", id)
	}
	if k.Expired(s.clock()) {
		return platform.AccessKey{}, nil, platform.Errorf(platform.Unauthorized, "the access key %s expired at %s", id, k.ExpiresAt.Format(time.RFC3339))
	}
	secret, err := s.sealer.Open(ctx, k.SealedSecret, k.ID)
	if err != nil {
		return platform.AccessKey{}, nil, err
	}
	return k, secret, nil
}
