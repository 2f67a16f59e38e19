package lambdatest_test

import (
	"encoding/json"
	"testing"

	"github.com/ferry-migrate/ferry/internal/trigger/lambdatest"
)

func TestRuntimeAPI(t *testing.T) {
	t.Parallel()
	bin := lambdatest.Build(t, "./internal/trigger/lambdatest/testdata/echofn", t.TempDir())
	rt := lambdatest.NewRuntime(t)
	p := lambdatest.Start(t, bin, rt.Env())

	tests := []struct {
		name    string
		payload string
		wantErr bool
	}{
		{name: "response", payload: `{"hello":"world"}`},
		{name: "error", payload: `{"fail":true}`, wantErr: true},
		{name: "response after an error", payload: `{"again":1}`},
	}
	for _, tc := range tests { // sequential: one function instance serves one event at a time
		res, err := rt.Invoke(t.Context(), []byte(tc.payload), 0)
		if err != nil {
			t.Fatalf("%s: %v\n%s", tc.name, err, p.Stderr)
		}
		if res.Error != tc.wantErr {
			t.Fatalf("%s: error = %v, body %s", tc.name, res.Error, res.Body)
		}
		if tc.wantErr {
			doc, err := res.Doc()
			if err != nil || doc.ErrorType != "echoError" || doc.ErrorMessage != "asked to fail" {
				t.Errorf("%s: error document %+v (%v)", tc.name, doc, err)
			}
			continue
		}
		var got struct {
			Echo        json.RawMessage
			RequestID   string
			ARN         string
			HasDeadline bool
		}
		if err := json.Unmarshal(res.Body, &got); err != nil {
			t.Fatal(err)
		}
		if string(got.Echo) != tc.payload || got.RequestID != res.RequestID || got.ARN != lambdatest.FunctionARN || !got.HasDeadline {
			t.Errorf("%s: answer %s for request %s", tc.name, res.Body, res.RequestID)
		}
	}
}

func TestInitError(t *testing.T) {
	t.Parallel()
	bin := lambdatest.Build(t, "./internal/trigger/lambdatest/testdata/echofn", t.TempDir())
	rt := lambdatest.NewRuntime(t)
	p := lambdatest.Start(t, bin, rt.Env("ECHOFN_INIT_FAIL=1"))
	<-p.Exited()
	if p.Err() == nil {
		t.Error("function exited cleanly after an init panic")
	}
}
