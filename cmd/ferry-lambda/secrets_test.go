package main

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/ferry-migrate/ferry/internal/secrets/secretstest"
	"github.com/ferry-migrate/ferry/internal/trigger"
	"github.com/ferry-migrate/ferry/internal/trigger/lambdatest"
)

// secretConfig returns legacyFile's configuration with the users file's
// path read from Parameter Store instead of written in it.
func secretConfig(t *testing.T, ref string) (conf, path string) {
	t.Helper()
	conf = legacyFile(t)
	i := strings.Index(conf, `config: {path: "`)
	j := strings.Index(conf[i:], `"}`)
	path = conf[i+len(`config: {path: "`) : i+j]
	return strings.Replace(conf, `"`+path+`"`, `"${`+ref+`}"`, 1), path
}

// TestBootstrapResolvesSecrets runs the real bootstrap with a reference
// resolved through the SDK's default configuration, pointed at a local
// stand-in by AWS_ENDPOINT_URL_SSM as an operator would point it at a
// VPC endpoint.
func TestBootstrapResolvesSecrets(t *testing.T) {
	t.Parallel()
	bin := lambdatest.Build(t, "./cmd/ferry-lambda", t.TempDir())
	sm := secretstest.NewServer(t)
	conf, path := secretConfig(t, "aws-ssm:/ferry/users-path")
	sm.PutParameter("/ferry/users-path", path)
	awsEnv := []string{"AWS_ACCESS_KEY_ID=AKIDLOCAL", "AWS_SECRET_ACCESS_KEY=local", "AWS_EC2_METADATA_DISABLED=true",
		"AWS_ENDPOINT_URL_SSM=" + sm.URL, "AWS_ENDPOINT_URL_SECRETS_MANAGER=" + sm.URL}

	t.Run("resolved once at init", func(t *testing.T) {
		rt := lambdatest.NewRuntime(t)
		start := time.Now()
		p := lambdatest.Start(t, bin, rt.Env(append(awsEnv, "FERRY_CONFIG="+conf)...))
		for range 3 {
			res, err := rt.Invoke(t.Context(), event(trigger.SourceAuthentication, "alice", "Corr3ct-horse"), 0)
			if err != nil || res.Error {
				t.Fatalf("invoke: %v %s\n%s", err, res.Body, p.Stderr)
			}
			var ev trigger.Event
			if err := json.Unmarshal(res.Body, &ev); err != nil || ev.Response.FinalUserStatus != "CONFIRMED" {
				t.Fatalf("response %s", res.Body)
			}
		}
		t.Logf("cold start and three invocations: %v", time.Since(start))
		if got := sm.Requests("AmazonSSM.GetParameter"); got != 1 {
			t.Errorf("%d GetParameter calls, want 1 per cold start", got)
		}
		if logs := p.Stderr.String(); !strings.Contains(logs, `"msg":"secret fetched"`) || !strings.Contains(logs, "aws-ssm:/ferry/users-path") {
			t.Errorf("logs lack the fetch:\n%s", logs)
		}
	})
	t.Run("missing secret stops the start", func(t *testing.T) {
		rt := lambdatest.NewRuntime(t)
		bad, _ := secretConfig(t, "aws-ssm:/ferry/nope")
		p := lambdatest.Start(t, bin, rt.Env(append(awsEnv, "FERRY_CONFIG="+bad)...))
		res, err := rt.Invoke(t.Context(), event(trigger.SourceAuthentication, "alice", "x"), 0)
		if err == nil {
			t.Fatalf("invocation answered %s with a missing secret", res.Body)
		}
		<-p.Exited()
		if logs := p.Stderr.String(); !strings.Contains(logs, "secret aws-ssm:/ferry/nope: secret not found") {
			t.Errorf("logs lack the reference:\n%s", logs)
		}
	})
}
