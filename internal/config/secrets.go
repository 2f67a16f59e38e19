package config

import (
	"errors"
	"fmt"
	"net/url"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// secretRef matches ${aws-sm:…} and ${aws-ssm:…}: a reference to a secret
// in AWS Secrets Manager or SSM Parameter Store, resolved by
// Loader.Secrets before ${VAR} expansion (an ARN holds colons, so the two
// forms cannot share one pattern).
var secretRef = regexp.MustCompile(`\$\{aws-(?:sm|ssm):[^}]*\}`)

// ErrNoSecretResolver: the configuration references a secret and the
// loader has no way to fetch it.
var ErrNoSecretResolver = errors.New("secret references are not supported here")

// secretKeys are the field names that hold credentials. A literal value in
// one of them is a warning: it belongs in ${VAR}, an x_file, or a secret
// reference.
var secretKeys = map[string]bool{
	"dsn": true, "password": true, "bind_password": true, "token": true, "secret": true,
	"pepper": true, "client_secret": true, "hmac_key": true, "api_key": true, "private_key": true,
	"base64_signer_key": true,
}

// resolveSecret resolves one reference (without ${}) in the value at path.
// The error names the reference, which says where the secret lives; the
// value is never part of an error.
func (w *walker) resolveSecret(n *yaml.Node, path, ref string) string {
	if w.l.Secrets == nil {
		w.fail(path, n, "%s: %v", ref, ErrNoSecretResolver)
		return ""
	}
	v, err := w.l.Secrets(ref)
	if err != nil {
		w.fail(path, n, "%v", err)
		return ""
	}
	p := strings.TrimPrefix(path, ".")
	if i := strings.Index(p, "]"); strings.HasPrefix(p, "sources[") && i > 0 {
		src := p[:i+1]
		w.refs[src] = append(w.refs[src], ref)
	}
	return v
}

// checkLiteralSecret records a warning when key names a credential and v
// holds it literally (no ${…} anywhere in it).
func (w *walker) checkLiteralSecret(path, key string, v *yaml.Node) {
	if !secretKeys[key] || v.Kind != yaml.ScalarNode || v.Value == "" || strings.Contains(v.Value, "${") {
		return
	}
	if key == "dsn" && !dsnHasPassword(v.Value) {
		return // a file path, or a login without a password (IAM, peer, trust)
	}
	w.warnings = append(w.warnings, fmt.Sprintf(
		"%s: a literal credential in the configuration (line %d); use ${VAR}, %s_file, ${aws-sm:…} or ${aws-ssm:…}",
		strings.TrimPrefix(path, "."), v.Line, key))
}

// mysqlUserinfo matches go-sql-driver/mysql's "user:password@" prefix.
var mysqlUserinfo = regexp.MustCompile(`^[^:@/()]*:[^@]+@`)

// dsnHasPassword reports whether a DSN carries a password: URL userinfo
// (postgres://u:p@…, sqlserver://u:p@…), a key=value password (libpq,
// ODBC style), or MySQL's user:password@tcp(…).
func dsnHasPassword(dsn string) bool {
	if u, err := url.Parse(dsn); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			return true
		}
	}
	if strings.Contains(strings.ToLower(dsn), "password=") {
		return true
	}
	return !strings.Contains(dsn, "://") && mysqlUserinfo.MatchString(dsn)
}
