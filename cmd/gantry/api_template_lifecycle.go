package main

import (
	"context"
	"io"
)

// The template lifecycle verbs beyond registration: delete a template, update, deprecate
// and delete versions.

func templatesDelete(a *apiCommand) action {
	kind, name := templateFlags(a, "the template's name (required)")
	return func(ctx context.Context) int {
		t, err := a.client.DeleteTemplate(ctx, *kind, *name)
		return a.answer(err, t.Raw, func(w io.Writer) { writeTemplate(w, t) })
	}
}
