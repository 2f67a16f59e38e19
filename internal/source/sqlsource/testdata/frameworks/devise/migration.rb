# migration.rb: Devise's users migration as Devise's own generator writes
# it, for gen.rb and for the real-applications suite's Devise site
# (test/realapps/testdata/devise/app.rb). Require it after ActiveRecord's
# configuration is set: the generator reads it.
require "rails"
require "active_record"
require "active_record/railtie"
require "rails/generators"
require "rails/generators/active_record"
require "devise"
require "devise/version"
require "generators/active_record/devise_generator"
require "tmpdir"

module DeviseMigration
  VARIANTS = %w[default confirmable-lockable].freeze

  # source returns the DeviseCreateUsers migration that
  # `rails generate devise User` writes (Devise's
  # ActiveRecord::Generators::DeviseGenerator), for variant: "default" as
  # generated (Confirmable and Lockable commented out), or
  # "confirmable-lockable" with those modules' columns and indexes
  # uncommented, as Devise's README says to enable them.
  def self.source(variant)
    abort "migration.rb: unknown variant #{variant.inspect}" unless VARIANTS.include?(variant)
    migration = Dir.mktmpdir do |dir|
      ActiveRecord::Generators::DeviseGenerator.start(["User", "--quiet"], destination_root: dir)
      File.read(Dir[File.join(dir, "db/migrate/*_devise_create_users.rb")].fetch(0))
    end
    return migration if variant == "default"

    section = nil
    migration = migration.lines.map do |line|
      section = $1 if line =~ /^\s*## (\w+)/
      if (%w[Confirmable Lockable].include?(section) && line =~ /^\s*# t\./) ||
         line =~ /^\s*# add_index :users, :(confirmation_token|unlock_token),/
        line.sub("# ", "")
      else
        line
      end
    end.join
    abort "migration.rb: nothing uncommented" unless migration.include?("t.datetime :locked_at")
    migration
  end

  # load defines DeviseCreateUsers from variant's source.
  def self.load(variant)
    eval(source(variant), TOPLEVEL_BINDING, "devise_create_users.rb") # rubocop:disable Security/Eval
  end

  # config is the ActiveRecord configuration for driver from the DB_*
  # variables of ../scratch.sh.
  def self.config(driver)
    case driver
    when "sqlite" then {"adapter" => "sqlite3", "database" => ENV.fetch("DB_NAME")}
    when "postgres"
      {"adapter" => "postgresql", "host" => ENV.fetch("DB_HOST"), "port" => ENV.fetch("DB_PORT").to_i,
       "username" => ENV.fetch("DB_USER"), "password" => ENV.fetch("DB_PASSWORD"),
       "database" => ENV.fetch("DB_NAME"), "schema_search_path" => ENV.fetch("DB_SCHEMA")}
    when "mysql"
      {"adapter" => "mysql2", "host" => ENV.fetch("DB_HOST"), "port" => ENV.fetch("DB_PORT").to_i,
       "username" => ENV.fetch("DB_USER"), "password" => ENV.fetch("DB_PASSWORD"),
       "database" => ENV.fetch("DB_NAME"), "encoding" => "utf8mb4"}
    else abort "migration.rb: unknown driver #{driver.inspect}"
    end
  end
end
