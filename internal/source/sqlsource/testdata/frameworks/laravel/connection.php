<?php
// connection.php: the Illuminate database connection of a Laravel 8 site,
// for gen.php and the real-applications suite's Laravel site
// (test/realapps/testdata/laravel/app.php). laravel_capsule(DRIVER) connects
// to the database the DB_* variables name (see ../scratch.sh) with the
// settings of laravel/laravel v8.6.12's config/database.php, and binds the
// database manager for the Schema facade the migration calls, as an
// application's service container does. It returns the Capsule and the
// container.

require_once 'Illuminate/Database/autoload.php';

use Illuminate\Container\Container;
use Illuminate\Database\Capsule\Manager as Capsule;
use Illuminate\Support\Facades\Facade;

function laravel_capsule(string $driver): array
{
    $env = fn (string $k): string => (string) getenv($k);
    $config = match ($driver) {
        'sqlite' => ['driver' => 'sqlite', 'database' => $env('DB_NAME'), 'prefix' => '', 'foreign_key_constraints' => true],
        'mysql' => ['driver' => 'mysql', 'host' => $env('DB_HOST'), 'port' => $env('DB_PORT'), 'database' => $env('DB_NAME'),
            'username' => $env('DB_USER'), 'password' => $env('DB_PASSWORD'), 'unix_socket' => '', 'charset' => 'utf8mb4',
            'collation' => 'utf8mb4_unicode_ci', 'prefix' => '', 'prefix_indexes' => true, 'strict' => true, 'engine' => null],
        'postgres' => ['driver' => 'pgsql', 'host' => $env('DB_HOST'), 'port' => $env('DB_PORT'), 'database' => $env('DB_NAME'),
            'username' => $env('DB_USER'), 'password' => $env('DB_PASSWORD'), 'charset' => 'utf8', 'prefix' => '',
            'prefix_indexes' => true, 'schema' => $env('DB_SCHEMA'), 'sslmode' => 'prefer'],
        default => throw new InvalidArgumentException("unknown driver '$driver'"),
    };
    $app = new Container();
    $capsule = new Capsule($app);
    $capsule->addConnection($config);
    $capsule->setAsGlobal();
    $app->instance('db', $capsule->getDatabaseManager());
    Facade::setFacadeApplication($app);
    return [$capsule, $app];
}
