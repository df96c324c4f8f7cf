using System.Data;
using System.Data.Common;
using Hl7Mllp.Testing;
using Hl7Mllp.Validation;
using Microsoft.Data.Sqlite;

namespace Hl7Mllp.IntegrationTests.Validation;

/// <summary>The Named Fields query cases on a SQLite database file.</summary>
public sealed class NamedFieldsDefinitionSqliteTests : NamedFieldsDefinitionQueryTests
{
    private readonly TempDirectory _folder = new("nf-sqlite");

    protected override string TextColumnType => "TEXT";

    protected override string BytesQuery => "SELECT CAST(definition AS BLOB) FROM named_fields WHERE name = 'v2.5.1'";

    protected override string InvalidUtf8Query => "SELECT X'FFFE41'";

    [Fact]
    public async Task LoadFromQueryAsync_DatabaseFileMissing_ThrowsWithTheProviderErrorInside()
    {
        await using var missing = SqliteFactory.Instance.CreateDataSource(MissingFileConnectionString());

        var load = () => NamedFieldsDefinition.LoadFromQueryAsync(missing, "SELECT definition FROM named_fields");

        var thrown = await load.Should().ThrowAsync<NamedFieldsDefinitionException>().WithMessage("The Named Fields definition query failed (SqliteException)*");
        thrown.Which.InnerException.Should().BeOfType<SqliteException>();
        File.Exists(_folder.Combine("gone.db")).Should().BeFalse("a read-only open must not create the file");
    }

    [Fact]
    public async Task LoadFromQueryAsync_ClosedConnectionToMissingFile_ThrowsAndLeavesItClosed()
    {
        await using var connection = new SqliteConnection(MissingFileConnectionString());

        var load = () => NamedFieldsDefinition.LoadFromQueryAsync(connection, "SELECT definition FROM named_fields");

        var thrown = await load.Should().ThrowAsync<NamedFieldsDefinitionException>().WithMessage("The Named Fields definition query failed (SqliteException)*");
        thrown.Which.InnerException.Should().BeOfType<SqliteException>();
        connection.State.Should().Be(ConnectionState.Closed);
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        _folder.Dispose();
    }

    protected override Task<DbDataSource> CreateDataSourceAsync()
    {
        // No pooling: the file is closed with the last connection, so the folder can be deleted.
        var connectionString = new SqliteConnectionStringBuilder { DataSource = _folder.Combine("named-fields.db"), Pooling = false }.ToString();
        return Task.FromResult(SqliteFactory.Instance.CreateDataSource(connectionString));
    }

    // A database file that is not there (deleted, or never made), opened read-only so that SQLite does not create it.
    private string MissingFileConnectionString() =>
        new SqliteConnectionStringBuilder { DataSource = _folder.Combine("gone.db"), Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString();
}
