package cfnsim

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/gantry-platform/gantry/internal/cfnspec/cfntemplate"
)

// Synthetic physical ids and attribute values. They are deterministic (a hash of the
// stack id, logical id and attribute) and look like the real kind where that is cheap:
// vpc-0123..., sg-..., ARNs from the specification's ARN templates, ELB DNS names.

// idPrefixByAttribute gives EC2-style ids by attribute name.
var idPrefixByAttribute = map[string]string{
	"VpcId": "vpc", "SubnetId": "subnet", "GroupId": "sg", "SecurityGroupId": "sg",
	"DefaultSecurityGroup": "sg", "InternetGatewayId": "igw", "RouteTableId": "rtb",
	"NatGatewayId": "nat", "AllocationId": "eipalloc", "NetworkAclId": "acl",
	"DefaultNetworkAcl": "acl", "InstanceId": "i", "VpcEndpointId": "vpce",
	"TransitGatewayId": "tgw", "LaunchTemplateId": "lt", "NetworkInterfaceId": "eni",
	"VolumeId": "vol", "EgressOnlyInternetGatewayId": "eigw", "PrefixListId": "pl",
	"VPCPeeringConnectionId": "pcx", "KeyPairId": "key",
}

// idPrefixByType gives the prefix of what Ref returns for types whose identifier
// attribute has a generic name (Id).
var idPrefixByType = map[string]string{
	"AWS::EC2::SecurityGroup": "sg", "AWS::EC2::InternetGateway": "igw",
	"AWS::EC2::RouteTable": "rtb", "AWS::EC2::NatGateway": "nat", "AWS::EC2::NetworkAcl": "acl",
	"AWS::EC2::VPCEndpoint": "vpce", "AWS::EC2::Instance": "i",
	"AWS::EC2::SubnetRouteTableAssociation": "rtbassoc", "AWS::EC2::Route": "rtb",
	"AWS::EC2::SubnetNetworkAclAssociation": "aclassoc", "AWS::EC2::VPCGatewayAttachment": "igw",
	"AWS::EC2::SecurityGroupIngress": "sgr", "AWS::EC2::SecurityGroupEgress": "sgr",
	"AWS::ServiceDiscovery::PrivateDnsNamespace": "ns", "AWS::ServiceDiscovery::PublicDnsNamespace": "ns",
	"AWS::ServiceDiscovery::HttpNamespace": "ns", "AWS::ServiceDiscovery::Service": "srv",
}

func (e *evaluator) hash(parts ...string) string {
	sum := sha256.Sum256([]byte(e.stackID + "\x00" + strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:])
}

// physicalID is what Ref of resource id returns.
func (e *evaluator) physicalID(id string) string {
	if r, ok := e.sim.spec.Resource(e.types[id]); ok && r.RefAttribute != "" {
		return e.attribute(id, r.RefAttribute)
	}
	switch t := e.types[id]; {
	case idPrefixByType[t] != "":
		return idPrefixByType[t] + "-0" + e.hash(id)[:16]
	case t == "AWS::Serverless::Api":
		return e.attribute(id, "RestApiId")
	case t == "AWS::Serverless::HttpApi":
		return e.attribute(id, "ApiId")
	}
	return e.generatedName(id)
}

// generatedName is the name CloudFormation gives a resource without an explicit name:
// stack name, logical id and a random suffix.
func (e *evaluator) generatedName(id string) string {
	suffix := strings.ToUpper(e.hash(id, "name")[:12])
	name := e.stackName + "-" + id
	if len(name) > 50 {
		name = name[:50]
	}
	name += "-" + suffix
	if e.types[id] == "AWS::S3::Bucket" {
		name = strings.ToLower(name)
	}
	return name
}

// attribute is the value of Fn::GetAtt id.attr (and of Ref, through the identifier
// attribute). A property of the same name, when set, is its value (GetAtt Role.RoleName
// is the RoleName given); otherwise a value of the right shape is made up.
func (e *evaluator) attribute(id, attr string) string {
	key := id + "." + attr
	if e.attrBusy[key] {
		return e.generatedName(id)
	}
	e.attrBusy[key] = true
	defer delete(e.attrBusy, key)

	if props := cfntemplate.Lookup(e.resources[id], "Properties"); props != nil {
		if p := cfntemplate.Lookup(props, attr); p != nil {
			if v, err := e.eval(p); err == nil {
				if s, ok := v.(string); ok && s != "" {
					return s
				}
			}
		}
	}
	typ := e.types[id]
	spec, _ := e.sim.spec.Resource(typ)
	region, account := e.sim.opts.Region, e.sim.opts.Account
	h := e.hash(id, attr)
	switch {
	case strings.HasSuffix(attr, "Arn") || strings.HasSuffix(attr, "ARN"):
		return e.arn(id, attr)
	case idPrefixByAttribute[attr] != "":
		return idPrefixByAttribute[attr] + "-0" + h[:16]
	case attr == spec.RefAttribute && idPrefixByType[typ] != "":
		return idPrefixByType[typ] + "-0" + h[:16]
	case typ == "AWS::Route53::HostedZone" && attr == "Id":
		return "Z" + strings.ToUpper(h[:13])
	case attr == "RestApiId" || attr == "ApiId" || attr == "RootResourceId" || attr == "DeploymentId" || attr == "AuthorizerId":
		// API Gateway ids: ten lower-case letters and digits.
		return alnum(h, 10)
	case attr == "KeyId":
		return uuidFrom(e.stackID, id, attr)
	case attr == "PublicIp" || strings.HasSuffix(attr, "IpAddress") || strings.HasSuffix(attr, "PrivateIp"):
		return fmt.Sprintf("10.%d.%d.%d", h[0]%200, h[1]%250, h[2]%250+1)
	case attr == "QueueUrl":
		return fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", region, account, e.attribute(id, "QueueName"))
	case strings.EqualFold(attr, "DNSName") || strings.HasSuffix(attr, "DnsName") || strings.HasSuffix(attr, ".Address") || strings.HasSuffix(attr, "EndpointAddress"):
		if strings.HasPrefix(typ, "AWS::ElasticLoadBalancing") {
			name := e.attribute(id, "LoadBalancerName")
			return fmt.Sprintf("%s-%d.%s.elb.amazonaws.com", name, 100000000+int(h[0])<<16|int(h[1])<<8|int(h[2]), region)
		}
		return fmt.Sprintf("%s-%s.%s.%s.amazonaws.com", strings.ToLower(id), h[:10], region, service(typ))
	case strings.HasSuffix(attr, "HostedZoneID") || strings.HasSuffix(attr, "HostedZoneId") || strings.HasSuffix(attr, "HostedZoneNameID"):
		return "Z" + strings.ToUpper(h[:13])
	case strings.HasSuffix(attr, "Url") || strings.HasSuffix(attr, "URL"):
		return fmt.Sprintf("https://%s.%s.%s.amazonaws.com", h[:10], service(typ), region)
	case strings.HasSuffix(attr, "Port"):
		return "443"
	case attr == "LoadBalancerFullName":
		return "app/" + e.attribute(id, "LoadBalancerName") + "/" + h[:16]
	case strings.HasSuffix(attr, "FullName"):
		return "targetgroup/" + e.generatedName(id) + "/" + h[:16]
	case strings.HasSuffix(attr, "Name"):
		if typ == "AWS::ElasticLoadBalancingV2::LoadBalancer" || typ == "AWS::ElasticLoadBalancing::LoadBalancer" {
			// Load balancer names are at most 32 characters.
			return strings.ToLower(truncate(e.stackName, 18) + "-" + h[:13])
		}
		return e.generatedName(id)
	}
	return strings.ToLower(truncate(id, 20)) + "-" + h[:17]
}

// arn returns an ARN for attribute attr of id: from the specification's ARN template
// when it has one, otherwise service:region:account:kind/name.
func (e *evaluator) arn(id, attr string) string {
	typ := e.types[id]
	region, account := e.sim.opts.Region, e.sim.opts.Account
	if spec, ok := e.sim.spec.Resource(typ); ok && spec.ARNTemplate != "" && (attr == "Arn" || attr == spec.RefAttribute) {
		return expandARN(spec.ARNTemplate, func(name string) string {
			switch name {
			case "Partition":
				return "aws"
			case "Region":
				return region
			case "Account":
				return account
			}
			if base, ok := strings.CutSuffix(name, "WithPath"); ok {
				name = base
			}
			if strings.HasSuffix(name, "Arn") {
				return e.generatedName(id)
			}
			return e.attribute(id, name)
		})
	}
	name, h := e.generatedName(id), e.hash(id, attr)
	switch typ {
	case "AWS::ECS::TaskDefinition":
		return fmt.Sprintf("arn:aws:ecs:%s:%s:task-definition/%s:1", region, account, name)
	case "AWS::ECS::Service":
		return fmt.Sprintf("arn:aws:ecs:%s:%s:service/%s/%s", region, account, e.stackName, name)
	case "AWS::ElasticLoadBalancingV2::LoadBalancer":
		return fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:loadbalancer/app/%s/%s", region, account, e.attribute(id, "LoadBalancerName"), h[:16])
	case "AWS::ElasticLoadBalancingV2::TargetGroup":
		return fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:targetgroup/%s/%s", region, account, truncate(name, 32), h[:16])
	case "AWS::ElasticLoadBalancingV2::Listener":
		return fmt.Sprintf("arn:aws:elasticloadbalancing:%s:%s:listener/app/%s/%s/%s", region, account, truncate(e.stackName, 18), h[:16], h[16:32])
	}
	parts := strings.Split(typ, "::")
	kind := "resource"
	if len(parts) == 3 {
		kind = strings.ToLower(parts[2])
	}
	return fmt.Sprintf("arn:aws:%s:%s:%s:%s/%s", service(typ), region, account, kind, name)
}

// alnum maps a hex hash to n lower-case letters and digits.
func alnum(hash string, n int) string {
	const chars = "abcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, n)
	for i := range b {
		b[i] = chars[(int(hash[2*i])*16+int(hash[2*i+1]))%len(chars)]
	}
	return string(b)
}

func expandARN(template string, value func(string) string) string {
	var b strings.Builder
	for {
		i := strings.Index(template, "${")
		if i < 0 {
			b.WriteString(template)
			return b.String()
		}
		j := strings.IndexByte(template[i:], '}')
		if j < 0 {
			b.WriteString(template)
			return b.String()
		}
		b.WriteString(template[:i])
		b.WriteString(value(template[i+2 : i+j]))
		template = template[i+j+1:]
	}
}

// service is the lower-case service of a resource type (AWS::EC2::VPC -> ec2).
func service(typ string) string {
	parts := strings.Split(typ, "::")
	if len(parts) < 2 {
		return "custom"
	}
	if parts[1] == "ElasticLoadBalancingV2" {
		return "elasticloadbalancing"
	}
	return strings.ToLower(parts[1])
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
