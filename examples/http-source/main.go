// Command http-source is a reference legacy endpoint for Ferry's HTTP source:
// it serves the contract of docs/http-source.md (and the Keycloak
// user-migration variant under /keycloak/) from a JSON file of users with
// bcrypt hashes.
//
//	go run ./examples/http-source -users users.json -addr 127.0.0.1:8080 \
//	    -hmac-key-file hmac.key [-tls-cert c.pem -tls-key k.pem [-client-ca ca.pem]]
//
// It prints "listening on URL" once it accepts connections and stops on
// SIGINT or SIGTERM.
package main

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/ferry-migrate/ferry/examples/http-source/refserver"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "http-source:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("http-source", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address")
	usersFile := fs.String("users", "", "JSON file of users (required)")
	tokenFile := fs.String("token-file", "", "file holding the bearer token Ferry must send")
	basicUser := fs.String("basic-user", "", "basic auth user Ferry must send")
	basicPasswordFile := fs.String("basic-password-file", "", "file holding the basic auth password")
	hmacKeyFile := fs.String("hmac-key-file", "", "file holding the HMAC key of X-Ferry-Signature")
	window := fs.Duration("replay-window", 5*time.Minute, "accepted clock skew of signed requests")
	tlsCert := fs.String("tls-cert", "", "server certificate (PEM); serves HTTPS")
	tlsKey := fs.String("tls-key", "", "server key (PEM)")
	clientCA := fs.String("client-ca", "", "CA bundle; requires and verifies client certificates (mTLS)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *usersFile == "" {
		return errors.New("-users is required")
	}
	users, err := refserver.LoadUsers(*usersFile)
	if err != nil {
		return err
	}
	read := func(name string) (string, error) {
		if name == "" {
			return "", nil
		}
		b, err := os.ReadFile(name)
		return strings.TrimRight(string(b), "\r\n"), err
	}
	o := refserver.Options{
		Users:        users,
		BasicUser:    *basicUser,
		ReplayWindow: *window,
		Log:          slog.New(slog.NewTextHandler(stderr, nil)),
	}
	if o.Token, err = read(*tokenFile); err != nil {
		return err
	}
	if o.BasicPassword, err = read(*basicPasswordFile); err != nil {
		return err
	}
	key, err := read(*hmacKeyFile)
	if err != nil {
		return err
	}
	o.HMACKey = []byte(key)
	h, err := refserver.New(o)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, ErrorLog: nil}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	scheme := "http"
	if *tlsCert != "" {
		cert, err := tls.LoadX509KeyPair(*tlsCert, *tlsKey)
		if err != nil {
			return err
		}
		conf := &tls.Config{MinVersion: tls.VersionTLS12, Certificates: []tls.Certificate{cert}}
		if *clientCA != "" {
			pem, err := os.ReadFile(*clientCA)
			if err != nil {
				return err
			}
			pool := x509.NewCertPool()
			if !pool.AppendCertsFromPEM(pem) {
				return fmt.Errorf("%s: no PEM certificate", *clientCA)
			}
			conf.ClientCAs, conf.ClientAuth = pool, tls.RequireAndVerifyClientCert
		}
		ln = tls.NewListener(ln, conf)
		scheme = "https"
	}
	fmt.Fprintf(stdout, "listening on %s://%s\n", scheme, ln.Addr())
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(shutdownCtx)
	}
}
