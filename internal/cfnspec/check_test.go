package cfnspec

import (
	"reflect"
	"strings"
	"testing"
)

func TestCheck(t *testing.T) {
	spec := mustLoad(t)
	tests := []struct {
		name     string
		template string
		want     []Problem
	}{
		{
			name: "valid YAML with short forms, parameters, conditions and pseudo parameters",
			template: `
Parameters:
  Cidr: {Type: String, Default: 10.0.0.0/16}
Conditions:
  IsProd: !Equals [!Ref "AWS::StackName", prod]
Resources:
  VPC:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: !Ref Cidr
      Tags:
        - Key: Name
          Value: !Sub "${AWS::StackName}-${AWS::Region}-vpc"
  Subnet:
    Type: AWS::EC2::Subnet
    DependsOn: [VPC]
    Properties:
      VpcId: !Ref VPC
      CidrBlock: !Select [0, !Cidr [!GetAtt VPC.CidrBlock, 4, 8]]
      AvailabilityZone: !If [IsProd, !Select [0, !GetAZs ""], !Ref "AWS::NoValue"]
Outputs:
  VpcArn:
    Value: !Sub "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc/${VPC}-${Subnet.SubnetId}-${!Literal}"
  Cidr:
    Value: !GetAtt [VPC, CidrBlock]
`,
		},
		{
			name: "unknown resource type",
			template: `Resources:
  Thing:
    Type: AWS::Foo::Bar
`,
			want: []Problem{{LogicalID: "Thing", Line: 3, Message: "Template format error: Unrecognized resource types: [AWS::Foo::Bar]"}},
		},
		{
			name: "unknown property",
			template: `Resources:
  Cluster:
    Type: AWS::ECS::Cluster
    Properties:
      ClusterName: x
      Foo: bar
`,
			want: []Problem{{LogicalID: "Cluster", Line: 6, Message: "Encountered unsupported property Foo"}},
		},
		{
			name: "missing required property, top level and nested",
			template: `Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      Path: /
  Queue:
    Type: AWS::SQS::Queue
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      KeySchema: [{AttributeName: id, KeyType: HASH}]
      AttributeDefinitions:
        - AttributeName: id
`,
			want: []Problem{
				{LogicalID: "Role", Line: 4, Message: "Property AssumeRolePolicyDocument cannot be empty."},
				{LogicalID: "Table", Line: 13, Message: "Property AttributeDefinitions[0].AttributeType cannot be empty."},
			},
		},
		{
			name: "unresolved references in resources and outputs",
			template: `Resources:
  Subnet:
    Type: AWS::EC2::Subnet
    DependsOn: Gateway
    Properties:
      VpcId: !Ref VPC
      CidrBlock: {"Fn::Sub": "${Base}.0/24"}
Outputs:
  Id:
    Value: {Ref: Missing}
`,
			want: []Problem{
				{LogicalID: "Subnet", Line: 4, Message: "Template format error: Unresolved resource dependencies [Gateway] in the Resources block of the template"},
				{LogicalID: "Subnet", Line: 6, Message: "Template format error: Unresolved resource dependencies [VPC] in the Resources block of the template"},
				{LogicalID: "Subnet", Line: 7, Message: "Template format error: Unresolved resource dependencies [Base] in the Resources block of the template"},
				{LogicalID: "Id", Line: 10, Message: "Template format error: Unresolved resource dependencies [Missing] in the Outputs block of the template"},
			},
		},
		{
			name: "GetAtt of an unknown attribute and of an unknown resource",
			template: `Resources:
  VPC:
    Type: AWS::EC2::VPC
    Properties: {CidrBlock: 10.0.0.0/16}
Outputs:
  A:
    Value: !GetAtt VPC.Arn
  B:
    Value: !Sub "${VPC.Nope}"
  C:
    Value: !GetAtt [Gone, Arn]
`,
			want: []Problem{
				{LogicalID: "A", Line: 7, Message: "Template error: resource VPC does not support attribute type Arn in Fn::GetAtt"},
				{LogicalID: "B", Line: 9, Message: "Template error: resource VPC does not support attribute type Nope in Fn::GetAtt"},
				{LogicalID: "C", Line: 11, Message: "Template error: instance of Fn::GetAtt references undefined resource Gone"},
			},
		},
		{
			name: "unknown condition",
			template: `Resources:
  Topic:
    Type: AWS::SNS::Topic
    Condition: Nope
    Properties:
      TopicName: !If [AlsoNope, a, b]
`,
			want: []Problem{
				{LogicalID: "Topic", Line: 4, Message: "Template format error: Unresolved dependencies [Nope]. Cannot reference resources in the Conditions block of the template"},
				{LogicalID: "Topic", Line: 6, Message: "Template error: unresolved condition dependency AlsoNope in Fn::If"},
			},
		},
		{
			name: "custom resources, nested stack outputs and intrinsic property values are not checked",
			template: `Resources:
  Custom:
    Type: Custom::Anything
    Properties: {ServiceToken: arn, Whatever: 1}
  Legacy:
    Type: AWS::CloudFormation::CustomResource
    Properties: {ServiceToken: arn, Other: 2}
  Nested:
    Type: AWS::CloudFormation::Stack
    Properties: {TemplateURL: https://example.com/t.yaml}
  Service:
    Type: AWS::ECS::Service
    Properties: !If [Never, {}, {}]
  Bucket:
    Type: AWS::S3::Bucket
    Properties:
      BucketEncryption: !Ref AWS::NoValue
Conditions:
  Never: !Equals [a, b]
Outputs:
  A: {Value: !GetAtt Custom.Anything}
  B: {Value: !GetAtt Nested.Outputs.VpcId}
`,
		},
		{
			name: "serverless types need the transform",
			template: `Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Handler: x, Anything: y}
`,
			want: []Problem{{LogicalID: "Fn", Line: 3, Message: "Template format error: Unrecognized resource types: [AWS::Serverless::Function]"}},
		},
		{
			name: "serverless types and generated ids accepted with the transform",
			template: `Transform: AWS::Serverless-2016-10-31
Resources:
  Fn:
    Type: AWS::Serverless::Function
    Properties: {Handler: x, Runtime: go, Events: {Api: {Type: Api}}}
Outputs:
  Role: {Value: !GetAtt FnRole.Arn}
  Url: {Value: !Sub "https://${ServerlessRestApi}.execute-api.${AWS::Region}.amazonaws.com"}
  Arn: {Value: !GetAtt Fn.Arn}
`,
		},
		{
			name: "JSON with lines",
			template: `{
  "Resources": {
    "Cluster": {
      "Type": "AWS::ECS::Cluster",
      "Properties": {"Foo": 1}
    },
    "Thing": {"Type": "AWS::Nope::Nope"}
  },
  "Outputs": {"Arn": {"Value": {"Fn::GetAtt": ["Cluster", "Arn"]}}}
}`,
			want: []Problem{
				{LogicalID: "Cluster", Line: 5, Message: "Encountered unsupported property Foo"},
				{LogicalID: "Thing", Line: 7, Message: "Template format error: Unrecognized resource types: [AWS::Nope::Nope]"},
			},
		},
		{
			name:     "no resources",
			template: "Outputs: {}\n",
			want:     []Problem{{Line: 1, Message: "Template format error: At least one Resources member must be defined."}},
		},
		{
			name: "invalid resource member",
			template: `Resources:
  Topic:
    Type: AWS::SNS::Topic
    Propertes: {}
`,
			want: []Problem{{LogicalID: "Topic", Line: 4, Message: "Template format error: Invalid template resource property 'Propertes'"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := spec.Check([]byte(tt.template))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Check:\n got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestCheckRejectsWhatIsNotYAMLOrJSON(t *testing.T) {
	spec := mustLoad(t)
	tests := []struct{ name, template, want string }{
		{"YAML", "Resources:\n  A:\n    Type: a: b\n", "line 3"},
		{"JSON", "{\n  \"Resources\": {\n    \"A\": {\"Type\": }\n  }\n}", "line 3"},
		{"truncated JSON", "{\n  \"Resources\": {\n", "line 3"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := spec.Check([]byte(tt.template))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Check error = %v, want one naming %q", err, tt.want)
			}
		})
	}
}

func TestProblemRejectedUpFront(t *testing.T) {
	if !(Problem{Message: "Template format error: Unrecognized resource types: [X]"}).RejectedUpFront() {
		t.Error("a template format error is rejected up front")
	}
	if (Problem{Message: "Encountered unsupported property Foo"}).RejectedUpFront() {
		t.Error("an unsupported property fails the resource during the operation")
	}
	if got := (Problem{LogicalID: "Cluster", Message: "Encountered unsupported property Foo"}).String(); got != "Cluster: Encountered unsupported property Foo" {
		t.Errorf("String = %q", got)
	}
}

func TestHasResourceType(t *testing.T) {
	spec := mustLoad(t)
	for typ, want := range map[string]bool{
		"AWS::EC2::VPC":              true,
		"AWS::ECS::Service":          true,
		"AWS::Foo::Bar":              false,
		"AWS::Serverless::Function":  false,
		"Custom::Thing":              false,
		"AWS::CloudFormation::Stack": true,
	} {
		if got := spec.HasResourceType(typ); got != want {
			t.Errorf("HasResourceType(%q) = %v, want %v", typ, got, want)
		}
	}
	r, ok := spec.Resource("AWS::IAM::Role")
	if !ok || r.RefAttribute != "RoleName" || !strings.Contains(r.ARNTemplate, ":role/") {
		t.Errorf("Resource(AWS::IAM::Role) = %+v, %v", r, ok)
	}
}
