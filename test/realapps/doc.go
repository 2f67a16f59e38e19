// Package realapps holds the real-applications suite: Ferry's presets
// against legacy sites that the frameworks themselves built. Django's own
// `migrate` creates auth_user on SQLite, PostgreSQL and MariaDB (in a
// case-insensitive and in a binary collation) and its hashers
// write the passwords; WordPress's own wp_install() and wp_insert_user()
// fill MariaDB under a non-default table prefix, once as a single site and
// once as a multisite; Devise's generator and model (on ActiveRecord) and
// Laravel's schema builder, Eloquent and Hash::make build their users
// tables on SQLite, PostgreSQL and MariaDB; OpenLDAP's own tools (ldapadd,
// slappasswd, ldappasswd) fill a slapd with the ppolicy overlay, which
// locks an entry itself. Every scenario then runs twice: through `ferry
// invoke`, and through a `ferry serve` pool driven by the AWS CLI; each
// table ends with `ferry status`, `ferry export` and `ferry audit`.
// TestFrameworkDDLReproduced re-runs the generators of the presets'
// checked-in framework DDL and compares their output with the files.
//
// The suite needs the Debian packages scripts/deps.sh installs
// (python3-django, wordpress, php-cli, php-mysql, ruby-devise,
// php-illuminate-database, slapd, ldap-utils, awscli, …) and the servers
// scripts/services.sh and scripts/services-ldap.sh start. Without them it
// skips with a message, and fails under FERRY_REQUIRE_INTEGRATION=1.
package realapps
