package lambdainvoke_test

import (
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/ferry-migrate/ferry/internal/lambdainvoke"
	"github.com/ferry-migrate/ferry/internal/lambdainvoke/lambdainvoketest"
)

// benchEvent is a UserMigration_Authentication event of typical size.
var benchEvent = []byte(`{"version":"1","triggerSource":"UserMigration_Authentication","region":"us-east-1",
"userPoolId":"us-east-1_abcdefghi","userName":"alice","callerContext":{"awsSdkVersion":"aws-sdk-unknown-unknown",
"clientId":"abcdefghijklmnopqrstuvwxyz"},"request":{"password":"right","validationData":null},
"response":{"userAttributes":null}}`)

// BenchmarkInvoke measures what reaching a trigger costs besides the
// trigger itself: in-process, and over the Invoke API on loopback (the
// aws-sdk-go-v2 Lambda client against Server, keep-alive).
func BenchmarkInvoke(b *testing.B) {
	b.Run("in-process", func(b *testing.B) {
		inv := lambdainvoke.InProcess(lambdainvoketest.Migrate)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := inv.Invoke(b.Context(), benchEvent); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("invoke-api", func(b *testing.B) {
		s := lambdainvoketest.NewServer(slog.New(slog.DiscardHandler))
		s.Handle("legacy-migrate", lambdainvoketest.Migrate)
		hs := httptest.NewServer(s)
		defer hs.Close()
		inv, err := lambdainvoke.NewHTTP(hs.URL, "legacy-migrate")
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if _, err := inv.Invoke(b.Context(), benchEvent); err != nil {
				b.Fatal(err)
			}
		}
	})
}
