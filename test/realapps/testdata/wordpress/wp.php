<?php
/*
 * Builds a legacy WordPress site for the real-applications suite with
 * WordPress's own code only (Debian's wordpress package, /usr/share/wordpress):
 *
 *   php wp.php install  < spec.json   wp_install() into an empty database
 *   php wp.php network  < spec.json   install_network() + populate_network(): the site becomes a multisite
 *   php wp.php users    < spec.json   wp_insert_user() for spec.users; wp_update_user() / update_user_status() for flags
 *
 * spec.json: {"db": {"host", "name", "user", "password"}, "prefix", "multisite",
 * "content_dir", "users": [{"user_login", "user_pass", "user_email", "first_name",
 * "last_name", "spam", "deleted", "user_status"}]}. `users` prints a JSON object
 * mapping each login to its ID and the user_pass WordPress stored, each re-checked
 * with wp_check_password().
 *
 * This stands in for wp-config.php: the same constants and $table_prefix a real
 * site defines, then wp-settings.php, as wp-load.php would.
 */

$ferry_action = $argv[1] ?? '';
$spec = json_decode(stream_get_contents(STDIN), true);
if (!is_array($spec)) {
    fwrite(STDERR, "wp.php: spec on stdin is not JSON\n");
    exit(2);
}

define('DB_NAME', $spec['db']['name']);
define('DB_USER', $spec['db']['user']);
define('DB_PASSWORD', $spec['db']['password']);
define('DB_HOST', $spec['db']['host']);
define('DB_CHARSET', 'utf8mb4');
define('DB_COLLATE', '');
define('ABSPATH', '/usr/share/wordpress/');
define('WP_CONTENT_DIR', $spec['content_dir']);
define('WP_AUTO_UPDATE_CORE', false);
define('DISABLE_WP_CRON', true);
$table_prefix = $spec['prefix'];

$_SERVER['HTTP_HOST'] = 'legacy.example.test';
$_SERVER['SERVER_NAME'] = 'legacy.example.test';
$_SERVER['REQUEST_URI'] = '/';

if ($ferry_action === 'install' || $ferry_action === 'network') {
    define('WP_INSTALLING', true);
}
if ($ferry_action === 'network') {
    define('WP_ALLOW_MULTISITE', true);
}
if (($ferry_action === 'users' || $ferry_action === 'unspam') && !empty($spec['multisite'])) {
    // What the Network Setup screen tells the administrator to add to wp-config.php.
    define('MULTISITE', true);
    define('SUBDOMAIN_INSTALL', false);
    define('DOMAIN_CURRENT_SITE', 'legacy.example.test');
    define('PATH_CURRENT_SITE', '/');
    define('SITE_ID_CURRENT_SITE', 1);
    define('BLOG_ID_CURRENT_SITE', 1);
}

// No mail leaves the test: wp_mail is pluggable, and this definition wins.
function wp_mail($to, $subject, $message, $headers = '', $attachments = array()) {
    return true;
}

require ABSPATH . 'wp-settings.php';

switch ($ferry_action) {
case 'install':
    require_once ABSPATH . 'wp-admin/includes/upgrade.php';
    $r = wp_install('Ferry legacy site', 'siteadmin', 'siteadmin@example.test', false, '', 'Site-admin-pw-1');
    echo json_encode(array('user_id' => $r['user_id'], 'wp_version' => $GLOBALS['wp_version'])), "\n";
    break;

case 'network':
    require_once ABSPATH . 'wp-admin/includes/upgrade.php';
    // A site that is not yet a multisite has no names for the network
    // tables; the Network Setup screen runs with them registered.
    foreach ($GLOBALS['wpdb']->tables('ms_global') as $table => $prefixed) {
        $GLOBALS['wpdb']->$table = $prefixed;
    }
    install_network();
    $err = populate_network(1, 'legacy.example.test', 'siteadmin@example.test', 'Ferry legacy network', '/', false);
    if (is_wp_error($err)) {
        fwrite(STDERR, 'populate_network: ' . $err->get_error_message() . "\n");
        exit(1);
    }
    echo json_encode(array('network' => 1)), "\n";
    break;

case 'users':
    $out = array();
    foreach ($spec['users'] as $u) {
        $id = wp_insert_user(array(
            'user_login' => $u['user_login'],
            'user_pass'  => $u['user_pass'],
            'user_email' => $u['user_email'],
            'first_name' => $u['first_name'] ?? '',
            'last_name'  => $u['last_name'] ?? '',
        ));
        if (is_wp_error($id)) {
            fwrite(STDERR, 'wp_insert_user(' . $u['user_login'] . '): ' . $id->get_error_message() . "\n");
            exit(1);
        }
        if (!empty($u['spam'])) {
            $r = wp_update_user(array('ID' => $id, 'spam' => 1));
            if (is_wp_error($r)) {
                fwrite(STDERR, 'wp_update_user(spam): ' . $r->get_error_message() . "\n");
                exit(1);
            }
        }
        if (!empty($u['deleted'])) {
            // The network admin's flag; core has no non-deprecated setter for it.
            update_user_status($id, 'deleted', 1);
        }
        if (isset($u['user_status'])) {
            // Single-site WordPress has no screen for user_status; plugins set it with SQL.
            $GLOBALS['wpdb']->update($GLOBALS['wpdb']->users, array('user_status' => $u['user_status']), array('ID' => $id));
        }
        $user = get_user_by('id', $id);
        if (!wp_check_password($u['user_pass'], $user->user_pass, $id)) {
            fwrite(STDERR, 'wp_check_password(' . $u['user_login'] . ") refused the password it was given\n");
            exit(1);
        }
        $out[$u['user_login']] = array('id' => $id, 'user_pass' => $user->user_pass);
    }
    echo json_encode(array('users' => $out, 'wp_version' => $GLOBALS['wp_version'])), "\n";
    break;

case 'unspam':
    // The network admin marks a user "not spam" again.
    foreach ($spec['users'] as $u) {
        $user = get_user_by('login', $u['user_login']);
        $r = wp_update_user(array('ID' => $user->ID, 'spam' => 0));
        if (is_wp_error($r)) {
            fwrite(STDERR, 'wp_update_user(spam=0): ' . $r->get_error_message() . "\n");
            exit(1);
        }
    }
    echo "{}\n";
    break;

default:
    fwrite(STDERR, "usage: php wp.php install|network|users|unspam < spec.json\n");
    exit(2);
}
