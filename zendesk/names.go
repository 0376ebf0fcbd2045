package zendesk

// Names are what the client's messages call the options they give advice
// about ("check ... and ..."), so that a message names what its reader
// sets. The worker and the starter pass the environment variables the
// options come from (internal/connect, from config.Zendesk.Names); an
// empty field is the option's own name, e.g. "Options.Email".
type Names struct {
	Site         string // where Options.BaseURL comes from
	Email        string
	APIToken     string
	OAuthToken   string
	ClientID     string
	ClientSecret string
	Scope        string
	StateFile    string // the state file's path (OpenStateFile)
	RefreshToken string // the refresh token a chain starts from (OpenStateFile's envToken)
	RedirectURL  string // Authorization.RedirectURL
	RPM          string
	ExportRPM    string
}

// withDefaults fills the empty fields with the options' own names.
func (n Names) withDefaults() Names {
	def := func(s *string, d string) {
		if *s == "" {
			*s = d
		}
	}
	def(&n.Site, "Options.BaseURL")
	def(&n.Email, "Options.Email")
	def(&n.APIToken, "Options.APIToken")
	def(&n.OAuthToken, "Options.OAuthToken")
	def(&n.ClientID, "OAuth.ClientID")
	def(&n.ClientSecret, "OAuth.ClientSecret")
	def(&n.Scope, "OAuth.Scope")
	def(&n.StateFile, "the state file")
	def(&n.RefreshToken, "a refresh token to start from")
	def(&n.RedirectURL, "Authorization.RedirectURL")
	def(&n.RPM, "Options.RPM")
	def(&n.ExportRPM, "Options.ExportRPM")
	return n
}
