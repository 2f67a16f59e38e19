package cli

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ferry-migrate/ferry/internal/passhash"
)

// maxHashLine bounds one input line of `ferry hash verify`: a password (at
// most 256 characters in Cognito, up to 1 KiB of UTF-8) plus the longest
// stored encodings (Firebase scrypt, Keycloak JSON) fit with room to spare.
const maxHashLine = 64 << 10

func newHashCmd(env Env) *cobra.Command {
	var opts struct {
		format, salt, pepper string
		allowPlaintext       bool
	}
	hash := func() (passhash.Hash, *passhash.Verifier, error) {
		v, err := passhash.New(passhash.Options{Pepper: opts.pepper, AllowPlaintext: opts.allowPlaintext})
		return passhash.Hash{Format: opts.format, Salt: opts.salt}, v, err
	}
	cmd := &cobra.Command{
		Use:   "hash",
		Short: "Identify and verify legacy password hashes",
		Long: `Identify and verify legacy password hashes with the verifiers the trigger uses.

Self-describing encodings ($2y$…, pbkdf2_sha256$…, AQAAAAEAACcQ…, {SSHA}…) are
recognised from the value alone; others need --format (and --salt when the
legacy store keeps the salt in a column of its own).`,
	}
	cmd.PersistentFlags().StringVar(&opts.format, "format", "", "hash family when the encoding is not self-describing (see `ferry hash formats`)")
	cmd.PersistentFlags().StringVar(&opts.salt, "salt", "", "separately stored salt, in the encoding the format expects")
	cmd.PersistentFlags().StringVar(&opts.pepper, "pepper", "", "site-wide pepper the legacy application mixed in (Devise)")
	cmd.PersistentFlags().BoolVar(&opts.allowPlaintext, "allow-plaintext", false, "accept plaintext formats (Spring {noop}, plaintext)")

	identify := &cobra.Command{
		Use:   "identify <encoded>",
		Short: "Name the family of a stored hash and whether it is weak",
		Example: `  ferry hash identify '$2y$10$…'
  ferry hash identify --format aspnet-membership-sha1 --salt 'c2FsdA==' 'W6ph5Mm5Pz8GgiULbPgzG37mj9g='`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			h, v, err := hash()
			if err != nil {
				return err
			}
			h.Encoded = args[0]
			info, err := v.Identify(h)
			if err != nil {
				return fmt.Errorf("identify: %w", err)
			}
			strength := "ok"
			if info.Weak {
				strength = "weak"
			}
			_, err = fmt.Fprintf(env.Stdout, "%s\t%s\n", info.Family, strength)
			return err
		},
	}

	verify := &cobra.Command{
		Use:   "verify",
		Short: "Verify password<TAB>encoded lines from stdin",
		Long: `Verify lines of the form password<TAB>encoded read from stdin, printing one
verdict per line, in order: "ok", "mismatch", or "error: <why>" (a malformed
or unsupported hash). The exit status is non-zero when any line is not "ok".
Passwords are never printed.`,
		Example: `  printf 'hunter2\t%s\n' "$STORED" | ferry hash verify`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			base, v, err := hash()
			if err != nil {
				return err
			}
			return verifyLines(cmd, v, base, env.Stdin, env.Stdout)
		},
	}

	formats := &cobra.Command{
		Use:   "formats",
		Short: "List the hash families --format accepts",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, v, err := hash()
			if err != nil {
				return err
			}
			_, err = fmt.Fprintln(env.Stdout, strings.Join(v.Formats(), "\n"))
			return err
		},
	}
	cmd.AddCommand(identify, verify, formats)
	return cmd
}

// errVerdicts is returned when some line did not verify as "ok".
var errVerdicts = errors.New("not every password verified")

func verifyLines(cmd *cobra.Command, v *passhash.Verifier, base passhash.Hash, in io.Reader, out io.Writer) error {
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 0, 4096), maxHashLine)
	w := bufio.NewWriter(out)
	allOK := true
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSuffix(sc.Text(), "\r")
		password, encoded, found := strings.Cut(line, "\t")
		var verdict string
		switch {
		case !found:
			verdict = fmt.Sprintf("error: line %d: want password<TAB>encoded", n)
		default:
			h := base
			h.Encoded = encoded
			res, err := v.Verify(cmd.Context(), password, h)
			switch {
			case err != nil:
				verdict = "error: " + err.Error()
			case res.Match:
				verdict = "ok"
			default:
				verdict = "mismatch"
			}
		}
		if verdict != "ok" {
			allOK = false
		}
		if _, err := fmt.Fprintln(w, verdict); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		_ = w.Flush()
		return fmt.Errorf("reading stdin: %w", err)
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if !allOK {
		return errVerdicts
	}
	return nil
}
