// Package templates is Gantry's golden-path template library: Proton-format bundles that
// a platform team registers instead of starting from an empty catalog.
//
//	environments/vpc-ecs/v1/              VPC, NAT, flow logs, ECS cluster, Cloud Map namespace
//	services/public-web-service/v1/       Fargate behind a public ALB, with a pipeline
//	services/private-web-service/v1/      Fargate inside the VPC, discoverable by name, with a pipeline
//	services/lambda-function/v1/          a private Lambda function, with a pipeline
//	services/postgres/v1/                 RDS or Aurora PostgreSQL
//	services/dynamodb-table/v1/           a DynamoDB table
//	services/s3-bucket/v1/                a private S3 bucket
//
// Each template folder holds its bundles (v1/, v2/, …), a README.md and test cases
// (tests/<case>/spec.yaml, environment-outputs.json for services, expected/ golden
// renders) run by "gantry test". The package has no Go API: its tests prove that every
// template renders to its goldens, passes the CloudFormation resource-specification check
// and keeps the library's guardrails.
package templates
