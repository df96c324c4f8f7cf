using Hl7Mllp.Testing;
using Hl7Mllp.Testing.Postgres;

namespace Hl7Mllp.Tests.Testing;

public class PostgresClusterTests
{
    [Fact]
    public void FindBinDirectory_SeveralVersions_PicksHighestNumericVersionWithAllTools()
    {
        using var root = new TempDirectory("pgbin");
        MakeVersion(root, "9.6", complete: true);
        MakeVersion(root, "15", complete: true);
        MakeVersion(root, "16", complete: false);
        Directory.CreateDirectory(root.Combine("common", "bin"));

        PostgresCluster.FindBinDirectory(root.Path).Should().Be(root.Combine("15", "bin"));
    }

    [Fact]
    public void FindBinDirectory_NoInstall_ReturnsNull()
    {
        using var root = new TempDirectory("pgbin");

        PostgresCluster.FindBinDirectory(root.Path).Should().BeNull();
        PostgresCluster.FindBinDirectory(root.Combine("missing")).Should().BeNull();
    }

    [Fact]
    public void ConnectionString_BeforeStart_HasNpgsqlKeys()
    {
        var cluster = new PostgresCluster();

        cluster.ConnectionStringFor("db1").Should().Be("Host=127.0.0.1;Port=0;Username=postgres;Database=db1");
        cluster.IsAvailable.Should().BeFalse();
    }

    private static void MakeVersion(TempDirectory root, string version, bool complete)
    {
        var bin = root.Combine(version, "bin");
        Directory.CreateDirectory(bin);
        foreach (var tool in complete ? new[] { "initdb", "pg_ctl", "psql" } : ["initdb"])
        {
            File.WriteAllText(Path.Combine(bin, tool), string.Empty);
        }
    }
}
