package source

import "io"

// Wrapper is a Source that decorates another (timing, a circuit breaker,
// secret refresh) and forwards Authenticate and Lookup to it in its own
// way. Unwrap returns the decorated source, which may change over time (a
// source reopened with fresh secrets); a decorator implements none of the
// optional capabilities itself, so that As finds exactly those of the
// source underneath.
type Wrapper interface {
	Source
	Unwrap() Source
}

// maxWrapDepth bounds the walk down a chain of decorators, so that a
// decorator that unwraps to itself cannot hang the caller. Ferry stacks
// at most three; 32 leaves room for tests and future layers.
const maxWrapDepth = 32

// As finds the first source in s's chain of decorators (s, s.Unwrap(),
// …) that implements T, the optional capability asked for (Marker,
// Checker, Lister, HashSampler, io.Closer, …), in the manner of
// errors.As. It reports false when no source in the chain has it: a
// decorated source offers exactly the capabilities of the source it
// decorates.
//
// Call it when the capability is used rather than keeping its result: the
// source under a decorator may be replaced.
func As[T any](s Source) (T, bool) {
	for range maxWrapDepth {
		if s == nil {
			break
		}
		if c, ok := s.(T); ok {
			return c, true
		}
		w, ok := s.(Wrapper)
		if !ok {
			break
		}
		s = w.Unwrap()
	}
	var zero T
	return zero, false
}

// Close closes the source under s's decorators when it holds resources
// (io.Closer); a source without any is closed by doing nothing.
func Close(s Source) error {
	if c, ok := As[io.Closer](s); ok {
		return c.Close()
	}
	return nil
}
