package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ferry-migrate/ferry/internal/cognitoapi"
)

type outboxOptions struct {
	endpoint string
	pool     string
	after    int64
	limit    int
	json     bool
}

func newOutboxCmd(env Env) *cobra.Command {
	o := outboxOptions{}
	cmd := &cobra.Command{
		Use:   "outbox",
		Short: "List the codes a running ferry serve has sent to users",
		Long: `outbox lists the confirmation and password-reset codes (and invitations) that a running
ferry serve delivered, oldest first, from its loopback-only GET /_ferry/outbox.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runOutbox(cmd.Context(), o, env.Stdout)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.endpoint, "endpoint", "http://127.0.0.1:9229", "endpoint of ferry serve")
	f.StringVar(&o.pool, "pool", "", "only this pool's messages")
	f.Int64Var(&o.after, "after", 0, "only messages with an id greater than this")
	f.IntVar(&o.limit, "limit", 100, "at most this many messages (1–1000)")
	f.BoolVar(&o.json, "json", false, "print the messages as JSON")
	return cmd
}

func runOutbox(ctx context.Context, o outboxOptions, w io.Writer) error {
	if o.limit < 1 || o.limit > 1000 {
		return fmt.Errorf("--limit %d: want 1 to 1000", o.limit)
	}
	q := url.Values{}
	if o.pool != "" {
		q.Set("pool", o.pool)
	}
	q.Set("after", strconv.FormatInt(o.after, 10))
	q.Set("limit", strconv.Itoa(o.limit))
	u := strings.TrimRight(o.endpoint, "/") + "/_ferry/outbox?" + q.Encode()
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return fmt.Errorf("outbox request: %w", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("reach ferry serve at %s: %w", o.endpoint, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return fmt.Errorf("read the outbox: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("outbox at %s: %s: %s", o.endpoint, resp.Status, strings.TrimSpace(string(body)))
	}
	var out cognitoapi.Outbox
	if err := json.Unmarshal(body, &out); err != nil {
		return fmt.Errorf("decode the outbox: %w", err)
	}
	if o.json {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(out.Messages)
	}
	if len(out.Messages) == 0 {
		_, err := fmt.Fprintln(w, "no messages")
		return err
	}
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSENT (UTC)\tPOOL\tUSERNAME\tKIND\tTO\tCODE")
	for _, m := range out.Messages {
		sent := time.UnixMilli(int64(m.CreatedAt * 1000)).UTC().Format(time.DateTime)
		code := m.Code
		if code == "" {
			code = "-"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s %s\t%s\n", m.ID, sent, m.PoolID, m.Username, m.Kind,
			strings.ToLower(m.Medium), m.Destination, code)
	}
	return tw.Flush()
}
