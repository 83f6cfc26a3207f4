package templates

import (
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/gantry-platform/gantry/internal/bundle"
	"github.com/gantry-platform/gantry/internal/cfnspec"
	"github.com/gantry-platform/gantry/internal/cfnspec/cfntemplate"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/render"
	"github.com/gantry-platform/gantry/internal/schema"
	"github.com/gantry-platform/gantry/internal/templatetest"
)

// goldenPaths are the templates the library promises (PRODUCT.md, "a golden-path library
// shipped with the product").
var goldenPaths = []string{
	"environments/vpc-ecs",
	"services/public-web-service",
	"services/private-web-service",
	"services/lambda-function",
	"services/postgres",
	"services/dynamodb-table",
	"services/s3-bucket",
}

// pipelineServices are the services that must ship a CI/CD pipeline.
var pipelineServices = []string{
	"services/public-web-service",
	"services/private-web-service",
	"services/lambda-function",
}

var loadSpec = sync.OnceValues(cfnspec.Load)

func mustSpec(t *testing.T) *cfnspec.Spec {
	t.Helper()
	spec, err := loadSpec()
	if err != nil {
		t.Fatalf("load the CloudFormation resource specification: %v", err)
	}
	return spec
}

// templateFolders lists environments/* and services/*: every template folder of the
// library, whether or not goldenPaths names it.
func templateFolders(t *testing.T) []string {
	t.Helper()
	var dirs []string
	for _, kind := range []string{"environments", "services"} {
		entries, err := os.ReadDir(kind)
		if err != nil {
			t.Fatalf("read %s: %v", kind, err)
		}
		for _, e := range entries {
			if e.IsDir() {
				dirs = append(dirs, kind+"/"+e.Name())
			}
		}
	}
	if len(dirs) == 0 {
		t.Fatal("the library holds no template folder")
	}
	return dirs
}

// bundleDirs lists the v<N> bundle folders of a template folder.
func bundleDirs(t *testing.T, folder string) []string {
	t.Helper()
	entries, err := os.ReadDir(folder)
	if err != nil {
		t.Fatalf("read %s: %v", folder, err)
	}
	var out []string
	for _, e := range entries {
		if e.IsDir() && regexp.MustCompile(`^v[0-9]+$`).MatchString(e.Name()) {
			out = append(out, filepath.Join(folder, e.Name()))
		}
	}
	if len(out) == 0 {
		t.Fatalf("%s holds no bundle folder v1/, v2/, …", folder)
	}
	return out
}

func mustLoadBundle(t *testing.T, dir string) *bundle.Bundle {
	t.Helper()
	b, err := bundle.LoadDir(dir, bundle.ProtonLimits)
	if err != nil {
		t.Fatalf("load bundle %s: %v", dir, err)
	}
	return b
}

func TestLibraryHasEveryGoldenPath(t *testing.T) {
	have := templateFolders(t)
	for _, want := range goldenPaths {
		if !slices.Contains(have, want) {
			t.Errorf("the library lacks %s", want)
		}
	}
	for _, svc := range pipelineServices {
		for _, dir := range bundleDirs(t, svc) {
			if b := mustLoadBundle(t, dir); b.Pipeline == nil {
				t.Errorf("%s has no pipeline_infrastructure/", dir)
			}
		}
	}
}

// TestTemplateTests runs "gantry test" on every template folder: each case renders to its
// goldens and passes the resource-specification check.
func TestTemplateTests(t *testing.T) {
	spec := mustSpec(t)
	for _, folder := range templateFolders(t) {
		t.Run(folder, func(t *testing.T) {
			report, err := templatetest.Run(context.Background(), folder, templatetest.Options{Checker: spec})
			if err != nil {
				t.Fatalf("gantry test %s: %v", folder, err)
			}
			var names []string
			for _, c := range report.Cases {
				names = append(names, c.Name)
				for _, p := range c.Problems {
					t.Errorf("%s/tests/%s: %s", folder, c.Name, p)
				}
			}
			for _, want := range []string{"defaults", "fully-specified"} {
				if !slices.Contains(names, want) {
					t.Errorf("%s has no tests/%s case", folder, want)
				}
			}
			if !report.Passed() {
				t.Errorf("%s: tests of bundle %s fail", folder, report.Bundle)
			}
		})
	}
}

// TestBundlesValidate does what "gantry validate --bundle" does for every bundle: load
// it with Proton's limits, lint its schema, render it with the schema's defaults alone and
// check every rendering against the resource specification.
func TestBundlesValidate(t *testing.T) {
	spec := mustSpec(t)
	renderer := render.New(render.Options{})
	for _, folder := range templateFolders(t) {
		for _, dir := range bundleDirs(t, folder) {
			t.Run(dir, func(t *testing.T) {
				b := mustLoadBundle(t, dir)
				for _, w := range b.Schema.Lint() {
					t.Errorf("%s/%s: %s", dir, bundle.SchemaFile, w)
				}
				sample := &schema.Spec{}
				switch b.Kind {
				case bundle.Environment:
					sample.Proton = schema.EnvironmentSpec
					sample.Inputs = sampleInputs(t, b, schema.EnvironmentInputs)
				case bundle.Service:
					sample.Proton = schema.ServiceSpec
					sample.Instances = []schema.InstanceSpec{{Name: "sample", Environment: "sample-env", Inputs: sampleInputs(t, b, schema.ServiceInputs)}}
					if b.Pipeline != nil {
						sample.Pipeline = sampleInputs(t, b, schema.PipelineInputs)
					}
				}
				files, err := templatetest.RenderSpec(context.Background(), renderer, b, sample, templatetest.Fixture{})
				if err != nil {
					t.Fatalf("render %s with its defaults: %s", dir, platform.MessageOf(err))
				}
				if len(files) == 0 {
					t.Fatalf("%s rendered nothing", dir)
				}
				for _, f := range files {
					for _, p := range bundle.CheckRendered(spec, f.Rendered) {
						t.Errorf("%s (rendered with defaults): %s", dir, p)
					}
				}
			})
		}
	}
}

func sampleInputs(t *testing.T, b *bundle.Bundle, kind schema.InputKind) *render.Map {
	t.Helper()
	in, filled := b.Schema.SampleInputs(kind)
	for _, f := range filled {
		t.Errorf("%s input %s has no default", kind, f)
	}
	return in
}

// TestSchemasDescribeEveryInput: every input becomes a console form field, so it needs a
// title, a description and a default.
func TestSchemasDescribeEveryInput(t *testing.T) {
	for _, folder := range templateFolders(t) {
		for _, dir := range bundleDirs(t, folder) {
			b := mustLoadBundle(t, dir)
			for _, kind := range []schema.InputKind{schema.EnvironmentInputs, schema.ServiceInputs, schema.PipelineInputs} {
				typ, name, ok := b.Schema.InputType(kind)
				if !ok {
					continue
				}
				if len(typ.Properties) == 0 {
					t.Errorf("%s: %s %s declares no input", dir, kind, name)
				}
				for _, p := range typ.Properties {
					field := dir + ": types." + name + ".properties." + p.Name
					if strings.TrimSpace(p.Type.Title) == "" {
						t.Errorf("%s has no title", field)
					}
					if strings.TrimSpace(p.Type.Description) == "" {
						t.Errorf("%s has no description", field)
					}
					if !p.Type.HasDefault {
						t.Errorf("%s has no default", field)
					}
				}
			}
		}
	}
}

// environmentOutputs returns the output keys of the vpc-ecs environment as its defaults
// case renders them.
func environmentOutputs(t *testing.T) []string {
	t.Helper()
	root := mustParse(t, "environments/vpc-ecs/tests/defaults/expected/environment/cloudformation.yaml")
	keys := mappingKeys(cfntemplate.Lookup(root, "Outputs"))
	if len(keys) == 0 {
		t.Fatal("the vpc-ecs environment renders no output")
	}
	return keys
}

var envOutputRef = regexp.MustCompile(`\b(?:env|environment\.outputs|service_instance\.environment\.outputs)\.([A-Za-z0-9_]+)`)

// TestServicesFitTheEnvironment: service bundles register for vpc-ecs:1, read only outputs
// that vpc-ecs provides, and their test fixtures hold exactly those outputs.
func TestServicesFitTheEnvironment(t *testing.T) {
	outputs := environmentOutputs(t)
	for _, folder := range templateFolders(t) {
		if !strings.HasPrefix(folder, "services/") {
			continue
		}
		for _, dir := range bundleDirs(t, folder) {
			b := mustLoadBundle(t, dir)
			var envs []string
			for _, r := range b.Registration.CompatibleEnvironments {
				envs = append(envs, r.String())
			}
			if !slices.Equal(envs, []string{"vpc-ecs:1"}) {
				t.Errorf("%s: compatible_environments = %v, want [vpc-ecs:1]", dir, envs)
			}
			err := fs.WalkDir(b.FS(), ".", func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || !strings.HasSuffix(p, ".yaml") || strings.HasPrefix(p, "schema/") {
					return err
				}
				text, err := fs.ReadFile(b.FS(), p)
				if err != nil {
					return err
				}
				for _, m := range envOutputRef.FindAllStringSubmatch(string(text), -1) {
					if !slices.Contains(outputs, m[1]) {
						t.Errorf("%s/%s reads environment output %s, which vpc-ecs does not have", dir, p, m[1])
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		fixtures, _ := filepath.Glob(filepath.Join(folder, "tests", "*", templatetest.EnvironmentOutputsFile))
		if len(fixtures) == 0 {
			t.Errorf("%s: no test case has an %s", folder, templatetest.EnvironmentOutputsFile)
		}
		for _, f := range fixtures {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			var fixture map[string]string
			if err := json.Unmarshal(data, &fixture); err != nil {
				t.Errorf("%s: %v", f, err)
				continue
			}
			var keys []string
			for k := range fixture {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			want := slices.Sorted(slices.Values(outputs))
			if !slices.Equal(keys, want) {
				t.Errorf("%s holds outputs %v; vpc-ecs (2 zones) has %v", f, keys, want)
			}
		}
	}
}

// TestReadmesDocumentInputsAndOutputs: each template's README names every input of its
// newest bundle and every output its goldens render.
func TestReadmesDocumentInputsAndOutputs(t *testing.T) {
	for _, folder := range templateFolders(t) {
		readme, err := os.ReadFile(filepath.Join(folder, "README.md"))
		if err != nil {
			t.Errorf("%s: %v", folder, err)
			continue
		}
		text := string(readme)
		dirs := bundleDirs(t, folder)
		b := mustLoadBundle(t, dirs[len(dirs)-1])
		for _, kind := range []schema.InputKind{schema.EnvironmentInputs, schema.ServiceInputs, schema.PipelineInputs} {
			typ, _, ok := b.Schema.InputType(kind)
			if !ok {
				continue
			}
			for _, p := range typ.Properties {
				if !strings.Contains(text, "`"+p.Name+"`") {
					t.Errorf("%s/README.md does not document the input `%s`", folder, p.Name)
				}
			}
		}
		for _, golden := range goldenFiles(t, folder) {
			for _, key := range mappingKeys(cfntemplate.Lookup(mustParse(t, golden), "Outputs")) {
				if !strings.Contains(text, "`"+key+"`") {
					t.Errorf("%s/README.md does not document the output `%s` (rendered in %s)", folder, key, golden)
				}
			}
		}
	}
}

func goldenFiles(t *testing.T, folder string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(folder, "tests", "*", templatetest.ExpectedDir, "*", "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("%s has no golden renders (%v)", folder, err)
	}
	return files
}

// TestGuardrails checks every golden render for the library's guardrails: encryption at
// rest, nothing public but a load balancer's 80/443, TLS-only buckets, generated database
// credentials, log retention, no wildcard actions on every resource.
func TestGuardrails(t *testing.T) {
	for _, folder := range templateFolders(t) {
		for _, golden := range goldenFiles(t, folder) {
			for _, p := range guardrailProblems(mustParse(t, golden)) {
				t.Errorf("%s: %s", golden, p)
			}
		}
	}
}

// TestGuardrailsCatchViolations feeds guardrailProblems templates that break each rule, so
// that TestGuardrails cannot pass by checking nothing.
func TestGuardrailsCatchViolations(t *testing.T) {
	cases := map[string]string{
		"log group without retention": `
Resources:
  Logs: {Type: AWS::Logs::LogGroup, Properties: {}}`,
		"public bucket": `
Resources:
  B:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption: {ServerSideEncryptionConfiguration: [{ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}}]}
      PublicAccessBlockConfiguration: {BlockPublicAcls: true, BlockPublicPolicy: false, IgnorePublicAcls: true, RestrictPublicBuckets: true}
  P:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !Ref B
      PolicyDocument: {Statement: [{Effect: Deny, Principal: "*", Action: "s3:*", Resource: "*", Condition: {Bool: {"aws:SecureTransport": "false"}}}]}`,
		"bucket without TLS-only policy": `
Resources:
  B:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption: {ServerSideEncryptionConfiguration: [{ServerSideEncryptionByDefault: {SSEAlgorithm: AES256}}]}
      PublicAccessBlockConfiguration: {BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true}`,
		"database with a literal password": `
Resources:
  DB: {Type: AWS::RDS::DBInstance, Properties: {StorageEncrypted: true, PubliclyAccessible: false, MasterUserPassword: hunter2}}`,
		"public database": `
Resources:
  DB: {Type: AWS::RDS::DBInstance, Properties: {StorageEncrypted: true, PubliclyAccessible: true, ManageMasterUserPassword: true}}`,
		"unencrypted table": `
Resources:
  T: {Type: AWS::DynamoDB::Table, Properties: {SSESpecification: {SSEEnabled: false}}}`,
		"ssh from anywhere": `
Resources:
  SG: {Type: AWS::EC2::SecurityGroup, Properties: {SecurityGroupIngress: [{IpProtocol: tcp, FromPort: 22, ToPort: 22, CidrIp: 0.0.0.0/0}]}}`,
		"admin policy": `
Resources:
  R:
    Type: AWS::IAM::Role
    Properties:
      Policies: [{PolicyName: p, PolicyDocument: {Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}}]`,
		"unencrypted topic": `
Resources:
  T: {Type: AWS::SNS::Topic, Properties: {}}`,
	}
	for name, body := range cases {
		var doc yaml.Node
		if err := yaml.Unmarshal([]byte(body), &doc); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := guardrailProblems(doc.Content[0]); len(got) == 0 {
			t.Errorf("%s: no guardrail problem found", name)
		}
	}
}

// TestHarnessCatchesBrokenTemplates breaks copies of a template folder and expects
// templatetest.Run to fail: an unknown property, then a stale golden.
func TestHarnessCatchesBrokenTemplates(t *testing.T) {
	spec := mustSpec(t)
	breakages := map[string]func(text string) string{
		"unknown property": func(text string) string {
			return strings.Replace(text, "PublicAccessBlockConfiguration:", "PublicAccessBlockConfig:", 1)
		},
		"stale golden": func(text string) string {
			return strings.Replace(text, "BucketKeyEnabled: true", "BucketKeyEnabled: false", 1)
		},
	}
	for name, breakIt := range breakages {
		t.Run(name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "s3-bucket")
			if err := os.CopyFS(dir, os.DirFS("services/s3-bucket")); err != nil {
				t.Fatal(err)
			}
			tmpl := filepath.Join(dir, "v1", "instance_infrastructure", "cloudformation.yaml")
			text, err := os.ReadFile(tmpl)
			if err != nil {
				t.Fatal(err)
			}
			broken := breakIt(string(text))
			if broken == string(text) {
				t.Fatal("the breakage changed nothing: the template no longer has what it replaces")
			}
			if err := os.WriteFile(tmpl, []byte(broken), 0o644); err != nil {
				t.Fatal(err)
			}
			report, err := templatetest.Run(context.Background(), dir, templatetest.Options{Checker: spec})
			if err != nil {
				t.Fatal(err)
			}
			if report.Passed() {
				t.Error("templatetest.Run passed a broken template")
			}
		})
	}
}

func mustParse(t *testing.T, file string) *yaml.Node {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	root, err := cfntemplate.Parse(data)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return root
}

func mappingKeys(m *yaml.Node) []string {
	if m == nil || m.Kind != yaml.MappingNode {
		return nil
	}
	var keys []string
	for i := 0; i+1 < len(m.Content); i += 2 {
		keys = append(keys, m.Content[i].Value)
	}
	return keys
}

// scalar returns the value of a plain scalar node ("" for anything else, e.g. !Ref).
func scalar(n *yaml.Node) string {
	if n == nil || n.Kind != yaml.ScalarNode {
		return ""
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return ""
	}
	return n.Value
}

// items returns a sequence's items, or the node itself when it is a single value.
func items(n *yaml.Node) []*yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.SequenceNode {
		return n.Content
	}
	return []*yaml.Node{n}
}

// guardrailProblems checks one CloudFormation template.
func guardrailProblems(root *yaml.Node) []string {
	var problems []string
	report := func(id, format string, args ...any) {
		problems = append(problems, id+": "+fmt.Sprintf(format, args...))
	}
	resources := cfntemplate.Lookup(root, "Resources")
	tlsOnlyBuckets := map[string]bool{}
	for _, id := range mappingKeys(resources) {
		r := cfntemplate.Lookup(resources, id)
		if scalar(cfntemplate.Lookup(r, "Type")) != "AWS::S3::BucketPolicy" {
			continue
		}
		props := cfntemplate.Lookup(r, "Properties")
		bucket := cfntemplate.Lookup(props, "Bucket")
		if bucket == nil || bucket.Tag != "!Ref" {
			continue
		}
		for _, st := range items(cfntemplate.Lookup(cfntemplate.Lookup(props, "PolicyDocument"), "Statement")) {
			cond := cfntemplate.Lookup(cfntemplate.Lookup(st, "Condition"), "Bool")
			if scalar(cfntemplate.Lookup(st, "Effect")) == "Deny" && scalar(cfntemplate.Lookup(cond, "aws:SecureTransport")) == "false" {
				tlsOnlyBuckets[bucket.Value] = true
			}
		}
	}
	for _, id := range mappingKeys(resources) {
		r := cfntemplate.Lookup(resources, id)
		props := cfntemplate.Lookup(r, "Properties")
		prop := func(path ...string) *yaml.Node {
			n := props
			for _, p := range path {
				n = cfntemplate.Lookup(n, p)
			}
			return n
		}
		switch typ := scalar(cfntemplate.Lookup(r, "Type")); typ {
		case "AWS::Logs::LogGroup":
			if prop("RetentionInDays") == nil {
				report(id, "log group without RetentionInDays")
			}
		case "AWS::S3::Bucket":
			if prop("BucketEncryption") == nil {
				report(id, "bucket without BucketEncryption")
			}
			for _, block := range []string{"BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls", "RestrictPublicBuckets"} {
				if scalar(prop("PublicAccessBlockConfiguration", block)) != "true" {
					report(id, "bucket without %s: true", block)
				}
			}
			if !tlsOnlyBuckets[id] {
				report(id, "bucket without a policy that denies aws:SecureTransport false")
			}
		case "AWS::RDS::DBInstance", "AWS::RDS::DBCluster":
			if prop("MasterUserPassword") != nil {
				report(id, "literal MasterUserPassword: let RDS manage it (ManageMasterUserPassword)")
			}
			if scalar(prop("PubliclyAccessible")) == "true" {
				report(id, "publicly accessible database")
			}
			inCluster := typ == "AWS::RDS::DBInstance" && prop("DBClusterIdentifier") != nil
			if !inCluster && scalar(prop("StorageEncrypted")) != "true" {
				report(id, "database storage not encrypted")
			}
			if !inCluster && scalar(prop("ManageMasterUserPassword")) != "true" {
				report(id, "database credentials not generated into Secrets Manager (ManageMasterUserPassword)")
			}
		case "AWS::DynamoDB::Table":
			if scalar(prop("SSESpecification", "SSEEnabled")) != "true" {
				report(id, "table without SSESpecification.SSEEnabled: true")
			}
		case "AWS::SNS::Topic":
			if prop("KmsMasterKeyId") == nil {
				report(id, "topic without KmsMasterKeyId")
			}
		case "AWS::ECR::Repository":
			if prop("EncryptionConfiguration") == nil || scalar(prop("ImageScanningConfiguration", "ScanOnPush")) != "true" {
				report(id, "repository without encryption configuration or scan on push")
			}
		case "AWS::EC2::SecurityGroup":
			for _, rule := range items(prop("SecurityGroupIngress")) {
				checkIngress(id, rule, report)
			}
		case "AWS::EC2::SecurityGroupIngress":
			checkIngress(id, props, report)
		}
		walkStatements(r, func(st *yaml.Node) {
			if scalar(cfntemplate.Lookup(st, "Effect")) != "Allow" {
				return
			}
			wildcardAction := false
			for _, a := range items(cfntemplate.Lookup(st, "Action")) {
				v := scalar(a)
				wildcardAction = wildcardAction || v == "*" || strings.HasSuffix(v, ":*")
			}
			for _, res := range items(cfntemplate.Lookup(st, "Resource")) {
				if wildcardAction && scalar(res) == "*" {
					report(id, "policy allows every action of a service on every resource (line %d)", st.Line)
				}
			}
		})
	}
	return problems
}

// checkIngress allows the open internet only on ports 80 and 443.
func checkIngress(id string, rule *yaml.Node, report func(id, format string, args ...any)) {
	cidr := scalar(cfntemplate.Lookup(rule, "CidrIp"))
	cidr6 := scalar(cfntemplate.Lookup(rule, "CidrIpv6"))
	if cidr != "0.0.0.0/0" && cidr6 != "::/0" {
		return
	}
	from := scalar(cfntemplate.Lookup(rule, "FromPort"))
	to := scalar(cfntemplate.Lookup(rule, "ToPort"))
	if from != to || (from != "80" && from != "443") {
		report(id, "ingress from the whole internet on ports %s-%s (only 80 and 443 of a public load balancer may be)", from, to)
	}
}

// walkStatements calls fn with every mapping below n that has an Effect key: the
// statements of inline policies, managed policies, key, bucket, topic and repository
// policies.
func walkStatements(n *yaml.Node, fn func(*yaml.Node)) {
	n = cfntemplate.Resolve(n)
	if n == nil {
		return
	}
	if n.Kind == yaml.MappingNode && cfntemplate.Lookup(n, "Effect") != nil {
		fn(n)
		return
	}
	for _, c := range n.Content {
		walkStatements(c, fn)
	}
}
