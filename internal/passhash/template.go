package passhash

import (
	"context"
	"crypto/hmac"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
)

// templatePrefix starts a template Format.
const templatePrefix = "template:"

// Template bounds: a template is configuration, but it is parsed on every
// verification and may come from a column, so it is kept small.
const (
	templateMaxLen   = 256
	templateMaxDepth = 4
	templateMaxTerms = 32
)

// templateFamily verifies salted and peppered digests and HMACs described by
// a small template language, for schemes no named family covers:
//
//	template:sha256($salt$password)
//	template:md5(md5($password)$salt)
//	template:hmac-sha256(key=$pepper, $password)|base64
//	template:sha1('--'$salt'--'$password'--')
//
// Grammar:
//
//	format   = "template:" call [ "|" encoding ]
//	call     = digest "(" concat ")" | "hmac-" digest "(" "key=" concat "," concat ")"
//	concat   = term { [ "." | "+" | " " ] term }
//	term     = "$password" | "$salt" | "$salt_hex" | "$salt_b64" | "$pepper"
//	         | "'" { any character but "'" } "'" | call
//	digest   = "md5" | "sha1" | "sha224" | "sha256" | "sha384" | "sha512"
//	encoding = "hex" (default; either case accepted) | "base64"
//
// $salt is Hash.Salt as stored (its bytes), $salt_hex and $salt_b64 the salt
// decoded from hex or base64, $pepper Options.Pepper. A call nested inside
// another yields its digest as lower-case hex, as PHP's md5()/sha1() do. The
// outer call's digest is compared, in constant time, with Hash.Encoded
// decoded per the encoding. There are no loops, no variables beyond the
// five above, and templates are bounded (256 characters, depth 4, 32 terms),
// so a template can neither run long nor read anything else. Always weak:
// every template is a fast digest.
type templateFamily struct{}

func (templateFamily) formats() []string  { return nil }
func (templateFamily) detect(string) bool { return false }

type tmplKind int

const (
	tmplLiteral tmplKind = iota
	tmplVar
	tmplCall
)

type tmplNode struct {
	kind   tmplKind
	text   string // literal text or variable name
	digest string // call: digest name
	hmac   bool
	key    []tmplNode
	args   []tmplNode
}

type tmplParser struct {
	s     string
	pos   int
	terms int
}

type template struct {
	root     tmplNode
	encoding string
}

func parseTemplate(format string) (*template, error) {
	body := strings.TrimSpace(format)
	if len(body) < len(templatePrefix) || !strings.EqualFold(body[:len(templatePrefix)], templatePrefix) {
		return nil, malformed("template", "want template:<expression>")
	}
	body = body[len(templatePrefix):]
	if len(body) > templateMaxLen {
		return nil, malformed("template", "longer than 256 characters")
	}
	p := &tmplParser{s: body}
	root, err := p.call(0)
	if err != nil {
		return nil, err
	}
	t := &template{root: root, encoding: "hex"}
	p.spaces()
	if p.pos < len(p.s) {
		if p.s[p.pos] != '|' {
			return nil, p.errf("unexpected text after the expression")
		}
		t.encoding = strings.ToLower(strings.TrimSpace(p.s[p.pos+1:]))
		if t.encoding != "hex" && t.encoding != "base64" {
			return nil, malformed("template", "encoding must be hex or base64")
		}
	}
	return t, nil
}

func (p *tmplParser) errf(why string) error {
	return malformed("template", why+" at offset "+strconv.Itoa(p.pos))
}

func (p *tmplParser) spaces() {
	for p.pos < len(p.s) && p.s[p.pos] == ' ' {
		p.pos++
	}
}

func (p *tmplParser) ident() string {
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' {
			p.pos++
			continue
		}
		break
	}
	return strings.ToLower(p.s[start:p.pos])
}

func (p *tmplParser) expect(tok string) error {
	p.spaces()
	if !strings.HasPrefix(p.s[p.pos:], tok) {
		return p.errf("want " + tok)
	}
	p.pos += len(tok)
	return nil
}

func (p *tmplParser) call(depth int) (tmplNode, error) {
	if depth >= templateMaxDepth {
		return tmplNode{}, p.errf("nested deeper than 4")
	}
	p.spaces()
	name := p.ident()
	n := tmplNode{kind: tmplCall}
	if d, ok := strings.CutPrefix(name, "hmac-"); ok {
		n.hmac, name = true, d
	}
	if _, ok := digestAlgs[name]; !ok {
		return n, p.errf("unknown function " + name)
	}
	n.digest = name
	if err := p.expect("("); err != nil {
		return n, err
	}
	var err error
	if n.hmac {
		if err = p.expect("key="); err != nil {
			return n, err
		}
		if n.key, err = p.concat(depth, ','); err != nil {
			return n, err
		}
		if err = p.expect(","); err != nil {
			return n, err
		}
	}
	if n.args, err = p.concat(depth, ')'); err != nil {
		return n, err
	}
	return n, p.expect(")")
}

func (p *tmplParser) concat(depth int, stop byte) ([]tmplNode, error) {
	var out []tmplNode
	for {
		for p.pos < len(p.s) && strings.IndexByte(" .+", p.s[p.pos]) >= 0 {
			p.pos++
		}
		if p.pos >= len(p.s) {
			return nil, p.errf("unterminated expression")
		}
		c := p.s[p.pos]
		if c == stop || c == ')' || c == ',' {
			if len(out) == 0 {
				return nil, p.errf("empty argument")
			}
			return out, nil
		}
		p.terms++
		if p.terms > templateMaxTerms {
			return nil, p.errf("more than 32 terms")
		}
		switch {
		case c == '$':
			p.pos++
			v := p.ident()
			switch v {
			case "password", "salt", "salt_hex", "salt_b64", "pepper":
			default:
				return nil, p.errf("unknown variable $" + v)
			}
			out = append(out, tmplNode{kind: tmplVar, text: v})
		case c == '\'':
			end := strings.IndexByte(p.s[p.pos+1:], '\'')
			if end < 0 {
				return nil, p.errf("unterminated literal")
			}
			out = append(out, tmplNode{kind: tmplLiteral, text: p.s[p.pos+1 : p.pos+1+end]})
			p.pos += end + 2
		default:
			n, err := p.call(depth + 1)
			if err != nil {
				return nil, err
			}
			out = append(out, n)
		}
	}
}

// tmplEnv holds the values the variables stand for during one evaluation.
type tmplEnv struct {
	password, salt, pepper string
}

func (e *tmplEnv) value(name string) ([]byte, error) {
	switch name {
	case "password":
		return []byte(e.password), nil
	case "salt":
		return []byte(e.salt), nil
	case "pepper":
		return []byte(e.pepper), nil
	case "salt_hex":
		b, err := hex.DecodeString(e.salt)
		if err != nil {
			return nil, malformed("template", "salt is not hex")
		}
		return b, nil
	default: // salt_b64
		b, err := decodeB64(e.salt)
		if err != nil {
			return nil, malformed("template", "salt is not base64")
		}
		return b, nil
	}
}

func (e *tmplEnv) concat(nodes []tmplNode) ([]byte, error) {
	var out []byte
	for _, n := range nodes {
		switch n.kind {
		case tmplLiteral:
			out = append(out, n.text...)
		case tmplVar:
			b, err := e.value(n.text)
			if err != nil {
				return nil, err
			}
			out = append(out, b...)
		case tmplCall:
			sum, err := e.eval(n)
			if err != nil {
				return nil, err
			}
			out = hex.AppendEncode(out, sum)
		}
	}
	return out, nil
}

func (e *tmplEnv) eval(n tmplNode) ([]byte, error) {
	msg, err := e.concat(n.args)
	if err != nil {
		return nil, err
	}
	newHash := digestAlgs[n.digest]
	if !n.hmac {
		d := newHash()
		d.Write(msg)
		return d.Sum(nil), nil
	}
	key, err := e.concat(n.key)
	if err != nil {
		return nil, err
	}
	mac := hmac.New(newHash, key)
	mac.Write(msg)
	return mac.Sum(nil), nil
}

func (templateFamily) parse(h Hash) (*template, []byte, error) {
	t, err := parseTemplate(h.Format)
	if err != nil {
		return nil, nil, err
	}
	size := digestAlgs[t.root.digest]().Size()
	var want []byte
	enc := strings.TrimSpace(h.Encoded)
	if t.encoding == "hex" {
		want, err = hex.DecodeString(enc)
	} else {
		want, err = decodeB64(enc)
		if err != nil {
			want, err = base64.URLEncoding.DecodeString(enc)
		}
	}
	if err != nil || len(want) != size {
		return nil, nil, malformed("template", "stored value is not "+t.encoding+" of the digest size")
	}
	return t, want, nil
}

func (f templateFamily) identify(_ *Verifier, h Hash) (Info, error) {
	if _, _, err := f.parse(h); err != nil {
		return Info{}, err
	}
	return Info{Family: "template", Weak: true}, nil
}

func (f templateFamily) verify(_ context.Context, v *Verifier, password string, h Hash) (Result, error) {
	t, want, err := f.parse(h)
	if err != nil {
		return Result{}, err
	}
	env := &tmplEnv{password: password, salt: h.Salt, pepper: v.opts.Pepper}
	got, err := env.eval(t.root)
	if err != nil {
		return Result{}, err
	}
	return outcome(ctEqual(got, want), Info{Family: "template", Weak: true}), nil
}
