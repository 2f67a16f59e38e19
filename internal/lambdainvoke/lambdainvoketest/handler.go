package lambdainvoketest

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/google/go-cmp/cmp"
)

// MigrationError stands for the one error type Ferry's trigger lets out of
// the process: its name is what Lambda reports as errorType.
type MigrationError struct{ Msg string }

func (e *MigrationError) Error() string { return e.Msg }

// Event is the part of a UserMigration event Migrate reads and answers.
type Event struct {
	UserName string `json:"userName"`
	Request  struct {
		Password string `json:"password"`
	} `json:"request"`
	Response struct {
		FinalUserStatus string `json:"finalUserStatus,omitempty"`
	} `json:"response"`
}

// Migrate is a tiny migration handler: alice/right migrates (CONFIRMED);
// "panic" panics, "plain" fails with an errors.New error, "runtime" with
// a runtime error response of type Custom.Type; anything else fails with
// *MigrationError "Incorrect username or password.", the way Ferry's
// trigger does.
func Migrate(_ context.Context, ev Event) (Event, error) {
	switch {
	case ev.UserName == "alice" && ev.Request.Password == "right":
		ev.Response.FinalUserStatus = "CONFIRMED"
		return ev, nil
	case ev.UserName == "panic":
		panic("handler exploded")
	case ev.UserName == "plain":
		return ev, errors.New("plain failure")
	case ev.UserName == "runtime":
		return ev, messages.InvokeResponse_Error{Type: "Custom.Type", Message: "custom message"}
	}
	return ev, &MigrationError{Msg: "Incorrect username or password."}
}

// AssertJSONEqual fails t unless got is the JSON document want, whatever
// the spacing and key order.
func AssertJSONEqual(t testing.TB, want string, got []byte) {
	t.Helper()
	var w, g any
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("want is not JSON: %v", err)
	}
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("answer %q is not JSON: %v", got, err)
	}
	if diff := cmp.Diff(w, g); diff != "" {
		t.Errorf("answer (-want +got):\n%s", diff)
	}
}
