package ldapsource

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/go-ldap/ldap/v3"
)

// errClosed is returned by calls made after Close.
var errClosed = errors.New("source closed")

// pool keeps idle connections for reuse across calls (and across warm Lambda
// invocations, since the Source outlives them). A connection that failed at
// the network level is closed, never returned.
type pool struct {
	idle chan *ldap.Conn
	// dial opens a connection ready for use (connected, TLS set up, and, for
	// the search pool, bound as the service account).
	dial func(ctx context.Context) (*ldap.Conn, error)

	mu     sync.Mutex
	closed bool
}

func newPool(size int, dial func(ctx context.Context) (*ldap.Conn, error)) *pool {
	return &pool{idle: make(chan *ldap.Conn, size), dial: dial}
}

// get returns an idle connection (reused = true) or a new one.
func (p *pool) get(ctx context.Context) (c *ldap.Conn, reused bool, err error) {
	p.mu.Lock()
	closed := p.closed
	p.mu.Unlock()
	if closed {
		return nil, false, errClosed
	}
	if err := ctx.Err(); err != nil {
		return nil, false, err
	}
	for {
		select {
		case c := <-p.idle:
			if c.IsClosing() {
				c.Close()
				continue
			}
			return c, true, nil
		default:
			c, err := p.dial(ctx)
			return c, false, err
		}
	}
}

// put returns c to the pool, or closes it when the pool is full or closed.
func (p *pool) put(c *ldap.Conn) {
	if c.IsClosing() {
		c.Close()
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		c.Close()
		return
	}
	select {
	case p.idle <- c:
	default:
		c.Close()
	}
}

// close closes every idle connection; connections in use are closed when
// they are put back.
func (p *pool) close() {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	for {
		select {
		case c := <-p.idle:
			c.Close()
		default:
			return
		}
	}
}

// isConnError reports whether err means the connection itself is unusable
// (dropped, reset, timed out) rather than an LDAP answer.
func isConnError(err error) bool {
	return ldap.IsErrorWithCode(err, ldap.ErrorNetwork)
}

// do runs fn on c within ctx: the request timeout is cut to what is left of
// ctx, and when ctx ends first, c is closed (which fails fn's pending request
// at once) and ctx's error is returned.
func do(ctx context.Context, c *ldap.Conn, requestTimeout time.Duration, fn func(*ldap.Conn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := requestTimeout
	if d, ok := ctx.Deadline(); ok {
		t = min(t, time.Until(d))
	}
	if t <= 0 {
		// go-ldap reads a zero timeout as "none".
		return context.DeadlineExceeded
	}
	c.SetTimeout(t)
	done := make(chan error, 1)
	go func() { done <- fn(c) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		c.Close()
		<-done
		return ctx.Err()
	}
}

// withConn runs fn on a connection from p. When a reused connection turns
// out to be dead (the server restarted, an idle timeout or a load balancer
// dropped it), fn is retried once on a fresh connection.
func withConn(ctx context.Context, p *pool, requestTimeout time.Duration, fn func(*ldap.Conn) error) error {
	for attempt := 0; ; attempt++ {
		c, reused, err := p.get(ctx)
		if err != nil {
			return err
		}
		err = do(ctx, c, requestTimeout, fn)
		if err != nil && (isConnError(err) || c.IsClosing() || ctx.Err() != nil) {
			c.Close()
			if reused && attempt == 0 && ctx.Err() == nil {
				continue
			}
			return err
		}
		p.put(c)
		return err
	}
}
