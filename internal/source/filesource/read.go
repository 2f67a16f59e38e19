package filesource

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Entry is one user as the file holds it.
type Entry struct {
	ID            string            `yaml:"id"`
	Username      string            `yaml:"username"`
	Email         string            `yaml:"email"`
	EmailVerified bool              `yaml:"email_verified"`
	Phone         string            `yaml:"phone"`
	PhoneVerified bool              `yaml:"phone_verified"`
	PasswordHash  string            `yaml:"password_hash"`
	Salt          string            `yaml:"salt"`
	HashFormat    string            `yaml:"hash_format"`
	Disabled      bool              `yaml:"disabled"`
	Groups        []string          `yaml:"groups"`
	Attributes    map[string]string `yaml:"attributes"`
}

// fileDoc is a YAML users file.
type fileDoc struct {
	Users []Entry `yaml:"users"`
}

// readFile reads the users file at path, at most MaxFileBytes, in format.
func readFile(path, format string) ([]Entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, MaxFileBytes)
	}
	if format == FormatCSV {
		return parseCSV(data)
	}
	return parseYAML(data)
}

// parseYAML decodes a YAML users file strictly: an unknown field is an
// error.
func parseYAML(data []byte) ([]Entry, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var doc fileDoc
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("yaml: %w", err)
	}
	return doc.Users, nil
}

// csvFields are the CSV columns with a meaning; any other is an attribute.
var csvFields = []string{"id", "username", "email", "email_verified", "phone", "phone_verified",
	"password_hash", "salt", "hash_format", "disabled", "groups"}

// parseCSV decodes a CSV users file: a header row, then one user a row.
func parseCSV(data []byte) ([]Entry, error) {
	r := csv.NewReader(bytes.NewReader(data))
	r.Comment = '#'
	r.TrimLeadingSpace = true
	header, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("csv header: %w", err)
	}
	for i := range header {
		header[i] = strings.TrimSpace(header[i])
	}
	if !slices.Contains(header, "username") {
		return nil, errors.New("csv header: no username column")
	}
	var out []Entry
	for line := 2; ; line++ {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("csv: %w", err)
		}
		var e Entry
		for i, col := range header {
			v := rec[i]
			var berr error
			switch col {
			case "id":
				e.ID = v
			case "username":
				e.Username = v
			case "email":
				e.Email = v
			case "email_verified":
				e.EmailVerified, berr = csvBool(v)
			case "phone":
				e.Phone = v
			case "phone_verified":
				e.PhoneVerified, berr = csvBool(v)
			case "password_hash":
				e.PasswordHash = v
			case "salt":
				e.Salt = v
			case "hash_format":
				e.HashFormat = v
			case "disabled":
				e.Disabled, berr = csvBool(v)
			case "groups":
				for g := range strings.SplitSeq(v, ";") {
					if g = strings.TrimSpace(g); g != "" {
						e.Groups = append(e.Groups, g)
					}
				}
			default:
				if v != "" {
					if e.Attributes == nil {
						e.Attributes = map[string]string{}
					}
					e.Attributes[col] = v
				}
			}
			if berr != nil {
				return nil, fmt.Errorf("csv line %d, column %s: %w", line, col, berr)
			}
		}
		out = append(out, e)
	}
}

func csvBool(v string) (bool, error) {
	if strings.TrimSpace(v) == "" {
		return false, nil
	}
	return strconv.ParseBool(strings.TrimSpace(v))
}
