package lambdainvoke

import (
	"log/slog"
	"net/http/httptest"
	"testing"
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
		inv := InProcess(migrate)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := inv.Invoke(b.Context(), benchEvent); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("invoke-api", func(b *testing.B) {
		s := NewServer(slog.New(slog.DiscardHandler))
		s.Handle("legacy-migrate", migrate)
		hs := httptest.NewServer(s)
		defer hs.Close()
		inv, err := NewHTTP(hs.URL, "legacy-migrate")
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
