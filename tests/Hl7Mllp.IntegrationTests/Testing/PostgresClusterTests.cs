using Hl7Mllp.Testing;
using Hl7Mllp.Testing.Postgres;
using Hl7Mllp.Testing.Processes;

namespace Hl7Mllp.IntegrationTests.Testing;

[Collection(PostgresCollection.Name)]
public class PostgresClusterTests(PostgresCluster cluster)
{
    [SkippableFact]
    public async Task RunPsqlAsync_SelectOne_ReturnsOne()
    {
        cluster.SkipIfUnavailable();

        (await cluster.RunPsqlAsync("SELECT 1")).Trim().Should().Be("1");
    }

    [SkippableFact]
    public async Task ConnectionString_PsqlFromSameBinFolder_ConnectsOverTcp()
    {
        cluster.SkipIfUnavailable();
        var parts = cluster.ConnectionString.Split(';').Select(p => p.Split('=')).ToDictionary(p => p[0], p => p[1]);

        var result = await ChildProcess.RunAsync(
            Path.Combine(cluster.BinDirectory, "psql"),
            ["-X", "-A", "-t", "-h", parts["Host"], "-p", parts["Port"], "-U", parts["Username"], "-d", parts["Database"],
                "-c", "SELECT current_user || ' ' || host(inet_server_addr()) || ' ' || current_setting('port')"],
            TimeSpan.FromSeconds(30));

        result.ExitCode.Should().Be(0, result.StandardError);
        result.StandardOutput.Trim().Should().Be($"postgres 127.0.0.1 {cluster.Port}");
    }

    [SkippableFact]
    public async Task CreateDatabaseAsync_TwoCalls_GiveSeparateUsableDatabases()
    {
        cluster.SkipIfUnavailable();

        var first = await cluster.CreateDatabaseAsync();
        var second = await cluster.CreateDatabaseAsync();
        var database = first.Split(';').Single(p => p.StartsWith("Database=", StringComparison.Ordinal))["Database=".Length..];

        first.Should().NotBe(second);
        await cluster.RunPsqlAsync("CREATE TABLE t (id int); INSERT INTO t VALUES (42);", database);
        (await cluster.RunPsqlAsync("SELECT id FROM t", database)).Trim().Should().Be("42");
    }

    [SkippableFact]
    public async Task RunPsqlAsync_BadSql_ThrowsWithPsqlError()
    {
        cluster.SkipIfUnavailable();

        var run = () => cluster.RunPsqlAsync("SELECT * FROM no_such_table");

        await run.Should().ThrowAsync<InvalidOperationException>().WithMessage("*no_such_table*");
    }

    [SkippableFact]
    public async Task DisposeAsync_StartedCluster_StopsServerAndDeletesFolder()
    {
        cluster.SkipIfUnavailable();
        var own = new PostgresCluster();
        await own.InitializeAsync();
        var folder = own.SocketDirectory;
        (await own.RunPsqlAsync("SELECT 2")).Trim().Should().Be("2");

        // The server's own process id (first line of postmaster.pid): probing its port afterwards was flaky, since
        // another test's server may take the freed port at once.
        int serverPid = int.Parse(File.ReadLines(Path.Combine(folder, "data", "postmaster.pid")).First(), System.Globalization.CultureInfo.InvariantCulture);

        await own.DisposeAsync();

        Directory.Exists(folder).Should().BeFalse();
        own.IsAvailable.Should().BeFalse();
        await Eventually.AssertAsync(() => !IsRunning(serverPid), TimeSpan.FromSeconds(10), "the server process was stopped");
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            // /proc/PID/stat's third field is the state; Z is a dead process its parent has not reaped yet.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z') is false;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
