package cognitotest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	cip "github.com/aws/aws-sdk-go-v2/service/cognitoidentityprovider"

	"github.com/ferry-migrate/ferry/internal/testenv"
)

// Served is a running `ferry serve --ephemeral --config` process that
// Serve started, and its default pool and app client.
type Served struct {
	Cmd              *exec.Cmd
	API              *cip.Client
	Endpoint         string // http://127.0.0.1:port
	PoolID, ClientID string
	// LogPath is the file the server logs to. The server writes it
	// itself (no pipe in between), and logs each invocation before it
	// answers, so a line is there once its answer has arrived.
	LogPath string
}

// Serve writes cfg to a file and starts bin (the ferry binary) as `ferry
// serve --ephemeral --addr <a free 127.0.0.1 port> --config <file>` with
// args after them, its output in LogPath. It waits for /health and finds
// the default pool and client. When t ends the server is stopped by its
// PID (an interrupt, a kill after 10 s), and a failed t logs the last
// 4 KB of its log.
func Serve(t testing.TB, bin, cfg string, args ...string) *Served {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "ferry.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o600); err != nil {
		t.Fatal(err)
	}
	addr := testenv.FreeAddr(t)
	s := &Served{Endpoint: "http://" + addr, LogPath: filepath.Join(dir, "serve.log")}
	logFile, err := os.Create(s.LogPath)
	if err != nil {
		t.Fatal(err)
	}
	defer logFile.Close() // the child holds its own descriptor
	s.Cmd = exec.Command(bin, append([]string{"serve", "--ephemeral", "--addr", addr, "--config", path}, args...)...)
	s.Cmd.Stdout, s.Cmd.Stderr = nil, logFile
	if err := s.Cmd.Start(); err != nil {
		t.Fatalf("start ferry serve: %v", err)
	}
	t.Cleanup(func() {
		_ = s.Cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = s.Cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = s.Cmd.Process.Kill()
			<-done
		}
		if t.Failed() {
			log, _ := os.ReadFile(s.LogPath)
			t.Logf("ferry serve's log (last 4 KB):\n%s", log[max(0, len(log)-4<<10):])
		}
	})
	testenv.WaitHealthy(t, s.Endpoint+"/health", 60*time.Second)
	s.API = NewClient(s.Endpoint)
	pools, err := s.API.ListUserPools(t.Context(), &cip.ListUserPoolsInput{MaxResults: aws.Int32(10)})
	if err != nil || len(pools.UserPools) != 1 {
		t.Fatalf("ListUserPools = %v, %v; want the one default pool", pools, err)
	}
	s.PoolID = aws.ToString(pools.UserPools[0].Id)
	clients, err := s.API.ListUserPoolClients(t.Context(), &cip.ListUserPoolClientsInput{UserPoolId: aws.String(s.PoolID)})
	if err != nil || len(clients.UserPoolClients) != 1 {
		t.Fatalf("ListUserPoolClients = %v, %v; want the one default client", clients, err)
	}
	s.ClientID = aws.ToString(clients.UserPoolClients[0].ClientId)
	return s
}
