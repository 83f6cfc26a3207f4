package eventbus

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// DeadLetter is a delivery the bus gave up: the event, the rule and target it was for, the
// last error and the attempts made, as EventBridge's dead-letter queue keeps them.
type DeadLetter struct {
	ID       string          `json:"id"`
	Time     time.Time       `json:"time"`
	Rule     string          `json:"rule"`
	Target   string          `json:"target,omitempty"`
	Event    json.RawMessage `json:"event"`
	Error    string          `json:"error"`
	Attempts int             `json:"attempts"`
}

// DeadLetterLog keeps dead letters in a file, one JSON object a line, so that they survive
// a restart. Its methods are safe for concurrent use; one process owns the file.
type DeadLetterLog struct {
	mu   sync.Mutex
	path string
}

// OpenDeadLetterLog opens the log at path, creating the file (and its folder) when missing.
// It returns the file system's error when path cannot be created.
func OpenDeadLetterLog(path string) (*DeadLetterLog, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDONLY, 0o600)
	if err != nil {
		return nil, err
	}
	return &DeadLetterLog{path: path}, f.Close()
}

// Path is the file of the log.
func (l *DeadLetterLog) Path() string { return l.path }

// Add appends dl to the log; it returns the file system's error.
func (l *DeadLetterLog) Add(dl DeadLetter) error {
	line, err := json.Marshal(dl)
	if err != nil {
		return fmt.Errorf("eventbus: encode dead letter: %w", err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	f, err := os.OpenFile(l.path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(append(line, '\n'))
	return errors.Join(err, f.Close())
}

// List returns the dead letters, oldest first. A line that does not parse (the torn end of
// a write cut by a crash) is skipped.
func (l *DeadLetterLog) List() ([]DeadLetter, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.read()
}

func (l *DeadLetterLog) read() ([]DeadLetter, error) {
	data, err := os.ReadFile(l.path)
	if err != nil {
		return nil, err
	}
	out := []DeadLetter{}
	scanner := bufio.NewScanner(bytes.NewReader(data))
	scanner.Buffer(nil, 2*MaxEventSize+64<<10)
	for scanner.Scan() {
		var dl DeadLetter
		if json.Unmarshal(scanner.Bytes(), &dl) == nil && dl.ID != "" {
			out = append(out, dl)
		}
	}
	return out, scanner.Err()
}

// Remove drops the dead letters of ids from the log, rewriting it whole (a new file
// renamed over the old one, so a crash leaves one or the other).
func (l *DeadLetterLog) Remove(ids []string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	all, err := l.read()
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	for _, dl := range all {
		if slices.Contains(ids, dl.ID) {
			continue
		}
		line, err := json.Marshal(dl)
		if err != nil {
			return err
		}
		buf.Write(append(line, '\n'))
	}
	tmp := l.path + ".tmp"
	if err := os.WriteFile(tmp, buf.Bytes(), 0o600); err != nil {
		return err
	}
	return os.Rename(tmp, l.path)
}
