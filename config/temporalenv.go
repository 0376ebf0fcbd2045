package config

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"go.temporal.io/sdk/contrib/envconfig"
)

// TemporalSDKEnv is the part of the Temporal SDK's environment
// configuration (go.temporal.io/sdk/contrib/envconfig, as the temporal CLI
// reads it) that has no older name here. TEMPORAL_ADDRESS,
// TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS and
// TEMPORAL_TLS_SERVER_NAME are the same names in both.
type TemporalSDKEnv struct {
	// Profile is the profile of the TOML file to use ("default" when
	// unset); a profile that is named but not in the file is an error.
	Profile string `env:"TEMPORAL_PROFILE"`
	// ConfigFile is the TOML file (default: the user config folder's
	// temporalio/temporal.toml, when it exists).
	ConfigFile string `env:"TEMPORAL_CONFIG_FILE"`
	// The SDK's names of TEMPORAL_TLS_CERT_FILE, TEMPORAL_TLS_KEY_FILE and
	// TEMPORAL_TLS_CA_FILE (which stay as aliases).
	ClientCertPath   string `env:"TEMPORAL_TLS_CLIENT_CERT_PATH"`
	ClientKeyPath    string `env:"TEMPORAL_TLS_CLIENT_KEY_PATH"`
	ServerCACertPath string `env:"TEMPORAL_TLS_SERVER_CA_CERT_PATH"`
}

// Defaults of TEMPORAL_ADDRESS and TEMPORAL_NAMESPACE, applied after the
// profile (an envDefault would hide a profile's values).
const (
	DefaultTemporalAddress   = "127.0.0.1:7233"
	DefaultTemporalNamespace = "default"
)

// nonEmptyEnv is the process environment with empty values as unset: docker
// compose passes every setting, unset ones as "" (${X:-}), and envconfig
// takes a set-but-empty TEMPORAL_TLS_* as "TLS on".
type nonEmptyEnv struct{}

func (nonEmptyEnv) Environ() []string {
	var out []string
	for _, kv := range os.Environ() {
		if k, v, _ := strings.Cut(kv, "="); v != "" && k != "" {
			out = append(out, kv)
		}
	}
	return out
}

func (nonEmptyEnv) LookupEnv(key string) (string, bool) {
	v := os.Getenv(key)
	return v, v != ""
}

// applyProfile loads the SDK's client profile (the TOML file, then the
// TEMPORAL_* variables over it, as the temporal CLI does), checks that no
// setting is given under both its names with different values, and fills
// t from it: our older names win over the file, as any variable does.
// Errors name the variables, never the API key.
func (t *Temporal) applyProfile() error {
	sdk := t.Security.SDK
	if sdk.ConfigFile != "" {
		if _, err := os.Stat(sdk.ConfigFile); err != nil {
			return fmt.Errorf("TEMPORAL_CONFIG_FILE: cannot read %s: %w", sdk.ConfigFile, errors.Unwrap(err))
		}
	}
	prof, err := envconfig.LoadClientConfigProfile(envconfig.LoadClientConfigProfileOptions{
		ConfigFilePath:    sdk.ConfigFile,
		ConfigFileProfile: sdk.Profile,
		ConfigFileStrict:  true,
		EnvLookup:         nonEmptyEnv{},
	})
	if err != nil {
		return fmt.Errorf("the Temporal client profile (TEMPORAL_CONFIG_FILE %q, TEMPORAL_PROFILE %q): %w", sdk.ConfigFile, sdk.Profile, err)
	}
	var errs []error
	pt := prof.TLS
	if pt == nil {
		pt = &envconfig.ClientConfigTLS{}
	}
	// What this project does not implement is refused, not ignored.
	for name, set := range map[string]bool{
		"client_cert_data (TEMPORAL_TLS_CLIENT_CERT_DATA): use TEMPORAL_TLS_CLIENT_CERT_PATH":          len(pt.ClientCertData) > 0,
		"client_key_data (TEMPORAL_TLS_CLIENT_KEY_DATA): use TEMPORAL_TLS_CLIENT_KEY_PATH":             len(pt.ClientKeyData) > 0,
		"server_ca_cert_data (TEMPORAL_TLS_SERVER_CA_CERT_DATA): use TEMPORAL_TLS_SERVER_CA_CERT_PATH": len(pt.ServerCACertData) > 0,
		"disable_host_verification (TEMPORAL_TLS_DISABLE_HOST_VERIFICATION)":                           pt.DisableHostVerification,
		"codec (TEMPORAL_CODEC_*)":              prof.Codec != nil,
		"grpc_meta (TEMPORAL_GRPC_META_*)":      len(prof.GRPCMeta) > 0,
		"authority (TEMPORAL_CLIENT_AUTHORITY)": prof.Authority != "",
	} {
		if set {
			errs = append(errs, fmt.Errorf("the Temporal client profile sets %s; talkwarehouse does not support it", name))
		}
	}
	s := &t.Security
	for _, a := range []struct {
		alias, name string
		old         *string
		sdk, merged string
	}{
		{"TEMPORAL_TLS_CERT_FILE", "TEMPORAL_TLS_CLIENT_CERT_PATH", &s.CertFile, sdk.ClientCertPath, pt.ClientCertPath},
		{"TEMPORAL_TLS_KEY_FILE", "TEMPORAL_TLS_CLIENT_KEY_PATH", &s.KeyFile, sdk.ClientKeyPath, pt.ClientKeyPath},
		{"TEMPORAL_TLS_CA_FILE", "TEMPORAL_TLS_SERVER_CA_CERT_PATH", &s.CAFile, sdk.ServerCACertPath, pt.ServerCACertPath},
	} {
		switch {
		case *a.old != "" && a.sdk != "" && *a.old != a.sdk:
			errs = append(errs, fmt.Errorf("%s and %s are the same setting (%s the older name) but set to different files (%s, %s): set one", a.alias, a.name, a.alias, *a.old, a.sdk))
		case *a.old == "":
			*a.old = a.merged
		}
	}
	t.Address, t.Namespace, s.ServerName = prof.Address, prof.Namespace, pt.ServerName
	// TEMPORAL_API_KEY_FILE, a variable, wins over the file's api_key.
	if s.APIKey == "" && s.APIKeyFile == "" {
		s.APIKey = prof.APIKey
	}
	if t.Address == "" {
		t.Address = DefaultTemporalAddress
	}
	if t.Namespace == "" {
		t.Namespace = DefaultTemporalNamespace
	}
	// A tls section of the profile turns TLS on (or off, disabled = true),
	// as for the SDK; TEMPORAL_TLS, when set, is in it already.
	if s.TLS == nil && prof.TLS != nil {
		on := !prof.TLS.Disabled
		s.TLS = &on
	}
	return errors.Join(errs...)
}
