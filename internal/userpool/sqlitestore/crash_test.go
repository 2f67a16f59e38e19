package sqlitestore_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/userpool"
	"github.com/ferry-migrate/ferry/internal/userpool/sqlitestore"
)

// The crash tests re-execute the test binary as a child that writes users
// as fast as it can and reports each write on stdout twice: an intent line
// ("w <op> …") before the store call and an acknowledgement ("<op> …")
// once the call has returned. The parent kills the child with SIGKILL, then
// checks the database.
//
// Between the COMMIT that makes a write durable and the acknowledgement
// that reports it lies a window (the fsync of the commit, the return, the
// print) in which a kill leaves a write that is in the database but was
// never acknowledged. The write in flight at the kill is therefore
// uncertain: the check accepts it either way, then records what it found,
// so later rounds hold the database to it. Before intents were reported, a
// delete committed in that window was counted as a live user and reported
// as "acknowledged user … is missing"; TestKillBetweenCommitAndAck kills in
// that window on purpose.
const (
	crashDirVar   = "FERRY_SQLITESTORE_CRASH_DIR"
	crashRoundVar = "FERRY_SQLITESTORE_CRASH_ROUND"
	// crashHoldVar names an op the child performs and then, instead of
	// acknowledging it, reports "h" and waits to be killed.
	crashHoldVar = "FERRY_SQLITESTORE_CRASH_HOLD"
	// crashKeepVar, when set, is a directory that receives a copy of the
	// database files as each killed child left them (before any check
	// opened them) when a check fails, for post-mortem with the sqlite3
	// shell.
	crashKeepVar = "FERRY_SQLITESTORE_CRASH_KEEP"
	crashPool    = "us-east-1_crash"
	crashRounds  = 3
	batchSize    = 25
	// holdAt is the first iteration at which a holding child performs its
	// held op: late enough that it has users of its own to update and
	// delete.
	holdAt = 30
	// childWrites is how long a child keeps writing. A round waits for at
	// most 320 writes, a few seconds even under -race on a loaded machine;
	// the margin keeps a slow machine from ending a child before its kill.
	childWrites = 45 * time.Second
	// childLimit bounds a child that hangs.
	childLimit = 2 * childWrites
)

func TestKillNineLeavesWholeUsers(t *testing.T) {
	if dir := os.Getenv(crashDirVar); dir != "" {
		crashChild(dir, os.Getenv(crashRoundVar), os.Getenv(crashHoldVar))
		return
	}
	if testing.Short() {
		t.Skip("re-executes the test binary; skipped with -short")
	}
	dir := t.TempDir()
	l := newLedger()
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for round := range crashRounds {
		// Half the rounds kill as an acknowledgement arrives, so the kill
		// lands early in the next write; the others as an intent arrives,
		// so it lands anywhere in that write, its commit included.
		killAfter, onIntent := 20+rng.IntN(300), rng.IntN(2) == 0
		lines := runAndKill(t, dir, round, "", func(line string, acks int) bool {
			return acks == killAfter && (!onIntent || strings.HasPrefix(line, "w "))
		})
		l.apply(round, lines)
		t.Logf("round %d: killed after %d acknowledgements (on an intent: %v)", round, l.acks, onIntent)
		checkRound(t, dir, round, l)
	}
}

// TestKillBetweenCommitAndAck kills the child after a write has committed
// and before it is acknowledged, for each kind of write, then runs an
// ordinary round on the same database: the write in flight may be present
// or absent, and whichever it is must hold from then on.
func TestKillBetweenCommitAndAck(t *testing.T) {
	if os.Getenv(crashDirVar) != "" {
		t.Skip("parent only")
	}
	if testing.Short() {
		t.Skip("re-executes the test binary; skipped with -short")
	}
	tests := []struct {
		name, op string
		want     func(l *ledger) error // what the first check must have recorded
	}{
		{"create", "c", func(l *ledger) error { return l.want(l.pending.key, true) }},
		{"update", "u", func(l *ledger) error {
			if got := l.live[l.pending.key]; got != l.pending.email {
				return fmt.Errorf("user %s has email %q, want the committed %q", l.pending.key, got, l.pending.email)
			}
			return nil
		}},
		{"delete", "d", func(l *ledger) error { return l.want(l.pending.key, false) }},
		{"import", "b", func(l *ledger) error {
			if l.batches[l.pending.key] != batchSize {
				return fmt.Errorf("committed batch %s not recorded whole", l.pending.key)
			}
			return nil
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			l := newLedger()
			lines := runAndKill(t, dir, 0, tc.op, func(line string, _ int) bool { return line == "h" })
			l.apply(0, lines)
			if l.pending == nil || l.pending.kind != tc.op {
				t.Fatalf("in flight at the kill: %v, want a %q write", l.pending, tc.op)
			}
			checkRound(t, dir, 0, l)
			if err := tc.want(l); err != nil {
				t.Fatal(err)
			}
			lines = runAndKill(t, dir, 1, "", func(line string, acks int) bool { return acks == 20 })
			l.apply(1, lines)
			checkRound(t, dir, 1, l)
		})
	}
}

// op is one write of the child, from its intent or acknowledgement line.
type op struct {
	kind  string // c create, u update, d delete, b import batch
	key   string // username key, or the batch's key prefix
	email string // u: the email alias the update sets
	n     int    // b: users in the batch
}

func (o *op) String() string {
	if o == nil {
		return "nothing"
	}
	return strings.TrimSpace(fmt.Sprintf("%s %s %s", o.kind, o.key, o.email))
}

func parseOp(f []string) (*op, error) {
	if len(f) < 2 {
		return nil, fmt.Errorf("short line %q", strings.Join(f, " "))
	}
	o := &op{kind: f[0], key: f[1]}
	switch {
	case o.kind == "u" && len(f) == 3:
		o.email = f[2]
	case o.kind == "b" && len(f) == 3:
		n, err := strconv.Atoi(f[2])
		if err != nil {
			return nil, err
		}
		o.n = n
	case (o.kind == "c" || o.kind == "d") && len(f) == 2:
	default:
		return nil, fmt.Errorf("unknown line %q", strings.Join(f, " "))
	}
	return o, nil
}

// ledger is what the parent knows the database must hold.
type ledger struct {
	live    map[string]string   // acknowledged, not deleted → its email alias
	gone    map[string]bool     // acknowledged deleted
	batches map[string]int      // acknowledged batch → size
	history map[string][]string // key → its intents and acknowledgements
	pending *op                 // the write in flight at the last kill
	settled string              // what the last check found of it
	acks    int                 // acknowledgements of the last round
	err     error               // a line the child should not have written
}

func newLedger() *ledger {
	return &ledger{live: map[string]string{}, gone: map[string]bool{}, batches: map[string]int{}, history: map[string][]string{}}
}

// apply reads one round's lines.
func (l *ledger) apply(round int, lines []string) {
	l.pending, l.acks = nil, 0
	for n, line := range lines {
		f := strings.Fields(line)
		if len(f) == 1 && f[0] == "h" {
			continue
		}
		intent := len(f) > 0 && f[0] == "w"
		if intent {
			f = f[1:]
		}
		o, err := parseOp(f)
		if err != nil {
			l.err = errors.Join(l.err, fmt.Errorf("round %d line %d: %w", round, n+1, err))
			continue
		}
		what := o.kind
		if intent {
			what = "intent " + what
		}
		l.history[o.key] = append(l.history[o.key], fmt.Sprintf("round %d line %d/%d: %s", round, n+1, len(lines), what))
		if intent {
			l.pending = o
			continue
		}
		l.pending = nil
		l.acks++
		switch o.kind {
		case "c":
			l.live[o.key] = o.key + "@example.com"
		case "u":
			l.live[o.key] = o.email
		case "d":
			delete(l.live, o.key)
			l.gone[o.key] = true
		case "b":
			l.batches[o.key] = o.n
		}
	}
}

// want reports whether the ledger holds key as live (or gone).
func (l *ledger) want(key string, live bool) error {
	_, ok := l.live[key]
	if ok != live {
		return fmt.Errorf("user %s live = %v, want %v (%s)", key, ok, live, strings.Join(l.history[key], "; "))
	}
	return nil
}

// runAndKill starts the child and kills it at the first line for which
// kill reports true (acks counts acknowledgements so far), and returns
// every line the child wrote.
func runAndKill(t *testing.T, dir string, round int, hold string, kill func(line string, acks int) bool) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillNineLeavesWholeUsers$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirVar+"="+dir, crashRoundVar+"="+strconv.Itoa(round), crashHoldVar+"="+hold)
	cmd.Stderr = os.Stderr
	// The child's stdin is a pipe the parent never writes: a holding child
	// blocks reading it until it is killed, or sees EOF and exits should
	// the parent die first.
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	defer stdin.Close()
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	killed := false
	doKill := func() {
		mu.Lock()
		defer mu.Unlock()
		if !killed {
			killed = true
			_ = cmd.Process.Kill() // SIGKILL, by PID
		}
	}
	timer := time.AfterFunc(childLimit, doKill) // bound a hung child
	defer timer.Stop()
	var lines []string
	acks := 0
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || strings.HasPrefix(line, "PASS") || strings.HasPrefix(line, "ok ") {
			continue
		}
		lines = append(lines, line)
		if !strings.HasPrefix(line, "w ") && line != "h" {
			acks++
		}
		if kill(line, acks) {
			doKill()
		}
	}
	scanErr := sc.Err()
	_ = cmd.Wait()
	timer.Stop()
	mu.Lock()
	defer mu.Unlock()
	if scanErr != nil {
		t.Fatalf("reading the child: %v", scanErr)
	}
	if !killed {
		t.Fatalf("child ended on its own after %d acknowledgements", acks)
	}
	return lines
}

// crashChild writes until killed: single users (with an alias stolen from
// an earlier user now and then), updates that move aliases, deletes, and
// batches through ImportUsers. With hold set, it performs that op from
// iteration holdAt on (as soon as it has a user to apply it to) and then
// waits to be killed without acknowledging it.
func crashChild(dir, round, hold string) {
	ctx := context.Background()
	fail := func(what string, err error) {
		fmt.Fprintf(os.Stderr, "child %s: %v\n", what, err)
		os.Exit(2)
	}
	s, err := sqlitestore.Open(ctx, sqlitestore.Config{Dir: dir}, nil)
	if err != nil {
		fail("open", err)
	}
	if err := s.CreatePool(ctx, &userpool.Pool{ID: crashPool, Name: "crash"}); err != nil && !errors.Is(err, userpool.ErrExists) {
		fail("create pool", err)
	}
	held := func() {
		fmt.Println("h")
		_, _ = io.Copy(io.Discard, os.Stdin) // until the parent kills us
		os.Exit(3)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	var mine []string
	deadline := time.Now().Add(childWrites)
	for i := 0; i < 100000 && time.Now().Before(deadline); i++ {
		key := fmt.Sprintf("r%s-%05d", round, i)
		op := rng.IntN(10)
		if hold != "" && i >= holdAt {
			op = map[string]int{"c": 0, "u": 5, "d": 7, "b": 9}[hold]
		}
		switch {
		case op < 5 || len(mine) == 0:
			u := crashUser(key, i)
			fmt.Printf("w c %s\n", key)
			if err := s.CreateUser(ctx, u, userpool.CreateUserOptions{StealAliases: true}); err != nil {
				fail("create", err)
			}
			if hold == "c" && i >= holdAt {
				held()
			}
			mine = append(mine, key)
			fmt.Printf("c %s\n", key)
		case op < 7:
			k := mine[rng.IntN(len(mine))]
			u, err := s.GetUser(ctx, crashPool, k)
			if err != nil {
				fail("get", err)
			}
			email := key + "@moved.example.com"
			u.Attributes["email"] = email
			u.Attributes["given_name"] = "Moved" + key
			u.Aliases["email"] = email
			fmt.Printf("w u %s %s\n", k, email)
			if err := s.UpdateUser(ctx, u); err != nil {
				fail("update", err)
			}
			if hold == "u" && i >= holdAt {
				held()
			}
			fmt.Printf("u %s %s\n", k, email)
		case op < 8:
			j := rng.IntN(len(mine))
			fmt.Printf("w d %s\n", mine[j])
			if err := s.DeleteUser(ctx, crashPool, mine[j]); err != nil {
				fail("delete", err)
			}
			if hold == "d" && i >= holdAt {
				held()
			}
			fmt.Printf("d %s\n", mine[j])
			mine = slices.Delete(mine, j, j+1)
		default:
			batch := make([]*userpool.User, batchSize)
			for j := range batch {
				batch[j] = crashUser(fmt.Sprintf("%s-b%02d", key, j), -1)
			}
			fmt.Printf("w b %s %d\n", key, batchSize)
			if err := s.ImportUsers(ctx, batch); err != nil {
				fail("import", err)
			}
			if hold == "b" && i >= holdAt {
				held()
			}
			fmt.Printf("b %s %d\n", key, batchSize)
		}
	}
	_ = s.Close()
}

// crashUser is a user with an email alias of its own and, for i >= 0, a
// phone alias shared with other users (so creating it steals the alias).
func crashUser(key string, i int) *userpool.User {
	u := &userpool.User{
		PoolID: crashPool, Username: key, UsernameKey: key, Sub: "sub-" + key,
		Status: "CONFIRMED", Enabled: true, Origin: "migration",
		Attributes: map[string]string{"email": key + "@example.com", "family_name": "Crash"},
		Aliases:    map[string]string{"email": key + "@example.com"},
		Password:   &userpool.Verifier{Salt: []byte(key), V: []byte(strings.Repeat("v", 384))},
	}
	if i >= 0 {
		phone := fmt.Sprintf("+1555%04d", i%40)
		u.Attributes["phone_number"] = phone
		u.Aliases["phone_number"] = phone
	}
	return u
}

// checkRound checks the database after a kill and stops the test on any
// problem, logging the history of every user involved; with crashKeepVar
// set it first keeps a copy of the files the child left.
func checkRound(t *testing.T, dir string, round int, l *ledger) {
	t.Helper()
	if l.err != nil {
		t.Fatalf("child output: %v", l.err)
	}
	snapshot := ""
	if keep := os.Getenv(crashKeepVar); keep != "" {
		snapshot = filepath.Join(keep, fmt.Sprintf("%s-%d-round%d", strings.ReplaceAll(t.Name(), "/", "_"), time.Now().UnixNano(), round))
		copyFiles(t, dir, snapshot)
	}
	problems, keys := checkDatabase(t, dir, l)
	if len(problems) == 0 {
		if snapshot != "" {
			_ = os.RemoveAll(snapshot)
		}
		t.Logf("round %d checked; write in flight: %s", round, l.settled)
		return
	}
	for _, p := range problems {
		t.Error(p)
	}
	for _, k := range keys {
		t.Logf("%s: %s", k, strings.Join(l.history[k], "; "))
	}
	t.Logf("round %d: %d acknowledgements; in flight at the kill: %s", round, l.acks, l.pending)
	if snapshot != "" {
		t.Logf("database as the child left it: %s", snapshot)
	}
	t.FailNow()
}

func copyFiles(t *testing.T, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, suffix := range []string{"", "-wal", "-shm"} {
		b, err := os.ReadFile(filepath.Join(from, sqlitestore.FileName+suffix))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, sqlitestore.FileName+suffix), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// checkDatabase opens the database as the killed child left it and checks
// it is sound and holds exactly whole users: every acknowledged write and
// nothing an acknowledged delete removed. The write in flight at the kill
// may have happened or not; whichever it is, checkDatabase records it in
// l. It returns the problems found and the keys they concern.
func checkDatabase(t *testing.T, dir string, l *ledger) (problems, keys []string) {
	t.Helper()
	ctx := t.Context()
	problem := func(key, format string, args ...any) {
		problems = append(problems, fmt.Sprintf(format, args...))
		if key != "" {
			keys = append(keys, key)
		}
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, sqlitestore.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var integrity string
	if err := db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&integrity); err != nil || integrity != "ok" {
		t.Fatalf("integrity_check = %q, %v", integrity, err)
	}

	s := open(t, dir)
	defer s.Close()
	var users []*userpool.User
	for q := (userpool.ListUsersQuery{Limit: 60}); ; {
		page, next, err := s.ListUsers(ctx, crashPool, q)
		if err != nil {
			t.Fatalf("ListUsers: %v", err)
		}
		users = append(users, page...)
		if next == "" {
			break
		}
		q.After = next
	}

	// Every user has exactly its alias rows and filter rows, and no row
	// belongs to a user that is not there.
	wantAliases, wantFilters := map[string]bool{}, map[string]bool{}
	for _, u := range users {
		if u.Password == nil || len(u.Password.V) != 384 || u.Attributes["family_name"] != "Crash" {
			problem(u.UsernameKey, "user %s is not whole: %+v", u.UsernameKey, u)
		}
		for attr, key := range u.Aliases {
			wantAliases[attr+"\x00"+key+"\x00"+u.UsernameKey] = true
		}
		for _, attr := range userpool.FilterableAttributes {
			if v, ok := u.FilterValue(attr); ok {
				wantFilters[attr+"\x00"+userpool.FilterKey(attr, v)+"\x00"+u.UsernameKey] = true
			}
		}
	}
	// Index rows are read through their rowid link, so a row pointing at
	// the wrong user (or none) shows up as a difference too.
	gotAliases := rowSet(t, db, `SELECT a.attribute, a.key, coalesce(u.username_key, 'dangling') FROM aliases a
		LEFT JOIN users u ON u.id = a.user_id AND u.username_key = a.username_key WHERE a.pool_id = ?`)
	gotFilters := rowSet(t, db, `SELECT f.attribute, f.value, coalesce(u.username_key, 'dangling') FROM user_filters f
		LEFT JOIN users u ON u.id = f.user_id AND u.username_key = f.username_key WHERE f.pool_id = ?`)
	if d := diffSets(wantAliases, gotAliases); d != "" {
		problem("", "alias rows differ from the users: %s", d)
	}
	if d := diffSets(wantFilters, gotFilters); d != "" {
		problem("", "filter rows differ from the users: %s", d)
	}
	if n, err := s.CountUsers(ctx, crashPool); err != nil || n != len(users) {
		problem("", "CountUsers = %d, %v; %d users listed", n, err, len(users))
	}

	have := map[string]*userpool.User{}
	perBatch := map[string]int{}
	for _, u := range users {
		have[u.UsernameKey] = u
		if i := strings.Index(u.UsernameKey, "-b"); i > 0 {
			perBatch[u.UsernameKey[:i]]++
		}
	}
	p := l.pending
	if p == nil {
		p = &op{}
	}
	// Every acknowledged user survived with its last acknowledged email;
	// the write in flight may have replaced it.
	for k, email := range l.live {
		u := have[k]
		switch {
		case u == nil && p.kind == "d" && p.key == k:
		case u == nil:
			problem(k, "acknowledged user %s is missing", k)
		case u.Aliases["email"] == email:
		case p.kind == "u" && p.key == k && u.Aliases["email"] == p.email:
		default:
			problem(k, "user %s has email alias %q, want the acknowledged %q", k, u.Aliases["email"], email)
		}
	}
	for k := range l.gone {
		if have[k] != nil {
			problem(k, "deleted user %s is present", k)
		}
	}
	// Every batch is whole or absent, and acknowledged ones whole.
	for b, n := range perBatch {
		if n != batchSize {
			problem(b, "batch %s holds %d of %d users", b, n, batchSize)
		}
	}
	for b := range l.batches {
		if perBatch[b] != batchSize {
			problem(b, "acknowledged batch %s holds %d users", b, perBatch[b])
		}
	}
	if len(problems) > 0 {
		return problems, keys
	}

	// The write in flight is settled now: the next rounds must keep
	// whatever it left.
	done := false
	switch u := have[p.key]; p.kind {
	case "c":
		if done = u != nil; done {
			l.live[p.key] = u.Aliases["email"]
		}
	case "u":
		if done = u != nil && u.Aliases["email"] == p.email; done {
			l.live[p.key] = p.email
		}
	case "d":
		if done = u == nil; done {
			delete(l.live, p.key)
			l.gone[p.key] = true
		}
	case "b":
		if done = perBatch[p.key] == batchSize; done {
			l.batches[p.key] = batchSize
		}
	}
	l.settled = "none in flight"
	if p.kind != "" {
		l.settled = fmt.Sprintf("%s: committed %v", p, done)
	}
	return nil, nil
}

func rowSet(t *testing.T, db *sql.DB, q string) map[string]bool {
	t.Helper()
	rows, err := db.QueryContext(t.Context(), q, crashPool)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	set := map[string]bool{}
	for rows.Next() {
		var a, b, c string
		if err := rows.Scan(&a, &b, &c); err != nil {
			t.Fatal(err)
		}
		set[a+"\x00"+b+"\x00"+c] = true
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return set
}

// diffSets describes the difference of two row sets, or returns "".
func diffSets(want, got map[string]bool) string {
	var missing, extra []string
	for k := range want {
		if !got[k] {
			missing = append(missing, strings.ReplaceAll(k, "\x00", " "))
		}
	}
	for k := range got {
		if !want[k] {
			extra = append(extra, strings.ReplaceAll(k, "\x00", " "))
		}
	}
	if len(missing)+len(extra) == 0 {
		return ""
	}
	slices.Sort(missing)
	slices.Sort(extra)
	b, _ := json.Marshal(map[string][]string{"missing": missing, "extra": extra})
	return string(b)
}
