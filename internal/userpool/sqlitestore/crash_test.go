package sqlitestore_test

import (
	"bufio"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/userpool"
	"github.com/ferry-migrate/ferry/internal/userpool/sqlitestore"
)

// The crash test re-executes the test binary as a child that writes users
// as fast as it can and reports every acknowledged write on stdout; the
// parent kills it with SIGKILL after a random number of acknowledgements,
// then checks the database.
const (
	crashDirVar   = "FERRY_SQLITESTORE_CRASH_DIR"
	crashRoundVar = "FERRY_SQLITESTORE_CRASH_ROUND"
	crashPool     = "us-east-1_crash"
	crashRounds   = 3
	batchSize     = 25
)

func TestKillNineLeavesWholeUsers(t *testing.T) {
	if dir := os.Getenv(crashDirVar); dir != "" {
		crashChild(dir, os.Getenv(crashRoundVar))
		return
	}
	if testing.Short() {
		t.Skip("re-executes the test binary; skipped with -short")
	}
	dir := t.TempDir()
	live := map[string]bool{}        // acknowledged and not deleted
	batches := map[string]int{}      // acknowledged batch → size
	history := map[string][]string{} // key → its acknowledgements, for failure reports
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for round := range crashRounds {
		killAfter := 20 + rng.IntN(300)
		acks := runAndKill(t, dir, round, killAfter)
		for n, a := range acks {
			f := strings.Fields(a)
			if len(f) > 1 {
				history[f[1]] = append(history[f[1]], fmt.Sprintf("round %d ack %d/%d: %s", round, n+1, len(acks), f[0]))
			}
			switch f[0] {
			case "c":
				live[f[1]] = true
			case "d":
				delete(live, f[1])
			case "b":
				n, _ := strconv.Atoi(f[2])
				batches[f[1]] = n
			}
		}
		t.Logf("round %d: killed after %d acknowledgements", round, len(acks))
		if missing := checkDatabase(t, dir, live, batches); len(missing) > 0 {
			for _, k := range missing {
				t.Logf("%s: %s", k, strings.Join(history[k], "; "))
			}
			t.FailNow()
		}
	}
}

// runAndKill starts the child and kills it once it has acknowledged
// killAfter writes (or has ended on its own).
func runAndKill(t *testing.T, dir string, round, killAfter int) []string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKillNineLeavesWholeUsers$", "-test.count=1")
	cmd.Env = append(os.Environ(), crashDirVar+"="+dir, crashRoundVar+"="+strconv.Itoa(round))
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	killed := false
	kill := func() {
		if !killed {
			killed = true
			_ = cmd.Process.Kill() // SIGKILL, by PID
		}
	}
	t.Cleanup(kill)
	timer := time.AfterFunc(60*time.Second, kill) // bound a hung child
	defer timer.Stop()
	var acks []string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if strings.HasPrefix(line, "c ") || strings.HasPrefix(line, "d ") || strings.HasPrefix(line, "b ") {
			acks = append(acks, line)
			if len(acks) == killAfter {
				kill()
			}
		}
	}
	_ = cmd.Wait()
	if !killed {
		t.Fatalf("child ended before %d acknowledgements (%d)", killAfter, len(acks))
	}
	return acks
}

// crashChild writes until killed: single users (with an alias stolen from
// an earlier user now and then), updates that move aliases, deletes, and
// batches through ImportUsers.
func crashChild(dir, round string) {
	ctx := context.Background()
	s, err := sqlitestore.Open(ctx, sqlitestore.Config{Dir: dir}, nil)
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(2)
	}
	if err := s.CreatePool(ctx, &userpool.Pool{ID: crashPool, Name: "crash"}); err != nil && !isExists(err) {
		fmt.Fprintln(os.Stderr, "child:", err)
		os.Exit(2)
	}
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 11))
	var mine []string
	deadline := time.Now().Add(30 * time.Second)
	for i := 0; i < 100000 && time.Now().Before(deadline); i++ {
		key := fmt.Sprintf("r%s-%05d", round, i)
		switch op := rng.IntN(10); {
		case op < 5 || len(mine) == 0:
			u := crashUser(key, i)
			if err := s.CreateUser(ctx, u, userpool.CreateUserOptions{StealAliases: true}); err != nil {
				fmt.Fprintln(os.Stderr, "child create:", err)
				os.Exit(2)
			}
			mine = append(mine, key)
			fmt.Printf("c %s\n", key)
		case op < 7:
			k := mine[rng.IntN(len(mine))]
			u, err := s.GetUser(ctx, crashPool, k)
			if err != nil {
				fmt.Fprintln(os.Stderr, "child get:", err)
				os.Exit(2)
			}
			u.Attributes["email"] = key + "@moved.example.com"
			u.Attributes["given_name"] = "Moved" + key
			u.Aliases["email"] = key + "@moved.example.com"
			if err := s.UpdateUser(ctx, u); err != nil {
				fmt.Fprintln(os.Stderr, "child update:", err)
				os.Exit(2)
			}
		case op < 8:
			j := rng.IntN(len(mine))
			if err := s.DeleteUser(ctx, crashPool, mine[j]); err != nil {
				fmt.Fprintln(os.Stderr, "child delete:", err)
				os.Exit(2)
			}
			fmt.Printf("d %s\n", mine[j])
			mine = slices.Delete(mine, j, j+1)
		default:
			batch := make([]*userpool.User, batchSize)
			for j := range batch {
				batch[j] = crashUser(fmt.Sprintf("%s-b%02d", key, j), -1)
			}
			if err := s.ImportUsers(ctx, batch); err != nil {
				fmt.Fprintln(os.Stderr, "child import:", err)
				os.Exit(2)
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

func isExists(err error) bool {
	return err != nil && strings.Contains(err.Error(), userpool.ErrExists.Error())
}

// checkDatabase opens the database as the killed child left it and checks
// it is sound and holds exactly whole users. It returns the acknowledged
// users that are missing.
func checkDatabase(t *testing.T, dir string, live map[string]bool, batches map[string]int) (missing []string) {
	t.Helper()
	ctx := t.Context()
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
			t.Errorf("user %s is not whole: %+v", u.UsernameKey, u)
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
	diffSets(t, "alias rows", wantAliases, gotAliases)
	diffSets(t, "filter rows", wantFilters, gotFilters)
	if n, err := s.CountUsers(ctx, crashPool); err != nil || n != len(users) {
		t.Errorf("CountUsers = %d, %v; %d users listed", n, err, len(users))
	}

	// Every acknowledged write survived; every batch is whole or absent.
	have := map[string]bool{}
	perBatch := map[string]int{}
	for _, u := range users {
		have[u.UsernameKey] = true
		if i := strings.Index(u.UsernameKey, "-b"); i > 0 {
			perBatch[u.UsernameKey[:i]]++
		}
	}
	for k := range live {
		if !have[k] {
			t.Errorf("acknowledged user %s is missing", k)
			missing = append(missing, k)
		}
	}
	for b, n := range perBatch {
		if n != batchSize {
			t.Errorf("batch %s holds %d of %d users", b, n, batchSize)
		}
	}
	for b := range batches {
		if perBatch[b] != batchSize {
			t.Errorf("acknowledged batch %s holds %d users", b, perBatch[b])
		}
	}
	return missing
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

func diffSets(t *testing.T, what string, want, got map[string]bool) {
	t.Helper()
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
	if len(missing)+len(extra) > 0 {
		b, _ := json.Marshal(map[string][]string{"missing": missing, "extra": extra})
		t.Errorf("%s differ from the users: %s", what, b)
	}
}
