package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/ferry-migrate/ferry/internal/audit"
	"github.com/ferry-migrate/ferry/internal/config"
	"github.com/ferry-migrate/ferry/internal/passhash"
	"github.com/ferry-migrate/ferry/internal/setup"
	"github.com/ferry-migrate/ferry/internal/source"
)

// errAuditIncomplete: the configuration could not be loaded or named a
// source it does not have; the output says what.
var errAuditIncomplete = errors.New("audit not run")

func newAuditCmd(env Env) *cobra.Command {
	var opts struct {
		config   string
		json     bool
		source   string
		memoryMB int
	}
	cmd := &cobra.Command{
		Use:   "audit",
		Short: "Report, before go-live, which legacy users will not migrate and why",
		Long: `Walk every user and every stored password hash of each configured source and
report: hash families with their parameters and counts (weak ones, and ones over
the verification budget, flagged); unknown or malformed hashes; users Cognito
would refuse, by reason; users without a verified email or phone number (no
forgot-password); usernames that fold together and shared emails; disabled
users; and whether one unknown-user dummy hash can cost what every user's hash
costs.

Findings are blockers (users lost or mistreated at go-live: unmigratable users,
unusable or over-budget hashes, folded usernames, an unavailable source, shared
emails in alias and email-as-username pools) or warnings. The command exits
non-zero when there is any blocker. --json prints the report in the
ferry.audit/v1 schema (docs/operations.md).

The budget is the one the trigger runs with: three quarters of
migration.deadline on one core, or, with --memory-mb, on the CPU share Lambda
gives a function of that memory.`,
		Example: `  ferry audit --config ferry.yaml
  ferry audit --config ferry.yaml --source django --json
  ferry audit --config ferry.yaml --memory-mb 512`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.config == "" {
				return errors.New("--config is required")
			}
			if opts.memoryMB != 0 && (opts.memoryMB < 128 || opts.memoryMB > 10240) {
				return fmt.Errorf("--memory-mb %d: want 128..10240, Lambda's range (0: the local budget)", opts.memoryMB)
			}
			cfg, err := setup.LoadFile(opts.config)
			if err != nil {
				fmt.Fprintf(env.Stdout, "config %s: %v\n", opts.config, err)
				return errAuditIncomplete
			}
			backends, err := selectSources(cfg.Sources, opts.source)
			if err != nil {
				return err
			}
			rep, err := runAudit(cmd, env, cfg, backends, opts.memoryMB)
			if err != nil {
				return err
			}
			if opts.json {
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(rep); err != nil {
					return err
				}
			} else {
				writeAudit(env.Stdout, rep)
			}
			if rep.Blockers > 0 {
				return fmt.Errorf("audit found %d blocker(s): fix each as its message says, then run ferry audit again", rep.Blockers)
			}
			return nil
		},
	}
	cmd.Flags().StringVarP(&opts.config, "config", "c", "", "configuration file (required)")
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the report as JSON (schema ferry.audit/v1)")
	cmd.Flags().StringVar(&opts.source, "source", "", "audit only the source of this name")
	cmd.Flags().IntVar(&opts.memoryMB, "memory-mb", 0, "the trigger function's memory in MB, for the verification budget")
	return cmd
}

// selectSources returns every backend, or the one called name.
func selectSources(all []config.Backend, name string) ([]config.Backend, error) {
	if name == "" {
		return all, nil
	}
	names := make([]string, 0, len(all))
	for _, b := range all {
		if b.Name == name {
			return []config.Backend{b}, nil
		}
		names = append(names, b.Name)
	}
	return nil, fmt.Errorf("--source %q: the configuration has no such source (it has: %s)", name, strings.Join(names, ", "))
}

func runAudit(cmd *cobra.Command, env Env, cfg *config.Config, backends []config.Backend, memoryMB int) (audit.Report, error) {
	ctx := cmd.Context()
	policy := cfg.Migration.WithDefaults()
	if !policy.MarkMigrated {
		// Without write-back the legacy schema needs no new column.
		ctx = source.WithoutWriteBack(ctx)
	}
	opts := audit.Options{Policy: policy, Limits: passhash.LimitsFor(policy.Deadline, memoryMB, memoryMB > 0)}
	logger := setup.NewLogger(cliLog(cfg.Log), env.Stderr)
	rep := audit.Report{Schema: audit.Schema, Sources: []audit.SourceReport{}}
	for _, b := range backends {
		s, err := setup.OpenSource(ctx, b, logger)
		if err != nil {
			rep.Add(audit.Unavailable(b.Name, b.Type, err))
			continue
		}
		r, err := audit.Audit(ctx, b.Name, b.Type, s, opts)
		source.Close(s)
		if err != nil {
			return rep, err
		}
		rep.Add(r)
	}
	return rep, nil
}

// writeAudit prints the report for an operator.
func writeAudit(w io.Writer, rep audit.Report) {
	for _, r := range rep.Sources {
		switch {
		case r.Complete:
			fmt.Fprintf(w, "source %s (%s): %d users, %d disabled or locked, %d marked migrated\n", r.Name, r.Type, r.Users, r.Disabled, r.Marked)
		case r.Users == 0:
			fmt.Fprintf(w, "source %s (%s): not audited (see source_unavailable)\n", r.Name, r.Type)
		default:
			fmt.Fprintf(w, "source %s (%s): %d users, %d disabled or locked, %d marked migrated (audit incomplete, see source_unavailable)\n",
				r.Name, r.Type, r.Users, r.Disabled, r.Marked)
		}
		if r.Hashes != nil {
			writeHashFamilies(w, *r.Hashes, "read")
		}
		for _, f := range r.Findings {
			fmt.Fprintf(w, "  %s %s", strings.ToUpper(f.Severity), f.Code)
			if f.Reason != "" {
				fmt.Fprintf(w, " (%s%s)", attributePrefix(f.Attribute), f.Reason)
			}
			if f.Count > 0 {
				fmt.Fprintf(w, ": %d user(s)", f.Count)
			}
			if len(f.Examples) > 0 {
				fmt.Fprintf(w, ", e.g. legacy id %s", strings.Join(f.Examples, ", "))
			}
			for _, g := range f.Groups {
				fmt.Fprintf(w, " [%s]", strings.Join(g, " = "))
			}
			fmt.Fprintf(w, "\n    %s\n", strings.ReplaceAll(f.Message, "\n", "\n    "))
		}
	}
	fmt.Fprintf(w, "audit: %d blocker(s), %d warning(s) in %d source(s)\n", rep.Blockers, rep.Warnings, len(rep.Sources))
}

func attributePrefix(attribute string) string {
	if attribute == "" {
		return ""
	}
	return attribute + ": "
}

// writeHashFamilies prints the "hash families" section of `ferry check`
// and `ferry audit`: a heading with how many stored hashes were read (verb
// says how), then hashLines.
func writeHashFamilies(w io.Writer, h audit.Hashes, verb string) {
	fmt.Fprintf(w, "  hash families: %d stored hash(es) %s\n", h.Sampled, verb)
	for _, line := range hashLines(h) {
		fmt.Fprintf(w, "    %s\n", line)
	}
}

// hashLines shows stored hashes by family and parameters, most frequent
// first, then the unusable ones by reason: the "hash families" lines of
// both `ferry check` and `ferry audit`.
func hashLines(h audit.Hashes) []string {
	out := make([]string, 0, len(h.Families)+len(h.Unusable)+2)
	width := len("no usable password")
	for _, f := range h.Families {
		width = max(width, len(f.Label()))
	}
	for _, f := range h.Families {
		strength := "ok"
		if f.Weak {
			strength = "weak"
		}
		out = append(out, fmt.Sprintf("%-*s %8d  %5.1f%%  %-7s %s", width, f.Label(), f.Count, 100*f.Share, f.Estimate(), strength))
	}
	if h.NoPassword > 0 {
		out = append(out, fmt.Sprintf("%-*s %8d", width, "no usable password", h.NoPassword))
	}
	for _, u := range h.Unusable {
		out = append(out, fmt.Sprintf("%-*s %8d  unusable", width, u.Reason, u.Count))
	}
	if !h.DummyFits {
		out = append(out, "mixed costs: no one unknown-user dummy hash costs what every user's hash costs (see ferry audit)")
	}
	if len(out) == 0 {
		out = append(out, "no stored hashes")
	}
	return slices.Clip(out)
}
