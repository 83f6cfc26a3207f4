package store_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/gantry-platform/gantry/internal/platform"
)

// TestVersionDeletionRacesWithItsUse deletes a template version while environments are
// created on it and another environment is being moved to it, all at once, round after
// round: either the version survives, or nothing runs it or is being deployed to it —
// never a target on a deleted version.
func TestVersionDeletionRacesWithItsUse(t *testing.T) {
	s := newStore(t)
	const kind = platform.EnvironmentTemplate
	mustOK(t, s.CreateTemplate(ctx, platform.Template{Kind: kind, Name: "vpc"}, nil))
	base := platform.Version{Major: 1, Minor: 0}
	mustOK(t, s.CreateTemplateVersion(ctx, platform.TemplateVersion{Kind: kind, TemplateName: "vpc", Version: base, Status: platform.Published}, nil))
	mover := platform.Environment{Name: "mover", Deployable: platform.Deployable{TemplateName: "vpc", TemplateVersion: base, CreatedAt: t0}}
	first := envDeployment("mover-0", "mover", t0)
	mustOK(t, s.CreateEnvironment(ctx, mover, first, nil))
	mustFinish(t, s, "mover-0", platform.Succeeded)

	deleted, survived := 0, 0
	for round := 1; round <= 12; round++ {
		v := platform.Version{Major: 1, Minor: round}
		mustOK(t, s.CreateTemplateVersion(ctx, platform.TemplateVersion{Kind: kind, TemplateName: "vpc", Version: v, Status: platform.Published}, nil))
		tv, err := s.GetTemplateVersion(ctx, kind, "vpc", v)
		mustOK(t, err)
		tmpl, err := s.GetTemplate(ctx, kind, "vpc")
		mustOK(t, err)
		moverRev := mustTargetRevision(t, s, platform.Target{Kind: platform.EnvironmentTarget, Environment: "mover"})

		var wg sync.WaitGroup
		var deleteErr, moveErr error
		createErrs := make([]error, 4)
		wg.Add(6)
		go func() { defer wg.Done(); deleteErr = s.DeleteTemplateVersion(ctx, tv, tmpl) }()
		go func() {
			defer wg.Done()
			d := envDeployment(fmt.Sprintf("move-%d", round), "mover", t0)
			d.TemplateVersion = v
			moveErr = s.StartDeployment(ctx, d, moverRev, nil)
		}()
		for i := range createErrs {
			go func() {
				defer wg.Done()
				name := fmt.Sprintf("env-%d-%d", round, i)
				d := envDeployment("d-"+name, name, t0)
				d.TemplateVersion = v
				e := platform.Environment{Name: name, Deployable: platform.Deployable{TemplateName: "vpc", TemplateVersion: v, CreatedAt: t0}}
				createErrs[i] = s.CreateEnvironment(ctx, e, d, nil)
			}()
		}
		wg.Wait()

		users := 0
		for i, err := range createErrs {
			switch {
			case err == nil:
				users++
			case platform.KindOf(err) != platform.NotFound && platform.KindOf(err) != platform.Conflict:
				t.Fatalf("round %d: create %d: %v", round, i, err)
			}
		}
		if moveErr == nil {
			users++
		} else if k := platform.KindOf(moveErr); k != platform.NotFound && k != platform.Conflict {
			t.Fatalf("round %d: move: %v", round, moveErr)
		}
		_, getErr := s.GetTemplateVersion(ctx, kind, "vpc", v)
		switch {
		case deleteErr == nil && getErr == nil, deleteErr != nil && getErr != nil:
			t.Fatalf("round %d: delete said %v, the version reads %v", round, deleteErr, getErr)
		case deleteErr == nil:
			deleted++
			if users != 0 {
				t.Fatalf("round %d: version %s deleted while %d targets run or deploy it", round, v, users)
			}
		default:
			survived++
			if platform.KindOf(deleteErr) != platform.Conflict {
				t.Fatalf("round %d: delete: %v, want Conflict", round, deleteErr)
			}
		}
		// Let the move end, so the next round can move again.
		if moveErr == nil {
			mustFinish(t, s, fmt.Sprintf("move-%d", round), platform.Succeeded)
		}
	}
	t.Logf("the deletion won %d rounds, the users %d", deleted, survived)
}
