package store_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/store/storetest"
)

func TestAccessKeys(t *testing.T) {
	ctx := t.Context()
	s := storetest.NewStore(t)
	at := time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC)
	k := platform.AccessKey{ID: "GKIAAAAAAAAAAAAAAAA1", Role: platform.DeveloperRole, Team: "payments", Status: platform.AccessKeyActive,
		CreatedBy: "alice", CreatedAt: at, SealedSecret: []byte{0, 1, 2, 250}}
	mustOK(t, s.CreateAccessKey(ctx, k))
	wantKind(t, s.CreateAccessKey(ctx, k), platform.Conflict, "already exists")
	got, err := s.GetAccessKey(ctx, k.ID)
	mustOK(t, err)
	if got.Revision != 1 || got.Role != k.Role || got.Team != k.Team || !got.CreatedAt.Equal(at) || !bytes.Equal(got.SealedSecret, k.SealedSecret) || got.Status != platform.AccessKeyActive {
		t.Fatalf("stored key = %+v, want %+v with revision 1", got, k)
	}
	_, err = s.GetAccessKey(ctx, "GKIANOPE")
	wantKind(t, err, platform.NotFound, "not found")

	got.Status = platform.AccessKeyInactive
	mustOK(t, s.UpdateAccessKey(ctx, got))
	wantKind(t, s.UpdateAccessKey(ctx, got), platform.Conflict, "changed by another request")
	again, err := s.GetAccessKey(ctx, k.ID)
	mustOK(t, err)
	mustEqual(t, "status after disabling", again.Status, platform.AccessKeyInactive)

	second := k
	second.ID = "GKIAAAAAAAAAAAAAAAA2"
	mustOK(t, s.CreateAccessKey(ctx, second))
	page, err := s.ListAccessKeys(ctx, platform.PageRequest{Limit: 1})
	mustOK(t, err)
	if len(page.Items) != 1 || page.Items[0].ID != k.ID || page.NextToken == "" {
		t.Fatalf("first page = %+v", page)
	}
	page, err = s.ListAccessKeys(ctx, platform.PageRequest{Limit: 1, NextToken: page.NextToken})
	mustOK(t, err)
	if len(page.Items) != 1 || page.Items[0].ID != second.ID || page.NextToken != "" {
		t.Fatalf("second page = %+v", page)
	}

	wantKind(t, s.DeleteAccessKey(ctx, k.ID, 1), platform.Conflict, "changed by another request")
	mustOK(t, s.DeleteAccessKey(ctx, k.ID, 2))
	wantKind(t, s.DeleteAccessKey(ctx, k.ID, 2), platform.NotFound, "not found")
}
