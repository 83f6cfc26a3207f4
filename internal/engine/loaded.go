package engine

import (
	"crypto/sha256"
	"sync"
)

// loadedEntries bounds each cache of loaded bundles and parsed schemas.
const loadedEntries = 32

// loaded keeps what was made from a content (a bundle loaded from its archive, a schema
// parsed from its text), keyed by the content's SHA-256: a content gives the same value
// every time, so an entry is never stale. Values are only read once made. It holds at
// most loadedEntries, dropping the oldest first. Safe for concurrent use.
type loaded[T any] struct {
	mu    sync.Mutex
	byKey map[[sha256.Size]byte]T
	order [][sha256.Size]byte
}

// get returns the value made from content by make, making it on first use; an error is
// not kept.
func (l *loaded[T]) get(content []byte, make func() (T, error)) (T, error) {
	key := sha256.Sum256(content)
	l.mu.Lock()
	v, ok := l.byKey[key]
	l.mu.Unlock()
	if ok {
		return v, nil
	}
	v, err := make()
	if err != nil {
		return v, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byKey == nil {
		l.byKey = map[[sha256.Size]byte]T{}
	}
	if _, ok := l.byKey[key]; !ok {
		if len(l.order) == loadedEntries {
			delete(l.byKey, l.order[0])
			l.order = l.order[1:]
		}
		l.order = append(l.order, key)
	}
	l.byKey[key] = v
	return v, nil
}
