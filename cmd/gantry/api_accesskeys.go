package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

	"github.com/gantry-platform/gantry/internal/apiclient"
	"github.com/gantry-platform/gantry/internal/apimodel"
)

const accessKeysCreateUsage = `usage: gantry access-keys create --role admin|developer [--team TEAM] [--account ACCOUNT_ID] [--description TEXT]

Issues an access key for Gantry's Proton endpoint (AWS Signature Version 4: the aws CLI
and the AWS SDKs) and prints it as shell exports; the secret is shown only this once.
With --output json, the API's answer.
`

func accessKeysCommand() func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return resource("access-keys", []verb{
		{"create", "issue an access key for the aws CLI and SDKs (admin)", accessKeysCreateUsage, accessKeysCreate},
		{"list", "list access keys (admin)", "usage: gantry access-keys list\n", accessKeysList},
		{"disable", "disable an access key (admin)", "usage: gantry access-keys disable ID\n", accessKeysStatus("Inactive")},
		{"enable", "enable a disabled access key (admin)", "usage: gantry access-keys enable ID\n", accessKeysStatus("Active")},
		{"delete", "delete an access key (admin)", "usage: gantry access-keys delete ID\n", accessKeysDelete},
	})
}

func accessKeysCreate(a *apiCommand) action {
	var in apimodel.CreateAccessKey
	a.fs.StringVar(&in.Role, "role", "", "admin or developer (required)")
	a.fs.StringVar(&in.Team, "team", "", "the team the key acts for")
	a.fs.StringVar(&in.Account, "account", "", "the AWS account the key's requests act in (default: the platform's own)")
	a.fs.StringVar(&in.Description, "description", "", "what the key is for")
	a.required(&in.Role, "role")
	return func(ctx context.Context) int {
		k, err := a.client.CreateAccessKey(ctx, in)
		return a.answer(err, k.Raw, func(w io.Writer) {
			fmt.Fprintf(w, "export AWS_ACCESS_KEY_ID=%s AWS_SECRET_ACCESS_KEY=%s\n", k.AccessKeyID, k.SecretAccessKey)
		})
	}
}

func accessKeysList(a *apiCommand) action {
	a.pageFlags()
	return func(ctx context.Context) int {
		return list(ctx, a, a.client.ListAccessKeys, func(k apiclient.AccessKey) json.RawMessage { return k.Raw },
			[]string{"ACCESS KEY ID", "ROLE", "TEAM", "ACCOUNT", "STATUS", "CREATED BY", "CREATED"},
			func(k apiclient.AccessKey) []string {
				return []string{k.AccessKeyID, k.Role, k.Team, k.Account, k.Status, k.CreatedBy, timeText(k.CreatedAt)}
			})
	}
}

func writeAccessKey(w io.Writer, k apiclient.AccessKey) {
	writeFields(w, []field{{"access key id", k.AccessKeyID}, {"role", k.Role}, {"team", k.Team}, {"account", k.Account}, {"status", k.Status},
		{"description", k.Description}, {"created by", k.CreatedBy}, {"created", timeText(k.CreatedAt)}})
}

func accessKeysStatus(status string) func(a *apiCommand) action {
	return func(a *apiCommand) action {
		id := a.argument(a.fs.String("id", "", "the access key id"), "access key", "--id ID")
		return func(ctx context.Context) int {
			k, err := a.client.UpdateAccessKey(ctx, *id, status)
			return a.answer(err, k.Raw, func(w io.Writer) { writeAccessKey(w, k) })
		}
	}
}

func accessKeysDelete(a *apiCommand) action {
	id := a.argument(a.fs.String("id", "", "the access key id"), "access key", "--id ID")
	return func(ctx context.Context) int {
		k, err := a.client.DeleteAccessKey(ctx, *id)
		return a.answer(err, k.Raw, func(w io.Writer) { writeAccessKey(w, k) })
	}
}
