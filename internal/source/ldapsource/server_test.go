package ldapsource_test

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"io"
	"net"
	"os"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/go-ldap/ldap/v3"
	"golang.org/x/crypto/bcrypt"

	"github.com/ferry-migrate/ferry/internal/testenv"
)

// server is the OpenLDAP that scripts/services-ldap.sh started.
type server struct {
	URL, LDAPSURL, CAFile, BaseDN string
	BindDN, BindPassword          string
	AdminDN, AdminPassword        string
}

// ldapServer returns the test server, or skips (fails under
// FERRY_REQUIRE_INTEGRATION=1) when none was started.
func ldapServer(t testing.TB) server {
	t.Helper()
	s := server{URL: testenv.Env(t, "FERRY_TEST_LDAP_URL", "OpenLDAP")}
	for _, v := range []struct {
		dst  *string
		name string
	}{
		{&s.LDAPSURL, "FERRY_TEST_LDAPS_URL"},
		{&s.CAFile, "FERRY_TEST_LDAP_CA"},
		{&s.BaseDN, "FERRY_TEST_LDAP_BASE_DN"},
		{&s.BindDN, "FERRY_TEST_LDAP_BIND_DN"},
		{&s.BindPassword, "FERRY_TEST_LDAP_BIND_PASSWORD"},
		{&s.AdminDN, "FERRY_TEST_LDAP_ADMIN_DN"},
		{&s.AdminPassword, "FERRY_TEST_LDAP_ADMIN_PASSWORD"},
	} {
		*v.dst = testenv.Env(t, v.name, "OpenLDAP")
	}
	return s
}

// admin connects as the directory's root DN, to seed entries.
func (s server) admin(t testing.TB) *ldap.Conn {
	t.Helper()
	c, err := ldap.DialURL(s.URL)
	if err != nil {
		t.Fatalf("dial %s: %v", s.URL, err)
	}
	t.Cleanup(func() { c.Close() })
	if err := c.Bind(s.AdminDN, s.AdminPassword); err != nil {
		t.Fatalf("admin bind: %v", err)
	}
	return c
}

// newOU creates an organizational unit of its own for one test under the
// base DN and deletes it, with everything added under it, at cleanup.
func (s server) newOU(t testing.TB, c *ldap.Conn) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "t-" + hex.EncodeToString(b[:])
	dn := "ou=" + name + "," + s.BaseDN
	add(t, c, dn, map[string][]string{"objectClass": {"organizationalUnit"}, "ou": {name}})
	t.Cleanup(func() { deleteTree(t, s, dn) })
	return dn
}

func add(t testing.TB, c *ldap.Conn, dn string, attrs map[string][]string) {
	t.Helper()
	req := ldap.NewAddRequest(dn, nil)
	keys := make([]string, 0, len(attrs))
	for k := range attrs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		req.Attribute(k, attrs[k])
	}
	if err := c.Add(req); err != nil {
		t.Fatalf("add %s: %v", dn, err)
	}
}

// deleteTree removes dn and its subtree, deepest entries first.
func deleteTree(t testing.TB, s server, dn string) {
	c, err := ldap.DialURL(s.URL)
	if err != nil {
		t.Errorf("cleanup dial: %v", err)
		return
	}
	defer c.Close()
	if err := c.Bind(s.AdminDN, s.AdminPassword); err != nil {
		t.Errorf("cleanup bind: %v", err)
		return
	}
	res, err := c.Search(ldap.NewSearchRequest(dn, ldap.ScopeWholeSubtree, ldap.NeverDerefAliases, 0, 0, false,
		"(objectClass=*)", []string{"1.1"}, nil))
	if err != nil {
		t.Errorf("cleanup search: %v", err)
		return
	}
	dns := make([]string, 0, len(res.Entries))
	for _, e := range res.Entries {
		dns = append(dns, e.DN)
	}
	sort.Slice(dns, func(i, j int) bool { return strings.Count(dns[i], ",") > strings.Count(dns[j], ",") })
	for _, d := range dns {
		if err := c.Del(ldap.NewDelRequest(d, nil)); err != nil {
			t.Errorf("cleanup delete %s: %v", d, err)
		}
	}
}

// entryUUID reads the operational entryUUID OpenLDAP gave dn.
func entryUUID(t testing.TB, c *ldap.Conn, dn string) string {
	t.Helper()
	res, err := c.Search(ldap.NewSearchRequest(dn, ldap.ScopeBaseObject, ldap.NeverDerefAliases, 1, 0, false,
		"(objectClass=*)", []string{"entryUUID"}, nil))
	if err != nil || len(res.Entries) != 1 {
		t.Fatalf("read entryUUID of %s: %v", dn, err)
	}
	return res.Entries[0].GetAttributeValue("entryUUID")
}

// ssha hashes password as slappasswd -h {SSHA} does: SHA-1 over password
// and a random salt, base64 of digest then salt.
func ssha(password string) string {
	salt := make([]byte, 8)
	_, _ = rand.Read(salt)
	h := sha1.New()
	h.Write([]byte(password))
	h.Write(salt)
	return "{SSHA}" + base64.StdEncoding.EncodeToString(append(h.Sum(nil), salt...))
}

// proxy is a TCP relay on 127.0.0.1 in front of the LDAP server, so a test
// can count connections and cut them all as a server restart would.
type proxy struct {
	ln       net.Listener
	target   string
	accepted atomic.Int64
	mu       sync.Mutex
	conns    []net.Conn
}

func newProxy(t *testing.T, ldapURL string) *proxy {
	t.Helper()
	u := strings.TrimPrefix(strings.TrimPrefix(ldapURL, "ldap://"), "ldaps://")
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: u}
	t.Cleanup(func() { ln.Close(); p.dropAll() })
	go p.serve()
	return p
}

func (p *proxy) addr() string { return p.ln.Addr().String() }

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.accepted.Add(1)
		up, err := net.Dial("tcp", p.target)
		if err != nil {
			c.Close()
			continue
		}
		p.mu.Lock()
		p.conns = append(p.conns, c, up)
		p.mu.Unlock()
		go func() { _, _ = io.Copy(up, c); up.Close() }()
		go func() { _, _ = io.Copy(c, up); c.Close() }()
	}
}

// dropAll closes every relayed connection on both sides.
func (p *proxy) dropAll() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range p.conns {
		c.Close()
	}
	p.conns = nil
}

// silentServer accepts connections and never answers, like a server behind
// a black-holing firewall that completes the handshake.
func silentServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			c.Close()
		}
	})
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() { _, _ = io.Copy(io.Discard, c) }()
		}
	}()
	return "ldap://" + ln.Addr().String()
}

// closedPort returns an ldap:// URL nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "ldap://" + addr
}

func writeFile(t testing.TB, name, content string) string {
	t.Helper()
	p := t.TempDir() + "/" + name
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// bcryptHash returns a hash function storing bcrypt at cost 4 (fast, and
// weak by passhash's bounds) as a directory written by an application might.
func bcryptHash(t testing.TB) func(string) string {
	return func(pw string) string {
		h, err := bcrypt.GenerateFromPassword([]byte(pw), 4)
		if err != nil {
			t.Fatal(err)
		}
		return string(h)
	}
}
