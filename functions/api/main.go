// Command api is Gantry's HTTP API behind API Gateway (HTTP API, payload format 2.0): the
// same http.Handler local mode serves, adapted to Lambda, with callers authenticated by
// the JWT authorizer's validated claims.
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/events"
	"github.com/awslabs/aws-lambda-go-api-proxy/httpadapter"

	"github.com/gantry-platform/gantry/internal/lambdawire"
)

func main() { lambdawire.Start("api", handler) }

// handler is the function's entry point: API Gateway's event in, its response out.
func handler(app *lambdawire.App) func(context.Context, events.APIGatewayV2HTTPRequest) (events.APIGatewayV2HTTPResponse, error) {
	return httpadapter.NewV2(app.API()).ProxyWithContext
}
