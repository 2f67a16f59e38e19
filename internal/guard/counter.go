package guard

import (
	"container/list"
	"context"
	"sync"
	"time"
)

// Counter is where a Limiter keeps its counts. Keys are opaque; each names
// one scope (a username or a client) in one time window, so a count never
// needs resetting, only forgetting once it has expired.
//
// Contract:
//   - Take adds one to the count under key unless the count has reached
//     limit, atomically, and reports whether it did. The count may be
//     forgotten after expires.
//   - Give takes one back from the count under key (a unit that turned out
//     not to count); it never takes the count below zero, and giving back
//     under a key that is gone is not an error.
//   - An error means the backend could not answer; the Limiter decides
//     whether that lets the attempt through.
//   - Both are safe for concurrent use and honour ctx.
type Counter interface {
	Take(ctx context.Context, key string, limit int64, expires time.Time) (bool, error)
	Give(ctx context.Context, key string) error
}

// DefaultMaxKeys bounds a MemoryCounter: each key costs about 200 bytes
// (194 measured with the Limiter's keys), so 100,000 keys hold under 20 MB
// of a Lambda instance's memory, and one instance does not see more
// distinct usernames within a window than that unless it is being sprayed,
// when the oldest counts go first.
const DefaultMaxKeys = 100_000

// MemoryCounter counts in the memory of one process: right for one Lambda
// instance, or for `ferry serve`. Instances do not share it: with N warm
// instances an attacker spread across them gets up to N times the limit;
// use the DynamoDB counter when that matters. Memory is bounded: past
// MaxKeys the least recently used key is forgotten (expired keys first).
type MemoryCounter struct {
	max int
	now func() time.Time

	mu  sync.Mutex
	ll  *list.List // front = most recently used
	idx map[string]*list.Element
}

type memEntry struct {
	key     string
	n       int64
	expires time.Time
}

// NewMemoryCounter returns a counter holding at most maxKeys keys
// (DefaultMaxKeys when maxKeys ≤ 0). A nil now is time.Now.
func NewMemoryCounter(maxKeys int, now func() time.Time) *MemoryCounter {
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	if now == nil {
		now = time.Now
	}
	return &MemoryCounter{max: maxKeys, now: now, ll: list.New(), idx: map[string]*list.Element{}}
}

// Take implements Counter.
func (c *MemoryCounter) Take(ctx context.Context, key string, limit int64, expires time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	el, ok := c.idx[key]
	if ok && !now.Before(el.Value.(*memEntry).expires) {
		c.remove(el)
		ok = false
	}
	if !ok {
		if limit <= 0 {
			return false, nil
		}
		c.makeRoom(now)
		el = c.ll.PushFront(&memEntry{key: key, expires: expires})
		c.idx[key] = el
	}
	c.ll.MoveToFront(el)
	e := el.Value.(*memEntry)
	if e.n >= limit {
		return false, nil
	}
	e.n++
	if expires.After(e.expires) {
		e.expires = expires
	}
	return true, nil
}

// Give implements Counter.
func (c *MemoryCounter) Give(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.idx[key]; ok {
		if e := el.Value.(*memEntry); e.n > 0 {
			e.n--
		}
	}
	return nil
}

// Len returns the number of keys held.
func (c *MemoryCounter) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ll.Len()
}

func (c *MemoryCounter) remove(el *list.Element) {
	c.ll.Remove(el)
	delete(c.idx, el.Value.(*memEntry).key)
}

// makeRoom frees one slot when the counter is full: the least recently
// used expired entry if the oldest few are expired, else the least
// recently used entry.
func (c *MemoryCounter) makeRoom(now time.Time) {
	if c.ll.Len() < c.max {
		return
	}
	// Entries expire roughly in use order, so expired ones gather at the back.
	for el, i := c.ll.Back(), 0; el != nil && i < 16; i++ {
		prev := el.Prev()
		if !now.Before(el.Value.(*memEntry).expires) {
			c.remove(el)
		}
		el = prev
	}
	for c.ll.Len() >= c.max {
		c.remove(c.ll.Back())
	}
}
