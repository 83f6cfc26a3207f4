package main

import (
	"context"
	"encoding/json"
	"flag"
	"io"
	"strings"

	"github.com/gantry-platform/gantry/internal/apiclient"
	"github.com/gantry-platform/gantry/internal/apimodel"
)

const connectionsCreateUsage = `usage: gantry account-connection create --management-account ID --environment NAME --role-arn ARN
       [--component-role-arn ARN] [--codebuild-role-arn ARN] [--tag KEY=VALUE]... [--client-token TOKEN]

Requests, from the account the caller acts in (an environment account: its access key's or
token's account), a connection to the management account for environment NAME. It stays
PENDING until an admin of the management account accepts or rejects it.
`

const connectionsListUsage = `usage: gantry account-connection list [--requested-by ENVIRONMENT_ACCOUNT|MANAGEMENT_ACCOUNT]
       [--environment NAME] [--status PENDING,CONNECTED,REJECTED]

The caller's account's connections: those it requested (ENVIRONMENT_ACCOUNT, the default)
or those requested of it (MANAGEMENT_ACCOUNT).
`

func accountConnectionCommand() func(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return resource("account-connection", []verb{
		{"create", "request a connection from this (environment) account (admin)", connectionsCreateUsage, connectionsCreate},
		{"list", "list this account's connections", connectionsListUsage, connectionsList},
		{"get", "show a connection", "usage: gantry account-connection get ID\n", connectionsGet},
		{"accept", "accept a PENDING connection (admin of the management account)", "usage: gantry account-connection accept ID\n", connectionsDecide("accept")},
		{"reject", "reject a PENDING connection (admin of the management account)", "usage: gantry account-connection reject ID\n", connectionsDecide("reject")},
		{"update", "change a connection's roles (admin of the environment account)", "usage: gantry account-connection update [--role-arn ARN] [--component-role-arn ARN] [--codebuild-role-arn ARN] ID\n", connectionsUpdate},
		{"delete", "delete a connection (admin of the environment account)", "usage: gantry account-connection delete ID\n", connectionsDelete},
	})
}

func writeConnection(w io.Writer, c apiclient.EnvironmentAccountConnection) {
	writeFields(w, []field{{"id", c.ID}, {"arn", c.ARN}, {"status", c.Status}, {"environment", c.EnvironmentName},
		{"environment account", c.EnvironmentAccountID}, {"management account", c.ManagementAccountID}, {"role", c.RoleARN},
		{"component role", c.ComponentRoleARN}, {"codebuild role", c.CodebuildRoleARN}, {"requested", timeText(c.RequestedAt)},
		{"last modified", timeText(c.LastModifiedAt)}})
}

func connectionsCreate(a *apiCommand) action {
	var in apimodel.CreateEnvironmentAccountConnection
	var tags tagFlags
	a.fs.StringVar(&in.ManagementAccountID, "management-account", "", "the management account's id, Gantry's own (required)")
	a.fs.StringVar(&in.EnvironmentName, "environment", "", "the environment the connection is for (required)")
	a.fs.StringVar(&in.RoleARN, "role-arn", "", "the role Gantry assumes in this account to deploy (required)")
	a.fs.StringVar(&in.ComponentRoleARN, "component-role-arn", "", "the role Gantry assumes for the environment's components")
	a.fs.StringVar(&in.CodebuildRoleARN, "codebuild-role-arn", "", "the role for CodeBuild provisioning")
	a.fs.StringVar(&in.ClientToken, "client-token", "", "an idempotency token: repeating the call with it creates nothing new")
	a.fs.Var(&tags, "tag", "a tag KEY=VALUE (repeatable)")
	a.required(&in.ManagementAccountID, "management-account")
	a.required(&in.EnvironmentName, "environment")
	a.required(&in.RoleARN, "role-arn")
	return func(ctx context.Context) int {
		in.Tags = tags
		c, err := a.client.CreateEnvironmentAccountConnection(ctx, in)
		return a.answer(err, c.Raw, func(w io.Writer) { writeConnection(w, c) })
	}
}

func connectionsList(a *apiCommand) action {
	f := apiclient.ConnectionFilter{}
	a.fs.StringVar(&f.RequestedBy, "requested-by", "ENVIRONMENT_ACCOUNT", "ENVIRONMENT_ACCOUNT (those this account requested) or MANAGEMENT_ACCOUNT (those requested of it)")
	a.fs.StringVar(&f.EnvironmentName, "environment", "", "only this environment's")
	statuses := a.fs.String("status", "", "only these statuses, comma-separated")
	a.pageFlags()
	return func(ctx context.Context) int {
		if *statuses != "" {
			f.Statuses = strings.Split(*statuses, ",")
		}
		return list(ctx, a, func(ctx context.Context, p apiclient.PageRequest) (apiclient.Page[apiclient.EnvironmentAccountConnection], error) {
			return a.client.ListEnvironmentAccountConnections(ctx, f, p)
		}, func(c apiclient.EnvironmentAccountConnection) json.RawMessage { return c.Raw },
			[]string{"ID", "ENVIRONMENT", "ENVIRONMENT ACCOUNT", "MANAGEMENT ACCOUNT", "STATUS", "REQUESTED"},
			func(c apiclient.EnvironmentAccountConnection) []string {
				return []string{c.ID, c.EnvironmentName, c.EnvironmentAccountID, c.ManagementAccountID, c.Status, timeText(c.RequestedAt)}
			})
	}
}

func connectionsGet(a *apiCommand) action {
	id := a.argument(a.fs.String("id", "", "the connection id"), "connection", "--id ID")
	return func(ctx context.Context) int {
		c, err := a.client.GetEnvironmentAccountConnection(ctx, *id)
		return a.answer(err, c.Raw, func(w io.Writer) { writeConnection(w, c) })
	}
}

func connectionsDecide(decision string) func(a *apiCommand) action {
	return func(a *apiCommand) action {
		id := a.argument(a.fs.String("id", "", "the connection id"), "connection", "--id ID")
		return func(ctx context.Context) int {
			c, err := a.client.DecideEnvironmentAccountConnection(ctx, *id, decision)
			return a.answer(err, c.Raw, func(w io.Writer) { writeConnection(w, c) })
		}
	}
}

func connectionsUpdate(a *apiCommand) action {
	id := a.argument(a.fs.String("id", "", "the connection id"), "connection", "--id ID")
	roles := map[string]*string{
		"role-arn":           a.fs.String("role-arn", "", "a new role Gantry assumes in this account"),
		"component-role-arn": a.fs.String("component-role-arn", "", "a new component role (\"\" clears it)"),
		"codebuild-role-arn": a.fs.String("codebuild-role-arn", "", "a new CodeBuild role (\"\" clears it)"),
	}
	return func(ctx context.Context) int {
		var in apimodel.UpdateEnvironmentAccountConnection
		a.fs.Visit(func(f *flag.Flag) {
			switch f.Name {
			case "role-arn":
				in.RoleARN = roles[f.Name]
			case "component-role-arn":
				in.ComponentRoleARN = roles[f.Name]
			case "codebuild-role-arn":
				in.CodebuildRoleARN = roles[f.Name]
			}
		})
		c, err := a.client.UpdateEnvironmentAccountConnection(ctx, *id, in)
		return a.answer(err, c.Raw, func(w io.Writer) { writeConnection(w, c) })
	}
}

func connectionsDelete(a *apiCommand) action {
	id := a.argument(a.fs.String("id", "", "the connection id"), "connection", "--id ID")
	return func(ctx context.Context) int {
		c, err := a.client.DeleteEnvironmentAccountConnection(ctx, *id)
		return a.answer(err, c.Raw, func(w io.Writer) { writeConnection(w, c) })
	}
}
