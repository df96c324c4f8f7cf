using System.Globalization;
using Hl7Mllp.Testing.Network;
using Hl7Mllp.Testing.Processes;
using Xunit;

namespace Hl7Mllp.Testing.Postgres;

/// <summary>
/// A throwaway PostgreSQL cluster for SQL tests, as an xunit fixture (class or collection): <c>initdb</c> into a temp
/// folder, <c>pg_ctl start</c> on 127.0.0.1 with a free port and a Unix socket in that folder, trust authentication;
/// stopped (immediate mode) and deleted at the end, and on any start failure.
/// </summary>
/// <remarks>
/// Binaries: the highest version under <c>/usr/lib/postgresql/*/bin</c> (or <c>$HL7MLLP_POSTGRES_ROOT/*/bin</c>). When they are missing, <see cref="IsAvailable"/>
/// is false and tests should call <see cref="SkipIfUnavailable"/> from a <c>[SkippableFact]</c>, unless
/// <c>HL7MLLP_REQUIRE_POSTGRES=1</c> (CI), where <see cref="InitializeAsync"/> fails. PostgreSQL refuses to run as root:
/// as root the server tools run through <c>runuser -u postgres --</c> on a folder chowned to that user.
/// The cluster runs with fsync off: it is fast and must not be used for durability claims.
/// </remarks>
public sealed class PostgresCluster : IAsyncLifetime
{
    /// <summary>Where Debian/Ubuntu install the server binaries, one folder per major version.</summary>
    public const string DefaultSearchRoot = "/usr/lib/postgresql";

    /// <summary>Optional environment variable naming another search root (a folder of version folders with <c>bin/</c>).</summary>
    public const string SearchRootVariable = "HL7MLLP_POSTGRES_ROOT";

    /// <summary>The environment variable that turns "binaries missing" from a skip into a failure.</summary>
    public const string RequireVariable = "HL7MLLP_REQUIRE_POSTGRES";

    /// <summary>The superuser created by initdb, also the system user used when running as root.</summary>
    public const string UserName = "postgres";

    /// <summary>The database that always exists.</summary>
    public const string DatabaseName = "postgres";

    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(60);
    private TempDirectory? _folder;
    private bool _started;

    /// <summary>True once the cluster accepts connections.</summary>
    public bool IsAvailable { get; private set; }

    /// <summary>Why the cluster is not available (set when the binaries are missing).</summary>
    public string UnavailableReason { get; private set; } = "Not initialized.";

    /// <summary>The bin folder used, for example <c>/usr/lib/postgresql/15/bin</c>.</summary>
    public string BinDirectory { get; private set; } = string.Empty;

    /// <summary>Always 127.0.0.1.</summary>
    public string Host => "127.0.0.1";

    /// <summary>The TCP port the cluster listens on.</summary>
    public int Port { get; private set; }

    /// <summary>The folder holding the Unix socket (<c>.s.PGSQL.{Port}</c>).</summary>
    public string SocketDirectory => _folder?.Path ?? string.Empty;

    /// <summary>Npgsql connection string for <see cref="DatabaseName"/>: <c>Host=127.0.0.1;Port=…;Username=postgres;Database=postgres</c>.</summary>
    public string ConnectionString => ConnectionStringFor(DatabaseName);

    private bool RunAsRoot => Environment.UserName == "root";

    /// <summary>Returns the bin folder of the highest PostgreSQL version under <paramref name="searchRoot"/> that has <c>initdb</c>, <c>pg_ctl</c> and <c>psql</c>; null when none.</summary>
    public static string? FindBinDirectory(string searchRoot = DefaultSearchRoot)
    {
        if (!Directory.Exists(searchRoot))
        {
            return null;
        }

        return Directory.EnumerateDirectories(searchRoot)
            .Select(version => (Version: ParseVersion(Path.GetFileName(version)), Bin: Path.Combine(version, "bin")))
            .Where(candidate => candidate.Version is not null
                && new[] { "initdb", "pg_ctl", "psql" }.All(tool => File.Exists(Path.Combine(candidate.Bin, tool))))
            .OrderByDescending(candidate => candidate.Version)
            .Select(candidate => candidate.Bin)
            .FirstOrDefault();
    }

    /// <summary>Npgsql connection string for database <paramref name="database"/> on this cluster.</summary>
    public string ConnectionStringFor(string database) =>
        $"Host={Host};Port={Port.ToString(CultureInfo.InvariantCulture)};Username={UserName};Database={database}";

    /// <summary>Skips the calling <c>[SkippableFact]</c> test when the cluster is not available.</summary>
    public void SkipIfUnavailable() => Skip.IfNot(IsAvailable, UnavailableReason);

    /// <summary>Runs <paramref name="sql"/> with <c>psql</c> (unaligned, tuples only, stop on error) and returns its output.</summary>
    /// <exception cref="InvalidOperationException">psql failed; the message includes its stderr.</exception>
    public async Task<string> RunPsqlAsync(string sql, string database = DatabaseName)
    {
        EnsureAvailable();
        var result = await ChildProcess.RunAsync(
            Path.Combine(BinDirectory, "psql"),
            ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", Host, "-p", Port.ToString(CultureInfo.InvariantCulture), "-U", UserName, "-d", database, "-c", sql],
            CommandTimeout);
        return result.ExitCode == 0
            ? result.StandardOutput
            : throw new InvalidOperationException($"psql exited with {result.ExitCode}: {result.StandardError}");
    }

    /// <summary>Creates an empty database with a unique name (for test isolation) and returns its connection string.</summary>
    public async Task<string> CreateDatabaseAsync()
    {
        var name = $"test_{Guid.NewGuid():N}";
        await RunPsqlAsync($"CREATE DATABASE {name}");
        return ConnectionStringFor(name);
    }

    /// <summary>Finds the binaries, creates and starts the cluster; cleans up before rethrowing on failure.</summary>
    /// <exception cref="InvalidOperationException">The binaries are missing and <c>HL7MLLP_REQUIRE_POSTGRES=1</c>, or initdb/pg_ctl failed.</exception>
    public async Task InitializeAsync()
    {
        var searchRoot = Environment.GetEnvironmentVariable(SearchRootVariable) is { Length: > 0 } root ? root : DefaultSearchRoot;
        var bin = FindBinDirectory(searchRoot);
        if (bin is null)
        {
            UnavailableReason = $"PostgreSQL server binaries not found under {searchRoot}/*/bin (install the postgresql package).";
            if (Environment.GetEnvironmentVariable(RequireVariable) == "1")
            {
                throw new InvalidOperationException($"{UnavailableReason} {RequireVariable}=1, so this is a failure, not a skip.");
            }

            return;
        }

        BinDirectory = bin;
        try
        {
            await CreateAndStartAsync();
            IsAvailable = true;
            UnavailableReason = string.Empty;
        }
        catch
        {
            await DisposeAsync();
            throw;
        }
    }

    /// <summary>Stops the server (immediate mode) and deletes the folder; safe to call more than once.</summary>
    public async Task DisposeAsync()
    {
        IsAvailable = false;
        if (_started)
        {
            _started = false;
            await RunServerToolAsync("pg_ctl", "-D", DataDirectory(), "-m", "immediate", "-w", "-t", "30", "stop");
        }

        _folder?.Dispose();
        _folder = null;
    }

    private static Version? ParseVersion(string name) =>
        Version.TryParse(name.Contains('.', StringComparison.Ordinal) ? name : name + ".0", out var version) ? version : null;

    private string DataDirectory() => Path.Combine(_folder!.Path, "data");

    private async Task CreateAndStartAsync()
    {
        _folder = new TempDirectory("pg");
        if (RunAsRoot)
        {
            await RunCheckedAsync("chown", [$"{UserName}:", _folder.Path]);
        }

        await RunServerToolAsync("initdb", "-D", DataDirectory(), "-U", UserName, "-A", "trust", "-E", "UTF8", "--no-locale", "--no-sync");

        // Port taken between FreePort and bind: retry with another port, bounded.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort.Next();
            File.AppendAllText(Path.Combine(DataDirectory(), "postgresql.auto.conf"), string.Join('\n',
                $"port = {Port.ToString(CultureInfo.InvariantCulture)}",
                "listen_addresses = '127.0.0.1'",
                $"unix_socket_directories = '{_folder.Path}'",
                "fsync = off",
                "synchronous_commit = off",
                "full_page_writes = off",
                string.Empty));

            // Set before the first attempt and kept: a server that came up late is still stopped on dispose.
            _started = true;
            var started = await RunServerToolAsync(
                "pg_ctl", "-D", DataDirectory(), "-l", Path.Combine(_folder.Path, "server.log"), "-w", "-t", "30", "start");
            if (started.ExitCode == 0)
            {
                return;
            }

            if (attempt == 3)
            {
                var log = Path.Combine(_folder.Path, "server.log");
                throw new InvalidOperationException(
                    $"pg_ctl start failed ({started.ExitCode}): {started.StandardError} {(File.Exists(log) ? File.ReadAllText(log) : string.Empty)}");
            }
        }
    }

    private async Task<ChildProcessResult> RunServerToolAsync(string tool, params string[] arguments)
    {
        var path = Path.Combine(BinDirectory, tool);
        var result = RunAsRoot
            ? await ChildProcess.RunAsync(RunUserPath(), ["-u", UserName, "--", path, .. arguments], CommandTimeout)
            : await ChildProcess.RunAsync(path, arguments, CommandTimeout);
        if (result.ExitCode != 0 && tool != "pg_ctl")
        {
            throw new InvalidOperationException($"{tool} exited with {result.ExitCode}: {result.StandardError}");
        }

        return result;
    }

    private static async Task RunCheckedAsync(string program, string[] arguments)
    {
        var result = await ChildProcess.RunAsync(program, arguments, CommandTimeout);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{program} exited with {result.ExitCode}: {result.StandardError}");
        }
    }

    private static string RunUserPath() =>
        new[] { "/usr/sbin/runuser", "/sbin/runuser" }.FirstOrDefault(File.Exists) ?? "runuser";

    private void EnsureAvailable()
    {
        if (!IsAvailable)
        {
            throw new InvalidOperationException($"The PostgreSQL cluster is not available: {UnavailableReason}");
        }
    }
}
