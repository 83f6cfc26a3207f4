package control_test

import (
	"bytes"
	"io"
	"log/slog"
	"path/filepath"
	"testing"

	"github.com/gantry-platform/gantry/internal/control"
	"github.com/gantry-platform/gantry/internal/keyseal"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/platformtest"
	"github.com/gantry-platform/gantry/internal/store/storetest"
)

func TestAccessKeys(t *testing.T) {
	st := storetest.NewStore(t)
	sealer, err := keyseal.LoadLocalKey(filepath.Join(t.TempDir(), "key"))
	if err != nil {
		t.Fatal(err)
	}
	svc := control.New(control.Config{Store: st, AccessKeys: st, Sealer: sealer, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	admin := platformtest.AdminContext("alice")
	dev := platform.WithCaller(t.Context(), platform.Caller{Subject: "bob", Roles: []platform.Role{platform.DeveloperRole}})

	if _, _, err := svc.CreateAccessKey(dev, control.CreateAccessKeyInput{Role: platform.DeveloperRole}); platform.KindOf(err) != platform.Forbidden {
		t.Fatalf("developer creating a key: %v, want Forbidden", err)
	}
	if _, _, err := svc.CreateAccessKey(admin, control.CreateAccessKeyInput{Role: "root"}); platform.KindOf(err) != platform.Invalid {
		t.Fatalf("unknown role: %v, want Invalid", err)
	}
	if _, err := svc.ListAccessKeys(dev, platform.PageRequest{}); platform.KindOf(err) != platform.Forbidden {
		t.Fatalf("developer listing keys: %v, want Forbidden", err)
	}
	k, secret, err := svc.CreateAccessKey(admin, control.CreateAccessKeyInput{Role: platform.DeveloperRole, Team: "payments"})
	if err != nil {
		t.Fatal(err)
	}
	if len(k.ID) != 20 || k.ID[:4] != "GKIA" || len(secret) != 40 || k.CreatedBy != "alice" {
		t.Fatalf("created key %+v with a %d-character secret", k, len(secret))
	}
	stored, err := st.GetAccessKey(admin, k.ID)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(stored.SealedSecret, []byte(secret)) {
		t.Fatal("the store holds the secret in plain text")
	}
	got, opened, err := svc.AccessKeySecret(t.Context(), k.ID)
	if err != nil || string(opened) != secret || got.Caller().Subject != "accesskey:"+k.ID || !got.Caller().Has(platform.DeveloperRole) || got.Caller().Has(platform.AdminRole) {
		t.Fatalf("AccessKeySecret = %+v, %q, %v", got, opened, err)
	}
	if _, _, err := svc.AccessKeySecret(t.Context(), "GKIAUNKNOWN"); platform.KindOf(err) != platform.Unauthorized {
		t.Fatalf("unknown key: %v, want Unauthorized", err)
	}

	if _, err := svc.SetAccessKeyStatus(dev, k.ID, platform.AccessKeyInactive); platform.KindOf(err) != platform.Forbidden {
		t.Fatalf("developer disabling a key: %v, want Forbidden", err)
	}
	if _, err := svc.SetAccessKeyStatus(admin, k.ID, platform.AccessKeyInactive); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.AccessKeySecret(t.Context(), k.ID); platform.KindOf(err) != platform.Unauthorized {
		t.Fatalf("inactive key: %v, want Unauthorized", err)
	}
	if _, err := svc.SetAccessKeyStatus(admin, k.ID, platform.AccessKeyActive); err != nil {
		t.Fatal(err)
	}
	list, err := svc.ListAccessKeys(admin, platform.PageRequest{})
	if err != nil || len(list.Items) != 1 || list.Items[0].ID != k.ID || list.Items[0].Status != platform.AccessKeyActive {
		t.Fatalf("list = %+v, %v", list, err)
	}
	if _, err := svc.DeleteAccessKey(dev, k.ID); platform.KindOf(err) != platform.Forbidden {
		t.Fatalf("developer deleting a key: %v, want Forbidden", err)
	}
	if _, err := svc.DeleteAccessKey(admin, k.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.AccessKeySecret(t.Context(), k.ID); platform.KindOf(err) != platform.Unauthorized {
		t.Fatalf("deleted key: %v, want Unauthorized", err)
	}
	if _, err := svc.DeleteAccessKey(admin, k.ID); platform.KindOf(err) != platform.NotFound {
		t.Fatalf("deleting a deleted key: %v, want NotFound", err)
	}
}

func TestAccessKeyAccount(t *testing.T) {
	st := storetest.NewStore(t)
	sealer, err := keyseal.LoadLocalKey(filepath.Join(t.TempDir(), "key"))
	if err != nil {
		t.Fatal(err)
	}
	svc := control.New(control.Config{Store: st, AccessKeys: st, Sealer: sealer, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	admin := platformtest.AdminContext("alice")
	if _, _, err := svc.CreateAccessKey(admin, control.CreateAccessKeyInput{Role: platform.AdminRole, Account: "22222222222x"}); platform.KindOf(err) != platform.Invalid {
		t.Fatalf("a malformed account: %v, want Invalid", err)
	}
	k, _, err := svc.CreateAccessKey(admin, control.CreateAccessKeyInput{Role: platform.AdminRole, Account: "222222222222"})
	if err != nil {
		t.Fatal(err)
	}
	got, _, err := svc.AccessKeySecret(t.Context(), k.ID)
	if err != nil || got.Caller().Account != "222222222222" {
		t.Fatalf("the key's caller = %+v, %v; want account 222222222222", got.Caller(), err)
	}
	// The platform's own account is stored as none: its callers act there by default.
	home, _, err := svc.CreateAccessKey(admin, control.CreateAccessKeyInput{Role: platform.AdminRole, Account: svc.ARNScope().Account})
	if err != nil || home.Account != "" || svc.CallerAccount(platform.WithCaller(t.Context(), home.Caller())) != svc.ARNScope().Account {
		t.Fatalf("a key of the platform's account = %+v, %v", home, err)
	}
}
