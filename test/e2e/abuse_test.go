package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"
	"github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider/types"
	_ "github.com/jackc/pgx/v5/stdlib" // the legacy store of these tests is a real PostgreSQL
	"golang.org/x/crypto/bcrypt"

	"github.com/ferry-migrate/ferry/internal/cognitoapi/cognitotest"
	"github.com/ferry-migrate/ferry/internal/testenv"
)

// The abuse tests attack `ferry serve` from outside, as a client on the
// network would: the real binary, its in-process trigger over a `sql`
// source on a real PostgreSQL, and aws-sdk-go-v2 as the client. What they
// count is counted outside Ferry where it can be: the store's reads by the
// database itself, the verifications by the server process's CPU time,
// the memory by the kernel's high-water mark.

// Settings every abuse scenario's server runs with.
const (
	// abuseThrottleMax is guard.throttle.username.max: the failures one
	// legacy account may cost its store per window.
	abuseThrottleMax = 5
	// abuseThrottleWindow is guard.throttle.username.window.
	abuseThrottleWindow = 15 * time.Minute
	// abuseMemoryMB is `serve --memory`: the process must stay under it.
	abuseMemoryMB = 256
	// abuseDeadline is migration.deadline, the bound on every answer.
	abuseDeadline = 4 * time.Second
	// wrongPassword is what every guess types.
	wrongPassword = "Wrong#Pass1"
	// noraPassword is the normal user's real password.
	noraPassword = "Nora#Legacy1"
)

// abuseStore is a scratch PostgreSQL schema holding the legacy users
// table, and a function through which every lookup reads it: each row it
// returns is first recorded in store_reads, so the database itself counts
// how often each account was read.
type abuseStore struct {
	db     *sql.DB // search_path is the schema
	dsn    string
	schema string
}

func newAbuseStore(t *testing.T) *abuseStore {
	t.Helper()
	base := testenv.Env(t, "FERRY_TEST_POSTGRES_DSN", "PostgreSQL")
	ns := "ferry_abuse_" + strings.ToLower(rand.Text()[:10])
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Close() })
	if _, err := admin.ExecContext(t.Context(), "CREATE SCHEMA "+ns); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := admin.ExecContext(ctx, "DROP SCHEMA "+ns+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", ns, err)
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("FERRY_TEST_POSTGRES_DSN: %v", err)
	}
	q := u.Query()
	q.Set("search_path", ns)
	u.RawQuery = q.Encode()
	db, err := sql.Open("pgx", u.String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := &abuseStore{db: db, dsn: u.String(), schema: ns}
	s.exec(t, `CREATE TABLE users (id integer PRIMARY KEY, username text NOT NULL UNIQUE,
		email text NOT NULL, email_verified boolean NOT NULL, password_hash text NOT NULL)`)
	s.exec(t, `CREATE TABLE store_reads (user_id integer NOT NULL)`)
	s.exec(t, `CREATE FUNCTION `+ns+`.find_user(p_col text, p_name text)
		RETURNS TABLE (id integer, username text, email text, email_verified boolean, password_hash text)
		LANGUAGE plpgsql VOLATILE AS $f$
		BEGIN
			RETURN QUERY WITH hit AS (
				SELECT u.* FROM `+ns+`.users u
				WHERE CASE WHEN p_col = 'email' THEN lower(u.email) ELSE lower(u.username) END = p_name
			), counted AS (INSERT INTO `+ns+`.store_reads SELECT hit.id FROM hit)
			SELECT hit.id, hit.username, hit.email, hit.email_verified, hit.password_hash FROM hit;
		END $f$`)
	return s
}

func (s *abuseStore) exec(t *testing.T, stmt string, args ...any) {
	t.Helper()
	if _, err := s.db.ExecContext(t.Context(), stmt, args...); err != nil {
		t.Fatalf("%.80s: %v", stmt, err)
	}
}

// add inserts a user and returns its id.
func (s *abuseStore) add(t *testing.T, username, email, hash string) int {
	t.Helper()
	var id int
	err := s.db.QueryRowContext(t.Context(), `INSERT INTO users
		SELECT coalesce(max(id), 0) + 1, $1, $2, true, $3 FROM users RETURNING id`, username, email, hash).Scan(&id)
	if err != nil {
		t.Fatalf("add %s: %v", username, err)
	}
	return id
}

// reads is how often the lookups have read user id's row.
func (s *abuseStore) reads(t *testing.T, id int) int {
	t.Helper()
	var n int
	if err := s.db.QueryRowContext(t.Context(), `SELECT count(*) FROM store_reads WHERE user_id = $1`, id).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// config is the trigger configuration over the store; sample is the
// dummy's query.sample.
func (s *abuseStore) config(sample string) string {
	return fmt.Sprintf(`
sources:
  - name: legacy
    type: sql
    config:
      driver: postgres
      dsn: %q
      lookup: both
      fold: lower
      query:
        by_username: SELECT id, username, email, email_verified, password_hash FROM %[2]s.find_user('username', $1)
        by_email: SELECT id, username, email, email_verified, password_hash FROM %[2]s.find_user('email', $1)
        sample: %[3]s
      columns: {id: id, username: username, email: email, email_verified: email_verified, password_hash: password_hash}
migration:
  pool_case_sensitive: false
  deadline: %[4]s
guard:
  throttle:
    username: {max: %[5]d, window: %[6]s}
    client: {max: 1000000, window: 1m}
trigger:
  failure_style: empty
`, s.dsn, s.schema, sample, abuseDeadline, abuseThrottleMax, abuseThrottleWindow)
}

// servedPool is a running `ferry serve --config` process and its default
// pool and client (PreventUserExistenceErrors ENABLED).
type servedPool struct{ *cognitotest.Served }

// logText is everything the server has logged so far.
func (sp *servedPool) logText() string {
	b, _ := os.ReadFile(sp.LogPath)
	return string(b)
}

// serveAbuse starts bin as `ferry serve` over cfg, limited to
// abuseMemoryMB, logging every invocation.
func serveAbuse(t *testing.T, bin, cfg string) *servedPool {
	t.Helper()
	return &servedPool{cognitotest.Serve(t, bin, cfg, "--memory", strconv.Itoa(abuseMemoryMB), "--log-level", "info")}
}

// signIn runs USER_PASSWORD_AUTH and returns the exception name ("" on
// success) and how long the answer took.
func (sp *servedPool) signIn(ctx context.Context, username, password string) (string, time.Duration, error) {
	start := time.Now()
	_, err := sp.API.InitiateAuth(ctx, &cip.InitiateAuthInput{ClientId: aws.String(sp.ClientID),
		AuthFlow:       types.AuthFlowTypeUserPasswordAuth,
		AuthParameters: map[string]string{"USERNAME": username, "PASSWORD": password}})
	d := time.Since(start)
	if err == nil {
		return "", d, nil
	}
	if name := exceptionName(err); name != "" {
		return name, d, nil
	}
	return "", d, err
}

// exceptionName is the Cognito exception err carries, or "".
func exceptionName(err error) string {
	var ae interface{ ErrorCode() string }
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

// cpu is the server process's CPU time so far (user + system, all threads).
func (sp *servedPool) cpu(t *testing.T) time.Duration {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", sp.Cmd.Process.Pid))
	if err != nil {
		t.Fatalf("read the server's CPU time: %v", err)
	}
	// Fields after the command name (which ends with the last ')'):
	// utime and stime are the 12th and 13th, in clock ticks (USER_HZ,
	// 100 a second on Linux).
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
	var ticks int64
	for _, s := range f[11:13] {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			t.Fatalf("/proc/%d/stat: %v", sp.Cmd.Process.Pid, err)
		}
		ticks += n
	}
	return time.Duration(ticks) * 10 * time.Millisecond
}

// peakRSS is the server process's resident-memory high-water mark.
func (sp *servedPool) peakRSS(t *testing.T) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", sp.Cmd.Process.Pid))
	if err != nil {
		t.Fatalf("read the server's memory: %v", err)
	}
	for l := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				t.Fatalf("VmHWM %q: %v", rest, err)
			}
			return kb << 10
		}
	}
	t.Fatal("no VmHWM in /proc/<pid>/status")
	return 0
}

// logged counts the server's log lines containing every one of parts.
func (sp *servedPool) logged(parts ...string) int {
	n := 0
	for l := range strings.Lines(sp.logText()) {
		if !slices.ContainsFunc(parts, func(p string) bool { return !strings.Contains(l, p) }) {
			n++
		}
	}
	return n
}

// withCost is a well-formed bcrypt hash of cost cost (two digits) that no
// password matches: verifying it does all of that cost's work. It is
// made at the minimum cost and relabelled, which costs nothing here.
func withCost(t *testing.T, cost string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(rand.Text()), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Replace(string(h), "$04$", "$"+cost+"$", 1)
}

func bcryptOf(t *testing.T, password string) string {
	t.Helper()
	h, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
	return string(h)
}

// sha512crypt is a SHA-512-crypt hash (5,000 rounds) of "password", from
// internal/passhash/testdata/crypt.tsv (openssl passwd -6): a family whose
// work grows with the square of the typed password's length.
const sha512crypt = "$6$uFyhVDKbSHU9f/ga$ze9Xuf89EAlavoWBgF8o8SZBM3M7bG6akgjZI6VCjxD1nwvUK5XHwaFEw81WwVJtMu/H7pbSGxULPv5WwXeLK/"

// overBudgetHashes are stored hashes whose verification would run past the
// deadline or the memory limit: beyond each family's parameter bound, and
// inside the bounds but beyond the time and memory budget.
var overBudgetHashes = []struct{ name, hash string }{
	// A Python bcrypt hash of "x" at cost 4, relabelled cost 31.
	{"bcrypt cost 31", "$2b$31$/yPL8hTz7SCSVR7PcgLfP.SFho2jhzu8QoIha9Odh4XJRdpHXAWHu"},
	{"argon2id m=4GiB", "$argon2id$v=19$m=4194304,t=1,p=1$c2FsdHNhbHQ$" + strings.Repeat("A", 43)},
	{"argon2id m=1GiB t=10", "$argon2id$v=19$m=1048576,t=10,p=1$c2FsdHNhbHQ$" + strings.Repeat("A", 43)},
	{"scrypt N=2^30", "$scrypt$ln=30,r=8,p=1$c2FsdA$" + strings.Repeat("A", 43)},
	{"scrypt N=2^20 r=8", "$scrypt$ln=20,r=8,p=1$c2FsdA$" + strings.Repeat("A", 43)},
	{"pbkdf2-sha256 2^31 iterations", "pbkdf2_sha256$2147483648$c2FsdHNhbHQ$" + strings.Repeat("A", 43) + "="},
	{"pbkdf2-sha1 10M iterations, 128-byte key", "pbkdf2:sha1:10000000$salt$" + strings.Repeat("ab", 128)},
	{"sha512-crypt rounds=999999999", "$6$rounds=999999999$saltsalt$" + strings.Repeat("a", 86)},
}

// TestAbuseThroughServe attacks `ferry serve` over PostgreSQL from
// outside: one server takes a spelling-variant flood on one account,
// passwords of 80 KB and 1 MiB and stored hashes over the budget, and must
// stay under its memory limit and still sign a normal user in; two more
// sample a hostile or a broken row as their unknown-user dummy.
func TestAbuseThroughServe(t *testing.T) {
	endToEnd(t)
	t.Parallel()
	testenv.Env(t, "FERRY_TEST_POSTGRES_DSN", "PostgreSQL") // before the build
	bin := buildFerry(t)
	t.Run("attacks", func(t *testing.T) {
		t.Parallel()
		attacks(t, bin)
	})
	for _, c := range []struct{ name, row string }{
		{"bcrypt cost 31", "hostile"},
		{"malformed", "broken"},
	} {
		t.Run("bad dummy/"+c.name, func(t *testing.T) {
			t.Parallel()
			badDummy(t, bin, "SELECT password_hash FROM users WHERE username = '"+c.row+"'")
		})
	}
}

// attacks runs the attacks on one server.
func attacks(t *testing.T, bin string) {
	store := newAbuseStore(t)
	// nora is the first row: query.sample picks her bcrypt cost-4 hash as
	// the unknown-user dummy, so a dummy verification is cheap next to a
	// verification of the victim's cost-13 hash.
	noraID := store.add(t, "nora", "nora@example.com", bcryptOf(t, noraPassword))
	victim := store.add(t, "José", "jose@example.com", withCost(t, "13"))
	store.add(t, "calib", "calib@example.com", withCost(t, "13"))
	for i := range 10 {
		store.add(t, fmt.Sprintf("sam%d", i), fmt.Sprintf("sam%d@example.com", i), sha512crypt)
	}
	over := map[string]int{}
	for i, h := range overBudgetHashes {
		over[h.name] = store.add(t, fmt.Sprintf("over%d", i), fmt.Sprintf("over%d@example.com", i), h.hash)
	}
	// Memory-hard hashes inside the budget: 64 MiB each, so at most two
	// fit the memory gate of a 256 MB server at once.
	for i := range 6 {
		store.add(t, fmt.Sprintf("argon%d", i), fmt.Sprintf("argon%d@example.com", i),
			"$argon2id$v=19$m=65536,t=1,p=1$c2FsdHNhbHQ$"+strings.Repeat("A", 43))
	}
	sp := serveAbuse(t, bin, store.config("SELECT password_hash FROM users ORDER BY id LIMIT 1"))
	ctx := t.Context()

	// The generic failure: what a wrong password on a real row gets.
	generic, _, err := sp.signIn(ctx, "nora", wrongPassword)
	if err != nil || generic != "NotAuthorizedException" {
		t.Fatalf("wrong password for nora = %q, %v; want NotAuthorizedException", generic, err)
	}

	t.Run("spelling-variant flood", func(t *testing.T) { spellingFlood(t, sp, store, victim) })
	t.Run("long passwords", func(t *testing.T) { longPasswords(t, sp, generic) })
	t.Run("over-budget hashes", func(t *testing.T) { overBudget(t, sp, over, generic) })

	if got, _, err := sp.signIn(ctx, "nora", noraPassword); err != nil || got != "" {
		t.Errorf("nora signing in after the attacks = %q, %v; want tokens", got, err)
	}
	if n := sp.logged("user migrated", "legacy_id="+strconv.Itoa(noraID)+" "); n != 1 {
		t.Errorf("the server logged nora's migration %d times, want 1", n)
	}
	if n := sp.logged("migration fault"); n != 0 {
		t.Errorf("the server logged %d migration faults, want none", n)
	}
	rss := sp.peakRSS(t)
	t.Logf("server peak RSS (VmHWM) %.1f MiB, limit --memory %d MB", float64(rss)/(1<<20), abuseMemoryMB)
	if rss >= abuseMemoryMB<<20 {
		t.Errorf("server peak RSS %d bytes, over --memory %d MB", rss, abuseMemoryMB)
	}
}

// floodWorkers × floodPerWorker wrong passwords, at most floodTime.
const (
	floodWorkers   = 20
	floodPerWorker = 300
	floodTime      = 20 * time.Second
)

// flood sends up to floodWorkers × floodPerWorker wrong passwords, cycling
// through names, and returns how many were answered, and the answers.
func flood(t *testing.T, sp *servedPool, names []string, perWorker int) (int64, map[string]int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), floodTime)
	defer cancel()
	var (
		sent    atomic.Int64
		mu      sync.Mutex
		answers = map[string]int{}
		wg      sync.WaitGroup
	)
	for w := range floodWorkers {
		wg.Go(func() {
			for i := range perWorker {
				if ctx.Err() != nil {
					return
				}
				got, _, err := sp.signIn(ctx, names[(w+i)%len(names)], wrongPassword)
				if err != nil {
					if ctx.Err() == nil {
						t.Errorf("sign-in: %v", err)
					}
					return
				}
				sent.Add(1)
				mu.Lock()
				answers[got]++
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return sent.Load(), answers
}

// spellingFlood: one account's username and email in many spellings, from
// 20 workers, reach the account's stored hash at most abuseThrottleMax
// times. Three counts: the database's own count of the row's reads, the
// server's CPU time against that of the same flood on a name nobody has
// (each verification of the victim's cost-13 hash costs what one
// measured verification costs; a dummy costs next to nothing), and the
// server's log of wrong-password outcomes.
func spellingFlood(t *testing.T, sp *servedPool, store *abuseStore, victim int) {
	spellings := []string{
		"José", "JOSÉ", "jose\u0301", // NFC, upper case, NFD
		"joſé", "Ｊｏｓé", // long s, full-width
		"jose@example.com", "JOSE@Example.COM", "ｊｏｓｅ@ｅｘａｍｐｌｅ.ｃｏｍ",
	}
	nobody := []string{"Zoë", "ZOË", "zoe\u0308", "zoë", "Ｚｏë", "zoe@example.com", "ZOE@Example.COM", "ｚｏｅ@ｅｘａｍｐｌｅ.ｃｏｍ"}

	// One verification of a cost-13 hash, in the server's CPU time.
	before := sp.cpu(t)
	const calibRuns = 2
	for range calibRuns {
		if got, _, err := sp.signIn(t.Context(), "calib", wrongPassword); err != nil || got != "NotAuthorizedException" {
			t.Fatalf("calibration sign-in = %q, %v", got, err)
		}
	}
	perVerify := (sp.cpu(t) - before) / calibRuns
	if perVerify < 50*time.Millisecond {
		t.Fatalf("a cost-13 bcrypt verification took %s of the server's CPU: too little to count by", perVerify)
	}

	before = sp.cpu(t)
	sentNobody, _ := flood(t, sp, nobody, floodPerWorker)
	baselineSpent := sp.cpu(t) - before

	// The throttle counts in fixed windows: a flood across a window's end
	// would give the account a second budget, so it starts after the end
	// when one is near.
	if rest := time.Until(time.Now().Truncate(abuseThrottleWindow).Add(abuseThrottleWindow)); rest < floodTime+10*time.Second {
		t.Logf("waiting %s for the throttle window to turn", rest.Round(time.Second))
		time.Sleep(rest + time.Second)
	}
	wrongBefore := sp.logged("user not migrated", "outcome=wrong_password")
	start := time.Now()
	before = sp.cpu(t)
	sent, answers := flood(t, sp, spellings, floodPerWorker)
	spent := sp.cpu(t) - before
	wall := time.Since(start)
	// The unknown name's flood, scaled to as many attempts (both floods
	// stop at floodTime on a loaded machine).
	baseline := time.Duration(float64(baselineSpent) * float64(sent) / float64(max(sentNobody, 1)))

	reads := store.reads(t, victim)
	verified := sp.logged("user not migrated", "outcome=wrong_password") - wrongBefore
	estimate := float64(spent-baseline) / float64(perVerify)
	t.Logf("flood: %d wrong passwords over %d spellings from %d workers in %s; answers %v", sent, len(spellings), floodWorkers, wall.Round(time.Millisecond), answers)
	t.Logf("the victim's row read %d times by the lookups; %d wrong-password verifications logged; server CPU %s (the same flood on an unknown name: %s for %d attempts, %s scaled; one cost-13 verification %s) ≈ %.1f verifications",
		reads, verified, spent, baselineSpent, sentNobody, baseline, perVerify, estimate)
	if sent < floodWorkers*abuseThrottleMax {
		t.Fatalf("only %d attempts were made in %s", sent, floodTime)
	}
	if len(answers) != 1 || answers["NotAuthorizedException"] == 0 {
		t.Errorf("answers %v, want NotAuthorizedException only", answers)
	}
	if verified > abuseThrottleMax {
		t.Errorf("the server verified the victim's hash %d times, want at most %d", verified, abuseThrottleMax)
	}
	// The CPU count is coarse: a 6,000-attempt flood costs some four
	// verifications' worth on its own, and two floods differ by up to
	// about one and a half. It tells one budget from two (the username's
	// and the email's) or from none; the log gives the exact count.
	if estimate >= 2*abuseThrottleMax {
		t.Errorf("the server spent %.1f verifications' worth of CPU on the victim, want one budget's (%d)", estimate, abuseThrottleMax)
	}
	// Every attempt that gets past the name's budget reads the row once to
	// find the account, and once more to verify: the username's and the
	// email's budgets let at most 2 × max attempts look, and the account's
	// lets max of them verify.
	if reads > 3*abuseThrottleMax {
		t.Errorf("the victim's row was read %d times, want at most %d", reads, 3*abuseThrottleMax)
	}
}

// median of ds (sorted in place).
func median(ds []time.Duration) time.Duration {
	slices.Sort(ds)
	return ds[len(ds)/2]
}

// longPasswords: an 80 KB password, and one as long as a 1 MiB body
// holds, on a SHA-512-crypt row are refused as a wrong password, at the
// cost of a wrong password; a body over 1 MiB is refused by the API.
func longPasswords(t *testing.T, sp *servedPool, generic string) {
	ctx := t.Context()
	long := strings.Repeat("p", 80<<10)
	huge := strings.Repeat("p", 1<<20-4<<10)
	var normal, slow, hugeTimes []time.Duration
	// Two attempts of each length per user keeps every user under the
	// throttle, so each attempt is verified or refused, not throttled.
	for i := range 8 {
		name := fmt.Sprintf("sam%d", i)
		for _, c := range []struct {
			password string
			into     *[]time.Duration
		}{{wrongPassword, &normal}, {long, &slow}, {wrongPassword, &normal}, {long, &slow}} {
			got, d, err := sp.signIn(ctx, name, c.password)
			if err != nil || got != generic {
				t.Fatalf("%s, %d-byte password = %q, %v; want %s", name, len(c.password), got, err, generic)
			}
			*c.into = append(*c.into, d)
		}
	}
	for i := 8; i < 10; i++ {
		got, d, err := sp.signIn(ctx, fmt.Sprintf("sam%d", i), huge)
		if err != nil || got != generic {
			t.Fatalf("sam%d, %d-byte password = %q, %v; want %s", i, len(huge), got, err, generic)
		}
		hugeTimes = append(hugeTimes, d)
	}
	start := time.Now()
	got, _, err := sp.signIn(ctx, "sam9", strings.Repeat("p", 1<<20))
	overBody := time.Since(start)
	if err != nil || got != "InvalidParameterException" {
		t.Errorf("a body over 1 MiB = %q, %v; want InvalidParameterException", got, err)
	}
	mNormal, mLong := median(normal), median(slow)
	t.Logf("median of %d: wrong password %s, 80 KB password %s; %d-byte password %v; body over 1 MiB %s",
		len(normal), mNormal, mLong, len(huge), hugeTimes, overBody.Round(time.Millisecond))
	if mLong > 3*mNormal+50*time.Millisecond {
		t.Errorf("an 80 KB password took %s in median, a wrong password %s: want no more than 3× + 50 ms", mLong, mNormal)
	}
	if n := sp.logged("outcome=password_too_long"); n != len(slow)+len(hugeTimes) {
		t.Errorf("the server logged %d password_too_long outcomes, want %d", n, len(slow)+len(hugeTimes))
	}
}

// overBudget: each over-budget row answers the generic failure within the
// deadline, as that user's own outcome; concurrent memory-hard
// verifications inside the budget all answer.
func overBudget(t *testing.T, sp *servedPool, over map[string]int, generic string) {
	ctx := t.Context()
	for i, h := range overBudgetHashes {
		got, d, err := sp.signIn(ctx, fmt.Sprintf("over%d", i), wrongPassword)
		t.Logf("%s: %s in %s", h.name, got, d.Round(time.Millisecond))
		if err != nil || got != generic {
			t.Errorf("%s: sign-in = %q, %v; want %s", h.name, got, err, generic)
		}
		if d >= abuseDeadline {
			t.Errorf("%s: answered in %s, past the %s deadline", h.name, d, abuseDeadline)
		}
		if n := sp.logged("outcome=bad_record", "legacy_id="+strconv.Itoa(over[h.name])+" "); n != 1 {
			t.Errorf("%s: the server logged %d bad_record outcomes for the row, want 1", h.name, n)
		}
	}
	wrongBefore := sp.logged("outcome=wrong_password")
	var wg sync.WaitGroup
	start := time.Now()
	for i := range 6 {
		wg.Go(func() {
			got, d, err := sp.signIn(ctx, fmt.Sprintf("argon%d", i), wrongPassword)
			if err != nil || got != generic {
				t.Errorf("argon2id m=64MiB: sign-in = %q, %v; want %s", got, err, generic)
			}
			if d >= abuseDeadline {
				t.Errorf("argon2id m=64MiB: answered in %s, past the %s deadline", d, abuseDeadline)
			}
		})
	}
	wg.Wait()
	t.Logf("6 concurrent argon2id m=64MiB verifications answered in %s", time.Since(start).Round(time.Millisecond))
	if n := sp.logged("outcome=wrong_password") - wrongBefore; n != 6 {
		t.Errorf("the server logged %d argon2 wrong-password outcomes, want 6", n)
	}
}

// badDummy: when the row query.sample picks is hostile (a bcrypt cost-31
// hash) or broken, 25 unknown users still get the generic failure within
// the deadline, the circuit stays closed, and a real user signs in.
func badDummy(t *testing.T, bin, sample string) {
	store := newAbuseStore(t)
	store.add(t, "hostile", "hostile@example.com", withCost(t, "31"))
	store.add(t, "broken", "broken@example.com", "$2b$10$short")
	store.add(t, "nora", "nora@example.com", bcryptOf(t, noraPassword))
	sp := serveAbuse(t, bin, store.config(sample))
	ctx := t.Context()
	var slowest time.Duration
	for i := range 25 {
		got, d, err := sp.signIn(ctx, fmt.Sprintf("nobody%d", i), wrongPassword)
		if err != nil || got != "NotAuthorizedException" {
			t.Fatalf("unknown user %d = %q, %v; want NotAuthorizedException", i, got, err)
		}
		slowest = max(slowest, d)
	}
	t.Logf("25 unknown users answered, the slowest in %s", slowest.Round(time.Millisecond))
	if slowest >= abuseDeadline {
		t.Errorf("an unknown user's answer took %s, past the %s deadline", slowest, abuseDeadline)
	}
	if got, _, err := sp.signIn(ctx, "nora", noraPassword); err != nil || got != "" {
		t.Errorf("nora signing in = %q, %v; want tokens", got, err)
	}
	if n := sp.logged("the sampled hash cannot be the unknown-user dummy"); n != 1 {
		t.Errorf("the server warned %d times about the sampled dummy, want once", n)
	}
	for _, bad := range []string{"migration fault", "circuit opened"} {
		if n := sp.logged(bad); n != 0 {
			t.Errorf("the server logged %q %d times, want never", bad, n)
		}
	}
}
