package main

import (
	"context"
	"io"
	"strings"

	"github.com/gantry-platform/gantry/internal/apiclient"
	"github.com/gantry-platform/gantry/internal/apimodel"
)

// verbless is an API command without verbs (gantry tag, untag, tags): its flags and what
// it does, as a verb of resource has.
func verbless(name, usage string, flags func(a *apiCommand) action) func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
		a := newAPICommand(name, usage, stdout, stderr)
		act := flags(a)
		if code, done := a.parse(args); done {
			return code
		}
		return act(ctx)
	}
}

// arnAndMore takes the resource ARN and, when more is set, at least one more argument.
func arnAndMore(a *apiCommand, what string) (arn *string, rest *[]string) {
	a.takesArgument = true
	arn, rest = new(string), new([]string)
	a.check(func() (int, bool) {
		if len(a.positional) == 0 {
			return a.usageError("name the resource by its ARN"), false
		}
		*arn, *rest = a.positional[0], a.positional[1:]
		if what != "" && len(*rest) == 0 {
			return a.usageError("give at least one %s", what), false
		}
		if what == "" && len(*rest) > 0 {
			return a.usageError("unexpected argument %q", (*rest)[0]), false
		}
		return exitOK, true
	})
	return arn, rest
}

func writeTags(w io.Writer, t apiclient.Tags) {
	rows := make([][]string, 0, len(t.Tags.Tags))
	for _, tag := range t.Tags.Tags {
		rows = append(rows, []string{tag.Key, tag.Value})
	}
	writeTable(w, []string{"KEY", "VALUE"}, rows)
}

func tagsCommand() func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return verbless("tags", "usage: gantry tags ARN\n\nShows the tags of the resource ARN names (environments get, services get … show ARNs).\n",
		func(a *apiCommand) action {
			arn, _ := arnAndMore(a, "")
			return func(ctx context.Context) int {
				t, err := a.client.ListTagsForResource(ctx, *arn)
				return a.answer(err, t.Raw, func(w io.Writer) { writeTags(w, t) })
			}
		})
}

func tagCommand() func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return verbless("tag", `usage: gantry tag ARN KEY=VALUE...

Adds tags to the resource ARN names, or changes their values; they reach its stack on its
next deployment. Who may tag a resource is who may update it.
`, func(a *apiCommand) action {
		arn, pairs := arnAndMore(a, "KEY=VALUE")
		var tags []apimodel.Tag
		a.check(func() (int, bool) {
			for _, p := range *pairs {
				k, v, ok := strings.Cut(p, "=")
				if !ok || k == "" {
					return a.usageError("%q is not KEY=VALUE", p), false
				}
				tags = append(tags, apimodel.Tag{Key: k, Value: v})
			}
			return exitOK, true
		})
		return func(ctx context.Context) int {
			t, err := a.client.TagResource(ctx, *arn, tags)
			return a.answer(err, t.Raw, func(w io.Writer) { writeTags(w, t) })
		}
	})
}

func untagCommand() func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return verbless("untag", "usage: gantry untag ARN KEY...\n\nRemoves tags from the resource ARN names.\n", func(a *apiCommand) action {
		arn, keys := arnAndMore(a, "KEY")
		return func(ctx context.Context) int {
			t, err := a.client.UntagResource(ctx, *arn, *keys)
			return a.answer(err, t.Raw, func(w io.Writer) { writeTags(w, t) })
		}
	})
}
