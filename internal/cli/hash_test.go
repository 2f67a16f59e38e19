package cli

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"
)

// run runs the ferry command line with stdin and returns stdout, stderr and
// the error.
func ferryRun(t *testing.T, stdin string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := Run(t.Context(), args, Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut})
	return out.String(), errOut.String(), err
}

func TestHashIdentify(t *testing.T) {
	t.Parallel()
	weak, err := bcrypt.GenerateFromPassword([]byte("pw"), 4)
	if err != nil {
		t.Fatal(err)
	}
	strong, err := bcrypt.GenerateFromPassword([]byte("pw"), 10)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		args    []string
		want    string
		wantErr string
	}{
		{name: "bcrypt cost 10", args: []string{"hash", "identify", string(strong)}, want: "bcrypt\tok\n"},
		{name: "bcrypt cost 4 is weak", args: []string{"hash", "identify", string(weak)}, want: "bcrypt\tweak\n"},
		{name: "unknown", args: []string{"hash", "identify", "not-a-hash"}, wantErr: "unknown hash format"},
		{name: "no argument", args: []string{"hash", "identify"}, wantErr: "accepts 1 arg"},
		{name: "unknown format flag", args: []string{"hash", "identify", "--format", "rot13", "x"}, wantErr: "unknown hash format"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, _, err := ferryRun(t, "", tc.args...)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if out != tc.want {
				t.Errorf("out = %q, want %q", out, tc.want)
			}
		})
	}
}

func TestHashVerify(t *testing.T) {
	t.Parallel()
	h, err := bcrypt.GenerateFromPassword([]byte("Corr3ct-horse"), 4)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		stdin   string
		want    string
		wantErr bool
	}{
		{name: "match", stdin: fmt.Sprintf("Corr3ct-horse\t%s\n", h), want: "ok\n"},
		{name: "CRLF input", stdin: fmt.Sprintf("Corr3ct-horse\t%s\r\n", h), want: "ok\n"},
		{name: "one verdict per line, in order", stdin: fmt.Sprintf("Corr3ct-horse\t%s\nwrong\t%[1]s\nx\tnot-a-hash\nno tab here\n", h),
			want: "ok\nmismatch\nerror: unknown hash format\nerror: line 4: want password<TAB>encoded\n", wantErr: true},
		{name: "password with a tab-free space", stdin: fmt.Sprintf("Corr3ct horse\t%s\n", h), want: "mismatch\n", wantErr: true},
		{name: "empty input", stdin: "", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			out, _, err := ferryRun(t, tc.stdin, "hash", "verify")
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, want error %v", err, tc.wantErr)
			}
			if out != tc.want {
				t.Errorf("out = %q, want %q", out, tc.want)
			}
			if strings.Contains(out, "Corr3ct") {
				t.Error("a password was printed")
			}
		})
	}
}

func TestHashFormatsAndHelp(t *testing.T) {
	t.Parallel()
	out, _, err := ferryRun(t, "", "hash", "formats")
	if err != nil || !strings.Contains(out, "bcrypt\n") {
		t.Errorf("formats: %q, %v", out, err)
	}
	for _, args := range [][]string{{"hash", "--help"}, {"hash", "verify", "--help"}, {"hash", "identify", "--help"}} {
		out, _, err := ferryRun(t, "", args...)
		if err != nil || !strings.Contains(out, "Usage:") {
			t.Errorf("%v: %q, %v", args, out, err)
		}
	}
}
