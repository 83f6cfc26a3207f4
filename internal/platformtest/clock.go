package platformtest

import (
	"sync"
	"time"
)

// Clock is a test clock that moves only when told. Given as a Now function, its Tick
// moves it one second on per reading, so that every write a test makes carries a
// timestamp of its own (and a repeated write shows). It is safe for concurrent use.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a Clock at 2025-06-02 09:00:00 UTC.
func NewClock() *Clock {
	return &Clock{now: time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)}
}

// Tick moves the clock one second on and returns the new time.
func (c *Clock) Tick() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(time.Second)
	return c.now
}

// Now returns the clock's time without moving it.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock d on.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
