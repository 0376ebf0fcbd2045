package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"time"

	"github.com/google/uuid"
	uiserver "github.com/temporalio/ui-server/v2/server"
	uiconfig "github.com/temporalio/ui-server/v2/server/config"
	uioptions "github.com/temporalio/ui-server/v2/server/server_options"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	serverconfig "go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/primitives"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

const (
	clusterName = "active"
	storeName   = "sqlite-default"
)

// config is what the command line decides.
type config struct {
	IP         string
	Port       int
	UIPort     int // 0: no UI
	DBFile     string
	Namespaces []string
	Logger     *slog.Logger
	Security   security
}

// devServer is a started Temporal server plus, optionally, its web UI.
type devServer struct {
	server temporal.Server
	ui     *uiserver.Server
	level  *slog.LevelVar
}

// start prepares the database, registers the namespaces and starts the
// server and the UI. The caller still has to wait for the listeners.
func start(cfg config) (*devServer, error) {
	sqlConf, err := prepareDatabase(cfg)
	if err != nil {
		return nil, err
	}

	ports, err := freePorts(cfg.IP, 6) // history, matching, worker gRPC; frontend HTTP; internal frontend gRPC and HTTP
	if err != nil {
		return nil, err
	}
	conf := serverConfig(cfg, sqlConf, ports)

	level := &slog.LevelVar{}
	level.Set(levelOf(cfg.Logger))
	logger := newServerLogger(cfg.Logger, level)

	authorizer, err := authorization.GetAuthorizerFromConfig(&conf.Global.Authorization)
	if err != nil {
		return nil, fmt.Errorf("creating authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&conf.Global.Authorization, logger)
	if err != nil {
		return nil, fmt.Errorf("creating claim mapper: %w", err)
	}
	if cfg.Security.APIKey != "" {
		authorizer = adminOnly{}
		claimMapper = apiKeyClaimMapper{want: []byte("Bearer " + cfg.Security.APIKey)}
	}
	services := temporal.DefaultServices
	if cfg.Security.on() {
		services = append(slices.Clone(services), string(primitives.InternalFrontendService))
	}

	internalHost := dialHost(cfg.IP)
	hosts := map[primitives.ServiceName]static.Hosts{}
	for _, svc := range services {
		rpc := conf.Services[svc].RPC
		host := internalHost
		if rpc.BindOnIP != cfg.IP {
			host = rpc.BindOnIP // the internal frontend, on loopback
		}
		hosts[primitives.ServiceName(svc)] = static.SingleLocalHost(hostPort(host, rpc.GRPCPort))
	}

	server, err := temporal.NewServer(
		temporal.WithConfig(conf),
		temporal.ForServices(services),
		temporal.WithStaticHosts(hosts),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*serverconfig.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dynamicConfig()),
	)
	if err != nil {
		return nil, fmt.Errorf("creating server: %w", err)
	}

	var ui *uiserver.Server
	if cfg.UIPort > 0 {
		ui = uiserver.NewServer(uioptions.WithConfigProvider(&uiconfig.Config{
			Host:                cfg.IP,
			Port:                cfg.UIPort,
			TemporalGRPCAddress: uiUpstream(cfg, conf),
			EnableUI:            true,
			CORS:                uiconfig.CORS{CookieInsecure: true},
			HideLogs:            true,
			DisableNewsFetch:    true, // no network here
			DefaultNamespace:    cfg.Namespaces[0],
		}))
	}

	if err := server.Start(); err != nil {
		_ = server.Stop()
		return nil, fmt.Errorf("starting server: %w", err)
	}
	if ui != nil {
		// Start blocks until Stop. It exits the process itself on a listen
		// error, which is why main checks the port beforehand.
		go func() {
			if err := ui.Start(); err != nil {
				cfg.Logger.Error("web UI stopped", "error", err)
			}
		}()
	}
	return &devServer{server: server, ui: ui, level: level}, nil
}

func (d *devServer) stop() {
	if d.ui != nil {
		d.ui.Stop()
	}
	_ = d.server.Stop()
}

// quiet raises the server log level to errors only.
func (d *devServer) quiet() {
	if d.level.Level() < slog.LevelError {
		d.level.Set(slog.LevelError)
	}
}

// dynamicConfig holds the dev-server tuning of server defaults.
func dynamicConfig() dynamicconfig.StaticClient {
	return dynamicconfig.StaticClient{
		// New custom search attributes are usable at once, no cache delay.
		dynamicconfig.ForceSearchAttributesCacheRefreshOnRead.Key(): true,
		// Same for Nexus endpoints.
		dynamicconfig.ForceNexusEndpointRefreshOnRead.Key(): true,
		// Refreshing on read costs persistence calls; lift their limits.
		dynamicconfig.FrontendPersistenceMaxQPS.Key(): 10000,
		dynamicconfig.HistoryPersistenceMaxQPS.Key():  45000,
		// The web UI and tests list workflows a lot; the default of 10/s is tight.
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
		// A smaller mutable-state cache than the 128k default keeps memory low.
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key(): 8192,
	}
}

// prepareDatabase returns the SQLite settings, creating the schema in a new
// file, and registers the namespaces (a no-op for those that already exist).
func prepareDatabase(cfg config) (*serverconfig.SQL, error) {
	sqlConf := &serverconfig.SQL{PluginName: sqliteplugin.PluginName}
	if cfg.DBFile == "" {
		// The plugin creates the schema of an in-memory database itself and
		// keeps one connection open, so the data lives as long as the process.
		sqlConf.ConnectAttributes = map[string]string{"mode": "memory", "cache": "shared"}
		sqlConf.DatabaseName = "devserver-" + uuid.NewString()
	} else {
		path, err := filepath.Abs(cfg.DBFile)
		if err != nil {
			return nil, fmt.Errorf("database file %q: %w", cfg.DBFile, err)
		}
		fresh, err := checkDBFile(path)
		if err != nil {
			return nil, err
		}
		sqlConf.ConnectAttributes = map[string]string{"mode": "rwc"}
		sqlConf.DatabaseName = path
		if fresh {
			if err := sqliteschema.SetupSchema(sqlConf); err != nil {
				return nil, fmt.Errorf("creating schema in %s: %w", path, err)
			}
		}
	}

	nsConfigs := make([]*sqliteschema.NamespaceConfig, 0, len(cfg.Namespaces))
	for _, ns := range cfg.Namespaces {
		nc, err := sqliteschema.NewNamespaceConfig(clusterName, ns, false, nil)
		if err != nil {
			return nil, fmt.Errorf("namespace %q: %w", ns, err)
		}
		nsConfigs = append(nsConfigs, nc)
	}
	if err := sqliteschema.CreateNamespaces(sqlConf, nsConfigs...); err != nil {
		where := "in-memory database"
		if cfg.DBFile != "" {
			where = sqlConf.DatabaseName + " (is it a Temporal SQLite database?)"
		}
		return nil, fmt.Errorf("registering namespaces in %s: %w", where, err)
	}
	return sqlConf, nil
}

// checkDBFile reports whether path needs a schema (missing or empty), and
// makes sure the file and its folder are writable: SQLite keeps its journal
// next to the database.
func checkDBFile(path string) (fresh bool, err error) {
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil {
		return false, fmt.Errorf("database folder %s: %w", dir, err)
	} else if !st.IsDir() {
		return false, fmt.Errorf("database folder %s is not a folder", dir)
	}
	probe, err := os.CreateTemp(dir, ".devserver-probe-*")
	if err != nil {
		return false, fmt.Errorf("database folder %s is not writable: %w", dir, err)
	}
	probe.Close()
	os.Remove(probe.Name())

	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return true, nil
	case err != nil:
		return false, fmt.Errorf("database file %s: %w", path, err)
	case info.IsDir():
		return false, fmt.Errorf("database file %s is a folder", path)
	}
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return false, fmt.Errorf("database file %s is not writable: %w", path, err)
	}
	f.Close()
	return info.Size() == 0, nil
}

// serverConfig builds the static server configuration. ports holds free
// ports for the history, matching and worker services and the frontend HTTP API.
func serverConfig(cfg config, sqlConf *serverconfig.SQL, ports []int) *serverconfig.Config {
	internalHost := dialHost(cfg.IP)
	conf := &serverconfig.Config{}
	conf.Global.Membership.MaxJoinDuration = 30 * time.Second
	conf.Global.Membership.BroadcastAddress = internalHost

	conf.Persistence.DefaultStore = storeName
	conf.Persistence.VisibilityStore = storeName
	conf.Persistence.NumHistoryShards = 1
	conf.Persistence.DataStores = map[string]serverconfig.DataStore{storeName: {SQL: sqlConf}}

	frontendHTTPPort := ports[3]
	conf.ClusterMetadata = &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             hostPort(internalHost, cfg.Port),
				HTTPAddress:            hostPort(internalHost, frontendHTTPPort),
				ClusterID:              uuid.NewString(), // used only when the database is new
			},
		},
	}
	conf.DCRedirectionPolicy.Policy = "noop"

	service := func(grpcPort, httpPort int) serverconfig.Service {
		var s serverconfig.Service
		s.RPC.GRPCPort = grpcPort
		s.RPC.HTTPPort = httpPort
		s.RPC.BindOnIP = cfg.IP
		return s
	}
	conf.Services = map[string]serverconfig.Service{
		string(primitives.FrontendService): service(cfg.Port, frontendHTTPPort),
		string(primitives.HistoryService):  service(ports[0], 0),
		string(primitives.MatchingService): service(ports[1], 0),
		string(primitives.WorkerService):   service(ports[2], 0),
	}

	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	conf.PublicClient.HostPort = hostPort(internalHost, cfg.Port)
	if cfg.Security.on() {
		// With TLS or an API key on the frontend, the server's own system
		// workers (schedules, deletions) call an internal frontend instead:
		// no client certificate or key needed, calls marked as the server's.
		// It checks nothing, so it listens on loopback only, whatever --ip.
		ife := service(ports[4], ports[5])
		ife.RPC.BindOnIP = loopback(cfg.IP)
		conf.Services[string(primitives.InternalFrontendService)] = ife
		conf.PublicClient.HostPort = ""
		cfg.Security.apply(conf)
	}
	return conf
}

// uiUpstream is where the web UI sends its gRPC calls: the frontend, or,
// when that demands TLS, a client certificate or an API key, the internal
// frontend. The UI is part of this process and serves whoever reaches its
// port, so it gains nothing from the frontend's checks.
func uiUpstream(cfg config, conf *serverconfig.Config) string {
	if cfg.Security.on() {
		return hostPort(loopback(cfg.IP), conf.Services[string(primitives.InternalFrontendService)].RPC.GRPCPort)
	}
	return hostPort(dialHost(cfg.IP), cfg.Port)
}

// loopback is the loopback address of ip's family.
func loopback(ip string) string {
	if p := net.ParseIP(ip); p != nil && p.To4() == nil {
		return "::1"
	}
	return "127.0.0.1"
}

func levelOf(l *slog.Logger) slog.Level {
	for _, lv := range []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError} {
		if l.Enabled(context.Background(), lv) {
			return lv
		}
	}
	return slog.Level(100)
}

// hostPort joins host and port, bracketing IPv6 addresses.
func hostPort(host string, port int) string {
	return net.JoinHostPort(host, strconv.Itoa(port))
}
