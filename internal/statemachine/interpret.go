package statemachine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// runMachine runs m from its StartAt state with input and returns the output of its last
// state.
func (x *execution) runMachine(ctx context.Context, m *machine, input any) (any, error) {
	name := m.startAt
	for {
		if ctx.Err() != nil {
			return nil, context.Cause(ctx)
		}
		out, next, err := x.runState(ctx, m.states[name], input)
		if err != nil {
			return nil, err
		}
		if next == "" {
			return out, nil
		}
		name, input = next, out
	}
}

// runState runs one state and returns its output and the next state ("" at the end).
func (x *execution) runState(ctx context.Context, st *state, raw any) (any, string, error) {
	entered := x.r.opts.Now()
	x.event(HistoryEvent{Type: st.typ + "StateEntered", StateName: st.name, Input: encodeJSON(raw)})
	var (
		out  any
		next string
		err  error
	)
	switch st.typ {
	case typeTask, typeParallel, typeMap:
		out, next, err = x.withRetry(ctx, st, raw, entered)
	case typeFail:
		err = x.fail(st, raw, entered)
	default:
		out, next, err = x.flowState(ctx, st, raw, entered)
	}
	if err != nil {
		return nil, "", err
	}
	output := encodeJSON(out)
	if len(output) > maxPayload {
		return nil, "", &stateError{Name: ErrorDataLimitExceeded, Cause: fmt.Sprintf("The state/task %q returned a result with a size exceeding the maximum number of bytes service limit.", st.name)}
	}
	x.event(HistoryEvent{Type: st.typ + "StateExited", StateName: st.name, Output: output})
	return out, next, nil
}

// contextObject builds $$ for a state.
func (x *execution) contextObject(stateName string, entered time.Time, retryCount int, token string) map[string]any {
	smARN := x.r.opts.StateMachineARN
	ctx := map[string]any{
		"Execution": map[string]any{
			"Id":           x.id,
			"Input":        x.input,
			"Name":         x.name,
			"StartTime":    formatTime(x.start),
			"RoleArn":      "arn:aws:iam::000000000000:role/StateMachineRole",
			"RedriveCount": json.Number("0"),
		},
		"State": map[string]any{
			"Name":        stateName,
			"EnteredTime": formatTime(entered),
			"RetryCount":  json.Number(strconv.Itoa(retryCount)),
		},
		"StateMachine": map[string]any{
			"Id":   smARN,
			"Name": lastSegment(smARN),
		},
	}
	if token != "" {
		ctx["Task"] = map[string]any{"Token": token}
	}
	return ctx
}

func lastSegment(arn string) string {
	for i := len(arn) - 1; i >= 0; i-- {
		if arn[i] == ':' {
			return arn[i+1:]
		}
	}
	return arn
}

// formatTime formats t as Step Functions writes timestamps in the context object.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

// selectPath applies InputPath or OutputPath: the default is the whole value, null gives
// {}, and a path that selects nothing is a States.Runtime error.
func selectPath(p *optionalPath, field string, v any) (any, error) {
	switch {
	case p == nil:
		return v, nil
	case p.null:
		return map[string]any{}, nil
	}
	out, ok := p.path.lookup(v)
	if !ok {
		return nil, runtimeErrorf("Invalid path '%s' : No results for path: %s (%s)", p.path.text, p.path.text, field)
	}
	return out, nil
}

// applyResultPath places result into the state's raw input: the default replaces it, null
// discards the result.
func applyResultPath(p *optionalPath, raw, result any) (any, error) {
	switch {
	case p == nil:
		return result, nil
	case p.null:
		return raw, nil
	}
	out, err := p.path.set(raw, result)
	if err != nil {
		return nil, &stateError{Name: ErrorResultPathMatchFailed, Cause: err.Error()}
	}
	return out, nil
}

// finishResult applies ResultSelector, ResultPath and OutputPath to a result.
func (x *execution) finishResult(st *state, raw, result any, ctxObj map[string]any) (any, error) {
	if st.resultSelector != nil {
		var err error
		if result, err = st.resultSelector.apply(&evalEnv{input: result, context: ctxObj}, "ResultSelector"); err != nil {
			return nil, err
		}
	}
	out, err := applyResultPath(st.resultPath, raw, result)
	if err != nil {
		return nil, err
	}
	return selectPath(st.outputPath, "OutputPath", out)
}

// flowState runs Pass, Choice, Wait and Succeed states.
func (x *execution) flowState(ctx context.Context, st *state, raw any, entered time.Time) (any, string, error) {
	eff, err := selectPath(st.inputPath, "InputPath", raw)
	if err != nil {
		return nil, "", err
	}
	ctxObj := x.contextObject(st.name, entered, 0, "")
	switch st.typ {
	case typePass:
		if st.parameters != nil {
			if eff, err = st.parameters.apply(&evalEnv{input: eff, context: ctxObj}, "Parameters"); err != nil {
				return nil, "", err
			}
		}
		result := eff
		if st.hasResult {
			result = st.result
		}
		out, err := applyResultPath(st.resultPath, raw, result)
		if err != nil {
			return nil, "", err
		}
		out, err = selectPath(st.outputPath, "OutputPath", out)
		return out, st.next, err
	case typeChoice:
		env := &evalEnv{input: eff, context: ctxObj}
		next := ""
		for _, rule := range st.choices {
			ok, err := rule.cond.evaluate(env)
			if err != nil {
				return nil, "", err
			}
			if ok {
				next = rule.next
				break
			}
		}
		if next == "" {
			next = st.defaultNext
		}
		if next == "" {
			return nil, "", &stateError{Name: ErrorNoChoiceMatched, Cause: fmt.Sprintf("No Choice Rules Matched in state %q", st.name)}
		}
		out, err := selectPath(st.outputPath, "OutputPath", eff)
		return out, next, err
	case typeWait:
		d, err := x.waitDuration(st, eff)
		if err != nil {
			return nil, "", err
		}
		if err := x.r.opts.Sleep(ctx, d); err != nil {
			return nil, "", context.Cause(ctx)
		}
		out, err := selectPath(st.outputPath, "OutputPath", eff)
		return out, st.next, err
	case typeSucceed:
		out, err := selectPath(st.outputPath, "OutputPath", eff)
		return out, "", err
	}
	return nil, "", runtimeErrorf("state %q has unknown type %q", st.name, st.typ)
}

func (x *execution) waitDuration(st *state, eff any) (time.Duration, error) {
	switch {
	case st.seconds != nil:
		return time.Duration(*st.seconds) * time.Second, nil
	case st.secondsPath != nil:
		v, ok := st.secondsPath.lookup(eff)
		n, isInt := integerOf(v)
		if !ok || !isInt || n < 0 {
			return 0, runtimeErrorf("The SecondsPath parameter does not reference a valid non-negative integer: %s", st.secondsPath.text)
		}
		return time.Duration(n) * time.Second, nil
	}
	t := st.timestamp
	if st.timestampPath != nil {
		v, _ := st.timestampPath.lookup(eff)
		s, _ := v.(string)
		parsed, err := parseTimestamp(s)
		if err != nil {
			return 0, runtimeErrorf("The TimestampPath parameter does not reference a valid ISO-8601 timestamp: %s", st.timestampPath.text)
		}
		t = &parsed
	}
	return max(t.Sub(x.r.opts.Now()), 0), nil
}

// fail runs a Fail state: its error and cause, static or from ErrorPath and CausePath.
func (x *execution) fail(st *state, raw any, entered time.Time) error {
	env := &evalEnv{input: raw, context: x.contextObject(st.name, entered, 0, "")}
	se := &stateError{Name: st.errorName, Cause: st.cause}
	for _, f := range []struct {
		e    expr
		into *string
		key  string
	}{{st.errorExpr, &se.Name, "ErrorPath"}, {st.causeExpr, &se.Cause, "CausePath"}} {
		if f.e == nil {
			continue
		}
		v, err := f.e.eval(env)
		if err != nil {
			var nf *errPathNotFound
			if errors.As(err, &nf) {
				return runtimeErrorf("The %s %q could not be found in the input", f.key, nf.p.text)
			}
			return err
		}
		s, ok := v.(string)
		if !ok {
			return runtimeErrorf("The %s of state %q must resolve to a string, not a %s", f.key, st.name, jsonTypeName(v))
		}
		*f.into = s
	}
	return se
}

// withRetry runs a Task, Parallel or Map state under its Retry and Catch rules.
func (x *execution) withRetry(ctx context.Context, st *state, raw any, entered time.Time) (any, string, error) {
	attempts := make([]int, len(st.retry))
	retries := 0
	for {
		var (
			out any
			err error
		)
		switch st.typ {
		case typeTask:
			out, err = x.task(ctx, st, raw, entered, retries)
		case typeParallel:
			out, err = x.parallel(ctx, st, raw, entered, retries)
		case typeMap:
			out, err = x.mapState(ctx, st, raw, entered, retries)
		}
		if err == nil {
			return out, st.next, nil
		}
		if ctx.Err() != nil {
			return nil, "", context.Cause(ctx)
		}
		se := asStateError(err)
		if i := matchingRetrier(st.retry, se); i >= 0 && attempts[i] < st.retry[i].maxAttempts {
			delay := st.retry[i].delay(attempts[i])
			attempts[i]++
			retries++
			if x.r.opts.Sleep(ctx, delay) != nil {
				return nil, "", context.Cause(ctx)
			}
			continue
		}
		for _, c := range st.catch {
			if !se.matches(c.errorEquals) {
				continue
			}
			errorOutput := map[string]any{"Error": se.Name}
			if se.Cause != "" {
				errorOutput["Cause"] = se.Cause
			}
			out, err := applyResultPath(c.resultPath, raw, errorOutput)
			if err != nil {
				return nil, "", err
			}
			return out, c.next, nil
		}
		return nil, "", se
	}
}

// matchingRetrier returns the index of the first retrier whose ErrorEquals matches, or -1.
func matchingRetrier(retry []retrier, se *stateError) int {
	for i, r := range retry {
		if se.matches(r.errorEquals) {
			return i
		}
	}
	return -1
}

// delay returns the wait before retry number attempt+1: IntervalSeconds ×
// BackoffRate^attempt, capped at MaxDelaySeconds, and with FULL jitter a random part of it.
func (r retrier) delay(attempt int) time.Duration {
	seconds := r.intervalSeconds * math.Pow(r.backoffRate, float64(attempt))
	if r.maxDelaySeconds > 0 {
		seconds = math.Min(seconds, r.maxDelaySeconds)
	}
	if r.jitterFull {
		seconds *= rand.Float64()
	}
	return time.Duration(seconds * float64(time.Second))
}

// task runs one attempt of a Task state.
func (x *execution) task(ctx context.Context, st *state, raw any, entered time.Time, retryCount int) (any, error) {
	eff, err := selectPath(st.inputPath, "InputPath", raw)
	if err != nil {
		return nil, err
	}
	timeout, err := secondsFrom(st.timeoutSeconds, st.timeoutPath, eff, "TimeoutSecondsPath")
	if err != nil {
		return nil, err
	}
	heartbeat, err := secondsFrom(st.heartbeatSeconds, st.heartPath, eff, "HeartbeatSecondsPath")
	if err != nil {
		return nil, err
	}
	waitForToken := st.resource == resourceLambdaWaitForToken
	token := ""
	if waitForToken {
		token = x.r.opts.NewID()
	}
	ctxObj := x.contextObject(st.name, entered, retryCount, token)
	params := eff
	if st.parameters != nil {
		if params, err = st.parameters.apply(&evalEnv{input: eff, context: ctxObj}, "Parameters"); err != nil {
			return nil, err
		}
	}

	functionName, payload, err := lambdaCall(st.resource, params)
	if err != nil {
		return nil, err
	}
	direct := st.resource != resourceLambdaInvoke && !waitForToken
	scheduled, started, succeeded, failed, timedOut := "TaskScheduled", "TaskStarted", "TaskSucceeded", "TaskFailed", "TaskTimedOut"
	if direct {
		scheduled, started, succeeded, failed, timedOut = "LambdaFunctionScheduled", "LambdaFunctionStarted", "LambdaFunctionSucceeded", "LambdaFunctionFailed", "LambdaFunctionTimedOut"
	}
	x.event(HistoryEvent{Type: scheduled, StateName: st.name, Resource: st.resource, Input: encodeJSON(params)})

	taskCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	var timedOutCh <-chan struct{}
	if timeout > 0 {
		var stop context.CancelFunc
		timedOutCh, stop = x.r.after(taskCtx, timeout)
		defer stop()
	}
	var waiting *waitingTask
	if waitForToken {
		waiting = x.r.openTask(token)
		defer x.r.closeTask(token)
	}
	x.event(HistoryEvent{Type: started, StateName: st.name, Resource: st.resource})

	fail := func(se *stateError, kind string) (any, error) {
		x.event(HistoryEvent{Type: kind, StateName: st.name, Resource: st.resource, Error: se.Name, Cause: se.Cause})
		return nil, se
	}
	timeoutError := &stateError{Name: ErrorTimeout, Cause: fmt.Sprintf("The task %q ran longer than its TimeoutSeconds", st.name)}

	invoked := make(chan invocation, 1)
	go func() { invoked <- x.invoke(taskCtx, functionName, payload) }()
	var result any
	select {
	case inv := <-invoked:
		if inv.err != nil {
			return fail(inv.err, failed)
		}
		result = inv.result
		if waitForToken {
			x.event(HistoryEvent{Type: "TaskSubmitted", StateName: st.name, Resource: st.resource, Output: encodeJSON(result)})
		}
	case <-timedOutCh:
		return fail(timeoutError, timedOut)
	case <-ctx.Done():
		return nil, context.Cause(ctx)
	}

	if waitForToken {
		var heartbeatCh <-chan struct{}
		stopHeartbeat := func() {}
		if heartbeat > 0 {
			heartbeatCh, stopHeartbeat = x.r.after(taskCtx, heartbeat)
		}
		defer func() { stopHeartbeat() }()
		for waitingForToken := true; waitingForToken; {
			select {
			case o := <-waiting.outcome:
				if o.err != nil {
					return fail(o.err, failed)
				}
				result = o.output
				waitingForToken = false
			case <-waiting.heartbeat:
				if heartbeat > 0 {
					stopHeartbeat()
					heartbeatCh, stopHeartbeat = x.r.after(taskCtx, heartbeat)
				}
			case <-heartbeatCh:
				return fail(&stateError{Name: ErrorHeartbeatTimeout, Cause: fmt.Sprintf("The task %q sent no heartbeat for %v", st.name, heartbeat)}, timedOut)
			case <-timedOutCh:
				return fail(timeoutError, timedOut)
			case <-ctx.Done():
				return nil, context.Cause(ctx)
			}
		}
	} else if !direct {
		result = lambdaInvokeOutput(result, x.r.opts.NewID())
	}
	resultJSON := encodeJSON(result)
	if len(resultJSON) > maxPayload {
		return fail(&stateError{Name: ErrorDataLimitExceeded, Cause: fmt.Sprintf("The task %q returned a result larger than %d bytes", st.name, maxPayload)}, failed)
	}
	x.event(HistoryEvent{Type: succeeded, StateName: st.name, Resource: st.resource, Output: resultJSON})
	return x.finishResult(st, raw, result, ctxObj)
}

// secondsFrom returns TimeoutSeconds or HeartbeatSeconds, static or read from a path.
func secondsFrom(static int, p *path, eff any, field string) (time.Duration, error) {
	if p == nil {
		return time.Duration(static) * time.Second, nil
	}
	v, ok := p.lookup(eff)
	n, isInt := integerOf(v)
	if !ok || !isInt || n <= 0 {
		return 0, runtimeErrorf("The %s %q does not reference a positive integer", field, p.text)
	}
	return time.Duration(n) * time.Second, nil
}

// lambdaCall returns the function to invoke and its payload for a Task's resource and
// effective parameters.
func lambdaCall(resource string, params any) (string, []byte, error) {
	if resource != resourceLambdaInvoke && resource != resourceLambdaWaitForToken {
		if name, ok := lambdaFunctionName(resource); ok {
			return name, encodeJSON(params), nil
		}
		return resource, encodeJSON(params), nil
	}
	obj, _ := params.(map[string]any)
	name, ok := obj["FunctionName"].(string)
	if !ok || name == "" {
		return "", nil, runtimeErrorf("The Parameters of %s must give FunctionName as a string", resource)
	}
	payload := []byte("{}")
	if p, ok := obj["Payload"]; ok {
		payload = encodeJSON(p)
	}
	return resolveFunctionName(name), payload, nil
}

// lambdaInvokeOutput wraps a function's result the way arn:aws:states:::lambda:invoke
// returns it.
func lambdaInvokeOutput(result any, requestID string) any {
	headers := map[string]any{
		"Content-Type":           "application/json",
		"X-Amz-Executed-Version": "$LATEST",
		"x-amzn-RequestId":       requestID,
	}
	all := map[string]any{}
	for k, v := range headers {
		all[k] = []any{v}
	}
	return map[string]any{
		"ExecutedVersion": "$LATEST",
		"Payload":         result,
		"SdkHttpMetadata": map[string]any{
			"AllHttpHeaders": all,
			"HttpHeaders":    headers,
			"HttpStatusCode": json.Number("200"),
		},
		"SdkResponseMetadata": map[string]any{"RequestId": requestID},
		"StatusCode":          json.Number("200"),
	}
}

type invocation struct {
	result any
	err    *stateError
}

// invoke calls the Invoker and names its error as AWS Lambda would, including a panic.
func (x *execution) invoke(ctx context.Context, functionName string, payload []byte) (inv invocation) {
	defer func() {
		if p := recover(); p != nil {
			inv = invocation{err: functionError(messages.InvokeResponse_Error{Message: fmt.Sprint(p), Type: goTypeName(p)})}
		}
	}()
	out, err := x.r.opts.Invoker.Invoke(ctx, functionName, payload)
	if err != nil {
		se := functionError(err)
		if se.Name == "" {
			se.Name = "Lambda.Unknown"
		}
		return invocation{err: se}
	}
	if len(out) == 0 {
		return invocation{result: nil}
	}
	v, err := decodeJSON(out)
	if err != nil {
		return invocation{err: &stateError{Name: "Lambda.Unknown", Cause: fmt.Sprintf("The function %s returned a result that is not JSON: %v", functionName, err)}}
	}
	return invocation{result: v}
}

// parallel runs one attempt of a Parallel state: every branch on the same input; the
// first branch to fail stops the others and fails the state with its error.
func (x *execution) parallel(ctx context.Context, st *state, raw any, entered time.Time, retryCount int) (any, error) {
	eff, err := selectPath(st.inputPath, "InputPath", raw)
	if err != nil {
		return nil, err
	}
	ctxObj := x.contextObject(st.name, entered, retryCount, "")
	if st.parameters != nil {
		if eff, err = st.parameters.apply(&evalEnv{input: eff, context: ctxObj}, "Parameters"); err != nil {
			return nil, err
		}
	}
	x.event(HistoryEvent{Type: "ParallelStateStarted", StateName: st.name})
	results, err := x.fanOut(ctx, len(st.branches), 0, func(ctx context.Context, i int) (any, error) {
		return x.runMachine(ctx, st.branches[i], eff)
	})
	if err != nil {
		se := asStateError(err)
		x.event(HistoryEvent{Type: "ParallelStateFailed", StateName: st.name, Error: se.Name, Cause: se.Cause})
		return nil, err
	}
	x.event(HistoryEvent{Type: "ParallelStateSucceeded", StateName: st.name})
	return x.finishResult(st, raw, results, ctxObj)
}

// fanOut runs n jobs, at most limit at once (0: no limit), and returns their results in
// order. The first job to fail cancels the others; its error is returned.
func (x *execution) fanOut(ctx context.Context, n, limit int, job func(ctx context.Context, i int) (any, error)) ([]any, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	results := make([]any, n)
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	if limit <= 0 || limit > n {
		limit = n
	}
	slots := make(chan struct{}, max(limit, 1))
	for i := 0; i < n; i++ {
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() { <-slots }()
			out, err := job(ctx, i)
			if err != nil {
				mu.Lock()
				if firstErr == nil {
					firstErr = err
					cancel(err)
				}
				mu.Unlock()
				return
			}
			results[i] = out
		}()
	}
	wg.Wait()
	if firstErr == nil && ctx.Err() != nil {
		firstErr = context.Cause(ctx)
	}
	return results, firstErr
}

// mapState runs one attempt of an inline Map state: the item processor once per item
// of ItemsPath, each on the item or on ItemSelector's value for it.
func (x *execution) mapState(ctx context.Context, st *state, raw any, entered time.Time, retryCount int) (any, error) {
	eff, err := selectPath(st.inputPath, "InputPath", raw)
	if err != nil {
		return nil, err
	}
	items := eff
	if st.itemsPath != nil {
		var ok bool
		if items, ok = st.itemsPath.lookup(eff); !ok {
			return nil, runtimeErrorf("Invalid path '%s' : No results for path: %s (ItemsPath)", st.itemsPath.text, st.itemsPath.text)
		}
	}
	list, ok := items.([]any)
	if !ok {
		return nil, runtimeErrorf("The ItemsPath of Map state %q must select an array, not a %s", st.name, jsonTypeName(items))
	}
	limit := st.maxConcurrency
	if st.maxConcurrencyPath != nil {
		v, _ := st.maxConcurrencyPath.lookup(eff)
		n, isInt := integerOf(v)
		if !isInt || n < 0 {
			return nil, runtimeErrorf("The MaxConcurrencyPath %q does not reference a non-negative integer", st.maxConcurrencyPath.text)
		}
		limit = int(n)
	}
	ctxObj := x.contextObject(st.name, entered, retryCount, "")
	inputs := list
	if st.itemSelector != nil {
		inputs = make([]any, len(list))
		for i, item := range list {
			itemCtx := x.contextObject(st.name, entered, retryCount, "")
			itemCtx["Map"] = map[string]any{"Item": map[string]any{"Index": json.Number(strconv.Itoa(i)), "Value": item}}
			if inputs[i], err = st.itemSelector.apply(&evalEnv{input: eff, context: itemCtx}, "ItemSelector"); err != nil {
				return nil, err
			}
		}
	}
	x.event(HistoryEvent{Type: "MapStateStarted", StateName: st.name})
	results, err := x.fanOut(ctx, len(inputs), limit, func(ctx context.Context, i int) (any, error) {
		x.event(HistoryEvent{Type: "MapIterationStarted", StateName: st.name, Index: &i})
		out, err := x.runMachine(ctx, st.processor, inputs[i])
		if err != nil && ctx.Err() != nil {
			x.event(HistoryEvent{Type: "MapIterationAborted", StateName: st.name, Index: &i})
			return nil, err
		}
		if err != nil {
			se := asStateError(err)
			x.event(HistoryEvent{Type: "MapIterationFailed", StateName: st.name, Index: &i, Error: se.Name, Cause: se.Cause})
			return nil, err
		}
		x.event(HistoryEvent{Type: "MapIterationSucceeded", StateName: st.name, Index: &i})
		return out, nil
	})
	if err != nil {
		se := asStateError(err)
		x.event(HistoryEvent{Type: "MapStateFailed", StateName: st.name, Error: se.Name, Cause: se.Cause})
		return nil, err
	}
	x.event(HistoryEvent{Type: "MapStateSucceeded", StateName: st.name})
	return x.finishResult(st, raw, results, ctxObj)
}
