// Package realapps holds the real-applications suite: Ferry's presets
// against legacy sites that the frameworks themselves built. Django's own
// `migrate` creates auth_user on PostgreSQL and SQLite and its hashers
// write the passwords; WordPress's own wp_install() and wp_insert_user()
// fill MariaDB under a non-default table prefix, once as a single site and
// once as a multisite. Every scenario then runs twice: through `ferry
// invoke`, and through a `ferry serve` pool driven by the AWS CLI.
//
// The suite needs the Debian packages scripts/deps.sh installs
// (python3-django, wordpress, php-cli, php-mysql, …) and the servers
// scripts/services.sh starts. Without them it skips with a message, and
// fails under FERRY_REQUIRE_INTEGRATION=1.
package realapps
