#!/usr/bin/env bash
# What Proton's sample CodeBuild pipelines do after building an image: read the service's
# spec, change the instance's inputs, redeploy the instance with the current template
# version and wait for it — with the aws CLI, against the endpoint in $ENDPOINT.
# Arguments: SERVICE INSTANCE.
set -euo pipefail
service=$1 instance=$2
proton() { aws proton --endpoint-url "$ENDPOINT" --output text "$@"; }

proton get-service --name "$service" --query service.spec > service.yaml
grep -q "name: \"$instance\"" service.yaml
sed 's/desired_count: 2/desired_count: 4/' service.yaml > rendered_service.yaml
proton update-service-instance --deployment-type CURRENT_VERSION --name "$instance" --service-name "$service" \
  --spec file://rendered_service.yaml --query serviceInstance.deploymentStatus
proton wait service-instance-deployed --name "$instance" --service-name "$service"
proton get-service-instance --name "$instance" --service-name "$service" \
  --query '[serviceInstance.deploymentStatus, serviceInstance.templateMajorVersion]'
