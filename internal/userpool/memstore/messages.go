package memstore

import (
	"cmp"
	"context"
	"slices"

	"github.com/ferry-migrate/ferry/internal/userpool"
)

// AppendMessage stores m and sets m.ID.
func (s *Store) AppendMessage(_ context.Context, m *userpool.Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.pools[m.PoolID]; !ok {
		return notFound("pool", m.PoolID)
	}
	s.lastMsg++
	c := *m
	c.ID = s.lastMsg
	s.messages = append(s.messages, &c)
	m.ID = c.ID
	return nil
}

// ListMessages returns up to limit messages with ID > afterID, oldest first.
func (s *Store) ListMessages(_ context.Context, poolID string, afterID int64, limit int) ([]*userpool.Message, error) {
	if limit <= 0 {
		limit = defaultLimit
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	i, _ := slices.BinarySearchFunc(s.messages, afterID, func(m *userpool.Message, id int64) int { return cmp.Compare(m.ID, id+1) })
	var out []*userpool.Message
	for _, m := range s.messages[i:] {
		if len(out) == limit {
			break
		}
		if poolID == "" || m.PoolID == poolID {
			c := *m
			out = append(out, &c)
		}
	}
	return out, nil
}
