# Builds a legacy Devise site for the real-applications suite with Devise's
# and ActiveRecord's own code only (Debian's ruby-devise 4.8 and
# ruby-activerecord 6.1): the users table is the migration Devise's
# generator writes, with Confirmable and Lockable enabled as Devise's README
# says (internal/source/sqlsource/testdata/frameworks/devise/migration.rb,
# named by FERRY_DEVISE_MIGRATION), and every user is made and changed by a
# model with `devise :database_authenticatable, :confirmable, :lockable`.
#
#   ruby app.rb DRIVER create < users.json   migrate, then create the users
#   ruby app.rb DRIVER unlock EMAIL           the admin unlocks a user (unlock_access!)
#
# DRIVER is sqlite, postgres or mysql, the database named by the DB_*
# variables (as scratch.sh sets them); FERRY_DEVISE_PEPPER is the site's
# config.pepper. users.json is a list of {"email", "password", "state"},
# state one of confirmed, unconfirmed (created now, inside
# allow_unconfirmed_access_for), unconfirmed_long (created 3 days ago, past
# it), locked (maximum_attempts wrong passwords just now), locked_long (the
# same 2 hours ago, past unlock_in). `create` prints one JSON object: the
# versions and, per email, the stored encrypted_password and what Devise's
# own active_for_authentication? says now.
require ENV.fetch("FERRY_DEVISE_MIGRATION")
require "devise/orm/active_record"
require "active_support/testing/time_helpers"
require "json"

driver, action, *args = ARGV
config = DeviseMigration.config(driver)
ActiveRecord::Base.configurations = {Rails.env => config}
ActiveRecord::Base.establish_connection(config)

# config/initializers/devise.rb of the site: Devise's defaults (lock by
# failed attempts, unlock by email or after unlock_in) but for the pepper,
# allow_unconfirmed_access_for, a short maximum_attempts and stretches 10
# (the generated initializer says 12 outside tests; 10 is bcrypt's usual
# floor, which Ferry does not flag weak, and keeps the suite fast).
Devise.setup do |c|
  c.secret_key = "ferry-realapps-not-secret-" * 3
  c.pepper = ENV.fetch("FERRY_DEVISE_PEPPER")
  c.stretches = 10
  c.allow_unconfirmed_access_for = 2.days
  c.lock_strategy = :failed_attempts
  c.maximum_attempts = 3
  c.unlock_strategy = :both
  c.unlock_in = 1.hour
end
# What Devise's Rails engine sets up from the secret key at boot.
Devise.token_generator = Devise::TokenGenerator.new(
  ActiveSupport::CachingKeyGenerator.new(ActiveSupport::KeyGenerator.new(Devise.secret_key))
)

# db/migrate/…_devise_create_users.rb, written by Devise's generator
# before the model exists (as `rails generate devise User` does).
DeviseMigration.load("confirmable-lockable")

class User < ActiveRecord::Base
  devise :database_authenticatable, :confirmable, :lockable

  # No mail leaves the test: Devise sends every notification through this
  # method, which applications override to deliver them their own way.
  def send_devise_notification(*); end
end

class Site
  include ActiveSupport::Testing::TimeHelpers

  def create(specs)
    ActiveRecord::Migration.verbose = false
    DeviseCreateUsers.new.migrate(:up)
    # The write-back's column, as a migration the site would add.
    ActiveRecord::Migration.add_column :users, :ferry_migrated_at, :datetime
    User.reset_column_information
    specs.each { |s| make(s) }
    users = specs.to_h do |s|
      u = User.find_by!(email: s["email"])
      raise "#{s["email"]}: valid_password? false" unless u.valid_password?(s["password"])
      [u.email, {"stored" => u.encrypted_password, "active" => u.active_for_authentication?}]
    end
    {"devise" => Devise::VERSION, "activerecord" => ActiveRecord.version.to_s, "users" => users}
  end

  def make(s)
    case s["state"]
    when "confirmed" then confirmed(s)
    when "unconfirmed" then User.create!(email: s["email"], password: s["password"])
    when "unconfirmed_long" then travel_to(3.days.ago) { User.create!(email: s["email"], password: s["password"]) }
    when "locked" then lock(confirmed(s))
    when "locked_long" then travel_to(2.hours.ago) { lock(confirmed(s)) }
    else raise "unknown state #{s["state"].inspect}"
    end
  end

  def confirmed(s)
    u = User.new(email: s["email"], password: s["password"])
    u.skip_confirmation!
    u.save!
    u
  end

  # lock signs in with wrong passwords through Devise's own check
  # (valid_for_authentication?, what the Warden strategy calls) until
  # Lockable locks the account.
  def lock(u)
    Devise.maximum_attempts.times { u.valid_for_authentication? { u.valid_password?("not the password") } }
    raise "#{u.email}: not locked" unless u.reload.access_locked? || u.locked_at
  end
end

case action
when "create" then puts JSON.generate(Site.new.create(JSON.parse($stdin.read)))
when "unlock" then User.find_by!(email: args.fetch(0)).unlock_access!
else abort "usage: app.rb DRIVER create|unlock EMAIL"
end
