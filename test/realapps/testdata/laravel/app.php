<?php
/*
 * Builds a legacy Laravel 8 site for the real-applications suite with
 * Laravel's own code only (Debian's php-illuminate-database and
 * php-illuminate-hashing 8.83): the users table is laravel/laravel v8.6.12's default
 * migration, run by Illuminate's schema builder, and every user is made by
 * an Eloquent model like the application's App\Models\User, the password
 * from Hash::make with that release's config/hashing.php.
 *
 *   php app.php DRIVER < users.json
 *
 * DRIVER is sqlite, postgres or mysql, the database named by the DB_*
 * variables (as scratch.sh sets them); FERRY_LARAVEL_DIR is
 * internal/source/sqlsource/testdata/frameworks/laravel (the migration and
 * connection.php). users.json is a list of {"name", "email", "password",
 * "hasher" ("bcrypt", Laravel's default, or "argon2id"), "verified"}.
 * It prints one JSON object: the version and, per email, the stored
 * password, each re-checked with Hash::check.
 */

$dir = getenv('FERRY_LARAVEL_DIR');
require $dir . '/connection.php';
require_once 'Illuminate/Hashing/autoload.php';

use Illuminate\Database\Eloquent\Model;
use Illuminate\Hashing\HashManager;
use Illuminate\Support\Facades\Hash;

[$capsule, $app] = laravel_capsule($argv[1] ?? '');
$capsule->bootEloquent();
// laravel/laravel v8.6.12 config/hashing.php, in the configuration the
// Capsule keeps (keyed as an application's config repository reads them).
$app['config']['hashing.driver'] = 'bcrypt';
$app['config']['hashing.bcrypt'] = ['rounds' => 10];
$app['config']['hashing.argon'] = ['memory' => 65536, 'threads' => 1, 'time' => 4];
$app->singleton('hash', fn ($app) => new HashManager($app));

/** The application's App\Models\User, as far as the database sees it. */
class User extends Model
{
    protected $fillable = ['name', 'email', 'password'];
    protected $hidden = ['password', 'remember_token'];
    protected $casts = ['email_verified_at' => 'datetime'];
}

require $dir . '/2014_10_12_000000_create_users_table.php';
(new CreateUsersTable())->up();
// The write-back's column, as a migration the site would add.
Illuminate\Support\Facades\Schema::table('users', function ($table) {
    $table->timestamp('ferry_migrated_at')->nullable();
});

$out = ['illuminate' => trim((string) shell_exec("dpkg-query -W -f='\${Version}' php-illuminate-database")), 'users' => []];
foreach (json_decode(stream_get_contents(STDIN), true) as $spec) {
    $hasher = $spec['hasher'] === 'bcrypt' ? Hash::getFacadeRoot() : Hash::driver($spec['hasher']);
    $user = User::create(['name' => $spec['name'], 'email' => $spec['email'], 'password' => $hasher->make($spec['password'])]);
    if ($spec['verified']) {
        // What MustVerifyEmail's markEmailAsVerified() does.
        $user->forceFill(['email_verified_at' => $user->freshTimestamp()])->save();
    }
    $stored = User::where('email', $spec['email'])->value('password');
    if (!Hash::check($spec['password'], $stored)) {
        fwrite(STDERR, "app.php: {$spec['email']}: Hash::check false\n");
        exit(1);
    }
    $out['users'][$spec['email']] = $stored;
}
echo json_encode($out), "\n";
