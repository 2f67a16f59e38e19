package migration

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// Route is one routing rule: a typed name that matches Match is looked up
// only in Sources, in that order. Rules are tried in order and the first
// that matches decides; a name that matches no rule goes to the default
// chain, which is every configured source that no rule names, in
// configuration order.
//
// Routing keeps a directory from being asked about names that cannot be
// its users (an LDAP server sees only corporate addresses, so strangers
// cannot lock its accounts out), and saves the round trips. It decides by
// the shape of what was typed, which is public, so a routed answer reveals
// nothing about who exists. Within the routed chain the chain rules hold:
// an unknown user moves on to the next source, a wrong password or a
// disabled user stops, a fault fails closed; and the rest of the routed
// chain is still asked for an absent user after a "no", so every name
// routed alike costs alike.
//
// Example (in the "migration" section):
//
//	routing:
//	  - match: {email_domain: corp.example.com}
//	    sources: [corp-ldap]
//	  - match: {username_regexp: '^\d+$'}
//	    sources: [legacy-sql]
//
// When every source is named by some rule, a name that matches no rule is
// not migrated, at no source's cost.
type Route struct {
	Match   RouteMatch `yaml:"match"`
	Sources []string   `yaml:"sources"`
}

// RouteMatch is what a typed name (trimmed and case-folded as the policy
// says, exactly what the sources are given) must satisfy for a Route to
// apply. When both fields are set, both must hold.
type RouteMatch struct {
	// EmailDomain matches an email address whose domain is exactly this
	// one, compared without regard to case (domains are case-insensitive).
	// A leading "@" is allowed. Subdomains need rules of their own.
	EmailDomain string `yaml:"email_domain"`
	// UsernameRegexp matches names this Go regular expression (RE2 syntax)
	// matches. It is not anchored unless written with ^ and $.
	UsernameRegexp string `yaml:"username_regexp"`
}

// ErrUnknownRouteSource is wrapped by the error for a routing rule that
// names a source the configuration does not have.
var ErrUnknownRouteSource = errors.New("unknown source")

// domain returns the configured domain, lower-cased, without a leading "@".
func (m RouteMatch) domain() string {
	return strings.ToLower(strings.TrimPrefix(strings.TrimSpace(m.EmailDomain), "@"))
}

// validateRouting reports every problem of routes that can be found
// without knowing the configured sources, each with its path.
func validateRouting(routes []Route) []error {
	var errs []error
	bad := func(path, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: "+format, append([]any{path}, args...)...))
	}
	if routes != nil && len(routes) == 0 {
		bad("routing", "empty list; omit it to use every source for every name")
	}
	for i, r := range routes {
		p := fmt.Sprintf("routing[%d]", i)
		if r.Match == (RouteMatch{}) {
			bad(p+".match", "empty; set email_domain or username_regexp")
		}
		if r.Match.EmailDomain != "" {
			d := r.Match.domain()
			if d == "" || strings.ContainsAny(d, "@ \t") || !strings.Contains(d, ".") || strings.HasPrefix(d, ".") || strings.HasSuffix(d, ".") {
				bad(p+".match.email_domain", "%q is not a domain such as corp.example.com", r.Match.EmailDomain)
			}
		}
		if r.Match.UsernameRegexp != "" {
			if _, err := regexp.Compile(r.Match.UsernameRegexp); err != nil {
				bad(p+".match.username_regexp", "%w", err)
			}
		}
		if len(r.Sources) == 0 {
			bad(p+".sources", "empty; name at least one source")
		}
		for j, name := range r.Sources {
			switch {
			case name == "":
				bad(fmt.Sprintf("%s.sources[%d]", p, j), "empty source name")
			case slices.Index(r.Sources, name) != j:
				bad(fmt.Sprintf("%s.sources[%d]", p, j), "%q is listed twice", name)
			}
		}
	}
	return errs
}

// ValidateRouting reports every routing rule that names a source not in
// sourceNames (the configured sources), each with its path. Validate
// cannot know the sources; New calls this with the chain it is given, and
// a configuration check can call it with the configured names.
func (p Policy) ValidateRouting(sourceNames []string) error {
	var errs []error
	for i, r := range p.Routing {
		for j, name := range r.Sources {
			if name != "" && !slices.Contains(sourceNames, name) {
				errs = append(errs, fmt.Errorf("routing[%d].sources[%d]: %w %q (configured: %s)",
					i, j, ErrUnknownRouteSource, name, strings.Join(sourceNames, ", ")))
			}
		}
	}
	return errors.Join(errs...)
}

// route is a compiled Route.
type route struct {
	domain string         // "" when not matched on
	re     *regexp.Regexp // nil when not matched on
	chain  []NamedSource
}

// router chooses the chain of sources for a typed name.
type router struct {
	routes   []route
	fallback []NamedSource
}

// newRouter compiles routes against the configured sources. routes must
// have passed validateRouting; with no routes every name gets every source.
func newRouter(routes []Route, sources []NamedSource) (*router, error) {
	r := &router{}
	named := map[string]bool{}
	byName := map[string]NamedSource{}
	for _, s := range sources {
		byName[s.Name] = s
	}
	for i, rt := range routes {
		c := route{domain: rt.Match.domain()}
		if rt.Match.UsernameRegexp != "" {
			re, err := regexp.Compile(rt.Match.UsernameRegexp)
			if err != nil {
				return nil, fmt.Errorf("routing[%d].match.username_regexp: %w", i, err)
			}
			c.re = re
		}
		for _, name := range rt.Sources {
			c.chain = append(c.chain, byName[name])
			named[name] = true
		}
		r.routes = append(r.routes, c)
	}
	for _, s := range sources {
		if !named[s.Name] {
			r.fallback = append(r.fallback, s)
		}
	}
	return r, nil
}

// chain returns the sources to ask for name, and the index of the rule
// that chose them (-1 for the default chain).
func (r *router) chain(name string) ([]NamedSource, int) {
	for i, rt := range r.routes {
		if rt.matches(name) {
			return rt.chain, i
		}
	}
	return r.fallback, -1
}

func (rt route) matches(name string) bool {
	if rt.domain != "" {
		at := strings.LastIndexByte(name, '@')
		if !isEmail(name) || !strings.EqualFold(name[at+1:], rt.domain) {
			return false
		}
	}
	return rt.re == nil || rt.re.MatchString(name)
}
