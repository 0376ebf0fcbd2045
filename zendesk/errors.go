package zendesk

import (
	"errors"
	"fmt"
	"strings"
)

// Kind classifies a failed request by what the caller should do about it.
type Kind string

const (
	// Auth: the credentials were rejected (401). Never retried.
	Auth Kind = "auth"
	// Forbidden: the role or plan lacks access to this table (403). The
	// table is skipped; the others sync.
	Forbidden Kind = "forbidden"
	// NotFound: 404, usually a wrong subdomain. Never retried.
	NotFound Kind = "not_found"
	// Rejected: another 4xx the request cannot fix by retrying.
	Rejected Kind = "rejected"
	// Transient: 5xx, 429 past its retries, timeouts, resets, bodies that
	// are not complete JSON. Retried with backoff, first here, then by
	// Temporal.
	Transient Kind = "transient"
	// Stuck: an export page that cannot advance. Retrying cannot help.
	Stuck Kind = "stuck"
	// Deprecated: Zendesk refused the request (403 or 410) with a body
	// that speaks of deprecation, third-party apps or an API no longer
	// available: the end of incremental exports for third-party developers
	// (support article 11249701485338). Never retried and never skipped
	// silently: the table fails at once, the others sync.
	Deprecated Kind = "deprecated"
)

// deprecationMarkers are what a refusal body must mention (case-insensitive)
// to count as the deprecation. What Zendesk actually answers is unknown:
// these are guesses from the announcement's wording.
var deprecationMarkers = []string{"deprecat", "third-party", "third party", "no longer available"}

// isDeprecation reports whether a 403 or 410 body announces the end of the
// endpoint for third-party apps rather than a missing plan feature or role.
func isDeprecation(body []byte) bool {
	b := strings.ToLower(string(body))
	for _, m := range deprecationMarkers {
		if strings.Contains(b, m) {
			return true
		}
	}
	return false
}

// Error is a failed API call. Its message carries the URL path and the
// status, never credentials or query secrets.
type Error struct {
	Kind   Kind
	Status int    // HTTP status, 0 if none was received
	Path   string // API path, without host or query
	Msg    string
	// Hint, when set, replaces the Kind's default hint: the settings to
	// check for the credential scheme in use.
	Hint string
}

func (e *Error) Error() string {
	status := "no response"
	if e.Kind == Auth && e.Status == 0 {
		// Refused before asking (a refresh token known to have expired).
		status = "not sent"
	}
	if e.Status != 0 {
		status = fmt.Sprintf("HTTP %d", e.Status)
	}
	h := e.Hint
	if h == "" {
		h = hint(e.Kind)
	}
	return fmt.Sprintf("zendesk %s: %s: %s%s", e.Path, status, e.Msg, h)
}

// hint names the settings to check for configuration errors.
func hint(k Kind) string {
	switch k {
	case Auth:
		return " (Zendesk rejected the credentials)"
	case NotFound:
		return " (check the account's address in the base URL)"
	case Deprecated:
		return " (Zendesk refused the incremental export as deprecated for third-party apps, support article 11249701485338: " +
			"sync with an OAuth client created in your own Zendesk account (Admin Center > Apps and integrations > APIs > OAuth clients: " +
			"a local client, for internal use), not a global or marketplace client; retrying will not help; the other tables keep syncing)"
	case Forbidden:
		return " (the account's plan or the user's role has no access to this table; IVR needs Talk Professional)"
	}
	return ""
}

// KindOf returns the Kind of err, or "" if it is not an API error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return ""
}
