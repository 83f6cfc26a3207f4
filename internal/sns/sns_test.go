package sns_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/gantry-platform/gantry/internal/awsclients/awstest"
	"github.com/gantry-platform/gantry/internal/platform"
	"github.com/gantry-platform/gantry/internal/sns"
)

const topic = "arn:aws:sns:us-east-1:111122223333:gantry-notifications"

func newNotifier(t *testing.T) (*sns.Notifier, *awstest.Server) {
	t.Helper()
	server := awstest.NewServer(t)
	client := awssns.NewFromConfig(awstest.Config(), func(o *awssns.Options) { o.BaseEndpoint = aws.String(server.URL) })
	return sns.New(client, topic), server
}

func TestContract_Publish(t *testing.T) {
	notifier, server := newNotifier(t)
	server.Handle("Publish", func(awstest.Call) awstest.Response {
		return awstest.QueryResult("Publish", "<MessageId>m-1</MessageId>")
	})
	long := "Deployment of service instance " + strings.Repeat("é", 120) + " failed"
	if err := notifier.Notify(context.Background(), long, "UPDATE_ROLLBACK_COMPLETE: the bucket exists"); err != nil {
		t.Fatalf("Notify: %v", err)
	}
	calls := server.CallsOf("Publish")
	if len(calls) != 1 {
		t.Fatalf("Publish calls = %d", len(calls))
	}
	form := calls[0].Form
	if form.Get("TopicArn") != topic || form.Get("Message") != "UPDATE_ROLLBACK_COMPLETE: the bucket exists" {
		t.Errorf("request = %v", form)
	}
	if subject := form.Get("Subject"); utf8.RuneCountInString(subject) != 99 || !strings.HasSuffix(subject, "...") {
		t.Errorf("subject = %q (%d characters), want 99 ending in ...", subject, utf8.RuneCountInString(subject))
	}
}

func TestContract_PublishFailureIsInternal(t *testing.T) {
	notifier, server := newNotifier(t)
	server.Handle("Publish", func(awstest.Call) awstest.Response {
		return awstest.QueryError(404, "NotFound", "Topic does not exist")
	})
	if err := notifier.Notify(context.Background(), "s", "m"); platform.KindOf(err) != platform.Internal {
		t.Fatalf("err = %v (kind %q), want Internal", err, platform.KindOf(err))
	}
}

func TestContract_PublishWithoutSubject(t *testing.T) {
	notifier, server := newNotifier(t)
	server.Handle("Publish", func(awstest.Call) awstest.Response {
		return awstest.QueryResult("Publish", "<MessageId>m-1</MessageId>")
	})
	if err := notifier.Notify(context.Background(), " \n ", "m"); err != nil {
		t.Fatal(err)
	}
	if form := server.CallsOf("Publish")[0].Form; form.Has("Subject") {
		t.Errorf("blank subject sent as %q", form.Get("Subject"))
	}
}

func TestSubject(t *testing.T) {
	for in, want := range map[string]string{
		"Environment beta deployed":         "Environment beta deployed",
		"line one\nline two\r\tend":         "line one line two  end",
		"  padded  ":                        "padded",
		"bad \xff byte":                     "bad ? byte",
		strings.Repeat("a", 99):             strings.Repeat("a", 99),
		strings.Repeat("a", 100):            strings.Repeat("a", 96) + "...",
		strings.Repeat("a", 95) + "  bcdef": strings.Repeat("a", 95) + "...",
	} {
		if got := sns.Subject(in); got != want {
			t.Errorf("Subject(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestContract_PublishCutsAnOversizedMessage(t *testing.T) {
	notifier, server := newNotifier(t)
	server.Handle("Publish", func(awstest.Call) awstest.Response {
		return awstest.QueryResult("Publish", "<MessageId>m-1</MessageId>")
	})
	if err := notifier.Notify(context.Background(), "s", strings.Repeat("€", 100_000)); err != nil {
		t.Fatal(err)
	}
	m := server.CallsOf("Publish")[0].Form.Get("Message")
	if len(m) > 256*1024 || !utf8.ValidString(m) || !strings.HasSuffix(m, "[truncated]") {
		t.Errorf("message of %d bytes (valid UTF-8: %v) ends %q", len(m), utf8.ValidString(m), m[len(m)-20:])
	}
}
