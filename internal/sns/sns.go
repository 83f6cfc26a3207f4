// Package sns implements platform.Notifier on an Amazon SNS topic: human-readable
// notifications (a deployment finished or failed) for whoever subscribes — e-mail, chat,
// a queue.
package sns

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	awssns "github.com/aws/aws-sdk-go-v2/service/sns"

	"github.com/gantry-platform/gantry/internal/platform"
)

// Client is the part of *sns.Client the adapter uses.
type Client interface {
	Publish(ctx context.Context, in *awssns.PublishInput, optFns ...func(*awssns.Options)) (*awssns.PublishOutput, error)
}

// SNS's limits: a subject under 100 characters without line breaks or control
// characters; a message of at most 256 KiB.
const (
	maxSubject      = 99
	maxMessageBytes = 256 * 1024
)

// Notifier publishes on one topic. Build it with New.
type Notifier struct {
	client   Client
	topicARN string
}

var _ platform.Notifier = (*Notifier)(nil)

// New returns a Notifier on the topic topicARN, reached through client.
func New(client Client, topicARN string) *Notifier {
	return &Notifier{client: client, topicARN: topicARN}
}

// Notify publishes message with subject, both made to fit SNS: control characters in the
// subject become spaces and a long subject is cut, on a character boundary, to 99
// characters ending in "..."; a message over 256 KiB is cut likewise. Errors are Internal.
func (n *Notifier) Notify(ctx context.Context, subject, message string) error {
	if n.topicARN == "" {
		return errors.New("sns: no topic configured")
	}
	in := &awssns.PublishInput{TopicArn: aws.String(n.topicARN), Message: aws.String(fitMessage(message))}
	if s := Subject(subject); s != "" {
		in.Subject = aws.String(s)
	}
	if _, err := n.client.Publish(ctx, in); err != nil {
		return fmt.Errorf("sns: publish %q: %w", subject, err)
	}
	return nil
}

// Subject returns s as SNS accepts a subject: valid UTF-8, control characters and line
// breaks replaced by spaces, surrounding space trimmed, at most 99 characters (a longer
// one is cut and ends in "...").
func Subject(s string) string {
	s = strings.ToValidUTF8(s, "?")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	s = strings.TrimSpace(s)
	if utf8.RuneCountInString(s) <= maxSubject {
		return s
	}
	r := []rune(s)
	return strings.TrimRightFunc(string(r[:maxSubject-3]), unicode.IsSpace) + "..."
}

// fitMessage cuts a message over SNS's size limit on a character boundary.
func fitMessage(m string) string {
	m = strings.ToValidUTF8(m, "?")
	if len(m) <= maxMessageBytes {
		return m
	}
	const marker = "\n[truncated]"
	cut := maxMessageBytes - len(marker)
	for cut > 0 && !utf8.RuneStart(m[cut]) {
		cut--
	}
	return m[:cut] + marker
}
